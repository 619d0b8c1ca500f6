/* engine/eng_args.c - Ngen's arguments for install, uninstall, update,
 * display and verify, parsed into an eng_request.
 *
 * The parser lives in the engine, not in tui/, because the queue (which
 * sits below tui/) stores the exact arguments of a deferred install and
 * replays them through this same parser later. Options are written /Opt,
 * -Opt or --Opt, case-insensitively; values follow ':' or '='. */
#include "engine/eng_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/abi.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

static bool looks_like_option(const char *arg);

static const char *const action_names[] = {
	[ENG_INSTALL] = "install", [ENG_UNINSTALL] = "uninstall", [ENG_UPDATE] = "update",
	[ENG_DISPLAY] = "display", [ENG_VERIFY] = "verify",
};

bool eng_arg_is_option(const char *arg)
{
	return looks_like_option(arg);
}

/* "/name" and "/name:value" are options; "/usr/lib/x.dll" is a path. */
static bool looks_like_option(const char *arg)
{
	if (arg[0] == '-')
		return arg[1] != '\0';
	if (arg[0] != '/')
		return false;
	size_t n = strcspn(arg + 1, ":=");
	return n > 0 && memchr(arg + 1, '/', n) == NULL;
}

/* Matches /name, -name, --name; with want_value, /name:V or /name=V and
 * the value is returned. */
static bool is_opt(const char *arg, const char *name, bool want_value, const char **value)
{
	if (!looks_like_option(arg))
		return false;
	arg += (arg[0] == '-' && arg[1] == '-') ? 2 : 1;
	size_t n = strlen(name);
	if (strncasecmp(arg, name, n) != 0)
		return false;
	if (!want_value)
		return arg[n] == '\0';
	if (arg[n] == '\0') {
		*value = NULL;
		return true;
	}
	if (arg[n] != ':' && arg[n] != '=')
		return false;
	*value = arg + n + 1;
	return true;
}

static int usage(ng_diag *d, eng_action a, const char *fmt, const char *arg)
{
	ng_diag_set(d, NG_ERR_USAGE, fmt, action_names[a], arg);
	return NG_ERR_USAGE;
}

static int parse_one(eng_request *r, const char *arg, ng_diag *d)
{
	const char *v = NULL;
	eng_action a = r->action;
	bool images = a == ENG_INSTALL || a == ENG_UNINSTALL;
	if (images && is_opt(arg, "debug", false, NULL))
		r->scenario |= NG_SCENARIO_DEBUG, r->scenario_given = true;
	else if (images && is_opt(arg, "profile", false, NULL))
		r->scenario |= NG_SCENARIO_PROFILE, r->scenario_given = true;
	else if (images && is_opt(arg, "nodependencies", false, NULL))
		r->nodeps = true;
	else if (images && is_opt(arg, "execonfig", true, &v)) {
		if (!v || !*v)
			return usage(d, a, "%s: %s needs a path: /ExeConfig:PATH", arg);
		free(r->exe_config);
		r->exe_config = xstrdup(v);
	} else if (images && is_opt(arg, "appbase", true, &v)) {
		if (!v || !*v)
			return usage(d, a, "%s: %s needs a directory: /AppBase:DIR", arg);
		free(r->app_base);
		r->app_base = xstrdup(v);
	} else if ((a == ENG_INSTALL || a == ENG_UPDATE) && is_opt(arg, "queue", true, &v)) {
		if (!v)
			r->queue = 3;
		else if (v[0] >= '1' && v[0] <= '3' && v[1] == '\0')
			r->queue = v[0] - '0';
		else
			return usage(d, a, "%s: bad priority in %s; use /queue, /queue:1, /queue:2 or /queue:3", arg);
	} else if (a == ENG_VERIFY && is_opt(arg, "repair", false, NULL))
		r->repair = true;
	else if (looks_like_option(arg))
		return usage(d, a, "%s: unknown option %s; see 'ngen /?'", arg);
	else if (a == ENG_UPDATE || a == ENG_VERIFY)
		return usage(d, a, "%s takes no assembly (got %s); see 'ngen /?'", arg);
	else if (r->name)
		return usage(d, a, "%s: only one assembly can be given per command line (extra: %s)", arg);
	else
		r->name = xstrdup(arg);
	return 0;
}

int eng_args_parse(eng_action action, int argc, char **argv, const char *cwd,
		   eng_request *req, ng_diag *d)
{
	if (!req || argc < 0 || (argc && !argv) || action > ENG_VERIFY)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_args_parse: bad arguments");
	memset(req, 0, sizeof *req);
	req->action = action;
	char buf[PATH_MAX];
	req->cwd = xstrdup(cwd ? cwd : getcwd(buf, sizeof buf) ? buf : "/");
	req->argc = argc;
	req->argv = xcalloc((size_t)argc + 1, sizeof *req->argv);
	for (int i = 0; i < argc; i++)
		req->argv[i] = xstrdup(argv[i]);
	int rc = 0;
	for (int i = 0; rc == 0 && i < argc; i++)
		rc = parse_one(req, argv[i], d);
	if (rc == 0 && action == ENG_INSTALL && !req->name)
		rc = usage(d, action, "%s needs an assembly path or display name%s; see 'ngen /?'", "");
	if (rc == 0 && action == ENG_UNINSTALL && !req->name)
		rc = usage(d, action, "%s needs the assembly (and the options) it was installed with%s", "");
	if (rc == 0 && action == ENG_UNINSTALL && strcmp(req->name, "*") == 0)
		rc = usage(d, action, "%s *: uninstalling everything at once is not supported (as in .NET 4)%s; "
			   "uninstall each root by name", "");
	if (rc < 0)
		eng_request_close(req);
	return rc;
}

void eng_request_close(eng_request *req)
{
	if (!req)
		return;
	free(req->name);
	free(req->exe_config);
	free(req->app_base);
	free(req->cwd);
	eng_args_free(req->argc, req->argv);
	memset(req, 0, sizeof *req);
}

char *eng_args_join(int argc, char **argv)
{
	json_object *arr = json_object_new_array();
	for (int i = 0; i < argc; i++)
		json_object_array_add(arr, json_object_new_string(argv[i]));
	char *s = xstrdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return s;
}

int eng_args_split(const char *joined, int *argc, char ***argv)
{
	json_object *arr = json_tokener_parse(joined);
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return NG_ERR_FORMAT;
	}
	int n = (int)json_object_array_length(arr);
	char **v = xcalloc((size_t)n + 1, sizeof *v);
	for (int i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, (size_t)i));
		v[i] = xstrdup(s ? s : "");
	}
	json_object_put(arr);
	*argc = n;
	*argv = v;
	return 0;
}

void eng_args_free(int argc, char **argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* Reads one JSON string at *p (after its opening quote) into sb; returns
 * false on anything but a plain string (the caller falls back to json-c). */
static bool json_string(const char **p, ng_strbuf *sb)
{
	const char *s = *p;
	for (;;) {
		const char *run = s;
		while (*s && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			s++;
		if (s > run)
			ng_strbuf_append(sb, run, (size_t)(s - run));
		if (*s == '"')
			break;
		if (*s != '\\')
			return false;
		char e = s[1], c;
		switch (e) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default: return false;      /* \uXXXX: left to json-c */
		}
		ng_strbuf_putc(sb, c);
		s += 2;
	}
	*p = s + 1;
	return true;
}

/* eng_args_display of a joined array, without building argv: one pass over
 * the JSON text (the listings call it once per root). */
int eng__args_display_json(const char *joined, ng_strbuf *out)
{
	ng_strbuf arg = NG_STRBUF_INIT;
	const char *p = joined;
	size_t start = out->len;
	int rc = -1, n = 0;
	while (*p == ' ')
		p++;
	if (*p++ != '[')
		goto done;
	for (;;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ']') {
			rc = p[1] ? -1 : 0;
			break;
		}
		if (*p++ != '"')
			break;
		ng_strbuf_reset(&arg);
		if (!json_string(&p, &arg))
			break;
		const char *a = arg.data ? arg.data : "";
		if (n++)
			ng_strbuf_putc(out, ' ');
		if (strpbrk(a, " \t\"'") || !*a)
			ng_strbuf_printf(out, "\"%s\"", a);
		else
			ng_strbuf_append(out, a, arg.len);
	}
done:
	free(arg.data);
	if (rc < 0) {                        /* not plain: the general path */
		out->len = start;
		if (out->data)
			out->data[start] = 0;
		int argc;
		char **argv;
		if (eng_args_split(joined, &argc, &argv) < 0)
			return NG_ERR_FORMAT;
		char *s = eng_args_display(argc, argv);
		ng_strbuf_puts(out, s);
		free(s);
		eng_args_free(argc, argv);
	}
	return 0;
}

char *eng_args_display(int argc, char **argv)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	for (int i = 0; i < argc; i++) {
		if (i)
			ng_strbuf_putc(&sb, ' ');
		if (strpbrk(argv[i], " \t\"'") || !*argv[i])
			ng_strbuf_printf(&sb, "\"%s\"", argv[i]);
		else
			ng_strbuf_puts(&sb, argv[i]);
	}
	return sb.data ? ng_strbuf_take(&sb) : xstrdup("");
}
