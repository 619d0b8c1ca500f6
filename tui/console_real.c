/* tui/console_real.c - see console_real.h. */
#include "tui/console_real.h"

#include "base/err.h"

#include <stddef.h>

int tui_real_open(const char *dir, tui_provider **out, ng_diag *d)
{
	*out = NULL;
	return ng_diag_set(d, NG_ERR_UNSUPPORTED, "reading a real cache is not wired yet; "
			   "try 'ngen console --fake 1000'");
}
