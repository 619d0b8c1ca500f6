/* tests/compiler/test_md_util.h - helpers shared by the reader's tests. */
#ifndef TEST_MD_UTIL_H
#define TEST_MD_UTIL_H

#include "base/err.h"
#include "compiler/md.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a fixture built from tests/fixtures/md (static buffer). */
static inline const char *md_fixture(const char *name)
{
	static char buf[4][1024];
	static int k;
	const char *dir = getenv("NGEN_FIXTURES");
	char *b = buf[k++ & 3];
	snprintf(b, sizeof buf[0], "%s/md/%s", dir && *dir ? dir : "build/fixtures", name);
	return b;
}

static inline md_image *md_open_fixture(const char *name)
{
	md_image *img = NULL;
	ng_diag d;
	int rc = md_open(md_fixture(name), &img, &d);
	cr_assert_eq(rc, 0, "opening %s: %s (run `make fixtures`)", name, ng_diag_text(&d));
	return img;
}

/* The MethodDef row named type::method in a top-level type, or 0. */
static inline uint32_t md_test_method(const md_image *img, const char *ns,
				      const char *type, const char *method)
{
	uint32_t t = md_find_typedef(img, ns, type), first, end;
	if (!t)
		return 0;
	md_typedef_methods(img, t, &first, &end);
	for (uint32_t p = first; p < end; p++) {
		uint32_t m = md_method_at(img, p);
		if (strcmp(md_string(img, md_get(img, MD_T_METHODDEF, m, MD_METHODDEF_NAME)),
			   method) == 0)
			return m;
	}
	return 0;
}

/* Reads a whole file into a malloc'ed buffer. */
static inline uint8_t *md_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)n + 1);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

#endif
