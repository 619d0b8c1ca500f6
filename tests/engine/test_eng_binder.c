/* tests/engine/test_eng_binder.c - the binder's .config parsing and name
 * lookup (engine/eng_binder.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng_binder.h"
#include "tests/engine/eng_test.h"

TestSuite(eng_binder, .timeout = 60);

static char *write_config(const char *dir, const char *text)
{
	char *path = xasprintf("%s/App.exe.config", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(eng_binder, malformed_config_is_named_with_its_line)
{
	char *dir = tmpdir_new("cfg");
	char *cfg = write_config(dir, "<configuration>\n<runtime>\n<assemblyBinding>\n</runtime>\n");
	eng_binder *b = NULL;
	ng_diag d;
	cr_assert_eq(eng_binder_new(dir, cfg, &b, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "App.exe.config, line"), "%s", d.msg);
	free(cfg);
	cfg = write_config(dir, "<configuration><runtime><assemblyBinding xmlns=\"urn:schemas-microsoft-com:asm.v1\">\n"
			   "<dependentAssembly><assemblyIdentity name=\"X\"/>\n"
			   "<bindingRedirect oldVersion=\"one\" newVersion=\"2.0.0.0\"/>"
			   "</dependentAssembly></assemblyBinding></runtime></configuration>\n");
	cr_assert_eq(eng_binder_new(dir, cfg, &b, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "bindingRedirect") && strstr(d.msg, "line 3"), "%s", d.msg);
	free(cfg);
	free(dir);
}

Test(eng_binder, redirect_without_namespace_and_private_paths)
{
	char *app = fixture_copy("redirect");
	/* The same config without the xmlns declaration binds the same way. */
	cr_assert_eq(sh(NULL, "sed -i 's/ xmlns=\"[^\"]*\"//' '%s/App.exe.config'", app), 0);
	char *cfg = xasprintf("%s/App.exe.config", app);
	char *exe = xasprintf("%s/App.exe", app);
	eng_binder *b = NULL;
	ng_diag d;
	cr_assert_eq(eng_binder_new(app, cfg, &b, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_neq(eng_binder_config_hash(b)[0], '\0');
	eng_asm a;
	cr_assert_eq(eng_asm_read(exe, &a, &d), 0, "%s", ng_diag_text(&d));
	const char *shared = NULL;
	for (size_t i = 0; i < a.nrefs; i++)
		if (strncmp(a.ref_names[i], "Shared,", 7) == 0)
			shared = a.ref_names[i];
	cr_assert_not_null(shared);
	char *path = NULL;
	cr_assert_eq(eng_binder_resolve(b, exe, shared, &path, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(strstr(path, "/lib/Shared.dll"), "%s", path);
	free(path);
	eng_asm_close(&a);
	eng_binder_free(b);
	free(cfg); free(exe); free(app);
}

Test(eng_binder, names_and_paths)
{
	cr_assert(eng_name_is_path("App.exe"));
	cr_assert(eng_name_is_path("lib/x"));
	cr_assert(eng_name_is_path("/usr/lib/mono/4.5/mcs.exe"));
	cr_assert_not(eng_name_is_path("System.Xml"));
	cr_assert_not(eng_name_is_path("MyAssembly, Version=1.0.0.0"));
	cr_assert(eng_identity_matches("system.xml", "System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"));
	cr_assert(eng_identity_matches("System.Xml, version=4.0.0.0", "System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"));
	cr_assert_not(eng_identity_matches("System.Xml, Version=2.0.0.0", "System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"));
	cr_assert_not(eng_identity_matches("System", "System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"));
	char *path = NULL;
	ng_diag d;
	cr_assert_eq(eng_binder_locate("mscorlib", "/", &path, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(strstr(path, "mscorlib.dll"), "%s", path);
	free(path);
	cr_assert_eq(eng_binder_locate("System.Xml, Version=4.0.0.0", "/", &path, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(strstr(path, "/gac/System.Xml/4.0.0.0__b77a5c561934e089/System.Xml.dll"), "%s", path);
	free(path);
	cr_assert_eq(eng_binder_locate("System.Xml, Version=9.9.9.9", "/", &path, &d), NG_ERR_NOTFOUND);
}
