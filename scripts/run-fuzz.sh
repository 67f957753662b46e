#!/bin/sh
# run-fuzz.sh SECONDS HARNESS... — runs each libFuzzer harness for a bounded
# time from its seed corpus (tests/fuzz/corpus/NAME, copied so the tree is
# not written) and fails on any crash, leak or sanitizer report.
set -u
secs=$1; shift
pass=0 fail=0 failed=""
work=$(mktemp -d -t smbsrvd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
for h in "$@"; do
	name=$(basename "$h")
	mkdir -p "$work/$name"
	seeds="tests/fuzz/corpus/${name#fuzz_}"
	[ -d "$seeds" ] && cp -R "$seeds/." "$work/$name/"
	if timeout $((secs + 60)) "$h" -max_total_time="$secs" \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 \
	    -artifact_prefix="$work/" "$work/$name" \
	    >"$work/$name.log" 2>&1; then
		pass=$((pass + 1))
		runs=$(grep -Eo '^#[0-9]+' "$work/$name.log" | tail -n 1 | tr -d '#')
		echo "fuzz $name: ok (${runs:-0} runs in ${secs}s)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "fuzz $name: FAILED"
		tail -n 40 "$work/$name.log"
		mkdir -p fuzz-artifacts
		cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* fuzz-artifacts/ 2>/dev/null
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
