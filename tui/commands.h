/* tui/commands.h - the table of ngen's actions.
 *
 * Each action is a function taking the arguments after the action word and
 * returning the process exit code (see NGEN_EXIT_* below). Options common to
 * every action (--cache DIR, /nologo, /silent, /verbose, --json) are parsed
 * once into tui_globals before dispatch and removed from argv. */
#ifndef TUI_COMMANDS_H
#define TUI_COMMANDS_H

#include <stdbool.h>

/* Exit codes, documented in `ngen /?`. */
enum {
	NGEN_EXIT_OK = 0,
	NGEN_EXIT_FAILED = 1,      /* the action failed; the message says why */
	NGEN_EXIT_USAGE = 2,       /* bad command line */
	NGEN_EXIT_BAD_INPUT = 3,   /* input file missing, unreadable or malformed */
	NGEN_EXIT_PERM = 4,        /* administrative rights are needed */
	NGEN_EXIT_INVALID = 5,     /* verify found problems / images invalid */
};

typedef struct tui_globals {
	const char *cache_dir;     /* --cache DIR, else NGEN_CACHE, else default */
	bool nologo, silent, verbose, json;
} tui_globals;

typedef int (*tui_cmd_fn)(const tui_globals *g, int argc, char **argv);

typedef struct tui_command {
	const char *name;          /* matched case-insensitively */
	const char *alias;         /* or NULL */
	tui_cmd_fn run;
	const char *usage;         /* one line for `ngen /?` */
} tui_command;

/* Parses global options, dispatches, returns the exit code. */
int tui_main(int argc, char **argv);
/* True when arg is written as an option: -x, --x, /name or /name:value
 * (an absolute path such as /usr/lib/x.dll is not an option). */
bool tui_looks_like_option(const char *arg);
/* Matches an option word with '/', '-' or '--' prefix, case-insensitively;
 * name is given without prefix. If name ends in ':', the value after the
 * colon (or '=') is returned in *value. */
bool tui_is_option(const char *arg, const char *name, const char **value);

#endif
