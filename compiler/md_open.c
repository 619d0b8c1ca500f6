/* compiler/md_open.c - opening an assembly: mapping, metadata root, streams.
 *
 * md_open() maps the file read-only and hands it to md_open_memory(), which
 * runs the checks in order: PE container (pe.c), metadata root and stream
 * headers (here), table stream header and row counts (here), then every
 * cell of every table (md_tables.c). Each step relies only on what the
 * previous ones checked. */
#include "compiler/md_int.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int root_error(const md_image *img, const char *what, size_t off, ng_diag *diag)
{
	return ng_diag_set(diag, NG_ERR_FORMAT, "%s: metadata root at file offset "
		"0x%zx: %s", img->name, off, what);
}

static size_t root_off(const md_image *img)
{
	return (size_t)(img->root - img->data);
}

/* Metadata root: signature, version string, stream count (II.24.2.1). */
static int parse_root(md_image *img, uint32_t *nstreams, uint32_t *pos, ng_diag *diag)
{
	const pe_file *pe = &img->pe;
	size_t off;
	if (pe->metadata_size < 20 ||
	    pe_rva_to_offset(pe, pe->metadata_rva, pe->metadata_size, &off) < 0)
		return ng_diag_set(diag, NG_ERR_FORMAT,
			"%s: CLI header names metadata at RVA 0x%x, %u bytes, which is "
			"not inside the file's section data", img->name,
			pe->metadata_rva, pe->metadata_size);
	img->root = img->data + off;
	img->root_size = pe->metadata_size;
	const uint8_t *r = img->root;
	if (md__rd32(r) != 0x424a5342)
		return root_error(img, "signature is not 'BSJB'", off, diag);
	uint32_t vlen = md__rd32(r + 12);
	if (vlen > 255 || 16 + (uint64_t)vlen + 4 > img->root_size)
		return root_error(img, "version string length is out of range", off, diag);
	img->version = xstrndup((const char *)r + 16, vlen);
	*pos = 16 + vlen;
	*nstreams = md__rd16(r + *pos + 2);
	*pos += 4;
	return 0;
}

static md__heap *heap_named(md_image *img, const char *name, bool *tables)
{
	*tables = false;
	if (strcmp(name, "#Strings") == 0) return &img->strings;
	if (strcmp(name, "#US") == 0) return &img->us;
	if (strcmp(name, "#Blob") == 0) return &img->blob;
	if (strcmp(name, "#GUID") == 0) return &img->guid;
	*tables = strcmp(name, "#~") == 0 || strcmp(name, "#-") == 0;
	return NULL;
}

/* Stream headers (II.24.2.2): offset, size, NUL-terminated name padded to 4. */
static int parse_streams(md_image *img, uint32_t n, uint32_t pos, md__heap *tables,
			 ng_diag *diag)
{
	const uint8_t *r = img->root;
	size_t off = root_off(img);
	for (uint32_t i = 0; i < n; i++) {
		if ((uint64_t)pos + 8 > img->root_size)
			return root_error(img, "stream headers run past the metadata", off, diag);
		uint32_t soff = md__rd32(r + pos), ssize = md__rd32(r + pos + 4);
		const uint8_t *name = r + pos + 8;
		size_t room = img->root_size - pos - 8, nlen = strnlen((const char *)name,
			room < 32 ? room : 32);
		if (nlen >= room || nlen >= 32)
			return root_error(img, "a stream name is not terminated", off, diag);
		if ((uint64_t)soff + ssize > img->root_size)
			return ng_diag_set(diag, NG_ERR_FORMAT, "%s: stream '%s' (offset "
				"0x%x, %u bytes) extends past the metadata (%u bytes at file "
				"offset 0x%zx)", img->name, (const char *)name, soff, ssize,
				img->root_size, off);
		bool is_tables;
		md__heap *h = heap_named(img, (const char *)name, &is_tables);
		if (is_tables && !tables->p) {
			img->uncompressed = name[1] == '-';
			h = tables;
		}
		if (h && !h->p) {
			h->p = r + soff;
			h->len = ssize;
		}
		pos += 8 + (uint32_t)((nlen + 4) & ~(size_t)3);
	}
	if (!tables->p)
		return root_error(img, "no #~ (metadata tables) stream", off, diag);
	if (img->strings.len && img->strings.p[img->strings.len - 1] != 0)
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: the #Strings heap does not "
			"end with a NUL byte", img->name);
	return 0;
}

/* Table stream header (II.24.2.6): heap sizes, valid mask, row counts. */
static int parse_table_header(md_image *img, md__heap ts, ng_diag *diag)
{
	size_t off = (size_t)(ts.p - img->data);
	if (ts.len < 24)
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: the #~ stream at file offset "
			"0x%zx is too short for its header", img->name, off);
	img->heap_sizes = ts.p[6];
	img->valid = (uint64_t)md__rd32(ts.p + 8) | (uint64_t)md__rd32(ts.p + 12) << 32;
	img->sorted = (uint64_t)md__rd32(ts.p + 16) | (uint64_t)md__rd32(ts.p + 20) << 32;
	if (img->valid >> MD_TABLE_COUNT)
		return ng_diag_set(diag, NG_ERR_FORMAT, "%s: the #~ stream at file offset "
			"0x%zx declares tables beyond 0x2c (valid mask 0x%016llx)",
			img->name, off, (unsigned long long)img->valid);
	uint64_t pos = 24;
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++) {
		if (!(img->valid >> t & 1))
			continue;
		if (pos + 4 > ts.len)
			return ng_diag_set(diag, NG_ERR_FORMAT, "%s: #~ stream row counts "
				"run past its end (file offset 0x%zx)", img->name, off);
		img->tab[t].rows = md__rd32(ts.p + pos);
		if (img->tab[t].rows > 0xffffff)
			return ng_diag_set(diag, NG_ERR_FORMAT, "%s: table %s claims %u "
				"rows, more than a token can address", img->name,
				md__schemas[t].name, img->tab[t].rows);
		pos += 4;
	}
	if (img->heap_sizes & 0x40)
		pos += 4;   /* extra data some writers add */
	md__tables_layout(img);
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++) {
		uint64_t bytes = (uint64_t)img->tab[t].rows * img->tab[t].row_size;
		if (pos + bytes > ts.len)
			return ng_diag_set(diag, NG_ERR_FORMAT, "%s: table %s (%u rows of "
				"%u bytes at file offset 0x%llx) extends past the end of the "
				"#~ stream", img->name, md__schemas[t].name, img->tab[t].rows,
				img->tab[t].row_size, (unsigned long long)(off + pos));
		img->tab[t].base = ts.p + pos;
		pos += bytes;
	}
	return md__tables_validate(img, diag);
}

static int parse_metadata(md_image *img, ng_diag *diag)
{
	uint32_t n = 0, pos = 0;
	md__heap tables = { 0 };
	int rc = parse_root(img, &n, &pos, diag);
	if (rc == 0)
		rc = parse_streams(img, n, pos, &tables, diag);
	if (rc == 0)
		rc = parse_table_header(img, tables, diag);
	return rc;
}

/* Row -> list position for MethodPtr / FieldPtr, so owner lookups can
 * search the TypeDef lists, which hold positions. */
static uint32_t *inverse_ptr(const md_image *img, md_table ptr, md_table target)
{
	uint32_t n = img->tab[ptr].rows, m = img->tab[target].rows;
	if (n == 0)
		return NULL;
	uint32_t *pos = xcalloc((size_t)m + 1, sizeof *pos);
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t r = md__raw(img, ptr, i, 0);
		if (r && r <= m && !pos[r])
			pos[r] = i;
	}
	return pos;
}

void md__lists_init(md_image *img)
{
	img->method_pos = inverse_ptr(img, MD_T_METHODPTR, MD_T_METHODDEF);
	img->field_pos = inverse_ptr(img, MD_T_FIELDPTR, MD_T_FIELD);
}

int md_open_memory(const void *data, size_t len, const char *name,
		   md_image **out, ng_diag *diag)
{
	*out = NULL;
	if (!data && len)
		return ng_diag_set(diag, NG_ERR_INVAL, "%s: no data", name ? name : "?");
	md_image *img = xcalloc(1, sizeof *img);
	img->name = xstrdup(name ? name : "<memory>");
	img->data = data;
	img->size = len;
	int rc = pe_parse(img->data, len, img->name, &img->pe, diag);
	if (rc == 0)
		rc = parse_metadata(img, diag);
	if (rc < 0) {
		md_close(img);
		return rc;
	}
	md__lists_init(img);
	md__types_init(img);
	*out = img;
	return 0;
}

int md_open(const char *path, md_image **out, ng_diag *diag)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ng_diag_set(diag, -errno, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
		close(fd);
		return ng_diag_set(diag, -e, "%s: not a regular file", path);
	}
	size_t len = (size_t)st.st_size;
	void *map = NULL;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			int e = errno;
			close(fd);
			return ng_diag_set(diag, -e, "%s: cannot map: %s", path, strerror(e));
		}
	}
	close(fd);
	static const uint8_t empty[1];
	int rc = md_open_memory(map ? map : empty, len, path, out, diag);
	if (rc < 0) {
		if (map)
			munmap(map, len);
		return rc;
	}
	(*out)->map = map;
	(*out)->map_len = len;
	return 0;
}

void md_close(md_image *img)
{
	if (!img)
		return;
	if (img->map)
		munmap(img->map, img->map_len);
	pe_free(&img->pe);
	free(img->method_pos);
	free(img->field_pos);
	free(img->types);
	free(img->version);
	free(img->name);
	free(img);
}

const char *md_path(const md_image *img) { return img->name; }

const uint8_t *md_file_data(const md_image *img, size_t *len)
{
	*len = img->size;
	return img->data;
}

const md_pe_info *md_pe(const md_image *img) { return &img->pe.info; }

int md_rva_data(const md_image *img, uint32_t rva, uint32_t len,
		const uint8_t **ptr, ng_diag *diag)
{
	size_t off;
	if (pe_rva_to_offset(&img->pe, rva, len, &off) < 0)
		return ng_diag_set(diag, NG_ERR_RANGE, "%s: RVA 0x%x (%u bytes) is not "
			"inside the file's section data", img->name, rva, len);
	*ptr = img->data + off;
	return 0;
}

uint32_t md_rva_avail(const md_image *img, uint32_t rva)
{
	return pe_rva_avail(&img->pe, rva);
}

uint32_t md_entry_point(const md_image *img)
{
	if (img->pe.info.cli_flags & MD_COMIMAGE_NATIVE_ENTRYPOINT)
		return 0;
	uint32_t tok = img->pe.info.entry_point;
	if (MD_TOKEN_TABLE(tok) != MD_T_METHODDEF || MD_TOKEN_ROW(tok) == 0 ||
	    MD_TOKEN_ROW(tok) > img->tab[MD_T_METHODDEF].rows)
		return 0;
	return tok;
}

const char *md_runtime_version(const md_image *img) { return img->version; }
