#!/usr/bin/env bash
# bench/console.sh - the console on a cache of 10,000 images.
#
# Targets (issue 6): the first screen drawn within 100 ms, and a key press
# handled and redrawn within 16 ms, at 10,000 images. Measured inside the
# program (`ngen console --bench`): it opens an off-screen terminal (80x24,
# output to /dev/null), loads the cache through the real provider (engine
# and queue accessors, as the interactive console does), draws, then feeds
# 112 keys (moves, page down, sort by each column and reverse - which
# re-sorts all 10,000 rows -, the invalid filter, tree expand, every view,
# the details pane) and times each key's handling and redraw.
#
# The cache is generated the way bench/cache.sh (engineer C) does it: one
# real install with the fake compiler, multiplied in SQL to 1,000
# assemblies x 10 configs = 10,000 images, 9,000 roots, 9,000 edges. The
# same run also measures the fake provider (`--fake 10000`, data made up in
# memory) so the cost of reading the cache can be told from drawing. As a
# reference, the sqlite3 shell reading the same images is timed too.
set -euo pipefail
build=${NGEN_BUILD:-build}
fixtures=${NGEN_FIXTURES:-$build/fixtures}
ngen="$build/ngen"
lib="$fixtures/engine/shared/Shared.dll"
[ -x "$ngen" ] && [ -f "$lib" ] || { echo "console.sh: build ngen and the fixtures first (make all fixtures)"; exit 1; }
command -v sqlite3 >/dev/null || { echo "console.sh: needs the sqlite3 shell"; exit 1; }

work=$(mktemp -d /tmp/ngen-bench-console.XXXXXX)
trap 'rm -rf "$work"' EXIT
cache="$work/cache"
mkdir -p "$work/lib"
cp "$lib" "$work/Shared.dll"
export NGEN_FAKE_COMPILER=1
"$ngen" --cache "$cache" install "$work/Shared.dll" /nologo /silent
for i in $(seq -f '%04g' 0 999); do ln "$work/Shared.dll" "$work/lib/Lib$i.dll"; done
sqlite3 "$cache/cache.db" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE s AS SELECT a.mvid, a.hash, a.size, a.mtime_ns, a.ino, i.env, i.target, i.hash AS ihash
  FROM assemblies a JOIN images i ON i.assembly_id = a.id WHERE a.name = 'Shared';
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 999)
INSERT INTO assemblies(path, name, identity, version, mvid, hash, size, mtime_ns, ino)
  SELECT printf('$work/lib/Lib%04d.dll', k), printf('Lib%04d', k),
         printf('Lib%04d, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null', k),
         '1.0.0.0', s.mvid, s.hash, s.size, s.mtime_ns, s.ino FROM n, s;
WITH RECURSIVE j(c) AS (SELECT 0 UNION ALL SELECT c + 1 FROM j WHERE c < 9)
INSERT INTO images(assembly_id, scenario, config, target, file, size, hash, status, reason,
                   methods_compiled, methods_excluded, mvid, env, config_hash, created)
  SELECT a.id, 0, CASE c WHEN 0 THEN '' ELSE printf('appbase=$work/app%d' || char(10) || 'config=', c) END,
         s.target, printf('x86_64/normal/%s/1.0.0.0_%s_%d/%s.ni.so', a.name, s.mvid, c, a.name),
         100, s.ihash, CASE WHEN a.id % 7 = 3 THEN 'invalid' ELSE 'valid' END,
         CASE WHEN a.id % 7 = 3 THEN 'dependency changed (bench)' ELSE '' END,
         10, 1, s.mvid, s.env, '', strftime('%s', 'now')
  FROM assemblies a, j, s WHERE a.name LIKE 'Lib%';
CREATE TEMP TABLE g AS SELECT i.id, i.config, a.id AS aid, a.identity, CAST(substr(a.name, 4) AS INTEGER) AS k
  FROM images i JOIN assemblies a ON a.id = i.assembly_id WHERE a.name LIKE 'Lib%';
INSERT INTO image_deps(image_id, dep_assembly_id, dep_image_id, ref_name, dep_identity, dep_mvid, dep_image_hash)
  SELECT x.id, y.aid, y.id, y.identity, y.identity, s.mvid, s.ihash
  FROM g x JOIN g y ON y.k = x.k - x.k % 10 AND y.config = x.config, s WHERE x.k % 10 <> 0;
INSERT INTO roots(image_id, args, cwd, scenario, config, nodeps, created)
  SELECT g.id, json_array(printf('$work/lib/Lib%04d.dll', g.k)), '$work', 0, g.config, 0, strftime('%s', 'now')
  FROM g WHERE g.k % 10 <> 0;
COMMIT;
SQL
echo "cache: $(sqlite3 "$cache/cache.db" "SELECT count(*) FROM images") images," \
     "$(sqlite3 "$cache/cache.db" "SELECT count(*) FROM roots") roots," \
     "$(sqlite3 "$cache/cache.db" "SELECT count(*) FROM image_deps") edges"

ms() { date +%s%N; }
t0=$(ms)
sqlite3 "$cache/cache.db" "SELECT i.id, a.name, a.identity, a.path, i.file, i.status FROM images i
  JOIN assemblies a ON a.id = i.assembly_id ORDER BY a.name" >/dev/null
t1=$(ms)
echo "reference: sqlite3 shell reading the 10,000 image rows: $(( (t1 - t0) / 1000000 )) ms (process included)"

real=$("$ngen" console --bench --cache "$cache")
echo "$real"
fake=$("$ngen" console --bench --fake 10000)
echo "$fake"

first=$(sed -n 's/.*first screen \([0-9.]*\) ms.*/\1/p' <<<"$real")
worst=$(sed -n 's/.*worst \([0-9.]*\) ms.*/\1/p' <<<"$real")
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "MISSED" }'; }
echo "console (real cache): first screen $first ms - target 100 ms $(verdict "$first" 100);" \
     "worst key to redraw $worst ms - target 16 ms $(verdict "$worst" 16)"
echo "console: ratio first screen / sqlite3 shell reading the same rows:" \
     "$(awk -v f="$first" -v r="$(( (t1 - t0) / 1000000 ))" 'BEGIN { printf "%.1f", f / (r > 0 ? r : 1) }')"
