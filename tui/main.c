/* tui/main.c - the ngen program: parses the command line and dispatches.
 *
 * With no action, ngen opens the administration console; with an action
 * (Ngen's syntax, case-insensitive, options with '/', '-' or '--') it runs
 * that action in batch mode. The actions themselves live in tui/cmd_*.c and
 * are listed in the command table of tui/commands.c. */
#include "tui/commands.h"

int main(int argc, char **argv)
{
	return tui_main(argc, argv);
}
