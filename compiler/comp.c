/* compiler/comp.c - the compile API without LLVM: loading the code
 * generator, the default resolver, results, and reading images back.
 *
 * The ngen binary never links libLLVM: comp_compile() finds cg_compile in
 * the process (tests link the code generator in) or loads libngen-cg.so the
 * first time it is needed (dlopen is thread-safe; the handle is kept for the
 * life of the process).
 *
 * comp_image_read() reads the manifest straight from the ELF file instead
 * of dlopen()ing the image: nothing is mapped executable or run, and an
 * image whose hard-bound dependencies are not loaded can still be read.
 * Images are linked with --apply-dynamic-relocs (cg_link.c), so every
 * pointer in the manifest holds its link-time address in the file; the
 * reader maps those addresses through the PT_LOAD program headers and
 * checks every access against the file's size. */
#include "compiler/comp.h"

#include "base/abi.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- loading the code generator ---- */

static pthread_mutex_t cg_lock = PTHREAD_MUTEX_INITIALIZER;
static void *cg_handle;

/* The directory of the running executable, with a trailing '/'. */
static char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	slash[1] = '\0';
	return xstrdup(buf);
}

static void *cg_symbol(const char *name, ng_diag *diag)
{
	void *sym = dlsym(RTLD_DEFAULT, name);
	if (sym)
		return sym;
	pthread_mutex_lock(&cg_lock);
	if (!cg_handle) {
		const char *env = getenv("NGEN_CGLIB");
		char *path = NULL;
		if (env && *env) {
			path = xstrdup(env);
		} else {
			char *dir = exe_dir();
			path = xasprintf("%slibngen-cg.so", dir ? dir : "./");
			free(dir);
		}
		/* RTLD_GLOBAL is not needed: the code generator calls into the
		 * executable (md_*), never the other way round except by dlsym. */
		cg_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!cg_handle) {
			const char *why = dlerror();
			ng_diag_set(diag, NG_ERR_UNSUPPORTED,
				    "cannot load the code generator %s: %s (build it with "
				    "`make`, or set NGEN_CGLIB to libngen-cg.so)",
				    path, why ? why : "?");
			free(path);
			pthread_mutex_unlock(&cg_lock);
			return NULL;
		}
		free(path);
	}
	pthread_mutex_unlock(&cg_lock);
	sym = dlsym(cg_handle, name);
	if (!sym)
		ng_diag_set(diag, NG_ERR_UNSUPPORTED,
			    "the code generator library has no %s (stale build?)", name);
	return sym;
}

int comp_compile(const comp_request *req, comp_result *res, ng_diag *diag)
{
	memset(res, 0, sizeof *res);
	if (!req || !req->assembly_path || !req->output_path)
		return ng_diag_set(diag, NG_ERR_INVAL,
				   "compile: an assembly path and an output path are needed");
	comp_cg_compile_fn fn;
	*(void **)&fn = cg_symbol(COMP_CG_COMPILE_SYMBOL, diag);
	if (!fn)
		return diag ? diag->code : NG_ERR_UNSUPPORTED;
	return fn(req, res, diag);
}

int comp_target_query(comp_target *out, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	comp_cg_target_fn fn;
	*(void **)&fn = cg_symbol(COMP_CG_TARGET_SYMBOL, diag);
	if (!fn)
		return diag ? diag->code : NG_ERR_UNSUPPORTED;
	return fn(out, diag);
}

void comp_target_close(comp_target *t)
{
	if (!t)
		return;
	free(t->triple);
	free(t->cpu_features);
	free(t->llvm_version);
	memset(t, 0, sizeof *t);
}

static void deps_free(comp_dep *deps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(deps[i].display_name);
		free(deps[i].path);
	}
	free(deps);
}

void comp_result_close(comp_result *res)
{
	if (!res)
		return;
	free(res->display_name);
	for (size_t i = 0; i < res->reason_count; i++)
		free(res->reasons[i].text);
	free(res->reasons);
	deps_free(res->deps, res->dep_count);
	memset(res, 0, sizeof *res);
}

char *comp_image_name(const char *assembly_path)
{
	const char *base = strrchr(assembly_path, '/');
	base = base ? base + 1 : assembly_path;
	size_t n = strlen(base);
	if (n > 4 && (strcasecmp(base + n - 4, ".dll") == 0 ||
		      strcasecmp(base + n - 4, ".exe") == 0))
		n -= 4;
	return xasprintf("%.*s.ni.so", (int)n, base);
}

/* ---- the default resolver ---- */

static int try_path(char *path, char **path_out)
{
	if (access(path, R_OK) == 0) {
		*path_out = path;
		return 0;
	}
	free(path);
	return NG_ERR_NOTFOUND;
}

int comp_default_resolve(void *ctx, const char *referencing_path,
			 const struct md_identity *ref, char **path_out)
{
	*path_out = NULL;
	if (!ref || !ref->name || !*ref->name || strchr(ref->name, '/'))
		return NG_ERR_INVAL;
	const char *name = ref->name;
	const char *slash = referencing_path ? strrchr(referencing_path, '/') : NULL;
	int dlen = slash ? (int)(slash - referencing_path) : 1;
	const char *dir = slash ? referencing_path : ".";
	if (try_path(xasprintf("%.*s/%s.dll", dlen, dir, name), path_out) == 0 ||
	    try_path(xasprintf("%.*s/%s.exe", dlen, dir, name), path_out) == 0)
		return 0;

	const char *mono = getenv("NGEN_MONO_LIB");
	if (!mono || !*mono)
		mono = "/usr/lib/mono";
	if (ref->has_token) {
		char tok[17];
		for (int i = 0; i < 8; i++)
			snprintf(tok + 2 * i, 3, "%02x", ref->token[i]);
		const char *culture = ref->culture && strcasecmp(ref->culture, "neutral") != 0
				      ? ref->culture : "";
		char *p = xasprintf("%s/gac/%s/%u.%u.%u.%u_%s_%s/%s.dll", mono, name,
				    ref->version[0], ref->version[1], ref->version[2],
				    ref->version[3], culture, tok, name);
		if (try_path(p, path_out) == 0)
			return 0;
	}
	return try_path(xasprintf("%s/4.5/%s.dll", mono, name), path_out);
}

/* ---- reading an image's manifest from the ELF file ---- */

typedef struct elf_file {
	const uint8_t *data;
	size_t size;
	const Elf64_Phdr *ph;
	unsigned phnum;
} elf_file;

/* The file bytes at virtual address va, n bytes long, or NULL. */
static const void *elf_at(const elf_file *e, uint64_t va, uint64_t n)
{
	for (unsigned i = 0; i < e->phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		if (p->p_type != PT_LOAD || va < p->p_vaddr || n > p->p_filesz ||
		    va - p->p_vaddr > p->p_filesz - n)
			continue;
		uint64_t off = p->p_offset + (va - p->p_vaddr);
		if (off > e->size || n > e->size - off)
			return NULL;
		return e->data + off;
	}
	return NULL;
}

/* A copy of the NUL-terminated string at va (NULL pointer -> NULL). */
static int elf_string(const elf_file *e, uint64_t va, char **out)
{
	*out = NULL;
	if (va == 0)
		return 0;
	for (unsigned i = 0; i < e->phnum; i++) {
		const Elf64_Phdr *p = &e->ph[i];
		if (p->p_type != PT_LOAD || va < p->p_vaddr || va - p->p_vaddr >= p->p_filesz)
			continue;
		uint64_t off = p->p_offset + (va - p->p_vaddr);
		uint64_t max = p->p_filesz - (va - p->p_vaddr);
		if (off >= e->size)
			return -1;
		if (max > e->size - off)
			max = e->size - off;
		const char *s = (const char *)e->data + off;
		const char *nul = memchr(s, '\0', max);
		if (!nul)
			return -1;
		*out = xstrndup(s, (size_t)(nul - s));
		return 0;
	}
	return -1;
}

/* The value of the dynamic symbol `name`, from the section headers. */
static int elf_symbol(const elf_file *e, const char *name, uint64_t *value)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->data;
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > e->size || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > e->size - eh->e_shoff)
		return -1;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(e->data + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset > e->size || sh[i].sh_size > e->size - sh[i].sh_offset ||
		    str->sh_offset > e->size || str->sh_size > e->size - str->sh_offset)
			return -1;
		const Elf64_Sym *syms = (const Elf64_Sym *)(e->data + sh[i].sh_offset);
		const char *names = (const char *)e->data + str->sh_offset;
		size_t count = sh[i].sh_size / sizeof(Elf64_Sym);
		for (size_t k = 0; k < count; k++) {
			if (syms[k].st_name >= str->sh_size || syms[k].st_shndx == SHN_UNDEF)
				continue;
			const char *s = names + syms[k].st_name;
			size_t room = str->sh_size - syms[k].st_name;
			if (strnlen(s, room) < room && strcmp(s, name) == 0) {
				*value = syms[k].st_value;
				return 0;
			}
		}
	}
	return -1;
}

static int read_deps(const elf_file *e, const ng_manifest *m, comp_image_info *out)
{
	if (m->dep_count > 100000)
		return -1;
	const ng_manifest_dep *d = m->dep_count
		? elf_at(e, (uint64_t)(uintptr_t)m->deps, (uint64_t)m->dep_count * sizeof *d) : NULL;
	if (m->dep_count && !d)
		return -1;
	out->deps = xcalloc(m->dep_count + 1, sizeof *out->deps);
	for (uint32_t i = 0; i < m->dep_count; i++) {
		ng_manifest_dep dep;
		memcpy(&dep, &d[i], sizeof dep);
		out->dep_count++;
		if (elf_string(e, (uint64_t)(uintptr_t)dep.display_name, &out->deps[i].display_name))
			return -1;
		memcpy(out->deps[i].mvid, dep.mvid, 16);
		out->deps[i].hard_bound = dep.hard_bound != 0;
	}
	return 0;
}

static int read_methods(const elf_file *e, const ng_manifest *m, comp_image_info *out)
{
	if (m->method_count > (1u << 24))
		return -1;
	const ng_manifest_method *t = m->method_count
		? elf_at(e, (uint64_t)(uintptr_t)m->methods, (uint64_t)m->method_count * sizeof *t)
		: NULL;
	if (m->method_count && !t)
		return -1;
	out->methods = xcalloc(m->method_count + 1, sizeof *out->methods);
	for (uint32_t i = 0; i < m->method_count; i++) {
		ng_manifest_method mm;
		memcpy(&mm, &t[i], sizeof mm);
		out->method_count++;
		out->methods[i].token = mm.token;
		out->methods[i].status = mm.status;
		if (elf_string(e, (uint64_t)(uintptr_t)mm.reason, &out->methods[i].reason))
			return -1;
	}
	return 0;
}

static int read_manifest(const elf_file *e, const char *path, comp_image_info *out,
			 ng_diag *diag)
{
	uint64_t va;
	if (elf_symbol(e, NG_MANIFEST_SYMBOL, &va))
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s: not a native image (no %s symbol)", path, NG_MANIFEST_SYMBOL);
	const void *p = elf_at(e, va, 2 * sizeof(uint32_t));
	if (!p)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "%s: the manifest is outside the file",
				   path);
	uint32_t head[2];
	memcpy(head, p, sizeof head);
	if (head[0] != NG_MANIFEST_MAGIC)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "%s: bad manifest magic 0x%08x", path,
				   head[0]);
	out->format = head[1];
	if (head[1] != NG_IMAGE_FORMAT)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s: image format %u, this ngen reads format %u (recompile it)",
				   path, head[1], NG_IMAGE_FORMAT);
	ng_manifest m;
	p = elf_at(e, va, sizeof m);
	if (!p)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "%s: truncated manifest", path);
	memcpy(&m, p, sizeof m);
	out->scenario = m.scenario;
	out->entry_token = m.entry_token;
	out->import_count = m.import_count;
	memcpy(out->mvid, m.mvid, 16);
	if (elf_string(e, (uint64_t)(uintptr_t)m.compiler_version, &out->compiler_version) ||
	    elf_string(e, (uint64_t)(uintptr_t)m.llvm_version, &out->llvm_version) ||
	    elf_string(e, (uint64_t)(uintptr_t)m.target_triple, &out->target_triple) ||
	    elf_string(e, (uint64_t)(uintptr_t)m.cpu_features, &out->cpu_features) ||
	    elf_string(e, (uint64_t)(uintptr_t)m.display_name, &out->display_name) ||
	    read_deps(e, &m, out) || read_methods(e, &m, out))
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s: the manifest points outside the file (damaged image)", path);
	return 0;
}

static int elf_check(const elf_file *e, const char *path, ng_diag *diag)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)e->data;
	if (e->size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "%s: not an ELF file", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > e->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > e->size - eh->e_phoff)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "%s: not a 64-bit ELF shared object", path);
	return 0;
}

int comp_image_read(const char *path, comp_image_info *out, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = -errno;
		return ng_diag_set(diag, e, "%s: %s", path, ng_strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size == 0) {
		close(fd);
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE, "%s: empty or unreadable file", path);
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		int e = -errno;
		return ng_diag_set(diag, e, "%s: cannot map: %s", path, ng_strerror(e));
	}
	elf_file e = { .data = map, .size = (size_t)st.st_size };
	int rc = elf_check(&e, path, diag);
	if (rc == 0) {
		const Elf64_Ehdr *eh = map;
		e.ph = (const Elf64_Phdr *)(e.data + eh->e_phoff);
		e.phnum = eh->e_phnum;
		rc = read_manifest(&e, path, out, diag);
	}
	munmap(map, (size_t)st.st_size);
	if (rc) {
		uint32_t format = out->format;
		comp_image_info_close(out);
		out->format = format;
	}
	return rc;
}

void comp_image_info_close(comp_image_info *info)
{
	if (!info)
		return;
	free(info->compiler_version);
	free(info->llvm_version);
	free(info->target_triple);
	free(info->cpu_features);
	free(info->display_name);
	deps_free(info->deps, info->dep_count);
	for (size_t i = 0; i < info->method_count; i++)
		free(info->methods[i].reason);
	free(info->methods);
	memset(info, 0, sizeof *info);
}
