/* compiler/md_heap.c - the #Strings, #Blob, #GUID and #US heaps, and the
 * compressed integers of II.23.2.
 *
 * Table cells were validated at open, so md_string() and md_blob_get() on
 * them cannot fail; the checks here guard indexes that come from elsewhere
 * (ldstr operands, callers' arithmetic). */
#include "compiler/md_int.h"

#include "base/err.h"

#include <stdio.h>
#include <string.h>

int md_uncompress(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
	const uint8_t *p = *pp;
	if (p >= end)
		return NG_ERR_FORMAT;
	uint8_t b = p[0];
	if (!(b & 0x80)) {
		*out = b;
		*pp = p + 1;
	} else if ((b & 0xc0) == 0x80) {
		if (end - p < 2)
			return NG_ERR_FORMAT;
		*out = (uint32_t)(b & 0x3f) << 8 | p[1];
		*pp = p + 2;
	} else if ((b & 0xe0) == 0xc0) {
		if (end - p < 4)
			return NG_ERR_FORMAT;
		*out = (uint32_t)(b & 0x1f) << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
		*pp = p + 4;
	} else {
		return NG_ERR_FORMAT;
	}
	return 0;
}

int md_uncompress_signed(const uint8_t **pp, const uint8_t *end, int32_t *out)
{
	const uint8_t *start = *pp;
	uint32_t v;
	int rc = md_uncompress(pp, end, &v);
	if (rc < 0)
		return rc;
	/* The value is rotated left by one within its encoded width. */
	unsigned bits = *pp - start == 1 ? 7 : *pp - start == 2 ? 14 : 29;
	bool neg = v & 1;
	v >>= 1;
	if (neg)
		v |= ~0u << (bits - 1);
	*out = (int32_t)v;
	return 0;
}

const char *md_string(const md_image *img, uint32_t idx)
{
	if (idx >= img->strings.len)
		return "";
	return (const char *)img->strings.p + idx;
}

int md_blob_get(const md_image *img, uint32_t idx, md_blob *out)
{
	out->p = NULL;
	out->len = 0;
	if (idx == 0)
		return 0;
	if (idx >= img->blob.len)
		return NG_ERR_RANGE;
	const uint8_t *p = img->blob.p + idx, *end = img->blob.p + img->blob.len;
	uint32_t len;
	if (md_uncompress(&p, end, &len) < 0 || len > (uint32_t)(end - p))
		return NG_ERR_RANGE;
	out->p = len ? p : NULL;
	out->len = len;
	return 0;
}

const uint8_t *md_guid(const md_image *img, uint32_t idx)
{
	if (idx == 0 || idx > img->guid.len / 16)
		return NULL;
	return img->guid.p + (size_t)(idx - 1) * 16;
}

int md_user_string(const md_image *img, uint32_t idx, const uint8_t **chars,
		   uint32_t *len, ng_diag *diag)
{
	if (idx == 0 || idx >= img->us.len)
		return ng_diag_set(diag, NG_ERR_RANGE, "%s: user string index 0x%x is "
			"outside the #US heap (%u bytes)", img->name, idx, img->us.len);
	const uint8_t *p = img->us.p + idx, *end = img->us.p + img->us.len;
	uint32_t n;
	if (md_uncompress(&p, end, &n) < 0 || n > (uint32_t)(end - p))
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: user string at #US index "
			"0x%x has a length that runs past the heap", img->name, idx);
	/* The blob holds 2n bytes of UTF-16 and one trailing flag byte. */
	*chars = p;
	*len = n / 2;
	return 0;
}

static void put_utf8(char *o, size_t *k, uint32_t c)
{
	if (c < 0x80) {
		o[(*k)++] = (char)c;
	} else if (c < 0x800) {
		o[(*k)++] = (char)(0xc0 | c >> 6);
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o[(*k)++] = (char)(0xe0 | c >> 12);
		o[(*k)++] = (char)(0x80 | (c >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | c >> 18);
		o[(*k)++] = (char)(0x80 | (c >> 12 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	}
}

int md_user_string_utf8(const md_image *img, uint32_t idx, ng_arena *arena,
			char **out, ng_diag *diag)
{
	const uint8_t *p;
	uint32_t n;
	int rc = md_user_string(img, idx, &p, &n, diag);
	if (rc < 0)
		return rc;
	char *o = ng_arena_alloc(arena, (size_t)n * 3 + 1);
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = md__rd16(p + 2 * i);
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t d = md__rd16(p + 2 * i + 2);
			if (d >= 0xdc00 && d < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
				i++;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;
		put_utf8(o, &k, c);
	}
	o[k] = '\0';
	*out = o;
	return 0;
}

void md_mvid(const md_image *img, uint8_t out[16])
{
	const uint8_t *g = md_guid(img, md_get(img, MD_T_MODULE, 1, MD_MODULE_MVID));
	if (g)
		memcpy(out, g, 16);
	else
		memset(out, 0, 16);
}

void md_guid_format(const uint8_t g[16], char buf[37])
{
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", g[3], g[2], g[1], g[0], g[5], g[4],
		 g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

uint32_t md_assembly_refs(const md_image *img)
{
	return img->tab[MD_T_ASSEMBLYREF].rows;
}
