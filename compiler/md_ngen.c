/* compiler/md_ngen.c - the attributes ngen acts on.
 *
 * BypassNGenAttribute keeps a method out of native images; it is matched
 * by namespace and name only, because .NET lets any assembly declare its
 * own copy (the runtime does the same). DependencyAttribute(string,
 * LoadHint) and DefaultDependencyAttribute(LoadHint) on the assembly say
 * which dependencies are always loaded with it, which decides hard or soft
 * binding. LoadHint is an int32 enum of mscorlib, so the generic decoder's
 * int32 assumption for external enums holds for it. */
#include "compiler/md_int.h"

#include "base/err.h"

#include <string.h>

bool md_method_is_bypass_ngen(const md_image *img, uint32_t row)
{
	if (row == 0 || row > md_row_count(img, MD_T_METHODDEF))
		return false;
	return md_attr_find(img, MD_TOKEN(MD_T_METHODDEF, row), "System.Runtime",
			    "BypassNGenAttribute") != 0;
}

/* The LoadHint argument of an attribute decoded as int32 or enum. */
static int load_hint_of(const md_ca_value *v, int32_t *hint)
{
	if (v->elem == MD_ELEM_CA_ENUM || v->elem == MD_ELEM_I4) {
		*hint = (int32_t)v->i;
		return 0;
	}
	return NG_ERR_FORMAT;
}

static int one_hint(const md_image *img, uint32_t ca, bool is_default, ng_arena *a,
		    md_dependency_hint *h, ng_diag *diag)
{
	md_custom_attr attr;
	int rc = md_attr_decode(img, ca, a, NULL, NULL, &attr, diag);
	if (rc < 0)
		return rc;
	uint32_t want = is_default ? 1 : 2;
	if (attr.nfixed != want ||
	    load_hint_of(&attr.fixed[want - 1], &h->load_hint) < 0 ||
	    (!is_default && attr.fixed[0].elem != MD_ELEM_STRING))
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: custom attribute row %u: %s "
			"does not have the arguments (%sLoadHint)", md_path(img), ca,
			is_default ? "DefaultDependencyAttribute" : "DependencyAttribute",
			is_default ? "" : "string, ");
	h->assembly = is_default ? NULL : attr.fixed[0].is_null ? "" : attr.fixed[0].s;
	return 0;
}

int md_dependency_hints(const md_image *img, ng_arena *a, md_dependency_hint **out,
			uint32_t *count, ng_diag *diag)
{
	*out = NULL;
	*count = 0;
	if (md_row_count(img, MD_T_ASSEMBLY) == 0)
		return 0;
	uint32_t first, end, n = 0;
	md_attrs_of(img, MD_TOKEN(MD_T_ASSEMBLY, 1), &first, &end);
	md_dependency_hint *hints = ng_arena_alloc(a, (end - first) * sizeof *hints + 1);
	for (uint32_t r = first; r < end; r++) {
		const char *ns, *name;
		if (md_attr_type_name(img, r, &ns, &name) < 0 ||
		    strcmp(ns, "System.Runtime.CompilerServices") != 0)
			continue;
		bool dep = strcmp(name, "DependencyAttribute") == 0;
		bool def = strcmp(name, "DefaultDependencyAttribute") == 0;
		if (!dep && !def)
			continue;
		int rc = one_hint(img, r, def, a, &hints[n], diag);
		if (rc < 0)
			return rc;
		n++;
	}
	*out = hints;
	*count = n;
	return 0;
}
