/* tui/cmd.h - the actions of ngen, one function each, and the table.
 *
 * Each tui_cmd_* lives in its own tui/cmd_*.c. To add an action, declare it
 * here and add one line to TUI_COMMAND_LIST; `ngen /?` is generated from the
 * list, in this order. */
#ifndef TUI_CMD_H
#define TUI_CMD_H

#include "tui/commands.h"

int tui_cmd_console(const tui_globals *g, int argc, char **argv);
int tui_cmd_inspect(const tui_globals *g, int argc, char **argv);
int tui_cmd_run(const tui_globals *g, int argc, char **argv);
int tui_cmd_queue(const tui_globals *g, int argc, char **argv);
int tui_cmd_eqi(const tui_globals *g, int argc, char **argv);
int tui_cmd_service(const tui_globals *g, int argc, char **argv);
int tui_cmd_task(const tui_globals *g, int argc, char **argv);
int tui_cmd_install(const tui_globals *g, int argc, char **argv);
int tui_cmd_uninstall(const tui_globals *g, int argc, char **argv);
int tui_cmd_update(const tui_globals *g, int argc, char **argv);
int tui_cmd_display(const tui_globals *g, int argc, char **argv);
int tui_cmd_verify(const tui_globals *g, int argc, char **argv);
int tui_cmd_compile(const tui_globals *g, int argc, char **argv);

/* Shared by the actions over the cache (tui/cmd_install.c). */
struct eng_cache;
struct eng_event;
struct ng_diag;
/* The exit code (NGEN_EXIT_*) of an engine return code. */
int tui_eng_exit(int rc);
/* Prints "ngen ACTION: error: MESSAGE" and returns the exit code. */
int tui_eng_fail(const char *action, const struct ng_diag *d);
/* Opens the cache of --cache / NGEN_CACHE / the default. */
int tui_eng_open(const tui_globals *g, bool write, struct eng_cache **c, struct ng_diag *d);
/* An eng_event_fn printing progress and results; ctx from
 * tui_eng_printer_new(g), freed with tui_eng_printer_free. */
void tui_eng_print_event(void *ctx, const struct eng_event *ev);
void *tui_eng_printer_new(const tui_globals *g);
void tui_eng_printer_free(void *printer);

#define TUI_COMMAND_LIST                                                     \
	{ "install", NULL, tui_cmd_install,                                  \
	  "install NAME|PATH [scenarios] [config] [/queue[:1|2|3]]\n"        \
	  "                            compile an assembly and its dependencies into the cache;\n" \
	  "                            scenarios: /Debug /Profile /NoDependencies\n" \
	  "                            config: /ExeConfig:EXE /AppBase:DIR" }, \
	{ "uninstall", NULL, tui_cmd_uninstall,                              \
	  "uninstall NAME|PATH [scenarios] [config]  remove a root (same arguments as its install)" }, \
	{ "update", NULL, tui_cmd_update,                                    \
	  "update [/queue] [--json]  regenerate the native images that became invalid" }, \
	{ "display", NULL, tui_cmd_display,                                  \
	  "display [NAME|PATH] [/verbose] [--json]  show roots and native images" }, \
	{ "verify", NULL, tui_cmd_verify,                                    \
	  "verify [/repair] [--json]  check the cache's files and records (repair what it can)" }, \
	{ "compile", NULL, tui_cmd_compile,                                  \
	  "compile ASSEMBLY [/Debug] [/Profile] [-o IMAGE] [--stats]  compile one assembly to a native image, without the cache" }, \
	{ "run", NULL, tui_cmd_run,                                          \
	  "run [/Debug] [/Profile] PROGRAM.exe [args]  run Main from native images" }, \
	{ "inspect", NULL, tui_cmd_inspect,                                  \
	  "inspect PATH [--json]     print an assembly's identity, references, counts" }, \
	{ "queue", NULL, tui_cmd_queue,                                      \
	  "queue {pause|continue|status}  pause, continue or query the native image service" }, \
	{ "executeQueuedItems", "eqi", tui_cmd_eqi,                          \
	  "executeQueuedItems|eqi [1|2|3]  run queued items of that priority and higher now" }, \
	{ "service", NULL, tui_cmd_service,                                  \
	  "service [/daemon] [/workers:N]  run the native image service (one per cache)" }, \
	{ "task", NULL, tui_cmd_task,                                        \
	  "task [/RuntimeWide] [/Critical]  the native image task: usage logs to images, idle work" }, \
	{ "console", NULL, tui_cmd_console,                                  \
	  "console                   open the administration console (the default)" },

#endif
