/* tests/compiler/test_md_body.c - method bodies and EH clauses. */
#include "test_md_util.h"

#include "base/strbuf.h"

static md_method_body body_of(md_image *img, ng_arena *a, const char *method)
{
	md_method_body b;
	ng_diag d;
	uint32_t m = md_test_method(img, "MdFixture", "Methods", method);
	cr_assert_neq(m, 0, "%s", method);
	cr_assert_eq(md_method_body_get(img, m, a, &b, &d), 0, "%s", ng_diag_text(&d));
	return b;
}

Test(md_body, a_tiny_body_has_max_stack_8_and_no_locals)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b = body_of(img, &a, "Plain");
	cr_assert(!b.fat);
	/* mcs -debug puts a nop before the ret. */
	cr_assert_leq(b.code_size, 2);
	cr_assert_eq(b.code[b.code_size - 1], 0x2a, "ret");
	cr_assert_eq(b.header_size, 1);
	cr_assert_eq(b.max_stack, 8);
	cr_assert_eq(b.local_sig, 0);
	cr_assert_eq(b.neh, 0);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_body, try_catch_filter_finally_give_their_clauses)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b = body_of(img, &a, "Guarded");
	cr_assert(b.fat);
	cr_assert(b.init_locals);
	cr_assert_eq(b.neh, 3, "catch FormatException, filter, finally");
	int seen_catch = 0, seen_filter = 0, seen_finally = 0;
	for (uint32_t i = 0; i < b.neh; i++) {
		const md_eh_clause *e = &b.eh[i];
		cr_assert_leq(e->try_offset + e->try_length, b.code_size);
		cr_assert_leq(e->handler_offset + e->handler_length, b.code_size);
		if (e->flags == MD_EH_CLAUSE_EXCEPTION) {
			ng_strbuf sb = NG_STRBUF_INIT;
			md_token_format(img, e->class_token, &sb);
			cr_assert_str_eq(ng_strbuf_str(&sb), "System.FormatException");
			ng_strbuf_close(&sb);
			seen_catch++;
		} else if (e->flags == MD_EH_CLAUSE_FILTER) {
			cr_assert_lt(e->filter_offset, e->handler_offset);
			cr_assert_eq(e->class_token, 0);
			seen_filter++;
		} else if (e->flags == MD_EH_CLAUSE_FINALLY) {
			seen_finally++;
		}
	}
	cr_assert_eq(seen_catch + seen_filter + seen_finally, 3);
	cr_assert_eq(seen_catch * seen_filter * seen_finally, 1);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_body, local_signature_lists_the_declared_locals)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_body b = body_of(img, &a, "Locals");
	cr_assert_eq(MD_TOKEN_TABLE(b.local_sig), MD_T_STANDALONESIG);
	md_method_sig *s;
	bool locals;
	ng_diag d;
	cr_assert_eq(md_sig_standalone(img, MD_TOKEN_ROW(b.local_sig), &a, &s, &locals, &d), 0);
	cr_assert(locals);
	/* a, b, c, p, and the return temporary mcs adds with -debug */
	cr_assert_eq(s->nparams, 5, "got %u", s->nparams);
	cr_assert_eq(s->params[4]->elem, MD_ELEM_I4);
	cr_assert_eq(s->params[0]->elem, MD_ELEM_I8);
	cr_assert_eq(s->params[1]->elem, MD_ELEM_R8);
	cr_assert_eq(s->params[2]->elem, MD_ELEM_STRING);
	cr_assert_eq(s->params[3]->elem, MD_ELEM_VALUETYPE);
	ng_strbuf sb = NG_STRBUF_INIT;
	md_type_format(img, s->params[3], &sb);
	cr_assert_str_eq(ng_strbuf_str(&sb), "MdFixture.Point");
	ng_strbuf_close(&sb);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_body, abstract_methods_have_no_body)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	uint32_t m = md_test_method(img, "MdFixture", "Shape", "Area");
	cr_assert_neq(m, 0);
	cr_assert(!md_method_has_body(img, m));
	md_method_body b;
	ng_diag d;
	cr_assert_eq(md_method_body_get(img, m, &a, &b, &d), NG_ERR_NOTFOUND);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_body, walk_counts_every_body_of_the_fixture)
{
	md_image *img = md_open_fixture("MdLib.dll");
	md_walk_stats st;
	ng_diag d;
	cr_assert_eq(md_walk(img, MD_WALK_ALL, &st, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(st.bodies, st.methods - 1, "all but the abstract Area");
	cr_assert_geq(st.eh_clauses, 3);
	cr_assert_gt(st.il_bytes, 100);
	cr_assert_gt(st.attrs, 5);
	cr_assert_eq(st.attrs_unresolved, 1, "Sized(MdEnums.Tiny), a byte enum elsewhere");
	md_close(img);
}
