/* tui/cmd_run.c - `ngen run [/Debug] [/Profile] [--images DIR]... [--no-compile]
 * PROGRAM.exe [args]`: runs Main from native code (runtime/rt.h).
 *
 * Options come before the program; everything after it is passed to Main
 * untouched. The exit status is Main's result; an unhandled exception ends
 * the process as Mono does (status 1); a program that cannot be started
 * exits with NGEN_EXIT_BAD_INPUT (missing or malformed assembly) or
 * NGEN_EXIT_FAILED (no usable image and it cannot be compiled).
 *
 * Images come first from the native image cache (--cache DIR, NGEN_CACHE or
 * the default), when it exists and holds a valid image for the assembly's
 * current MVID and the scenario asked; then from --images DIRs, $NGEN_IMAGES
 * and next to the assembly (rt_default_source); what is still missing is
 * compiled into a temporary directory. Running a program never creates a
 * cache. */
#include "tui/cmd.h"

#include "base/abi.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq_usage.h"
#include "runtime/rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_IMAGE_DIRS = 16 };

/* The cache first, then the runtime's default places. */
typedef struct run_sources {
	eng_cache *cache;            /* NULL when there is no cache */
	rt_options *opt;
} run_sources;

static int cache_then_default(void *p, const char *assembly_path, unsigned scenario,
			      char **image_path, ng_diag *diag)
{
	run_sources *s = p;
	if (s->cache) {
		int rc = eng_image_source(s->cache, assembly_path, scenario, image_path, diag);
		if (rc == 0)
			return 0;
		if (s->opt->verbose)
			fprintf(stderr, "ngen run: no valid image of %s in the cache (%s)\n",
				assembly_path, ng_diag_text(diag));
		ng_diag_clear(diag);
	}
	return rt_default_source(s->opt, assembly_path, scenario, image_path, diag);
}

/* Opens the cache at dir when it exists: writable when this user
 * administers it (so last-used times are kept for the idle task's
 * reclaim), else read-only. NULL when there is none or it cannot be read;
 * the program then runs from the other sources. */
static eng_cache *open_existing_cache(const char *dir)
{
	char *db = xasprintf("%s/cache.db", dir);
	bool exists = access(db, F_OK) == 0;
	bool admin = exists && access(dir, W_OK) == 0 && access(db, W_OK) == 0;
	free(db);
	if (!exists)
		return NULL;
	eng_cache *c = NULL;
	ng_diag d;
	ng_diag_clear(&d);
	if (eng_cache_open(dir, admin ? ENG_OPEN_WRITE : 0, &c, &d) < 0 &&
	    (!admin || eng_cache_open(dir, 0, &c, &d) < 0))
		return NULL;
	return c;
}

typedef struct usage_ctx {
	const char *cache_dir;
	char *app_path;              /* the program, absolute */
} usage_ctx;

/* Every loaded assembly goes to the usage log the idle task reads
 * (queue/jq_usage.h); best effort, a failure never disturbs the run. */
static void record_usage(void *p, const char *assembly_path, const char *identity)
{
	usage_ctx *u = p;
	if (u->cache_dir && u->app_path)
		(void)jq_usage_record(u->cache_dir, u->app_path, assembly_path, identity);
}

static int run_usage(const char *msg)
{
	fprintf(stderr, "ngen run: %s\nusage: ngen run [/Debug] [/Profile] "
		"[--images DIR] [--no-compile] PROGRAM.exe [args]\n", msg);
	return NGEN_EXIT_USAGE;
}

int tui_cmd_run(const tui_globals *g, int argc, char **argv)
{
	rt_options opt = { .verbose = g->verbose };
	const char *dirs[MAX_IMAGE_DIRS + 1] = { 0 };
	int ndirs = 0, i = 0;
	const char *v;
	/* Options are recognised by name only, so an absolute path such as
	 * /tmp/p.exe is the program even when it does not exist. */
	for (; i < argc && tui_looks_like_option(argv[i]); i++) {
		if (argv[i][0] == '/' && strchr(argv[i] + 1, '/'))
			break;
		if (tui_is_option(argv[i], "Debug", NULL))
			opt.scenario |= NG_SCENARIO_DEBUG;
		else if (tui_is_option(argv[i], "Profile", NULL))
			opt.scenario |= NG_SCENARIO_PROFILE;
		else if (tui_is_option(argv[i], "no-compile", NULL))
			opt.no_compile = true;
		else if (tui_is_option(argv[i], "images:", &v) && ndirs < MAX_IMAGE_DIRS)
			dirs[ndirs++] = v;
		else if (tui_is_option(argv[i], "images", NULL) && i + 1 < argc &&
			 ndirs < MAX_IMAGE_DIRS)
			dirs[ndirs++] = argv[++i];
		else if (argv[i][0] == '/')
			break;
		else
			return run_usage("unknown option before the program");
	}
	if (i >= argc)
		return run_usage("no program given");
	opt.image_dirs = dirs;
	const char *program = argv[i];
	if (access(program, R_OK) != 0) {
		fprintf(stderr, "ngen run: cannot read %s: %m\n", program);
		return NGEN_EXIT_BAD_INPUT;
	}
	char *cache = g->cache_dir ? xstrdup(g->cache_dir) : eng_default_cache_dir();
	run_sources sources = { open_existing_cache(cache), &opt };
	opt.source = cache_then_default;
	opt.source_ctx = &sources;
	usage_ctx usage = { cache, realpath(program, NULL) };
	opt.on_load = record_usage;
	opt.on_load_ctx = &usage;
	int exit_code = 0;
	ng_diag diag;
	ng_diag_clear(&diag);
	int rc = rt_run(&opt, program, argc - i - 1, argv + i + 1, &exit_code, &diag);
	free(usage.app_path);
	if (sources.cache)
		eng_cache_free(sources.cache);
	free(cache);
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr, "ngen run: %s\n", ng_diag_text(&diag));
		return rc == NG_ERR_FORMAT || rc == NG_ERR_NOT_PE || rc == NG_ERR_NOT_CLI ||
		       rc == NG_ERR_INVAL ? NGEN_EXIT_BAD_INPUT : NGEN_EXIT_FAILED;
	}
	return exit_code;
}
