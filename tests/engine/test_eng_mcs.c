/* tests/engine/test_eng_mcs.c - the real application: `ngen install
 * /usr/lib/mono/4.5/mcs.exe` with the real compiler, through the ngen
 * binary. mcs's references bind through Mono's GAC (System, System.Core,
 * System.Xml, their own references) and the framework directory
 * (mscorlib); display shows one root and its images; uninstall leaves an
 * empty cache. Compiling mscorlib and the rest takes a while, hence the
 * long timeout. */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "tests/engine/eng_test.h"

#define MCS "/usr/lib/mono/4.5/mcs.exe"

static int count_lines_after(const char *text, const char *header)
{
	const char *p = strstr(text, header);
	if (!p)
		return -1;
	p = strchr(p, '\n');
	int n = 0;
	/* The header, a blank line, then one line per entry up to a blank line. */
	for (p = p ? p + 2 : NULL; p && *p && *p != '\n'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n++;
	return n;
}

Test(eng_mcs, install_display_uninstall_mcs_with_the_real_compiler, .timeout = 3600)
{
	char *dir = tmpdir_new("mcs");
	char *out = NULL;
	int st = sh(&out, "unset NGEN_FAKE_COMPILER; '%s' --cache '%s' install " MCS " /nologo 2>&1",
		    ngen_bin(), dir);
	cr_assert_eq(st, 0, "ngen install mcs.exe: exit %d:\n%s", st, out);
	free(out);
	st = sh(&out, "'%s' --cache '%s' display /nologo 2>&1", ngen_bin(), dir);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert_eq(count_lines_after(out, "NGEN Roots:"), 1, "one root:\n%s", out);
	cr_assert(strstr(out, MCS), "%s", out);
	static const char *const expected[] = {
		"mcs, Version=", "mscorlib, Version=4.0.0.0", "System, Version=4.0.0.0",
		"System.Core, Version=4.0.0.0", "System.Xml, Version=4.0.0.0",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		cr_assert(strstr(out, expected[i]), "image of %s missing:\n%s", expected[i], out);
	cr_assert(!strstr(out, "(invalid"), "%s", out);
	int images = count_lines_after(out, "Native Images:");
	cr_assert_geq(images, 5, "%s", out);
	free(out);
	/* Every image is an ELF file the cache recorded with its hash. */
	st = sh(&out, "'%s' --cache '%s' verify /nologo 2>&1", ngen_bin(), dir);
	cr_assert_eq(st, 0, "%s", out);
	free(out);
	char *images_dir = xasprintf("%s/images", dir);
	cr_assert_eq(count_files(images_dir), images);
	st = sh(&out, "'%s' --cache '%s' uninstall " MCS " /nologo 2>&1", ngen_bin(), dir);
	cr_assert_eq(st, 0, "%s", out);
	free(out);
	cr_assert_eq(count_files(images_dir), 0, "uninstall removes every image file");
	st = sh(&out, "'%s' --cache '%s' display --json 2>&1", ngen_bin(), dir);
	json_object *top = json_tokener_parse(out), *roots, *imgs;
	cr_assert(top && json_object_object_get_ex(top, "roots", &roots) &&
		  json_object_object_get_ex(top, "images", &imgs), "%s", out);
	cr_assert_eq(json_object_array_length(roots), 0, "empty cache:\n%s", out);
	cr_assert_eq(json_object_array_length(imgs), 0, "empty cache:\n%s", out);
	json_object_put(top);
	free(out);
	free(images_dir);
	free(dir);
}
