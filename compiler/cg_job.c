/* compiler/cg_job.c - a compile job, from an assembly to its native image.
 *
 * The steps, on the calling thread unless said otherwise:
 *   1. open the assembly and every assembly it references (through the
 *      request's resolver), decide hard or soft binding per reference from
 *      the DependencyAttribute / DefaultDependencyAttribute hints;
 *   2. sort the methods: BypassNGen, no IL body, or to compile;
 *   3. split the methods to compile into contiguous ranges, one module per
 *      range, each compiled on its own thread with its own LLVMContext,
 *      optimised and emitted as an object file (a small assembly gets one
 *      module: a thread and a module cost more than they save);
 *   4. build the manifest module (method table in token order, imports,
 *      static field storage, type-initialisation states) and link all the
 *      objects into the image (cg_link.c writes it atomically).
 * Shared state the threads touch: the method table (each thread writes
 * only its own range), the import table and the lazily resolved secondary
 * assemblies (under job->lock), progress (under job->lock). */
#include "compiler/cg.h"

#include "base/abi.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"
#include "compiler/md.h"

#include <errno.h>
#include <llvm-c/Analysis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct cg_job {
	const comp_request *req;
	ng_diag *diag;
	pthread_mutex_t lock;
	cg_asm self;
	cg_asm **deps;                 /* manifest dependencies */
	size_t ndeps;
	cg_asm **extra;                /* assemblies reached only through others */
	size_t nextra, capextra;
	cg_method_state *methods;      /* by MethodDef row - 1 */
	uint32_t nmethods;
	uint32_t *todo;                /* MethodDef rows to compile */
	uint32_t ntodo;
	cg_manifest_import *imports;
	size_t nimports, capimports;
	char import_cells[CG_SYMBOL_MAX];
	uint32_t done, total;
	char *tmpdir;
	int resolve_failed;
};

cg_asm *cg__job_self(cg_job *job)
{
	return &job->self;
}

unsigned cg__job_scenario(const cg_job *job)
{
	return job->req->scenario;
}

const char *cg__job_import_cells(const cg_job *job)
{
	return job->import_cells;
}

uint32_t cg__job_import(cg_job *job, cg_asm *dep, uint32_t token)
{
	pthread_mutex_lock(&job->lock);
	uint32_t idx;
	for (idx = 0; idx < job->nimports; idx++)
		if (job->imports[idx].dep_index == (uint32_t)dep->dep_index &&
		    job->imports[idx].token == token)
			goto out;
	if (job->nimports == job->capimports) {
		job->capimports = job->capimports ? job->capimports * 2 : 16;
		job->imports = xrealloc(job->imports, job->capimports * sizeof *job->imports);
	}
	job->imports[job->nimports++] = (cg_manifest_import){ (uint32_t)dep->dep_index, token };
out:
	pthread_mutex_unlock(&job->lock);
	return idx;
}

/* ---- assemblies ---- */

static cg_asm *known_asm(cg_job *job, const char *name)
{
	if (strcasecmp(job->self.name, name) == 0)
		return &job->self;
	for (size_t i = 0; i < job->ndeps; i++)
		if (strcasecmp(job->deps[i]->name, name) == 0)
			return job->deps[i];
	for (size_t i = 0; i < job->nextra; i++)
		if (strcasecmp(job->extra[i]->name, name) == 0)
			return job->extra[i];
	return NULL;
}

static int resolve_ref(cg_job *job, cg_asm *from, uint32_t row, char **path, md_identity *id,
		       ng_diag *diag)
{
	int rc = md_assemblyref_identity(from->img, row, id, diag);
	if (rc)
		return rc;
	comp_resolve_fn fn = job->req->resolve ? job->req->resolve : comp_default_resolve;
	rc = fn(job->req->resolve_ctx, from->path, id, path);
	if (rc) {
		ng_strbuf sb = NG_STRBUF_INIT;
		md_identity_display(id, &sb);
		ng_diag_set(diag, NG_ERR_UNRESOLVED, "cannot find assembly '%s', referenced by %s "
			    "(install it in the GAC or next to the referencing assembly)",
			    ng_strbuf_str(&sb), from->path);
		ng_strbuf_close(&sb);
		return NG_ERR_UNRESOLVED;
	}
	return 0;
}

static void alloc_refmap(cg_asm *a)
{
	a->nrefs = md_row_count(a->img, MD_T_ASSEMBLYREF);
	a->refmap = xcalloc(a->nrefs + 1, sizeof *a->refmap);
	a->ref_tried = xcalloc(a->nrefs + 1, 1);
}

/* Secondary references (of a dependency): opened on demand. */
cg_asm *cg__job_asmref(cg_job *job, cg_asm *from, uint32_t row)
{
	if (row == 0 || row > from->nrefs)
		return NULL;
	pthread_mutex_lock(&job->lock);
	if (!from->ref_tried[row]) {
		from->ref_tried[row] = 1;
		md_identity id;
		ng_diag d;
		char *path = NULL;
		if (md_assemblyref_identity(from->img, row, &id, &d) == 0) {
			cg_asm *a = known_asm(job, id.name);
			if (!a && resolve_ref(job, from, row, &path, &id, &d) == 0) {
				a = xcalloc(1, sizeof *a);
				if (cg__asm_open(a, path, &d) == 0) {
					alloc_refmap(a);
					if (job->nextra == job->capextra) {
						job->capextra = job->capextra * 2 + 4;
						job->extra = xrealloc(job->extra,
							job->capextra * sizeof *job->extra);
					}
					job->extra[job->nextra++] = a;
				} else {
					free(a);
					a = NULL;
				}
			}
			from->refmap[row] = a;
		}
		free(path);
	}
	cg_asm *r = from->refmap[row];
	pthread_mutex_unlock(&job->lock);
	return r;
}

static int open_deps(cg_job *job)
{
	cg_asm *self = &job->self;
	alloc_refmap(self);
	job->deps = xcalloc(self->nrefs + 1, sizeof *job->deps);
	for (uint32_t row = 1; row <= self->nrefs; row++) {
		md_identity id;
		char *path = NULL;
		int rc = resolve_ref(job, self, row, &path, &id, job->diag);
		if (rc)
			return rc;
		cg_asm *a = known_asm(job, id.name);
		if (!a) {
			a = xcalloc(1, sizeof *a);
			rc = cg__asm_open(a, path, job->diag);
			if (rc) {
				free(a);
				ng_diag_prefix(job->diag, "reference of %s: ", self->path);
				free(path);
				return rc;
			}
			alloc_refmap(a);
			a->dep_index = (int)job->ndeps;
			job->deps[job->ndeps++] = a;
		}
		free(path);
		self->refmap[row] = a;
		self->ref_tried[row] = 1;
	}
	return 0;
}

/* Hard binding: the referencing assembly's DependencyAttribute for the
 * dependency, else the dependency's own DefaultDependencyAttribute. */
static void apply_hints(cg_job *job, ng_arena *ar)
{
	md_dependency_hint *hints;
	uint32_t n;
	ng_diag d;
	for (size_t i = 0; i < job->ndeps; i++) {
		cg_asm *dep = job->deps[i];
		int hint = MD_LOADHINT_DEFAULT;
		if (md_dependency_hints(dep->img, ar, &hints, &n, &d) == 0)
			for (uint32_t k = 0; k < n; k++)
				if (!hints[k].assembly)
					hint = hints[k].load_hint;
		if (md_dependency_hints(job->self.img, ar, &hints, &n, &d) == 0)
			for (uint32_t k = 0; k < n; k++)
				if (hints[k].assembly && strcasecmp(hints[k].assembly, dep->name) == 0)
					hint = hints[k].load_hint;
		dep->hard_hint = hint == MD_LOADHINT_ALWAYS;
	}
}

/* ---- sorting the methods ---- */

static const char *no_body_reason(const md_methoddef *def, const char **cat)
{
	if (def->flags & MD_METHOD_ABSTRACT)
		return *cat = "no IL body (abstract)", "abstract method: no IL body";
	if (def->flags & MD_METHOD_PINVOKEIMPL)
		return *cat = "no IL body (P/Invoke)", "P/Invoke method: no IL body";
	if (def->impl_flags & MD_METHODIMPL_INTERNALCALL)
		return *cat = "no IL body (internal call)", "internal call: implemented by the runtime";
	if ((def->impl_flags & MD_METHODIMPL_CODETYPE_MASK) == MD_METHODIMPL_RUNTIME)
		return *cat = "no IL body (runtime)", "runtime-implemented method (delegate)";
	return *cat = "no IL body", "method has no IL body";
}

static void sort_methods(cg_job *job)
{
	cg_asm *a = &job->self;
	job->nmethods = md_row_count(a->img, MD_T_METHODDEF);
	job->methods = xcalloc(job->nmethods + 1, sizeof *job->methods);
	job->todo = xcalloc(job->nmethods + 1, sizeof *job->todo);
	for (uint32_t row = 1; row <= job->nmethods; row++) {
		cg_method_state *st = &job->methods[row - 1];
		md_methoddef def;
		md_methoddef_get(a->img, row, &def);
		if (md_method_is_bypass_ngen(a->img, row)) {
			st->status = NG_METHOD_BYPASS;
			st->reason = "marked BypassNGenAttribute";
			st->category = "BypassNGenAttribute";
		} else if (!md_method_has_body(a->img, row)) {
			st->status = NG_METHOD_EXCLUDED;
			st->reason = no_body_reason(&def, &st->category);
		} else {
			job->todo[job->ntodo++] = row;
		}
	}
	job->total = job->nmethods;
	job->done = job->nmethods - job->ntodo;
}

/* ---- modules on threads ---- */

typedef struct worker {
	cg_job *job;
	cg_mod mod;
	uint32_t first, end;           /* into job->todo */
	pthread_t thread;
	int started;
	double t_start;
} worker;

static void progress(cg_job *job)
{
	pthread_mutex_lock(&job->lock);
	job->done++;
	if (job->req->progress)
		job->req->progress(job->req->progress_ctx, job->done, job->total);
	pthread_mutex_unlock(&job->lock);
}

static int canceled(const cg_job *job)
{
	return job->req->cancel && *job->req->cancel;
}

static void mod_init(cg_mod *m, cg_job *job, int index)
{
	m->job = job;
	m->index = index;
	ng_arena_init(&m->arena);
	ng_diag_clear(&m->diag);
	m->ctx = LLVMContextCreate();
	char name[32];
	snprintf(name, sizeof name, "ngen.%d", index);
	m->mod = LLVMModuleCreateWithNameInContext(name, m->ctx);
	m->b = LLVMCreateBuilderInContext(m->ctx);
	m->t_void = LLVMVoidTypeInContext(m->ctx);
	m->t_i1 = LLVMInt1TypeInContext(m->ctx);
	m->t_i8 = LLVMInt8TypeInContext(m->ctx);
	m->t_i16 = LLVMInt16TypeInContext(m->ctx);
	m->t_i32 = LLVMInt32TypeInContext(m->ctx);
	m->t_i64 = LLVMInt64TypeInContext(m->ctx);
	m->t_f32 = LLVMFloatTypeInContext(m->ctx);
	m->t_f64 = LLVMDoubleTypeInContext(m->ctx);
	m->t_ptr = LLVMPointerType(m->t_i8, 0);
	m->manifest = LLVMAddGlobal(m->mod, m->t_i8, NG_MANIFEST_SYMBOL);
	LLVMSetVisibility(m->manifest, LLVMProtectedVisibility);
}

static void mod_close(cg_mod *m)
{
	if (m->b)
		LLVMDisposeBuilder(m->b);
	if (m->tm)
		LLVMDisposeTargetMachine(m->tm);
	if (m->ctx)
		LLVMContextDispose(m->ctx);   /* frees the module with it */
	m->b = NULL, m->tm = NULL, m->ctx = NULL, m->mod = NULL;
}

static void method_symbol(cg_job *job, uint32_t row, char out[CG_SYMBOL_MAX])
{
	cg__symbol(out, "ngm", job->self.mvid, MD_TOKEN(MD_T_METHODDEF, row));
}


static void compile_range(worker *w)
{
	cg_job *job = w->job;
	cg_mod *m = &w->mod;
	ng_arena scratch;
	ng_arena_init(&scratch);
	char sym[CG_SYMBOL_MAX];
	for (uint32_t i = w->first; i < w->end && !canceled(job); i++) {
		uint32_t row = job->todo[i];
		method_symbol(job, row, sym);
		cg__method_compile(m, &job->self, row, sym, &scratch, &job->methods[row - 1]);
		ng_arena_close(&scratch);
		ng_arena_init(&scratch);
		progress(job);
	}
	ng_arena_close(&scratch);
}

static double now(void);

/* NGEN_CG_DUMP=DIR: the module's IR before and after optimisation, as
 * DIR/mN.in.ll and DIR/mN.out.ll (for measurement and debugging). */
static void dump_ir(cg_mod *m, const char *stage)
{
	const char *dir = getenv("NGEN_CG_DUMP");
	if (!dir || !*dir)
		return;
	char path[4096];
	char *err = NULL;
	snprintf(path, sizeof path, "%s/m%d.%s.ll", dir, m->index, stage);
	if (LLVMPrintModuleToFile(m->mod, path, &err))
		fprintf(stderr, "NGEN_CG_DUMP: %s: %s\n", path, err ? err : "?");
	LLVMDisposeMessage(err);
}

static int finish_module(worker *w)
{
	cg_job *job = w->job;
	cg_mod *m = &w->mod;
	int debug = (job->req->scenario & NG_SCENARIO_DEBUG) != 0;
	double t0 = now();
	cg__debug_module_end(m);
	char *msg = NULL;
	if (LLVMVerifyModule(m->mod, LLVMReturnStatusAction, &msg)) {
		ng_diag_set(&m->diag, NG_ERR_LLVM, "internal: module %d of %s does not verify: %.300s",
			    m->index, job->self.path, msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return NG_ERR_LLVM;
	}
	LLVMDisposeMessage(msg);
	dump_ir(m, "in");
	int rc = cg__optimize(m->mod, m->tm, debug ? CG_PIPELINE_NONE : cg__pipeline_default(),
			      &m->diag);
	dump_ir(m, "out");
	double t1 = now();
	if (rc == 0)
		rc = cg__emit_object(m->mod, m->tm, m->object_path, &m->diag);
	if (getenv("NGEN_CG_TIMING"))
		fprintf(stderr, "module %d: ir %.3f s, optimise %.3f s, emit %.3f s\n", m->index,
			t0 - w->t_start, t1 - t0, now() - t1);
	return rc;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	cg_mod *m = &w->mod;
	int debug = (w->job->req->scenario & NG_SCENARIO_DEBUG) != 0;
	m->rc = cg__target_machine(!debug, &m->tm, &m->diag);
	if (m->rc == 0) {
		cg__module_setup(m->mod, m->tm);
		cg__debug_module_begin(m, &w->job->self);
		w->t_start = now();
		compile_range(w);
		if (canceled(w->job))
			m->rc = ng_diag_set(&m->diag, NG_ERR_CANCELED, "compiling %s was canceled",
					    w->job->req->assembly_path);
		else
			m->rc = finish_module(w);
	}
	mod_close(m);
	return NULL;
}

/* Modules to build: as asked, else one per core but at least ~400
 * methods per module (a thread and a module cost more than a small
 * assembly saves). */
static int thread_count(const cg_job *job)
{
	int n = job->req->threads;
	if (n <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
		int by_size = (int)(job->ntodo / 400) + 1;
		if (n > by_size)
			n = by_size;
	}
	if ((uint32_t)n > job->ntodo)
		n = (int)job->ntodo;
	if (n > 16)
		n = 16;
	return n < 1 ? 1 : n;
}

/* The expected cost of a method: instance methods are excluded at once,
 * static ones go through LLVM (roughly in proportion to their IL). */
static uint64_t method_weight(cg_job *job, uint32_t row)
{
	md_methoddef def;
	if (md_methoddef_get(job->self.img, row, &def) || !(def.flags & MD_METHOD_STATIC))
		return 1;
	uint32_t avail = def.rva ? md_rva_avail(job->self.img, def.rva) : 0;
	const uint8_t *p;
	uint32_t size = 64;
	/* The body header gives the code size: tiny (1 byte) or fat (12). */
	if (avail && md_rva_data(job->self.img, def.rva, 1, &p, NULL) == 0) {
		if ((p[0] & 3) == 2)
			size = p[0] >> 2;
		else if (avail >= 8 && md_rva_data(job->self.img, def.rva, 8, &p, NULL) == 0)
			size = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			       (uint32_t)p[7] << 24;
	}
	return 40 + (size < 100000 ? size : 100000);
}

/* Contiguous ranges of job->todo of about equal expected cost. */
static void split_ranges(cg_job *job, worker *ws, int n)
{
	uint64_t total = 0, acc = 0;
	uint64_t *w = xcalloc(job->ntodo + 1, sizeof *w);
	for (uint32_t i = 0; i < job->ntodo; i++)
		total += w[i] = method_weight(job, job->todo[i]);
	uint32_t i = 0;
	for (int k = 0; k < n; k++) {
		ws[k].first = i;
		uint64_t goal = total * (uint64_t)(k + 1) / (uint64_t)n;
		while (i < job->ntodo && (acc < goal || k == n - 1))
			acc += w[i++];
		ws[k].end = i;
	}
	free(w);
}

static int run_workers(cg_job *job, worker *ws, int n)
{
	split_ranges(job, ws, n);
	for (int i = 0; i < n; i++) {
		ws[i].job = job;
		mod_init(&ws[i].mod, job, i);
		ws[i].mod.object_path = ng_arena_printf(&ws[i].mod.arena, "%s/mod%d.o", job->tmpdir, i);
	}
	/* The first module runs on this thread. */
	for (int i = 1; i < n; i++)
		ws[i].started = pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) == 0;
	worker_main(&ws[0]);
	for (int i = 1; i < n; i++) {
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
		else
			worker_main(&ws[i]);
	}
	for (int i = 0; i < n; i++)
		if (ws[i].mod.rc) {
			if (job->diag)
				*job->diag = ws[i].mod.diag;
			return ws[i].mod.rc;
		}
	return 0;
}

/* ---- manifest and image ---- */

static void static_data(cg_job *job, ng_arena *ar, cg_data_symbol **out, size_t *n)
{
	cg_asm *a = &job->self;
	uint32_t nf = md_row_count(a->img, MD_T_FIELD), nt = md_row_count(a->img, MD_T_TYPEDEF);
	cg_data_symbol *d = ng_arena_alloc(ar, ((size_t)nf + nt + 1) * sizeof *d);
	size_t k = 0;
	for (uint32_t row = 1; row <= nf; row++) {
		uint32_t flags = md_get(a->img, MD_T_FIELD, row, MD_FIELD_FLAGS);
		if (!(flags & MD_FIELD_STATIC) || (flags & (MD_FIELD_LITERAL | MD_FIELD_HASFIELDRVA)))
			continue;
		md_blob blob;
		md_type *t;
		cg_kind kind;
		const char *why;
		if (md_blob_get(a->img, md_get(a->img, MD_T_FIELD, row, MD_FIELD_SIGNATURE), &blob) ||
		    md_sig_field(a->img, blob, ar, &t, NULL) ||
		    cg__asm_kind(job, a, t, ar, &kind, &why, NULL) || kind == CG_K_VOID)
			continue;
		static const uint8_t size[CG_K_COUNT_] = {
			[CG_K_BOOL] = 1, [CG_K_I1] = 1, [CG_K_U1] = 1, [CG_K_CHAR] = 2, [CG_K_I2] = 2,
			[CG_K_U2] = 2, [CG_K_I4] = 4, [CG_K_U4] = 4, [CG_K_R4] = 4,
		};
		char *sym = ng_arena_alloc(ar, CG_SYMBOL_MAX);
		cg__symbol(sym, "ngs", a->mvid, MD_TOKEN(MD_T_FIELD, row));
		uint32_t sz = size[kind] ? size[kind] : 8;
		d[k++] = (cg_data_symbol){ sym, sz, sz };
	}
	for (uint32_t row = 1; row <= nt; row++) {
		if (!a->cctor_of[row])
			continue;
		char *sym = ng_arena_alloc(ar, CG_SYMBOL_MAX);
		cg__symbol(sym, "ngt", a->mvid, MD_TOKEN(MD_T_TYPEDEF, row));
		d[k++] = (cg_data_symbol){ sym, 4, 4 };
	}
	*out = d;
	*n = k;
}

static comp_dep *manifest_deps(cg_job *job)
{
	comp_dep *deps = xcalloc(job->ndeps + 1, sizeof *deps);
	for (size_t i = 0; i < job->ndeps; i++) {
		cg_asm *a = job->deps[i];
		deps[i].display_name = xstrdup(a->display_name);
		deps[i].path = xstrdup(a->path);
		memcpy(deps[i].mvid, a->mvid, 16);
		deps[i].hard_bound = a->hard_hint && a->referenced;
	}
	return deps;
}

/* Stubs for the excluded methods that compiled code of this image refers
 * to (calls, ldftn, type initialisers); nothing else can reach one. */
static void emit_stubs(cg_job *job, cg_mod *m, const worker *ws, int nmods)
{
	uint8_t *done = xcalloc(job->nmethods + 1, 1);
	char sym[CG_SYMBOL_MAX];
	for (int i = 0; i < nmods; i++) {
		for (uint32_t k = 0; k < ws[i].mod.nrefs; k++) {
			uint32_t row = ws[i].mod.refs[k];
			if (row == 0 || row > job->nmethods || done[row] ||
			    job->methods[row - 1].status == NG_METHOD_COMPILED)
				continue;
			done[row] = 1;
			method_symbol(job, row, sym);
			cg__method_stub(m, MD_TOKEN(MD_T_METHODDEF, row), sym);
		}
	}
	free(done);
}

static int emit_manifest(cg_job *job, const comp_dep *deps, const char *obj, ng_arena *ar,
			 const worker *ws, int nmods)
{
	cg_manifest_method *mm = ng_arena_alloc(ar, ((size_t)job->nmethods + 1) * sizeof *mm);
	for (uint32_t row = 1; row <= job->nmethods; row++) {
		const cg_method_state *st = &job->methods[row - 1];
		char *sym = NULL;
		if (st->status == NG_METHOD_COMPILED) {
			sym = ng_arena_alloc(ar, CG_SYMBOL_MAX);
			method_symbol(job, row, sym);
		}
		mm[row - 1] = (cg_manifest_method){ MD_TOKEN(MD_T_METHODDEF, row), st->status, sym,
						    st->reason };
	}
	cg_manifest_desc d = {
		.scenario = job->req->scenario, .display_name = job->self.display_name,
		.entry_token = md_entry_point(job->self.img), .deps = deps, .dep_count = job->ndeps,
		.methods = mm, .method_count = job->nmethods, .imports = job->imports,
		.import_count = job->nimports, .import_cells = job->import_cells,
	};
	memcpy(d.mvid, job->self.mvid, 16);
	cg_data_symbol *data;
	static_data(job, ar, &data, &d.data_count);
	d.data = data;

	cg_mod m = { 0 };
	mod_init(&m, job, 999);
	int rc = cg__target_machine(1, &m.tm, job->diag);
	if (rc == 0) {
		cg__module_setup(m.mod, m.tm);
		/* mod_init declared the manifest; the emitter defines it. */
		LLVMDeleteGlobal(m.manifest);
		cg__manifest_emit(m.mod, &d);
		m.manifest = LLVMGetNamedGlobal(m.mod, NG_MANIFEST_SYMBOL);
		emit_stubs(job, &m, ws, nmods);
		rc = cg__emit_object(m.mod, m.tm, obj, job->diag);
	}
	mod_close(&m);
	ng_arena_close(&m.arena);
	return rc;
}

static int emit_empty(cg_job *job, const char *obj)
{
	cg_mod m = { 0 };
	mod_init(&m, job, 998);
	int rc = cg__target_machine(1, &m.tm, job->diag);
	if (rc == 0) {
		cg__module_setup(m.mod, m.tm);
		LLVMDeleteGlobal(m.manifest);
		rc = cg__emit_object(m.mod, m.tm, obj, job->diag);
	}
	mod_close(&m);
	ng_arena_close(&m.arena);
	return rc;
}

static int link_image(cg_job *job, const worker *ws, int nmods, ng_arena *ar,
		      const comp_dep *deps)
{
	const char **objs = ng_arena_alloc(ar, (size_t)(nmods + 2) * sizeof *objs);
	for (int i = 0; i < nmods; i++)
		objs[i] = ng_arena_printf(ar, "%s/mod%d.o", job->tmpdir, i);
	objs[nmods] = ng_arena_printf(ar, "%s/manifest.o", job->tmpdir);
	int rc = emit_manifest(job, deps, objs[nmods], ar, ws, nmods);
	if (rc)
		return rc;
	const char **needed = ng_arena_alloc(ar, (job->ndeps + 1) * sizeof *needed);
	size_t nneeded = 0;
	char hex[33];
	for (size_t i = 0; i < job->ndeps; i++) {
		if (!deps[i].hard_bound)
			continue;
		ng_hex(job->deps[i]->mvid, 16, hex);
		needed[nneeded++] = ng_arena_printf(ar, "%s-%s.ni.so", job->deps[i]->name, hex);
	}
	const char *empty = ng_arena_printf(ar, "%s/empty.o", job->tmpdir);
	if (nneeded && (rc = emit_empty(job, empty)))
		return rc;
	ng_hex(job->self.mvid, 16, hex);
	cg_link_req lr = {
		.objects = objs, .object_count = (size_t)nmods + 1, .empty_object = empty,
		.soname = ng_arena_printf(ar, "%s-%s.ni.so", job->self.name, hex),
		.needed = needed, .needed_count = nneeded, .tmpdir = job->tmpdir,
		.output = job->req->output_path,
	};
	rc = cg__link(&lr, job->diag);
	for (int i = 0; i <= nmods; i++)
		unlink(objs[i]);
	if (nneeded)
		unlink(empty);
	return rc;
}

/* ---- the result ---- */

static int reason_cmp(const void *a, const void *b)
{
	const comp_reason *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->text, y->text);
}

static void fill_result(cg_job *job, comp_result *res, comp_dep *deps)
{
	res->display_name = xstrdup(job->self.display_name);
	memcpy(res->mvid, job->self.mvid, 16);
	res->methods_total = job->nmethods;
	res->deps = deps;
	res->dep_count = job->ndeps;
	res->reasons = xcalloc(job->nmethods + 1, sizeof *res->reasons);
	for (uint32_t row = 1; row <= job->nmethods; row++) {
		const cg_method_state *st = &job->methods[row - 1];
		if (st->status == NG_METHOD_COMPILED) {
			res->methods_compiled++;
			continue;
		}
		if (st->status == NG_METHOD_BYPASS) {
			res->methods_bypassed++;
			continue;
		}
		res->methods_excluded++;
		const char *cat = st->category ? st->category : "internal";
		size_t k;
		for (k = 0; k < res->reason_count; k++)
			if (strcmp(res->reasons[k].text, cat) == 0)
				break;
		if (k == res->reason_count)
			res->reasons[res->reason_count++].text = xstrdup(cat);
		res->reasons[k].count++;
	}
	qsort(res->reasons, res->reason_count, sizeof *res->reasons, reason_cmp);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int make_tmpdir(cg_job *job)
{
	const char *t = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/ngen-cg.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpl)) {
		int e = -errno;
		ng_diag_set(job->diag, e, "cannot create a temporary directory %s: %s", tmpl,
			    ng_strerror(e));
		free(tmpl);
		return e;
	}
	job->tmpdir = tmpl;
	return 0;
}

static void job_close(cg_job *job)
{
	for (size_t i = 0; i < job->ndeps; i++) {
		free(job->deps[i]->refmap);
		free(job->deps[i]->ref_tried);
		cg__asm_close(job->deps[i]);
		free(job->deps[i]);
	}
	for (size_t i = 0; i < job->nextra; i++) {
		free(job->extra[i]->refmap);
		free(job->extra[i]->ref_tried);
		cg__asm_close(job->extra[i]);
		free(job->extra[i]);
	}
	free(job->self.refmap);
	free(job->self.ref_tried);
	cg__asm_close(&job->self);
	free(job->deps);
	free(job->extra);
	free(job->methods);
	free(job->todo);
	free(job->imports);
	if (job->tmpdir)
		rmdir(job->tmpdir);
	free(job->tmpdir);
	pthread_mutex_destroy(&job->lock);
}

static int check_output(const comp_request *req, ng_diag *diag)
{
	const char *slash = strrchr(req->output_path, '/');
	char *dir = slash ? xstrndup(req->output_path, (size_t)(slash - req->output_path)) : xstrdup(".");
	if (!*dir) {
		free(dir);
		dir = xstrdup("/");
	}
	struct stat st;
	int rc = 0;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = ng_diag_set(diag, -ENOENT, "output directory %s does not exist", dir);
	else if (access(dir, W_OK) < 0)
		rc = ng_diag_set(diag, -EACCES, "output directory %s is not writable", dir);
	free(dir);
	return rc;
}

int cg_compile(const comp_request *req, comp_result *res, ng_diag *diag)
{
	memset(res, 0, sizeof *res);
	if (!req || !req->assembly_path || !req->output_path)
		return ng_diag_set(diag, NG_ERR_INVAL, "compile: an assembly and an output path are needed");
	double t0 = now();
	int rc = cg__init(diag);
	if (rc == 0)
		rc = check_output(req, diag);
	if (rc)
		return rc;
	cg_job job = { .req = req, .diag = diag };
	pthread_mutex_init(&job.lock, NULL);
	ng_arena ar;
	ng_arena_init(&ar);
	worker *ws = NULL;
	int nmods = 0;
	comp_dep *deps = NULL;
	rc = cg__asm_open(&job.self, req->assembly_path, diag);
	if (rc) {
		pthread_mutex_destroy(&job.lock);
		ng_arena_close(&ar);
		return rc;
	}
	cg__symbol(job.import_cells, "ngi", job.self.mvid, 0);
	rc = open_deps(&job);
	if (rc == 0) {
		apply_hints(&job, &ar);
		sort_methods(&job);
		rc = make_tmpdir(&job);
	}
	if (rc == 0) {
		nmods = thread_count(&job);
		ws = xcalloc((size_t)nmods, sizeof *ws);
		rc = run_workers(&job, ws, nmods);
	}
	if (rc == 0 && canceled(&job))
		rc = ng_diag_set(diag, NG_ERR_CANCELED, "compiling %s was canceled", req->assembly_path);
	if (rc == 0) {
		deps = manifest_deps(&job);
		rc = link_image(&job, ws, nmods, &ar, deps);
	}
	if (rc && job.tmpdir) {
		for (int i = 0; i < nmods; i++)
			unlink(ws[i].mod.object_path);
	}
	if (deps || rc == 0) {
		if (!deps)
			deps = manifest_deps(&job);
		fill_result(&job, res, deps);
	}
	struct stat st;
	if (rc == 0 && stat(req->output_path, &st) == 0)
		res->image_size = (size_t)st.st_size;
	for (int i = 0; i < nmods; i++)
		ng_arena_close(&ws[i].mod.arena);
	free(ws);
	job_close(&job);
	ng_arena_close(&ar);
	res->seconds = now() - t0;
	return rc;
}
