/* compiler/cg_mdb.c - reading Mono symbol files; see cg_mdb.h.
 *
 * Layout (all little-endian): magic (8 bytes, 0x45e82623fd7fa614), major
 * and minor version (int32 each, 50.0), the module's GUID (16 bytes), then
 * the offset table (20 int32: sizes, counts and offsets of the tables,
 * then the line program's line base, line range and opcode base). The
 * method table is sorted by token: (token, data offset, line table
 * offset). The source table holds (index, data offset), the data starting
 * with the file name as a LEB128 length and UTF-8 bytes.
 *
 * A method's line table is a DWARF-style state machine over (IL offset,
 * line, file): standard opcodes copy (1), advance_pc (2), advance_line
 * (3), set_file (4), const_add_pc (8); special opcodes add to both offset
 * and line; extended opcode 1 ends the sequence, 0x40-0x7f are Mono's
 * (hidden sequence points, skipped). Every read is bounds-checked: the
 * file is input like any other. */
#include "compiler/cg_mdb.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HEADER = 32, OT_WORDS = 20, HIDDEN_LINE = 0xfeefee };
enum { OT_SOURCE_COUNT = 6, OT_SOURCE_TABLE = 7, OT_METHOD_COUNT = 9, OT_METHOD_TABLE = 10,
       OT_LINE_BASE = 16, OT_LINE_RANGE = 17, OT_OPCODE_BASE = 18 };

typedef struct row {
	uint32_t offset, line, file;
} row;

struct cg_mdb {
	uint8_t *data;
	size_t size;
	uint32_t ot[OT_WORDS];
	/* The last method decoded. */
	uint32_t cur_token;
	row *rows;
	uint32_t nrows, caprows;
	char *file;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_all(const char *path, uint8_t **data, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if (n < HEADER + OT_WORDS * 4 || n > (1l << 30)) {
		fclose(fp);
		return -1;
	}
	*data = xmalloc((size_t)n);
	*size = (size_t)n;
	size_t got = fread(*data, 1, (size_t)n, fp);
	fclose(fp);
	if (got != (size_t)n) {
		free(*data);
		return -1;
	}
	return 0;
}

int cg_mdb_open(const char *path, const uint8_t mvid[16], cg_mdb **out)
{
	*out = NULL;
	uint8_t *d;
	size_t n;
	if (read_all(path, &d, &n))
		return -1;
	static const uint8_t magic[8] = { 0x14, 0xa6, 0x7f, 0xfd, 0x23, 0x26, 0xe8, 0x45 };
	if (memcmp(d, magic, 8) != 0 || rd32(d + 8) != 50 || memcmp(d + 16, mvid, 16) != 0) {
		free(d);
		return -1;
	}
	cg_mdb *m = xcalloc(1, sizeof *m);
	m->data = d;
	m->size = n;
	for (int i = 0; i < OT_WORDS; i++)
		m->ot[i] = rd32(d + HEADER + 4 * i);
	if (m->ot[OT_LINE_RANGE] == 0 || m->ot[OT_OPCODE_BASE] == 0 || m->ot[OT_OPCODE_BASE] > 255 ||
	    (uint64_t)m->ot[OT_METHOD_TABLE] + (uint64_t)m->ot[OT_METHOD_COUNT] * 12 > n ||
	    (uint64_t)m->ot[OT_SOURCE_TABLE] + (uint64_t)m->ot[OT_SOURCE_COUNT] * 8 > n) {
		cg_mdb_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

void cg_mdb_close(cg_mdb *m)
{
	if (!m)
		return;
	free(m->data);
	free(m->rows);
	free(m->file);
	free(m);
}

/* LEB128 at *p (< end); -1 when it runs off the end or is too long. */
static int leb(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (int shift = 0; shift < 35; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static char *source_name(cg_mdb *m, uint32_t file)
{
	if (file == 0 || file > m->ot[OT_SOURCE_COUNT])
		return NULL;
	uint32_t data = rd32(m->data + m->ot[OT_SOURCE_TABLE] + (file - 1) * 8 + 4);
	if (data >= m->size)
		return NULL;
	const uint8_t *p = m->data + data, *end = m->data + m->size;
	uint32_t len;
	if (leb(&p, end, &len) || len > (size_t)(end - p) || len == 0)
		return NULL;
	return xstrndup((const char *)p, len);
}

static void add_row(cg_mdb *m, uint32_t offset, uint32_t line, uint32_t file)
{
	if (line == HIDDEN_LINE || line == 0)
		return;
	if (m->nrows == m->caprows) {
		m->caprows = m->caprows ? m->caprows * 2 : 32;
		m->rows = xrealloc(m->rows, m->caprows * sizeof *m->rows);
	}
	m->rows[m->nrows++] = (row){ offset, line, file };
}

static int run_program(cg_mdb *m, const uint8_t *p)
{
	const uint8_t *end = m->data + m->size;
	int32_t line_base = (int32_t)m->ot[OT_LINE_BASE];
	uint32_t range = m->ot[OT_LINE_RANGE], opbase = m->ot[OT_OPCODE_BASE];
	uint32_t max_incr = (255 - opbase) / range;
	uint32_t offset = 0, line = 1, file = 1, v;
	while (p < end) {
		uint8_t op = *p++;
		if (op == 0) {
			if (p + 2 > end)
				return -1;
			uint8_t size = *p++;
			const uint8_t *next = p + size;
			if (*p == 1)
				return 0;   /* end of sequence */
			if (next > end)
				return -1;
			p = next;
		} else if (op < opbase) {
			switch (op) {
			case 1: add_row(m, offset, line, file); break;
			case 2: if (leb(&p, end, &v)) return -1; offset += v; break;
			case 3: if (leb(&p, end, &v)) return -1; line += v; break;
			case 4: if (leb(&p, end, &v)) return -1; file = v; break;
			case 8: offset += max_incr; break;
			default: return -1;
			}
		} else {
			op = (uint8_t)(op - opbase);
			offset += op / range;
			line += (uint32_t)(line_base + (int32_t)(op % range));
			add_row(m, offset, line, file);
		}
	}
	return -1;
}

static int cmp_entry(const void *key, const void *elem)
{
	uint32_t t = *(const uint32_t *)key, e = rd32(elem);
	return t < e ? -1 : t > e;
}

/* Decodes the method's program into m->rows (cached for one token). */
static int load_method(cg_mdb *m, uint32_t token)
{
	if (m->cur_token == token)
		return m->nrows ? 0 : -1;
	m->cur_token = token;
	m->nrows = 0;
	free(m->file);
	m->file = NULL;
	const uint8_t *e = bsearch(&token, m->data + m->ot[OT_METHOD_TABLE], m->ot[OT_METHOD_COUNT],
				   12, cmp_entry);
	if (!e)
		return -1;
	uint32_t lnt = rd32(e + 8);
	if (lnt >= m->size || run_program(m, m->data + lnt) || m->nrows == 0) {
		m->nrows = 0;
		return -1;
	}
	m->file = source_name(m, m->rows[0].file);
	return m->file ? 0 : -1;
}

const char *cg_mdb_method_file(cg_mdb *m, uint32_t token)
{
	return load_method(m, token) == 0 ? m->file : NULL;
}

uint32_t cg_mdb_line(cg_mdb *m, uint32_t token, uint32_t il_offset)
{
	if (load_method(m, token))
		return 0;
	uint32_t line = m->rows[0].line;
	for (uint32_t i = 0; i < m->nrows && m->rows[i].offset <= il_offset; i++)
		if (m->rows[i].file == m->rows[0].file)
			line = m->rows[i].line;
	return line;
}
