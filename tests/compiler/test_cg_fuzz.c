/* tests/compiler/test_cg_fuzz.c - damaged IL never crashes the compiler
 * and never reaches LLVM's verifier.
 *
 * Copies of IlOps.dll and Ops.dll get random bytes written into their
 * method bodies (the metadata stays valid, so the reader accepts the file
 * and every byte reaches the decoder and the translator). Every compile
 * must succeed - bad methods are excluded - and no method may be excluded
 * for an internal reason: such a method would be a translator bug. */
#include "test_cg_util.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct span {
	uint32_t off, len;
} span;

/* File offsets of the IL code of every method body. */
static size_t code_spans(const char *path, span *out, size_t max)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open(path, &img, &d), 0);
	size_t flen, n = 0;
	const uint8_t *base = md_file_data(img, &flen);
	ng_arena a;
	ng_arena_init(&a);
	for (uint32_t row = 1; row <= md_row_count(img, MD_T_METHODDEF) && n < max; row++) {
		md_method_body body;
		if (md_method_body_get(img, row, &a, &body, &d) == 0 && body.code_size)
			out[n++] = (span){ (uint32_t)(body.code - base), body.code_size };
	}
	ng_arena_close(&a);
	md_close(img);
	return n;
}

static void fuzz(const char *fixture, int rounds, uint32_t seed)
{
	const char *src = cgt_fixture(fixture);
	FILE *f = fopen(src, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *orig = xmalloc((size_t)size), *data = xmalloc((size_t)size);
	cr_assert_eq(fread(orig, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	span spans[512];
	size_t ns = code_spans(src, spans, 512);
	cr_assert_gt(ns, 10);
	char dir[] = "/tmp/ngen-cgt-fuzz.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256], out[256];
	snprintf(path, sizeof path, "%s/%s", dir, fixture);
	snprintf(out, sizeof out, "%s/x.ni.so", dir);
	/* CGT_FUZZ_ROUNDS=N runs longer, CGT_FUZZ_SEED=S elsewhere. */
	if (getenv("CGT_FUZZ_ROUNDS"))
		rounds = atoi(getenv("CGT_FUZZ_ROUNDS"));
	if (getenv("CGT_FUZZ_SEED"))
		seed += (uint32_t)atoi(getenv("CGT_FUZZ_SEED"));
	uint32_t x = seed;
	for (int r = 0; r < rounds; r++) {
		memcpy(data, orig, (size_t)size);
		for (int k = 0; k < 24; k++) {
			x = x * 1103515245u + 12345u;
			const span *s = &spans[(x >> 8) % ns];
			x = x * 1103515245u + 12345u;
			data[s->off + (x >> 8) % s->len] = (uint8_t)(x >> 20);
		}
		f = fopen(path, "wb");
		fwrite(data, 1, (size_t)size, f);
		fclose(f);
		comp_result res;
		ng_diag d;
		int rc = cgt_compile_only(path, 0, out, &res, &d);
		cr_assert_eq(rc, 0, "round %d: %s", r, ng_diag_text(&d));
		for (size_t i = 0; i < res.reason_count; i++)
			cr_assert(strncmp(res.reasons[i].text, "internal", 8) != 0,
				  "round %d: %u methods failed LLVM verification", r, res.reasons[i].count);
		comp_result_close(&res);
		comp_image_info info;
		cr_assert_eq(comp_image_read(out, &info, &d), 0, "%s", ng_diag_text(&d));
		comp_image_info_close(&info);
	}
	unlink(path);
	unlink(out);
	rmdir(dir);
	free(orig);
	free(data);
}

Test(cg_fuzz, damaged_il_only_instructions, .timeout = 300)
{
	fuzz("IlOps.dll", 25, 7);
}

Test(cg_fuzz, damaged_csharp_bodies, .timeout = 300)
{
	fuzz("Ops.dll", 25, 99);
}
