/* tests/compiler/test_md_mono.c - every assembly Mono ships is read.
 *
 * Walks /usr/lib/mono (the GAC, the framework folders, the reference
 * assemblies, the programs): every regular .dll/.exe must open, and every
 * table cell, method body (header, EH clauses, local signature), signature
 * blob and custom attribute must decode, with the identity, references and
 * dependency hints read too. Files that are not CLI assemblies at all (a
 * native library named .dll) are allowed but listed. The work is split in
 * four shards so Criterion can run them in parallel. */
#include "test_md_util.h"

#include "base/strbuf.h"
#include "compiler/identity.h"

#include <ftw.h>
#include <strings.h>

enum { SHARDS = 4 };

static struct {
	unsigned shard, index, files, skipped, failed;
	ng_strbuf errors;
} mono;

static bool is_assembly_name(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcasecmp(path + n - 4, ".dll") == 0 ||
			 strcasecmp(path + n - 4, ".exe") == 0);
}

static int check_identity(const md_image *img, ng_diag *d)
{
	md_identity id;
	ng_strbuf sb = NG_STRBUF_INIT;
	int rc = md_assembly_identity(img, &id, d);
	if (rc == NG_ERR_NOTFOUND)
		rc = 0;      /* a netmodule */
	else if (rc == 0)
		md_identity_display(&id, &sb);
	for (uint32_t r = 1; rc == 0 && r <= md_assembly_refs(img); r++)
		if ((rc = md_assemblyref_identity(img, r, &id, d)) == 0)
			md_identity_display(&id, &sb);
	ng_strbuf_close(&sb);
	ng_arena a;
	ng_arena_init(&a);
	md_dependency_hint *h;
	uint32_t n;
	if (rc == 0)
		rc = md_dependency_hints(img, &a, &h, &n, d);
	ng_arena_close(&a);
	return rc;
}

static void check_file(const char *path)
{
	md_image *img;
	ng_diag d;
	ng_diag_clear(&d);
	mono.files++;
	int rc = md_open(path, &img, &d);
	if (rc == NG_ERR_NOT_PE || rc == NG_ERR_NOT_CLI) {
		mono.skipped++;
		return;
	}
	if (rc == 0) {
		md_walk_stats st;
		rc = md_walk(img, MD_WALK_ALL, &st, &d);
		if (rc == 0 && st.attrs_unresolved)
			rc = ng_diag_set(&d, NG_ERR_UNSUPPORTED, "%s: %u custom attributes "
				"with an unresolved enum", path, st.attrs_unresolved);
		if (rc == 0)
			rc = check_identity(img, &d);
		md_close(img);
	}
	if (rc < 0) {
		mono.failed++;
		ng_strbuf_printf(&mono.errors, "  %s\n", ng_diag_text(&d));
	}
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
	if (type == FTW_F && is_assembly_name(path) && mono.index++ % SHARDS == mono.shard)
		check_file(path);
	return 0;
}

static void run_shard(unsigned shard)
{
	memset(&mono, 0, sizeof mono);
	mono.shard = shard;
	/* FTW_PHYS: symbolic links (the GAC's aliases in the framework
	 * folders) are not followed, so each file is read once. */
	cr_assert_eq(nftw("/usr/lib/mono", visit, 32, FTW_PHYS), 0,
		     "cannot walk /usr/lib/mono (is mono-complete installed?)");
	cr_assert_gt(mono.files, 2000 / SHARDS, "only %u files", mono.files);
	cr_assert_eq(mono.failed, 0, "%u of %u assemblies failed:\n%s", mono.failed,
		     mono.files, ng_strbuf_str(&mono.errors));
	cr_assert_lt(mono.skipped, 10, "%u files are not CLI assemblies", mono.skipped);
	ng_strbuf_close(&mono.errors);
}

Test(md_mono, every_assembly_shard_0_reads_and_walks, .timeout = 600) { run_shard(0); }
Test(md_mono, every_assembly_shard_1_reads_and_walks, .timeout = 600) { run_shard(1); }
Test(md_mono, every_assembly_shard_2_reads_and_walks, .timeout = 600) { run_shard(2); }
Test(md_mono, every_assembly_shard_3_reads_and_walks, .timeout = 600) { run_shard(3); }
