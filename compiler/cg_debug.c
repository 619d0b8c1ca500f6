/* compiler/cg_debug.c - DWARF for /Debug images, through LLVM-C's DIBuilder.
 *
 * One compile unit per module; one subprogram per method, named
 * Namespace.Type::Method (the symbol ngm_... is its linkage name), so gdb
 * can break on either. Every instruction of the method carries the source
 * line of the IL instruction it came from: from the .mdb symbol file that
 * mcs -debug writes next to the assembly (cg_mdb.c), else the IL offset
 * itself as the line number of a file named after the assembly (so "line
 * 19" means IL_0012: IL offset + 1, lines start at 1). Arguments carry
 * their metadata names and locals V_0, V_1... (the .mdb's local names are
 * not read), so gdb's `info args` / `info locals` show them. Nothing here
 * runs outside the Debug scenario. */
#include "compiler/cg_fn.h"
#include "compiler/cg_mdb.h"

#include "base/strbuf.h"

#include <llvm/Config/llvm-config.h>

#include <string.h>

static int debug_on(const cg_mod *m)
{
	return (cg__job_scenario(m->job) & NG_SCENARIO_DEBUG) != 0;
}

static LLVMMetadataRef di_file(cg_mod *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) : 1;
	const char *dir = slash ? path : ".";
	return LLVMDIBuilderCreateFile(m->dib, name, strlen(name), dir, dlen);
}

void cg__debug_module_begin(cg_mod *m, cg_asm *self)
{
	if (!debug_on(m))
		return;
	m->dib = LLVMCreateDIBuilder(m->mod);
	m->di_file = di_file(m, self->path);
	static const char producer[] = COMP_COMPILER_VERSION " (LLVM " LLVM_VERSION_STRING ")";
	m->di_cu = LLVMDIBuilderCreateCompileUnit(m->dib, LLVMDWARFSourceLanguageC, m->di_file,
		producer, strlen(producer), 0, "", 0, 0, "", 0, LLVMDWARFEmissionFull, 0, 0, 0,
		"", 0, "", 0);
	m->di_subr_type = LLVMDIBuilderCreateSubroutineType(m->dib, m->di_file, NULL, 0,
							    LLVMDIFlagZero);
	LLVMAddModuleFlag(m->mod, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
		LLVMValueAsMetadata(LLVMConstInt(m->t_i32, LLVMDebugMetadataVersion(), 0)));
	LLVMAddModuleFlag(m->mod, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13,
		LLVMValueAsMetadata(LLVMConstInt(m->t_i32, 4, 0)));
	/* The symbol file, when there is one. */
	const char *mdb = ng_arena_printf(&m->arena, "%s.mdb", self->path);
	cg_mdb *sym = NULL;
	if (cg_mdb_open(mdb, self->mvid, &sym) == 0)
		m->mdb = sym;
	m->dwarf_ok = 1;
}

void cg__debug_module_end(cg_mod *m)
{
	if (!m->dib)
		return;
	LLVMDIBuilderFinalize(m->dib);
	LLVMDisposeDIBuilder(m->dib);
	m->dib = NULL;
	if (m->mdb)
		cg_mdb_close(m->mdb);
	m->mdb = NULL;
}

void cg__debug_fn_begin(cg_fn *f)
{
	cg_mod *m = f->m;
	f->di_sp = NULL;
	f->cur_line = 0;
	if (!m->dib)
		return;
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(f->a->img, f->token, &sb);
	LLVMMetadataRef file = m->di_file;
	uint32_t line = 1;
	const char *src = m->mdb ? cg_mdb_method_file(m->mdb, f->token) : NULL;
	if (src) {
		file = di_file(m, src);
		line = cg_mdb_line(m->mdb, f->token, 0);
	}
	f->di_file = file;
	f->di_sp = LLVMDIBuilderCreateFunction(m->dib, file, ng_strbuf_str(&sb), sb.len,
		"", 0, file, line, m->di_subr_type, 0, 1, line,
		LLVMDIFlagPrototyped, 0);
	ng_strbuf_close(&sb);
	LLVMSetSubprogram(f->fn, f->di_sp);
	cg__debug_at(f, 0);
}

void cg__debug_at(cg_fn *f, uint32_t il_offset)
{
	cg_mod *m = f->m;
	if (!f->di_sp)
		return;
	uint32_t line = il_offset + 1;
	if (m->mdb && f->di_file != m->di_file)
		line = cg_mdb_line(m->mdb, f->token, il_offset);
	if (line == f->cur_line && LLVMGetCurrentDebugLocation2(m->b))
		return;
	f->cur_line = line;
	LLVMMetadataRef loc = LLVMDIBuilderCreateDebugLocation(m->ctx, line, 0, f->di_sp, NULL);
	LLVMSetCurrentDebugLocation2(m->b, loc);
}

/* The DWARF type of a storage kind (basic types; references and pointers
 * as pointers to an opaque byte). */
static LLVMMetadataRef di_type(cg_mod *m, cg_kind k)
{
	static const struct { const char *name; unsigned bits, enc; } basic[CG_K_COUNT_] = {
		[CG_K_BOOL] = { "bool", 8, 0x02 }, [CG_K_CHAR] = { "char", 16, 0x10 },
		[CG_K_I1] = { "int8", 8, 0x05 }, [CG_K_U1] = { "uint8", 8, 0x08 },
		[CG_K_I2] = { "int16", 16, 0x05 }, [CG_K_U2] = { "uint16", 16, 0x08 },
		[CG_K_I4] = { "int32", 32, 0x05 }, [CG_K_U4] = { "uint32", 32, 0x08 },
		[CG_K_I8] = { "int64", 64, 0x05 }, [CG_K_U8] = { "uint64", 64, 0x08 },
		[CG_K_I] = { "native int", 64, 0x05 }, [CG_K_U] = { "native uint", 64, 0x08 },
		[CG_K_PTR] = { "native int", 64, 0x05 },
		[CG_K_R4] = { "float32", 32, 0x04 }, [CG_K_R8] = { "float64", 64, 0x04 },
	};
	if (k < CG_K_COUNT_ && basic[k].name)
		return LLVMDIBuilderCreateBasicType(m->dib, basic[k].name, strlen(basic[k].name),
						    basic[k].bits, basic[k].enc, LLVMDIFlagZero);
	LLVMMetadataRef byte = LLVMDIBuilderCreateBasicType(m->dib, "uint8", 5, 8, 0x08,
							    LLVMDIFlagZero);
	return LLVMDIBuilderCreatePointerType(m->dib, byte, 64, 0, 0, "", 0);
}

/* The name of parameter i (0-based) from the Param table, or argN. */
static const char *param_name(cg_fn *f, uint32_t i)
{
	for (uint32_t pos = f->def.param_first; pos < f->def.param_end; pos++) {
		uint32_t row = md_param_at(f->a->img, pos);
		if (md_get(f->a->img, MD_T_PARAM, row, MD_PARAM_SEQUENCE) == i + 1) {
			const char *n = md_string(f->a->img, md_get(f->a->img, MD_T_PARAM, row,
								   MD_PARAM_NAME));
			if (*n)
				return n;
		}
	}
	return ng_arena_printf(f->ar, "arg%u", i);
}

void cg__debug_vars(cg_fn *f)
{
	cg_mod *m = f->m;
	if (!f->di_sp)
		return;
	uint32_t line = f->cur_line ? f->cur_line : 1;
	LLVMMetadataRef loc = LLVMDIBuilderCreateDebugLocation(m->ctx, line, 0, f->di_sp, NULL);
	LLVMMetadataRef expr = LLVMDIBuilderCreateExpression(m->dib, NULL, 0);
	for (uint32_t i = 0; i < f->nargs; i++) {
		const char *n = param_name(f, i);
		LLVMMetadataRef v = LLVMDIBuilderCreateParameterVariable(m->dib, f->di_sp, n,
			strlen(n), i + 1, f->di_file, line, di_type(m, f->arg_k[i]), 1, LLVMDIFlagZero);
		LLVMDIBuilderInsertDeclareAtEnd(m->dib, f->arg_p[i], v, expr, loc, f->bb_alloca);
	}
	for (uint32_t i = 0; i < f->nlocals; i++) {
		const char *n = ng_arena_printf(f->ar, "V_%u", i);
		LLVMMetadataRef v = LLVMDIBuilderCreateAutoVariable(m->dib, f->di_sp, n, strlen(n),
			f->di_file, line, di_type(m, f->loc_k[i]), 1, LLVMDIFlagZero, 0);
		LLVMDIBuilderInsertDeclareAtEnd(m->dib, f->loc_p[i], v, expr, loc, f->bb_alloca);
	}
}
