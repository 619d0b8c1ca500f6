/* compiler/md_int.h - private layout of md_image, shared by compiler/md_*.c.
 *
 * Each table is described twice: its schema (md__schemas, constant, from
 * ECMA-335 II.22) and its layout in one image (md__tab: base pointer, row
 * count, row size, and per column the byte offset, width 2 or 4, and kind).
 * md_get() is then one multiply and one load. */
#ifndef NG_MD_INT_H
#define NG_MD_INT_H

#include "compiler/md.h"
#include "compiler/pe.h"

enum { MD__MAX_COLS = 9 };

/* Column kinds. */
enum {
	MD__C_U8P,    /* 1 byte + 1 padding byte (Constant.Type) */
	MD__C_U16,
	MD__C_U32,
	MD__C_STR,    /* #Strings index */
	MD__C_GUID,   /* #GUID index (1-based) */
	MD__C_BLOB,   /* #Blob index */
	MD__C_IDX,    /* simple index into table arg */
	MD__C_LIST,   /* start of a run in table arg (may be rows + 1) */
	MD__C_CODED,  /* coded index of kind arg */
};

/* Coded index kinds (II.24.2.6). */
enum {
	MD__CI_TYPEDEFORREF, MD__CI_HASCONSTANT, MD__CI_HASCUSTOMATTRIBUTE,
	MD__CI_HASFIELDMARSHAL, MD__CI_HASDECLSECURITY, MD__CI_MEMBERREFPARENT,
	MD__CI_HASSEMANTICS, MD__CI_METHODDEFORREF, MD__CI_MEMBERFORWARDED,
	MD__CI_IMPLEMENTATION, MD__CI_CUSTOMATTRIBUTETYPE, MD__CI_RESOLUTIONSCOPE,
	MD__CI_TYPEORMETHODDEF, MD__CI_COUNT
};

enum { MD__NO_TABLE = 0xff };

typedef struct md__coded {
	const char *name;
	uint8_t bits, ntags;
	uint8_t tables[22];     /* MD__NO_TABLE for unused tags */
} md__coded;

typedef struct md__col {
	const char *name;
	uint8_t kind, arg;
} md__col;

typedef struct md__schema {
	const char *name;
	uint8_t ncols;
	md__col cols[MD__MAX_COLS];
} md__schema;

extern const md__schema md__schemas[MD_TABLE_COUNT];
extern const md__coded md__codeds[MD__CI_COUNT];

typedef struct md__tab {
	const uint8_t *base;
	uint32_t rows, row_size;
	uint8_t off[MD__MAX_COLS], width[MD__MAX_COLS];
} md__tab;

typedef struct md__heap {
	const uint8_t *p;
	uint32_t len;
} md__heap;

struct md_image {
	char *name;
	const uint8_t *data;
	size_t size;
	void *map;                 /* mmap()ed region, NULL for md_open_memory */
	size_t map_len;
	pe_file pe;
	const uint8_t *root;       /* metadata root */
	uint32_t root_size;
	char *version;
	md__heap strings, us, blob, guid;
	bool uncompressed;         /* #- */
	uint8_t heap_sizes;
	uint64_t valid, sorted;
	md__tab tab[MD_TABLE_COUNT];
	/* Row -> logical list position, only when the Ptr table exists. */
	uint32_t *method_pos, *field_pos;
	/* Top-level TypeDefs sorted by the hash of "namespace.name", for
	 * md_find_typedef(). */
	uint32_t ntypes;
	struct md__type_key { uint32_t hash, row; } *types;
};

static inline uint32_t md__rd16(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8); }
static inline uint32_t md__rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The raw stored value of a cell (no decoding of coded indexes). */
static inline uint32_t md__raw(const md_image *img, md_table t, uint32_t row, unsigned col)
{
	const md__tab *tb = &img->tab[t];
	const uint8_t *p = tb->base + (size_t)(row - 1) * tb->row_size + tb->off[col];
	return tb->width[col] == 4 ? md__rd32(p) : md__rd16(p);
}

/* Decodes a coded index value to a token (0 for a null row). */
uint32_t md__coded_token(unsigned kind, uint32_t raw);
/* Encodes a token as a coded index value; UINT32_MAX when the token's
 * table is not part of the kind. */
uint32_t md__coded_encode(unsigned kind, uint32_t token);
/* Row sizes and column offsets of every table, from the row counts. */
void md__tables_layout(md_image *img);
/* Checks every cell of every table (after the layout and bases are set). */
int md__tables_validate(md_image *img, ng_diag *diag);
/* Sets up the Ptr-table inverse maps (after validation). */
void md__lists_init(md_image *img);
/* Builds the TypeDef name index (after validation). */
void md__types_init(md_image *img);

#endif
