/* engine/eng_asm.c - an assembly file as the cache records it: identity,
 * MVID, references and SHA-256, read through the metadata reader.
 *
 * The MVID is kept as 32 lowercase hex digits in #GUID byte order, the form
 * the symbol names of base/abi.h use, so the cache, the images and the
 * runtime compare the same strings. */
#include "engine/eng_binder.h"
#include "engine/eng_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"
#include "compiler/md.h"

int eng_asm_stat(const char *path, int64_t *size, int64_t *mtime_ns, int64_t *ino)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	*size = st.st_size;
	*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	*ino = (int64_t)st.st_ino;
	return 0;
}

static char *display_of(const md_identity *id)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_identity_display(id, &sb);
	return ng_strbuf_take(&sb);
}

static int read_refs(md_image *img, eng_asm *a, ng_diag *d)
{
	a->nrefs = md_assembly_refs(img);
	a->ref_names = xcalloc(a->nrefs + 1, sizeof *a->ref_names);
	for (uint32_t row = 1; row <= a->nrefs; row++) {
		md_identity ref;
		int rc = md_assemblyref_identity(img, row, &ref, d);
		if (rc < 0)
			return rc;
		a->ref_names[row - 1] = display_of(&ref);
	}
	return 0;
}

int eng_asm_read(const char *path, eng_asm *out, ng_diag *d)
{
	memset(out, 0, sizeof *out);
	char real[PATH_MAX];
	if (!realpath(path, real))
		return ng_diag_set(d, -errno, "%s: %s", path, strerror(errno));
	md_image *img = NULL;
	int rc = md_open(real, &img, d);
	if (rc < 0) {
		if (rc == NG_ERR_NOT_PE || rc == NG_ERR_NOT_CLI)
			ng_diag_set(d, rc, "%s is not a .NET assembly (%s)", real, ng_strerror(rc));
		return rc;
	}
	md_identity id;
	rc = md_assembly_identity(img, &id, d);
	if (rc == NG_ERR_NOTFOUND)
		rc = ng_diag_set(d, NG_ERR_NOT_CLI, "%s is a module without an assembly manifest, "
				 "not an assembly", real);
	if (rc == 0) {
		out->path = xstrdup(real);
		out->name = xstrdup(id.name);
		out->identity = display_of(&id);
		out->version = xasprintf("%u.%u.%u.%u", id.version[0], id.version[1],
					 id.version[2], id.version[3]);
		uint8_t mvid[16];
		md_mvid(img, mvid);
		ng_hex(mvid, 16, out->mvid);
		size_t len;
		const uint8_t *data = md_file_data(img, &len);
		uint8_t digest[NG_SHA256_LEN];
		ng_sha256(data, len, digest);
		ng_hex(digest, NG_SHA256_LEN, out->hash);
		out->is_exe = md_entry_point(img) != 0;
		rc = read_refs(img, out, d);
	}
	if (rc == 0)
		rc = eng_asm_stat(real, &out->size, &out->mtime_ns, &out->ino);
	md_close(img);
	if (rc < 0)
		eng_asm_close(out);
	return rc;
}

void eng_asm_close(eng_asm *a)
{
	if (!a)
		return;
	free(a->path);
	free(a->name);
	free(a->identity);
	free(a->version);
	for (size_t i = 0; a->ref_names && i < a->nrefs; i++)
		free(a->ref_names[i]);
	free(a->ref_names);
	memset(a, 0, sizeof *a);
}

bool eng_identity_matches(const char *partial, const char *full_identity)
{
	ng_arena arena;
	ng_arena_init(&arena);
	md_identity want, have;
	unsigned present = 0, full_present = 0;
	bool ok = md_identity_parse(partial, &arena, &want, &present, NULL) == 0 &&
		  md_identity_parse(full_identity, &arena, &have, &full_present, NULL) == 0 &&
		  md_identity_matches(&want, present, &have);
	ng_arena_close(&arena);
	return ok;
}
