/* base/diag.h - the detailed message of a failure.
 *
 * A fallible operation returns an int code and, like sqlite3_errmsg(),
 * leaves the human-readable detail on the object that failed: what failed,
 * on what input, where, and what to do. ng_diag is that detail, embedded by
 * the caller (no allocation), so the message survives until the next call
 * that uses the same diag. */
#ifndef NG_DIAG_H
#define NG_DIAG_H

enum { NG_DIAG_MAX = 1024 };

typedef struct ng_diag {
	int code;                 /* the code last returned with a message */
	char msg[NG_DIAG_MAX];    /* "" when there is no message */
} ng_diag;

void ng_diag_clear(ng_diag *d);
/* Records code and a formatted message; returns code, so a failing function
 * can write: return ng_diag_set(d, NG_ERR_FORMAT, "%s: ...", path);
 * d may be NULL, then only the code is returned. */
int ng_diag_set(ng_diag *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes the current message with more context ("installing X: ..."). */
void ng_diag_prefix(ng_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message, or the code's generic text when no message was set. */
const char *ng_diag_text(const ng_diag *d);

#endif
