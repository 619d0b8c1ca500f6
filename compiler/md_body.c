/* compiler/md_body.c - method bodies (ECMA-335 II.25.4).
 *
 * A body is a tiny header (one byte: size << 2 | 2) or a fat header (12
 * bytes: flags and size, max stack, code size, local signature token),
 * the code, and for fat bodies with MoreSects a chain of 4-byte aligned
 * data sections, of which the exception-handling ones (small: 12-byte
 * clauses, fat: 24-byte clauses) are decoded. Everything is bounds-checked
 * against the section data the RVA lies in; every clause must lie in the
 * code. Errors name the method's token and name and the file offset. */
#include "compiler/md_int.h"

#include "base/err.h"

#include <string.h>

enum {
	HDR_TINY = 0x2, HDR_FAT = 0x3, HDR_MORESECTS = 0x8, HDR_INITLOCALS = 0x10,
	SECT_EHTABLE = 0x1, SECT_OPTIL = 0x2, SECT_FAT = 0x40, SECT_MORE = 0x80,
};

typedef struct body_ctx {
	const md_image *img;
	uint32_t row, rva;
	const uint8_t *start;   /* first byte of the header */
	uint32_t avail;         /* bytes from start to the end of the section */
	ng_diag *diag;
} body_ctx;

static int body_error(const body_ctx *c, uint32_t at, const char *what)
{
	return ng_diag_set(c->diag, NG_ERR_FORMAT,
		"%s: method 0x%08x (%s), body at file offset 0x%zx+0x%x: %s",
		c->img->name, MD_TOKEN(MD_T_METHODDEF, c->row),
		md_string(c->img, md_get(c->img, MD_T_METHODDEF, c->row, MD_METHODDEF_NAME)),
		(size_t)(c->start - c->img->data), at, what);
}

bool md_method_has_body(const md_image *img, uint32_t row)
{
	if (row == 0 || row > img->tab[MD_T_METHODDEF].rows)
		return false;
	uint32_t rva = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_RVA);
	uint32_t flags = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_FLAGS);
	uint32_t impl = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_IMPLFLAGS);
	if (rva == 0 || (flags & (MD_METHOD_ABSTRACT | MD_METHOD_PINVOKEIMPL)))
		return false;
	if ((impl & MD_METHODIMPL_CODETYPE_MASK) != MD_METHODIMPL_IL ||
	    (impl & (MD_METHODIMPL_INTERNALCALL | MD_METHODIMPL_UNMANAGED)))
		return false;
	return true;
}

static void clause_small(const uint8_t *p, md_eh_clause *e)
{
	e->flags = md__rd16(p);
	e->try_offset = md__rd16(p + 2);
	e->try_length = p[4];
	e->handler_offset = md__rd16(p + 5);
	e->handler_length = p[7];
	e->class_token = md__rd32(p + 8);
}

static void clause_fat(const uint8_t *p, md_eh_clause *e)
{
	e->flags = md__rd32(p);
	e->try_offset = md__rd32(p + 4);
	e->try_length = md__rd32(p + 8);
	e->handler_offset = md__rd32(p + 12);
	e->handler_length = md__rd32(p + 16);
	e->class_token = md__rd32(p + 20);
}

static bool in_code(uint32_t off, uint32_t len, uint32_t code_size)
{
	return off <= code_size && len <= code_size - off;
}

static int check_clause(const body_ctx *c, md_eh_clause *e, uint32_t code_size,
			uint32_t at)
{
	if (e->flags & MD_EH_CLAUSE_FILTER) {
		e->filter_offset = e->class_token;
		e->class_token = 0;
		if (e->filter_offset >= code_size)
			return body_error(c, at, "an exception filter starts outside the code");
	} else if (e->flags & (MD_EH_CLAUSE_FINALLY | MD_EH_CLAUSE_FAULT)) {
		e->class_token = 0;
	}
	if (e->flags & ~7u)
		return body_error(c, at, "an exception clause has unknown flags");
	if (!in_code(e->try_offset, e->try_length, code_size) ||
	    !in_code(e->handler_offset, e->handler_length, code_size))
		return body_error(c, at, "an exception clause's try or handler range "
			"lies outside the code");
	return 0;
}

/* One data section at offset pos; appends its EH clauses. *more says
 * whether another section follows. */
static int read_section(const body_ctx *c, uint32_t *pos, ng_arena *arena,
			md_method_body *out, uint32_t code_size, bool *more)
{
	uint32_t at = *pos;
	if (at > c->avail || c->avail - at < 4)
		return body_error(c, at, "a data section header lies past the end of "
			"the file's section data");
	const uint8_t *h = c->start + at;
	uint8_t kind = h[0];
	bool fat = kind & SECT_FAT;
	uint32_t size = fat ? (h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16) : h[1];
	if (size < 4 || size > c->avail - at)
		return body_error(c, at, "a data section's size runs past the end of "
			"the file's section data");
	*more = kind & SECT_MORE;
	*pos = at + ((size + 3) & ~3u);
	if (!(kind & SECT_EHTABLE))
		return 0;
	uint32_t csize = fat ? 24 : 12, n = (size - 4) / csize;
	md_eh_clause *eh = ng_arena_alloc(arena, (size_t)(out->neh + n) * sizeof *eh + 1);
	if (out->neh)
		memcpy(eh, out->eh, out->neh * sizeof *eh);
	for (uint32_t i = 0; i < n; i++) {
		md_eh_clause *e = &eh[out->neh + i];
		const uint8_t *p = h + 4 + (size_t)i * csize;
		if (fat)
			clause_fat(p, e);
		else
			clause_small(p, e);
		int rc = check_clause(c, e, code_size, at + 4 + i * csize);
		if (rc < 0)
			return rc;
	}
	out->eh = eh;
	out->neh += n;
	return 0;
}

static int read_fat(const body_ctx *c, ng_arena *arena, md_method_body *out)
{
	if (c->avail < 12)
		return body_error(c, 0, "the fat header runs past the end of the file");
	const uint8_t *p = c->start;
	uint32_t flags = md__rd16(p) & 0x0fff, hsize = (uint32_t)(p[1] >> 4) * 4;
	if (hsize < 12)
		return body_error(c, 0, "the fat header gives a size below 12 bytes");
	out->fat = true;
	out->init_locals = flags & HDR_INITLOCALS;
	out->max_stack = md__rd16(p + 2);
	out->code_size = md__rd32(p + 4);
	out->local_sig = md__rd32(p + 8);
	out->header_size = hsize;
	if (hsize > c->avail || out->code_size > c->avail - hsize)
		return body_error(c, 0, "the code runs past the end of the file's "
			"section data");
	if (out->local_sig && (MD_TOKEN_TABLE(out->local_sig) != MD_T_STANDALONESIG ||
	    MD_TOKEN_ROW(out->local_sig) == 0 ||
	    MD_TOKEN_ROW(out->local_sig) > c->img->tab[MD_T_STANDALONESIG].rows))
		return body_error(c, 8, "the local variable signature token does not "
			"name a StandAloneSig row");
	out->code = p + hsize;
	bool more = flags & HDR_MORESECTS;
	/* Sections start at the next 4-byte boundary of the RVA space. */
	uint64_t end_rva = (uint64_t)c->rva + hsize + out->code_size;
	uint32_t pos = (uint32_t)(((end_rva + 3) & ~(uint64_t)3) - c->rva);
	for (unsigned guard = 0; more; guard++) {
		if (guard > 1024)
			return body_error(c, pos, "too many data sections");
		int rc = read_section(c, &pos, arena, out, out->code_size, &more);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int md_method_body_get(const md_image *img, uint32_t row, ng_arena *arena,
		       md_method_body *out, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (!md_method_has_body(img, row))
		return ng_diag_set(diag, NG_ERR_NOTFOUND, "%s: method 0x%08x has no IL "
			"body", img->name, MD_TOKEN(MD_T_METHODDEF, row));
	uint32_t rva = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_RVA);
	body_ctx c = { img, row, rva, NULL, md_rva_avail(img, rva), diag };
	size_t off;
	if (c.avail == 0 || pe_rva_to_offset(&img->pe, rva, 1, &off) < 0)
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: method 0x%08x (%s): body RVA "
			"0x%x is not inside the file's section data", img->name,
			MD_TOKEN(MD_T_METHODDEF, row), md_string(img, md_get(img,
			MD_T_METHODDEF, row, MD_METHODDEF_NAME)), rva);
	c.start = img->data + off;
	switch (c.start[0] & 3) {
	case HDR_TINY:
		out->code_size = c.start[0] >> 2;
		out->max_stack = 8;
		out->header_size = 1;
		if (out->code_size > c.avail - 1)
			return body_error(&c, 0, "the code runs past the end of the file's "
				"section data");
		out->code = c.start + 1;
		return 0;
	case HDR_FAT:
		return read_fat(&c, arena, out);
	default:
		return body_error(&c, 0, "the header is neither tiny nor fat");
	}
}
