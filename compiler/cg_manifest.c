/* compiler/cg_manifest.c - the image's manifest and data as LLVM globals.
 *
 * The manifest (struct ng_manifest, base/abi.h) is one constant global,
 * exported as NG_MANIFEST_SYMBOL; its arrays (dependencies, the method table
 * in token order, the soft-bound imports) and strings are private constants
 * next to it. LLVM's default layout of a non-packed struct of these fields
 * is the C layout of x86-64 and the other LP64 targets, so the LLVM types
 * below mirror abi.h field by field (tests/compiler/test_cg_manifest.c
 * reads an image back through the C struct).
 *
 * The same module defines the image's mutable data: the import cells (one
 * pointer each, NULL until the runtime binds them), static field storage
 * (ngs_*) and type-initialisation states (ngt_*), zero-initialised and
 * exported with protected visibility so hard-bound images reference them
 * directly while references inside the image never go through the GOT. */
#include "compiler/cg.h"

#include "base/abi.h"
#include "base/hash.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cg__symbol(char out[CG_SYMBOL_MAX], const char *prefix, const uint8_t mvid[16],
		uint32_t token)
{
	char hex[33];
	ng_hex(mvid, 16, hex);
	snprintf(out, CG_SYMBOL_MAX, "%s_%s_%08x", prefix, hex, token);
}

typedef struct man_ctx {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMTypeRef i8, i32, ptr, mvid;
	/* Identical strings share one global (reasons repeat a lot). */
	char **keys;
	LLVMValueRef *vals;
	size_t cap, used;
} man_ctx;

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void strings_grow(man_ctx *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	char **keys = xcalloc(cap, sizeof *keys);
	LLVMValueRef *vals = xcalloc(cap, sizeof *vals);
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = str_hash(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys, m->vals = vals, m->cap = cap;
}

/* An i8* to a private NUL-terminated constant, or NULL for s == NULL. */
static LLVMValueRef cstring(man_ctx *m, const char *s)
{
	if (!s)
		return LLVMConstNull(m->ptr);
	if ((m->used + 1) * 2 > m->cap)
		strings_grow(m);
	size_t j = str_hash(s) & (m->cap - 1);
	while (m->keys[j]) {
		if (strcmp(m->keys[j], s) == 0)
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	size_t len = strlen(s);
	LLVMValueRef init = LLVMConstStringInContext(m->ctx, s, (unsigned)len, 0);
	LLVMValueRef g = LLVMAddGlobal(m->mod, LLVMTypeOf(init), ".str");
	LLVMSetInitializer(g, init);
	LLVMSetLinkage(g, LLVMPrivateLinkage);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
	LLVMSetAlignment(g, 1);
	LLVMValueRef p = LLVMConstBitCast(g, m->ptr);
	m->keys[j] = xstrdup(s);
	m->vals[j] = p;
	m->used++;
	return p;
}

static LLVMValueRef const_mvid(man_ctx *m, const uint8_t mvid[16])
{
	LLVMValueRef bytes[16];
	for (int i = 0; i < 16; i++)
		bytes[i] = LLVMConstInt(m->i8, mvid[i], 0);
	return LLVMConstArray(m->i8, bytes, 16);
}

/* A private constant array of structs; returns an i8* to it (NULL if n==0). */
static LLVMValueRef const_table(man_ctx *m, LLVMTypeRef elem, LLVMValueRef *items, size_t n,
				const char *name)
{
	if (n == 0)
		return LLVMConstNull(m->ptr);
	LLVMValueRef init = LLVMConstArray(elem, items, (unsigned)n);
	LLVMValueRef g = LLVMAddGlobal(m->mod, LLVMTypeOf(init), name);
	LLVMSetInitializer(g, init);
	LLVMSetLinkage(g, LLVMPrivateLinkage);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetAlignment(g, 8);
	return LLVMConstBitCast(g, m->ptr);
}

static LLVMValueRef deps_table(man_ctx *m, const cg_manifest_desc *d)
{
	LLVMTypeRef f[] = { m->ptr, m->mvid, m->i32 };
	LLVMTypeRef t = LLVMStructTypeInContext(m->ctx, f, 3, 0);
	LLVMValueRef *items = xcalloc(d->dep_count + 1, sizeof *items);
	for (size_t i = 0; i < d->dep_count; i++) {
		LLVMValueRef v[] = {
			cstring(m, d->deps[i].display_name),
			const_mvid(m, d->deps[i].mvid),
			LLVMConstInt(m->i32, d->deps[i].hard_bound ? 1 : 0, 0),
		};
		items[i] = LLVMConstNamedStruct(t, v, 3);
	}
	LLVMValueRef r = const_table(m, t, items, d->dep_count, "ngen_deps");
	free(items);
	return r;
}

/* The address of a compiled method, declared here when defined in another
 * module of the same image (the linker resolves it). */
static LLVMValueRef method_code(man_ctx *m, const char *symbol)
{
	LLVMValueRef f = LLVMGetNamedFunction(m->mod, symbol);
	if (!f) {
		LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), NULL, 0, 0);
		f = LLVMAddFunction(m->mod, symbol, fty);
		LLVMSetVisibility(f, LLVMProtectedVisibility);
	}
	return LLVMConstBitCast(f, m->ptr);
}

static LLVMValueRef methods_table(man_ctx *m, const cg_manifest_desc *d)
{
	LLVMTypeRef f[] = { m->i32, m->i32, m->ptr, m->ptr };
	LLVMTypeRef t = LLVMStructTypeInContext(m->ctx, f, 4, 0);
	LLVMValueRef *items = xcalloc(d->method_count + 1, sizeof *items);
	for (size_t i = 0; i < d->method_count; i++) {
		const cg_manifest_method *mm = &d->methods[i];
		int compiled = mm->status == NG_METHOD_COMPILED && mm->symbol;
		LLVMValueRef v[] = {
			LLVMConstInt(m->i32, mm->token, 0),
			LLVMConstInt(m->i32, mm->status, 0),
			compiled ? method_code(m, mm->symbol) : LLVMConstNull(m->ptr),
			compiled ? LLVMConstNull(m->ptr) : cstring(m, mm->reason),
		};
		items[i] = LLVMConstNamedStruct(t, v, 4);
	}
	LLVMValueRef r = const_table(m, t, items, d->method_count, "ngen_methods");
	free(items);
	return r;
}

/* The import cells: [n x i8*] of NULLs, hidden (only this image uses them). */
static LLVMValueRef import_cells(man_ctx *m, const cg_manifest_desc *d)
{
	size_t n = d->import_count;
	LLVMTypeRef at = LLVMArrayType(m->ptr, (unsigned)n);
	LLVMValueRef g = LLVMAddGlobal(m->mod, at, d->import_cells);
	LLVMSetInitializer(g, LLVMConstNull(at));
	LLVMSetVisibility(g, LLVMHiddenVisibility);
	LLVMSetAlignment(g, 8);
	return g;
}

static LLVMValueRef imports_table(man_ctx *m, const cg_manifest_desc *d)
{
	LLVMTypeRef f[] = { m->ptr, m->i32, m->i32 };
	LLVMTypeRef t = LLVMStructTypeInContext(m->ctx, f, 3, 0);
	if (d->import_count == 0)
		return LLVMConstNull(m->ptr);
	LLVMValueRef cells = import_cells(m, d);
	LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
	LLVMValueRef *items = xcalloc(d->import_count, sizeof *items);
	for (size_t i = 0; i < d->import_count; i++) {
		LLVMValueRef idx[] = { LLVMConstInt(i64, 0, 0), LLVMConstInt(i64, i, 0) };
		LLVMValueRef cell = LLVMConstInBoundsGEP2(LLVMGlobalGetValueType(cells), cells,
							  idx, 2);
		LLVMValueRef v[] = {
			LLVMConstBitCast(cell, m->ptr),
			LLVMConstInt(m->i32, d->imports[i].dep_index, 0),
			LLVMConstInt(m->i32, d->imports[i].token, 0),
		};
		items[i] = LLVMConstNamedStruct(t, v, 3);
	}
	LLVMValueRef r = const_table(m, t, items, d->import_count, "ngen_imports");
	free(items);
	return r;
}

static void data_symbols(man_ctx *m, const cg_manifest_desc *d)
{
	for (size_t i = 0; i < d->data_count; i++) {
		const cg_data_symbol *s = &d->data[i];
		LLVMTypeRef t = LLVMArrayType(m->i8, s->size ? s->size : 1);
		LLVMValueRef g = LLVMAddGlobal(m->mod, t, s->symbol);
		LLVMSetInitializer(g, LLVMConstNull(t));
		LLVMSetVisibility(g, LLVMProtectedVisibility);
		LLVMSetAlignment(g, s->align ? s->align : 8);
	}
}

void cg__manifest_emit(LLVMModuleRef mod, const cg_manifest_desc *d)
{
	man_ctx m = { .ctx = LLVMGetModuleContext(mod), .mod = mod };
	m.i8 = LLVMInt8TypeInContext(m.ctx);
	m.i32 = LLVMInt32TypeInContext(m.ctx);
	m.ptr = LLVMPointerType(m.i8, 0);
	m.mvid = LLVMArrayType(m.i8, 16);

	data_symbols(&m, d);
	LLVMValueRef deps = deps_table(&m, d);
	LLVMValueRef methods = methods_table(&m, d);
	LLVMValueRef imports = imports_table(&m, d);

	LLVMTypeRef f[] = { m.i32, m.i32, m.ptr, m.ptr, m.ptr, m.ptr, m.i32, m.ptr, m.mvid,
			    m.i32, m.i32, m.ptr, m.i32, m.ptr, m.i32, m.ptr };
	LLVMTypeRef t = LLVMStructTypeInContext(m.ctx, f, 16, 0);
	LLVMValueRef v[] = {
		LLVMConstInt(m.i32, NG_MANIFEST_MAGIC, 0),
		LLVMConstInt(m.i32, NG_IMAGE_FORMAT, 0),
		cstring(&m, COMP_COMPILER_VERSION),
		cstring(&m, cg__llvm_version()),
		cstring(&m, cg__host_triple()),
		cstring(&m, cg__host_features()),
		LLVMConstInt(m.i32, d->scenario, 0),
		cstring(&m, d->display_name),
		const_mvid(&m, d->mvid),
		LLVMConstInt(m.i32, d->entry_token, 0),
		LLVMConstInt(m.i32, d->dep_count, 0),
		deps,
		LLVMConstInt(m.i32, d->method_count, 0),
		methods,
		LLVMConstInt(m.i32, d->import_count, 0),
		imports,
	};
	/* The manifest may be named by the runtime (dlsym) but code in the image
	 * reaches it directly: protected, like the methods. */
	LLVMValueRef g = LLVMGetNamedGlobal(mod, NG_MANIFEST_SYMBOL);
	if (!g)
		g = LLVMAddGlobal(mod, t, NG_MANIFEST_SYMBOL);
	LLVMSetInitializer(g, LLVMConstNamedStruct(t, v, 16));
	LLVMSetGlobalConstant(g, 1);
	LLVMSetVisibility(g, LLVMProtectedVisibility);
	LLVMSetAlignment(g, 8);

	for (size_t i = 0; i < m.cap; i++)
		free(m.keys[i]);
	free(m.keys);
	free(m.vals);
}
