/* tests/base/test_arena.c - the job arena and the string buffer. */
#include "base/arena.h"
#include "base/hash.h"
#include "base/strbuf.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

Test(arena, allocations_are_zeroed_aligned_and_distinct)
{
	ng_arena a;
	ng_arena_init(&a);
	char *p = ng_arena_alloc(&a, 3);
	long double *q = ng_arena_alloc(&a, sizeof *q);
	cr_assert_eq(((uintptr_t)q) % _Alignof(max_align_t), 0);
	cr_assert_eq(p[0] | p[1] | p[2], 0);
	cr_assert_neq((void *)p, (void *)q);
	ng_arena_close(&a);
}

Test(arena, large_requests_get_their_own_chunk)
{
	ng_arena a;
	ng_arena_init(&a);
	unsigned char *big = ng_arena_alloc(&a, 5u << 20);
	big[(5u << 20) - 1] = 7;
	char *s = ng_arena_printf(&a, "%s-%d", "m", 42);
	cr_assert_str_eq(s, "m-42");
	cr_assert_geq(a.total, 5u << 20);
	ng_arena_close(&a);
	cr_assert_null(a.head);
}

Test(strbuf, printf_and_take)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	cr_assert_str_eq(ng_strbuf_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		ng_strbuf_printf(&sb, "%d,", i);
	cr_assert(strncmp(ng_strbuf_str(&sb), "0,1,2,", 6) == 0);
	char *s = ng_strbuf_take(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(strlen(s), 3890);
	free(s);
}

Test(hash, sha1_of_known_input)
{
	uint8_t md[NG_SHA1_LEN];
	char hex[2 * NG_SHA1_LEN + 1];
	ng_sha1("abc", 3, md);
	ng_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

Test(hash, sha256_of_missing_file_is_enoent)
{
	char hex[NG_SHA256_HEX];
	cr_assert_lt(ng_sha256_file("/nonexistent/ngen-test", hex), 0);
}
