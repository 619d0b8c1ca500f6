/* tests/compiler/test_md_attr.c - custom attributes and the ones ngen acts
 * on, checked against MdLib.cs. */
#include "test_md_util.h"

/* The row of the assembly-level TaggedAttribute. */
static uint32_t tagged_on(md_image *img, uint32_t token)
{
	uint32_t r = md_attr_find(img, token, "MdFixture", "TaggedAttribute");
	cr_assert_neq(r, 0);
	return r;
}

static const md_ca_named *named(const md_custom_attr *ca, const char *name)
{
	for (uint32_t i = 0; i < ca->nnamed; i++)
		if (strcmp(ca->named[i].name, name) == 0)
			return &ca->named[i];
	cr_assert_fail("no named argument %s", name);
	return NULL;
}

Test(md_attr, fixed_arguments_decode_enums_types_and_strings)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_custom_attr ca;
	ng_diag d;
	uint32_t row = tagged_on(img, MD_TOKEN(MD_T_ASSEMBLY, 1));
	cr_assert_eq(md_attr_decode(img, row, &a, NULL, NULL, &ca, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_str_eq(ca.type_name, "TaggedAttribute");
	cr_assert_eq(ca.nfixed, 3);
	cr_assert_eq(ca.fixed[0].elem, MD_ELEM_CA_ENUM);
	cr_assert_str_eq(ca.fixed[0].enum_type, "MdFixture.Color");
	cr_assert_eq(ca.fixed[0].enum_underlying, MD_ELEM_I4);
	cr_assert_eq(ca.fixed[0].i, 1, "Color.Green");
	cr_assert_eq(ca.fixed[1].elem, MD_ELEM_CA_TYPE);
	cr_assert(strncmp(ca.fixed[1].s, "System.String", 13) == 0, "%s", ca.fixed[1].s);
	cr_assert_eq(ca.fixed[2].elem, MD_ELEM_STRING);
	cr_assert_str_eq(ca.fixed[2].s, "lib");
	ng_arena_close(&a);
	md_close(img);
}

Test(md_attr, named_arguments_decode_arrays_boxed_values_and_byte_enums)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_custom_attr ca;
	ng_diag d;
	uint32_t row = tagged_on(img, MD_TOKEN(MD_T_ASSEMBLY, 1));
	cr_assert_eq(md_attr_decode(img, row, &a, NULL, NULL, &ca, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(ca.nnamed, 3);
	const md_ca_named *n = named(&ca, "Numbers");
	cr_assert(!n->is_property);
	cr_assert_eq(n->value.elem, MD_ELEM_SZARRAY);
	cr_assert_eq(n->value.count, 3);
	cr_assert_eq(n->value.items[1].i, -2);
	n = named(&ca, "Boxed");
	cr_assert(n->is_property);
	cr_assert_eq(n->value.elem, MD_ELEM_OBJECT);
	cr_assert_eq(n->value.boxed->elem, MD_ELEM_I2);
	cr_assert_eq(n->value.boxed->i, 7);
	n = named(&ca, "Level");
	cr_assert_eq(n->value.elem, MD_ELEM_CA_ENUM);
	cr_assert_eq(n->value.enum_underlying, MD_ELEM_U1, "enum Small : byte");
	cr_assert_eq(n->value.u, 2);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_attr, generic_type_arguments_and_null_strings)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_custom_attr ca;
	ng_diag d;
	uint32_t m = md_test_method(img, "MdFixture", "Methods", "Decorated");
	uint32_t row = tagged_on(img, MD_TOKEN(MD_T_METHODDEF, m));
	cr_assert_eq(md_attr_decode(img, row, &a, NULL, NULL, &ca, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(ca.parent, MD_TOKEN(MD_T_METHODDEF, m));
	cr_assert_eq(ca.fixed[0].i, 2, "Color.Blue");
	cr_assert(strstr(ca.fixed[1].s, "System.Collections.Generic.List`1"), "%s", ca.fixed[1].s);
	cr_assert(ca.fixed[2].is_null);
	cr_assert_null(ca.fixed[2].s);
	cr_assert_eq(ca.nnamed, 0);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_attr, bypass_ngen_is_found_by_name_on_the_marked_methods_only)
{
	md_image *img = md_open_fixture("MdLib.dll");
	cr_assert(md_method_is_bypass_ngen(img, md_test_method(img, "MdFixture", "Methods", "Skipped")));
	cr_assert(md_method_is_bypass_ngen(img, md_test_method(img, "MdFixture", "Methods",
							       "AlsoSkipped")));
	cr_assert(!md_method_is_bypass_ngen(img, md_test_method(img, "MdFixture", "Methods", "Plain")));
	cr_assert(!md_method_is_bypass_ngen(img, md_test_method(img, "MdFixture", "Methods",
								"Decorated")));
	cr_assert(!md_method_is_bypass_ngen(img, 0));
	uint32_t marked = 0;
	for (uint32_t r = 1; r <= md_row_count(img, MD_T_METHODDEF); r++)
		marked += md_method_is_bypass_ngen(img, r);
	cr_assert_eq(marked, 2);
	md_close(img);
}

Test(md_attr, dependency_hints_come_in_declaration_order)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_dependency_hint *h;
	uint32_t n;
	ng_diag d;
	cr_assert_eq(md_dependency_hints(img, &a, &h, &n, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(n, 3);
	int seen = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!h[i].assembly) {
			cr_assert_eq(h[i].load_hint, MD_LOADHINT_DEFAULT);
			seen |= 1;
		} else if (strcmp(h[i].assembly, "System.Xml") == 0) {
			cr_assert_eq(h[i].load_hint, MD_LOADHINT_SOMETIMES);
			seen |= 2;
		} else if (strcmp(h[i].assembly, "MdHelper") == 0) {
			cr_assert_eq(h[i].load_hint, MD_LOADHINT_ALWAYS);
			seen |= 4;
		}
	}
	cr_assert_eq(seen, 7);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_attr, mscorlib_declares_default_dependency_always)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open("/usr/lib/mono/4.5/mscorlib.dll", &img, &d), 0);
	ng_arena a;
	ng_arena_init(&a);
	md_dependency_hint *h;
	uint32_t n;
	cr_assert_eq(md_dependency_hints(img, &a, &h, &n, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(n, 1);
	cr_assert_null(h[0].assembly);
	cr_assert_eq(h[0].load_hint, MD_LOADHINT_ALWAYS);
	ng_arena_close(&a);
	md_close(img);
}

/* Claims every external enum is 64 bits wide. */
static int wide_enums(void *ctx, const md_image *img, uint32_t tok, const char *ns,
		      const char *name, uint8_t *elem)
{
	(*(int *)ctx)++;
	*elem = MD_ELEM_I8;
	return 0;
}

Test(md_attr, external_enums_use_the_resolver_and_fail_rather_than_misdecode)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_custom_attr ca;
	ng_diag d;
	uint32_t first, end, dep = 0;
	md_attrs_of(img, MD_TOKEN(MD_T_ASSEMBLY, 1), &first, &end);
	for (uint32_t r = first; r < end; r++) {
		const char *ns, *name;
		md_attr_type_name(img, r, &ns, &name);
		if (strcmp(name, "DependencyAttribute") == 0)
			dep = r;
	}
	cr_assert_neq(dep, 0);
	int calls = 0;
	/* LoadHint (mscorlib) is int32; a resolver claiming int64 makes the
	 * blob too short, which must be an error, not a wrong value. */
	int rc = md_attr_decode(img, dep, &a, wide_enums, &calls, &ca, &d);
	cr_assert_eq(calls, 1);
	cr_assert_lt(rc, 0);
	cr_assert_eq(md_attr_decode(img, dep, &a, NULL, NULL, &ca, &d), 0, "int32 assumed");
	cr_assert_eq(ca.fixed[1].elem, MD_ELEM_CA_ENUM);
	cr_assert_str_eq(ca.fixed[1].enum_type, "System.Runtime.CompilerServices.LoadHint");
	ng_arena_close(&a);
	md_close(img);
}

static int tiny_is_byte(void *ctx, const md_image *img, uint32_t tok, const char *ns,
			const char *name, uint8_t *elem)
{
	if (strcmp(ns, "MdEnums") != 0 || strcmp(name, "Tiny") != 0)
		return NG_ERR_NOTFOUND;
	*elem = MD_ELEM_U1;
	return 0;
}

Test(md_attr, a_byte_enum_of_another_assembly_needs_a_resolver)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_custom_attr ca;
	ng_diag d;
	uint32_t row = md_attr_find(img, MD_TOKEN(MD_T_ASSEMBLY, 1), "MdFixture", "SizedAttribute");
	cr_assert_neq(row, 0);
	cr_assert_eq(md_attr_decode(img, row, &a, NULL, NULL, &ca, &d), NG_ERR_UNSUPPORTED);
	cr_assert(strstr(d.msg, "MdEnums.Tiny"), "%s", d.msg);
	cr_assert(strstr(d.msg, "another assembly"), "%s", d.msg);
	cr_assert_eq(md_attr_decode(img, row, &a, tiny_is_byte, NULL, &ca, &d), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(ca.fixed[0].enum_underlying, MD_ELEM_U1);
	cr_assert_eq(ca.fixed[0].u, 2, "Tiny.B");
	ng_arena_close(&a);
	md_close(img);
}
