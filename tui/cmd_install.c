/* tui/cmd_install.c - `ngen install NAME|PATH [scenarios] [config] [/queue[:N]]`,
 * and the helpers the batch actions over the cache share (opening the
 * cache, exit codes, printing engine events).
 *
 * The work is the engine's (eng_install); this file maps the command line
 * to a request, prints progress (which assembly, how many methods) on a
 * terminal, and maps failures to the exit codes of tui/commands.h. With
 * /queue the exact arguments go to the queue instead (jq_submit). */
#include "tui/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "engine/eng.h"
#include "queue/jq_client.h"
#include "queue/jq_lock.h"

int tui_eng_exit(int rc)
{
	switch (rc) {
	case 0:
		return NGEN_EXIT_OK;
	case NG_ERR_USAGE:
		return NGEN_EXIT_USAGE;
	case NG_ERR_PERM:
		return NGEN_EXIT_PERM;
	case NG_ERR_NOTFOUND: case NG_ERR_NOT_PE: case NG_ERR_NOT_CLI: case NG_ERR_FORMAT:
	case NG_ERR_UNRESOLVED: case -ENOENT: case -EACCES: case -EISDIR:
		return NGEN_EXIT_BAD_INPUT;
	default:
		return NGEN_EXIT_FAILED;
	}
}

int tui_eng_fail(const char *action, const ng_diag *d)
{
	fprintf(stderr, "ngen %s: error: %s\n", action, ng_diag_text(d));
	return tui_eng_exit(d->code);
}

int tui_eng_open(const tui_globals *g, bool write, eng_cache **c, ng_diag *d)
{
	return eng_cache_open(g->cache_dir, write ? ENG_OPEN_WRITE : 0, c, d);
}

typedef struct printer {
	const tui_globals *g;
	bool tty, open_line;
} printer;

static void end_line(printer *p)
{
	if (p->open_line)
		fputc('\n', stderr);
	p->open_line = false;
}

void tui_eng_print_event(void *ctx, const eng_event *ev)
{
	printer *p = ctx;
	const tui_globals *g = p->g;
	const char *scen = eng_scenario_text(ev->scenario);
	switch (ev->kind) {
	case ENG_EV_ASSEMBLY:
		if (p->tty && !g->silent && !g->json) {
			end_line(p);
			fprintf(stderr, "%u> %s%s%s ...", ev->index, ev->name, *scen ? " " : "", scen);
			p->open_line = true;
		}
		break;
	case ENG_EV_METHODS:
		if (p->tty && !g->silent && !g->json && ev->count) {
			fprintf(stderr, "\r%u> %s%s%s ... %u/%u methods", ev->index, ev->name,
				*scen ? " " : "", scen, ev->done, ev->count);
			p->open_line = true;
		}
		break;
	case ENG_EV_COMPILED:
		end_line(p);
		if (!g->silent && !g->json)
			printf("Compiled %s%s%s: %u methods compiled, %u excluded\n", ev->name,
			       *scen ? " " : "", scen, ev->done, ev->count);
		break;
	case ENG_EV_REUSED:
		end_line(p);
		if (g->verbose && !g->json)
			printf("Valid native image of %s reused\n", ev->name);
		break;
	case ENG_EV_INVALID:
		end_line(p);
		if (!g->json)
			printf("Invalid: %s%s%s: %s\n", ev->name, *scen ? " " : "", scen, ev->text);
		break;
	case ENG_EV_REMOVED:
		if (!g->silent && !g->json)
			printf("Uninstalled %s%s%s\n", ev->name, *scen ? " " : "", scen);
		break;
	case ENG_EV_MESSAGE:
		end_line(p);
		if (!g->json)
			printf("%s%s%s\n", ev->name ? ev->name : "", ev->name ? ": " : "", ev->text);
		break;
	}
	fflush(stdout);
}

void *tui_eng_printer_new(const tui_globals *g)
{
	printer *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->g = g;
	p->tty = isatty(STDERR_FILENO);
	return p;
}

void tui_eng_printer_free(void *printer_)
{
	printer *p = printer_;
	if (p)
		end_line(p);
	free(p);
}

static int queue_install(const tui_globals *g, const eng_request *req, ng_diag *d)
{
	int64_t id = 0;
	bool created = false;
	char *dir = g->cache_dir ? strdup(g->cache_dir) : eng_default_cache_dir();
	int rc = jq_submit(dir, "install", req->queue, req->argc, req->argv, req->cwd, NULL,
			   &id, &created, d);
	free(dir);
	if (rc < 0)
		return tui_eng_fail("install", d);
	if (!g->silent)
		printf("%s install %s at priority %d (item %lld)\n",
		       created ? "Queued" : "Already queued:", req->name, req->queue, (long long)id);
	return NGEN_EXIT_OK;
}

int tui_cmd_install(const tui_globals *g, int argc, char **argv)
{
	ng_diag d;
	ng_diag_clear(&d);
	eng_request req;
	if (eng_args_parse(ENG_INSTALL, argc, argv, NULL, &req, &d) < 0)
		return tui_eng_fail("install", &d);
	if (!g->nologo)
		eng_banner(stdout);
	int code;
	if (req.queue) {
		code = queue_install(g, &req, &d);
		eng_request_close(&req);
		return code;
	}
	eng_cache *c = NULL;
	int fg = -1;
	int rc = tui_eng_open(g, true, &c, &d);
	if (rc == 0)
		jq_foreground_enter(eng_cache_dir(c), &fg);
	void *pr = tui_eng_printer_new(g);
	eng_run_opts o = { tui_eng_print_event, pr, NULL };
	eng_install_result res = { 0 };
	if (rc == 0) {
		if (!g->silent)
			printf("Installing assembly %s%s%s\n", req.name, req.scenario ? " " : "",
			       eng_scenario_text(req.scenario));
		rc = eng_install(c, &req, &o, &res, &d);
	}
	tui_eng_printer_free(pr);
	if (fg >= 0)
		jq_foreground_leave(fg);
	if (rc == 0 && !g->silent)
		printf("Installed %s: %u native image(s) compiled, %u valid one(s) reused\n",
		       req.name, res.compiled, res.reused);
	code = rc == 0 ? NGEN_EXIT_OK : tui_eng_fail("install", &d);
	eng_cache_free(c);
	eng_request_close(&req);
	return code;
}
