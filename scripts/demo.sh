#!/usr/bin/env bash
# scripts/demo.sh BUILD - `make run`: builds a demo cache with something real
# in it, then opens the console on it.
#
#   - Mono's mcs.exe installed (its whole dependency tree: mscorlib, System,
#     System.Core, System.Xml, ...), through the batch action `ngen install`;
#   - xbuild.exe queued at priority 2, so the service picks it up and the
#     Jobs view shows it compiling live, and csharp.exe queued at priority 3
#     (it runs only when the machine is idle);
#   - one image made invalid (a copy of ikdasm.exe whose file then changed
#     into something that is not an assembly), so `i` has something to find.
#
# The real compiler is used when it can compile mcs.exe within
# NGEN_DEMO_TIMEOUT seconds (default 120); otherwise the demo says so and
# falls back to the engine's fake compiler (NGEN_FAKE_COMPILER=1: a real
# cache, real assemblies and dependency trees, stand-in image files).
# NGEN_FAKE_COMPILER=1 selects the fake one from the start.
#
# Environment: NGEN_DEMO_CACHE (default BUILD/demo-cache, rebuilt each run),
# NGEN_DEMO_NO_CONSOLE=1 builds the cache and stops (scripts/screenshots.sh).
set -euo pipefail
build=$(realpath "${1:-build}")
ngen="$build/ngen"
cache="${NGEN_DEMO_CACHE:-$build/demo-cache}"
timeout_s="${NGEN_DEMO_TIMEOUT:-120}"
mono=/usr/lib/mono/4.5
export NGEN_BIN="$ngen"

# The service of a previous demo cache (it waits for idle time to run the
# priority 3 item, so it would not exit by itself).
stop_service() {
	local pid
	pid=$("$ngen" queue status --cache "$1" 2>/dev/null | sed -n 's/.*(pid \([0-9]*\).*/\1/p')
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
}

[ -x "$ngen" ] || { echo "demo: $ngen is missing; run make first" >&2; exit 1; }
[ -f "$mono/mcs.exe" ] || { echo "demo: $mono/mcs.exe is missing; install mono (make deps)" >&2; exit 1; }

stop_service "$cache"
rm -rf "$cache"
mkdir -p "$cache"
app="$cache.app"
rm -rf "$app"
mkdir -p "$app"

echo "demo: installing $mono/mcs.exe into $cache ..."
if [ "${NGEN_FAKE_COMPILER:-0}" != 1 ] &&
   timeout "$timeout_s" "$ngen" install "$mono/mcs.exe" --cache "$cache" /nologo /silent; then
	echo "demo: compiled with the real compiler"
else
	[ "${NGEN_FAKE_COMPILER:-0}" = 1 ] ||
		echo "demo: the real compiler did not finish mcs.exe in ${timeout_s}s; using the fake compiler" >&2
	export NGEN_FAKE_COMPILER=1
	# A slow fake compile lets the queued job be watched in the Jobs view.
	export NGEN_FAKE_COMPILER_DELAY_MS="${NGEN_FAKE_COMPILER_DELAY_MS:-1500}"
	rm -rf "$cache"; mkdir -p "$cache"
	NGEN_FAKE_COMPILER_DELAY_MS=0 "$ngen" install "$mono/mcs.exe" --cache "$cache" /nologo /silent
fi

# An image that goes invalid: its assembly changes into a non-assembly.
cp "$mono/ikdasm.exe" "$app/ikdasm.exe"
NGEN_FAKE_COMPILER_DELAY_MS=0 "$ngen" install "$app/ikdasm.exe" --cache "$cache" /nologo /silent || true
echo "not an assembly any more" > "$app/ikdasm.exe"
NGEN_FAKE_COMPILER_DELAY_MS=0 "$ngen" update --cache "$cache" /nologo /silent >/dev/null 2>&1 || true

echo "demo: queueing xbuild.exe (priority 2) and csharp.exe (priority 3, when idle)"
"$ngen" install "$mono/csharp.exe" /queue:3 --cache "$cache" /nologo /silent || true
"$ngen" install "$mono/xbuild.exe" /queue:2 --cache "$cache" /nologo /silent || true

[ "${NGEN_DEMO_NO_CONSOLE:-0}" = 1 ] && exit 0
exec "$ngen" --cache "$cache"
