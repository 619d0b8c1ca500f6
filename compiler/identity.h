/* compiler/identity.h - assembly identities and their display names.
 *
 * An identity is what .NET binds by: name, version, culture, public key
 * token, and processor architecture. The Assembly row gives an assembly's
 * own identity (its full public key is hashed to the token with SHA-1 from
 * libcrypto, ECMA-335 II.6.2.1.3: the last 8 bytes of the digest, reversed);
 * AssemblyRef rows give those of its references (a token, or a full key when
 * the PublicKey flag is set). Display names are written as .NET writes them:
 *   mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089
 * and parsed leniently (partial names, keys in any order and any case,
 * quotes, whitespace), as the cache's lookups need. */
#ifndef NG_IDENTITY_H
#define NG_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "compiler/md.h"

typedef enum md_arch {
	MD_ARCH_NONE = 0,   /* not stated */
	MD_ARCH_MSIL,
	MD_ARCH_X86,
	MD_ARCH_IA64,
	MD_ARCH_AMD64,
	MD_ARCH_ARM,
	MD_ARCH_ARM64,
} md_arch;

/* AssemblyFlags (II.23.1.2). */
enum {
	MD_ASM_PUBLICKEY = 0x0001,
	MD_ASM_RETARGETABLE = 0x0100,
	MD_ASM_DISABLE_JIT_OPT = 0x4000,
	MD_ASM_ENABLE_JIT_TRACKING = 0x8000,
};

typedef struct md_identity {
	const char *name;          /* borrowed (image or parse arena) */
	uint16_t version[4];       /* major, minor, build, revision */
	const char *culture;       /* "" = neutral */
	uint8_t token[8];          /* public key token */
	bool has_token;
	const uint8_t *public_key; /* full key when known (borrowed), else NULL */
	uint32_t public_key_len;
	uint32_t flags;            /* MD_ASM_* */
	md_arch arch;
} md_identity;

/* Which parts a (partial) display name stated. */
enum {
	MD_ID_VERSION = 1u << 0,
	MD_ID_CULTURE = 1u << 1,
	MD_ID_TOKEN   = 1u << 2,   /* PublicKeyToken= (null counts: has_token false) */
	MD_ID_ARCH    = 1u << 3,
	MD_ID_RETARGETABLE = 1u << 4,
};

/* The image's own identity (Assembly row, architecture from the PE machine
 * and CLI flags). NG_ERR_NOTFOUND for a module without an Assembly row. */
int md_assembly_identity(const md_image *img, md_identity *out, ng_diag *diag);
/* AssemblyRef row (1-based); the architecture is MD_ARCH_NONE. */
int md_assemblyref_identity(const md_image *img, uint32_t row, md_identity *out,
			    ng_diag *diag);
/* The architecture an image runs on, from its PE machine and CLI flags. */
md_arch md_image_arch(const md_image *img);
/* "MSIL", "x86", "IA64", "Amd64", "Arm", "Arm64"; "None" for MD_ARCH_NONE. */
const char *md_arch_name(md_arch arch);

/* Appends the display name without processorArchitecture. */
void md_identity_display(const md_identity *id, ng_strbuf *sb);
/* Same with ", processorArchitecture=X" when arch is known. */
void md_identity_display_full(const md_identity *id, ng_strbuf *sb);

/* Parses a full or partial display name. Strings are copied into arena.
 * *present receives MD_ID_* bits for the keys given. Unknown keys are an
 * error (NG_ERR_INVAL, with the key named), as are malformed values. */
int md_identity_parse(const char *display, ng_arena *arena, md_identity *out,
		      unsigned *present, ng_diag *diag);
/* True when full satisfies every part that partial states (present):
 * name case-insensitively, version exactly, culture case-insensitively
 * ("neutral" = ""), token bytes (or both null), architecture. */
bool md_identity_matches(const md_identity *partial, unsigned present,
			 const md_identity *full);
/* Public key token of a full key: last 8 bytes of SHA-1, reversed. */
void md_public_key_token(const uint8_t *key, uint32_t len, uint8_t token[8]);

#endif
