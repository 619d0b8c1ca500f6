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
	char head[NG_DIAG_MAX], old[NG_DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, d->msg, sizeof old);
	snprintf(d->msg, sizeof d->msg, "%s%s", head,
		 old[0] ? old : ng_strerror(d->code));
}

const char *ng_diag_text(const ng_diag *d)
{
	if (!d)
		return "";
	return d->msg[0] ? d->msg : ng_strerror(d->code);
}
