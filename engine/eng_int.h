/* engine/eng_int.h - what the engine's files share and nobody else sees. */
#ifndef ENG_INT_H
#define ENG_INT_H

#include "engine/eng.h"
#include "base/strbuf.h"

#include <stdarg.h>

struct eng_cache {
	char *dir;                 /* absolute */
	char *images_dir;          /* dir/images */
	sqlite3 *db;               /* NULL: read-only open of a missing cache */
	bool admin;                /* this process may write dir */
	bool writable;             /* db opened read-write */
	int tx_depth;
	const eng_compiler *comp;
};

/* Creates or migrates the engine's tables (eng_schema.c). */
int eng__migrate_engine(sqlite3 *db, ng_diag *d);

/* (root, image) pairs: the images each root reaches. */
#define ENG__REACH_CTE                                                              \
	"WITH RECURSIVE reach(root, id) AS ("                                  \
	" SELECT id, image_id FROM roots"                                      \
	" UNION SELECT r.root, e.dep_image_id FROM reach r"                    \
	"  JOIN roots ro ON ro.id = r.root AND ro.nodeps = 0"                  \
	"  JOIN image_deps e ON e.image_id = r.id"                             \
	"  WHERE e.dep_image_id IS NOT NULL) "

/* eng_images_foreach, with the derived root counts only when asked. */
int eng__images_foreach(eng_cache *c, bool with_counts, eng_image_fn fn, void *ctx, ng_diag *d);

/* eng_args_display of a joined JSON array, appended to out (one pass, no
 * argv). NG_ERR_FORMAT when joined is not an array of strings. */
int eng__args_display_json(const char *joined, ng_strbuf *out);

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

/* ---- the dependency graph of one install or rebuild (eng_install.c) ---- */

#include "engine/eng_binder.h"

typedef struct eng__node {
	eng_asm a;
	size_t ndeps;
	size_t *deps;          /* node indices, in AssemblyRef order */
	char **dep_refs;       /* the reference's display name, per dep */
	bool compile;          /* an image is made (or reused) for it */
	/* results */
	bool reused;
	char *tmp;             /* compiled, not yet renamed */
	char *rel;             /* final path under images/ */
	char hash[NG_SHA256_HEX];
	int64_t size;
	eng_compile_result res;
	int64_t asm_id, image_id;
	bool existed;          /* an image row was already there */
	bool placed;           /* tmp renamed to rel (undo on rollback) */
	char *old_rel;         /* the previous file, removed after commit */
} eng__node;

typedef struct eng__graph {
	eng__node *nodes;
	size_t n;
	size_t *order;         /* dependencies first */
	size_t norder;
	unsigned scenario;
	char *config;          /* config key */
	char *appbase, *config_file;
	eng_binder *binder;
	const char *env;       /* compiler stamp (borrowed) */
	char target[128];
} eng__graph;

/* The binding context of an install: appbase, .config, config key. */
int eng__graph_init(eng__graph *g, const char *assembly_path, const char *exe_config,
		    const char *app_base, const char *cwd, unsigned scenario, ng_diag *d);
/* The same from a stored config key (update). */
int eng__graph_init_key(eng__graph *g, const char *assembly_path, const char *config,
			unsigned scenario, ng_diag *d);
/* Reads the root and binds references: transitively when deep, else only
 * the root's direct references (which are then not compiled). */
int eng__graph_build(eng__graph *g, const char *root_path, bool deep, ng_diag *d);
/* Compiles the nodes marked compile that have no reusable image; with
 * force, the root is compiled even when its image looks valid. */
int eng__graph_compile(eng_cache *c, eng__graph *g, bool force_root,
		       const eng_run_opts *o, ng_diag *d);
/* Inside a transaction: records assemblies, moves files into place,
 * records images and their edges. */
int eng__graph_record(eng_cache *c, eng__graph *g, ng_diag *d);
/* One transaction: eng__graph_record, the root when req is given (the
 * install's exact arguments), a log line; files moved into place are
 * removed again when it fails, replaced files after it commits. */
int eng__commit_graph(eng_cache *c, eng__graph *g, const eng_request *req,
		      int64_t *root_id, const char *action, ng_diag *d);
/* The config key an install with these options gives assembly_path. */
char *eng__config_key(const char *assembly_path, const char *exe_config,
		      const char *app_base, const char *cwd);
/* Removes temporary files left by a failed compile. */
void eng__graph_close(eng__graph *g);

/* ---- validity (eng_validity.c) ---- */

typedef struct eng__invalid {
	int64_t image_id;
	unsigned scenario;
	char *path, *identity, *config;
	char *reason;
	bool was_invalid;      /* recorded invalid before this check */
} eng__invalid;

/* Every invalid image with its reason, dependencies before dependents;
 * env is the current compiler stamp. *checked counts the images. */
int eng__find_invalid(eng_cache *c, const char *env, eng__invalid **out, size_t *n,
		      size_t *checked, ng_diag *d);
void eng__invalid_free(eng__invalid *v, size_t n);

#endif
