/* compiler/cg_debug.c - DWARF for /Debug images, through LLVM-C's DIBuilder.
 *
 * One compile unit per module; one subprogram per method, named
 * Namespace.Type::Method (the symbol ngm_... is its linkage name), so gdb
 * can break on either. Every instruction of the method carries the source
 * line of the IL instruction it came from: from the .mdb symbol file that
 * mcs -debug writes next to the assembly (cg_mdb.c), else the IL offset
 * itself as the line number of a file named after the assembly (so "line
 * 19" means IL_0012: IL offset + 1, lines start at 1). Nothing here runs
 * outside the Debug scenario. */
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
