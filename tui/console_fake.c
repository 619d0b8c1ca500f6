/* tui/console_fake.c - a provider that makes its data up.
 *
 * Used by the view tests, by `ngen console --fake N` for benchmarks, and as
 * a reference for what a provider must do. The data is deterministic for a
 * given image count: a few well-known framework assemblies, then generated
 * libraries spread under five roots in a two-level tree, with every 7th
 * image invalid, every 13th queued and every 29th failed. Requests change
 * the model the way the real cache would (an install adds a job that
 * advances with time, a queued install adds a queue item, pause flips the
 * service state), so key handling can be tested end to end off screen. */
#include "tui/console_model.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake {
	tui_provider base;
	int nimages;
	bool failing;
	tui_request last;
	char last_target[512];
	int64_t next_id;
	double rate;          /* methods per second of fake jobs */
} fake;

static const char *const known[] = {
	"mscorlib", "System", "System.Core", "System.Xml", "Mono.Security",
	"System.Configuration", "Mono.CompilerServices.SymbolWriter", "System.Data",
};
enum { NKNOWN = sizeof known / sizeof known[0], NROOTS = 5 };

static const char *const root_names[NROOTS] = {
	"mcs.exe", "xbuild.exe", "nunit-console.exe", "csharp.exe", "ikdasm.exe",
};

static void fill_image(tui_image *im, int i, const char *name)
{
	char buf[512];
	snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", i);
	tui_image_set(&im->mvid, buf);
	snprintf(buf, sizeof buf, "/usr/lib/mono/4.5/%s.dll", name);
	tui_image_set(&im->file, buf);
	snprintf(buf, sizeof buf, "/var/lib/ngen/images/%s-%04x.so", name, i);
	tui_image_set(&im->image_file, buf);
	tui_image_set(&im->scenario, i % 11 == 5 ? "debug" : "default");
	im->size = 40960 + (int64_t)((i * 7919) % 500) * 4096;
	im->methods_compiled = 50 + (i * 31) % 900;
	im->methods_excluded = (i * 3) % 7;
	if (im->methods_excluded)
		tui_image_set(&im->exclusions, "varargs (2), BypassNGen attribute (1)");
	im->last_used = i % 5 ? 1700000000 + (int64_t)i * 3600 : 0;
	if (im->status == TUI_ST_INVALID)
		tui_image_set(&im->reason, i % 2 ? "dependency mscorlib changed MVID"
						 : "assembly changed (content hash differs)");
	if (im->status == TUI_ST_FAILED)
		tui_image_set(&im->reason, "compilation failed: unsupported opcode 'calli'");
}

static tui_status status_for(int i)
{
	if (i >= NKNOWN && i % 29 == 0) return TUI_ST_FAILED;
	if (i >= NKNOWN && i % 13 == 0) return TUI_ST_QUEUED;
	if (i % 7 == 3) return TUI_ST_INVALID;
	return TUI_ST_VALID;
}

static void make_images(fake *f, tui_model *m)
{
	char name[64], display[256];
	for (int i = 0; i < f->nimages; i++) {
		if (i < NKNOWN)
			snprintf(name, sizeof name, "%s", known[i]);
		else if (i < NKNOWN + NROOTS)
			snprintf(name, sizeof name, "%.*s", (int)strlen(root_names[i - NKNOWN]) - 4,
				 root_names[i - NKNOWN]);
		else
			snprintf(name, sizeof name, "Lib%05d", i);
		snprintf(display, sizeof display,
			 "%s, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089", name);
		tui_image *im = tui_model_add_image(m, 1000 + i, name, display, status_for(i));
		fill_image(im, i, name);
	}
}

/* Roots own the images NKNOWN.. (one each); generated libraries hang under
 * them two levels deep; every root needs mscorlib and System. */
static void make_tree(fake *f, tui_model *m)
{
	for (int r = 0; r < NROOTS && NKNOWN + r < m->nimages; r++) {
		int img = NKNOWN + r;
		tui_model_add_root(m, 100 + r, root_names[r], img);
		for (int k = 0; k < NKNOWN && k < 3 + r; k++)
			tui_model_add_dep(m, img, k);
	}
	for (int k = 1; k < NKNOWN && k < m->nimages; k++)
		tui_model_add_dep(m, k, 0);
	int first = NKNOWN + NROOTS;
	for (int i = first; i < m->nimages; i++) {
		int j = i - first;
		int parent = j < 50 ? NKNOWN + j % NROOTS : first + (j - 50) / 8;
		if (parent < m->nimages && parent != i)
			tui_model_add_dep(m, parent, i);
		tui_model_add_dep(m, i, 0);
	}
	tui_model_link_roots(m);
}

static void make_queue(tui_model *m)
{
	static const struct { int prio; const char *target, *state, *err; int attempts; } q[] = {
		{ 1, "/usr/lib/mono/4.5/csc.exe", "queued", "", 0 },
		{ 2, "/usr/lib/mono/4.5/System.Web.dll", "queued", "", 0 },
		{ 2, "/usr/lib/mono/4.5/Microsoft.Build.dll", "failed",
		  "compilation failed: unsupported opcode 'calli'", 2 },
		{ 3, "/usr/lib/mono/4.5/System.Windows.Forms.dll", "queued", "", 0 },
		{ 3, "/usr/lib/mono/4.5/System.Drawing.dll", "queued", "", 1 },
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		tui_qitem *it = tui_model_add_qitem(m, 500 + (int64_t)i, q[i].prio, q[i].target,
						    "install", q[i].state);
		it->attempts = q[i].attempts;
		tui_image_set(&it->last_error, q[i].err);
		it->queued_at = 1700000000 + (int64_t)i * 60;
	}
}

static void make_log(tui_model *m)
{
	static const char *const lines[][2] = {
		{ "info", "cache created" },
		{ "info", "installed mcs.exe (root), 7 images" },
		{ "warn", "System.Xml: 3 methods excluded (varargs)" },
		{ "info", "queued csc.exe at priority 1" },
		{ "error", "Microsoft.Build.dll: compilation failed: unsupported opcode 'calli'" },
		{ "info", "mscorlib changed MVID: 12 images invalidated" },
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		tui_model_add_log(m, 1700000000 + (int64_t)i * 600, lines[i][0], lines[i][1]);
}

static int fake_reload(tui_provider *p)
{
	fake *f = (fake *)p;
	tui_model *m = &p->model;
	tui_model_clear_data(m);
	free(m->cache_dir);
	m->cache_dir = xstrdup("/var/lib/ngen");
	make_images(f, m);
	make_tree(f, m);
	make_queue(m);
	make_log(m);
	m->service = TUI_SVC_RUNNING;
	m->idle = false;
	tui_model_touch(m);
	return 0;
}

static void fake_tick(tui_provider *p)
{
	fake *f = (fake *)p;
	tui_model *m = &p->model;
	double now = tui_now();
	int busy = 0;
	for (int i = 0; i < m->njobs; i++) {
		tui_job *j = &m->jobs[i];
		if (j->state != TUI_JOB_RUNNING)
			continue;
		int done = (int)((now - j->started) * f->rate);
		if (done > j->total)
			done = j->total;
		if (done != j->done) {
			j->done = j->methods = done;
			tui_model_touch(m);
		}
		if (j->done >= j->total) {
			j->state = TUI_JOB_DONE;
			j->ended = now;
			tui_model_add_log(m, 1700009999, "info", j->name);
			tui_model_touch(m);
		} else {
			busy++;
		}
	}
	if (busy != m->pool_busy) {
		m->pool_busy = busy;
		tui_model_touch(m);
	}
}

static void remove_qitem(tui_model *m, int i)
{
	tui_qitem *q = &m->queue[i];
	free(q->target); free(q->action); free(q->state); free(q->last_error);
	memmove(q, q + 1, (size_t)(m->nqueue - i - 1) * sizeof *q);
	m->nqueue--;
}

static int find_qitem(tui_model *m, int64_t id)
{
	for (int i = 0; i < m->nqueue; i++)
		if (m->queue[i].id == id)
			return i;
	return -1;
}

static int fake_submit(tui_provider *p, const tui_request *req, ng_diag *d)
{
	fake *f = (fake *)p;
	tui_model *m = &p->model;
	f->last = *req;
	snprintf(f->last_target, sizeof f->last_target, "%s", req->target ? req->target : "");
	f->last.target = f->last_target;
	f->last.scenario = NULL;
	if (f->failing)
		return ng_diag_set(d, NG_ERR_PERM, "fake: refused (test)");
	char name[600];
	int qi;
	switch (req->kind) {
	case TUI_REQ_INSTALL:
		if (req->queue) {
			tui_model_add_qitem(m, f->next_id++, req->priority, req->target, "install", "queued");
			break;
		}
		snprintf(name, sizeof name, "install %s", req->target);
		tui_model_add_job(m, f->next_id++, name, 400, tui_now());
		break;
	case TUI_REQ_UPDATE: case TUI_REQ_VERIFY: case TUI_REQ_REPAIR: case TUI_REQ_EQI:
		snprintf(name, sizeof name, "%s", req->kind == TUI_REQ_UPDATE ? "update" :
			 req->kind == TUI_REQ_EQI ? "eqi" : "verify");
		tui_model_add_job(m, f->next_id++, name, 200, tui_now());
		break;
	case TUI_REQ_UNINSTALL:
		for (int r = 0; r < m->nroots; r++)
			if (m->roots[r].id == req->id) {
				free(m->roots[r].args);
				memmove(&m->roots[r], &m->roots[r + 1],
					(size_t)(m->nroots - r - 1) * sizeof m->roots[0]);
				m->nroots--;
				tui_model_link_roots(m);
				break;
			}
		break;
	case TUI_REQ_PRIORITY:
		if ((qi = find_qitem(m, req->id)) < 0)
			return ng_diag_set(d, NG_ERR_NOTFOUND, "queue item %lld not found", (long long)req->id);
		m->queue[qi].priority = req->priority;
		break;
	case TUI_REQ_CANCEL:
		if ((qi = find_qitem(m, req->id)) < 0)
			return ng_diag_set(d, NG_ERR_NOTFOUND, "queue item %lld not found", (long long)req->id);
		remove_qitem(m, qi);
		break;
	case TUI_REQ_PAUSE: m->service = TUI_SVC_PAUSED; break;
	case TUI_REQ_CONTINUE: m->service = TUI_SVC_RUNNING; break;
	}
	tui_model_touch(m);
	return 0;
}

static void fake_free(tui_provider *p)
{
	tui_model_close(&p->model);
	free(p);
}

static const tui_provider_ops fake_ops = {
	.name = "fake",
	.reload = fake_reload,
	.tick = fake_tick,
	.submit = fake_submit,
	.free = fake_free,
};

tui_provider *tui_fake_new(int nimages)
{
	fake *f = xcalloc(1, sizeof *f);
	f->base.ops = &fake_ops;
	tui_model_init(&f->base.model);
	f->nimages = nimages < NKNOWN + NROOTS ? NKNOWN + NROOTS : nimages;
	f->last.kind = (tui_req_kind)-1;
	f->next_id = 9000;
	f->rate = 200;
	return &f->base;
}

void tui_fake_set_failing(tui_provider *p, bool fail)
{
	((fake *)p)->failing = fail;
}

const tui_request *tui_fake_last_request(tui_provider *p)
{
	return &((fake *)p)->last;
}
