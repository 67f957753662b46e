#!/bin/sh
# run-unit.sh TEST... — runs each cmocka unit test binary (built with
# AddressSanitizer and UndefinedBehaviorSanitizer) and sums up.
set -u
pass=0 fail=0 failed=""
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
for t in "$@"; do
	if timeout 300 "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $(basename "$t")"
	fi
done
[ -n "$failed" ] && echo "failed unit test programs:$failed"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
