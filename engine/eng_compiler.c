/* engine/eng_compiler.c - the compilers the engine can drive.
 *
 * The default adapts comp_compile() (compiler/comp.h): references are
 * resolved from the bindings the engine made (so binding redirects and
 * private paths apply), falling back to comp_default_resolve for what the
 * compiler reads beyond the direct references.
 *
 * The fake compiler writes a small text file that depends on everything a
 * real image depends on (the assembly's MVID, the scenario, each bound
 * dependency's content), so tests and benchmarks see the same invalidation
 * behaviour without paying for LLVM. */
#include "engine/eng_int.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/comp.h"
#include "compiler/identity.h"
#include "compiler/md.h"

/* ---- the real compiler ---------------------------------------------------- */

typedef struct resolve_ctx {
	const eng_compile_job *job;
} resolve_ctx;

static int resolve_from_job(void *ctx, const char *referencing_path,
			    const struct md_identity *ref, char **path_out)
{
	const eng_compile_job *job = ((resolve_ctx *)ctx)->job;
	for (size_t i = 0; i < job->dep_count; i++) {
		const char *n = job->dep_names[i];
		size_t len = strcspn(n, ",");
		if (strlen(ref->name) == len && strncasecmp(n, ref->name, len) == 0) {
			*path_out = xstrdup(job->dep_paths[i]);
			return 0;
		}
	}
	return comp_default_resolve(NULL, referencing_path, ref, path_out);
}

static void add_reason(eng_compile_result *res, const char *text, unsigned count)
{
	if (res->nreasons == ENG_TOP_REASONS || !count)
		return;
	eng_reason *e = &res->reasons[res->nreasons++];
	snprintf(e->text, sizeof e->text, "%s", text);
	e->count = count;
}

static int cmp_reason(const void *a, const void *b)
{
	const eng_reason *x = a, *y = b;
	return x->count != y->count ? (x->count < y->count) - (x->count > y->count) :
		strcmp(x->text, y->text);
}

/* The compiler's reasons come most frequent first; methods skipped for
 * BypassNGenAttribute are counted as excluded, so they are a reason too. */
static void top_reasons(const comp_result *r, eng_compile_result *res)
{
	res->nreasons = 0;
	if (r->methods_bypassed)
		add_reason(res, "BypassNGenAttribute", r->methods_bypassed);
	for (size_t i = 0; i < r->reason_count; i++)
		add_reason(res, r->reasons[i].text ? r->reasons[i].text : "", r->reasons[i].count);
	if (res->nreasons > 1)
		qsort(res->reasons, res->nreasons, sizeof *res->reasons, cmp_reason);
}

static int real_compile(void *ctx, const eng_compile_job *job, eng_compile_result *res,
			ng_diag *d)
{
	resolve_ctx rctx = { job };
	comp_request req = {
		.assembly_path = job->assembly_path,
		.scenario = job->scenario,
		.output_path = job->output_path,
		.resolve = resolve_from_job,
		.resolve_ctx = &rctx,
		.progress = (comp_progress_fn)job->progress,
		.progress_ctx = job->progress_ctx,
		.cancel = (volatile int *)job->cancel,
	};
	comp_result r;
	memset(&r, 0, sizeof r);
	int rc = comp_compile(&req, &r, d);
	if (rc == 0) {
		res->methods_compiled = r.methods_compiled;
		res->methods_excluded = r.methods_excluded + r.methods_bypassed;
		top_reasons(&r, res);
	}
	comp_result_close(&r);
	return rc;
}

/* Computed once per process (loading the code generator costs a few
 * milliseconds); pthread_once because the queue's workers install on
 * several threads. */
static char *real_stamp_text;
static pthread_once_t real_stamp_once = PTHREAD_ONCE_INIT;

static void real_stamp_init(void)
{
	comp_target t;
	memset(&t, 0, sizeof t);
	ng_diag d;
	if (comp_target_query(&t, &d) == 0) {
		real_stamp_text = xasprintf("format=%d;compiler=%s;llvm=%s;target=%s;cpu=%s",
					    NG_IMAGE_FORMAT, COMP_COMPILER_VERSION,
					    t.llvm_version ? t.llvm_version : "",
					    t.triple ? t.triple : "", t.cpu_features ? t.cpu_features : "");
		comp_target_close(&t);
	} else
		real_stamp_text = xasprintf("format=%d;compiler=%s;llvm=unknown;target=unknown;cpu=unknown",
					    NG_IMAGE_FORMAT, COMP_COMPILER_VERSION);
}

static const char *real_stamp(void *ctx)
{
	pthread_once(&real_stamp_once, real_stamp_init);
	return real_stamp_text;
}

static const eng_compiler real_compiler = { real_compile, real_stamp, NULL };

const eng_compiler *eng_compiler_default(void)
{
	return &real_compiler;
}

/* ---- the fake compiler --------------------------------------------------- */

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w, n -= (size_t)w;
	}
	return 0;
}

static void fake_delay(void)
{
	const char *e = getenv("NGEN_FAKE_COMPILER_DELAY_MS");
	long ms = e ? atol(e) : 0;
	if (ms > 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

static int fake_compile(void *ctx, const eng_compile_job *job, eng_compile_result *res,
			ng_diag *d)
{
	md_image *img = NULL;
	int rc = md_open(job->assembly_path, &img, d);
	if (rc < 0)
		return rc;
	uint8_t mvid[16];
	char hex[33];
	md_mvid(img, mvid);
	ng_hex(mvid, 16, hex);
	uint32_t methods = md_row_count(img, MD_T_METHODDEF);
	md_close(img);
	fake_delay();
	if (job->cancel && *job->cancel)
		return ng_diag_set(d, NG_ERR_CANCELED, "compiling %s: canceled", job->assembly_path);
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_printf(&sb, "NGEN fake native image\nassembly=%s\nmvid=%s\nscenario=%u\n",
			 job->assembly_path, hex, job->scenario);
	for (size_t i = 0; i < job->dep_count; i++) {
		char h[NG_SHA256_HEX] = "";
		ng_sha256_file(job->dep_paths[i], h);
		ng_strbuf_printf(&sb, "dep=%s %s\n", job->dep_paths[i], h);
	}
	int fd = open(job->output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		rc = -errno;
	else {
		rc = write_all(fd, ng_strbuf_str(&sb), sb.len);
		if (close(fd) < 0 && rc == 0)
			rc = -errno;
	}
	ng_strbuf_close(&sb);
	if (rc < 0)
		return ng_diag_set(d, rc, "writing %s: %s", job->output_path, ng_strerror(rc));
	if (job->progress)
		job->progress(job->progress_ctx, methods, methods);
	res->methods_compiled = methods;
	res->methods_excluded = 0;
	return 0;
}

static char *fake_stamp_text;
static pthread_once_t fake_stamp_once = PTHREAD_ONCE_INIT;

static void fake_stamp_init(void)
{
	fake_stamp_text = xasprintf("format=%d;compiler=fake 1;llvm=none;target=x86_64-linux-gnu;cpu=none",
				    NG_IMAGE_FORMAT);
}

static const char *fake_stamp(void *ctx)
{
	const char *e = getenv("NGEN_FAKE_COMPILER_STAMP");
	if (e && *e)
		return e;
	pthread_once(&fake_stamp_once, fake_stamp_init);
	return fake_stamp_text;
}

static const eng_compiler fake_compiler = { fake_compile, fake_stamp, NULL };

const eng_compiler *eng_compiler_fake(void)
{
	return &fake_compiler;
}

const eng_compiler *eng_compiler_from_env(void)
{
	const char *e = getenv("NGEN_FAKE_COMPILER");
	if (e && *e && strcmp(e, "0") != 0)
		return &fake_compiler;
	return &real_compiler;
}
