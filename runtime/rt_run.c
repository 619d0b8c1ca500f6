/* runtime/rt_run.c - starting Main.
 *
 * Main's shape comes from its signature in the program's metadata: it
 * returns void or int32 (uint32 is accepted as .NET does) and takes no
 * parameter or string[]. Compiled methods follow the platform C ABI
 * (base/abi.h), so Main is called through the matching function type. */
#include "runtime/rt_int.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "runtime/rt_console.h"
#include "runtime/rt_exc.h"
#include "runtime/rt_manifest.h"
#include "runtime/rt_profile.h"
#include "runtime/rt_string.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct main_shape {
	int returns_int;
	int takes_args;
} main_shape;

static int main_shape_of(const rt_image *img, uint32_t token, main_shape *out,
			 ng_diag *diag)
{
	md_methoddef def;
	int rc = md_methoddef_get(img->md, token & 0xffffff, &def);
	if (rc < 0)
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: entry point 0x%08x is not a method",
				   img->assembly_path, token);
	ng_arena arena;
	ng_arena_init(&arena);
	md_method_sig *sig;
	rc = md_sig_method(img->md, def.sig, &arena, &sig, diag);
	if (rc == 0) {
		uint8_t r = sig->ret->elem;
		out->returns_int = r == MD_ELEM_I4 || r == MD_ELEM_U4;
		out->takes_args = sig->nparams == 1;
		if ((r != MD_ELEM_VOID && !out->returns_int) || sig->nparams > 1 ||
		    (sig->nparams == 1 && sig->params[0]->elem != MD_ELEM_SZARRAY))
			rc = ng_diag_set(diag, NG_ERR_UNSUPPORTED,
					 "%s: Main must return void or int and take string[] or nothing",
					 img->assembly_path);
	}
	ng_arena_close(&arena);
	return rc;
}

static int call_main(void *code, main_shape shape, int argc, char **argv)
{
	ngrt_array *args = shape.takes_args ? rt_string_array_new(argc, argv) : NULL;
	int result = 0;
	if (shape.takes_args && shape.returns_int)
		result = ((int32_t (*)(ngrt_array *))code)(args);
	else if (shape.takes_args)
		((void (*)(ngrt_array *))code)(args);
	else if (shape.returns_int)
		result = ((int32_t (*)(void))code)();
	else
		((void (*)(void))code)();
	return result;
}

static char *profile_name(const ng_manifest *m, uint32_t token)
{
	rt_image *img = rt__image_of(m);
	return img ? rt__method_name(img, token) : NULL;
}

/* A program must be an assembly with an entry point; said before any
 * image is looked for or compiled. */
static int check_program(const char *program, ng_diag *diag)
{
	md_image *md;
	int rc = md_open(program, &md, diag);
	if (rc < 0)
		return rc;
	if (md_entry_point(md) == 0)
		rc = ng_diag_set(diag, NG_ERR_INVAL,
				 "%s has no entry point (a library cannot be run)", program);
	md_close(md);
	return rc;
}

int rt_run(const rt_options *opt, const char *program, int argc, char **argv,
	   int *exit_code, ng_diag *diag)
{
	rt_options def = { 0 };
	rt_heap_init();
	rt_exc_install_fault_handlers();
	rt__loader_init(opt ? opt : &def);
	rt__install_type_namer();
	int rc = check_program(program, diag);
	if (rc < 0)
		return rc;
	rt_image *img;
	rc = rt__image_load(program, NULL, &img, diag);
	if (rc < 0)
		return rc;
	uint32_t entry = img->manifest->entry_token;
	if (entry == 0)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s has no entry point (a library?)", program);
	main_shape shape = { 0, 0 };
	rc = main_shape_of(img, entry, &shape, diag);
	if (rc < 0)
		return rc;
	const ng_manifest_method *m = rt_manifest_method(img->manifest, entry);
	if (!m || m->status != NG_METHOD_COMPILED || !m->code)
		rt__missing_method(img, entry, !m ? "not in the method table" :
				   m->status == NG_METHOD_BYPASS ? "marked BypassNGenAttribute" :
				   m->reason ? m->reason : "excluded by the compiler");
	*exit_code = call_main(m->code, shape, argc, argv);
	rt_console_flush(1);
	rt_profile_report(getenv("NGEN_PROFILE"), profile_name);
	return 0;
}
