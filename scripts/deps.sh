#!/usr/bin/env bash
# Installs every build and test dependency with apt-get; a fast no-op when
# all are present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config
	libncurses-dev libsqlite3-dev libuv1-dev libxml2-dev libjson-c-dev
	libssl-dev libgc-dev
	llvm-14-dev clang-14 lld-14 libclang-rt-14-dev
	# tests: Mono is the oracle and the source of real assemblies
	libcriterion-dev
	mono-mcs mono-runtime mono-devel mono-utils mono-complete
	gdb tmux sqlite3
	# screenshots of the console
	xvfb xterm imagemagick x11-apps
	x11-utils fonts-dejavu-core   # xwininfo finds the xterm window; its font
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
