/* runtime/rt_loader.c - finding, checking, compiling and loading images,
 * and binding soft-bound calls. See rt.h for the rules.
 *
 * The compiler is reached only through comp_compile() and
 * comp_image_read(), referenced weakly: a build without compiler/comp.c
 * still links and reports that it cannot compile. comp_compile() loads
 * libngen-cg.so (and libLLVM) itself, so a run whose images are all present
 * and valid never maps LLVM. Images compiled by a run go to a private
 * directory under $TMPDIR and are unlinked as soon as they are mapped. */
#include "runtime/rt_int.h"

#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/comp.h"
#include "compiler/identity.h"
#include "runtime/rt_exc.h"
#include "runtime/rt_manifest.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma weak comp_compile
#pragma weak comp_result_close
#pragma weak comp_image_read
#pragma weak comp_image_info_close
#pragma weak comp_default_resolve

static rt_options options;
static rt_image *images;
static char *temp_dir;

void rt__loader_init(const rt_options *opt)
{
	options = *opt;
	if (!options.source) {
		options.source = rt_default_source;
		options.source_ctx = &options;
	}
}

rt_image *rt__image_of(const ng_manifest *m)
{
	for (rt_image *i = images; i; i = i->next)
		if (i->manifest == m)
			return i;
	return NULL;
}

static rt_image *image_by_path(const char *path)
{
	for (rt_image *i = images; i; i = i->next)
		if (strcmp(i->assembly_path, path) == 0)
			return i;
	return NULL;
}

/* ---- the default source ---- */

static int try_dir(const char *dir, const char *name, char **out)
{
	char *p = xasprintf("%s/%s", dir, name);
	if (access(p, R_OK) == 0) {
		*out = p;
		return 0;
	}
	free(p);
	return NG_ERR_NOTFOUND;
}

static char *image_file_name(const char *assembly_path)
{
	const char *base = strrchr(assembly_path, '/');
	base = base ? base + 1 : assembly_path;
	const char *dot = strrchr(base, '.');
	size_t n = dot ? (size_t)(dot - base) : strlen(base);
	return xasprintf("%.*s.ni.so", (int)n, base);
}

int rt_default_source(void *ctx, const char *assembly_path, unsigned scenario,
		      char **image_path, ng_diag *diag)
{
	const rt_options *opt = ctx;
	char *name = image_file_name(assembly_path);
	int rc = NG_ERR_NOTFOUND;
	for (const char *const *d = opt ? opt->image_dirs : NULL;
	     d && *d && rc < 0; d++)
		rc = try_dir(*d, name, image_path);
	const char *env = getenv("NGEN_IMAGES");
	if (rc < 0 && env && *env) {
		char *list = xstrdup(env), *save = NULL;
		for (char *d = strtok_r(list, ":", &save); d && rc < 0;
		     d = strtok_r(NULL, ":", &save))
			rc = try_dir(d, name, image_path);
		free(list);
	}
	if (rc < 0) {
		char *dir = xstrdup(assembly_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		rc = try_dir(slash ? dir : ".", name, image_path);
		free(dir);
	}
	free(name);
	return rc;
}

/* ---- compiling a missing or rejected image ---- */

static int compile_image(const char *assembly_path, char **image_path, ng_diag *diag)
{
	if (options.no_compile)
		return ng_diag_set(diag, NG_ERR_NOTFOUND,
				   "%s: no valid native image, and compiling is disabled",
				   assembly_path);
	if (!comp_compile)
		return ng_diag_set(diag, NG_ERR_UNSUPPORTED,
				   "%s: no valid native image, and this build has no compiler",
				   assembly_path);
	if (!temp_dir) {
		const char *tmp = getenv("TMPDIR");
		char *tmpl = xasprintf("%s/ngen-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(tmpl)) {
			int e = errno;
			free(tmpl);
			return ng_diag_set(diag, -e, "cannot create a temporary directory: %s",
					   strerror(e));
		}
		temp_dir = tmpl;
	}
	char *name = image_file_name(assembly_path);
	char *out = xasprintf("%s/%s", temp_dir, name);
	free(name);
	if (options.verbose)
		fprintf(stderr, "ngen run: compiling %s\n", assembly_path);
	comp_request req = { .assembly_path = assembly_path,
			     .scenario = options.scenario, .output_path = out,
			     .threads = 1 };
	comp_result res;
	memset(&res, 0, sizeof res);
	int rc = comp_compile(&req, &res, diag);
	comp_result_close(&res);
	if (rc < 0) {
		ng_diag_prefix(diag, "compiling %s: ", assembly_path);
		free(out);
		return rc;
	}
	*image_path = out;
	return 0;
}

/* ---- dependencies ---- */

/* Name.dll or Name.exe in the directory of the referencing assembly (the
 * AppBase rule), for builds without the compiler's resolver. */
static int resolve_beside(const char *referencing, const char *name, char **path)
{
	static const char *const ext[] = { "dll", "exe" };
	const char *slash = strrchr(referencing, '/');
	int dirlen = slash ? (int)(slash - referencing) : 1;
	const char *dir = slash ? referencing : ".";
	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%.*s/%s.%s", dirlen, dir, name, ext[i]);
		if (access(p, R_OK) == 0) {
			*path = p;
			return 0;
		}
		free(p);
	}
	return NG_ERR_NOTFOUND;
}

/* The file of a dependency named in img's manifest. */
static int resolve_dep(const rt_image *img, const ng_manifest_dep *dep,
		       char **path, ng_diag *diag)
{
	ng_arena arena;
	ng_arena_init(&arena);
	md_identity id = { 0 };
	unsigned present = 0;
	int rc = md_identity_parse(dep->display_name, &arena, &id, &present, diag);
	if (rc == 0)
		rc = comp_default_resolve
			? comp_default_resolve(NULL, img->assembly_path, &id, path)
			: NG_ERR_NOTFOUND;
	if (rc < 0 && id.name)
		rc = resolve_beside(img->assembly_path, id.name, path);
	if (rc < 0)
		ng_diag_set(diag, rc, "cannot find assembly %s, referenced by %s",
			    dep->display_name, img->assembly_path);
	ng_arena_close(&arena);
	return rc;
}

static int load_dep(rt_image *img, uint32_t index, rt_image **out, ng_diag *diag)
{
	const ng_manifest_dep *dep = &img->manifest->deps[index];
	char *path = NULL;
	int rc = resolve_dep(img, dep, &path, diag);
	if (rc == 0)
		rc = rt__image_load(path, dep->mvid, out, diag);
	free(path);
	return rc;
}

/* Before an image is mapped: its hard-bound dependencies, read from the
 * file's manifest, must be loaded (RTLD_GLOBAL) so its DT_NEEDED entries
 * and direct references resolve. */
static int load_hard_deps(const char *assembly_path, const char *image_path,
			  ng_diag *diag)
{
	if (!comp_image_read)
		return 0;
	comp_image_info info;
	memset(&info, 0, sizeof info);
	ng_diag ignored;
	int rc = comp_image_read(image_path, &info, &ignored);
	if (rc < 0) {
		/* Not fatal: dlopen() says precisely what is wrong with the file,
		 * and an image without hard-bound dependencies loads anyway. */
		comp_image_info_close(&info);
		return 0;
	}
	rt_image tmp = { .assembly_path = (char *)assembly_path };
	for (size_t i = 0; rc == 0 && i < info.dep_count; i++) {
		if (!info.deps[i].hard_bound)
			continue;
		ng_manifest_dep d = { .display_name = info.deps[i].display_name,
				      .hard_bound = 1 };
		memcpy(d.mvid, info.deps[i].mvid, 16);
		char *path = NULL;
		rt_image *dep;
		rc = resolve_dep(&tmp, &d, &path, diag);
		if (rc == 0)
			rc = rt__image_load(path, d.mvid, &dep, diag);
		free(path);
	}
	comp_image_info_close(&info);
	return rc;
}

/* ---- loading one image ---- */

static int map_image(rt_image *img, const char *image_path, const uint8_t *mvid,
		     ng_diag *diag)
{
	int rc = load_hard_deps(img->assembly_path, image_path, diag);
	if (rc < 0)
		return rc;
	void *h = dlopen(image_path, RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "cannot load it: %s",
				   dlerror());
	const ng_manifest *m = dlsym(h, NG_MANIFEST_SYMBOL);
	rc = rt_manifest_check(m, mvid, options.scenario, diag);
	if (rc < 0) {
		dlclose(h);
		return rc;
	}
	img->handle = h;
	img->manifest = m;
	img->image_path = xstrdup(image_path);
	return 0;
}

static int open_assembly(const char *path, const uint8_t *expect_mvid,
			 rt_image **out, ng_diag *diag)
{
	md_image *md;
	int rc = md_open(path, &md, diag);
	if (rc < 0)
		return rc;
	uint8_t mvid[16];
	md_mvid(md, mvid);
	if (expect_mvid && memcmp(mvid, expect_mvid, 16) != 0) {
		md_close(md);
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s changed since its callers were compiled "
				   "(another MVID); recompile them", path);
	}
	rt_image *img = xcalloc(1, sizeof *img);
	img->assembly_path = xstrdup(path);
	img->md = md;
	*out = img;
	return 0;
}

static void free_image(rt_image *img)
{
	md_close(img->md);
	free(img->assembly_path);
	free(img->image_path);
	free(img);
}

int rt__image_load(const char *path, const uint8_t *expect_mvid, rt_image **out,
		   ng_diag *diag)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return ng_diag_set(diag, -errno, "%s: %s", path, strerror(errno));
	if ((*out = image_by_path(real)) != NULL)
		return 0;
	rt_image *img = NULL;
	int rc = open_assembly(real, expect_mvid, &img, diag);
	if (rc < 0)
		return rc;
	uint8_t mvid[16];
	md_mvid(img->md, mvid);
	char *candidate = NULL;
	ng_diag why;
	ng_diag_clear(&why);
	if (options.source(options.source_ctx, real, options.scenario, &candidate,
			   &why) == 0) {
		if (map_image(img, candidate, mvid, &why) == 0) {
			if (options.verbose)
				fprintf(stderr, "ngen run: using %s\n", candidate);
		} else {
			fprintf(stderr, "ngen run: not using native image %s: %s\n",
				candidate, ng_diag_text(&why));
		}
		free(candidate);
	}
	if (!img->handle) {
		char *fresh = NULL;
		rc = compile_image(real, &fresh, diag);
		if (rc == 0) {
			rc = map_image(img, fresh, mvid, diag);
			if (rc < 0)
				ng_diag_prefix(diag, "the image just compiled from %s: ", real);
		}
		if (fresh) {
			/* Mapped: the file is no longer needed, nor is the
			 * directory (a later compile makes a new one). */
			unlink(fresh);
			free(fresh);
			if (temp_dir && rmdir(temp_dir) == 0) {
				free(temp_dir);
				temp_dir = NULL;
			}
		}
		img->compiled_now = 1;
	}
	if (rc < 0) {
		free_image(img);
		return rc;
	}
	img->next = images;
	images = img;
	*out = img;
	if (options.on_load)
		options.on_load(options.on_load_ctx, img->assembly_path,
				img->manifest->display_name ? img->manifest->display_name : "");
	return 0;
}

/* ---- names, missing methods, binding ---- */

char *rt__method_name(const rt_image *img, uint32_t token)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(img->md, token, &sb);
	if (sb.len == 0)
		ng_strbuf_printf(&sb, "method 0x%08x", token);
	return ng_strbuf_take(&sb);
}

_Noreturn void rt__missing_method(const rt_image *img, uint32_t token,
				  const char *reason)
{
	char *name = rt__method_name(img, token);
	ng_strbuf msg = NG_STRBUF_INIT;
	ng_strbuf_printf(&msg, "Method not found: '%s' has no native code (%s)",
			 name, reason ? reason : "no reason recorded");
	fprintf(stderr, "ngen run: %s in %s is not available natively: %s\n",
		name, img->manifest && img->manifest->display_name ?
		img->manifest->display_name : img->assembly_path,
		reason ? reason : "excluded");
	free(name);
	rt_throw_text("System.MissingMethodException", ng_strbuf_str(&msg));
}

static const char *status_reason(const ng_manifest_method *m)
{
	if (!m)
		return "not in the image's method table";
	if (m->status == NG_METHOD_BYPASS)
		return "marked BypassNGenAttribute";
	if (m->reason && *m->reason)
		return m->reason;
	return "excluded by the compiler";
}

/* A static field's storage (Field token: ngs_<mvid>_<token>) or a type's
 * initialisation state (TypeDef token: ngt_<mvid>_<token>) in dep's image;
 * ends the program when the image does not define it. */
static void *data_symbol(const rt_image *dep, uint32_t token)
{
	uint32_t table = token >> 24;
	const char *prefix = table == MD_T_FIELD ? "ngs" : table == MD_T_TYPEDEF ? "ngt" : NULL;
	char hex[33], name[64];
	ng_hex(dep->manifest->mvid, 16, hex);
	snprintf(name, sizeof name, "%s_%s_%08x", prefix ? prefix : "?", hex, token);
	void *p = prefix ? dlsym(dep->handle, name) : NULL;
	if (p)
		return p;
	ng_strbuf what = NG_STRBUF_INIT;
	if (table == MD_T_FIELD) {
		uint32_t owner = md_field_owner(dep->md, token & 0xffffff);
		md_token_format(dep->md, MD_TOKEN(MD_T_TYPEDEF, owner), &what);
		ng_strbuf_printf(&what, "::%s", md_string(dep->md, md_get(dep->md, MD_T_FIELD,
				 token & 0xffffff, MD_FIELD_NAME)));
	} else {
		md_token_format(dep->md, token, &what);
	}
	fprintf(stderr, "ngen run: %s (token 0x%08x) of %s is not in its native image %s (%s)\n",
		ng_strbuf_str(&what), token, dep->assembly_path, dep->image_path, name);
	ng_strbuf_close(&what);
	rt_throw_text(table == MD_T_FIELD ? "System.MissingFieldException" :
		      "System.TypeLoadException",
		      table == MD_T_FIELD ? "Field not found." : "Type not found in the native image.");
}

void *ngrt_bind_import(const ng_manifest *self, uint32_t index)
{
	rt_image *img = rt__image_of(self);
	if (!img || index >= self->import_count)
		rt_throw_text("System.ExecutionEngineException",
			      "ngrt_bind_import: unknown image or import index");
	const ng_manifest_import *imp = &self->imports[index];
	if (imp->dep_index >= self->dep_count)
		rt_throw_text("System.ExecutionEngineException",
			      "ngrt_bind_import: dependency index out of range");
	rt_image *dep;
	ng_diag d;
	ng_diag_clear(&d);
	if (load_dep(img, imp->dep_index, &dep, &d) < 0) {
		fprintf(stderr, "ngen run: cannot bind a call from %s: %s\n",
			img->assembly_path, ng_diag_text(&d));
		rt_throw_text("System.MissingMethodException", "Method not found.");
	}
	void *target;
	if ((imp->token >> 24) == MD_T_METHODDEF) {
		const ng_manifest_method *m = rt_manifest_method(dep->manifest, imp->token);
		if (!m || m->status != NG_METHOD_COMPILED || !m->code)
			rt__missing_method(dep, imp->token, status_reason(m));
		target = m->code;
	} else {
		target = data_symbol(dep, imp->token);
	}
	__atomic_store_n(imp->cell, target, __ATOMIC_RELEASE);
	return target;
}

/* TypeInitializationException names the type whose .cctor this is. */
static void name_cctor_type(const void *code, ng_strbuf *out)
{
	for (rt_image *img = images; img; img = img->next) {
		const ng_manifest *m = img->manifest;
		for (uint32_t i = 0; i < m->method_count; i++) {
			if (m->methods[i].code != code)
				continue;
			uint32_t owner = md_method_owner(img->md, m->methods[i].token & 0xffffff);
			ng_strbuf sb = NG_STRBUF_INIT;
			md_token_format(img->md, MD_TOKEN(MD_T_TYPEDEF, owner), &sb);
			for (char *p = sb.data; p && *p; p++)
				if (*p == '/')
					*p = '+'; /* nested types: .NET's FullName */
			ng_strbuf_puts(out, ng_strbuf_str(&sb));
			ng_strbuf_close(&sb);
			return;
		}
	}
}

void rt__install_type_namer(void)
{
	rt_exc_set_type_namer(name_cctor_type);
}

_Noreturn void ngrt_missing_method(const ng_manifest *self, uint32_t token)
{
	rt_image *img = rt__image_of(self);
	if (!img)
		rt_throw_text("System.MissingMethodException", "Method not found.");
	rt__missing_method(img, token, status_reason(rt_manifest_method(self, token)));
}

void ngrt_method_excluded(const ng_manifest *self, uint32_t token)
{
	ngrt_missing_method(self, token);
}
