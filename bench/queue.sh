#!/usr/bin/env bash
# bench/queue.sh - the queue's figures (issue 5):
#  * 8 independent installs through the queue with 2 workers must take at
#    most 0.6 of the time with 1 worker. With the real compiler when it
#    compiles (8 Mono assemblies, /NoDependencies), always also with a fake
#    CPU-bound compile (SHA-256 rounds), so the scheduler's scaling is
#    measured even when the compiler is not ready; each line says which.
#  * dispatch overhead per item over 10,000 trivial items.
# The ratio is only meaningful when 2 cores are free; the load average is
# printed with the figures.
set -euo pipefail
build=${NGEN_BUILD:-build}
cd "$(dirname "$0")/.."
bin=$(mktemp /tmp/queue_bench.XXXXXX)
trap 'rm -f "$bin"' EXIT
objs=$(ls "$build"/obj/base/*.o "$build"/obj/queue/*.o "$build"/obj/engine/*.o \
	"$build"/obj/compiler/*.o | grep -v '/cg_')
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags json-c libuv) \
	bench/queue_bench.c $objs -o "$bin" -rdynamic \
	$(pkg-config --libs sqlite3 libuv libxml-2.0 json-c libcrypto bdw-gc) -ldl -lpthread -lm
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), CPUs: $(nproc)"

asms=()
for a in Accessibility System.Drawing System.Web.Services System.Transactions \
	 System.Runtime.Serialization.Formatters.Soap Mono.Posix System.Configuration.Install \
	 System.Management; do
	f=/usr/lib/mono/4.5/$a.dll
	[ -f "$f" ] && asms+=("$f")
done
probe=$(mktemp -d /tmp/ngen-qprobe.XXXXXX)
if [ ${#asms[@]} -eq 8 ] && NGEN_CACHE= "$build/ngen" --cache "$probe" /nologo /silent \
	install "${asms[0]}" /NoDependencies >/dev/null 2>&1; then
	env -u NGEN_FAKE_COMPILER NGEN_CGLIB="$(realpath "$build")/libngen-cg.so" \
		"$bin" parallel engine "${asms[@]}"
else
	echo "queue: real compiler not usable here (install of ${asms[0]:-?} failed); fake compile only"
fi
rm -rf "$probe"
"$bin" parallel cpu 400
"$bin" dispatch 10000
