/* base/err.h - the project's error codes.
 *
 * Fallible functions return int: 0 for success, negative for failure.
 * System failures are -errno; the project's own codes are listed once in
 * NG_ERR_LIST, so the enum and ng_strerror() cannot drift apart. Project
 * codes start far below any errno value. */
#ifndef NG_ERR_H
#define NG_ERR_H

#define NG_ERR_LIST(X)                                                       \
	X(NG_ERR_INVAL,      "invalid argument")                             \
	X(NG_ERR_FORMAT,     "malformed file")                               \
	X(NG_ERR_NOT_PE,     "not a PE file")                                \
	X(NG_ERR_NOT_CLI,    "not a CLI assembly")                           \
	X(NG_ERR_RANGE,      "value out of range")                           \
	X(NG_ERR_NOTFOUND,   "not found")                                    \
	X(NG_ERR_UNSUPPORTED,"not supported")                                \
	X(NG_ERR_UNRESOLVED, "unresolved reference")                         \
	X(NG_ERR_DB,         "database error")                               \
	X(NG_ERR_CORRUPT,    "cache is inconsistent")                        \
	X(NG_ERR_PERM,       "administrative rights are needed")             \
	X(NG_ERR_COMPILE,    "compilation failed")                           \
	X(NG_ERR_LINK,       "linking failed")                               \
	X(NG_ERR_LLVM,       "LLVM error")                                   \
	X(NG_ERR_INVALID_IMAGE, "native image is invalid")                   \
	X(NG_ERR_BUSY,       "resource is busy")                             \
	X(NG_ERR_CANCELED,   "operation canceled")                           \
	X(NG_ERR_PROTOCOL,   "protocol error")                               \
	X(NG_ERR_USAGE,      "bad command line")

enum {
	NG_ERR_BASE_ = -10000,
#define NG_ERR_ENUM_(name, text) name,
	NG_ERR_LIST(NG_ERR_ENUM_)
#undef NG_ERR_ENUM_
	NG_ERR_END_
};

/* A short English text for any return code: project codes, -errno, 0. */
const char *ng_strerror(int rc);

#endif
