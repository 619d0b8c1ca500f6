/* tui/commands.c - global options, the action table, help, dispatch.
 *
 * Ngen's syntax: `ngen action [arguments] [options]`, actions and options
 * case-insensitive, options written /opt, -opt or --opt. The table below is
 * the single list of actions; `ngen /?` is generated from it. */
#include "tui/commands.h"
#include "tui/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const tui_command commands[] = {
	TUI_COMMAND_LIST
};

static void print_help(FILE *out)
{
	fputs("Usage: ngen <action> [arguments] [options]\n"
	      "       ngen              open the administration console\n"
	      "       ngen /? | /help   show this help\n\nActions:\n", out);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fputs("\nOptions (any action):\n"
	      "  --cache DIR   native image cache to use (default: $NGEN_CACHE,\n"
	      "                else /var/lib/ngen for root, else ~/.cache/ngen)\n"
	      "  /nologo       suppress the startup banner\n"
	      "  /silent       suppress success messages\n"
	      "  /verbose      display detailed information\n"
	      "  --json        machine-readable output (inspect, display, update, verify)\n"
	      "\nExit codes:\n"
	      "  0  success\n"
	      "  1  the action failed (the message says why)\n"
	      "  2  bad command line\n"
	      "  3  input missing, unreadable or not a valid assembly\n"
	      "  4  administrative rights are needed (the cache is not writable)\n"
	      "  5  problems found (verify) or images invalid\n", out);
}

bool tui_looks_like_option(const char *arg)
{
	if (arg[0] == '-')
		return arg[1] != '\0';
	if (arg[0] != '/')
		return false;
	/* "/name" or "/name:value": the name has no '/' and no '.', which tells
	 * an option from an absolute path such as /usr/lib/mono/4.5/mcs.exe or
	 * /app.exe. */
	size_t name_len = strcspn(arg + 1, ":=");
	return name_len > 0 && memchr(arg + 1, '/', name_len) == NULL &&
	       memchr(arg + 1, '.', name_len) == NULL;
}

bool tui_is_option(const char *arg, const char *name, const char **value)
{
	if (!tui_looks_like_option(arg))
		return false;
	if (arg[0] == '/' || arg[0] == '-')
		arg += (arg[0] == '-' && arg[1] == '-') ? 2 : 1;
	else
		return false;
	size_t n = strlen(name);
	if (n && (name[n - 1] == ':')) {
		if (strncasecmp(arg, name, n - 1) != 0)
			return false;
		char sep = arg[n - 1];
		if (sep != ':' && sep != '=')
			return false;
		if (value)
			*value = arg + n;
		return true;
	}
	return strcasecmp(arg, name) == 0;
}

/* Removes argv[i] (and `count` items) by shifting the rest down. */
static void drop_args(int *argc, char **argv, int i, int count)
{
	memmove(argv + i, argv + i + count,
		(size_t)(*argc - i - count + 1) * sizeof *argv);
	*argc -= count;
}

/* Takes the global options out of argv; returns -1 on a usage error.
 * Parsing stops at the program operand of `run`, so the program keeps its
 * own arguments (`ngen run app.exe --verbose` passes --verbose to app). */
static int parse_globals(tui_globals *g, int *argc, char **argv)
{
	bool is_run = false, seen_action = false;
	for (int i = 0; i < *argc;) {
		const char *v = NULL;
		if (tui_is_option(argv[i], "cache", NULL)) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "ngen: --cache needs a directory\n");
				return -1;
			}
			g->cache_dir = argv[i + 1];
			drop_args(argc, argv, i, 2);
		} else if (tui_is_option(argv[i], "cache:", &v)) {
			g->cache_dir = v;
			drop_args(argc, argv, i, 1);
		} else if (tui_is_option(argv[i], "nologo", NULL)) {
			g->nologo = true;
			drop_args(argc, argv, i, 1);
		} else if (tui_is_option(argv[i], "silent", NULL)) {
			g->silent = true;
			drop_args(argc, argv, i, 1);
		} else if (tui_is_option(argv[i], "verbose", NULL)) {
			g->verbose = true;
			drop_args(argc, argv, i, 1);
		} else if (tui_is_option(argv[i], "json", NULL)) {
			g->json = true;
			drop_args(argc, argv, i, 1);
		} else if (!tui_looks_like_option(argv[i]) && seen_action && is_run) {
			break;
		} else {
			if (!seen_action && !tui_looks_like_option(argv[i])) {
				seen_action = true;
				is_run = strcasecmp(argv[i], "run") == 0;
			}
			i++;
		}
	}
	return 0;
}

int tui_main(int argc, char **argv)
{
	tui_globals g = { 0 };
	argc--, argv++;
	if (parse_globals(&g, &argc, argv) < 0)
		return NGEN_EXIT_USAGE;
	if (!g.cache_dir)
		g.cache_dir = getenv("NGEN_CACHE");

	if (argc == 0)
		return tui_cmd_console(&g, 0, argv);
	if (tui_is_option(argv[0], "?", NULL) || tui_is_option(argv[0], "help", NULL) ||
	    tui_is_option(argv[0], "h", NULL)) {
		print_help(stdout);
		return NGEN_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const tui_command *c = &commands[i];
		if (strcasecmp(argv[0], c->name) == 0 ||
		    (c->alias && strcasecmp(argv[0], c->alias) == 0))
			return c->run(&g, argc - 1, argv + 1);
	}
	fprintf(stderr, "ngen: unknown action '%s'; try 'ngen /?' for the list\n", argv[0]);
	return NGEN_EXIT_USAGE;
}
