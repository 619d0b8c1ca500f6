/* compiler/md_tables.c - the table schemas and their validation.
 *
 * The schemas transcribe ECMA-335 II.22 column by column. Layout follows
 * II.24.2.6: heap indexes are 2 or 4 bytes by the HeapSizes flags, a simple
 * index is 4 bytes when its table has 2^16 rows or more, a coded index when
 * any of its tables has 2^(16 - tag bits) rows or more.
 *
 * Validation walks every cell of every table once, in tight loops over raw
 * bytes with no allocation, so the accessors never need to check again:
 * heap offsets inside their heap, blob lengths inside #Blob, GUID indexes
 * within #GUID, simple and coded indexes naming existing rows (or null). */
#include "compiler/md_int.h"

#include "base/err.h"

#include <string.h>

#define T(x) MD_T_##x
#define U8P(n)  { n, MD__C_U8P, 0 }
#define U16(n)  { n, MD__C_U16, 0 }
#define U32(n)  { n, MD__C_U32, 0 }
#define STR(n)  { n, MD__C_STR, 0 }
#define GUID(n) { n, MD__C_GUID, 0 }
#define BLOB(n) { n, MD__C_BLOB, 0 }
#define IDX(n, t)  { n, MD__C_IDX, T(t) }
#define LIST(n, t) { n, MD__C_LIST, T(t) }
#define CI(n, k)   { n, MD__C_CODED, MD__CI_##k }

const md__schema md__schemas[MD_TABLE_COUNT] = {
	[T(MODULE)] = { "Module", 5, { U16("Generation"), STR("Name"), GUID("Mvid"),
		GUID("EncId"), GUID("EncBaseId") } },
	[T(TYPEREF)] = { "TypeRef", 3, { CI("ResolutionScope", RESOLUTIONSCOPE),
		STR("TypeName"), STR("TypeNamespace") } },
	[T(TYPEDEF)] = { "TypeDef", 6, { U32("Flags"), STR("TypeName"),
		STR("TypeNamespace"), CI("Extends", TYPEDEFORREF),
		LIST("FieldList", FIELD), LIST("MethodList", METHODDEF) } },
	[T(FIELDPTR)] = { "FieldPtr", 1, { IDX("Field", FIELD) } },
	[T(FIELD)] = { "Field", 3, { U16("Flags"), STR("Name"), BLOB("Signature") } },
	[T(METHODPTR)] = { "MethodPtr", 1, { IDX("Method", METHODDEF) } },
	[T(METHODDEF)] = { "MethodDef", 6, { U32("RVA"), U16("ImplFlags"), U16("Flags"),
		STR("Name"), BLOB("Signature"), LIST("ParamList", PARAM) } },
	[T(PARAMPTR)] = { "ParamPtr", 1, { IDX("Param", PARAM) } },
	[T(PARAM)] = { "Param", 3, { U16("Flags"), U16("Sequence"), STR("Name") } },
	[T(INTERFACEIMPL)] = { "InterfaceImpl", 2, { IDX("Class", TYPEDEF),
		CI("Interface", TYPEDEFORREF) } },
	[T(MEMBERREF)] = { "MemberRef", 3, { CI("Class", MEMBERREFPARENT), STR("Name"),
		BLOB("Signature") } },
	[T(CONSTANT)] = { "Constant", 3, { U8P("Type"), CI("Parent", HASCONSTANT),
		BLOB("Value") } },
	[T(CUSTOMATTRIBUTE)] = { "CustomAttribute", 3, {
		CI("Parent", HASCUSTOMATTRIBUTE), CI("Type", CUSTOMATTRIBUTETYPE),
		BLOB("Value") } },
	[T(FIELDMARSHAL)] = { "FieldMarshal", 2, { CI("Parent", HASFIELDMARSHAL),
		BLOB("NativeType") } },
	[T(DECLSECURITY)] = { "DeclSecurity", 3, { U16("Action"),
		CI("Parent", HASDECLSECURITY), BLOB("PermissionSet") } },
	[T(CLASSLAYOUT)] = { "ClassLayout", 3, { U16("PackingSize"), U32("ClassSize"),
		IDX("Parent", TYPEDEF) } },
	[T(FIELDLAYOUT)] = { "FieldLayout", 2, { U32("Offset"), IDX("Field", FIELD) } },
	[T(STANDALONESIG)] = { "StandAloneSig", 1, { BLOB("Signature") } },
	[T(EVENTMAP)] = { "EventMap", 2, { IDX("Parent", TYPEDEF),
		LIST("EventList", EVENT) } },
	[T(EVENTPTR)] = { "EventPtr", 1, { IDX("Event", EVENT) } },
	[T(EVENT)] = { "Event", 3, { U16("EventFlags"), STR("Name"),
		CI("EventType", TYPEDEFORREF) } },
	[T(PROPERTYMAP)] = { "PropertyMap", 2, { IDX("Parent", TYPEDEF),
		LIST("PropertyList", PROPERTY) } },
	[T(PROPERTYPTR)] = { "PropertyPtr", 1, { IDX("Property", PROPERTY) } },
	[T(PROPERTY)] = { "Property", 3, { U16("Flags"), STR("Name"), BLOB("Type") } },
	[T(METHODSEMANTICS)] = { "MethodSemantics", 3, { U16("Semantics"),
		IDX("Method", METHODDEF), CI("Association", HASSEMANTICS) } },
	[T(METHODIMPL)] = { "MethodImpl", 3, { IDX("Class", TYPEDEF),
		CI("MethodBody", METHODDEFORREF), CI("MethodDeclaration", METHODDEFORREF) } },
	[T(MODULEREF)] = { "ModuleRef", 1, { STR("Name") } },
	[T(TYPESPEC)] = { "TypeSpec", 1, { BLOB("Signature") } },
	[T(IMPLMAP)] = { "ImplMap", 4, { U16("MappingFlags"),
		CI("MemberForwarded", MEMBERFORWARDED), STR("ImportName"),
		IDX("ImportScope", MODULEREF) } },
	[T(FIELDRVA)] = { "FieldRVA", 2, { U32("RVA"), IDX("Field", FIELD) } },
	[T(ENCLOG)] = { "ENCLog", 2, { U32("Token"), U32("FuncCode") } },
	[T(ENCMAP)] = { "ENCMap", 1, { U32("Token") } },
	[T(ASSEMBLY)] = { "Assembly", 9, { U32("HashAlgId"), U16("MajorVersion"),
		U16("MinorVersion"), U16("BuildNumber"), U16("RevisionNumber"),
		U32("Flags"), BLOB("PublicKey"), STR("Name"), STR("Culture") } },
	[T(ASSEMBLYPROCESSOR)] = { "AssemblyProcessor", 1, { U32("Processor") } },
	[T(ASSEMBLYOS)] = { "AssemblyOS", 3, { U32("OSPlatformID"),
		U32("OSMajorVersion"), U32("OSMinorVersion") } },
	[T(ASSEMBLYREF)] = { "AssemblyRef", 9, { U16("MajorVersion"),
		U16("MinorVersion"), U16("BuildNumber"), U16("RevisionNumber"),
		U32("Flags"), BLOB("PublicKeyOrToken"), STR("Name"), STR("Culture"),
		BLOB("HashValue") } },
	[T(ASSEMBLYREFPROCESSOR)] = { "AssemblyRefProcessor", 2, { U32("Processor"),
		IDX("AssemblyRef", ASSEMBLYREF) } },
	[T(ASSEMBLYREFOS)] = { "AssemblyRefOS", 4, { U32("OSPlatformId"),
		U32("OSMajorVersion"), U32("OSMinorVersion"),
		IDX("AssemblyRef", ASSEMBLYREF) } },
	[T(FILE)] = { "File", 3, { U32("Flags"), STR("Name"), BLOB("HashValue") } },
	[T(EXPORTEDTYPE)] = { "ExportedType", 5, { U32("Flags"), U32("TypeDefId"),
		STR("TypeName"), STR("TypeNamespace"),
		CI("Implementation", IMPLEMENTATION) } },
	[T(MANIFESTRESOURCE)] = { "ManifestResource", 4, { U32("Offset"), U32("Flags"),
		STR("Name"), CI("Implementation", IMPLEMENTATION) } },
	[T(NESTEDCLASS)] = { "NestedClass", 2, { IDX("NestedClass", TYPEDEF),
		IDX("EnclosingClass", TYPEDEF) } },
	[T(GENERICPARAM)] = { "GenericParam", 4, { U16("Number"), U16("Flags"),
		CI("Owner", TYPEORMETHODDEF), STR("Name") } },
	[T(METHODSPEC)] = { "MethodSpec", 2, { CI("Method", METHODDEFORREF),
		BLOB("Instantiation") } },
	[T(GENERICPARAMCONSTRAINT)] = { "GenericParamConstraint", 2, {
		IDX("Owner", GENERICPARAM), CI("Constraint", TYPEDEFORREF) } },
};

#define N MD__NO_TABLE
const md__coded md__codeds[MD__CI_COUNT] = {
	[MD__CI_TYPEDEFORREF] = { "TypeDefOrRef", 2, 3,
		{ T(TYPEDEF), T(TYPEREF), T(TYPESPEC) } },
	[MD__CI_HASCONSTANT] = { "HasConstant", 2, 3,
		{ T(FIELD), T(PARAM), T(PROPERTY) } },
	[MD__CI_HASCUSTOMATTRIBUTE] = { "HasCustomAttribute", 5, 22,
		{ T(METHODDEF), T(FIELD), T(TYPEREF), T(TYPEDEF), T(PARAM),
		  T(INTERFACEIMPL), T(MEMBERREF), T(MODULE), T(DECLSECURITY),
		  T(PROPERTY), T(EVENT), T(STANDALONESIG), T(MODULEREF),
		  T(TYPESPEC), T(ASSEMBLY), T(ASSEMBLYREF), T(FILE),
		  T(EXPORTEDTYPE), T(MANIFESTRESOURCE), T(GENERICPARAM),
		  T(GENERICPARAMCONSTRAINT), T(METHODSPEC) } },
	[MD__CI_HASFIELDMARSHAL] = { "HasFieldMarshal", 1, 2, { T(FIELD), T(PARAM) } },
	[MD__CI_HASDECLSECURITY] = { "HasDeclSecurity", 2, 3,
		{ T(TYPEDEF), T(METHODDEF), T(ASSEMBLY) } },
	[MD__CI_MEMBERREFPARENT] = { "MemberRefParent", 3, 5,
		{ T(TYPEDEF), T(TYPEREF), T(MODULEREF), T(METHODDEF), T(TYPESPEC) } },
	[MD__CI_HASSEMANTICS] = { "HasSemantics", 1, 2, { T(EVENT), T(PROPERTY) } },
	[MD__CI_METHODDEFORREF] = { "MethodDefOrRef", 1, 2,
		{ T(METHODDEF), T(MEMBERREF) } },
	[MD__CI_MEMBERFORWARDED] = { "MemberForwarded", 1, 2,
		{ T(FIELD), T(METHODDEF) } },
	[MD__CI_IMPLEMENTATION] = { "Implementation", 2, 3,
		{ T(FILE), T(ASSEMBLYREF), T(EXPORTEDTYPE) } },
	[MD__CI_CUSTOMATTRIBUTETYPE] = { "CustomAttributeType", 3, 5,
		{ N, N, T(METHODDEF), T(MEMBERREF), N } },
	[MD__CI_RESOLUTIONSCOPE] = { "ResolutionScope", 2, 4,
		{ T(MODULE), T(MODULEREF), T(ASSEMBLYREF), T(TYPEREF) } },
	[MD__CI_TYPEORMETHODDEF] = { "TypeOrMethodDef", 1, 2,
		{ T(TYPEDEF), T(METHODDEF) } },
};
#undef N

const char *md_table_name(md_table t)
{
	return (unsigned)t < MD_TABLE_COUNT ? md__schemas[t].name : "?";
}

unsigned md_table_columns(md_table t)
{
	return (unsigned)t < MD_TABLE_COUNT ? md__schemas[t].ncols : 0;
}

const char *md_column_name(md_table t, unsigned col)
{
	if ((unsigned)t >= MD_TABLE_COUNT || col >= md__schemas[t].ncols)
		return "?";
	return md__schemas[t].cols[col].name;
}

uint32_t md__coded_token(unsigned kind, uint32_t raw)
{
	const md__coded *c = &md__codeds[kind];
	uint32_t row = raw >> c->bits, tag = raw & ((1u << c->bits) - 1);
	if (row == 0 || tag >= c->ntags || c->tables[tag] == MD__NO_TABLE)
		return 0;
	return MD_TOKEN(c->tables[tag], row);
}

uint32_t md__coded_encode(unsigned kind, uint32_t token)
{
	const md__coded *c = &md__codeds[kind];
	for (unsigned tag = 0; tag < c->ntags; tag++)
		if (c->tables[tag] == MD_TOKEN_TABLE(token))
			return MD_TOKEN_ROW(token) << c->bits | tag;
	return UINT32_MAX;
}

uint32_t md_row_count(const md_image *img, md_table t)
{
	return img && (unsigned)t < MD_TABLE_COUNT ? img->tab[t].rows : 0;
}

bool md_table_is_sorted(const md_image *img, md_table t)
{
	return (unsigned)t < MD_TABLE_COUNT && (img->sorted >> t & 1);
}

bool md_is_uncompressed(const md_image *img)
{
	return img->uncompressed;
}

uint32_t md_get(const md_image *img, md_table t, uint32_t row, unsigned col)
{
	if ((unsigned)t >= MD_TABLE_COUNT || row == 0 || row > img->tab[t].rows ||
	    col >= md__schemas[t].ncols)
		return 0;
	uint32_t v = md__raw(img, t, row, col);
	const md__col *c = &md__schemas[t].cols[col];
	if (c->kind == MD__C_CODED)
		return md__coded_token(c->arg, v);
	if (c->kind == MD__C_U8P)
		return v & 0xff;
	return v;
}

/* ---- layout ---------------------------------------------------------------- */

static unsigned coded_width(const md_image *img, unsigned kind)
{
	const md__coded *c = &md__codeds[kind];
	uint32_t limit = 1u << (16 - c->bits), max = 0;
	for (unsigned i = 0; i < c->ntags; i++)
		if (c->tables[i] != MD__NO_TABLE && img->tab[c->tables[i]].rows > max)
			max = img->tab[c->tables[i]].rows;
	return max < limit ? 2 : 4;
}

static unsigned col_width(const md_image *img, const md__col *c)
{
	switch (c->kind) {
	case MD__C_U8P: case MD__C_U16: return 2;
	case MD__C_U32: return 4;
	case MD__C_STR: return img->heap_sizes & 0x01 ? 4 : 2;
	case MD__C_GUID: return img->heap_sizes & 0x02 ? 4 : 2;
	case MD__C_BLOB: return img->heap_sizes & 0x04 ? 4 : 2;
	case MD__C_IDX: case MD__C_LIST: return img->tab[c->arg].rows < 0x10000 ? 2 : 4;
	default: return coded_width(img, c->arg);
	}
}

/* Row sizes and column offsets of every table, from the row counts. */
void md__tables_layout(md_image *img)
{
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++) {
		const md__schema *s = &md__schemas[t];
		md__tab *tb = &img->tab[t];
		uint32_t off = 0;
		for (unsigned c = 0; c < s->ncols; c++) {
			tb->off[c] = (uint8_t)off;
			tb->width[c] = (uint8_t)col_width(img, &s->cols[c]);
			off += tb->width[c];
		}
		tb->row_size = off;
	}
}

/* ---- validation ------------------------------------------------------------ */

static int cell_error(const md_image *img, unsigned t, uint32_t row, unsigned col,
		      uint32_t v, const char *what, ng_diag *diag)
{
	const md__tab *tb = &img->tab[t];
	size_t off = (size_t)(tb->base - img->data) + (size_t)(row - 1) * tb->row_size +
		     tb->off[col];
	return ng_diag_set(diag, NG_ERR_FORMAT,
		"%s: metadata table %s, row %u, column %s (file offset 0x%zx): value "
		"0x%x %s", img->name, md__schemas[t].name, row,
		md__schemas[t].cols[col].name, off, v, what);
}

/* True when a blob entry at idx has its length header and data in #Blob. */
static bool blob_ok(const md_image *img, uint32_t idx)
{
	if (idx == 0)
		return true;
	if (idx >= img->blob.len)
		return false;
	const uint8_t *p = img->blob.p + idx, *end = img->blob.p + img->blob.len;
	uint32_t len;
	if (md_uncompress(&p, end, &len) < 0)
		return false;
	return len <= (uint32_t)(end - p);
}

static int check_cell(const md_image *img, unsigned t, uint32_t row, unsigned col,
		      uint32_t v, ng_diag *diag)
{
	const md__col *c = &md__schemas[t].cols[col];
	switch (c->kind) {
	case MD__C_STR:
		if (v != 0 && v >= img->strings.len)
			return cell_error(img, t, row, col, v,
				"is past the end of the #Strings heap", diag);
		return 0;
	case MD__C_GUID:
		if (v > img->guid.len / 16)
			return cell_error(img, t, row, col, v,
				"is past the end of the #GUID heap", diag);
		return 0;
	case MD__C_BLOB:
		if (!blob_ok(img, v))
			return cell_error(img, t, row, col, v,
				"names a blob that is not inside the #Blob heap "
				"(index or length out of range)", diag);
		return 0;
	case MD__C_IDX:
	case MD__C_LIST: {
		uint32_t max = img->tab[c->arg].rows + (c->kind == MD__C_LIST);
		if (v > max)
			return cell_error(img, t, row, col, v,
				c->kind == MD__C_LIST ? "is past the end of the table it "
				"lists" : "names a row that does not exist", diag);
		return 0;
	}
	case MD__C_CODED: {
		const md__coded *k = &md__codeds[c->arg];
		uint32_t tag = v & ((1u << k->bits) - 1), r = v >> k->bits;
		if (tag >= k->ntags || k->tables[tag] == MD__NO_TABLE)
			return cell_error(img, t, row, col, v,
				"has an invalid coded index tag", diag);
		if (r > img->tab[k->tables[tag]].rows)
			return cell_error(img, t, row, col, v,
				"names a row that does not exist", diag);
		return 0;
	}
	default:
		return 0;
	}
}

static int validate_table(const md_image *img, unsigned t, ng_diag *diag)
{
	const md__schema *s = &md__schemas[t];
	const md__tab *tb = &img->tab[t];
	for (unsigned c = 0; c < s->ncols; c++) {
		unsigned kind = s->cols[c].kind;
		if (kind == MD__C_U8P || kind == MD__C_U16 || kind == MD__C_U32)
			continue;
		const uint8_t *p = tb->base + tb->off[c];
		bool wide = tb->width[c] == 4;
		for (uint32_t r = 1; r <= tb->rows; r++, p += tb->row_size) {
			uint32_t v = wide ? md__rd32(p) : md__rd16(p);
			/* Fast path: the common in-range cases need no call. */
			if (kind == MD__C_STR && v < img->strings.len)
				continue;
			int rc = check_cell(img, t, r, c, v, diag);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int md__tables_validate(md_image *img, ng_diag *diag)
{
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++) {
		int rc = validate_table(img, t, diag);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- searching ------------------------------------------------------------- */

static uint32_t key_raw(const md_image *img, md_table t, unsigned col, uint32_t key)
{
	const md__col *c = &md__schemas[t].cols[col];
	if (c->kind == MD__C_CODED)
		return md__coded_encode(c->arg, key);
	return key;
}

static uint32_t linear_find(const md_image *img, md_table t, unsigned col,
			    uint32_t raw, uint32_t *first, uint32_t *end)
{
	uint32_t n = img->tab[t].rows, r = 1;
	while (r <= n && md__raw(img, t, r, col) != raw)
		r++;
	*first = r;
	while (r <= n && md__raw(img, t, r, col) == raw)
		r++;
	*end = r;
	return *end - *first;
}

uint32_t md_find_rows(const md_image *img, md_table t, unsigned col, uint32_t key,
		      uint32_t *first, uint32_t *end)
{
	*first = *end = 1;
	if ((unsigned)t >= MD_TABLE_COUNT || col >= md__schemas[t].ncols)
		return 0;
	uint32_t raw = key_raw(img, t, col, key);
	if (raw == UINT32_MAX || img->tab[t].rows == 0)
		return 0;
	if (!md_table_is_sorted(img, t))
		return linear_find(img, t, col, raw, first, end);
	/* Lower bound, then upper bound, over 1-based rows. */
	uint32_t lo = 1, hi = img->tab[t].rows + 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (md__raw(img, t, mid, col) < raw)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	hi = img->tab[t].rows + 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (md__raw(img, t, mid, col) <= raw)
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
	return *end - *first;
}
