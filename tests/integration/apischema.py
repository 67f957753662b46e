"""Checks API answers against rpc/openapi.json, with the stdlib only.

rpc/openapi.json is generated from rpc/openapi.yaml (make openapi) and a
test keeps the two equal, so checking against the JSON copy is checking
against the contract.  The checker understands what the contract uses
of JSON Schema 2020-12: $ref, type (one or a list), properties, required,
additionalProperties: false, items, enum, const, oneOf, pattern,
minimum, maximum, minLength, maxLength, minItems, maxItems.
"""
import json
import os
import re

from conftest import REPO

OPENAPI_JSON = os.path.join(REPO, "rpc", "openapi.json")

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and
    not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def document():
    with open(OPENAPI_JSON) as f:
        return json.load(f)


class SchemaError(AssertionError):
    pass


def _resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def validate(doc, value, schema, where="$"):
    """Raises SchemaError naming the first place value breaks schema."""
    if "$ref" in schema:
        validate(doc, value, _resolve(doc, schema["$ref"]), where)
        # Siblings of $ref (3.1 allows them) are descriptions here.
        return
    if "oneOf" in schema:
        ok = 0
        for sub in schema["oneOf"]:
            try:
                validate(doc, value, sub, where)
                ok += 1
            except SchemaError:
                pass
        if ok != 1:
            raise SchemaError("%s: %r matches %d of oneOf" % (where, value,
                                                               ok))
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_TYPES[x](value) for x in types):
            raise SchemaError("%s: %r is not %s" % (where, value, t))
    if "const" in schema and value != schema["const"]:
        raise SchemaError("%s: %r is not %r" % (where, value,
                                                schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError("%s: %r not in %r" % (where, value,
                                                schema["enum"]))
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise SchemaError("%s: %r does not match %s" % (
                where, value, schema["pattern"]))
        if len(value) < schema.get("minLength", 0):
            raise SchemaError("%s: too short" % where)
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise SchemaError("%s: too long" % where)
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError("%s: %r < %r" % (where, value,
                                               schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError("%s: %r > %r" % (where, value,
                                               schema["maximum"]))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                raise SchemaError("%s: missing %r" % (where, k))
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(props)
            if extra:
                raise SchemaError("%s: undocumented %s" % (where,
                                                           sorted(extra)))
        for k, sub in props.items():
            if k in value:
                validate(doc, value[k], sub, "%s.%s" % (where, k))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise SchemaError("%s: too few items" % where)
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaError("%s: too many items" % where)
        if "items" in schema:
            for i, v in enumerate(value):
                validate(doc, v, schema["items"], "%s[%d]" % (where, i))


def response_spec(doc, method, pattern, status):
    """The documented response object (refs followed) or None."""
    op = doc["paths"][pattern][method.lower()]
    r = op["responses"].get(str(status))
    if r is None:
        return None
    if "$ref" in r:
        r = _resolve(doc, r["$ref"])
    return r


def check_response(doc, method, pattern, status, ctype, body):
    """Asserts that the answer is documented and matches its schema."""
    spec = response_spec(doc, method, pattern, status)
    assert spec is not None, "%s %s: %d is not documented" % (
        method, pattern, status)
    content = spec.get("content", {})
    assert ctype in content, "%s %s %d: %s not in %s" % (
        method, pattern, status, ctype, sorted(content))
    schema = content[ctype].get("schema", {})
    value = json.loads(body) if "json" in ctype else body
    validate(doc, value, schema, "%s %s" % (method, pattern))
    return value


def problem_schema_ok(doc, body):
    validate(doc, json.loads(body), doc["components"]["schemas"]["Problem"])
