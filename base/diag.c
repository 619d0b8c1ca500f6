/* base/diag.c - see diag.h. */
#include "base/diag.h"
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ng_diag_clear(ng_diag *d)
{
	if (!d)
		return;
	d->code = 0;
	d->msg[0] = '\0';
}

int ng_diag_set(ng_diag *d, int code, const char *fmt, ...)
{
	if (!d)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->code = code;
	return code;
}

void ng_diag_prefix(ng_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	char old[NG_DIAG_MAX];
	snprintf(old, sizeof old, "%s", d->msg[0] ? d->msg : ng_strerror(d->code));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	/* The message keeps as much of the old text as fits after the prefix. */
	size_t used = n < 0 ? 0 : (size_t)n;
	if (used >= sizeof d->msg - 1)
		return;
	size_t room = sizeof d->msg - 1 - used, len = strlen(old);
	if (len > room)
		len = room;
	memcpy(d->msg + used, old, len);
	d->msg[used + len] = '\0';
}

const char *ng_diag_text(const ng_diag *d)
{
	if (!d)
		return "";
	return d->msg[0] ? d->msg : ng_strerror(d->code);
}
