/* compiler/identity.c - see identity.h.
 *
 * Parsing follows .NET's AssemblyName rules loosely: the first
 * comma-separated item is the name, the rest are Key=Value pairs whose keys
 * are case-insensitive; values may be quoted. "neutral" means the invariant
 * culture, "null" a missing public key token. */
#include "compiler/identity.h"

#include "base/err.h"
#include "base/hash.h"
#include "compiler/md_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void md_public_key_token(const uint8_t *key, uint32_t len, uint8_t token[8])
{
	uint8_t digest[NG_SHA1_LEN];
	ng_sha1(key, len, digest);
	for (int i = 0; i < 8; i++)
		token[i] = digest[NG_SHA1_LEN - 1 - i];
}

md_arch md_image_arch(const md_image *img)
{
	const md_pe_info *pe = md_pe(img);
	switch (pe->machine) {
	case MD_MACHINE_I386:
		if ((pe->cli_flags & MD_COMIMAGE_ILONLY) &&
		    (!(pe->cli_flags & MD_COMIMAGE_32BITREQUIRED) ||
		     (pe->cli_flags & MD_COMIMAGE_32BITPREFERRED)))
			return MD_ARCH_MSIL;
		return MD_ARCH_X86;
	case MD_MACHINE_AMD64: return MD_ARCH_AMD64;
	case MD_MACHINE_IA64: return MD_ARCH_IA64;
	case MD_MACHINE_ARMNT: return MD_ARCH_ARM;
	case MD_MACHINE_ARM64: return MD_ARCH_ARM64;
	default: return MD_ARCH_NONE;
	}
}

static const char *const arch_names[] = {
	"None", "MSIL", "x86", "IA64", "Amd64", "Arm", "Arm64",
};

const char *md_arch_name(md_arch arch)
{
	return (unsigned)arch < sizeof arch_names / sizeof arch_names[0] ?
		arch_names[arch] : "None";
}

/* A key blob: a full key is hashed, a token (8 bytes) copied. */
static void set_key(md_identity *id, md_blob key, bool full)
{
	if (key.len == 0)
		return;
	if (full) {
		id->public_key = key.p;
		id->public_key_len = key.len;
		md_public_key_token(key.p, key.len, id->token);
		id->has_token = true;
	} else if (key.len == 8) {
		memcpy(id->token, key.p, 8);
		id->has_token = true;
	}
}

int md_assembly_identity(const md_image *img, md_identity *out, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (md_row_count(img, MD_T_ASSEMBLY) == 0)
		return ng_diag_set(diag, NG_ERR_NOTFOUND, "%s: a module without an "
			"Assembly manifest (no Assembly row)", md_path(img));
	out->name = md_string(img, md_get(img, MD_T_ASSEMBLY, 1, MD_ASSEMBLY_NAME));
	out->culture = md_string(img, md_get(img, MD_T_ASSEMBLY, 1, MD_ASSEMBLY_CULTURE));
	for (unsigned i = 0; i < 4; i++)
		out->version[i] = (uint16_t)md_get(img, MD_T_ASSEMBLY, 1, MD_ASSEMBLY_MAJOR + i);
	out->flags = md_get(img, MD_T_ASSEMBLY, 1, MD_ASSEMBLY_FLAGS);
	md_blob key;
	md_blob_get(img, md_get(img, MD_T_ASSEMBLY, 1, MD_ASSEMBLY_PUBLICKEY), &key);
	set_key(out, key, true);
	out->arch = md_image_arch(img);
	return 0;
}

int md_assemblyref_identity(const md_image *img, uint32_t row, md_identity *out,
			    ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (row == 0 || row > md_row_count(img, MD_T_ASSEMBLYREF))
		return ng_diag_set(diag, NG_ERR_RANGE, "%s: no AssemblyRef row %u",
				   md_path(img), row);
	md_table t = MD_T_ASSEMBLYREF;
	out->name = md_string(img, md_get(img, t, row, MD_ASSEMBLYREF_NAME));
	out->culture = md_string(img, md_get(img, t, row, MD_ASSEMBLYREF_CULTURE));
	for (unsigned i = 0; i < 4; i++)
		out->version[i] = (uint16_t)md_get(img, t, row, MD_ASSEMBLYREF_MAJOR + i);
	out->flags = md_get(img, t, row, MD_ASSEMBLYREF_FLAGS);
	md_blob key;
	md_blob_get(img, md_get(img, t, row, MD_ASSEMBLYREF_PUBLICKEY), &key);
	set_key(out, key, out->flags & MD_ASM_PUBLICKEY);
	return 0;
}

void md_identity_display(const md_identity *id, ng_strbuf *sb)
{
	ng_strbuf_printf(sb, "%s, Version=%u.%u.%u.%u, Culture=%s, PublicKeyToken=",
			 id->name ? id->name : "", id->version[0], id->version[1],
			 id->version[2], id->version[3],
			 id->culture && id->culture[0] ? id->culture : "neutral");
	if (id->has_token) {
		char hex[17];
		ng_hex(id->token, 8, hex);
		ng_strbuf_puts(sb, hex);
	} else {
		ng_strbuf_puts(sb, "null");
	}
	if (id->flags & MD_ASM_RETARGETABLE)
		ng_strbuf_puts(sb, ", Retargetable=Yes");
}

void md_identity_display_full(const md_identity *id, ng_strbuf *sb)
{
	md_identity_display(id, sb);
	if (id->arch != MD_ARCH_NONE)
		ng_strbuf_printf(sb, ", processorArchitecture=%s", md_arch_name(id->arch));
}

/* ---- parsing ------------------------------------------------------------- */

static const char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s[n - 1] = '\0';
		s++;
	}
	return s;
}

static int parse_version(const char *v, uint16_t out[4])
{
	memset(out, 0, 4 * sizeof out[0]);
	for (int i = 0; i < 4; i++) {
		char *end;
		if (!isdigit((unsigned char)*v))
			return -1;
		unsigned long n = strtoul(v, &end, 10);
		if (n > 65535)
			return -1;
		out[i] = (uint16_t)n;
		if (*end == '\0')
			return i >= 1 ? 0 : -1;
		if (*end != '.')
			return -1;
		v = end + 1;
	}
	return -1;
}

static int parse_token(const char *v, md_identity *out)
{
	if (strcasecmp(v, "null") == 0) {
		out->has_token = false;
		return 0;
	}
	if (strlen(v) != 16)
		return -1;
	for (int i = 0; i < 8; i++) {
		char byte[3] = { v[2 * i], v[2 * i + 1], 0 };
		if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1]))
			return -1;
		out->token[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
	out->has_token = true;
	return 0;
}

static int parse_arch(const char *v, md_arch *out)
{
	for (unsigned i = 1; i < sizeof arch_names / sizeof arch_names[0]; i++)
		if (strcasecmp(v, arch_names[i]) == 0) {
			*out = (md_arch)i;
			return 0;
		}
	if (strcasecmp(v, "None") == 0) {
		*out = MD_ARCH_NONE;
		return 0;
	}
	return -1;
}

static int parse_pair(const char *display, char *item, ng_arena *arena,
		      md_identity *out, unsigned *present, ng_diag *diag)
{
	char *eq = strchr(item, '=');
	if (!eq)
		return ng_diag_set(diag, NG_ERR_INVAL, "assembly name '%s': '%s' is not "
			"Key=Value", display, trim(item));
	*eq = '\0';
	const char *key = trim(item), *val = trim(eq + 1);
	int bad = 0;
	if (strcasecmp(key, "Version") == 0) {
		bad = parse_version(val, out->version);
		*present |= MD_ID_VERSION;
	} else if (strcasecmp(key, "Culture") == 0) {
		out->culture = strcasecmp(val, "neutral") == 0 ? "" :
			ng_arena_strdup(arena, val);
		*present |= MD_ID_CULTURE;
	} else if (strcasecmp(key, "PublicKeyToken") == 0) {
		bad = parse_token(val, out);
		*present |= MD_ID_TOKEN;
	} else if (strcasecmp(key, "processorArchitecture") == 0) {
		bad = parse_arch(val, &out->arch);
		*present |= MD_ID_ARCH;
	} else if (strcasecmp(key, "Retargetable") == 0) {
		if (strcasecmp(val, "Yes") == 0)
			out->flags |= MD_ASM_RETARGETABLE;
		else
			bad = strcasecmp(val, "No") != 0;
		*present |= MD_ID_RETARGETABLE;
	} else if (strcasecmp(key, "PublicKey") == 0 || strcasecmp(key, "Custom") == 0 ||
		   strcasecmp(key, "ContentType") == 0) {
		/* Accepted and ignored: not part of what ngen binds by. */
	} else {
		return ng_diag_set(diag, NG_ERR_INVAL, "assembly name '%s': unknown key "
			"'%s' (expected Version, Culture, PublicKeyToken or "
			"processorArchitecture)", display, key);
	}
	if (bad)
		return ng_diag_set(diag, NG_ERR_INVAL, "assembly name '%s': bad value "
			"'%s' for %s", display, val, key);
	return 0;
}

int md_identity_parse(const char *display, ng_arena *arena, md_identity *out,
		      unsigned *present, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	*present = 0;
	if (!display)
		return ng_diag_set(diag, NG_ERR_INVAL, "no assembly name given");
	char *copy = ng_arena_strdup(arena, display), *save = NULL;
	char *item = strtok_r(copy, ",", &save);
	const char *name = item ? trim(item) : "";
	if (!name[0] || strchr(name, '='))
		return ng_diag_set(diag, NG_ERR_INVAL, "assembly name '%s': the name is "
			"missing before the first comma", display);
	out->name = name;
	out->culture = "";
	while ((item = strtok_r(NULL, ",", &save)) != NULL) {
		int rc = parse_pair(display, item, arena, out, present, diag);
		if (rc < 0)
			return rc;
	}
	return 0;
}

bool md_identity_matches(const md_identity *p, unsigned present, const md_identity *f)
{
	if (strcasecmp(p->name ? p->name : "", f->name ? f->name : "") != 0)
		return false;
	if ((present & MD_ID_VERSION) && memcmp(p->version, f->version, sizeof p->version))
		return false;
	if ((present & MD_ID_CULTURE) &&
	    strcasecmp(p->culture ? p->culture : "", f->culture ? f->culture : "") != 0)
		return false;
	if ((present & MD_ID_TOKEN) && (p->has_token != f->has_token ||
	    (p->has_token && memcmp(p->token, f->token, 8) != 0)))
		return false;
	if ((present & MD_ID_ARCH) && p->arch != MD_ARCH_NONE && f->arch != MD_ARCH_NONE &&
	    p->arch != f->arch)
		return false;
	return true;
}
