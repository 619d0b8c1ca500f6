#!/usr/bin/env bash
# scripts/screenshots.sh BUILD - `make screenshots`: PNGs of every console view
# from a real run, into screenshots/.
#
# The console runs in tmux (100x30) on the demo cache of scripts/demo.sh;
# each view is captured with `tmux capture-pane -e -p` (text with its colour
# escapes), replayed with cat in an xterm of the same size under Xvfb, and
# that window is saved with ImageMagick's import. ImageMagick is called by
# full path: another `convert` may come first on PATH.
set -euo pipefail
build=$(realpath "${1:-build}")
ngen="$build/ngen"
out=$(realpath -m screenshots)
work=$(mktemp -d /tmp/ngen-shots.XXXXXX)
cache="$work/cache"
sock="ngen-shots-$$"
import=/usr/bin/import
for tool in tmux xvfb-run xterm xwininfo "$import"; do
	command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (make deps)" >&2; exit 1; }
done
stop_service() {
	local pid
	pid=$("$ngen" queue status --cache "$1" 2>/dev/null | sed -n 's/.*(pid \([0-9]*\).*/\1/p')
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
}
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1 || true
	stop_service "$cache"
	sleep 0.5; rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$out"

NGEN_DEMO_CACHE="$cache" NGEN_DEMO_NO_CONSOLE=1 "$(dirname "$0")/demo.sh" "$build"

tmux -L "$sock" new-session -d -x 100 -y 30 \
	"env TERM=xterm-256color LANG=C.UTF-8 NGEN_BIN=$ngen $ngen --cache $cache; sleep 600"

# Waits until the screen shows text (30 s at most).
wait_for() {
	for _ in $(seq 300); do
		tmux -L "$sock" capture-pane -p | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshots: '$1' never appeared" >&2
	tmux -L "$sock" capture-pane -p >&2
	return 1
}
keys() { tmux -L "$sock" send-keys "$@"; }
shot() {
	sleep 0.6
	tmux -L "$sock" capture-pane -e -p > "$work/$1.ans"
	echo "screenshots: captured $1"
}

wait_for "ngen console"
keys Enter;             wait_for "mscorlib";      shot roots
keys 2;                 wait_for "NAME (";        shot images
keys i;                 wait_for "invalid";       shot images-invalid
keys i 3;               wait_for "Priority 1";    shot queue
keys 4;                 wait_for "job(s)";        shot jobs
keys 5;                 wait_for "TIME (UTC)";    shot log
keys '?';               wait_for "Help: keys";    shot help
keys Escape 1 a;        wait_for "Install an assembly"
tmux -L "$sock" send-keys -l "/usr/lib/mono/4.5/Mono.Pos"
keys Tab;               wait_for "Mono.Posix.dll"; shot install
keys Escape x;          wait_for "Will be removed"; shot uninstall
keys n q

# Replays each capture in an xterm under Xvfb and saves its window.
cat > "$work/render.sh" <<'RENDER'
#!/usr/bin/env bash
set -euo pipefail
work=$1 out=$2
for ans in "$work"/*.ans; do
	name=$(basename "$ans" .ans)
	xterm -T "shot-$name" -geometry 100x30+0+0 -fa 'DejaVu Sans Mono' -fs 11 \
		-bg '#101010' -fg '#d0d0d0' +sb -b 4 \
		-e bash -c "printf '\033[?25l'; printf '%s' \"\$(cat '$ans')\"; sleep 30" &
	pid=$!
	id=""
	for _ in $(seq 50); do
		id=$(xwininfo -root -tree 2>/dev/null | awk -v n="\"shot-$name\"" '$0 ~ n { print $1; exit }')
		[ -n "$id" ] && break
		sleep 0.1
	done
	sleep 1.2
	[ -n "$id" ] || { echo "screenshots: no xterm window for $name" >&2; exit 1; }
	timeout 20 /usr/bin/import -window "$id" "$out/$name.png"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "screenshots: $out/$name.png ($(date +%T))"
done
RENDER
chmod +x "$work/render.sh"
xvfb-run -a -s "-screen 0 1400x900x24" "$work/render.sh" "$work" "$out"
