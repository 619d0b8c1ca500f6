/* engine/eng_int.h - what the engine's files share and nobody else sees. */
#ifndef ENG_INT_H
#define ENG_INT_H

#include "engine/eng.h"

#include <stdarg.h>

struct eng_cache {
	char *dir;                 /* absolute */
	char *images_dir;          /* dir/images */
	sqlite3 *db;               /* NULL: read-only open of a missing cache */
	bool admin;                /* this process may write dir */
	bool writable;             /* db opened read-write */
	int tx_depth;
	const eng_compiler *comp;
	unsigned tmp_seq;
};

/* Creates or migrates the engine's tables (eng_schema.c). */
int eng__migrate_engine(sqlite3 *db, ng_diag *d);

/* Prepares sql or sets d; the statement is finalized by the caller. */
int eng__prepare(eng_cache *c, const char *sql, sqlite3_stmt **st, ng_diag *d);
/* The database's error as a diag. */
int eng__db_error(eng_cache *c, ng_diag *d, const char *what);
/* NG_ERR_PERM with the standard message when c is not writable. */
int eng__require_admin(eng_cache *c, const char *action, ng_diag *d);
/* Column text or "". */
const char *eng__col_text(sqlite3_stmt *st, int i);
int64_t eng__now(void);

/* A fault-injection point: when NGEN_FAULT_STEP=N, the N-th point reached
 * by this process kills it with SIGKILL (crash tests). */
void eng__fault_point(const char *where);

/* A fresh temporary file name under images/.tmp (heap). */
char *eng__tmp_path(eng_cache *c);
/* fsyncs a file and its directory. */
int eng__sync_file(const char *path);
int eng__mkdirs(const char *dir, unsigned mode);
/* Renames a synced temporary file to its final name (directories created)
 * and syncs the directory. */
int eng__install_file(const char *tmp, const char *final);
/* Removes a file and the empty directories above it up to images/. */
void eng__remove_image_file(eng_cache *c, const char *rel);

/* The live set: images reachable from roots, as a temp table live_images
 * (image_id). Inside a transaction. */
int eng__compute_live(eng_cache *c, ng_diag *d);
/* Deletes every image not in live_images, collecting the files to remove
 * after commit into *files (heap array of heap strings). */
int eng__delete_dead(eng_cache *c, char ***files, size_t *nfiles,
		     unsigned *count, const eng_run_opts *o, ng_diag *d);
void eng__remove_files(eng_cache *c, char **files, size_t n);

void eng__emit(const eng_run_opts *o, eng_event_kind kind, const char *name,
	       const char *text);

/* Value of key in a "k=v;k=v" stamp, copied into buf (""=absent). */
void eng__stamp_get(const char *stamp, const char *key, char *buf, size_t n);

#endif
