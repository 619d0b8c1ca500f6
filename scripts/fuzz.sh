#!/usr/bin/env bash
# scripts/fuzz.sh BUILD - fuzz the metadata reader with libFuzzer.
#
# Builds fuzz/md_fuzz.c with the base and metadata reader sources using
# clang-14 -fsanitize=fuzzer,address,undefined into build-fuzz/, seeds the
# corpus with the test fixtures (BUILD/fixtures, built first if missing) and
# the smallest assemblies of /usr/lib/mono, and runs one fuzzing process for
# FUZZ_SECONDS (default 600) at the lowest priority. Crashing inputs land in
# build-fuzz/crashes/; each one must become a regression test
# (tests/compiler/test_md_crashers.c). Exit status: non-zero on a crash.
set -euo pipefail
build=${1:-build}
out=${FUZZ_OUT:-build-fuzz}
secs=${FUZZ_SECONDS:-600}
cc=${FUZZ_CC:-clang-14}
mkdir -p "$out/corpus" "$out/crashes"

srcs=(fuzz/md_fuzz.c base/*.c compiler/pe.c compiler/identity.c compiler/md_*.c)
flags=(-std=c11 -D_GNU_SOURCE -g -O1 -I. -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
newest=$(ls -t "${srcs[@]}" compiler/*.h base/*.h | head -1)
if [ ! -x "$out/md_fuzz" ] || [ "$newest" -nt "$out/md_fuzz" ]; then
	echo "fuzz: building $out/md_fuzz"
	"$cc" "${flags[@]}" -o "$out/md_fuzz" "${srcs[@]}" $(pkg-config --libs libcrypto)
fi

# Seeds: the fixtures and 40 assemblies under 64 KiB that Mono ships,
# spread over that size range (the smallest are mostly type forwarders).
[ -d "$build/fixtures" ] || make -s fixtures BUILD="$build" || true
find "$build/fixtures" -type f \( -name '*.dll' -o -name '*.exe' \) \
	-exec cp -f {} "$out/corpus/" \; 2>/dev/null || true
mapfile -t small < <(find /usr/lib/mono -type f \( -name '*.dll' -o -name '*.exe' \) \
	-size -64k -printf '%s %p\n' 2>/dev/null | sort -n | cut -d' ' -f2-)
step=$(( ${#small[@]} / 40 + 1 ))
for ((i = 0; i < ${#small[@]}; i += step)); do
	cp -f "${small[$i]}" "$out/corpus/seed_${i}_$(basename "${small[$i]}")"
done

echo "fuzz: running for ${secs}s (corpus $out/corpus, crashes $out/crashes)"
nice -n 19 "$out/md_fuzz" "$out/corpus" -max_total_time="$secs" -max_len=65536 \
	-timeout=10 -rss_limit_mb=1024 -artifact_prefix="$out/crashes/" \
	-print_final_stats=1
