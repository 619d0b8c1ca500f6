/* compiler/md.h - the ECMA-335 metadata reader.
 *
 * An md_image is one assembly file (PE32 or PE32+ with a CLI header),
 * memory-mapped read-only. md_open() validates, once and eagerly, everything
 * the accessors below rely on: the PE and CLI headers, the metadata root and
 * its stream bounds, the table stream (row counts, heap-size flags, row
 * sizes) and every column of every row (heap indexes in range, blob lengths
 * inside the blob heap, coded indexes with a valid tag and an existing row,
 * simple indexes in range). After a successful open the row and heap
 * accessors therefore never fail and never read outside the file; they take
 * 1-based row numbers and return 0 / "" / empty for out-of-range arguments.
 *
 * What cannot be checked cheaply up front is checked when it is decoded:
 * method bodies (md_body.c), signature blobs (md_sig.c) and custom attribute
 * blobs (md_attr.c) return an error naming the file, the method or row and
 * the offset when they are malformed.
 *
 * Thread safety: an image is immutable after md_open(); any number of
 * threads may read it at once. Decoders allocate from the caller's ng_arena.
 *
 * Tokens are (table << 24) | row, 0 meaning "null". Simple index columns
 * come back from md_get() as row numbers, coded index columns as tokens,
 * heap columns as heap offsets (md_string/md_blob_get/md_guid take them). */
#ifndef NG_MD_H
#define NG_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"

typedef struct md_image md_image;

/* ---- opening -------------------------------------------------------------- */

/* Maps and validates the file at path. On success *out owns the mapping
 * until md_close(). On failure returns NG_ERR_NOT_PE (not a PE file at all),
 * NG_ERR_NOT_CLI (a PE without a CLI header), NG_ERR_FORMAT (malformed:
 * the message names the file, what is wrong and the offset or
 * table/row/column) or -errno (cannot open or map). */
int md_open(const char *path, md_image **out, ng_diag *diag);
/* Same over a buffer the caller keeps alive until md_close() (borrowed, not
 * copied). name is used in messages (copied). */
int md_open_memory(const void *data, size_t len, const char *name,
		   md_image **out, ng_diag *diag);
void md_close(md_image *img);
/* The path or name given to md_open*; valid until md_close(). */
const char *md_path(const md_image *img);
/* The whole file, for hashing and the like. */
const uint8_t *md_file_data(const md_image *img, size_t *len);

/* ---- PE and CLI headers --------------------------------------------------- */

enum {
	MD_MACHINE_I386  = 0x014c,
	MD_MACHINE_AMD64 = 0x8664,
	MD_MACHINE_IA64  = 0x0200,
	MD_MACHINE_ARMNT = 0x01c4,
	MD_MACHINE_ARM64 = 0xaa64,
};

/* CLI header Flags (ECMA-335 II.25.3.3.1). */
enum {
	MD_COMIMAGE_ILONLY           = 0x00000001,
	MD_COMIMAGE_32BITREQUIRED    = 0x00000002,
	MD_COMIMAGE_STRONGNAMESIGNED = 0x00000008,
	MD_COMIMAGE_NATIVE_ENTRYPOINT= 0x00000010,
	MD_COMIMAGE_TRACKDEBUGDATA   = 0x00010000,
	MD_COMIMAGE_32BITPREFERRED   = 0x00020000,
};

typedef struct md_pe_info {
	uint16_t machine;           /* MD_MACHINE_* (COFF header) */
	uint16_t characteristics;   /* COFF characteristics (0x2000 = DLL) */
	bool pe32plus;              /* optional header magic 0x20b */
	uint16_t subsystem;         /* 2 = GUI, 3 = console */
	uint32_t section_count;
	uint16_t cli_major, cli_minor; /* runtime version in the CLI header */
	uint32_t cli_flags;         /* MD_COMIMAGE_* */
	uint32_t entry_point;       /* CLI header EntryPointToken (or RVA if native) */
	uint32_t resources_rva, resources_size;
	uint32_t strong_name_rva, strong_name_size;
} md_pe_info;

const md_pe_info *md_pe(const md_image *img);
/* Data at rva..rva+len inside a section's raw data, or NG_ERR_RANGE with a
 * message. *ptr is borrowed from the mapping. len 0 only checks rva. */
int md_rva_data(const md_image *img, uint32_t rva, uint32_t len,
		const uint8_t **ptr, ng_diag *diag);
/* Bytes available in the file from rva to the end of its section (0 when
 * rva is in no section). */
uint32_t md_rva_avail(const md_image *img, uint32_t rva);
/* The entry point's MethodDef token from the CLI header, 0 for a library
 * (or a native entry point). */
uint32_t md_entry_point(const md_image *img);
/* The version string of the metadata root, e.g. "v4.0.30319". */
const char *md_runtime_version(const md_image *img);

/* ---- tables (ECMA-335 II.22) --------------------------------------------- */

/* X(enum id, number, name). All 45 tables, including the Ptr and ENC
 * tables that only unoptimised (#-) metadata uses. */
#define MD_TABLE_LIST(X)                                        \
	X(MD_T_MODULE,                 0x00, "Module")                 \
	X(MD_T_TYPEREF,                0x01, "TypeRef")                \
	X(MD_T_TYPEDEF,                0x02, "TypeDef")                \
	X(MD_T_FIELDPTR,               0x03, "FieldPtr")               \
	X(MD_T_FIELD,                  0x04, "Field")                  \
	X(MD_T_METHODPTR,              0x05, "MethodPtr")              \
	X(MD_T_METHODDEF,              0x06, "MethodDef")              \
	X(MD_T_PARAMPTR,               0x07, "ParamPtr")               \
	X(MD_T_PARAM,                  0x08, "Param")                  \
	X(MD_T_INTERFACEIMPL,          0x09, "InterfaceImpl")          \
	X(MD_T_MEMBERREF,              0x0a, "MemberRef")              \
	X(MD_T_CONSTANT,               0x0b, "Constant")               \
	X(MD_T_CUSTOMATTRIBUTE,        0x0c, "CustomAttribute")        \
	X(MD_T_FIELDMARSHAL,           0x0d, "FieldMarshal")           \
	X(MD_T_DECLSECURITY,           0x0e, "DeclSecurity")           \
	X(MD_T_CLASSLAYOUT,            0x0f, "ClassLayout")            \
	X(MD_T_FIELDLAYOUT,            0x10, "FieldLayout")            \
	X(MD_T_STANDALONESIG,          0x11, "StandAloneSig")          \
	X(MD_T_EVENTMAP,               0x12, "EventMap")               \
	X(MD_T_EVENTPTR,               0x13, "EventPtr")               \
	X(MD_T_EVENT,                  0x14, "Event")                  \
	X(MD_T_PROPERTYMAP,            0x15, "PropertyMap")            \
	X(MD_T_PROPERTYPTR,            0x16, "PropertyPtr")            \
	X(MD_T_PROPERTY,               0x17, "Property")               \
	X(MD_T_METHODSEMANTICS,        0x18, "MethodSemantics")        \
	X(MD_T_METHODIMPL,             0x19, "MethodImpl")             \
	X(MD_T_MODULEREF,              0x1a, "ModuleRef")              \
	X(MD_T_TYPESPEC,               0x1b, "TypeSpec")               \
	X(MD_T_IMPLMAP,                0x1c, "ImplMap")                \
	X(MD_T_FIELDRVA,               0x1d, "FieldRVA")               \
	X(MD_T_ENCLOG,                 0x1e, "ENCLog")                 \
	X(MD_T_ENCMAP,                 0x1f, "ENCMap")                 \
	X(MD_T_ASSEMBLY,               0x20, "Assembly")               \
	X(MD_T_ASSEMBLYPROCESSOR,      0x21, "AssemblyProcessor")      \
	X(MD_T_ASSEMBLYOS,             0x22, "AssemblyOS")             \
	X(MD_T_ASSEMBLYREF,            0x23, "AssemblyRef")            \
	X(MD_T_ASSEMBLYREFPROCESSOR,   0x24, "AssemblyRefProcessor")   \
	X(MD_T_ASSEMBLYREFOS,          0x25, "AssemblyRefOS")          \
	X(MD_T_FILE,                   0x26, "File")                   \
	X(MD_T_EXPORTEDTYPE,           0x27, "ExportedType")           \
	X(MD_T_MANIFESTRESOURCE,       0x28, "ManifestResource")       \
	X(MD_T_NESTEDCLASS,            0x29, "NestedClass")            \
	X(MD_T_GENERICPARAM,           0x2a, "GenericParam")           \
	X(MD_T_METHODSPEC,             0x2b, "MethodSpec")             \
	X(MD_T_GENERICPARAMCONSTRAINT, 0x2c, "GenericParamConstraint")

typedef enum md_table {
#define MD_T_ENUM_(id, num, name) id = num,
	MD_TABLE_LIST(MD_T_ENUM_)
#undef MD_T_ENUM_
	MD_TABLE_COUNT
} md_table;

/* The table's name ("TypeDef"), or "?" for a number outside the list. */
const char *md_table_name(md_table t);
/* Number of columns of the table's schema. */
unsigned md_table_columns(md_table t);
/* A column's name ("Flags", "Name", ...), or "?". */
const char *md_column_name(md_table t, unsigned col);

/* Column numbers, per table, in schema order. */
enum { MD_MODULE_GENERATION, MD_MODULE_NAME, MD_MODULE_MVID, MD_MODULE_ENCID,
       MD_MODULE_ENCBASEID };
enum { MD_TYPEREF_SCOPE, MD_TYPEREF_NAME, MD_TYPEREF_NAMESPACE };
enum { MD_TYPEDEF_FLAGS, MD_TYPEDEF_NAME, MD_TYPEDEF_NAMESPACE, MD_TYPEDEF_EXTENDS,
       MD_TYPEDEF_FIELDLIST, MD_TYPEDEF_METHODLIST };
enum { MD_FIELDPTR_FIELD };
enum { MD_FIELD_FLAGS, MD_FIELD_NAME, MD_FIELD_SIGNATURE };
enum { MD_METHODPTR_METHOD };
enum { MD_METHODDEF_RVA, MD_METHODDEF_IMPLFLAGS, MD_METHODDEF_FLAGS,
       MD_METHODDEF_NAME, MD_METHODDEF_SIGNATURE, MD_METHODDEF_PARAMLIST };
enum { MD_PARAMPTR_PARAM };
enum { MD_PARAM_FLAGS, MD_PARAM_SEQUENCE, MD_PARAM_NAME };
enum { MD_INTERFACEIMPL_CLASS, MD_INTERFACEIMPL_INTERFACE };
enum { MD_MEMBERREF_CLASS, MD_MEMBERREF_NAME, MD_MEMBERREF_SIGNATURE };
enum { MD_CONSTANT_TYPE, MD_CONSTANT_PARENT, MD_CONSTANT_VALUE };
enum { MD_CUSTOMATTRIBUTE_PARENT, MD_CUSTOMATTRIBUTE_TYPE, MD_CUSTOMATTRIBUTE_VALUE };
enum { MD_FIELDMARSHAL_PARENT, MD_FIELDMARSHAL_NATIVETYPE };
enum { MD_DECLSECURITY_ACTION, MD_DECLSECURITY_PARENT, MD_DECLSECURITY_PERMISSIONSET };
enum { MD_CLASSLAYOUT_PACKINGSIZE, MD_CLASSLAYOUT_CLASSSIZE, MD_CLASSLAYOUT_PARENT };
enum { MD_FIELDLAYOUT_OFFSET, MD_FIELDLAYOUT_FIELD };
enum { MD_STANDALONESIG_SIGNATURE };
enum { MD_EVENTMAP_PARENT, MD_EVENTMAP_EVENTLIST };
enum { MD_EVENTPTR_EVENT };
enum { MD_EVENT_FLAGS, MD_EVENT_NAME, MD_EVENT_TYPE };
enum { MD_PROPERTYMAP_PARENT, MD_PROPERTYMAP_PROPERTYLIST };
enum { MD_PROPERTYPTR_PROPERTY };
enum { MD_PROPERTY_FLAGS, MD_PROPERTY_NAME, MD_PROPERTY_TYPE };
enum { MD_METHODSEMANTICS_SEMANTICS, MD_METHODSEMANTICS_METHOD,
       MD_METHODSEMANTICS_ASSOCIATION };
enum { MD_METHODIMPL_CLASS, MD_METHODIMPL_BODY, MD_METHODIMPL_DECLARATION };
enum { MD_MODULEREF_NAME };
enum { MD_TYPESPEC_SIGNATURE };
enum { MD_IMPLMAP_FLAGS, MD_IMPLMAP_MEMBER, MD_IMPLMAP_IMPORTNAME, MD_IMPLMAP_SCOPE };
enum { MD_FIELDRVA_RVA, MD_FIELDRVA_FIELD };
enum { MD_ENCLOG_TOKEN, MD_ENCLOG_FUNCCODE };
enum { MD_ENCMAP_TOKEN };
enum { MD_ASSEMBLY_HASHALGID, MD_ASSEMBLY_MAJOR, MD_ASSEMBLY_MINOR, MD_ASSEMBLY_BUILD,
       MD_ASSEMBLY_REVISION, MD_ASSEMBLY_FLAGS, MD_ASSEMBLY_PUBLICKEY,
       MD_ASSEMBLY_NAME, MD_ASSEMBLY_CULTURE };
enum { MD_ASSEMBLYPROCESSOR_PROCESSOR };
enum { MD_ASSEMBLYOS_PLATFORM, MD_ASSEMBLYOS_MAJOR, MD_ASSEMBLYOS_MINOR };
enum { MD_ASSEMBLYREF_MAJOR, MD_ASSEMBLYREF_MINOR, MD_ASSEMBLYREF_BUILD,
       MD_ASSEMBLYREF_REVISION, MD_ASSEMBLYREF_FLAGS, MD_ASSEMBLYREF_PUBLICKEY,
       MD_ASSEMBLYREF_NAME, MD_ASSEMBLYREF_CULTURE, MD_ASSEMBLYREF_HASHVALUE };
enum { MD_ASSEMBLYREFPROCESSOR_PROCESSOR, MD_ASSEMBLYREFPROCESSOR_REF };
enum { MD_ASSEMBLYREFOS_PLATFORM, MD_ASSEMBLYREFOS_MAJOR, MD_ASSEMBLYREFOS_MINOR,
       MD_ASSEMBLYREFOS_REF };
enum { MD_FILE_FLAGS, MD_FILE_NAME, MD_FILE_HASHVALUE };
enum { MD_EXPORTEDTYPE_FLAGS, MD_EXPORTEDTYPE_TYPEDEFID, MD_EXPORTEDTYPE_NAME,
       MD_EXPORTEDTYPE_NAMESPACE, MD_EXPORTEDTYPE_IMPLEMENTATION };
enum { MD_MANIFESTRESOURCE_OFFSET, MD_MANIFESTRESOURCE_FLAGS, MD_MANIFESTRESOURCE_NAME,
       MD_MANIFESTRESOURCE_IMPLEMENTATION };
enum { MD_NESTEDCLASS_NESTED, MD_NESTEDCLASS_ENCLOSING };
enum { MD_GENERICPARAM_NUMBER, MD_GENERICPARAM_FLAGS, MD_GENERICPARAM_OWNER,
       MD_GENERICPARAM_NAME };
enum { MD_METHODSPEC_METHOD, MD_METHODSPEC_INSTANTIATION };
enum { MD_GENERICPARAMCONSTRAINT_OWNER, MD_GENERICPARAMCONSTRAINT_CONSTRAINT };

/* Token helpers. */
#define MD_TOKEN(table, row) (((uint32_t)(table) << 24) | (uint32_t)(row))
#define MD_TOKEN_TABLE(tok)  ((md_table)((uint32_t)(tok) >> 24))
#define MD_TOKEN_ROW(tok)    ((uint32_t)(tok) & 0x00ffffffu)
/* #US heap tokens (ldstr) use table number 0x70. */
enum { MD_TOKEN_STRING = 0x70 };

/* Rows in table t (0 when absent). */
uint32_t md_row_count(const md_image *img, md_table t);
/* One cell: row is 1-based. Constant columns come back as they are stored;
 * heap columns as heap offsets; simple indexes as rows (list columns may
 * be rows + 1, the end of the last list); coded indexes as tokens (0 =
 * null). Returns 0 for a row or column out of range. */
uint32_t md_get(const md_image *img, md_table t, uint32_t row, unsigned col);
/* True when the table is marked sorted in the table stream header. */
bool md_table_is_sorted(const md_image *img, md_table t);
/* Rows [*first, *end) of t whose column col equals key (a token for coded
 * columns, a row for simple index columns). Binary search when the table
 * is sorted, else a linear scan that returns the first contiguous run.
 * Returns the number of rows found. */
uint32_t md_find_rows(const md_image *img, md_table t, unsigned col, uint32_t key,
		      uint32_t *first, uint32_t *end);
/* True when the metadata uses the uncompressed #- stream (Ptr tables). */
bool md_is_uncompressed(const md_image *img);

/* ---- heaps ------------------------------------------------------------- */

/* NUL-terminated UTF-8 from #Strings; "" for 0 or out of range. Borrowed
 * from the mapping until md_close(). */
const char *md_string(const md_image *img, uint32_t idx);

typedef struct md_blob {
	const uint8_t *p;   /* borrowed from the mapping; NULL when len == 0 */
	uint32_t len;
} md_blob;

/* The blob at idx in #Blob. Returns 0, or NG_ERR_RANGE for an index
 * outside the heap (never after validation for indexes read from tables). */
int md_blob_get(const md_image *img, uint32_t idx, md_blob *out);
/* The 16-byte GUID at 1-based index idx of #GUID, or NULL for 0 / range. */
const uint8_t *md_guid(const md_image *img, uint32_t idx);
/* The #US string at idx (the low 24 bits of an ldstr token): *chars
 * points at len UTF-16LE code units as bytes (read them with memcpy or
 * byte by byte: the heap gives no alignment guarantee). Returns 0, or
 * NG_ERR_RANGE / NG_ERR_FORMAT with a message. */
int md_user_string(const md_image *img, uint32_t idx, const uint8_t **chars,
		   uint32_t *len, ng_diag *diag);
/* The #US string converted to UTF-8 in the arena (unpaired surrogates
 * become U+FFFD). */
int md_user_string_utf8(const md_image *img, uint32_t idx, ng_arena *arena,
			char **out, ng_diag *diag);
/* Reads an ECMA-335 compressed unsigned integer (II.23.2) at *p (< end),
 * advancing *p. Returns 0 or NG_ERR_FORMAT. */
int md_uncompress(const uint8_t **p, const uint8_t *end, uint32_t *out);
/* Same for the signed form. */
int md_uncompress_signed(const uint8_t **p, const uint8_t *end, int32_t *out);

/* ---- typed row helpers ---------------------------------------------------- */

/* MethodDef Flags / ImplFlags bits the compiler looks at (II.23.1.10/11). */
enum {
	MD_METHOD_STATIC       = 0x0010,
	MD_METHOD_VIRTUAL      = 0x0040,
	MD_METHOD_ABSTRACT     = 0x0400,
	MD_METHOD_SPECIALNAME  = 0x0800,
	MD_METHOD_PINVOKEIMPL  = 0x2000,
	MD_METHODIMPL_CODETYPE_MASK = 0x0003,
	MD_METHODIMPL_IL       = 0x0000,
	MD_METHODIMPL_NATIVE   = 0x0001,
	MD_METHODIMPL_RUNTIME  = 0x0003,
	MD_METHODIMPL_UNMANAGED= 0x0004,
	MD_METHODIMPL_INTERNALCALL = 0x1000,
};
/* TypeDef Flags bits (II.23.1.15). */
enum {
	MD_TYPE_VISIBILITY_MASK = 0x00000007,
	MD_TYPE_INTERFACE       = 0x00000020,
	MD_TYPE_ABSTRACT        = 0x00000080,
	MD_TYPE_SEALED          = 0x00000100,
	MD_TYPE_LAYOUT_MASK     = 0x00000018,
	MD_TYPE_SEQUENTIAL      = 0x00000008,
	MD_TYPE_EXPLICIT        = 0x00000010,
	MD_TYPE_BEFOREFIELDINIT = 0x00100000,
};
/* Field Flags bits (II.23.1.5). */
enum {
	MD_FIELD_STATIC     = 0x0010,
	MD_FIELD_LITERAL    = 0x0040,
	MD_FIELD_HASFIELDRVA= 0x0100,
};

typedef struct md_methoddef {
	uint32_t rva;
	uint16_t impl_flags, flags;
	const char *name;        /* borrowed */
	md_blob sig;
	uint32_t param_first, param_end;   /* Param rows [first, end), logical */
} md_methoddef;

typedef struct md_typedef {
	uint32_t flags;
	const char *name, *namespace_;     /* borrowed */
	uint32_t extends;                  /* TypeDefOrRef token, 0 = none */
} md_typedef;

/* Fills a MethodDef row (1-based); returns NG_ERR_RANGE for a bad row. */
int md_methoddef_get(const md_image *img, uint32_t row, md_methoddef *out);
int md_typedef_get(const md_image *img, uint32_t row, md_typedef *out);
/* Name and namespace of a TypeDef, TypeRef or (for TypeSpec) "" / "";
 * borrowed. Returns NG_ERR_RANGE for other tokens. */
int md_type_name(const md_image *img, uint32_t token, const char **namespace_,
		 const char **name);
/* The methods / fields of a TypeDef as logical positions [*first, *end):
 * map a position to its MethodDef/Field row with md_method_at/md_field_at
 * (identity unless the MethodPtr/FieldPtr tables exist). */
void md_typedef_methods(const md_image *img, uint32_t typedef_row,
			uint32_t *first, uint32_t *end);
void md_typedef_fields(const md_image *img, uint32_t typedef_row,
		       uint32_t *first, uint32_t *end);
uint32_t md_method_at(const md_image *img, uint32_t pos);
uint32_t md_field_at(const md_image *img, uint32_t pos);
uint32_t md_param_at(const md_image *img, uint32_t pos);
/* The TypeDef row that declares a MethodDef / Field row, 0 when none. */
uint32_t md_method_owner(const md_image *img, uint32_t method_row);
uint32_t md_field_owner(const md_image *img, uint32_t field_row);
/* The enclosing TypeDef row of a nested type, 0 when not nested. */
uint32_t md_enclosing_type(const md_image *img, uint32_t typedef_row);
/* The TypeDef row named namespace_.name (top-level types only), 0 if none. */
uint32_t md_find_typedef(const md_image *img, const char *namespace_, const char *name);
/* The RVA of a field's initial data (FieldRVA), 0 when it has none. */
uint32_t md_field_rva(const md_image *img, uint32_t field_row);
/* Appends "Namespace.Outer/Inner" for a TypeDef/TypeRef token (nesting
 * followed to a bounded depth), "Namespace.Type::Method" for a MethodDef
 * or MemberRef token. */
void md_token_format(const md_image *img, uint32_t token, ng_strbuf *sb);

/* ---- signatures (II.23.2) --------------------------------------------------- */

enum {
	MD_ELEM_END = 0x00, MD_ELEM_VOID = 0x01, MD_ELEM_BOOLEAN = 0x02,
	MD_ELEM_CHAR = 0x03, MD_ELEM_I1 = 0x04, MD_ELEM_U1 = 0x05,
	MD_ELEM_I2 = 0x06, MD_ELEM_U2 = 0x07, MD_ELEM_I4 = 0x08,
	MD_ELEM_U4 = 0x09, MD_ELEM_I8 = 0x0a, MD_ELEM_U8 = 0x0b,
	MD_ELEM_R4 = 0x0c, MD_ELEM_R8 = 0x0d, MD_ELEM_STRING = 0x0e,
	MD_ELEM_PTR = 0x0f, MD_ELEM_BYREF = 0x10, MD_ELEM_VALUETYPE = 0x11,
	MD_ELEM_CLASS = 0x12, MD_ELEM_VAR = 0x13, MD_ELEM_ARRAY = 0x14,
	MD_ELEM_GENERICINST = 0x15, MD_ELEM_TYPEDBYREF = 0x16,
	MD_ELEM_I = 0x18, MD_ELEM_U = 0x19, MD_ELEM_FNPTR = 0x1b,
	MD_ELEM_OBJECT = 0x1c, MD_ELEM_SZARRAY = 0x1d, MD_ELEM_MVAR = 0x1e,
	MD_ELEM_CMOD_REQD = 0x1f, MD_ELEM_CMOD_OPT = 0x20,
	MD_ELEM_INTERNAL = 0x21, MD_ELEM_MODIFIER = 0x40,
	MD_ELEM_SENTINEL = 0x41, MD_ELEM_PINNED = 0x45,
	/* Custom attribute encodings (II.23.3). */
	MD_ELEM_CA_TYPE = 0x50, MD_ELEM_CA_BOXED = 0x51,
	MD_ELEM_CA_FIELD = 0x53, MD_ELEM_CA_PROPERTY = 0x54, MD_ELEM_CA_ENUM = 0x55,
};

/* Calling convention byte (II.23.2.1-3). */
enum {
	MD_CC_DEFAULT = 0x0, MD_CC_C = 0x1, MD_CC_STDCALL = 0x2,
	MD_CC_THISCALL = 0x3, MD_CC_FASTCALL = 0x4, MD_CC_VARARG = 0x5,
	MD_CC_FIELD = 0x6, MD_CC_LOCAL_SIG = 0x7, MD_CC_PROPERTY = 0x8,
	MD_CC_GENERICINST = 0xa, MD_CC_KIND_MASK = 0x0f,
	MD_CC_GENERIC = 0x10, MD_CC_HASTHIS = 0x20, MD_CC_EXPLICITTHIS = 0x40,
};

typedef struct md_type md_type;
typedef struct md_method_sig md_method_sig;

typedef struct md_cmod {
	bool required;             /* modreq, else modopt */
	uint32_t token;            /* TypeDefOrRef token */
} md_cmod;

struct md_type {
	uint8_t elem;              /* MD_ELEM_* */
	bool pinned;               /* a local marked pinned */
	uint32_t token;            /* CLASS / VALUETYPE: TypeDefOrRef token;
	                              GENERICINST: the generic type's token */
	bool is_valuetype;         /* GENERICINST over a value type */
	uint32_t index;            /* VAR / MVAR number */
	md_type *inner;            /* PTR / BYREF / SZARRAY / ARRAY element;
	                              NULL for PTR to void is VOID inner */
	uint32_t rank;             /* ARRAY */
	uint32_t nsizes, nlobounds;
	uint32_t *sizes;
	int32_t *lobounds;
	uint32_t nargs;            /* GENERICINST */
	md_type **args;
	md_method_sig *fnptr;      /* FNPTR */
	uint32_t ncmods;
	md_cmod *cmods;            /* custom modifiers before this type */
};

struct md_method_sig {
	uint8_t callconv;          /* the whole first byte: kind | flags */
	uint32_t generic_count;    /* with MD_CC_GENERIC */
	md_type *ret;
	uint32_t nparams;          /* all parameters, varargs included */
	md_type **params;
	int32_t sentinel;          /* index of the first vararg parameter, -1 if none */
};

/* Decoders: the tree is allocated from arena (lives as long as it); errors
 * name the image and say what is wrong at which offset of the blob. Every
 * decoder bounds nesting depth (MD_SIG_MAX_DEPTH) and never recurses
 * further, so a hostile blob cannot exhaust the stack. */
enum { MD_SIG_MAX_DEPTH = 64 };
int md_sig_method(const md_image *img, md_blob blob, ng_arena *arena,
		  md_method_sig **out, ng_diag *diag);
int md_sig_field(const md_image *img, md_blob blob, ng_arena *arena,
		 md_type **out, ng_diag *diag);
/* Property: a method-like signature with the 0x08 kind (HASTHIS allowed). */
int md_sig_property(const md_image *img, md_blob blob, ng_arena *arena,
		    md_method_sig **out, ng_diag *diag);
/* Locals: nparams locals in out->params, out->ret NULL. */
int md_sig_locals(const md_image *img, md_blob blob, ng_arena *arena,
		  md_method_sig **out, ng_diag *diag);
/* A TypeSpec blob: one type. */
int md_sig_typespec(const md_image *img, md_blob blob, ng_arena *arena,
		    md_type **out, ng_diag *diag);
/* A MethodSpec instantiation blob: nargs types in out->params. */
int md_sig_methodspec(const md_image *img, md_blob blob, ng_arena *arena,
		      md_method_sig **out, ng_diag *diag);
/* Decodes the blob of any StandAloneSig row: locals or a method sig
 * (calli); *is_locals tells which. */
int md_sig_standalone(const md_image *img, uint32_t row, ng_arena *arena,
		      md_method_sig **out, bool *is_locals, ng_diag *diag);

/* Readable C#-like names: "int32", "System.String", "int32[]",
 * "int32[,]", "System.Collections.Generic.List`1<!0>", "!!0", "int32&",
 * "int32*", "method int32 *(int32)". */
void md_type_format(const md_image *img, const md_type *t, ng_strbuf *sb);
void md_method_sig_format(const md_image *img, const md_method_sig *sig,
			  const char *name, ng_strbuf *sb);

/* ---- method bodies (II.25.4) ------------------------------------------------ */

enum {
	MD_EH_CLAUSE_EXCEPTION = 0x0,
	MD_EH_CLAUSE_FILTER    = 0x1,
	MD_EH_CLAUSE_FINALLY   = 0x2,
	MD_EH_CLAUSE_FAULT     = 0x4,
};

typedef struct md_eh_clause {
	uint32_t flags;            /* MD_EH_CLAUSE_* */
	uint32_t try_offset, try_length;
	uint32_t handler_offset, handler_length;
	uint32_t class_token;      /* EXCEPTION: the caught type's token */
	uint32_t filter_offset;    /* FILTER: start of the filter block */
} md_eh_clause;

typedef struct md_method_body {
	const uint8_t *code;       /* borrowed from the mapping */
	uint32_t code_size;
	uint32_t max_stack;
	bool init_locals;
	bool fat;
	uint32_t local_sig;        /* StandAloneSig token, 0 when none */
	uint32_t neh;
	md_eh_clause *eh;          /* from the arena */
	uint32_t header_size;      /* bytes before the code */
} md_method_body;

/* Decodes a MethodDef's body. NG_ERR_NOTFOUND when it has none (RVA 0,
 * abstract, pinvoke, runtime, internalcall, native); NG_ERR_FORMAT with
 * the method's token, name and file offset when it is malformed (header,
 * code or sections outside the file, clauses outside the code). */
int md_method_body_get(const md_image *img, uint32_t methoddef_row, ng_arena *arena,
		       md_method_body *out, ng_diag *diag);
/* True when the method has IL to decode (RVA != 0, IL code type, not
 * abstract / pinvoke / internalcall / runtime). */
bool md_method_has_body(const md_image *img, uint32_t methoddef_row);

/* ---- custom attributes (II.23.3) -------------------------------------------- */

typedef struct md_ca_value md_ca_value;
struct md_ca_value {
	uint8_t elem;              /* MD_ELEM_* primitive, STRING, CA_TYPE (a type
	                              name string), SZARRAY, OBJECT (boxed: see boxed),
	                              CA_ENUM (integer in u/i with enum_type) */
	uint8_t enum_underlying;   /* CA_ENUM: the MD_ELEM_* integer type */
	const char *enum_type;     /* CA_ENUM: type name (arena); else NULL */
	bool is_null;              /* null string, type or array */
	union {
		uint64_t u;
		int64_t i;
		double r;              /* R4 and R8 */
		const char *s;         /* STRING, CA_TYPE: arena copy */
	};
	uint32_t count;            /* SZARRAY */
	md_ca_value *items;
	md_ca_value *boxed;        /* OBJECT: the value with its own elem */
};

typedef struct md_ca_named {
	bool is_property;          /* else a field */
	const char *name;          /* arena */
	md_ca_value value;
} md_ca_named;

typedef struct md_custom_attr {
	uint32_t parent;           /* the token the attribute is on */
	uint32_t ctor;             /* MethodDef or MemberRef token */
	const char *type_namespace, *type_name;  /* the attribute's type; borrowed */
	uint32_t nfixed;
	md_ca_value *fixed;
	uint32_t nnamed;
	md_ca_named *named;
} md_custom_attr;

/* Resolves the underlying integer type (an MD_ELEM_*) of an enum that is
 * declared in another assembly; return a negative code when unknown. */
typedef int (*md_enum_resolver)(void *ctx, const md_image *img, uint32_t type_token,
				const char *namespace_, const char *name, uint8_t *elem);

/* The namespace and name of a CustomAttribute row's attribute type
 * (through its constructor); borrowed. Returns 0 or NG_ERR_RANGE. */
int md_attr_type_name(const md_image *img, uint32_t ca_row,
		      const char **namespace_, const char **name);
/* Decodes one CustomAttribute row. Enums declared in this assembly are
 * resolved here; those of other assemblies through resolver (may be NULL),
 * else assumed to be int32 (the common case) and an error is returned when
 * the blob does not decode exactly under that assumption. */
int md_attr_decode(const md_image *img, uint32_t ca_row, ng_arena *arena,
		   md_enum_resolver resolver, void *ctx, md_custom_attr *out,
		   ng_diag *diag);
/* Rows [*first, *end) of CustomAttribute whose parent is token. */
uint32_t md_attrs_of(const md_image *img, uint32_t token, uint32_t *first, uint32_t *end);
/* The first CustomAttribute row on token whose type is namespace_.name, or 0. */
uint32_t md_attr_find(const md_image *img, uint32_t token, const char *namespace_,
		      const char *name);

/* ---- the attributes ngen acts on ------------------------------------------ */

/* True when the method carries System.Runtime.BypassNGenAttribute (matched
 * by namespace and name, whichever assembly declares the type). */
bool md_method_is_bypass_ngen(const md_image *img, uint32_t methoddef_row);

enum { MD_LOADHINT_DEFAULT = 0, MD_LOADHINT_ALWAYS = 1, MD_LOADHINT_SOMETIMES = 2 };

typedef struct md_dependency_hint {
	const char *assembly;      /* DependencyAttribute's name; NULL for
	                              DefaultDependencyAttribute (arena copy) */
	int32_t load_hint;         /* MD_LOADHINT_* */
} md_dependency_hint;

/* The assembly-level DependencyAttribute and DefaultDependencyAttribute
 * hints, in CustomAttribute order; the array comes from the arena. */
int md_dependency_hints(const md_image *img, ng_arena *arena,
			md_dependency_hint **out, uint32_t *count, ng_diag *diag);

/* ---- walking everything ----------------------------------------------------- */

enum {
	MD_WALK_BODIES = 1u << 0,   /* every method body with its EH clauses */
	MD_WALK_SIGS   = 1u << 1,   /* every method, field, property, local,
	                               member ref, type spec and method spec sig */
	MD_WALK_ATTRS  = 1u << 2,   /* every custom attribute blob */
	MD_WALK_ALL    = 7u,
};

typedef struct md_walk_stats {
	uint32_t types, methods, bodies, eh_clauses;
	uint64_t il_bytes;
	uint32_t sigs;              /* signature blobs decoded */
	uint32_t attrs;             /* custom attributes decoded */
	uint32_t attrs_unresolved;  /* skipped: enum of another assembly whose
	                               underlying type is not int32 */
} md_walk_stats;

/* Decodes everything the flags ask for, as a compiler would, and stops at
 * the first error (which names the method, row or blob). Used by tests,
 * the fuzzer, the benchmark and `ngen inspect`. */
int md_walk(const md_image *img, unsigned flags, md_walk_stats *st, ng_diag *diag);

/* ---- identity -------------------------------------------------------------- */
/* See compiler/identity.h (md_identity, display names, parsing, matching). */

/* The module's MVID (Module row 1), zeros when the GUID index is null. */
void md_mvid(const md_image *img, uint8_t out[16]);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in .NET's Guid.ToString() byte
 * order (the first three groups little-endian); buf has 37 bytes. */
void md_guid_format(const uint8_t guid[16], char buf[37]);
/* Number of AssemblyRef rows. */
uint32_t md_assembly_refs(const md_image *img);

#endif
