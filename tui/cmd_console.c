/* tui/cmd_console.c - `ngen` with no action: the administration console.
 * The console itself is built in tui/console*.c (issue 6); until then this
 * says so plainly instead of pretending. */
#include "tui/cmd.h"

#include <stdio.h>

int tui_cmd_console(const tui_globals *g, int argc, char **argv)
{
	fprintf(stderr, "ngen: the administration console is not available in this build yet; "
		"see 'ngen /?' for the batch actions\n");
	return NGEN_EXIT_FAILED;
}
