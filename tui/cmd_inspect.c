/* tui/cmd_inspect.c - `ngen inspect PATH [--json]`. */
#include "tui/cmd.h"

#include <stdio.h>

int tui_cmd_inspect(const tui_globals *g, int argc, char **argv)
{
	fprintf(stderr, "ngen: inspect is not available in this build yet\n");
	return NGEN_EXIT_FAILED;
}
