/* tests/compiler/test_md_ptr.c - unoptimised (#-) metadata with Ptr tables.
 *
 * No compiler at hand writes MethodPtr/FieldPtr tables (they come from
 * edit-and-continue writers), so the test builds a minimal PE32 assembly
 * byte by byte: one section holding the CLI header and a metadata root with
 * #-, #Strings, #GUID and #Blob. The MethodPtr table lists the methods in
 * reverse row order, so list positions and rows differ. */
#include "test_md_util.h"

#include "base/strbuf.h"

typedef struct buf {
	uint8_t b[4096];
	size_t n;
} buf;

static void w8(buf *o, uint32_t v) { o->b[o->n++] = (uint8_t)v; }
static void w16(buf *o, uint32_t v) { w8(o, v); w8(o, v >> 8); }
static void w32(buf *o, uint32_t v) { w16(o, v); w16(o, v >> 16); }
static void wbytes(buf *o, const void *p, size_t n) { memcpy(o->b + o->n, p, n); o->n += n; }
static void wpad(buf *o, size_t to) { while (o->n < to) w8(o, 0); }

/* #Strings: "" at 0, then the names. */
static const char strings[] = "\0<Module>\0Foo\0A\0B\0t.dll\0";
enum { S_MODULE = 1, S_FOO = 10, S_A = 14, S_B = 16, S_DLL = 18 };

/* The #- stream: Module, TypeDef x2, MethodPtr x2, MethodDef x2. */
static void tables(buf *t)
{
	w32(t, 0);
	w8(t, 2); w8(t, 0);          /* version 2.0 */
	w8(t, 0); w8(t, 1);          /* heap sizes: all 2 bytes */
	uint64_t valid = 1ull << MD_T_MODULE | 1ull << MD_T_TYPEDEF |
			 1ull << MD_T_METHODPTR | 1ull << MD_T_METHODDEF;
	w32(t, (uint32_t)valid); w32(t, (uint32_t)(valid >> 32));
	w32(t, 0); w32(t, 0);        /* sorted */
	w32(t, 1); w32(t, 2); w32(t, 2); w32(t, 2);
	/* Module: Generation, Name, Mvid, EncId, EncBaseId */
	w16(t, 0); w16(t, S_DLL); w16(t, 1); w16(t, 0); w16(t, 0);
	/* TypeDef: Flags, Name, Namespace, Extends, FieldList, MethodList */
	w32(t, 0); w16(t, S_MODULE); w16(t, 0); w16(t, 0); w16(t, 1); w16(t, 1);
	w32(t, 1); w16(t, S_FOO); w16(t, 0); w16(t, 0); w16(t, 1); w16(t, 1);
	/* MethodPtr: positions 1, 2 hold rows 2, 1 */
	w16(t, 2); w16(t, 1);
	/* MethodDef: RVA, ImplFlags, Flags, Name, Signature, ParamList;
	 * abstract, so they need no bodies. Signature 1: void (). */
	w32(t, 0); w16(t, 0); w16(t, 0x0446); w16(t, S_A); w16(t, 1); w16(t, 1);
	w32(t, 0); w16(t, 0); w16(t, 0x0446); w16(t, S_B); w16(t, 1); w16(t, 1);
	wpad(t, (t->n + 3) & ~(size_t)3);
}

static void stream_header(buf *o, uint32_t off, uint32_t size, const char *name)
{
	w32(o, off);
	w32(o, size);
	size_t n = strlen(name) + 1;
	wbytes(o, name, n);
	wpad(o, o->n + ((4 - n % 4) % 4));
}

/* Metadata root with its four streams. */
static void metadata(buf *m)
{
	buf t = { .n = 0 };
	tables(&t);
	const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	/* "" at 0, then at 1 the signature HASTHIS, 0 parameters, void. */
	const uint8_t blob[8] = { 0, 3, 0x20, 0x00, 0x01 };
	w32(m, 0x424a5342); w16(m, 1); w16(m, 1); w32(m, 0);
	w32(m, 12); wbytes(m, "v4.0.30319\0\0", 12);
	w16(m, 0); w16(m, 4);
	size_t headers = m->n;
	uint32_t hsize = 4 * 8 + 4 + 12 + 8 + 8;         /* names padded: #-, #Strings, #GUID, #Blob */
	uint32_t off = (uint32_t)headers + hsize, slen = (sizeof strings + 3) & ~3u;
	stream_header(m, off, (uint32_t)t.n, "#-");
	stream_header(m, off + (uint32_t)t.n, slen, "#Strings");
	stream_header(m, off + (uint32_t)t.n + slen, 16, "#GUID");
	stream_header(m, off + (uint32_t)t.n + slen + 16, 8, "#Blob");
	cr_assert_eq(m->n, off);
	wbytes(m, t.b, t.n);
	wbytes(m, strings, sizeof strings);
	wpad(m, m->n + (slen - sizeof strings));
	wbytes(m, guid, 16);
	wbytes(m, blob, 8);
}

/* A PE32 file: DOS header, PE headers, one section at RVA 0x2000. */
static void build_pe(buf *f)
{
	buf md = { .n = 0 };
	metadata(&md);
	w16(f, 0x5a4d); wpad(f, 0x3c); w32(f, 0x80); wpad(f, 0x80);
	wbytes(f, "PE\0\0", 4);
	w16(f, 0x14c); w16(f, 1); w32(f, 0); w32(f, 0); w32(f, 0); w16(f, 224); w16(f, 0x2102);
	size_t opt = f->n;
	w16(f, 0x10b);
	wpad(f, opt + 92);
	w32(f, 16);                                       /* NumberOfRvaAndSizes */
	for (int i = 0; i < 16; i++) {
		w32(f, i == 14 ? 0x2000 : 0);
		w32(f, i == 14 ? 72 : 0);
	}
	cr_assert_eq(f->n, opt + 224);
	wbytes(f, ".text\0\0\0", 8);
	w32(f, 0x1000); w32(f, 0x2000); w32(f, 0x800); w32(f, 0x200);
	w32(f, 0); w32(f, 0); w16(f, 0); w16(f, 0); w32(f, 0x60000020);
	wpad(f, 0x200);
	/* CLI header */
	w32(f, 72); w16(f, 2); w16(f, 5); w32(f, 0x2048); w32(f, (uint32_t)md.n);
	w32(f, 1); w32(f, 0);
	wpad(f, 0x248);
	wbytes(f, md.b, md.n);
	wpad(f, 0xa00);
}

Test(md_ptr, method_ptr_maps_list_positions_to_rows)
{
	buf *f = calloc(1, sizeof *f);
	build_pe(f);
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open_memory(f->b, f->n, "built.dll", &img, &d), 0, "%s", d.msg);
	cr_assert(md_is_uncompressed(img));
	cr_assert_eq(md_row_count(img, MD_T_METHODPTR), 2);
	uint32_t first, end;
	md_typedef_methods(img, 2, &first, &end);
	cr_assert_eq(first, 1);
	cr_assert_eq(end, 3);
	cr_assert_eq(md_method_at(img, 1), 2, "position 1 is row 2 (B)");
	cr_assert_eq(md_method_at(img, 2), 1);
	cr_assert_eq(md_method_owner(img, 1), 2);
	cr_assert_eq(md_method_owner(img, 2), 2);
	md_typedef_methods(img, 1, &first, &end);
	cr_assert_eq(end - first, 0, "<Module> has no methods");
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(img, MD_TOKEN(MD_T_METHODDEF, md_method_at(img, 1)), &sb);
	cr_assert_str_eq(ng_strbuf_str(&sb), "Foo::B");
	ng_strbuf_close(&sb);
	md_walk_stats st;
	cr_assert_eq(md_walk(img, MD_WALK_ALL, &st, &d), 0, "%s", d.msg);
	cr_assert_eq(st.bodies, 0, "abstract methods");
	cr_assert_eq(st.sigs, 2);
	uint8_t mvid[16];
	md_mvid(img, mvid);
	cr_assert_eq(mvid[15], 16);
	md_close(img);
	free(f);
}

Test(md_ptr, a_ptr_row_naming_no_method_is_rejected)
{
	buf *f = calloc(1, sizeof *f);
	build_pe(f);
	/* The MethodPtr rows follow Module (10 bytes) and 2 TypeDefs (14 each). */
	uint8_t *tables = memmem(f->b, f->n, "\x02\x00\x01\x00\x00\x00", 6);
	cr_assert_not_null(tables);
	tables[0] = 9;
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open_memory(f->b, f->n, "built.dll", &img, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "table MethodPtr, row 1, column Method"), "%s", d.msg);
	free(f);
}
