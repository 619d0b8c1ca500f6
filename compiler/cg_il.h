/* compiler/cg_il.h - CIL instructions and the decoded form of a method body.
 *
 * CG_OPCODE_LIST is the whole Partition III opcode table: one-byte opcodes
 * keep their byte as their number, two-byte ones (0xFE xx) become 0x100|xx.
 * The decoder (cg_decode.c) turns a body into an array of instructions with
 * their operands, then splits it into basic blocks: a block starts at
 * offset 0, at every branch or switch target and after every instruction
 * that ends a block (branch, switch, ret, throw, ...). Nothing here uses
 * LLVM; the translator (cg_method.c) walks the blocks in IL order. */
#ifndef CG_IL_H
#define CG_IL_H

#include "base/arena.h"

#include <stdbool.h>
#include <stdint.h>

/* Operand kinds. */
enum {
	CG_OPND_NONE,
	CG_OPND_I8,      /* int8: ldc.i4.s */
	CG_OPND_U8,      /* uint8 index: ldarg.s ... */
	CG_OPND_U16,     /* uint16 index: ldarg ... */
	CG_OPND_I32,     /* ldc.i4 */
	CG_OPND_I64,     /* ldc.i8 */
	CG_OPND_R4,      /* ldc.r4 */
	CG_OPND_R8,      /* ldc.r8 */
	CG_OPND_TOKEN,   /* a metadata token */
	CG_OPND_BR8,     /* short branch */
	CG_OPND_BR32,    /* long branch */
	CG_OPND_SWITCH,  /* count + count int32 targets */
	CG_OPND_PREFIX_U8, /* unaligned. / no. take one byte */
};

/* X(id, name, code, operand) */
#define CG_OPCODE_LIST(X)                                                    \
	X(NOP, "nop", 0x00, NONE) X(BREAK, "break", 0x01, NONE)                \
	X(LDARG_0, "ldarg.0", 0x02, NONE) X(LDARG_1, "ldarg.1", 0x03, NONE)    \
	X(LDARG_2, "ldarg.2", 0x04, NONE) X(LDARG_3, "ldarg.3", 0x05, NONE)    \
	X(LDLOC_0, "ldloc.0", 0x06, NONE) X(LDLOC_1, "ldloc.1", 0x07, NONE)    \
	X(LDLOC_2, "ldloc.2", 0x08, NONE) X(LDLOC_3, "ldloc.3", 0x09, NONE)    \
	X(STLOC_0, "stloc.0", 0x0a, NONE) X(STLOC_1, "stloc.1", 0x0b, NONE)    \
	X(STLOC_2, "stloc.2", 0x0c, NONE) X(STLOC_3, "stloc.3", 0x0d, NONE)    \
	X(LDARG_S, "ldarg.s", 0x0e, U8) X(LDARGA_S, "ldarga.s", 0x0f, U8)      \
	X(STARG_S, "starg.s", 0x10, U8) X(LDLOC_S, "ldloc.s", 0x11, U8)        \
	X(LDLOCA_S, "ldloca.s", 0x12, U8) X(STLOC_S, "stloc.s", 0x13, U8)      \
	X(LDNULL, "ldnull", 0x14, NONE) X(LDC_I4_M1, "ldc.i4.m1", 0x15, NONE)  \
	X(LDC_I4_0, "ldc.i4.0", 0x16, NONE) X(LDC_I4_1, "ldc.i4.1", 0x17, NONE) \
	X(LDC_I4_2, "ldc.i4.2", 0x18, NONE) X(LDC_I4_3, "ldc.i4.3", 0x19, NONE) \
	X(LDC_I4_4, "ldc.i4.4", 0x1a, NONE) X(LDC_I4_5, "ldc.i4.5", 0x1b, NONE) \
	X(LDC_I4_6, "ldc.i4.6", 0x1c, NONE) X(LDC_I4_7, "ldc.i4.7", 0x1d, NONE) \
	X(LDC_I4_8, "ldc.i4.8", 0x1e, NONE) X(LDC_I4_S, "ldc.i4.s", 0x1f, I8)  \
	X(LDC_I4, "ldc.i4", 0x20, I32) X(LDC_I8, "ldc.i8", 0x21, I64)          \
	X(LDC_R4, "ldc.r4", 0x22, R4) X(LDC_R8, "ldc.r8", 0x23, R8)            \
	X(DUP, "dup", 0x25, NONE) X(POP, "pop", 0x26, NONE)                    \
	X(JMP, "jmp", 0x27, TOKEN) X(CALL, "call", 0x28, TOKEN)                \
	X(CALLI, "calli", 0x29, TOKEN) X(RET, "ret", 0x2a, NONE)               \
	X(BR_S, "br.s", 0x2b, BR8) X(BRFALSE_S, "brfalse.s", 0x2c, BR8)        \
	X(BRTRUE_S, "brtrue.s", 0x2d, BR8) X(BEQ_S, "beq.s", 0x2e, BR8)        \
	X(BGE_S, "bge.s", 0x2f, BR8) X(BGT_S, "bgt.s", 0x30, BR8)              \
	X(BLE_S, "ble.s", 0x31, BR8) X(BLT_S, "blt.s", 0x32, BR8)              \
	X(BNE_UN_S, "bne.un.s", 0x33, BR8) X(BGE_UN_S, "bge.un.s", 0x34, BR8)  \
	X(BGT_UN_S, "bgt.un.s", 0x35, BR8) X(BLE_UN_S, "ble.un.s", 0x36, BR8)  \
	X(BLT_UN_S, "blt.un.s", 0x37, BR8) X(BR, "br", 0x38, BR32)             \
	X(BRFALSE, "brfalse", 0x39, BR32) X(BRTRUE, "brtrue", 0x3a, BR32)      \
	X(BEQ, "beq", 0x3b, BR32) X(BGE, "bge", 0x3c, BR32)                    \
	X(BGT, "bgt", 0x3d, BR32) X(BLE, "ble", 0x3e, BR32)                    \
	X(BLT, "blt", 0x3f, BR32) X(BNE_UN, "bne.un", 0x40, BR32)              \
	X(BGE_UN, "bge.un", 0x41, BR32) X(BGT_UN, "bgt.un", 0x42, BR32)        \
	X(BLE_UN, "ble.un", 0x43, BR32) X(BLT_UN, "blt.un", 0x44, BR32)        \
	X(SWITCH, "switch", 0x45, SWITCH)                                      \
	X(LDIND_I1, "ldind.i1", 0x46, NONE) X(LDIND_U1, "ldind.u1", 0x47, NONE) \
	X(LDIND_I2, "ldind.i2", 0x48, NONE) X(LDIND_U2, "ldind.u2", 0x49, NONE) \
	X(LDIND_I4, "ldind.i4", 0x4a, NONE) X(LDIND_U4, "ldind.u4", 0x4b, NONE) \
	X(LDIND_I8, "ldind.i8", 0x4c, NONE) X(LDIND_I, "ldind.i", 0x4d, NONE)  \
	X(LDIND_R4, "ldind.r4", 0x4e, NONE) X(LDIND_R8, "ldind.r8", 0x4f, NONE) \
	X(LDIND_REF, "ldind.ref", 0x50, NONE) X(STIND_REF, "stind.ref", 0x51, NONE) \
	X(STIND_I1, "stind.i1", 0x52, NONE) X(STIND_I2, "stind.i2", 0x53, NONE) \
	X(STIND_I4, "stind.i4", 0x54, NONE) X(STIND_I8, "stind.i8", 0x55, NONE) \
	X(STIND_R4, "stind.r4", 0x56, NONE) X(STIND_R8, "stind.r8", 0x57, NONE) \
	X(ADD, "add", 0x58, NONE) X(SUB, "sub", 0x59, NONE)                    \
	X(MUL, "mul", 0x5a, NONE) X(DIV, "div", 0x5b, NONE)                    \
	X(DIV_UN, "div.un", 0x5c, NONE) X(REM, "rem", 0x5d, NONE)              \
	X(REM_UN, "rem.un", 0x5e, NONE) X(AND, "and", 0x5f, NONE)              \
	X(OR, "or", 0x60, NONE) X(XOR, "xor", 0x61, NONE)                      \
	X(SHL, "shl", 0x62, NONE) X(SHR, "shr", 0x63, NONE)                    \
	X(SHR_UN, "shr.un", 0x64, NONE) X(NEG, "neg", 0x65, NONE)              \
	X(NOT, "not", 0x66, NONE) X(CONV_I1, "conv.i1", 0x67, NONE)            \
	X(CONV_I2, "conv.i2", 0x68, NONE) X(CONV_I4, "conv.i4", 0x69, NONE)    \
	X(CONV_I8, "conv.i8", 0x6a, NONE) X(CONV_R4, "conv.r4", 0x6b, NONE)    \
	X(CONV_R8, "conv.r8", 0x6c, NONE) X(CONV_U4, "conv.u4", 0x6d, NONE)    \
	X(CONV_U8, "conv.u8", 0x6e, NONE) X(CALLVIRT, "callvirt", 0x6f, TOKEN) \
	X(CPOBJ, "cpobj", 0x70, TOKEN) X(LDOBJ, "ldobj", 0x71, TOKEN)          \
	X(LDSTR, "ldstr", 0x72, TOKEN) X(NEWOBJ, "newobj", 0x73, TOKEN)        \
	X(CASTCLASS, "castclass", 0x74, TOKEN) X(ISINST, "isinst", 0x75, TOKEN) \
	X(CONV_R_UN, "conv.r.un", 0x76, NONE) X(UNBOX, "unbox", 0x79, TOKEN)   \
	X(THROW, "throw", 0x7a, NONE) X(LDFLD, "ldfld", 0x7b, TOKEN)           \
	X(LDFLDA, "ldflda", 0x7c, TOKEN) X(STFLD, "stfld", 0x7d, TOKEN)        \
	X(LDSFLD, "ldsfld", 0x7e, TOKEN) X(LDSFLDA, "ldsflda", 0x7f, TOKEN)    \
	X(STSFLD, "stsfld", 0x80, TOKEN) X(STOBJ, "stobj", 0x81, TOKEN)        \
	X(CONV_OVF_I1_UN, "conv.ovf.i1.un", 0x82, NONE)                        \
	X(CONV_OVF_I2_UN, "conv.ovf.i2.un", 0x83, NONE)                        \
	X(CONV_OVF_I4_UN, "conv.ovf.i4.un", 0x84, NONE)                        \
	X(CONV_OVF_I8_UN, "conv.ovf.i8.un", 0x85, NONE)                        \
	X(CONV_OVF_U1_UN, "conv.ovf.u1.un", 0x86, NONE)                        \
	X(CONV_OVF_U2_UN, "conv.ovf.u2.un", 0x87, NONE)                        \
	X(CONV_OVF_U4_UN, "conv.ovf.u4.un", 0x88, NONE)                        \
	X(CONV_OVF_U8_UN, "conv.ovf.u8.un", 0x89, NONE)                        \
	X(CONV_OVF_I_UN, "conv.ovf.i.un", 0x8a, NONE)                          \
	X(CONV_OVF_U_UN, "conv.ovf.u.un", 0x8b, NONE)                          \
	X(BOX, "box", 0x8c, TOKEN) X(NEWARR, "newarr", 0x8d, TOKEN)            \
	X(LDLEN, "ldlen", 0x8e, NONE) X(LDELEMA, "ldelema", 0x8f, TOKEN)       \
	X(LDELEM_I1, "ldelem.i1", 0x90, NONE) X(LDELEM_U1, "ldelem.u1", 0x91, NONE) \
	X(LDELEM_I2, "ldelem.i2", 0x92, NONE) X(LDELEM_U2, "ldelem.u2", 0x93, NONE) \
	X(LDELEM_I4, "ldelem.i4", 0x94, NONE) X(LDELEM_U4, "ldelem.u4", 0x95, NONE) \
	X(LDELEM_I8, "ldelem.i8", 0x96, NONE) X(LDELEM_I, "ldelem.i", 0x97, NONE) \
	X(LDELEM_R4, "ldelem.r4", 0x98, NONE) X(LDELEM_R8, "ldelem.r8", 0x99, NONE) \
	X(LDELEM_REF, "ldelem.ref", 0x9a, NONE) X(STELEM_I, "stelem.i", 0x9b, NONE) \
	X(STELEM_I1, "stelem.i1", 0x9c, NONE) X(STELEM_I2, "stelem.i2", 0x9d, NONE) \
	X(STELEM_I4, "stelem.i4", 0x9e, NONE) X(STELEM_I8, "stelem.i8", 0x9f, NONE) \
	X(STELEM_R4, "stelem.r4", 0xa0, NONE) X(STELEM_R8, "stelem.r8", 0xa1, NONE) \
	X(STELEM_REF, "stelem.ref", 0xa2, NONE) X(LDELEM, "ldelem", 0xa3, TOKEN) \
	X(STELEM, "stelem", 0xa4, TOKEN) X(UNBOX_ANY, "unbox.any", 0xa5, TOKEN) \
	X(CONV_OVF_I1, "conv.ovf.i1", 0xb3, NONE) X(CONV_OVF_U1, "conv.ovf.u1", 0xb4, NONE) \
	X(CONV_OVF_I2, "conv.ovf.i2", 0xb5, NONE) X(CONV_OVF_U2, "conv.ovf.u2", 0xb6, NONE) \
	X(CONV_OVF_I4, "conv.ovf.i4", 0xb7, NONE) X(CONV_OVF_U4, "conv.ovf.u4", 0xb8, NONE) \
	X(CONV_OVF_I8, "conv.ovf.i8", 0xb9, NONE) X(CONV_OVF_U8, "conv.ovf.u8", 0xba, NONE) \
	X(REFANYVAL, "refanyval", 0xc2, TOKEN) X(CKFINITE, "ckfinite", 0xc3, NONE) \
	X(MKREFANY, "mkrefany", 0xc6, TOKEN) X(LDTOKEN, "ldtoken", 0xd0, TOKEN) \
	X(CONV_U2, "conv.u2", 0xd1, NONE) X(CONV_U1, "conv.u1", 0xd2, NONE)    \
	X(CONV_I, "conv.i", 0xd3, NONE) X(CONV_OVF_I, "conv.ovf.i", 0xd4, NONE) \
	X(CONV_OVF_U, "conv.ovf.u", 0xd5, NONE) X(ADD_OVF, "add.ovf", 0xd6, NONE) \
	X(ADD_OVF_UN, "add.ovf.un", 0xd7, NONE) X(MUL_OVF, "mul.ovf", 0xd8, NONE) \
	X(MUL_OVF_UN, "mul.ovf.un", 0xd9, NONE) X(SUB_OVF, "sub.ovf", 0xda, NONE) \
	X(SUB_OVF_UN, "sub.ovf.un", 0xdb, NONE)                                \
	X(ENDFINALLY, "endfinally", 0xdc, NONE) X(LEAVE, "leave", 0xdd, BR32)  \
	X(LEAVE_S, "leave.s", 0xde, BR8) X(STIND_I, "stind.i", 0xdf, NONE)     \
	X(CONV_U, "conv.u", 0xe0, NONE)                                        \
	X(ARGLIST, "arglist", 0x100, NONE) X(CEQ, "ceq", 0x101, NONE)          \
	X(CGT, "cgt", 0x102, NONE) X(CGT_UN, "cgt.un", 0x103, NONE)            \
	X(CLT, "clt", 0x104, NONE) X(CLT_UN, "clt.un", 0x105, NONE)            \
	X(LDFTN, "ldftn", 0x106, TOKEN) X(LDVIRTFTN, "ldvirtftn", 0x107, TOKEN) \
	X(LDARG, "ldarg", 0x109, U16) X(LDARGA, "ldarga", 0x10a, U16)          \
	X(STARG, "starg", 0x10b, U16) X(LDLOC, "ldloc", 0x10c, U16)            \
	X(LDLOCA, "ldloca", 0x10d, U16) X(STLOC, "stloc", 0x10e, U16)          \
	X(LOCALLOC, "localloc", 0x10f, NONE) X(ENDFILTER, "endfilter", 0x111, NONE) \
	X(UNALIGNED, "unaligned.", 0x112, PREFIX_U8) X(VOLATILE, "volatile.", 0x113, NONE) \
	X(TAIL, "tail.", 0x114, NONE) X(INITOBJ, "initobj", 0x115, TOKEN)      \
	X(CONSTRAINED, "constrained.", 0x116, TOKEN) X(CPBLK, "cpblk", 0x117, NONE) \
	X(INITBLK, "initblk", 0x118, NONE) X(NO, "no.", 0x119, PREFIX_U8)      \
	X(RETHROW, "rethrow", 0x11a, NONE) X(SIZEOF, "sizeof", 0x11c, TOKEN)   \
	X(REFANYTYPE, "refanytype", 0x11d, NONE) X(READONLY, "readonly.", 0x11e, NONE)

typedef enum cg_opcode {
#define CG_OP_ENUM_(id, name, code, opnd) CG_OP_##id = code,
	CG_OPCODE_LIST(CG_OP_ENUM_)
#undef CG_OP_ENUM_
	CG_OP_INVALID_ = 0x1ff,
} cg_opcode;

/* The opcode's name ("ldarg.s"), "?" for a number that is not one. */
const char *cg_opcode_name(unsigned op);

/* Prefix flags on an instruction. */
enum {
	CG_PFX_UNALIGNED = 1u << 0,
	CG_PFX_VOLATILE  = 1u << 1,
	CG_PFX_TAIL      = 1u << 2,
	CG_PFX_OTHER     = 1u << 3,   /* constrained. / no. / readonly. */
};

typedef struct cg_insn {
	uint32_t offset;        /* of the instruction (its first prefix) */
	uint32_t next;          /* offset of the following instruction */
	uint16_t op;            /* cg_opcode */
	uint8_t prefixes;       /* CG_PFX_* */
	uint8_t align;          /* unaligned.: 1, 2 or 4 */
	union {
		int64_t i;          /* I8, I32, I64 constants; U8/U16 indexes */
		double r;           /* R4, R8 */
		uint32_t token;
		uint32_t target;    /* branch target offset */
	};
	uint32_t ntargets;      /* switch */
	uint32_t *targets;      /* switch target offsets (arena) */
} cg_insn;

typedef struct cg_block {
	uint32_t first, end;    /* instruction indexes [first, end) */
	uint32_t offset;        /* IL offset of the first instruction */
	bool reachable;         /* from offset 0 (EH handlers are not modelled) */
} cg_block;

typedef struct cg_il {
	cg_insn *insns;
	uint32_t ninsns;
	cg_block *blocks;       /* in IL order */
	uint32_t nblocks;
	int32_t *block_at;      /* IL offset -> block index, -1 when no block starts there */
	uint32_t code_size;
} cg_il;

/* Decodes code[0..size) into out (arena allocations). Returns 0, or -1 with
 * a reason in *why ("invalid IL: ..." with the offset) for truncated
 * instructions, unknown opcodes, branches outside the method or into the
 * middle of an instruction, and code that runs off its end. */
int cg_il_decode(const uint8_t *code, uint32_t size, ng_arena *arena, cg_il *out,
		 const char **why);

/* True when the instruction ends its block. */
bool cg_insn_ends_block(const cg_insn *in);
/* True for an instruction that never falls through (br, ret, throw, ...). */
bool cg_insn_is_terminal(const cg_insn *in);

#endif
