/* tests/compiler/test_md.c - opening assemblies, tables, heaps, rows. */
#include "test_md_util.h"

#include "base/strbuf.h"

#include <errno.h>

Test(md, all_45_tables_have_their_ecma_names_and_columns)
{
	cr_assert_eq(MD_TABLE_COUNT, 45);
	cr_assert_str_eq(md_table_name(MD_T_MODULE), "Module");
	cr_assert_str_eq(md_table_name(MD_T_FIELDPTR), "FieldPtr");
	cr_assert_str_eq(md_table_name(MD_T_ENCMAP), "ENCMap");
	cr_assert_str_eq(md_table_name(MD_T_ASSEMBLYREFOS), "AssemblyRefOS");
	cr_assert_str_eq(md_table_name(MD_T_GENERICPARAMCONSTRAINT), "GenericParamConstraint");
	cr_assert_eq(md_table_columns(MD_T_ASSEMBLY), 9);
	cr_assert_eq(md_table_columns(MD_T_METHODDEF), 6);
	cr_assert_str_eq(md_column_name(MD_T_METHODDEF, MD_METHODDEF_RVA), "RVA");
	cr_assert_str_eq(md_column_name(MD_T_EXPORTEDTYPE, MD_EXPORTEDTYPE_IMPLEMENTATION),
			 "Implementation");
	cr_assert_str_eq(md_table_name((md_table)0x3f), "?");
}

Test(md, mscorlib_opens_with_its_tables_and_runtime_version)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open("/usr/lib/mono/4.5/mscorlib.dll", &img, &d), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_str_eq(md_runtime_version(img), "v4.0.30319");
	cr_assert_gt(md_row_count(img, MD_T_TYPEDEF), 2000);
	cr_assert_gt(md_row_count(img, MD_T_METHODDEF), 20000);
	cr_assert_eq(md_row_count(img, MD_T_ASSEMBLY), 1);
	cr_assert_eq(md_entry_point(img), 0, "a library has no entry point");
	uint32_t obj = md_find_typedef(img, "System", "Object");
	cr_assert_neq(obj, 0);
	cr_assert_eq(md_get(img, MD_T_TYPEDEF, obj, MD_TYPEDEF_EXTENDS), 0);
	uint32_t str = md_find_typedef(img, "System", "String");
	cr_assert_eq(md_get(img, MD_T_TYPEDEF, str, MD_TYPEDEF_EXTENDS),
		     MD_TOKEN(MD_T_TYPEDEF, obj), "String extends Object (a coded index)");
	md_close(img);
}

Test(md, typedefs_list_their_methods_and_methods_know_their_owner)
{
	md_image *img = md_open_fixture("MdLib.dll");
	uint32_t t = md_find_typedef(img, "MdFixture", "Methods"), first, end;
	cr_assert_neq(t, 0);
	md_typedef_methods(img, t, &first, &end);
	cr_assert_geq(end - first, 10);
	for (uint32_t p = first; p < end; p++)
		cr_assert_eq(md_method_owner(img, md_method_at(img, p)), t);
	uint32_t sum = md_test_method(img, "MdFixture", "Methods", "Sum");
	md_methoddef m;
	cr_assert_eq(md_methoddef_get(img, sum, &m), 0);
	cr_assert_str_eq(m.name, "Sum");
	cr_assert(m.flags & MD_METHOD_STATIC);
	cr_assert_neq(m.rva, 0);
	cr_assert_eq(m.param_end - m.param_first, 4, "xs, total, avg, rest");
	cr_assert_str_eq(md_string(img, md_get(img, MD_T_PARAM, md_param_at(img, m.param_first + 1),
					       MD_PARAM_NAME)), "total");
	md_close(img);
}

Test(md, fields_and_nested_types_resolve_to_their_owners)
{
	md_image *img = md_open_fixture("MdLib.dll");
	uint32_t box = md_find_typedef(img, "MdFixture", "Box`1"), first, end;
	cr_assert_neq(box, 0);
	md_typedef_fields(img, box, &first, &end);
	cr_assert_eq(end - first, 2, "Value and Items");
	uint32_t f = md_field_at(img, first);
	cr_assert_str_eq(md_string(img, md_get(img, MD_T_FIELD, f, MD_FIELD_NAME)), "Value");
	cr_assert_eq(md_field_owner(img, f), box);
	uint32_t inner = 0;
	for (uint32_t r = 1; r <= md_row_count(img, MD_T_TYPEDEF); r++)
		if (strcmp(md_string(img, md_get(img, MD_T_TYPEDEF, r, MD_TYPEDEF_NAME)),
			   "Inner") == 0)
			inner = r;
	cr_assert_eq(md_enclosing_type(img, inner), box);
	cr_assert_eq(md_find_typedef(img, "MdFixture", "Inner"), 0, "not top-level");
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(img, MD_TOKEN(MD_T_TYPEDEF, inner), &sb);
	cr_assert_str_eq(ng_strbuf_str(&sb), "MdFixture.Box`1/Inner");
	ng_strbuf_close(&sb);
	md_close(img);
}

Test(md, entry_point_names_main_of_a_program)
{
	md_image *img = md_open_fixture("MdApp.exe");
	uint32_t ep = md_entry_point(img);
	cr_assert_eq(MD_TOKEN_TABLE(ep), MD_T_METHODDEF);
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(img, ep, &sb);
	cr_assert_str_eq(ng_strbuf_str(&sb), "MdApp::Main");
	ng_strbuf_close(&sb);
	md_close(img);
}

Test(md, mvid_is_the_module_guid_and_formats_like_dotnet)
{
	md_image *img = md_open_fixture("MdLib.dll");
	uint8_t mvid[16], zero[16] = { 0 };
	md_mvid(img, mvid);
	cr_assert_neq(memcmp(mvid, zero, 16), 0);
	cr_assert_eq(memcmp(mvid, md_guid(img, md_get(img, MD_T_MODULE, 1, MD_MODULE_MVID)), 16), 0);
	uint8_t g[16] = { 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
			  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	char buf[37];
	md_guid_format(g, buf);
	cr_assert_str_eq(buf, "00112233-4455-6677-8899-aabbccddeeff");
	md_close(img);
}

Test(md, ldstr_user_strings_decode_utf16_with_surrogates)
{
	md_image *img = md_open_fixture("MdLib.dll");
	uint32_t m = md_test_method(img, "MdFixture", "Methods", "Greeting");
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b;
	ng_diag d;
	cr_assert_eq(md_method_body_get(img, m, &a, &b, &d), 0, "%s", ng_diag_text(&d));
	const uint8_t *c = b.code;
	while (*c == 0x00)
		c++;    /* mcs -debug nops */
	cr_assert_eq(c[0], 0x72, "ldstr");
	uint32_t tok = (uint32_t)c[1] | (uint32_t)c[2] << 8 | (uint32_t)c[3] << 16 |
		       (uint32_t)c[4] << 24;
	cr_assert_eq(tok >> 24, MD_TOKEN_STRING);
	char *s;
	cr_assert_eq(md_user_string_utf8(img, tok & 0xffffff, &a, &s, &d), 0);
	cr_assert_str_eq(s, "h\xc3\xa9llo \xf0\x9f\x98\x80");
	const uint8_t *units;
	uint32_t n;
	cr_assert_eq(md_user_string(img, tok & 0xffffff, &units, &n, &d), 0);
	cr_assert_eq(n, 8, "7 BMP units + a surrogate pair");
	cr_assert_lt(md_user_string(img, 0xffffff, &units, &n, &d), 0);
	cr_assert(strstr(d.msg, "#US"));
	ng_arena_close(&a);
	md_close(img);
}

Test(md, sorted_tables_are_searched_by_coded_parent)
{
	md_image *img = md_open_fixture("MdLib.dll");
	uint32_t first, end;
	uint32_t n = md_attrs_of(img, MD_TOKEN(MD_T_ASSEMBLY, 1), &first, &end);
	cr_assert_geq(n, 4, "Dependency x2, DefaultDependency, Tagged, ...");
	for (uint32_t r = first; r < end; r++)
		cr_assert_eq(md_get(img, MD_T_CUSTOMATTRIBUTE, r, MD_CUSTOMATTRIBUTE_PARENT),
			     MD_TOKEN(MD_T_ASSEMBLY, 1));
	cr_assert_eq(md_attrs_of(img, MD_TOKEN(MD_T_FIELD, 1), &first, &end), 0);
	md_close(img);
}

Test(md, out_of_range_accessors_return_empty_values)
{
	md_image *img = md_open_fixture("MdLib.dll");
	cr_assert_eq(md_get(img, MD_T_TYPEDEF, 0, 0), 0);
	cr_assert_eq(md_get(img, MD_T_TYPEDEF, 100000, 0), 0);
	cr_assert_eq(md_get(img, MD_T_TYPEDEF, 1, 99), 0);
	cr_assert_str_eq(md_string(img, 0xfffffff), "");
	cr_assert_null(md_guid(img, 999));
	md_blob b;
	cr_assert_eq(md_blob_get(img, 0xfffffff, &b), NG_ERR_RANGE);
	const uint8_t *p;
	cr_assert_eq(md_rva_data(img, 0xfffffff0, 4, &p, NULL), NG_ERR_RANGE);
	md_close(img);
}

Test(md, missing_files_and_directories_give_errno)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open("/nonexistent/x.dll", &img, &d), -ENOENT);
	cr_assert(strstr(d.msg, "/nonexistent/x.dll"));
	cr_assert_lt(md_open("/tmp", &img, &d), 0);
	cr_assert_null(img);
}

Test(md, compressed_integers_follow_ecma_examples)
{
	static const struct { uint8_t b[4]; unsigned n; uint32_t v; } u[] = {
		{ { 0x03 }, 1, 3 }, { { 0x7f }, 1, 0x7f }, { { 0x80, 0x80 }, 2, 0x80 },
		{ { 0xae, 0x57 }, 2, 0x2e57 }, { { 0xbf, 0xff }, 2, 0x3fff },
		{ { 0xc0, 0x00, 0x40, 0x00 }, 4, 0x4000 },
		{ { 0xdf, 0xff, 0xff, 0xff }, 4, 0x1fffffff },
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
		const uint8_t *p = u[i].b;
		uint32_t v;
		cr_assert_eq(md_uncompress(&p, u[i].b + u[i].n, &v), 0);
		cr_assert_eq(v, u[i].v);
		cr_assert_eq(p, u[i].b + u[i].n);
	}
	static const struct { uint8_t b[4]; unsigned n; int32_t v; } s[] = {
		{ { 0x06 }, 1, 3 }, { { 0x7b }, 1, -3 }, { { 0x80, 0x80 }, 2, 64 },
		{ { 0x01 }, 1, -64 }, { { 0xc0, 0x00, 0x40, 0x00 }, 4, 8192 },
		{ { 0x80, 0x01 }, 2, -8192 }, { { 0xdf, 0xff, 0xff, 0xfe }, 4, 268435455 },
		{ { 0xc0, 0x00, 0x00, 0x01 }, 4, -268435456 },
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		const uint8_t *p = s[i].b;
		int32_t v;
		cr_assert_eq(md_uncompress_signed(&p, s[i].b + s[i].n, &v), 0);
		cr_assert_eq(v, s[i].v, "case %zu: %d != %d", i, v, s[i].v);
	}
	const uint8_t bad[] = { 0xff, 0, 0, 0 }, *p = bad;
	uint32_t v;
	cr_assert_eq(md_uncompress(&p, bad + 4, &v), NG_ERR_FORMAT);
	p = bad + 1;
	const uint8_t two[] = { 0x80 }, *q = two;
	cr_assert_eq(md_uncompress(&q, two + 1, &v), NG_ERR_FORMAT, "truncated");
}

Test(md, member_refs_on_generic_instances_format_their_typespec)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_strbuf sb = NG_STRBUF_INIT;
	bool found = false;
	for (uint32_t r = 1; r <= md_row_count(img, MD_T_MEMBERREF); r++) {
		uint32_t parent = md_get(img, MD_T_MEMBERREF, r, MD_MEMBERREF_CLASS);
		if (MD_TOKEN_TABLE(parent) != MD_T_TYPESPEC)
			continue;
		ng_strbuf_reset(&sb);
		md_token_format(img, MD_TOKEN(MD_T_MEMBERREF, r), &sb);
		found |= strcmp(ng_strbuf_str(&sb),
				"System.Collections.Generic.List`1<!0>::.ctor") == 0;
	}
	cr_assert(found, "new List<T>() in Box<T> references List`1<!0>::.ctor");
	ng_strbuf_close(&sb);
	md_close(img);
}

Test(md, find_typedef_finds_every_top_level_type_of_mscorlib)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open("/usr/lib/mono/4.5/mscorlib.dll", &img, &d), 0);
	uint32_t n = md_row_count(img, MD_T_TYPEDEF), top = 0;
	for (uint32_t r = 1; r <= n; r++) {
		md_typedef t;
		md_typedef_get(img, r, &t);
		if ((t.flags & MD_TYPE_VISIBILITY_MASK) > 1)
			continue;
		top++;
		uint32_t f = md_find_typedef(img, t.namespace_, t.name);
		cr_assert_eq(f, r, "%s.%s: found row %u, not %u", t.namespace_, t.name, f, r);
	}
	cr_assert_gt(top, 1000);
	cr_assert_eq(md_find_typedef(img, "System", "NoSuchType"), 0);
	cr_assert_eq(md_find_typedef(img, "", "Object"), 0, "namespace must match");
	md_close(img);
}

Test(md, field_rva_gives_an_array_initializers_data)
{
	md_image *img = md_open_fixture("MdLib.dll");
	cr_assert_geq(md_row_count(img, MD_T_FIELDRVA), 1);
	uint32_t field = md_get(img, MD_T_FIELDRVA, 1, MD_FIELDRVA_FIELD);
	uint32_t rva = md_field_rva(img, field);
	cr_assert_neq(rva, 0);
	cr_assert(md_get(img, MD_T_FIELD, field, MD_FIELD_FLAGS) & MD_FIELD_HASFIELDRVA);
	const uint8_t *p;
	ng_diag d;
	cr_assert_eq(md_rva_data(img, rva, 32, &p, &d), 0, "%s", ng_diag_text(&d));
	for (int i = 0; i < 8; i++)
		cr_assert_eq(p[4 * i], 11 * (i + 1), "element %d", i);
	cr_assert_eq(md_field_rva(img, 1), 0, "other fields have no data");
	md_close(img);
}
