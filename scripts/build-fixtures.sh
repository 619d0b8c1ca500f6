#!/usr/bin/env bash
# scripts/build-fixtures.sh SRC OUT - compiles the test fixtures.
#
# Every SRC/<dir>/name.cs is compiled with Mono's mcs and every name.il with
# ilasm into OUT/<dir>/name.exe or name.dll (the folder structure is kept,
# so each area of tests has its own namespace of fixture names). A source
# says how it is compiled on one of its first five lines:
#   // mcs: -target:library -r:Lib.dll
#   // ilasm: /dll
# mcs runs inside OUT/<dir>, so -r:Lib.dll finds a fixture library of the
# same folder. In each folder, libraries (-target:library, /dll) are built
# first in name order, then programs. A folder may hold a build.sh of its
# own, run as `build.sh OUTDIR` after the rest, for fixtures that need more
# (two versions of one library, a .config file, a deliberately broken file).
set -euo pipefail
src=$(realpath "$1")
mkdir -p "$2"
out=$(realpath "$2")

args_of() { sed -n "1,5s|^//[[:space:]]*$2:[[:space:]]*||p" "$1" | head -1; }
is_library() {
	case "$(args_of "$1" mcs) $(args_of "$1" ilasm)" in
	*library*|*/dll*|*/DLL*) return 0 ;; *) return 1 ;;
	esac
}

build_one() {
	local f=$1 dir=$2 base ext target args
	base=$(basename "${f%.*}")
	if is_library "$f"; then ext=dll; else ext=exe; fi
	target="$dir/$base.$ext"
	[ "$target" -nt "$f" ] && return 0
	case "$f" in
	*.cs)
		args=$(args_of "$f" mcs)
		(cd "$dir" && mcs -nologo -debug -warn:0 $args -out:"$base.$ext" "$f") ;;
	*.il)
		args=$(args_of "$f" ilasm)
		(cd "$dir" && ilasm -quiet $args -output:"$base.$ext" "$f" >/dev/null) ;;
	esac
}

while IFS= read -r d; do
	rel=${d#"$src"}; rel=${rel#/}
	dir="$out${rel:+/$rel}"
	mkdir -p "$dir"
	mapfile -t files < <(find "$d" -maxdepth 1 -type f \( -name '*.cs' -o -name '*.il' \) | sort)
	for f in "${files[@]}"; do is_library "$f" && build_one "$f" "$dir"; done
	for f in "${files[@]}"; do is_library "$f" || build_one "$f" "$dir"; done
	if [ -x "$d/build.sh" ]; then (cd "$d" && ./build.sh "$dir"); fi
done < <(find "$src" -type d | sort)
