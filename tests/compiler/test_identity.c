/* tests/compiler/test_identity.c - assembly identities and display names. */
#include "test_md_util.h"

#include "base/hash.h"
#include "base/strbuf.h"
#include "compiler/identity.h"

static char *display(const md_identity *id, ng_arena *a)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_identity_display(id, &sb);
	char *s = ng_arena_strdup(a, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	return s;
}

Test(identity, mscorlib_display_name_is_dotnets)
{
	md_image *img;
	ng_diag d;
	ng_arena a;
	ng_arena_init(&a);
	cr_assert_eq(md_open("/usr/lib/mono/4.5/mscorlib.dll", &img, &d), 0);
	md_identity id;
	cr_assert_eq(md_assembly_identity(img, &id, &d), 0);
	cr_assert_str_eq(display(&id, &a),
		"mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089");
	cr_assert_eq(id.arch, MD_ARCH_MSIL);
	cr_assert_not_null(id.public_key, "the full key is kept");
	ng_strbuf sb = NG_STRBUF_INIT;
	md_identity_display_full(&id, &sb);
	cr_assert(strstr(ng_strbuf_str(&sb), ", processorArchitecture=MSIL"));
	ng_strbuf_close(&sb);
	ng_arena_close(&a);
	md_close(img);
}

Test(identity, version_from_assembly_version_attribute_and_null_token)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_identity id;
	ng_diag d;
	cr_assert_eq(md_assembly_identity(img, &id, &d), 0);
	cr_assert_str_eq(display(&id, &a),
			 "MdLib, Version=1.2.3.4, Culture=neutral, PublicKeyToken=null");
	cr_assert(!id.has_token);
	ng_arena_close(&a);
	md_close(img);
}

Test(identity, strong_name_token_is_sha1_of_the_key_as_sn_reports_it)
{
	md_image *img = md_open_fixture("StrongLib.dll");
	size_t len;
	uint8_t *want = md_test_slurp(md_fixture("StrongLib.token"), &len);
	cr_assert_geq(len, 16, "build.sh wrote sn -T's token");
	want[16] = '\0';
	md_identity id;
	ng_diag d;
	cr_assert_eq(md_assembly_identity(img, &id, &d), 0);
	cr_assert(id.has_token);
	cr_assert(id.flags & MD_ASM_PUBLICKEY);
	char hex[17];
	ng_hex(id.token, 8, hex);
	cr_assert_str_eq(hex, (char *)want);
	md_close(img);

	/* The program that references it carries the same token. */
	img = md_open_fixture("StrongApp.exe");
	uint32_t found = 0;
	for (uint32_t r = 1; r <= md_assembly_refs(img); r++) {
		cr_assert_eq(md_assemblyref_identity(img, r, &id, &d), 0);
		if (strcmp(id.name, "StrongLib") != 0)
			continue;
		found = r;
		ng_hex(id.token, 8, hex);
		cr_assert_str_eq(hex, (char *)want);
		cr_assert_eq(id.version[0], 2);
		cr_assert_eq(id.version[2], 1);
	}
	cr_assert_neq(found, 0);
	free(want);
	md_close(img);
}

Test(identity, ecma_standard_key_hashes_to_the_framework_token)
{
	const uint8_t ecma[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t tok[8];
	char hex[17];
	md_public_key_token(ecma, sizeof ecma, tok);
	ng_hex(tok, 8, hex);
	cr_assert_str_eq(hex, "b77a5c561934e089");
}

Test(identity, references_list_every_assemblyref)
{
	md_image *img = md_open_fixture("MdApp.exe");
	ng_arena a;
	ng_arena_init(&a);
	md_identity id;
	ng_diag d;
	cr_assert_eq(md_assembly_refs(img), 2);
	bool lib = false, corlib = false;
	for (uint32_t r = 1; r <= 2; r++) {
		md_assemblyref_identity(img, r, &id, &d);
		char *s = display(&id, &a);
		lib |= strcmp(s, "MdLib, Version=1.2.3.4, Culture=neutral, PublicKeyToken=null") == 0;
		corlib |= strcmp(s, "mscorlib, Version=4.0.0.0, Culture=neutral, "
				 "PublicKeyToken=b77a5c561934e089") == 0;
	}
	cr_assert(lib && corlib);
	cr_assert_eq(md_assemblyref_identity(img, 3, &id, &d), NG_ERR_RANGE);
	ng_arena_close(&a);
	md_close(img);
}

Test(identity, architecture_follows_machine_and_cli_flags)
{
	md_image *img = md_open_fixture("MdX86.dll");
	cr_assert_eq(md_image_arch(img), MD_ARCH_X86);
	cr_assert(md_pe(img)->cli_flags & MD_COMIMAGE_32BITREQUIRED);
	md_close(img);
	img = md_open_fixture("MdX64.dll");
	cr_assert_eq(md_image_arch(img), MD_ARCH_AMD64);
	cr_assert(md_pe(img)->pe32plus);
	md_close(img);
	img = md_open_fixture("MdLib.dll");
	cr_assert_eq(md_image_arch(img), MD_ARCH_MSIL);
	cr_assert(!md_pe(img)->pe32plus);
	md_close(img);
	cr_assert_str_eq(md_arch_name(MD_ARCH_AMD64), "Amd64");
}

Test(identity, parse_accepts_partial_names_any_key_order_and_case)
{
	ng_arena a;
	ng_arena_init(&a);
	md_identity id;
	unsigned present;
	ng_diag d;
	cr_assert_eq(md_identity_parse("MyAssembly", &a, &id, &present, &d), 0);
	cr_assert_str_eq(id.name, "MyAssembly");
	cr_assert_eq(present, 0);
	cr_assert_eq(md_identity_parse("  MyAssembly ,version = 1.0.0.0 ", &a, &id, &present, &d), 0);
	cr_assert_str_eq(id.name, "MyAssembly");
	cr_assert_eq(present, MD_ID_VERSION);
	cr_assert_eq(id.version[0], 1);
	cr_assert_eq(md_identity_parse("mscorlib, PUBLICKEYTOKEN=B77A5C561934E089, "
		"culture=\"neutral\", Version=4.0.0.0, processorArchitecture=MSIL",
		&a, &id, &present, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(present, MD_ID_VERSION | MD_ID_CULTURE | MD_ID_TOKEN | MD_ID_ARCH);
	cr_assert_str_eq(id.culture, "");
	cr_assert_eq(id.arch, MD_ARCH_MSIL);
	cr_assert_str_eq(display(&id, &a),
		"mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089");
	cr_assert_eq(md_identity_parse("X, PublicKeyToken=null", &a, &id, &present, &d), 0);
	cr_assert(!id.has_token);
	cr_assert_eq(present, MD_ID_TOKEN);
	ng_arena_close(&a);
}

Test(identity, parse_rejects_bad_keys_and_values_with_a_message)
{
	ng_arena a;
	ng_arena_init(&a);
	md_identity id;
	unsigned present;
	ng_diag d;
	cr_assert_eq(md_identity_parse("X, Flavor=sweet", &a, &id, &present, &d), NG_ERR_INVAL);
	cr_assert(strstr(d.msg, "Flavor"), "%s", d.msg);
	cr_assert_eq(md_identity_parse("X, Version=1.x", &a, &id, &present, &d), NG_ERR_INVAL);
	cr_assert(strstr(d.msg, "1.x"), "%s", d.msg);
	cr_assert_eq(md_identity_parse("X, PublicKeyToken=abc", &a, &id, &present, &d), NG_ERR_INVAL);
	cr_assert_eq(md_identity_parse(", Version=1.0", &a, &id, &present, &d), NG_ERR_INVAL);
	cr_assert_eq(md_identity_parse("X, Version", &a, &id, &present, &d), NG_ERR_INVAL);
	cr_assert_eq(md_identity_parse("X, Version=1.2.3.99999", &a, &id, &present, &d),
		     NG_ERR_INVAL);
	ng_arena_close(&a);
}

Test(identity, partial_names_match_what_they_state)
{
	ng_arena a;
	ng_arena_init(&a);
	md_identity full, p;
	unsigned present, all;
	ng_diag d;
	md_identity_parse("System.Xml, Version=4.0.0.0, Culture=neutral, "
			  "PublicKeyToken=b77a5c561934e089", &a, &full, &all, &d);
	md_identity_parse("system.xml", &a, &p, &present, &d);
	cr_assert(md_identity_matches(&p, present, &full), "name is case-insensitive");
	md_identity_parse("System.Xml, Version=4.0.0.0", &a, &p, &present, &d);
	cr_assert(md_identity_matches(&p, present, &full));
	md_identity_parse("System.Xml, Version=2.0.0.0", &a, &p, &present, &d);
	cr_assert(!md_identity_matches(&p, present, &full));
	md_identity_parse("System.Xml, PublicKeyToken=null", &a, &p, &present, &d);
	cr_assert(!md_identity_matches(&p, present, &full));
	md_identity_parse("System.Xml, Culture=de", &a, &p, &present, &d);
	cr_assert(!md_identity_matches(&p, present, &full));
	md_identity_parse("System", &a, &p, &present, &d);
	cr_assert(!md_identity_matches(&p, present, &full));
	ng_arena_close(&a);
}

Test(identity, a_module_without_manifest_has_no_identity)
{
	md_image *img = md_open_fixture("MdMod.netmodule");
	md_identity id;
	ng_diag d;
	cr_assert_eq(md_row_count(img, MD_T_ASSEMBLY), 0);
	cr_assert_eq(md_assembly_identity(img, &id, &d), NG_ERR_NOTFOUND);
	cr_assert(strstr(d.msg, "without an Assembly manifest"), "%s", d.msg);
	md_close(img);
}
