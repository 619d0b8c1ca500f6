/* tui/cmd_compile.c - `ngen compile ASSEMBLY [/Debug] [/Profile] [-o IMAGE]
 * [--stats] [--threads N]`.
 *
 * The low-level compile, without the cache (crossgen's direct mode): one
 * assembly against the assemblies it references (found next to it, then in
 * Mono's GAC), into one native image, by default ./Name.ni.so. --stats
 * prints the methods compiled and excluded, grouped by reason. */
#include "tui/cmd.h"

#include "base/abi.h"
#include "base/diag.h"
#include "base/err.h"
#include "compiler/comp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct compile_args {
	const char *assembly, *output;
	unsigned scenario;
	int stats, threads;
} compile_args;

static int usage(const char *why)
{
	fprintf(stderr, "ngen compile: %s\n"
		"usage: ngen compile ASSEMBLY [/Debug] [/Profile] [-o IMAGE] [--stats] [--threads N]\n",
		why);
	return NGEN_EXIT_USAGE;
}

static int parse(int argc, char **argv, compile_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		if (tui_is_option(argv[i], "Debug", NULL)) {
			a->scenario |= NG_SCENARIO_DEBUG;
		} else if (tui_is_option(argv[i], "Profile", NULL)) {
			a->scenario |= NG_SCENARIO_PROFILE;
		} else if (tui_is_option(argv[i], "stats", NULL)) {
			a->stats = 1;
		} else if (tui_is_option(argv[i], "o", NULL) || tui_is_option(argv[i], "out", NULL) ||
			   tui_is_option(argv[i], "threads", NULL)) {
			if (i + 1 >= argc)
				return usage("an option needs a value");
			if (tui_is_option(argv[i], "threads", NULL))
				a->threads = atoi(argv[++i]);
			else
				a->output = argv[++i];
		} else if (tui_is_option(argv[i], "out:", &v)) {
			a->output = v;
		} else if (tui_looks_like_option(argv[i])) {
			fprintf(stderr, "ngen compile: unknown option '%s'\n", argv[i]);
			return NGEN_EXIT_USAGE;
		} else if (a->assembly) {
			return usage("only one assembly at a time");
		} else {
			a->assembly = argv[i];
		}
	}
	if (!a->assembly)
		return usage("no assembly given");
	return 0;
}

static void print_stats(const comp_result *r)
{
	printf("  methods:   %u total, %u compiled, %u excluded, %u BypassNGen\n",
	       r->methods_total, r->methods_compiled, r->methods_excluded, r->methods_bypassed);
	if (r->methods_total)
		printf("  coverage:  %.1f%% of the methods compiled\n",
		       100.0 * r->methods_compiled / r->methods_total);
	printf("  exclusions by reason:\n");
	for (size_t i = 0; i < r->reason_count; i++)
		printf("  %8u  %s\n", r->reasons[i].count, r->reasons[i].text);
	printf("  dependencies:\n");
	for (size_t i = 0; i < r->dep_count; i++)
		printf("    %s%s\n", r->deps[i].display_name, r->deps[i].hard_bound ? " (hard-bound)" : "");
	printf("  time: %.2f s (%.0f methods/s), image %zu bytes\n", r->seconds,
	       r->seconds > 0 ? r->methods_total / r->seconds : 0.0, r->image_size);
}

static int exit_code(int rc)
{
	switch (rc) {
	case NG_ERR_NOT_PE: case NG_ERR_NOT_CLI: case NG_ERR_FORMAT: case -ENOENT: case -EACCES:
	case -EISDIR: case NG_ERR_NOTFOUND:
		return NGEN_EXIT_BAD_INPUT;
	case NG_ERR_USAGE: case NG_ERR_INVAL:
		return NGEN_EXIT_USAGE;
	default:
		return NGEN_EXIT_FAILED;
	}
}

int tui_cmd_compile(const tui_globals *g, int argc, char **argv)
{
	compile_args a = { 0 };
	int rc = parse(argc, argv, &a);
	if (rc)
		return rc;
	if (access(a.assembly, R_OK) < 0) {
		int e = errno;
		fprintf(stderr, "ngen compile: error: %s: %s\n", a.assembly, strerror(e));
		return NGEN_EXIT_BAD_INPUT;
	}
	char *name = comp_image_name(a.assembly);
	const char *out = a.output ? a.output : name;
	comp_request req = { .assembly_path = a.assembly, .scenario = a.scenario,
			     .output_path = out, .threads = a.threads };
	comp_result res;
	ng_diag d;
	ng_diag_clear(&d);
	rc = comp_compile(&req, &res, &d);
	if (rc) {
		fprintf(stderr, "ngen compile: error: %s\n", ng_diag_text(&d));
		comp_result_close(&res);
		free(name);
		return exit_code(rc);
	}
	if (!g->silent)
		printf("Compiled %s -> %s: %u of %u methods (%u excluded, %u BypassNGen)\n",
		       res.display_name, out, res.methods_compiled, res.methods_total,
		       res.methods_excluded, res.methods_bypassed);
	if (a.stats)
		print_stats(&res);
	comp_result_close(&res);
	free(name);
	return NGEN_EXIT_OK;
}
