#!/usr/bin/env bash
# bench/compile.sh - compile throughput of `ngen compile` against `mono --aot`.
#
# Both compile the same assemblies in this one run: Mono's mscorlib.dll
# and System.dll (real code, of which ngen's first tier compiles a few
# percent and excludes the rest after reading it), and the code
# generator's Ops.dll fixture (every method in the first tier, so every
# method goes through LLVM). For each it prints methods per second - all
# methods processed, and methods that came out as native code - of both
# compilers, by wall time and by CPU time (user + system, children
# included: Mono's as/ld, ngen's ld.lld), and the ratios ngen/mono (above 1:
# ngen is faster). ngen uses its default threads (one module per core for a
# large assembly); mono --aot is single-threaded. Wall time on a shared
# machine mostly measures the other processes; CPU time is the steadier
# figure.
set -uo pipefail
build=${NGEN_BUILD:-build}
fx=${NGEN_FIXTURES:-$build/fixtures}
ngen=$(realpath "$build/ngen")
[ -x "$ngen" ] || { echo "bench/compile.sh: $ngen missing (make)"; exit 1; }
command -v mono >/dev/null || { echo "bench/compile.sh: needs mono"; exit 1; }
work=$(mktemp -d /tmp/ngen-bench-compile.XXXXXX)
trap 'rm -rf "$work"' EXIT

# measure OUT CMD...: prints "wall cpu" in seconds; output to OUT.
measure() {
	local out=$1; shift
	local t0 t1 cpu
	t0=$(date +%s%N)
	cpu=$( { TIMEFORMAT='%3U %3S'; time "$@" >"$out" 2>&1; } 2>&1 )
	local rc=$?
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { split(c, u, " "); printf "%.3f %.3f\n", (b - a) / 1e9, u[1] + u[2] }'
	return $rc
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t <= 0) print "n/a"; else printf "%.0f", n / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0 || a == "n/a" || b == "n/a") print "n/a"; else printf "%.2f", a / b }'; }

status=0
printf '%-12s %-6s %8s %8s %8s %8s %10s %10s %10s\n' assembly who methods native wall_s cpu_s "all/s" "native/s" "native/cpu-s"
for src in /usr/lib/mono/4.5/mscorlib.dll /usr/lib/mono/4.5/System.dll "$fx/cg/Ops.dll"; do
	name=$(basename "$src" .dll)
	[ -f "$src" ] || { echo "$src missing"; status=1; continue; }
	mkdir -p "$work/$name"
	cp "$src" "$work/$name/"
	asm="$work/$name/$name.dll"

	read -r nw nc < <(measure "$work/ngen.out" "$ngen" compile "$asm" -o "$work/$name/$name.ni.so" --stats)
	if ! grep -q '^Compiled' "$work/ngen.out"; then
		echo "$name: ngen compile failed: $(head -3 "$work/ngen.out")"; status=1; continue
	fi
	ntotal=$(sed -n 's/^  methods: *\([0-9]*\) total, \([0-9]*\) compiled.*/\1/p' "$work/ngen.out")
	nnative=$(sed -n 's/^  methods: *\([0-9]*\) total, \([0-9]*\) compiled.*/\2/p' "$work/ngen.out")

	read -r mw mc < <(cd "$work/$name" && MONO_PATH="$work/$name" measure "$work/mono.out" \
		mono --aot=outfile="$work/$name/$name.aot.so" "$asm")
	mline=$(grep -o 'Compiled: [0-9]*/[0-9]*' "$work/mono.out" | tail -1)
	if [ -z "$mline" ]; then
		echo "$name: mono --aot failed: $(tail -3 "$work/mono.out")"; status=1; continue
	fi
	mnative=${mline#Compiled: }; mnative=${mnative%/*}
	mtotal=${mline#*/}

	printf '%-12s %-6s %8s %8s %8s %8s %10s %10s %10s\n' "$name" ngen "$ntotal" "$nnative" "$nw" "$nc" \
		"$(rate "$ntotal" "$nw")" "$(rate "$nnative" "$nw")" "$(rate "$nnative" "$nc")"
	printf '%-12s %-6s %8s %8s %8s %8s %10s %10s %10s\n' "$name" mono "$mtotal" "$mnative" "$mw" "$mc" \
		"$(rate "$mtotal" "$mw")" "$(rate "$mnative" "$mw")" "$(rate "$mnative" "$mc")"
	printf '%-12s ratios ngen/mono: all methods/s (wall) %s, (cpu) %s; native methods/s (wall) %s, (cpu) %s\n' \
		"$name" "$(ratio "$(rate "$ntotal" "$nw")" "$(rate "$mtotal" "$mw")")" \
		"$(ratio "$(rate "$ntotal" "$nc")" "$(rate "$mtotal" "$mc")")" \
		"$(ratio "$(rate "$nnative" "$nw")" "$(rate "$mnative" "$mw")")" \
		"$(ratio "$(rate "$nnative" "$nc")" "$(rate "$mnative" "$mc")")"
done
exit $status
