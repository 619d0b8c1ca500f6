/* engine/eng_schema.c - the cache's tables and their migrations.
 *
 * Every component that keeps tables in cache.db (the engine, the queue)
 * owns one row of schema_versions and a list of migration steps; step i
 * takes its tables from version i to i + 1. Migrations run in one
 * BEGIN IMMEDIATE transaction, so two processes opening a new cache at
 * once cannot both create it. Steps are only ever appended.
 *
 * The engine's tables:
 *   assemblies  one row per assembly file (path unique), with its identity,
 *               MVID, SHA-256 and the stat data used to notice changes.
 *   images      one per (assembly, scenario, config): target, file, size,
 *               hash, status, reason, method counts, the environment stamp
 *               and the config file hash it was built under, times.
 *   image_deps  edges image -> dependency assembly, with the MVID and the
 *               dependency image's hash the image was compiled against.
 *   roots       the exact arguments of each install and the image it roots.
 *   log         what each action did, newest last.
 * Reference counts are not stored; see eng__compute_live(). */
#include "engine/eng_int.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

static const char *const engine_steps[] = {
	/* 0 -> 1 */
	"CREATE TABLE assemblies ("
	" id INTEGER PRIMARY KEY,"
	" path TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" identity TEXT NOT NULL,"
	" version TEXT NOT NULL DEFAULT '',"
	" mvid TEXT NOT NULL,"
	" hash TEXT NOT NULL,"
	" size INTEGER NOT NULL DEFAULT 0,"
	" mtime_ns INTEGER NOT NULL DEFAULT 0,"
	" ino INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX assemblies_name ON assemblies(name COLLATE NOCASE);"
	"CREATE TABLE images ("
	" id INTEGER PRIMARY KEY,"
	" assembly_id INTEGER NOT NULL REFERENCES assemblies(id),"
	" scenario INTEGER NOT NULL,"
	" config TEXT NOT NULL DEFAULT '',"
	" target TEXT NOT NULL,"
	" file TEXT NOT NULL UNIQUE,"
	" size INTEGER NOT NULL DEFAULT 0,"
	" hash TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL CHECK (status IN ('valid','invalid')),"
	" reason TEXT NOT NULL DEFAULT '',"
	" methods_compiled INTEGER NOT NULL DEFAULT 0,"
	" methods_excluded INTEGER NOT NULL DEFAULT 0,"
	" mvid TEXT NOT NULL,"
	" env TEXT NOT NULL,"
	" config_hash TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL,"
	" last_used INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (assembly_id, scenario, config, target));"
	"CREATE TABLE image_deps ("
	" image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
	" dep_assembly_id INTEGER NOT NULL REFERENCES assemblies(id),"
	" dep_image_id INTEGER REFERENCES images(id) ON DELETE SET NULL,"
	" ref_name TEXT NOT NULL,"
	" dep_identity TEXT NOT NULL,"
	" dep_mvid TEXT NOT NULL,"
	" dep_image_hash TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (image_id, dep_assembly_id));"
	"CREATE INDEX image_deps_dep ON image_deps(dep_image_id);"
	"CREATE TABLE roots ("
	" id INTEGER PRIMARY KEY,"
	" image_id INTEGER NOT NULL REFERENCES images(id),"
	" args TEXT NOT NULL,"
	" cwd TEXT NOT NULL,"
	" scenario INTEGER NOT NULL,"
	" config TEXT NOT NULL,"
	" nodeps INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL,"
	" UNIQUE (image_id, nodeps));"
	"CREATE TABLE log ("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" action TEXT NOT NULL,"
	" message TEXT NOT NULL);",
	/* 1 -> 2: one image per (assembly, scenario set, config) on a machine;
	 * the target is part of the environment stamp (a new target makes the
	 * image invalid, update rebuilds it in place) rather than of the key. */
	"DELETE FROM roots WHERE image_id IN (SELECT i.id FROM images i JOIN images j"
	" ON j.assembly_id = i.assembly_id AND j.scenario = i.scenario AND j.config = i.config"
	" AND j.id > i.id);"
	"DELETE FROM images WHERE id IN (SELECT i.id FROM images i JOIN images j"
	" ON j.assembly_id = i.assembly_id AND j.scenario = i.scenario AND j.config = i.config"
	" AND j.id > i.id);"
	"CREATE UNIQUE INDEX images_key ON images(assembly_id, scenario, config);",
	/* 2 -> 3: listings in name order without a sort: assemblies walked by
	 * (name, version, id), their images by images_key, their roots by
	 * roots(image_id, nodeps). */
	"CREATE INDEX assemblies_order ON assemblies(name COLLATE NOCASE, version);",
	/* 3 -> 4: the most common exclusion reasons of each image, written with
	 * the image by the compile that produced it (display /verbose and the
	 * console's details). */
	"CREATE TABLE image_exclusions ("
	" image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
	" reason TEXT NOT NULL,"
	" count INTEGER NOT NULL,"
	" PRIMARY KEY (image_id, reason));",
};

int eng_schema_version(sqlite3 *db, const char *component)
{
	sqlite3_stmt *st = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE component = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int exec_or_diag(sqlite3 *db, const char *sql, ng_diag *d, const char *what)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	ng_diag_set(d, NG_ERR_DB, "cache database: %s: %s", what, err ? err : "?");
	sqlite3_free(err);
	return NG_ERR_DB;
}

static int set_version(sqlite3 *db, const char *component, int v, ng_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO schema_versions(component, version) VALUES (?, ?)"
			       " ON CONFLICT(component) DO UPDATE SET version = excluded.version",
			       -1, &st, NULL) != SQLITE_OK)
		return ng_diag_set(d, NG_ERR_DB, "cache database: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ng_diag_set(d, NG_ERR_DB, "cache database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int eng_schema_migrate(sqlite3 *db, const char *component,
		       const char *const *steps, int count, ng_diag *d)
{
	if (!db || !component || (!steps && count))
		return ng_diag_set(d, NG_ERR_INVAL, "schema migration: bad arguments");
	int rc = exec_or_diag(db, "BEGIN IMMEDIATE", d, "starting the migration");
	if (rc < 0)
		return rc;
	rc = exec_or_diag(db, "CREATE TABLE IF NOT EXISTS schema_versions ("
			  " component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
			  d, "creating schema_versions");
	int v = rc == 0 ? eng_schema_version(db, component) : 0;
	if (rc == 0 && v > count)
		rc = ng_diag_set(d, NG_ERR_UNSUPPORTED,
				 "cache database: the %s tables are at version %d, newer than this "
				 "ngen knows (%d); use a newer ngen or another --cache",
				 component, v, count);
	for (; rc == 0 && v < count; v++) {
		char what[64];
		snprintf(what, sizeof what, "migrating %s to version %d", component, v + 1);
		rc = exec_or_diag(db, steps[v], d, what);
		if (rc == 0)
			rc = set_version(db, component, v + 1, d);
	}
	if (rc == 0)
		rc = exec_or_diag(db, "COMMIT", d, "committing the migration");
	if (rc < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int eng__migrate_engine(sqlite3 *db, ng_diag *d)
{
	return eng_schema_migrate(db, "engine", engine_steps,
				  (int)(sizeof engine_steps / sizeof engine_steps[0]), d);
}
