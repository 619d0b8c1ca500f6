/* engine/eng_binder.c - binding references as the runtime will (see
 * eng_binder.h for the probing order).
 *
 * The .config file is read with libxml2 once per binder. Element names are
 * matched by local name, so the assemblyBinding namespace
 * (urn:schemas-microsoft-com:asm.v1) may or may not be declared. */
#include "engine/eng_binder.h"
#include "engine/eng_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"

typedef struct redirect {
	char *name;                  /* assemblyIdentity name */
	char *token;                 /* publicKeyToken, lowercase, or "" */
	uint16_t lo[4], hi[4];       /* oldVersion range */
	uint16_t to[4];              /* newVersion */
} redirect;

struct eng_binder {
	char *appbase;
	char *config;                /* NULL: none */
	char config_hash[NG_SHA256_HEX];
	char **private_paths;        /* absolute */
	size_t nprivate;
	redirect *redirects;
	size_t nredirects;
	char *mono_lib;              /* $NGEN_MONO_LIB or /usr/lib/mono */
	char **gac;                  /* gac roots */
	size_t ngac;
};

static int parse_version(const char *s, uint16_t v[4])
{
	unsigned a[4] = { 0 };
	int n = sscanf(s, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	if (n < 2)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (a[i] > 65535)
			return -1;
		v[i] = (uint16_t)a[i];
	}
	return 0;
}

static int vcmp(const uint16_t a[4], const uint16_t b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static bool is_elem(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static void add_private_paths(eng_binder *b, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	for (char *p = strtok_r(copy, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		b->private_paths = xrealloc(b->private_paths, (b->nprivate + 1) * sizeof *b->private_paths);
		b->private_paths[b->nprivate++] = xasprintf("%s/%s", b->appbase, p);
	}
	free(copy);
}

static int add_redirect(eng_binder *b, xmlNode *dep, ng_diag *d)
{
	char *name = NULL, *token = NULL;
	for (xmlNode *c = dep->children; c; c = c->next) {
		if (is_elem(c, "assemblyIdentity")) {
			free(name);
			free(token);
			name = attr(c, "name");
			token = attr(c, "publicKeyToken");
		}
	}
	int rc = 0;
	for (xmlNode *c = dep->children; rc == 0 && c; c = c->next) {
		if (!is_elem(c, "bindingRedirect"))
			continue;
		char *old = attr(c, "oldVersion"), *neu = attr(c, "newVersion");
		redirect r = { 0 };
		char *dash = old ? strchr(old, '-') : NULL;
		if (!name || !old || !neu || parse_version(old, r.lo) < 0 ||
		    parse_version(dash ? dash + 1 : old, r.hi) < 0 || parse_version(neu, r.to) < 0)
			rc = ng_diag_set(d, NG_ERR_FORMAT, "%s, line %d: bindingRedirect needs "
					 "assemblyIdentity name, oldVersion=\"a.b.c.d[-a.b.c.d]\" and "
					 "newVersion=\"a.b.c.d\"", b->config, c->line);
		else {
			r.name = xstrdup(name);
			r.token = xstrdup(token ? token : "");
			for (char *p = r.token; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			b->redirects = xrealloc(b->redirects, (b->nredirects + 1) * sizeof *b->redirects);
			b->redirects[b->nredirects++] = r;
		}
		free(old);
		free(neu);
	}
	free(name);
	free(token);
	return rc;
}

/* Walks configuration/runtime/assemblyBinding. */
static int read_config(eng_binder *b, ng_diag *d)
{
	xmlDoc *doc = xmlReadFile(b->config, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				  XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		return ng_diag_set(d, NG_ERR_FORMAT, "%s, line %d: not a well-formed .config file: %s",
				   b->config, e ? e->line : 0, e && e->message ? e->message : "parse error");
	}
	int rc = 0;
	xmlNode *root = xmlDocGetRootElement(doc);
	for (xmlNode *rt = root ? root->children : NULL; rc == 0 && rt; rt = rt->next) {
		if (!is_elem(rt, "runtime"))
			continue;
		for (xmlNode *ab = rt->children; rc == 0 && ab; ab = ab->next) {
			if (!is_elem(ab, "assemblyBinding"))
				continue;
			for (xmlNode *c = ab->children; rc == 0 && c; c = c->next) {
				if (is_elem(c, "probing")) {
					char *pp = attr(c, "privatePath");
					if (pp)
						add_private_paths(b, pp);
					free(pp);
				} else if (is_elem(c, "dependentAssembly"))
					rc = add_redirect(b, c, d);
			}
		}
	}
	xmlFreeDoc(doc);
	return rc;
}

static void add_gac(eng_binder *b, const char *dir)
{
	b->gac = xrealloc(b->gac, (b->ngac + 1) * sizeof *b->gac);
	b->gac[b->ngac++] = xstrdup(dir);
}

static void init_roots(eng_binder *b)
{
	const char *lib = getenv("NGEN_MONO_LIB");
	b->mono_lib = xstrdup(lib && *lib ? lib : "/usr/lib/mono");
	char *gac = xasprintf("%s/gac", b->mono_lib);
	add_gac(b, gac);
	free(gac);
	const char *more = getenv("NGEN_GAC");
	if (more && *more) {
		char *copy = xstrdup(more), *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			add_gac(b, p);
		free(copy);
	}
}

/* libxml2 must be initialised once before threads parse. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

int eng_binder_new(const char *appbase, const char *config, eng_binder **out, ng_diag *d)
{
	pthread_once(&xml_once, xmlInitParser);
	eng_binder *b = xcalloc(1, sizeof *b);
	b->appbase = xstrdup(appbase);
	init_roots(b);
	int rc = 0;
	if (config && access(config, F_OK) == 0) {
		b->config = xstrdup(config);
		rc = ng_sha256_file(config, b->config_hash);
		if (rc < 0)
			rc = ng_diag_set(d, rc, "%s: %s", config, ng_strerror(rc));
		else
			rc = read_config(b, d);
	}
	if (rc < 0) {
		eng_binder_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void eng_binder_free(eng_binder *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nprivate; i++)
		free(b->private_paths[i]);
	for (size_t i = 0; i < b->nredirects; i++) {
		free(b->redirects[i].name);
		free(b->redirects[i].token);
	}
	for (size_t i = 0; i < b->ngac; i++)
		free(b->gac[i]);
	free(b->private_paths);
	free(b->redirects);
	free(b->gac);
	free(b->appbase);
	free(b->config);
	free(b->mono_lib);
	free(b);
}

const char *eng_binder_config_hash(const eng_binder *b)
{
	return b->config_hash;
}

/* ---- matching candidates ------------------------------------------------- */

typedef struct want {
	const char *name;
	uint16_t version[4];
	char token[17];        /* "" when not strong-named */
	const char *culture;
} want;

static void apply_redirects(const eng_binder *b, want *w)
{
	for (size_t i = 0; i < b->nredirects; i++) {
		const redirect *r = &b->redirects[i];
		if (strcasecmp(r->name, w->name) != 0)
			continue;
		if (r->token[0] && w->token[0] && strcmp(r->token, w->token) != 0)
			continue;
		if (vcmp(w->version, r->lo) >= 0 && vcmp(w->version, r->hi) <= 0) {
			memcpy(w->version, r->to, sizeof w->version);
			return;
		}
	}
}

/* Does the file at path carry the wanted identity? */
static bool candidate_ok(const char *path, const want *w, bool any_version)
{
	if (access(path, R_OK) != 0)
		return false;
	eng_asm a;
	if (eng_asm_read(path, &a, NULL) < 0)
		return false;
	ng_arena arena;
	ng_arena_init(&arena);
	md_identity id;
	unsigned present;
	bool ok = md_identity_parse(a.identity, &arena, &id, &present, NULL) == 0 &&
		  strcasecmp(id.name, w->name) == 0;
	if (ok && w->token[0]) {
		char tok[17] = "";
		if (id.has_token)
			ng_hex(id.token, 8, tok);
		ok = strcmp(tok, w->token) == 0 && (any_version || vcmp(id.version, w->version) == 0);
	}
	ng_arena_close(&arena);
	eng_asm_close(&a);
	return ok;
}

static char *probe_dir(const char *dir, const want *w)
{
	static const char *const forms[] = { "%s/%s.dll", "%s/%s/%s.dll", "%s/%s.exe", "%s/%s/%s.exe" };
	for (size_t i = 0; i < 4; i++) {
		char *p = (i & 1) ? xasprintf(forms[i], dir, w->name, w->name)
				  : xasprintf(forms[i], dir, w->name);
		if (candidate_ok(p, w, false))
			return p;
		free(p);
	}
	return NULL;
}

static char *probe_gac(const eng_binder *b, const want *w)
{
	if (!w->token[0])
		return NULL;
	for (size_t i = 0; i < b->ngac; i++) {
		char *p = xasprintf("%s/%s/%u.%u.%u.%u_%s_%s/%s.dll", b->gac[i], w->name,
				    w->version[0], w->version[1], w->version[2], w->version[3],
				    w->culture && *w->culture && strcasecmp(w->culture, "neutral") ?
				    w->culture : "", w->token, w->name);
		if (candidate_ok(p, w, false))
			return p;
		free(p);
	}
	return NULL;
}

/* The framework directory: Mono binds framework references there whatever
 * version they ask for (it remaps framework versions). */
static char *probe_framework(const eng_binder *b, const want *w)
{
	/* 4.5/Facades holds the reference assemblies portable libraries bind
	 * to (System.Runtime, netstandard, ...). */
	static const char *const dirs[] = { "4.5", "4.5/Facades" };
	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s/%s/%s.dll", b->mono_lib, dirs[i], w->name);
		if (candidate_ok(p, w, true))
			return p;
		free(p);
	}
	return NULL;
}

static int make_want(const char *display, ng_arena *arena, want *w, ng_diag *d)
{
	md_identity id;
	unsigned present = 0;
	memset(w, 0, sizeof *w);
	int rc = md_identity_parse(display, arena, &id, &present, d);
	if (rc < 0)
		return rc;
	w->name = id.name;
	memcpy(w->version, id.version, sizeof w->version);
	if (id.has_token)
		ng_hex(id.token, 8, w->token);
	w->culture = id.culture;
	return 0;
}

int eng_binder_resolve(eng_binder *b, const char *referencing_path,
		       const char *ref_display, char **path, ng_diag *d)
{
	ng_arena arena;
	ng_arena_init(&arena);
	want w;
	int rc = make_want(ref_display, &arena, &w, d);
	if (rc == 0) {
		apply_redirects(b, &w);
		char *p = probe_gac(b, &w);
		if (!p)
			p = probe_dir(b->appbase, &w);
		for (size_t i = 0; !p && i < b->nprivate; i++)
			p = probe_dir(b->private_paths[i], &w);
		if (!p)
			p = probe_framework(b, &w);
		if (p) {
			char real[PATH_MAX];
			*path = realpath(p, real) ? xstrdup(real) : xstrdup(p);
			free(p);
		} else
			rc = ng_diag_set(d, NG_ERR_UNRESOLVED,
					 "cannot find assembly \"%s\" (version %u.%u.%u.%u after redirects), "
					 "referenced by %s: not in the GAC, the application base %s%s, or the "
					 "framework directory; install it or fix the .config file",
					 ref_display, w.version[0], w.version[1], w.version[2], w.version[3],
					 referencing_path, b->appbase,
					 b->nprivate ? " and its private paths" : "");
	}
	ng_arena_close(&arena);
	return rc;
}

bool eng_name_is_path(const char *arg)
{
	size_t n = strlen(arg);
	if (strchr(arg, '/'))
		return true;
	if (strchr(arg, ','))
		return false;
	return n > 4 && (strcasecmp(arg + n - 4, ".dll") == 0 || strcasecmp(arg + n - 4, ".exe") == 0);
}

/* The best match of a (partial) display name in one GAC root's Name/. */
static void scan_gac_dir(const char *root, const md_identity *want_id, unsigned present,
			 char **best, uint16_t best_v[4])
{
	char *dir = xasprintf("%s/%s", root, want_id->name);
	DIR *dp = opendir(dir);
	for (struct dirent *e; dp && (e = readdir(dp));) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s/%s.dll", dir, e->d_name, want_id->name);
		eng_asm a;
		if (eng_asm_read(p, &a, NULL) == 0) {
			ng_arena arena;
			ng_arena_init(&arena);
			md_identity id;
			unsigned pr;
			if (md_identity_parse(a.identity, &arena, &id, &pr, NULL) == 0 &&
			    md_identity_matches(want_id, present, &id) &&
			    (!*best || vcmp(id.version, best_v) > 0)) {
				free(*best);
				*best = xstrdup(a.path);
				memcpy(best_v, id.version, sizeof id.version);
			}
			ng_arena_close(&arena);
			eng_asm_close(&a);
		}
		free(p);
	}
	if (dp)
		closedir(dp);
	free(dir);
}

int eng_binder_locate(const char *name, const char *cwd, char **path, ng_diag *d)
{
	if (eng_name_is_path(name)) {
		char *p = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", cwd, name);
		char real[PATH_MAX];
		if (!realpath(p, real)) {
			int e = errno;
			ng_diag_set(d, NG_ERR_NOTFOUND, "%s: %s (give a path to an assembly file, "
				    "or a display name for the GAC)", p, strerror(e));
			free(p);
			return NG_ERR_NOTFOUND;
		}
		free(p);
		*path = xstrdup(real);
		return 0;
	}
	ng_arena arena;
	ng_arena_init(&arena);
	md_identity want_id;
	unsigned present = 0;
	int rc = md_identity_parse(name, &arena, &want_id, &present, d);
	eng_binder *b = NULL;
	if (rc == 0)
		rc = eng_binder_new(cwd, NULL, &b, d);
	char *best = NULL;
	uint16_t best_v[4] = { 0 };
	for (size_t i = 0; rc == 0 && i < b->ngac; i++)
		scan_gac_dir(b->gac[i], &want_id, present, &best, best_v);
	if (rc == 0 && !best) {
		char *p = xasprintf("%s/4.5/%s.dll", b->mono_lib, want_id.name);
		eng_asm a;
		if (eng_asm_read(p, &a, NULL) == 0) {
			if (eng_identity_matches(name, a.identity))
				best = xstrdup(a.path);
			eng_asm_close(&a);
		}
		free(p);
	}
	if (rc == 0 && !best)
		rc = ng_diag_set(d, NG_ERR_NOTFOUND, "no assembly \"%s\" in the GAC or the framework "
				 "directory; give its path, or its display name as \"Name, Version=...\"",
				 name);
	if (rc == 0)
		*path = best;
	eng_binder_free(b);
	ng_arena_close(&arena);
	return rc;
}
