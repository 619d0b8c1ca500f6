#!/usr/bin/env bash
# bench/md.sh - the metadata reader on mscorlib.dll (run by `make bench`).
#
# Builds bench/md_bench.c with the reader, then reports, best of N runs:
# open (map + full validation), walk (open + every table cell + every
# method body with EH clauses and local signature: the issue's figure,
# target under 20 ms) and full (walk + every signature and custom
# attribute). Context measured in the same run: a plain read() of the file
# and `monodis --typedef` on it (Mono's own metadata reader, whole process).
set -euo pipefail
build=${NGEN_BUILD:-build}
file=${MD_BENCH_FILE:-/usr/lib/mono/4.5/mscorlib.dll}
runs=${MD_BENCH_RUNS:-20}
mkdir -p "$build/bench"
bin="$build/bench/md_bench"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -I. -o "$bin" bench/md_bench.c base/*.c \
	compiler/pe.c compiler/identity.c compiler/md_*.c $(pkg-config --libs libcrypto)

out=$("$bin" "$file" "$runs")
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
read_ms=$(get read); open_ms=$(get open); walk_ms=$(get walk); full_ms=$(get full)

mono_ms=
if command -v monodis >/dev/null; then
	best=
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		monodis --typedef "$file" >/dev/null 2>&1 || true
		t=$(( ($(date +%s%N) - t0) / 1000 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	mono_ms=$(awk -v t="$best" 'BEGIN { printf "%.3f", t / 1000 }')
fi

echo "file: $file ($(stat -c %s "$file") bytes), best of $runs runs"
printf '  %-44s %8.3f ms\n' "read() of the file" "$read_ms"
printf '  %-44s %8.3f ms  (%.1fx read)\n' "md_open (map + validate every cell)" \
	"$open_ms" "$(awk -v a="$open_ms" -v b="$read_ms" 'BEGIN { print a / b }')"
printf '  %-44s %8.3f ms  (%.1fx read)\n' "open + walk all tables and method bodies" \
	"$walk_ms" "$(awk -v a="$walk_ms" -v b="$read_ms" 'BEGIN { print a / b }')"
printf '  %-44s %8.3f ms\n' "open + walk + all signatures and attributes" "$full_ms"
if [ -n "$mono_ms" ]; then
	printf '  %-44s %8.3f ms  (walk is %.3fx of it)\n' "monodis --typedef (process)" \
		"$mono_ms" "$(awk -v a="$walk_ms" -v b="$mono_ms" 'BEGIN { print a / b }')"
fi
verdict=$(awk -v w="$walk_ms" 'BEGIN { print (w < 20) ? "PASS" : "FAIL" }')
echo "md: open+walk $walk_ms ms, target < 20 ms: $verdict"
[ "$verdict" = PASS ]
