#!/usr/bin/env bash
# bench/gen-cache.bash - the 10,000-image cache of bench/cache.sh and
# bench/console.sh (one generator, so both measure the same cache). Named
# .bash, not .sh, so that scripts/bench.sh does not run it as a benchmark.
#
# Usage: gen-cache.bash NGEN LIBRARY WORKDIR [--some-invalid]
# Builds a real cache at WORKDIR/cache with NGEN (one install of LIBRARY,
# the fake compiler) and multiplies it in SQL: 1,000 assemblies (hard links
# WORKDIR/lib/LibNNNN.dll to one library, so every file really exists and
# stats as recorded) with 10 configs each = 10,000 images, 9,000 roots,
# 9,000 dependency edges (LibNNN1..9 -> LibNNN0, same config). With
# --some-invalid, the images of every 7th assembly are marked invalid (the
# console's invalid filter has something to find); without it every image
# is valid (update has nothing to rebuild). Prints nothing on success.
set -euo pipefail
ngen=$1 lib=$2 work=$3
invalid=0
[ "${4:-}" = --some-invalid ] && invalid=1
cache="$work/cache"
mkdir -p "$work/lib"
cp "$lib" "$work/Shared.dll"
NGEN_FAKE_COMPILER=1 "$ngen" --cache "$cache" install "$work/Shared.dll" /nologo /silent
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
         100, s.ihash, CASE WHEN $invalid AND a.id % 7 = 3 THEN 'invalid' ELSE 'valid' END,
         CASE WHEN $invalid AND a.id % 7 = 3 THEN 'dependency changed (bench)' ELSE '' END,
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
