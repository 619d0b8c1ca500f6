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

#define TUI_COMMAND_LIST                                                     \
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
	{ "console", NULL, tui_cmd_console,                                  \
	  "console                   open the administration console (the default)" },

#endif
