/* compiler/pe.h - the PE/COFF container of a CLI assembly (ECMA-335 II.25).
 *
 * pe_parse() reads the DOS stub's e_lfanew, the PE signature, the COFF
 * header, the PE32 or PE32+ optional header with its data directories, the
 * section table and the CLI header, checking every offset against the file
 * size. RVAs are mapped to file offsets through the sections' raw data
 * only, so a mapped range never leaves the file. */
#ifndef NG_PE_H
#define NG_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "compiler/md.h"

typedef struct pe_section {
	char name[9];
	uint32_t va, vsize;         /* virtual address and size */
	uint32_t raw_off, raw_size; /* file offset and size (clamped to the file) */
} pe_section;

typedef struct pe_file {
	const uint8_t *data;
	size_t size;
	md_pe_info info;
	uint32_t ndirs;
	uint32_t dir_rva[16], dir_size[16];
	pe_section *sections;       /* owned; pe_free() */
	uint32_t metadata_rva, metadata_size;
} pe_file;

enum { PE_DIR_CLI = 14 };

/* Parses data[0..size) (borrowed); name is used in messages. Returns 0,
 * NG_ERR_NOT_PE, NG_ERR_NOT_CLI or NG_ERR_FORMAT with a message. */
int pe_parse(const uint8_t *data, size_t size, const char *name, pe_file *out,
	     ng_diag *diag);
void pe_free(pe_file *pe);
/* File offset of rva..rva+len inside one section's raw data: 0 or
 * NG_ERR_RANGE (no message). */
int pe_rva_to_offset(const pe_file *pe, uint32_t rva, uint32_t len, size_t *off);
/* Bytes of raw data from rva to the end of its section, 0 when unmapped. */
uint32_t pe_rva_avail(const pe_file *pe, uint32_t rva);

#endif
