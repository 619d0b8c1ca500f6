/* tui/cmd_inspect.c - `ngen inspect PATH [--json]`.
 *
 * The first user-facing action: opens an assembly with the metadata reader,
 * decodes all of it (so a malformed file is reported here, not later by the
 * compiler), and prints what the cache and compiler will go by: identity,
 * MVID, runtime version, architecture, references, counts, BypassNGen
 * methods and dependency load hints. The facts are gathered once into
 * inspect_info and then printed as text or as JSON (json-c). */
#include "tui/cmd.h"

#include "base/arena.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "compiler/identity.h"
#include "compiler/md.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

typedef struct inspect_info {
	const char *path;
	char *display;             /* arena */
	bool has_manifest;
	char mvid[37];
	const char *runtime;
	const char *arch;
	char *entry;               /* "Type::Method" or NULL */
	md_walk_stats st;
	uint32_t nrefs, nbypass, nhints;
	char **refs, **bypass;
	md_dependency_hint *hints;
} inspect_info;

static const char *hint_name(int32_t h)
{
	switch (h) {
	case MD_LOADHINT_DEFAULT: return "Default";
	case MD_LOADHINT_ALWAYS: return "Always";
	case MD_LOADHINT_SOMETIMES: return "Sometimes";
	default: return "Unknown";
	}
}

static char *take(ng_arena *a, ng_strbuf *sb)
{
	char *s = ng_arena_strdup(a, ng_strbuf_str(sb));
	ng_strbuf_reset(sb);
	return s;
}

static void gather_identity(const md_image *img, ng_arena *a, inspect_info *in)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_identity id;
	ng_diag d;
	in->has_manifest = md_assembly_identity(img, &id, &d) == 0;
	if (in->has_manifest)
		md_identity_display(&id, &sb);
	else
		ng_strbuf_printf(&sb, "%s (module without an assembly manifest)",
				 md_string(img, md_get(img, MD_T_MODULE, 1, MD_MODULE_NAME)));
	in->display = take(a, &sb);
	uint8_t mvid[16];
	md_mvid(img, mvid);
	md_guid_format(mvid, in->mvid);
	in->runtime = md_runtime_version(img);
	in->arch = md_arch_name(md_image_arch(img));
	if (md_entry_point(img)) {
		md_token_format(img, md_entry_point(img), &sb);
		in->entry = take(a, &sb);
	}
	in->nrefs = md_assembly_refs(img);
	in->refs = ng_arena_alloc(a, (in->nrefs + 1) * sizeof *in->refs);
	for (uint32_t r = 1; r <= in->nrefs; r++) {
		md_assemblyref_identity(img, r, &id, &d);
		md_identity_display(&id, &sb);
		in->refs[r - 1] = take(a, &sb);
	}
	ng_strbuf_close(&sb);
}

static void gather_bypass(const md_image *img, ng_arena *a, inspect_info *in)
{
	uint32_t n = md_row_count(img, MD_T_METHODDEF);
	ng_strbuf sb = NG_STRBUF_INIT;
	in->bypass = ng_arena_alloc(a, (n + 1) * sizeof *in->bypass);
	for (uint32_t r = 1; r <= n; r++) {
		if (!md_method_is_bypass_ngen(img, r))
			continue;
		md_token_format(img, MD_TOKEN(MD_T_METHODDEF, r), &sb);
		in->bypass[in->nbypass++] = take(a, &sb);
	}
	ng_strbuf_close(&sb);
}

static int gather(const char *path, ng_arena *a, inspect_info *in, ng_diag *d)
{
	md_image *img;
	memset(in, 0, sizeof *in);
	in->path = path;
	int rc = md_open(path, &img, d);
	if (rc < 0)
		return rc;
	rc = md_walk(img, MD_WALK_ALL, &in->st, d);
	if (rc == 0)
		rc = md_dependency_hints(img, a, &in->hints, &in->nhints, d);
	if (rc == 0) {
		gather_identity(img, a, in);
		gather_bypass(img, a, in);
		/* Strings borrowed from the image must outlive it. */
		in->runtime = ng_arena_strdup(a, in->runtime);
		for (uint32_t i = 0; i < in->nhints; i++)
			if (in->hints[i].assembly)
				in->hints[i].assembly = ng_arena_strdup(a, in->hints[i].assembly);
	}
	md_close(img);
	return rc;
}

static void print_text(const inspect_info *in)
{
	printf("%s\n", in->display);
	printf("  file:           %s\n", in->path);
	printf("  MVID:           %s\n", in->mvid);
	printf("  runtime:        %s\n", in->runtime);
	printf("  architecture:   %s\n", in->arch);
	if (in->entry)
		printf("  entry point:    %s\n", in->entry);
	printf("  types:          %u\n", in->st.types);
	printf("  methods:        %u\n", in->st.methods);
	printf("  method bodies:  %u\n", in->st.bodies);
	printf("  IL bytes:       %llu\n", (unsigned long long)in->st.il_bytes);
	printf("references (%u):\n", in->nrefs);
	for (uint32_t i = 0; i < in->nrefs; i++)
		printf("  %s\n", in->refs[i]);
	printf("BypassNGen methods (%u):\n", in->nbypass);
	for (uint32_t i = 0; i < in->nbypass; i++)
		printf("  %s\n", in->bypass[i]);
	printf("dependency load hints (%u):\n", in->nhints);
	for (uint32_t i = 0; i < in->nhints; i++)
		printf("  %s: %s\n", in->hints[i].assembly ? in->hints[i].assembly :
		       "(default)", hint_name(in->hints[i].load_hint));
}

static json_object *str_array(char **items, uint32_t n)
{
	json_object *arr = json_object_new_array();
	for (uint32_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(items[i]));
	return arr;
}

static void print_json(const inspect_info *in)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(in->path));
	json_object_object_add(o, "display_name", json_object_new_string(in->display));
	json_object_object_add(o, "has_manifest", json_object_new_boolean(in->has_manifest));
	json_object_object_add(o, "mvid", json_object_new_string(in->mvid));
	json_object_object_add(o, "runtime_version", json_object_new_string(in->runtime));
	json_object_object_add(o, "architecture", json_object_new_string(in->arch));
	json_object_object_add(o, "entry_point",
			       in->entry ? json_object_new_string(in->entry) : NULL);
	json_object_object_add(o, "types", json_object_new_int64(in->st.types));
	json_object_object_add(o, "methods", json_object_new_int64(in->st.methods));
	json_object_object_add(o, "method_bodies", json_object_new_int64(in->st.bodies));
	json_object_object_add(o, "il_bytes", json_object_new_int64((int64_t)in->st.il_bytes));
	json_object_object_add(o, "references", str_array(in->refs, in->nrefs));
	json_object_object_add(o, "bypass_ngen", str_array(in->bypass, in->nbypass));
	json_object *hints = json_object_new_array();
	for (uint32_t i = 0; i < in->nhints; i++) {
		json_object *h = json_object_new_object();
		const char *asm_name = in->hints[i].assembly;
		json_object_object_add(h, "assembly",
				       asm_name ? json_object_new_string(asm_name) : NULL);
		json_object_object_add(h, "load_hint",
				       json_object_new_string(hint_name(in->hints[i].load_hint)));
		json_object_array_add(hints, h);
	}
	json_object_object_add(o, "dependency_hints", hints);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int tui_cmd_inspect(const tui_globals *g, int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 0; i < argc; i++) {
		/* "/x.dll" may look like an option to tui_looks_like_option(), but
		 * inspect has no options of its own: anything not starting with
		 * '-' is the path. */
		if ((argv[i][0] == '-' && argv[i][1]) || path) {
			fprintf(stderr, "ngen inspect: unexpected argument '%s'; usage: ngen "
				"inspect PATH [--json]\n", argv[i]);
			return NGEN_EXIT_USAGE;
		}
		path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "ngen inspect: no assembly given; usage: ngen inspect "
			"PATH [--json]\n");
		return NGEN_EXIT_USAGE;
	}
	ng_arena a;
	ng_diag d;
	inspect_info in;
	ng_arena_init(&a);
	ng_diag_clear(&d);
	int rc = gather(path, &a, &in, &d);
	if (rc < 0)
		fprintf(stderr, "ngen inspect: %s\n", ng_diag_text(&d));
	else if (g->json)
		print_json(&in);
	else
		print_text(&in);
	ng_arena_close(&a);
	return rc < 0 ? NGEN_EXIT_BAD_INPUT : NGEN_EXIT_OK;
}
