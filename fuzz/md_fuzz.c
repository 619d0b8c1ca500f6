/* fuzz/md_fuzz.c - libFuzzer target for the metadata reader.
 *
 * Opens the input with md_open_memory() and, when it is accepted, does
 * everything a compiler or the cache would: the full walk (bodies, every
 * signature, every custom attribute), identities and references, the
 * attributes ngen acts on, and names of every type and method. Any crash,
 * sanitizer report or leak is a bug; crashing inputs become regression
 * tests in tests/compiler/test_md_crashers.c. Built by scripts/fuzz.sh. */
#include "compiler/identity.h"
#include "compiler/md.h"

#include <stddef.h>
#include <string.h>
#include <stdint.h>

/* Decoded signatures printed, as error messages and exclusion reasons do. */
static void sig_names(const md_image *img, ng_strbuf *sb)
{
	ng_arena a;
	ng_diag d;
	ng_arena_init(&a);
	uint32_t nm = md_row_count(img, MD_T_METHODDEF), nr = md_row_count(img, MD_T_MEMBERREF);
	for (uint32_t r = 1; r <= nm && r < 512; r++) {
		md_methoddef m;
		md_method_sig *sig;
		md_methoddef_get(img, r, &m);
		if (md_sig_method(img, m.sig, &a, &sig, &d) == 0)
			md_method_sig_format(img, sig, m.name, sb);
		ng_strbuf_reset(sb);
	}
	for (uint32_t r = 1; r <= nr && r < 512; r++) {
		md_token_format(img, MD_TOKEN(MD_T_MEMBERREF, r), sb);
		ng_strbuf_reset(sb);
	}
	/* User strings at every offset of the start of #US an ldstr could name. */
	for (uint32_t i = 1; i < 256; i++) {
		char *s;
		(void)md_user_string_utf8(img, i, &a, &s, &d);
	}
	ng_arena_close(&a);
}

static void names(const md_image *img)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	sig_names(img, &sb);
	uint32_t nt = md_row_count(img, MD_T_TYPEDEF), nm = md_row_count(img, MD_T_METHODDEF);
	for (uint32_t r = 1; r <= nt && r < 512; r++) {
		md_token_format(img, MD_TOKEN(MD_T_TYPEDEF, r), &sb);
		ng_strbuf_reset(&sb);
	}
	for (uint32_t r = 1; r <= nm && r < 512; r++) {
		md_token_format(img, MD_TOKEN(MD_T_METHODDEF, r), &sb);
		(void)md_method_is_bypass_ngen(img, r);
		ng_strbuf_reset(&sb);
	}
	ng_strbuf_close(&sb);
}

static void identities(const md_image *img)
{
	ng_diag d;
	md_identity id;
	ng_strbuf sb = NG_STRBUF_INIT;
	if (md_assembly_identity(img, &id, &d) == 0)
		md_identity_display_full(&id, &sb);
	for (uint32_t r = 1; r <= md_assembly_refs(img); r++)
		if (md_assemblyref_identity(img, r, &id, &d) == 0)
			md_identity_display(&id, &sb);
	/* Display names parse back (the cache stores and looks them up). */
	ng_arena a;
	ng_arena_init(&a);
	unsigned present;
	md_identity back;
	if (sb.len)
		(void)md_identity_parse(ng_strbuf_str(&sb), &a, &back, &present, &d);
	ng_strbuf_close(&sb);
	md_dependency_hint *h;
	uint32_t n;
	(void)md_dependency_hints(img, &a, &h, &n, &d);
	ng_arena_close(&a);
}

/* The input's first bytes as a display name, for the lenient parser. */
static void parse_prefix(const uint8_t *data, size_t size)
{
	char text[160];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	ng_arena a;
	ng_diag d;
	md_identity id, full = { .name = "MZ", .culture = "" };
	unsigned present;
	ng_arena_init(&a);
	if (md_identity_parse(text, &a, &id, &present, &d) == 0)
		(void)md_identity_matches(&id, present, &full);
	ng_arena_close(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	md_image *img;
	ng_diag d;
	parse_prefix(data, size);
	if (md_open_memory(data, size, "fuzz", &img, &d) < 0)
		return 0;
	md_walk_stats st;
	(void)md_walk(img, MD_WALK_ALL, &st, &d);
	identities(img);
	names(img);
	uint8_t mvid[16];
	md_mvid(img, mvid);
	md_close(img);
	return 0;
}
