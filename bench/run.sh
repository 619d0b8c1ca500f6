#!/usr/bin/env bash
# bench/run.sh - code speed of `ngen run` against Mono's JIT and Mono's AOT.
#
# For each compute program of tests/fixtures/bench (recursive Fibonacci, a
# sieve over a stackalloc buffer, an integer loop, a floating-point loop;
# each runs 1-2 s under mono) it measures, in this one run:
#   mono P.exe                     Mono's JIT
#   mono --aot P.exe; mono P.exe   Mono's AOT code (P.exe.so)
#   ngen compile P.exe; ngen run   native image from ngen
# and prints the ratios mono/ngen (above 1: ngen is faster), raw and with
# each runtime's start-up (the hello program, median of 9 runs) subtracted.
# Each time is CPU time (user + system), the best of 3 runs: the machine is
# shared, and CPU time of the least disturbed run is what code speed is.
# It also checks that all three print the same output, and that `ngen run`
# with its images present never maps libLLVM. The target is ngen at least
# twice as fast as Mono's JIT.
set -uo pipefail
build=${NGEN_BUILD:-build}
fx=${NGEN_FIXTURES:-$build/fixtures}/bench
ngen=$(realpath "$build/ngen")
work=$(mktemp -d /tmp/ngen-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0

[ -x "$ngen" ] || { echo "bench/run.sh: $ngen missing (make)"; exit 1; }
[ -f "$fx/BenchFib.exe" ] || { echo "bench/run.sh: $fx missing (make fixtures)"; exit 1; }
cp "$fx"/*.exe "$work"/
mkdir -p "$work/img"

now() { date +%s%N; }
# seconds CMD...: CPU time (user + system, microseconds) of one run, output
# to $work/out. CPU time rather than wall time: on a shared machine the wall
# clock mostly measures the other processes.
seconds() {
	local t rc
	t=$( { TIMEFORMAT='%3U %3S'; time "$@" >"$work/out" 2>"$work/err"; } 2>&1 )
	rc=$?
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d\n", (a[1] + a[2]) * 1e6 }'
	return $rc
}
median9() {
	local i t=()
	for i in 1 2 3 4 5 6 7 8 9; do t+=("$(seconds "$@")"); done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 5p
}
best3() {
	local a b c
	a=$(seconds "$@"); cp "$work/out" "$work/out1"
	b=$(seconds "$@"); c=$(seconds "$@")
	cp "$work/out1" "$work/out"
	printf '%s\n' "$a" "$b" "$c" | sort -n | head -1
}
fmt() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }

# Start-up, with the hello image present.
if ! "$ngen" compile "$work/BenchHello.exe" -o "$work/img/BenchHello.ni.so" >"$work/cerr" 2>&1; then
	echo "ngen compile BenchHello.exe failed: $(head -3 "$work/cerr")"
	exit 1
fi
mono --aot "$work/BenchHello.exe" >/dev/null 2>&1
up_jit=$(median9 mono "$work/BenchHello.exe")
up_ngen=$(median9 "$ngen" run --images "$work/img" "$work/BenchHello.exe")
llvm=$(LD_DEBUG=files "$ngen" run --images "$work/img" "$work/BenchHello.exe" 2>&1 | grep -c 'libLLVM')
echo "start-up (hello, median of 9): mono $(fmt "$up_jit") s, ngen run $(fmt "$up_ngen") s, ratio mono/ngen $(ratio "$up_jit" "$up_ngen")"
if [ "$llvm" -eq 0 ]; then
	echo "libLLVM mapped by ngen run with images present: no"
else
	echo "libLLVM mapped by ngen run with images present: YES (it must not be)"
	status=1
fi

printf '\n%-16s %9s %9s %9s %9s %9s %12s %12s\n' program mono-jit mono-aot ngen jit/ngen aot/ngen "jit/ngen-su" "aot/ngen-su"
for p in BenchFib BenchSieve BenchIntLoop BenchFloatLoop; do
	exe="$work/$p.exe"
	t_jit=$(best3 mono "$exe"); cp "$work/out" "$work/expect"
	c0=$(now); mono --aot "$exe" >/dev/null 2>&1; c1=$(now)
	t_aot=$(best3 mono "$exe")
	cmp -s "$work/out" "$work/expect" || { echo "$p: mono --aot output differs"; status=1; }
	c2=$(now)
	if ! "$ngen" compile "$exe" -o "$work/img/$p.ni.so" >"$work/cerr" 2>&1; then
		echo "$p: ngen compile failed: $(head -3 "$work/cerr")"; status=1; continue
	fi
	c3=$(now)
	t_ngen=$(best3 "$ngen" run --images "$work/img" "$exe")
	"$ngen" run --images "$work/img" "$exe" >"$work/out" 2>"$work/err"
	rc=$?
	if [ $rc -ne 0 ] || ! cmp -s "$work/out" "$work/expect"; then
		echo "$p: ngen run output differs from mono (exit $rc): $(head -c 200 "$work/out") $(head -c 300 "$work/err")"
		status=1; continue
	fi
	printf '%-16s %9s %9s %9s %9s %9s %12s %12s\n' "$p" "$(fmt "$t_jit")" "$(fmt "$t_aot")" "$(fmt "$t_ngen")" \
		"$(ratio "$t_jit" "$t_ngen")" "$(ratio "$t_aot" "$t_ngen")" \
		"$(ratio $((t_jit - up_jit)) $((t_ngen - up_ngen)))" "$(ratio $((t_aot - up_jit)) $((t_ngen - up_ngen)))"
	echo "  compile: mono --aot $(fmt $(( (c1 - c0) / 1000 ))) s, ngen compile $(fmt $(( (c3 - c2) / 1000 ))) s"
done
echo "(CPU seconds, user + system, best of 3; -su: start-up subtracted; target: jit/ngen >= 2)"
exit $status
