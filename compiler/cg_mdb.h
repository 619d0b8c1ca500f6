/* compiler/cg_mdb.h - line numbers from Mono symbol files (.mdb).
 *
 * `mcs -debug` writes Name.dll.mdb next to the assembly: Mono's symbol
 * file format 50.0 (MonoSymbolFile). What /Debug needs from it is, per
 * method token, its source file and the source line of each IL offset,
 * which the file keeps as a DWARF-like line-number program per method.
 * The file is read once per module and checked against the assembly's
 * MVID; a symbol file of another build is ignored. Not thread-safe: one
 * reader per module. */
#ifndef CG_MDB_H
#define CG_MDB_H

#include <stdint.h>

typedef struct cg_mdb cg_mdb;

/* Opens path if it is a symbol file of version 50 for the module mvid.
 * Returns 0, or -1 (missing, malformed, or another build). */
int cg_mdb_open(const char *path, const uint8_t mvid[16], cg_mdb **out);
void cg_mdb_close(cg_mdb *m);
/* The source file of a method (its first line's file), or NULL when the
 * symbol file has no lines for it. Valid until cg_mdb_close(). */
const char *cg_mdb_method_file(cg_mdb *m, uint32_t token);
/* The source line of il_offset in the method: the line of the last entry
 * at or before it (the first entry's before the first). 0 when unknown. */
uint32_t cg_mdb_line(cg_mdb *m, uint32_t token, uint32_t il_offset);

#endif
