/* compiler/pe.c - see pe.h.
 *
 * The reads go through rd16/rd32 on offsets that were compared against the
 * file size first; every failure message names the file, the structure and
 * its offset. */
#include "compiler/pe.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <stdlib.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool fits(size_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* DOS header, PE signature; returns the COFF header's offset. */
static int parse_signature(const uint8_t *d, size_t size, const char *name,
			   size_t *coff, ng_diag *diag)
{
	if (size < 64 || d[0] != 'M' || d[1] != 'Z')
		return ng_diag_set(diag, NG_ERR_NOT_PE,
			"%s: not a PE file (no 'MZ' DOS header at offset 0); "
			"expected a .NET assembly (.dll or .exe)", name);
	uint32_t lfanew = rd32(d + 0x3c);
	if (!fits(size, lfanew, 4 + 20) || memcmp(d + lfanew, "PE\0\0", 4) != 0)
		return ng_diag_set(diag, NG_ERR_NOT_PE,
			"%s: not a PE file (no 'PE' signature at offset 0x%x named by "
			"e_lfanew at 0x3c)", name, lfanew);
	*coff = (size_t)lfanew + 4;
	return 0;
}

static int parse_sections(pe_file *pe, size_t off, const char *name, ng_diag *diag)
{
	uint32_t n = pe->info.section_count;
	if (!fits(pe->size, off, (uint64_t)n * 40))
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: section table (%u entries at offset 0x%zx) extends past the "
			"end of the file (%zu bytes)", name, n, off, pe->size);
	pe->sections = xcalloc(n ? n : 1, sizeof *pe->sections);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *s = pe->data + off + (size_t)i * 40;
		pe_section *sec = &pe->sections[i];
		memcpy(sec->name, s, 8);
		sec->vsize = rd32(s + 8);
		sec->va = rd32(s + 12);
		sec->raw_size = rd32(s + 16);
		sec->raw_off = rd32(s + 20);
		/* Raw data past the end of the file is clamped rather than
		 * rejected: accessors then report the precise missing range. */
		if (sec->raw_off > pe->size)
			sec->raw_size = 0;
		else if (sec->raw_size > pe->size - sec->raw_off)
			sec->raw_size = (uint32_t)(pe->size - sec->raw_off);
		if (sec->vsize && sec->raw_size > sec->vsize)
			sec->raw_size = sec->vsize;
	}
	return 0;
}

static int parse_optional(pe_file *pe, size_t off, uint16_t opt_size,
			  const char *name, ng_diag *diag)
{
	if (opt_size < 2 || !fits(pe->size, off, opt_size))
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: optional header (%u bytes at offset 0x%zx) is missing or "
			"truncated", name, opt_size, off);
	const uint8_t *o = pe->data + off;
	uint16_t magic = rd16(o);
	size_t dir_off;
	if (magic == 0x10b)
		dir_off = 96;
	else if (magic == 0x20b)
		dir_off = 112, pe->info.pe32plus = true;
	else
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: optional header magic 0x%x at offset 0x%zx is neither PE32 "
			"(0x10b) nor PE32+ (0x20b)", name, magic, off);
	if (opt_size < dir_off)
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: optional header at offset 0x%zx is %u bytes, too short for "
			"its magic 0x%x", name, off, opt_size, magic);
	pe->info.subsystem = rd16(o + 68);
	uint32_t ndirs = rd32(o + dir_off - 4);
	if (ndirs > 16)
		ndirs = 16;
	if (dir_off + (size_t)ndirs * 8 > opt_size)
		ndirs = (uint32_t)((opt_size - dir_off) / 8);
	pe->ndirs = ndirs;
	for (uint32_t i = 0; i < ndirs; i++) {
		pe->dir_rva[i] = rd32(o + dir_off + i * 8);
		pe->dir_size[i] = rd32(o + dir_off + i * 8 + 4);
	}
	return 0;
}

static int parse_cli_header(pe_file *pe, const char *name, ng_diag *diag)
{
	if (pe->ndirs <= PE_DIR_CLI || pe->dir_rva[PE_DIR_CLI] == 0)
		return ng_diag_set(diag, NG_ERR_NOT_CLI,
			"%s: a PE file without a CLI header (data directory 14 is empty): "
			"a native program or library, not a .NET assembly", name);
	size_t off;
	uint32_t rva = pe->dir_rva[PE_DIR_CLI];
	if (pe_rva_to_offset(pe, rva, 72, &off) < 0)
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: CLI header at RVA 0x%x (72 bytes) is outside every section's "
			"data in the file", name, rva);
	const uint8_t *c = pe->data + off;
	uint32_t cb = rd32(c);
	if (cb < 72)
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: CLI header at offset 0x%zx gives its size as %u (expected 72)",
			name, off, cb);
	md_pe_info *in = &pe->info;
	in->cli_major = rd16(c + 4);
	in->cli_minor = rd16(c + 6);
	pe->metadata_rva = rd32(c + 8);
	pe->metadata_size = rd32(c + 12);
	in->cli_flags = rd32(c + 16);
	in->entry_point = rd32(c + 20);
	in->resources_rva = rd32(c + 24);
	in->resources_size = rd32(c + 28);
	in->strong_name_rva = rd32(c + 32);
	in->strong_name_size = rd32(c + 36);
	return 0;
}

int pe_parse(const uint8_t *data, size_t size, const char *name, pe_file *out,
	     ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	out->data = data;
	out->size = size;
	size_t coff = 0;
	int rc = parse_signature(data, size, name, &coff, diag);
	if (rc < 0)
		return rc;
	const uint8_t *h = data + coff;
	out->info.machine = rd16(h);
	out->info.section_count = rd16(h + 2);
	uint16_t opt_size = rd16(h + 16);
	out->info.characteristics = rd16(h + 18);
	rc = parse_optional(out, coff + 20, opt_size, name, diag);
	if (rc == 0)
		rc = parse_sections(out, coff + 20 + opt_size, name, diag);
	if (rc == 0)
		rc = parse_cli_header(out, name, diag);
	if (rc < 0)
		pe_free(out);
	return rc;
}

void pe_free(pe_file *pe)
{
	free(pe->sections);
	pe->sections = NULL;
}

static const pe_section *section_of(const pe_file *pe, uint32_t rva)
{
	for (uint32_t i = 0; i < pe->info.section_count; i++) {
		const pe_section *s = &pe->sections[i];
		uint32_t span = s->vsize > s->raw_size ? s->vsize : s->raw_size;
		if (rva >= s->va && rva - s->va < span)
			return s;
	}
	return NULL;
}

int pe_rva_to_offset(const pe_file *pe, uint32_t rva, uint32_t len, size_t *off)
{
	const pe_section *s = section_of(pe, rva);
	if (!s)
		return NG_ERR_RANGE;
	uint32_t delta = rva - s->va;
	if (delta > s->raw_size || len > s->raw_size - delta)
		return NG_ERR_RANGE;
	*off = (size_t)s->raw_off + delta;
	return 0;
}

uint32_t pe_rva_avail(const pe_file *pe, uint32_t rva)
{
	const pe_section *s = section_of(pe, rva);
	if (!s || rva - s->va > s->raw_size)
		return 0;
	return s->raw_size - (rva - s->va);
}
