/* tests/compiler/test_cg_util.c - see test_cg_util.h. */
#include "test_cg_util.h"

#include "base/abi_bcl.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

sigjmp_buf cgt_jmp;
volatile int cgt_exception = -1;
char cgt_out[8192];
size_t cgt_out_len;
char cgt_prof[8192];

static const char *const ex_names[] = {
#define CGT_EX_NAME_(id, type, text) type,
	NGRT_EXCEPTION_LIST(CGT_EX_NAME_)
#undef CGT_EX_NAME_
};

const char *cgt_exception_name(int kind)
{
	return kind >= 0 && kind < NGRT_EX_COUNT_ ? ex_names[kind] : "none";
}

void cgt_reset_output(void)
{
	cgt_out[0] = '\0';
	cgt_out_len = 0;
	cgt_prof[0] = '\0';
}

static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cgt_out + cgt_out_len, sizeof cgt_out - cgt_out_len, fmt, ap);
	va_end(ap);
	if (n > 0 && cgt_out_len + (size_t)n < sizeof cgt_out)
		cgt_out_len += (size_t)n;
}

/* ---- the runtime helpers compiled code calls ---- */

_Noreturn void ngrt_throw(int32_t kind)
{
	cgt_exception = kind;
	siglongjmp(cgt_jmp, 1);
}

_Noreturn void ngrt_method_excluded(const ng_manifest *self, uint32_t token)
{
	out("[excluded 0x%08x]", token);
	ngrt_throw(NGRT_EX_MISSING_METHOD);
}

ngrt_string *ngrt_ldstr(ngrt_string **cell, const uint16_t *chars, int32_t length)
{
	if (!*cell) {
		ngrt_string *s = xcalloc(1, sizeof *s + ((size_t)length + 1) * 2);
		s->length = length;
		memcpy(s->chars, chars, (size_t)length * 2);
		*cell = s;
	}
	return *cell;
}

void ngrt_run_cctor(int32_t *state, void (*cctor)(void))
{
	if (*state != 0)
		return;
	*state = 1;
	out("[cctor]");
	cctor();
	*state = 2;
}

void ngrt_profile_enter(const ng_manifest *self, uint32_t token)
{
	size_t n = strlen(cgt_prof);
	snprintf(cgt_prof + n, sizeof cgt_prof - n, ">%x", token & 0xffffff);
}

void ngrt_profile_leave(const ng_manifest *self, uint32_t token)
{
	size_t n = strlen(cgt_prof);
	snprintf(cgt_prof + n, sizeof cgt_prof - n, "<%x", token & 0xffffff);
}

/* Loaded images, for ngrt_bind_import. */
static const ng_manifest *loaded[16];
static void *handles[16];
static int nloaded;

/* A Field or TypeDef import: the dependency's ngs_/ngt_ symbol. */
static void *bind_data(int i, const ng_manifest_import *imp)
{
	char sym[64], hex[33];
	for (int k = 0; k < 16; k++)
		sprintf(hex + 2 * k, "%02x", loaded[i]->mvid[k]);
	sprintf(sym, "%s_%s_%08x", (imp->token >> 24) == 0x04 ? "ngs" : "ngt", hex, imp->token);
	void *p = dlsym(handles[i], sym);
	if (!p)
		ngrt_throw(NGRT_EX_MISSING_METHOD);
	*imp->cell = p;
	return p;
}

void *ngrt_bind_import(const ng_manifest *self, uint32_t index)
{
	const ng_manifest_import *imp = &self->imports[index];
	const ng_manifest_dep *dep = &self->deps[imp->dep_index];
	for (int i = 0; i < nloaded; i++) {
		if (memcmp(loaded[i]->mvid, dep->mvid, 16) != 0)
			continue;
		if ((imp->token >> 24) != 0x06)
			return bind_data(i, imp);
		for (uint32_t k = 0; k < loaded[i]->method_count; k++)
			if (loaded[i]->methods[k].token == imp->token && loaded[i]->methods[k].code) {
				*imp->cell = loaded[i]->methods[k].code;
				return *imp->cell;
			}
	}
	ngrt_throw(NGRT_EX_MISSING_METHOD);
}

static void write_utf16(const ngrt_string *s)
{
	for (int32_t i = 0; s && i < s->length; i++)
		out("%c", s->chars[i] < 128 ? (char)s->chars[i] : '?');
}

void ngrt_Console_WriteLine(void) { out("\n"); }
void ngrt_Console_WriteLine_i4(int32_t v) { out("%d\n", v); }
void ngrt_Console_WriteLine_i8(int64_t v) { out("%lld\n", (long long)v); }
void ngrt_Console_WriteLine_string(ngrt_string *v) { write_utf16(v); out("\n"); }
void ngrt_Console_Write_i4(int32_t v) { out("%d", v); }
void ngrt_Console_Write_string(ngrt_string *v) { write_utf16(v); }
void ngrt_Console_WriteLine_bool(uint8_t v) { out("%s\n", v ? "True" : "False"); }
void ngrt_Console_WriteLine_char(uint16_t v) { out("%c\n", v < 128 ? (char)v : '?'); }
void ngrt_Console_WriteLine_r8(double v) { out("%.15g\n", v); }
double ngrt_Math_Sqrt(double x) { return __builtin_sqrt(x); }

/* ---- images ---- */

const char *cgt_fixture(const char *name)
{
	static char buf[4][PATH_MAX];
	static int k;
	const char *dir = getenv("NGEN_FIXTURES");
	char *b = buf[k++ & 3], rel[1024];
	snprintf(rel, sizeof rel, "%s/cg/%s", dir && *dir ? dir : "build/fixtures", name);
	/* Absolute, so tests may run commands in other directories. */
	if (!realpath(rel, b))
		snprintf(b, sizeof buf[0], "%s", rel);
	return b;
}

int cgt_compile_only(const char *assembly, unsigned scenario, const char *out_path,
		     comp_result *res, ng_diag *diag)
{
	comp_request req = { .assembly_path = assembly, .scenario = scenario,
			     .output_path = out_path };
	ng_diag_clear(diag);
	return comp_compile(&req, res, diag);
}

void cgt_compile_threads(const char *fixture, unsigned scenario, int threads, cgt_image *img)
{
	memset(img, 0, sizeof *img);
	snprintf(img->dir, sizeof img->dir, "/tmp/ngen-cgt.XXXXXX");
	cr_assert_not_null(mkdtemp(img->dir));
	snprintf(img->asm_path, sizeof img->asm_path, "%s", cgt_fixture(fixture));
	snprintf(img->path, sizeof img->path, "%s/%s", img->dir, "image.ni.so");
	comp_request req = { .assembly_path = img->asm_path, .scenario = scenario,
			     .output_path = img->path, .threads = threads };
	ng_diag d;
	ng_diag_clear(&d);
	int rc = comp_compile(&req, &img->res, &d);
	cr_assert_eq(rc, 0, "compiling %s: %s", fixture, ng_diag_text(&d));
	img->handle = dlopen(img->path, RTLD_LAZY | RTLD_LOCAL);
	cr_assert_not_null(img->handle, "dlopen: %s", dlerror());
	img->man = dlsym(img->handle, NG_MANIFEST_SYMBOL);
	cr_assert_not_null(img->man);
	if (nloaded < 16) {
		handles[nloaded] = img->handle;
		loaded[nloaded++] = img->man;
	}
	cr_assert_eq(md_open(img->asm_path, &img->md, &d), 0, "%s", ng_diag_text(&d));
}

void cgt_compile(const char *fixture, unsigned scenario, cgt_image *img)
{
	cgt_compile_threads(fixture, scenario, 0, img);
}

void cgt_close(cgt_image *img)
{
	if (img->md)
		md_close(img->md);
	comp_result_close(&img->res);
	/* The image stays mapped (test processes are short-lived); its file
	 * and directory go. */
	unlink(img->path);
	rmdir(img->dir);
}

uint32_t cgt_row(cgt_image *img, const char *type, const char *method)
{
	const char *dot = strrchr(type, '.');
	char ns[256] = "";
	const char *name = type;
	if (dot) {
		snprintf(ns, sizeof ns, "%.*s", (int)(dot - type), type);
		name = dot + 1;
	}
	uint32_t t = md_find_typedef(img->md, ns, name);
	cr_assert_neq(t, 0, "no type %s", type);
	uint32_t first, end;
	md_typedef_methods(img->md, t, &first, &end);
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t row = md_method_at(img->md, pos);
		md_methoddef def;
		md_methoddef_get(img->md, row, &def);
		if (strcmp(def.name, method) == 0)
			return row;
	}
	cr_assert_fail("no method %s::%s", type, method);
	return 0;
}

const ng_manifest_method *cgt_entry(cgt_image *img, const char *type, const char *method)
{
	uint32_t row = cgt_row(img, type, method);
	cr_assert_lt(row - 1, img->man->method_count);
	const ng_manifest_method *m = &img->man->methods[row - 1];
	cr_assert_eq(m->token, 0x06000000u | row);
	return m;
}

void *cgt_code(cgt_image *img, const char *type, const char *method)
{
	const ng_manifest_method *m = cgt_entry(img, type, method);
	cr_assert_eq(m->status, NG_METHOD_COMPILED, "%s::%s not compiled: %s", type, method,
		     m->reason ? m->reason : "?");
	cr_assert_not_null(m->code);
	return m->code;
}

char *cgt_mono_eval(const char *fixture, const char *requests)
{
	char in[] = "/tmp/ngen-cgt-eval.XXXXXX";
	int fd = mkstemp(in);
	cr_assert_geq(fd, 0);
	size_t len = strlen(requests);
	cr_assert_eq(write(fd, requests, len), (ssize_t)len);
	close(fd);
	char *cmd = xasprintf("mono '%s' '%s' < '%s'", cgt_fixture("Eval.exe"), cgt_fixture(fixture), in);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	ng_strbuf sb = NG_STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		ng_strbuf_append(&sb, buf, n);
	int st = pclose(p);
	unlink(in);
	free(cmd);
	cr_assert_eq(st, 0, "mono Eval.exe failed: %s", ng_strbuf_str(&sb));
	return ng_strbuf_take(&sb);
}
