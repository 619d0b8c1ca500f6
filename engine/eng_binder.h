/* engine/eng_binder.h - finding assemblies the way the runtime will.
 *
 * A binder is one binding context: the application base (the directory of
 * the root assembly, or /AppBase:DIR), the application's configuration file
 * (App.exe.config next to the root, or the file of /ExeConfig:EXE) with its
 * <probing privatePath> and <bindingRedirect> elements, and the GAC roots
 * in Mono's layout (NGEN_MONO_LIB, default /usr/lib/mono: gac/ and the
 * framework directory 4.5/ and 4.5/Facades/; NGEN_GAC adds roots,
 * colon-separated).
 *
 * A reference binds, as the CLR probes: the version after binding
 * redirects; a strong-named reference first in the GAC (exact version),
 * then in the application base and the private paths (Name.dll,
 * Name/Name.dll, Name.exe, Name/Name.exe), then the framework directory. A
 * probed file must carry the referenced name, and for a strong-named
 * reference the same version and token. */
#ifndef ENG_BINDER_H
#define ENG_BINDER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/hash.h"

struct md_identity;

/* An assembly file as the cache records it. Owned strings. */
typedef struct eng_asm {
	char *path;             /* absolute, symlinks resolved */
	char *name;             /* simple name */
	char *identity;         /* full display name */
	char *version;          /* "1.0.0.0" */
	char mvid[33];          /* 32 hex digits, #GUID byte order */
	char hash[NG_SHA256_HEX];
	int64_t size, mtime_ns, ino;
	bool is_exe;
	size_t nrefs;
	char **ref_names;       /* display names of the AssemblyRef rows */
} eng_asm;

/* Reads path: NG_ERR_NOT_PE / NG_ERR_NOT_CLI / NG_ERR_FORMAT / -errno with
 * a message naming the file. */
int eng_asm_read(const char *path, eng_asm *out, ng_diag *d);
void eng_asm_close(eng_asm *a);
/* Cheap change check: size, mtime and inode as recorded. */
int eng_asm_stat(const char *path, int64_t *size, int64_t *mtime_ns, int64_t *ino);

typedef struct eng_binder eng_binder;

/* appbase: absolute directory; config: path of the .config file or NULL
 * (a missing file is not an error: nothing to apply). The config is parsed
 * now: a malformed one is NG_ERR_FORMAT naming the file and line. */
int eng_binder_new(const char *appbase, const char *config, eng_binder **out, ng_diag *d);
void eng_binder_free(eng_binder *b);
/* SHA-256 of the config file ("" when there is none). */
const char *eng_binder_config_hash(const eng_binder *b);

/* Binds the reference ref_display (a display name from an AssemblyRef)
 * made by the assembly at referencing_path. *path is heap. NG_ERR_UNRESOLVED
 * with a message naming both when nothing matches. */
int eng_binder_resolve(eng_binder *b, const char *referencing_path,
		       const char *ref_display, char **path, ng_diag *d);
/* Finds the file of an assembly named on a command line: a path (relative
 * to cwd: it contains '/' or ends in .dll/.exe) or a full or partial
 * display name looked up in the GAC roots and the framework directory
 * (highest matching version). */
int eng_binder_locate(const char *name, const char *cwd, char **path, ng_diag *d);
/* True when arg names a file rather than a display name. */
bool eng_name_is_path(const char *arg);

/* Partial display-name matching against a full identity (display name). */
bool eng_identity_matches(const char *partial, const char *full_identity);

#endif
