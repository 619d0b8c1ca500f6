/* tests/compiler/test_cg_decode.c - the CIL decoder: instructions,
 * operands, prefixes, basic blocks, reachability, and invalid IL. */
#include "compiler/cg_il.h"

#include <criterion/criterion.h>
#include <string.h>

static cg_il decode_ok(const uint8_t *code, uint32_t size, ng_arena *a)
{
	cg_il il;
	const char *why = NULL;
	int rc = cg_il_decode(code, size, a, &il, &why);
	cr_assert_eq(rc, 0, "decode failed: %s", why ? why : "?");
	return il;
}

static const char *decode_err(const uint8_t *code, uint32_t size, ng_arena *a)
{
	cg_il il;
	const char *why = NULL;
	cr_assert_eq(cg_il_decode(code, size, a, &il, &why), -1);
	cr_assert_not_null(why);
	return why;
}

Test(cg_decode, operands_of_every_kind)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t code[] = {
		0x1f, 0xfe,                         /* ldc.i4.s -2 */
		0x20, 0x78, 0x56, 0x34, 0x12,       /* ldc.i4 0x12345678 */
		0x21, 1, 0, 0, 0, 0, 0, 0, 0x80,    /* ldc.i8 0x8000000000000001 */
		0x22, 0, 0, 0xc0, 0x3f,             /* ldc.r4 1.5 */
		0x23, 0, 0, 0, 0, 0, 0, 0x04, 0x40, /* ldc.r8 2.5 */
		0xfe, 0x0c, 0x34, 0x12,             /* ldloc 0x1234 */
		0x0e, 0xff,                         /* ldarg.s 255 */
		0x72, 1, 0, 0, 0x70,                /* ldstr 0x70000001 */
		0x2a,                               /* ret */
	};
	cg_il il = decode_ok(code, sizeof code, &a);
	cr_assert_eq(il.ninsns, 9);
	cr_assert_eq(il.insns[0].op, CG_OP_LDC_I4_S);
	cr_assert_eq(il.insns[0].i, -2);
	cr_assert_eq(il.insns[1].i, 0x12345678);
	cr_assert_eq((uint64_t)il.insns[2].i, 0x8000000000000001ull);
	cr_assert_eq(il.insns[3].r, 1.5);
	cr_assert_eq(il.insns[4].r, 2.5);
	cr_assert_eq(il.insns[5].op, CG_OP_LDLOC);
	cr_assert_eq(il.insns[5].i, 0x1234);
	cr_assert_eq(il.insns[6].i, 255);
	cr_assert_eq(il.insns[7].token, 0x70000001u);
	cr_assert_eq(il.insns[8].offset, sizeof code - 1);
	cr_assert_str_eq(cg_opcode_name(CG_OP_LDLOC), "ldloc");
	cr_assert_str_eq(cg_opcode_name(0x24), "?", "0x24 is not an opcode");
	cr_assert_eq(il.nblocks, 1);
	ng_arena_close(&a);
}

Test(cg_decode, branch_targets_split_blocks)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t code[] = {
		/* 0 */ 0x02,             /* ldarg.0 */
		/* 1 */ 0x2c, 0x03,       /* brfalse.s +3 -> 6 */
		/* 3 */ 0x17,             /* ldc.i4.1 */
		/* 4 */ 0x2b, 0x01,       /* br.s +1 -> 7 */
		/* 6 */ 0x16,             /* ldc.i4.0 */
		/* 7 */ 0x2a,             /* ret */
	};
	cg_il il = decode_ok(code, sizeof code, &a);
	cr_assert_eq(il.nblocks, 4);
	uint32_t starts[] = { 0, 3, 6, 7 };
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(il.blocks[i].offset, starts[i]);
		cr_assert_eq(il.block_at[starts[i]], i);
		cr_assert(il.blocks[i].reachable);
	}
	cr_assert_eq(il.insns[1].target, 6);
	cr_assert_eq(il.insns[3].target, 7);
	cr_assert_eq(il.block_at[1], -1);
	ng_arena_close(&a);
}

Test(cg_decode, switch_targets_are_relative_to_the_end_of_the_instruction)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t code[] = {
		/* 0 */ 0x02,
		/* 1 */ 0x45, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, /* switch (14, 15) */
		/* 14 */ 0x2a,
		/* 15 */ 0x2a,
		/* 16 */ 0x2a,
	};
	cg_il il = decode_ok(code, sizeof code, &a);
	const cg_insn *sw = &il.insns[1];
	cr_assert_eq(sw->op, CG_OP_SWITCH);
	cr_assert_eq(sw->ntargets, 2);
	cr_assert_eq(sw->targets[0], 15);
	cr_assert_eq(sw->targets[1], 16);
	cr_assert_eq(sw->next, 14);
	cr_assert_eq(il.nblocks, 4);
	ng_arena_close(&a);
}

Test(cg_decode, prefixes_fold_into_the_next_instruction)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t code[] = {
		0x02,                         /* ldarg.0 */
		0xfe, 0x12, 0x01,             /* unaligned. 1 */
		0xfe, 0x13,                   /* volatile. */
		0x4a,                         /* ldind.i4 */
		0xfe, 0x14, 0x28, 1, 0, 0, 6, /* tail. call */
		0x2a,
	};
	cg_il il = decode_ok(code, sizeof code, &a);
	cr_assert_eq(il.ninsns, 4);
	cr_assert_eq(il.insns[1].op, CG_OP_LDIND_I4);
	cr_assert_eq(il.insns[1].prefixes, CG_PFX_UNALIGNED | CG_PFX_VOLATILE);
	cr_assert_eq(il.insns[1].align, 1);
	cr_assert_eq(il.insns[1].offset, 1, "the instruction starts at its first prefix");
	cr_assert_eq(il.insns[2].op, CG_OP_CALL);
	cr_assert_eq(il.insns[2].prefixes, CG_PFX_TAIL);
	ng_arena_close(&a);
}

Test(cg_decode, code_after_an_unconditional_branch_is_unreachable_unless_targeted)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t code[] = {
		/* 0 */ 0x2b, 0x02,  /* br.s -> 4 */
		/* 2 */ 0x00,        /* nop: dead */
		/* 3 */ 0x2a,        /* ret: dead */
		/* 4 */ 0x2b, 0xfc,  /* br.s -> 2: a backward branch makes it live */
	};
	cg_il il = decode_ok(code, sizeof code, &a);
	cr_assert_eq(il.nblocks, 3);
	cr_assert(il.blocks[1].reachable, "reached by the backward branch");
	static const uint8_t dead[] = { 0x2a, 0x00, 0x2a };
	il = decode_ok(dead, sizeof dead, &a);
	cr_assert_eq(il.nblocks, 2);
	cr_assert_not(il.blocks[1].reachable);
	ng_arena_close(&a);
}

Test(cg_decode, invalid_il_is_reported_with_its_offset)
{
	ng_arena a;
	ng_arena_init(&a);
	static const uint8_t trunc[] = { 0x20, 0x01, 0x02 };
	cr_assert_str_eq(decode_err(trunc, sizeof trunc, &a),
			 "invalid IL: truncated operand at IL_0000");
	static const uint8_t unknown[] = { 0x00, 0x24, 0x2a };
	cr_assert_str_eq(decode_err(unknown, sizeof unknown, &a),
			 "invalid IL: unknown opcode at IL_0001 (0x24)");
	static const uint8_t outside[] = { 0x2b, 0x10, 0x2a };
	cr_assert_str_eq(decode_err(outside, sizeof outside, &a),
			 "invalid IL: br.s at IL_0000 branches to IL_0012, outside the method");
	static const uint8_t middle[] = { 0x2b, 0x01, 0x20, 0, 0, 0, 0, 0x2a };
	cr_assert_str_eq(decode_err(middle, sizeof middle, &a),
			 "invalid IL: br.s at IL_0000 branches to IL_0003, inside an instruction");
	static const uint8_t runoff[] = { 0x17, 0x26 };
	cr_assert_str_eq(decode_err(runoff, sizeof runoff, &a),
			 "invalid IL: pop at IL_0001 runs off the end of the method");
	static const uint8_t two_byte[] = { 0xfe };
	cr_assert_str_eq(decode_err(two_byte, sizeof two_byte, &a),
			 "invalid IL: truncated opcode at IL_0000");
	static const uint8_t huge_switch[] = { 0x45, 0xff, 0xff, 0xff, 0x7f, 0x2a };
	cr_assert_str_eq(decode_err(huge_switch, sizeof huge_switch, &a),
			 "invalid IL: truncated operand at IL_0000");
	cr_assert_str_eq(decode_err(NULL, 0, &a), "invalid IL: empty method body");
	ng_arena_close(&a);
}

Test(cg_decode, every_byte_string_decodes_or_fails_cleanly)
{
	/* A deterministic stream of random bodies: no crash, no hang. */
	ng_arena a;
	ng_arena_init(&a);
	uint32_t x = 12345;
	uint8_t code[64];
	for (int round = 0; round < 20000; round++) {
		uint32_t n = 1 + (x % 63);
		for (uint32_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			code[i] = (uint8_t)(x >> 16);
		}
		cg_il il;
		const char *why;
		if (cg_il_decode(code, n, &a, &il, &why) == 0) {
			cr_assert_gt(il.nblocks, 0);
			cr_assert(il.blocks[0].reachable);
		}
		if (round % 1000 == 0) {
			ng_arena_close(&a);
			ng_arena_init(&a);
		}
	}
	ng_arena_close(&a);
}
