#!/usr/bin/env bash
# scripts/bench.sh BUILD - runs every bench/*.sh in name order.
#
# Each benchmark prints its figures as ratios against Mono or C measured in
# the same run (absolute times on shared machines vary); see README.md.
set -uo pipefail
export NGEN_BUILD=$(realpath "$1")
export NGEN_FIXTURES="$NGEN_BUILD/fixtures"
status=0
for b in bench/*.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	bash "$b" || { echo "$b failed"; status=1; }
done
exit $status
