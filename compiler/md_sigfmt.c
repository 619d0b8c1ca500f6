/* compiler/md_sigfmt.c - readable names of decoded signatures.
 *
 * Used in error messages and exclusion reasons, so the output is short and
 * C#-like rather than ILAsm: primitives by their CIL names ("int32"),
 * classes by full name, "[]" for vectors, "[,]" for arrays, "&" and "*",
 * "!0"/"!!0" for generic parameters, "<...>" for instantiations. Types are
 * trees of bounded depth (md_sig.c), so recursion here is bounded too. */
#include "compiler/md_int.h"

static const char *prim_name(uint8_t elem)
{
	switch (elem) {
	case MD_ELEM_VOID: return "void";
	case MD_ELEM_BOOLEAN: return "bool";
	case MD_ELEM_CHAR: return "char";
	case MD_ELEM_I1: return "int8";
	case MD_ELEM_U1: return "uint8";
	case MD_ELEM_I2: return "int16";
	case MD_ELEM_U2: return "uint16";
	case MD_ELEM_I4: return "int32";
	case MD_ELEM_U4: return "uint32";
	case MD_ELEM_I8: return "int64";
	case MD_ELEM_U8: return "uint64";
	case MD_ELEM_R4: return "float32";
	case MD_ELEM_R8: return "float64";
	case MD_ELEM_STRING: return "System.String";
	case MD_ELEM_OBJECT: return "System.Object";
	case MD_ELEM_TYPEDBYREF: return "System.TypedReference";
	case MD_ELEM_I: return "native int";
	case MD_ELEM_U: return "native uint";
	default: return NULL;
	}
}

static void fmt_args(const md_image *img, const md_type *t, ng_strbuf *sb)
{
	ng_strbuf_putc(sb, '<');
	for (uint32_t i = 0; i < t->nargs; i++) {
		if (i)
			ng_strbuf_putc(sb, ',');
		md_type_format(img, t->args[i], sb);
	}
	ng_strbuf_putc(sb, '>');
}

void md_type_format(const md_image *img, const md_type *t, ng_strbuf *sb)
{
	if (!t) {
		ng_strbuf_puts(sb, "?");
		return;
	}
	const char *p = prim_name(t->elem);
	if (p) {
		ng_strbuf_puts(sb, p);
		return;
	}
	switch (t->elem) {
	case MD_ELEM_CLASS: case MD_ELEM_VALUETYPE:
		md_token_format(img, t->token, sb);
		break;
	case MD_ELEM_GENERICINST:
		md_token_format(img, t->token, sb);
		fmt_args(img, t, sb);
		break;
	case MD_ELEM_VAR: case MD_ELEM_MVAR:
		ng_strbuf_printf(sb, "%s%u", t->elem == MD_ELEM_VAR ? "!" : "!!", t->index);
		break;
	case MD_ELEM_SZARRAY:
		md_type_format(img, t->inner, sb);
		ng_strbuf_puts(sb, "[]");
		break;
	case MD_ELEM_ARRAY:
		md_type_format(img, t->inner, sb);
		ng_strbuf_putc(sb, '[');
		for (uint32_t i = 1; i < t->rank && i < 32; i++)
			ng_strbuf_putc(sb, ',');
		ng_strbuf_putc(sb, ']');
		break;
	case MD_ELEM_BYREF: case MD_ELEM_PTR:
		md_type_format(img, t->inner, sb);
		ng_strbuf_putc(sb, t->elem == MD_ELEM_BYREF ? '&' : '*');
		break;
	case MD_ELEM_FNPTR:
		md_method_sig_format(img, t->fnptr, "*", sb);
		break;
	default:
		ng_strbuf_printf(sb, "<elem 0x%02x>", t->elem);
	}
	if (t->pinned)
		ng_strbuf_puts(sb, " pinned");
}

void md_method_sig_format(const md_image *img, const md_method_sig *s,
			  const char *name, ng_strbuf *sb)
{
	if (!s) {
		ng_strbuf_puts(sb, "?");
		return;
	}
	if (s->ret) {
		md_type_format(img, s->ret, sb);
		ng_strbuf_putc(sb, ' ');
	}
	ng_strbuf_puts(sb, name ? name : "");
	if (s->generic_count)
		ng_strbuf_printf(sb, "<%u>", s->generic_count);
	ng_strbuf_putc(sb, '(');
	for (uint32_t i = 0; i < s->nparams; i++) {
		if (i)
			ng_strbuf_puts(sb, ", ");
		if ((int32_t)i == s->sentinel)
			ng_strbuf_puts(sb, "..., ");
		md_type_format(img, s->params[i], sb);
	}
	ng_strbuf_putc(sb, ')');
}
