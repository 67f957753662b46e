#!/usr/bin/python3
"""rpc/openapi.yaml -> rpc/openapi.json (make openapi).

The YAML document is the contract people edit; the daemon serves both it
and this JSON copy at /api/v1/openapi.{yaml,json}.  A JSON copy kept in
the tree means neither the daemon nor the stdlib-only test helpers need a
YAML parser; python3-yaml (a test dependency already) is needed only here
and by the test that fails when the copy is stale.

  scripts/openapi-json.py rpc/openapi.yaml rpc/openapi.json
  scripts/openapi-json.py --check rpc/openapi.yaml rpc/openapi.json
"""
import json
import sys

import yaml


def render(src):
    with open(src) as f:
        doc = yaml.safe_load(f)
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) \
        + "\n"


def main(argv):
    check = argv[1:2] == ["--check"]
    args = argv[2:] if check else argv[1:]
    if len(args) != 2:
        sys.stderr.write("usage: openapi-json.py [--check] YAML JSON\n")
        return 2
    text = render(args[0])
    if check:
        try:
            with open(args[1]) as f:
                have = f.read()
        except OSError as e:
            sys.stderr.write("%s: %s\n" % (args[1], e))
            return 1
        if have != text:
            sys.stderr.write("%s is stale: run make openapi\n" % args[1])
            return 1
        return 0
    tmp = args[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    import os
    os.replace(tmp, args[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
