/* compiler/cg_decode.c - IL bytes to instructions and basic blocks.
 *
 * Two passes over the instructions: the first decodes them (operands,
 * prefixes folded into the instruction they modify) and records every
 * instruction boundary; the second marks block leaders (offset 0, branch
 * and switch targets, the instruction after one that ends a block), checks
 * that every target is a boundary, and builds the blocks. Reachability from
 * offset 0 is computed last, so the translator can skip dead code whose
 * evaluation stack it could not know (ECMA-335 III.1.7.5). Every error is a
 * reason string naming the offset, because a method with invalid IL is
 * excluded, never compiled. */
#include "compiler/cg_il.h"

#include <string.h>

typedef struct opinfo {
	const char *name;
	uint8_t operand;
	bool valid;
} opinfo;

static const opinfo table[0x200] = {
#define CG_OP_ROW_(id, nm, code, opnd) [code] = { nm, CG_OPND_##opnd, true },
	CG_OPCODE_LIST(CG_OP_ROW_)
#undef CG_OP_ROW_
};

const char *cg_opcode_name(unsigned op)
{
	return op < 0x200 && table[op].valid ? table[op].name : "?";
}

bool cg_insn_is_terminal(const cg_insn *in)
{
	switch (in->op) {
	case CG_OP_BR: case CG_OP_BR_S: case CG_OP_RET: case CG_OP_THROW:
	case CG_OP_RETHROW: case CG_OP_JMP: case CG_OP_LEAVE: case CG_OP_LEAVE_S:
	case CG_OP_ENDFINALLY: case CG_OP_ENDFILTER:
		return true;
	default:
		return false;
	}
}

static bool is_branch(const cg_insn *in)
{
	unsigned o = table[in->op].operand;
	return o == CG_OPND_BR8 || o == CG_OPND_BR32;
}

bool cg_insn_ends_block(const cg_insn *in)
{
	return cg_insn_is_terminal(in) || is_branch(in) || in->op == CG_OP_SWITCH;
}

typedef struct reader {
	const uint8_t *p, *end;
} reader;

static bool need(const reader *r, uint32_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

static uint32_t rd32(reader *r)
{
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t rd64(reader *r)
{
	uint64_t lo = rd32(r);
	uint64_t hi = rd32(r);
	return lo | hi << 32;
}

/* Reads one opcode number (one or two bytes); -1 at a bad byte. */
static int read_opcode(reader *r)
{
	if (!need(r, 1))
		return -1;
	unsigned b = *r->p++;
	if (b == 0xfe) {
		if (!need(r, 1))
			return -1;
		b = 0x100 | *r->p++;
	}
	return table[b].valid ? (int)b : -1 - (int)b;
}

static int read_operand(reader *r, cg_insn *in, uint32_t base, ng_arena *arena)
{
	switch (table[in->op].operand) {
	case CG_OPND_NONE:
		return 0;
	case CG_OPND_I8:
		if (!need(r, 1))
			return -1;
		in->i = (int8_t)*r->p++;
		return 0;
	case CG_OPND_U8:
		if (!need(r, 1))
			return -1;
		in->i = *r->p++;
		return 0;
	case CG_OPND_U16:
		if (!need(r, 2))
			return -1;
		in->i = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8;
		r->p += 2;
		return 0;
	case CG_OPND_I32:
		if (!need(r, 4))
			return -1;
		in->i = (int32_t)rd32(r);
		return 0;
	case CG_OPND_I64:
		if (!need(r, 8))
			return -1;
		in->i = (int64_t)rd64(r);
		return 0;
	case CG_OPND_R4: {
		if (!need(r, 4))
			return -1;
		uint32_t bits = rd32(r);
		float f;
		memcpy(&f, &bits, 4);
		in->r = f;
		return 0;
	}
	case CG_OPND_R8: {
		if (!need(r, 8))
			return -1;
		uint64_t bits = rd64(r);
		memcpy(&in->r, &bits, 8);
		return 0;
	}
	case CG_OPND_TOKEN:
		if (!need(r, 4))
			return -1;
		in->token = rd32(r);
		return 0;
	case CG_OPND_BR8: {
		if (!need(r, 1))
			return -1;
		int8_t d = (int8_t)*r->p++;
		in->target = (uint32_t)((int64_t)base + d);
		return 0;
	}
	case CG_OPND_BR32: {
		if (!need(r, 4))
			return -1;
		int32_t d = (int32_t)rd32(r);
		in->target = (uint32_t)((int64_t)base + d);
		return 0;
	}
	case CG_OPND_SWITCH: {
		if (!need(r, 4))
			return -1;
		uint32_t n = rd32(r);
		if ((size_t)(r->end - r->p) / 4 < n)
			return -1;
		in->ntargets = n;
		in->targets = ng_arena_alloc(arena, (size_t)(n ? n : 1) * sizeof *in->targets);
		/* Targets are relative to the end of the whole instruction. */
		int64_t after = (int64_t)base + 4 + (int64_t)n * 4;
		for (uint32_t i = 0; i < n; i++)
			in->targets[i] = (uint32_t)(after + (int32_t)rd32(r));
		return 0;
	}
	}
	return -1;
}

/* Base offset for branch operands: the end of the instruction, which for
 * fixed-size operands is known before reading them. */
static uint32_t operand_end(const reader *r, const uint8_t *code, unsigned kind)
{
	uint32_t here = (uint32_t)(r->p - code);
	switch (kind) {
	case CG_OPND_BR8: return here + 1;
	case CG_OPND_BR32: return here + 4;
	default: return here;   /* SWITCH computes its own */
	}
}

static const char *fmt_why(ng_arena *a, const char *what, uint32_t off, unsigned extra)
{
	return ng_arena_printf(a, "invalid IL: %s at IL_%04x%s", what, off,
			       extra ? ng_arena_printf(a, " (0x%x)", extra) : "");
}

/* Folds prefixes into the following instruction. */
static int read_prefixes(reader *r, cg_insn *in, int *op)
{
	for (;;) {
		if (*op == CG_OP_UNALIGNED) {
			if (!need(r, 1))
				return -1;
			in->prefixes |= CG_PFX_UNALIGNED;
			in->align = *r->p++;
		} else if (*op == CG_OP_VOLATILE) {
			in->prefixes |= CG_PFX_VOLATILE;
		} else if (*op == CG_OP_TAIL) {
			in->prefixes |= CG_PFX_TAIL;
		} else if (*op == CG_OP_CONSTRAINED) {
			if (!need(r, 4))
				return -1;
			in->prefixes |= CG_PFX_OTHER;
			r->p += 4;
		} else if (*op == CG_OP_NO) {
			if (!need(r, 1))
				return -1;
			in->prefixes |= CG_PFX_OTHER;
			r->p++;
		} else if (*op == CG_OP_READONLY) {
			in->prefixes |= CG_PFX_OTHER;
		} else {
			return 0;
		}
		*op = read_opcode(r);
		if (*op < 0)
			return -2;
	}
}

static int decode_insns(const uint8_t *code, uint32_t size, ng_arena *arena, cg_il *out,
			uint8_t *boundary, const char **why)
{
	reader r = { code, code + size };
	uint32_t cap = size + 1;
	out->insns = ng_arena_alloc(arena, (size_t)cap * sizeof *out->insns);
	while (r.p < r.end) {
		cg_insn *in = &out->insns[out->ninsns];
		in->offset = (uint32_t)(r.p - code);
		boundary[in->offset] = 1;
		int op = read_opcode(&r);
		if (op >= 0) {
			int rc = read_prefixes(&r, in, &op);
			if (rc == -1) {
				*why = fmt_why(arena, "truncated prefix", in->offset, 0);
				return -1;
			}
		}
		if (op < 0) {
			unsigned byte = op == -1 ? 0 : (unsigned)(-1 - op);
			*why = fmt_why(arena, op == -1 ? "truncated opcode" : "unknown opcode",
				       in->offset, byte);
			return -1;
		}
		in->op = (uint16_t)op;
		uint32_t base = operand_end(&r, code, table[op].operand);
		if (read_operand(&r, in, base, arena) < 0) {
			*why = fmt_why(arena, "truncated operand", in->offset, 0);
			return -1;
		}
		in->next = (uint32_t)(r.p - code);
		out->ninsns++;
	}
	return 0;
}

static int check_target(uint32_t t, uint32_t size, const uint8_t *boundary, uint8_t *leader,
			const cg_insn *in, ng_arena *arena, const char **why)
{
	if (t >= size || !boundary[t]) {
		*why = ng_arena_printf(arena, "invalid IL: %s at IL_%04x branches to IL_%04x, %s",
				       cg_opcode_name(in->op), in->offset, t,
				       t >= size ? "outside the method"
						 : "inside an instruction");
		return -1;
	}
	leader[t] = 1;
	return 0;
}

static int mark_leaders(cg_il *il, uint32_t size, const uint8_t *boundary, uint8_t *leader,
			ng_arena *arena, const char **why)
{
	leader[0] = 1;
	for (uint32_t i = 0; i < il->ninsns; i++) {
		const cg_insn *in = &il->insns[i];
		if (is_branch(in) && check_target(in->target, size, boundary, leader, in, arena, why))
			return -1;
		for (uint32_t k = 0; in->op == CG_OP_SWITCH && k < in->ntargets; k++)
			if (check_target(in->targets[k], size, boundary, leader, in, arena, why))
				return -1;
		if (cg_insn_ends_block(in) && in->next < size)
			leader[in->next] = 1;
	}
	const cg_insn *last = &il->insns[il->ninsns - 1];
	if (!cg_insn_is_terminal(last)) {
		*why = ng_arena_printf(arena, "invalid IL: %s at IL_%04x runs off the end of the method",
				       cg_opcode_name(last->op), last->offset);
		return -1;
	}
	return 0;
}

static void build_blocks(cg_il *il, const uint8_t *leader, ng_arena *arena)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < il->ninsns; i++)
		n += leader[il->insns[i].offset];
	il->blocks = ng_arena_alloc(arena, (size_t)n * sizeof *il->blocks);
	for (uint32_t i = 0; i < il->ninsns; i++) {
		if (leader[il->insns[i].offset]) {
			if (il->nblocks)
				il->blocks[il->nblocks - 1].end = i;
			il->blocks[il->nblocks].first = i;
			il->blocks[il->nblocks].offset = il->insns[i].offset;
			il->block_at[il->insns[i].offset] = (int32_t)il->nblocks;
			il->nblocks++;
		}
	}
	il->blocks[il->nblocks - 1].end = il->ninsns;
}

/* Depth-first marking from block 0 with an explicit stack. */
static void mark_reachable(cg_il *il, ng_arena *arena)
{
	uint32_t *stack = ng_arena_alloc(arena, (size_t)il->ninsns * 2 * sizeof *stack + 8);
	uint32_t sp = 0;
	il->blocks[0].reachable = true;
	stack[sp++] = 0;
	while (sp) {
		cg_block *b = &il->blocks[stack[--sp]];
		const cg_insn *last = &il->insns[b->end - 1];
		uint32_t succ[2], ns = 0;
		if (!cg_insn_is_terminal(last) && last->next < il->code_size)
			succ[ns++] = last->next;
		if (is_branch(last) && last->op != CG_OP_LEAVE && last->op != CG_OP_LEAVE_S)
			succ[ns++] = last->target;
		for (uint32_t k = 0; k < ns + (last->op == CG_OP_SWITCH ? last->ntargets : 0); k++) {
			uint32_t t = k < ns ? succ[k] : last->targets[k - ns];
			cg_block *s = &il->blocks[il->block_at[t]];
			if (!s->reachable) {
				s->reachable = true;
				/* Each block is pushed at most once. */
				stack[sp++] = (uint32_t)il->block_at[t];
			}
		}
	}
}

int cg_il_decode(const uint8_t *code, uint32_t size, ng_arena *arena, cg_il *out,
		 const char **why)
{
	memset(out, 0, sizeof *out);
	out->code_size = size;
	if (size == 0) {
		*why = "invalid IL: empty method body";
		return -1;
	}
	uint8_t *boundary = ng_arena_alloc(arena, (size_t)size + 1);
	uint8_t *leader = ng_arena_alloc(arena, (size_t)size + 1);
	if (decode_insns(code, size, arena, out, boundary, why) ||
	    mark_leaders(out, size, boundary, leader, arena, why))
		return -1;
	out->block_at = ng_arena_alloc(arena, ((size_t)size + 1) * sizeof *out->block_at);
	for (uint32_t i = 0; i <= size; i++)
		out->block_at[i] = -1;
	build_blocks(out, leader, arena);
	mark_reachable(out, arena);
	return 0;
}
