/* engine/eng.h - the native image cache and Ngen's batch actions.
 *
 * A cache is one directory: cache.db (SQLite, WAL, foreign keys, schema
 * versioned per component in schema_versions) and images/, where every
 * native image lives at
 *   images/<arch>/<scenario>/<Name>/<Version>_<mvid>[_c<config8>]/Name.ni.so
 *
 * The database records assemblies, images, roots (the exact arguments of
 * each install), dependency edges (image -> the dependency it was compiled
 * against, with that dependency's MVID and image hash) and a log. Reference
 * counts are never stored: an image is alive while it is reachable from a
 * root through edges, so uninstall removes exactly the images no remaining
 * root reaches.
 *
 * Crash safety: images are compiled to images/.tmp/tmp.<pid>.<n>, synced,
 * and renamed to their final name inside the write transaction that records
 * them; an install records all its images and its root in one transaction.
 * A process killed at any instant leaves either orphan files (removed by
 * `verify /repair`) or a recorded image whose file is older than its record
 * (found by verify's hash check and marked invalid for `update`).
 *
 * Who may write the cache directory administers it; everyone else opens it
 * read-only (display, verify without /repair).
 *
 * The compiler is injected (eng_compiler) so that tests, benchmarks, the
 * queue and the console can run with a fast fake one; the default is the
 * real compiler (comp_compile). NGEN_FAKE_COMPILER=1 in the environment
 * selects the fake one in any process (test hook, see eng_compiler_fake).
 *
 * Environment: NGEN_CACHE (the cache), NGEN_MONO_LIB (Mono's lib
 * directory, default /usr/lib/mono: gac/ and 4.5/), NGEN_GAC (more GAC
 * roots, colon-separated). Test hooks: NGEN_FAKE_COMPILER=1,
 * NGEN_FAKE_COMPILER_DELAY_MS, NGEN_FAKE_COMPILER_STAMP (see
 * eng_compiler_fake), NGEN_FAULT_STEP=N (the N-th crash point of the
 * process kills it with SIGKILL: after a compile, after a rename, before a
 * commit, between uninstall's commit and its file removal).
 *
 * Threads: an eng_cache is one SQLite connection; use it from one thread
 * at a time (each worker opens its own). Processes share a cache freely:
 * writers serialise on BEGIN IMMEDIATE with a busy timeout. */
#ifndef ENG_H
#define ENG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "base/diag.h"

typedef struct eng_cache eng_cache;

/* ---- the compiler interface ------------------------------------------- */

/* One compile: the assembly at assembly_path into output_path (a temporary
 * name in the cache; the engine renames it). Its references are already
 * bound: dep_paths[i] is the file the i-th reference of dep_names binds to.
 * Borrowed for the duration of compile(). */
typedef struct eng_compile_job {
	const char *assembly_path;
	unsigned scenario;                /* NG_SCENARIO_* bits */
	const char *output_path;
	size_t dep_count;
	const char *const *dep_names;     /* display names as referenced */
	const char *const *dep_paths;     /* bound files */
	void (*progress)(void *ctx, unsigned done, unsigned total);
	void *progress_ctx;
	const volatile int *cancel;       /* non-zero: stop, return NG_ERR_CANCELED */
} eng_compile_job;

/* The most common reasons methods were excluded, most frequent first (the
 * engine records them per image, see eng_exclusions_foreach). */
enum { ENG_TOP_REASONS = 8 };
typedef struct eng_reason {
	char text[160];
	unsigned count;
} eng_reason;

typedef struct eng_compile_result {
	unsigned methods_compiled;
	unsigned methods_excluded;
	eng_reason reasons[ENG_TOP_REASONS];
	unsigned nreasons;
} eng_compile_result;

typedef struct eng_compiler {
	/* Writes job->output_path; returns 0 or a negative code with d set. */
	int (*compile)(void *ctx, const eng_compile_job *job,
		       eng_compile_result *res, ng_diag *d);
	/* The environment an image depends on, as "key=value;..." pairs:
	 * format, compiler, llvm, runtime, target, cpu. Images built under a
	 * different stamp are invalid; update says which key changed. */
	const char *(*stamp)(void *ctx);
	void *ctx;
} eng_compiler;

/* The real compiler (compiler/comp.h). */
const eng_compiler *eng_compiler_default(void);
/* A fast stand-in: writes a small file naming the assembly, its MVID and
 * scenario; NGEN_FAKE_COMPILER_DELAY_MS sleeps that long per assembly;
 * NGEN_FAKE_COMPILER_STAMP overrides its stamp (to simulate an upgrade). */
const eng_compiler *eng_compiler_fake(void);
/* eng_compiler_fake() when NGEN_FAKE_COMPILER is set, else the default. */
const eng_compiler *eng_compiler_from_env(void);

/* ---- the cache ---------------------------------------------------------- */

/* The default directory: $NGEN_CACHE, else /var/lib/ngen for root, else
 * $XDG_CACHE_HOME/ngen or ~/.cache/ngen. Heap string, caller frees. */
char *eng_default_cache_dir(void);

enum {
	ENG_OPEN_WRITE = 1,   /* create the cache if needed; fail with
	                       * NG_ERR_PERM when it is not writable */
};

/* Opens (and for ENG_OPEN_WRITE creates and migrates) the cache at dir
 * (NULL: the default). Without ENG_OPEN_WRITE a missing cache opens as
 * an empty one. *out is freed with eng_cache_free. */
int eng_cache_open(const char *dir, int flags, eng_cache **out, ng_diag *d);
void eng_cache_free(eng_cache *c);
const char *eng_cache_dir(const eng_cache *c);
/* True when this process may write the cache (it administers it). */
bool eng_cache_is_admin(const eng_cache *c);
bool eng_cache_is_writable(const eng_cache *c);   /* opened for writing */
/* The connection, for the queue's tables (schema_versions component
 * 'queue'). NULL when the cache does not exist yet (read-only open). */
sqlite3 *eng_cache_db(eng_cache *c);
/* Replaces the compiler (borrowed; must outlive the cache). */
void eng_cache_set_compiler(eng_cache *c, const eng_compiler *comp);
const eng_compiler *eng_cache_compiler(const eng_cache *c);

/* Transactions: BEGIN IMMEDIATE waits (busy timeout) for other writers. */
int eng_tx_begin(eng_cache *c, ng_diag *d);
int eng_tx_commit(eng_cache *c, ng_diag *d);
void eng_tx_rollback(eng_cache *c);
/* Runs sql (no rows) with d set on failure. */
int eng_exec(eng_cache *c, const char *sql, ng_diag *d);

/* Appends to the log table (inside the caller's transaction if any). */
int eng_log(eng_cache *c, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Migrations of one component: steps[i] takes the schema from version i to
 * i + 1. Runs the missing ones in one transaction. Used by the engine
 * ('engine') and the queue ('queue'). */
int eng_schema_migrate(sqlite3 *db, const char *component,
		       const char *const *steps, int count, ng_diag *d);
int eng_schema_version(sqlite3 *db, const char *component);

/* ---- requests: Ngen's arguments ---------------------------------------- */

typedef enum eng_action {
	ENG_INSTALL, ENG_UNINSTALL, ENG_UPDATE, ENG_DISPLAY, ENG_VERIFY,
} eng_action;

/* A parsed command line of one action. Owned strings; eng_request_close
 * frees them. */
typedef struct eng_request {
	eng_action action;
	char *name;            /* assembly path or display name, as given */
	unsigned scenario;     /* NG_SCENARIO_* */
	bool scenario_given;   /* a scenario option was written */
	bool nodeps;           /* /NoDependencies */
	char *exe_config;      /* /ExeConfig: as given */
	char *app_base;        /* /AppBase: as given */
	int queue;             /* /queue[:N]: 1..3; 0 when absent */
	bool repair;           /* verify /repair */
	char *cwd;             /* the directory relative paths are taken from */
	int argc;              /* the exact arguments after the action word */
	char **argv;
} eng_request;

/* Parses argv (after the action word; global options such as /verbose
 * already removed) into req. cwd NULL: the current directory. */
int eng_args_parse(eng_action action, int argc, char **argv, const char *cwd,
		   eng_request *req, ng_diag *d);
void eng_request_close(eng_request *req);
/* The exact arguments as one string (a JSON array), for the roots table
 * and the queue; eng_args_split gives them back. Heap strings. */
char *eng_args_join(int argc, char **argv);
int eng_args_split(const char *joined, int *argc, char ***argv);
void eng_args_free(int argc, char **argv);
/* True when arg is written as an option (/name, /name:value, -x, --x);
 * an absolute path such as /usr/lib/x.dll is not one. */
bool eng_arg_is_option(const char *arg);
/* "install /usr/lib/x.exe /Debug" for people; heap string. */
char *eng_args_display(int argc, char **argv);

/* ---- actions ------------------------------------------------------------ */

typedef enum eng_event_kind {
	ENG_EV_ASSEMBLY,       /* starting an assembly: index/total, name */
	ENG_EV_METHODS,        /* methods done/total for the current assembly */
	ENG_EV_REUSED,         /* an assembly's valid image was reused */
	ENG_EV_COMPILED,       /* an image was written: methods counts */
	ENG_EV_INVALID,        /* update: image found invalid, reason */
	ENG_EV_REMOVED,        /* uninstall/verify: image removed */
	ENG_EV_MESSAGE,        /* any other line for the user */
} eng_event_kind;

typedef struct eng_event {
	eng_event_kind kind;
	const char *name;      /* display name of the assembly */
	const char *text;      /* reason or message */
	unsigned scenario;
	unsigned index, total; /* assemblies */
	unsigned done, count;  /* methods; or compiled/excluded for COMPILED */
} eng_event;

typedef void (*eng_event_fn)(void *ctx, const eng_event *ev);

typedef struct eng_run_opts {
	eng_event_fn on_event;   /* may be NULL */
	void *ctx;
	const volatile int *cancel;
} eng_run_opts;

typedef struct eng_install_result {
	unsigned compiled, reused, assemblies;
	int64_t root_id;
} eng_install_result;

/* install: binds the assembly and (without /NoDependencies) its references
 * transitively, compiles what has no valid image for the scenario and
 * config, records everything and the root in one transaction. */
int eng_install(eng_cache *c, const eng_request *req, const eng_run_opts *o,
		eng_install_result *res, ng_diag *d);

/* uninstall: removes the roots matching req (name by path or partial
 * display name; scenario exact when given, else all; same config), then
 * every image no remaining root reaches, with its file. *removed_roots and
 * *removed_images count what went (may be NULL). */
int eng_uninstall(eng_cache *c, const eng_request *req, const eng_run_opts *o,
		  unsigned *removed_roots, unsigned *removed_images, ng_diag *d);

typedef struct eng_update_result {
	unsigned checked, invalid, rebuilt, failed;
} eng_update_result;

/* Finds the invalid images (see eng_validity.c for the rules), marks them
 * with their reason, and with rebuild regenerates exactly those,
 * dependencies first. ENG_EV_INVALID per image with its reason. */
int eng_update(eng_cache *c, bool rebuild, const eng_run_opts *o,
	       eng_update_result *res, ng_diag *d);

typedef struct eng_verify_result {
	unsigned images, problems, repaired;
} eng_verify_result;

/* Checks files (exist, hash), edges and roots, unrecorded files under
 * images/; with repair (admin only) removes orphans and unreachable
 * images, marks damaged images invalid. Each problem is reported as an
 * ENG_EV_MESSAGE. json (may be NULL) receives a JSON report. */
int eng_verify(eng_cache *c, bool repair, const eng_run_opts *o,
	       eng_verify_result *res, ng_diag *d);

enum { ENG_DISPLAY_VERBOSE = 1, ENG_DISPLAY_JSON = 2 };
/* Prints the roots then the native images in Ngen's layout; with name
 * (path or partial display name), the matching images, their dependencies
 * and the roots that depend on them. NG_ERR_NOTFOUND when name matches
 * nothing (the message says so). */
int eng_display(eng_cache *c, const char *name, const char *cwd, int flags,
		FILE *out, ng_diag *d);

/* The one-line banner of batch actions (suppressed by /nologo). */
void eng_banner(FILE *out);

/* ---- reading the cache (the console, the runtime) ----------------------- */

typedef struct eng_image_info {
	int64_t id;
	const char *name;          /* simple name */
	const char *identity;      /* full display name */
	const char *assembly_path;
	const char *mvid;          /* the assembly's MVID the image was built from */
	unsigned scenario;
	const char *config;        /* "" or "appbase=...\nconfig=..." */
	const char *target;
	const char *file;          /* absolute path of the image */
	int64_t size;
	const char *hash;
	bool valid;
	const char *reason;        /* why invalid; "" when valid */
	unsigned methods_compiled, methods_excluded;
	int64_t created, last_used; /* Unix seconds; 0 = never used */
	unsigned roots;            /* how many roots reach it (derived) */
} eng_image_info;

typedef struct eng_root_info {
	int64_t id;
	int64_t image_id;
	const char *args;          /* "install /x/App.exe /Debug" */
	const char *args_json;     /* exact arguments, eng_args_split form */
	const char *cwd;
	const char *identity;
	const char *assembly_path;
	unsigned scenario;
	const char *config;
	bool nodeps;
	int64_t created;
} eng_root_info;

/* Callbacks return 0 to go on, non-zero to stop (returned). Records are
 * borrowed until the callback returns. */
typedef int (*eng_image_fn)(void *ctx, const eng_image_info *img);
typedef int (*eng_root_fn)(void *ctx, const eng_root_info *root);

int eng_roots_foreach(eng_cache *c, eng_root_fn fn, void *ctx, ng_diag *d);
/* Every image, ordered by name, version, scenario, config. */
int eng_images_foreach(eng_cache *c, eng_image_fn fn, void *ctx, ng_diag *d);
/* The same without the derived root counts (img->roots is 0): for readers
 * that derive what they need from eng_edges_foreach and the roots. */
int eng_images_foreach_plain(eng_cache *c, eng_image_fn fn, void *ctx, ng_diag *d);
/* The images a root reaches (its own first, then dependencies). */
int eng_root_images_foreach(eng_cache *c, int64_t root_id, eng_image_fn fn,
			    void *ctx, ng_diag *d);
/* The direct dependencies of an image (their images, when they have one). */
int eng_image_deps_foreach(eng_cache *c, int64_t image_id, eng_image_fn fn,
			   void *ctx, ng_diag *d);

/* Every dependency edge between two recorded images, in one query,
 * ordered by image_id (an edge whose dependency has no image is left out). */
typedef int (*eng_edge_fn)(void *ctx, int64_t image_id, int64_t dep_image_id);
int eng_edges_foreach(eng_cache *c, eng_edge_fn fn, void *ctx, ng_diag *d);

/* The recorded exclusion reasons of one image (image_id > 0) or of every
 * image (image_id 0), ordered by image then count, most frequent first:
 * at most ENG_TOP_REASONS per image, from the compile that wrote it. */
typedef int (*eng_exclusion_fn)(void *ctx, int64_t image_id, const char *reason, unsigned count);
int eng_exclusions_foreach(eng_cache *c, int64_t image_id, eng_exclusion_fn fn, void *ctx,
			   ng_diag *d);

/* For the runtime: the valid image of assembly (absolute path, or full
 * display name) with that MVID (32 hex digits; NULL: any) and scenario.
 * *file (heap) and *image_id are set; NG_ERR_NOTFOUND when none. */
int eng_lookup_image(eng_cache *c, const char *assembly, const char *mvid,
		     unsigned scenario, char **file, int64_t *image_id, ng_diag *d);
/* An image source for the runtime (same signature as rt_image_source_fn
 * in runtime/rt.h; ctx is the eng_cache): the valid image of the assembly
 * at assembly_path for that scenario, whose recorded MVID is the file's
 * current one; marks it used (when the cache is writable). *image_path is
 * heap. NG_ERR_NOTFOUND when the cache has none. */
int eng_image_source(void *ctx, const char *assembly_path, unsigned scenario,
		     char **image_path, ng_diag *d);
/* Records that an image was used now (last_used). Best effort when the
 * cache is read-only: returns NG_ERR_PERM. */
int eng_touch_image(eng_cache *c, int64_t image_id);

typedef struct eng_log_entry {
	int64_t id, time;
	const char *action;
	const char *message;
} eng_log_entry;
typedef int (*eng_log_fn)(void *ctx, const eng_log_entry *e);
/* Newest first; limit <= 0: all. */
int eng_log_foreach(eng_cache *c, int limit, eng_log_fn fn, void *ctx, ng_diag *d);

/* "", "/Debug", "/Profile", "/Debug /Profile" (static strings). */
const char *eng_scenario_text(unsigned scenario);

#endif
