/* tests/engine/eng_test.h - helpers the engine's tests share. */
#ifndef ENG_TEST_H
#define ENG_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "engine/eng.h"

/* "$NGEN_FIXTURES/engine/<rel>" (static buffer, one at a time per slot). */
const char *fx(const char *rel);
/* A fresh directory under /tmp (heap). */
char *tmpdir_new(const char *tag);
/* A writable cache in a fresh directory, with the fake compiler. */
eng_cache *cache_new(char **dir);
/* Copies a fixture folder into a fresh directory; returns its path (heap). */
char *fixture_copy(const char *rel);
/* Runs an action with Ngen's arguments (NULL-terminated), cwd = NULL. */
int run_install(eng_cache *c, ng_diag *d, ...);
int run_uninstall(eng_cache *c, ng_diag *d, ...);
/* One integer from an SQL query on the cache. */
int64_t q(eng_cache *c, const char *sql);
/* Files under dir (recursive), excluding directories. */
int count_files(const char *dir);
/* Path of the ngen binary ($NGEN_BUILD/ngen). */
const char *ngen_bin(void);
/* Runs cmd with /bin/sh, returns its exit status; output to /dev/null
 * unless out (heap, caller frees) is given. */
int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
