/* base/err.c - texts of the error codes in err.h. */
#include "base/err.h"

#include <string.h>

static const char *const project_texts[] = {
#define NG_ERR_TEXT_(name, text) text,
	NG_ERR_LIST(NG_ERR_TEXT_)
#undef NG_ERR_TEXT_
};

const char *ng_strerror(int rc)
{
	if (rc == 0)
		return "success";
	if (rc > NG_ERR_BASE_ && rc < NG_ERR_END_)
		return project_texts[rc - NG_ERR_BASE_ - 1];
	/* Linux errno values are below 4096 (the kernel's MAX_ERRNO). */
	if (rc < 0 && rc > -4096)
		return strerror(-rc);
	return "unknown error";
}
