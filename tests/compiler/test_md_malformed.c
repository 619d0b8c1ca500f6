/* tests/compiler/test_md_malformed.c - malformed inputs, generated from a
 * good fixture by corrupting one thing at a time. Each must give the right
 * error code and a message naming the file, what is wrong and where; none
 * may crash (`make asan` runs these under AddressSanitizer and UBSan). */
#include "test_md_util.h"

#include "compiler/md_int.h"

typedef struct good {
	uint8_t *data;
	size_t len;
	size_t root;          /* file offset of the metadata root */
	uint32_t root_size;
	size_t tables;        /* file offset of the #~ stream */
	size_t cli_dir;       /* file offset of data directory 14 */
	md__tab tab[MD_TABLE_COUNT];
	size_t blob;          /* file offset of #Blob */
} good;

static good load_good(void)
{
	good g = { 0 };
	g.data = md_test_slurp(md_fixture("MdLib.dll"), &g.len);
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open_memory(g.data, g.len, "MdLib.dll", &img, &d), 0, "%s",
		     ng_diag_text(&d));
	g.root = (size_t)(img->root - g.data);
	g.root_size = img->root_size;
	g.blob = (size_t)(img->blob.p - g.data);
	memcpy(g.tab, img->tab, sizeof g.tab);
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++)
		g.tab[t].base = (const uint8_t *)(uintptr_t)(img->tab[t].base - g.data);
	g.tables = (size_t)g.tab[MD_T_MODULE].base;
	uint32_t lfanew = md__rd32(g.data + 0x3c);
	g.cli_dir = lfanew + 4 + 20 + 96 + 14 * 8;
	md_close(img);
	return g;
}

/* File offset of a cell of the good image. */
static size_t cell(const good *g, md_table t, uint32_t row, unsigned col)
{
	return (size_t)(uintptr_t)g->tab[t].base + (size_t)(row - 1) * g->tab[t].row_size +
	       g->tab[t].off[col];
}

static int open_copy(const uint8_t *p, size_t len, ng_diag *d)
{
	md_image *img;
	int rc = md_open_memory(p, len, "MdLib.dll", &img, d);
	if (rc == 0) {
		md_walk_stats st;
		rc = md_walk(img, MD_WALK_ALL, &st, d);
		md_close(img);
	}
	return rc;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

#define EXPECT(rc_, code, text) do { \
	cr_assert_eq((rc_), (code), "rc %d: %s", (rc_), d.msg); \
	cr_assert(strstr(d.msg, "MdLib.dll"), "names the file: %s", d.msg); \
	cr_assert(strstr(d.msg, (text)), "expected '%s' in: %s", (text), d.msg); \
} while (0)

Test(md_malformed, empty_file_and_text_are_not_pe)
{
	ng_diag d;
	static const uint8_t empty[1];
	EXPECT(open_copy(empty, 0, &d), NG_ERR_NOT_PE, "not a PE file");
	const char *text = "hello, this is not an assembly at all, just some text.....";
	EXPECT(open_copy((const uint8_t *)text, strlen(text), &d), NG_ERR_NOT_PE, "MZ");
}

Test(md_malformed, bad_e_lfanew_is_not_pe)
{
	good g = load_good();
	ng_diag d;
	put32(g.data + 0x3c, (uint32_t)g.len - 2);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_NOT_PE, "e_lfanew");
	free(g.data);
}

Test(md_malformed, a_pe_without_cli_header_is_not_cli)
{
	good g = load_good();
	ng_diag d;
	put32(g.data + g.cli_dir, 0);
	put32(g.data + g.cli_dir + 4, 0);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_NOT_CLI, "without a CLI header");
	free(g.data);
}

Test(md_malformed, bad_optional_header_magic)
{
	good g = load_good();
	ng_diag d;
	uint32_t lfanew = md__rd32(g.data + 0x3c);
	put16(g.data + lfanew + 24, 0x999);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "magic 0x999");
	free(g.data);
}

Test(md_malformed, cli_header_outside_the_sections)
{
	good g = load_good();
	ng_diag d;
	put32(g.data + g.cli_dir, 0x7fff0000);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "CLI header at RVA 0x7fff0000");
	free(g.data);
}

Test(md_malformed, metadata_signature_must_be_bsjb)
{
	good g = load_good();
	ng_diag d;
	g.data[g.root] = 'X';
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "BSJB");
	cr_assert(strstr(d.msg, "offset 0x"), "%s", d.msg);
	free(g.data);
}

Test(md_malformed, stream_past_the_metadata)
{
	good g = load_good();
	ng_diag d;
	uint32_t vlen = md__rd32(g.data + g.root + 12);
	size_t first_stream = g.root + 16 + vlen + 4;
	put32(g.data + first_stream, g.root_size - 4);   /* offset */
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "extends past the metadata");
	free(g.data);
}

Test(md_malformed, out_of_range_string_index_names_table_row_column)
{
	good g = load_good();
	ng_diag d;
	cr_assert_eq(g.tab[MD_T_TYPEDEF].width[MD_TYPEDEF_NAME], 2);
	put16(g.data + cell(&g, MD_T_TYPEDEF, 2, MD_TYPEDEF_NAME), 0xfff0);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT,
	       "table TypeDef, row 2, column TypeName");
	cr_assert(strstr(d.msg, "#Strings"), "%s", d.msg);
	free(g.data);
}

Test(md_malformed, out_of_range_simple_and_coded_indexes)
{
	good g = load_good();
	ng_diag d;
	put16(g.data + cell(&g, MD_T_TYPEDEF, 2, MD_TYPEDEF_METHODLIST), 0x7fff);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "column MethodList");
	free(g.data);

	g = load_good();
	/* TypeDefOrRef: row 0x1000 of TypeRef (tag 1). */
	put16(g.data + cell(&g, MD_T_TYPEDEF, 2, MD_TYPEDEF_EXTENDS), 0x1000 << 2 | 1);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "names a row that does not exist");
	free(g.data);

	g = load_good();
	/* CustomAttributeType tag 0 is unused by ECMA-335. */
	put16(g.data + cell(&g, MD_T_CUSTOMATTRIBUTE, 1, MD_CUSTOMATTRIBUTE_TYPE), 1 << 3);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "invalid coded index tag");
	free(g.data);
}

Test(md_malformed, overlong_blob_length)
{
	good g = load_good();
	ng_diag d;
	uint32_t idx = md__rd16(g.data + cell(&g, MD_T_METHODDEF, 1, MD_METHODDEF_SIGNATURE));
	g.data[g.blob + idx] = 0xbf;      /* two-byte length 0x3fxx: past the heap */
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "#Blob");
	cr_assert(strstr(d.msg, "MethodDef, row 1, column Signature"), "%s", d.msg);
	free(g.data);
}

Test(md_malformed, too_many_rows_for_the_table_stream)
{
	good g = load_good();
	ng_diag d;
	/* Row counts follow the 24-byte header; Module is the first. */
	md_image *img;
	cr_assert_eq(md_open_memory(g.data, g.len, "MdLib.dll", &img, &d), 0);
	size_t hdr = (size_t)(img->tab[MD_T_MODULE].base - g.data);
	uint64_t valid = img->valid;
	md_close(img);
	unsigned present = (unsigned)__builtin_popcountll(valid);
	size_t rows = hdr - 4 * present;         /* the row count array */
	put32(g.data + rows + 4 * 2, 0x00fffff0); /* the third table (TypeDef) */
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "extends past the end of the #~ stream");
	cr_assert(strstr(d.msg, "table TypeDef"), "%s", d.msg);
	put32(g.data + rows + 4 * 2, 0x01000000);
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "more than a token can address");
	put32(g.data + rows + 4 * 2, (uint32_t)g.tab[MD_T_TYPEDEF].rows);
	put32(g.data + rows - 12, 1u << (0x30 - 32) | (uint32_t)(valid >> 32));
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "beyond 0x2c");
	free(g.data);
}

Test(md_malformed, method_body_outside_the_file_fails_on_decode)
{
	good g = load_good();
	ng_diag d;
	md_image *img;
	put32(g.data + cell(&g, MD_T_METHODDEF, 1, MD_METHODDEF_RVA), 0x7ffffff0);
	cr_assert_eq(md_open_memory(g.data, g.len, "MdLib.dll", &img, &d), 0,
		     "bodies are checked when decoded");
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b;
	int rc = md_method_body_get(img, 1, &a, &b, &d);
	EXPECT(rc, NG_ERR_FORMAT, "RVA 0x7ffffff0");
	cr_assert(strstr(d.msg, "method 0x06000001"), "%s", d.msg);
	ng_arena_close(&a);
	md_close(img);
	free(g.data);
}

Test(md_malformed, truncation_at_every_offset_fails_cleanly)
{
	good g = load_good();
	ng_diag d;
	size_t meta_end = g.root + g.root_size;
	for (size_t len = 0; len < g.len; len++) {
		/* A fresh copy of exactly len bytes, so ASan sees any overread. */
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, g.data, len);
		int rc = open_copy(p, len, &d);
		if (len < meta_end)
			cr_assert_lt(rc, 0, "truncated to %zu bytes but opened", len);
		if (rc < 0)
			cr_assert(strstr(d.msg, "MdLib.dll"), "at %zu: %s", len, d.msg);
		free(p);
	}
	free(g.data);
}

Test(md_malformed, random_byte_corruption_never_crashes)
{
	good g = load_good();
	ng_diag d;
	uint8_t *p = malloc(g.len);
	uint32_t seed = 12345;
	unsigned opened = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(p, g.data, g.len);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Aim at the metadata most of the time. */
			size_t off = (seed >> 8) % (k ? g.root_size : g.len);
			if (k)
				off += g.root;
			seed = seed * 1103515245u + 12345u;
			p[off] = (uint8_t)(seed >> 16);
		}
		opened += open_copy(p, g.len, &d) == 0;
	}
	cr_assert_gt(opened, 0, "some corruptions are harmless");
	free(p);
	free(g.data);
}

/* File offset of the body of MdFixture.Methods::name, and its row. */
static size_t body_offset(const good *g, const char *name, uint32_t *row)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open_memory(g->data, g->len, "MdLib.dll", &img, &d), 0);
	*row = md_test_method(img, "MdFixture", "Methods", name);
	const uint8_t *p;
	uint32_t rva = md_get(img, MD_T_METHODDEF, *row, MD_METHODDEF_RVA);
	cr_assert_eq(md_rva_data(img, rva, 12, &p, &d), 0);
	md_close(img);
	return (size_t)(p - g->data);
}

static int body_rc(const good *g, uint32_t row, ng_diag *d)
{
	md_image *img;
	cr_assert_eq(md_open_memory(g->data, g->len, "MdLib.dll", &img, d), 0);
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b;
	int rc = md_method_body_get(img, row, &a, &b, d);
	ng_arena_close(&a);
	md_close(img);
	return rc;
}

Test(md_malformed, method_body_headers_and_eh_sections_are_checked)
{
	good g = load_good();
	ng_diag d;
	uint32_t row;
	size_t at = body_offset(&g, "Guarded", &row);
	cr_assert_eq(g.data[at] & 3, 3, "a fat header");
	uint32_t code_size = md__rd32(g.data + at + 4);

	put32(g.data + at + 4, 0x7fffffff);
	EXPECT(body_rc(&g, row, &d), NG_ERR_FORMAT, "the code runs past the end");
	cr_assert(strstr(d.msg, "(Guarded)"), "%s", d.msg);
	put32(g.data + at + 4, code_size);

	uint32_t local_sig = md__rd32(g.data + at + 8);
	put32(g.data + at + 8, 0x11007fff);
	EXPECT(body_rc(&g, row, &d), NG_ERR_FORMAT, "local variable signature token");
	put32(g.data + at + 8, local_sig);

	/* The EH section follows the code at a 4-byte boundary. */
	size_t sect = (at + 12 + code_size + 3) & ~(size_t)3;
	uint8_t kind = g.data[sect];
	cr_assert(kind & 0x01, "an EH table section");
	bool fat = kind & 0x40;
	size_t clause = sect + 4, handler = clause + (fat ? 12 : 5);
	uint8_t saved[4];
	memcpy(saved, g.data + handler, 4);
	if (fat)
		put32(g.data + handler, code_size + 1);
	else
		put16(g.data + handler, 0xfff0);
	EXPECT(body_rc(&g, row, &d), NG_ERR_FORMAT, "lies outside the code");
	memcpy(g.data + handler, saved, 4);
	cr_assert_eq(body_rc(&g, row, &d), 0, "restored: %s", d.msg);

	g.data[sect] = kind | 0x40;     /* fat, with a 24-bit size of 16 MiB */
	g.data[sect + 1] = g.data[sect + 2] = g.data[sect + 3] = 0xff;
	EXPECT(body_rc(&g, row, &d), NG_ERR_FORMAT, "section's size runs past");

	g.data[at] = 0x00;
	EXPECT(body_rc(&g, row, &d), NG_ERR_FORMAT, "neither tiny nor fat");
	free(g.data);
}

Test(md_malformed, uncompressed_table_stream_is_read_too)
{
	good g = load_good();
	ng_diag d;
	uint8_t *name = memmem(g.data + g.root, g.root_size, "#~\0", 3);
	cr_assert_not_null(name);
	name[1] = '-';
	md_image *img;
	cr_assert_eq(md_open_memory(g.data, g.len, "MdLib.dll", &img, &d), 0, "%s", d.msg);
	cr_assert(md_is_uncompressed(img));
	md_walk_stats st;
	cr_assert_eq(md_walk(img, MD_WALK_ALL, &st, &d), 0, "%s", d.msg);
	md_close(img);
	name[1] = 'X';
	EXPECT(open_copy(g.data, g.len, &d), NG_ERR_FORMAT, "no #~");
	free(g.data);
}
