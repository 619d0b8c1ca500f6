#!/usr/bin/env bash
# Runs each layer's Criterion binary and closes with one summary line,
# "N passed, N failed", over all of them. Exit status: non-zero when any
# test failed or crashed.
set -uo pipefail
build=$1; shift
export NGEN_BUILD="$build"
export NGEN_FIXTURES="$build/fixtures"
passed=0 failed=0 status=0
for bin in "$@"; do
	echo "== $bin"
	out=$(mktemp)
	# No `|| true` here: with pipefail it would run and overwrite
	# PIPESTATUS, hiding the binary's failure. (The script has no set -e.)
	"$bin" --jobs "${TEST_JOBS:-2}" --tap="$out" 2>&1 | grep -v '^\s*$'
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok ' "$out" || true)
	f=$(grep -c '^not ok ' "$out" || true)
	grep '^not ok ' "$out" || true
	rm -f "$out"
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$bin exited with $rc"; failed=$((failed + 1))
	fi
	[ "$rc" -eq 0 ] || status=1
done
echo "$passed passed, $failed failed"
exit $status
