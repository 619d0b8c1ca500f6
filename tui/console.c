/* tui/console.c - the one loop that owns the terminal.
 *
 * The loop is a libuv loop, shared with the provider: its jobs run on the
 * worker pool and publish progress from after-work callbacks, and its
 * service connection is a handle on the same loop, so the screen never
 * waits for work. Keys arrive through a uv_poll on stdin; a 100 ms timer
 * ticks the provider (progress, external changes); SIGWINCH arrives as a
 * uv_signal on the loop thread and resizes the screen. After each batch of
 * input: key, action, reaction, and a redraw only when something is dirty;
 * ncurses sends only the cells that changed, so live updates do not
 * flicker. tui_console_bench() runs the same steps off screen and times
 * them. */
#include "tui/console.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

typedef struct loop_ctx {
	tui_state *s;
	uv_loop_t *loop;
	uv_poll_t input;
	uv_timer_t tick;
	uv_signal_t winch;
	bool dirty;
	uint64_t drawn_version;
	double last_draw;
} loop_ctx;

static void redraw(loop_ctx *c)
{
	tui_state_sync(c->s);
	tui_draw(stdscr, c->s);
	wnoutrefresh(stdscr);
	doupdate();
	c->dirty = false;
	c->drawn_version = tui_model_of(c->s)->version;
	c->last_draw = tui_now();
}

static void stop(loop_ctx *c)
{
	uv_poll_stop(&c->input);
	uv_timer_stop(&c->tick);
	uv_signal_stop(&c->winch);
	uv_close((uv_handle_t *)&c->input, NULL);
	uv_close((uv_handle_t *)&c->tick, NULL);
	uv_close((uv_handle_t *)&c->winch, NULL);
	/* The provider's handles (its subscription to the service, jobs on
	 * the pool) would keep uv_run() going; they are closed by the
	 * provider's free, after the loop returns. */
	uv_stop(c->loop);
}

static void apply(loop_ctx *c, tui_reaction r)
{
	if (r & TUI_R_RELOAD) {
		ng_diag d;
		ng_diag_clear(&d);
		if (c->s->prov->ops->reload(c->s->prov) < 0)
			tui_state_message(c->s, true, "reload failed");
	}
	if (r & (TUI_R_REDRAW | TUI_R_REBUILD | TUI_R_RELOAD))
		c->dirty = true;
}

static void drain_keys(loop_ctx *c)
{
	int ch;
	while (!c->s->quit && (ch = getch()) != ERR) {
		if (ch == KEY_MOUSE) {
			MEVENT ev;
			if (getmouse(&ev) == OK)
				apply(c, tui_handle_mouse(c->s, ev.y, ev.x, (unsigned long)ev.bstate));
			continue;
		}
		if (ch == KEY_RESIZE) {
			c->s->lines = LINES;
			c->s->cols = COLS;
			c->s->gen++;
		}
		apply(c, tui_handle_key(c->s, ch));
	}
	if (c->s->quit) {
		stop(c);
		return;
	}
	if (c->dirty)
		redraw(c);
}

/* SIGWINCH through the loop: libuv delivers it on this thread whichever
 * thread the kernel picked, so the new size is never missed. */
static void on_winch(uv_signal_t *h, int signum)
{
	loop_ctx *c = h->data;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	c->s->lines = LINES;
	c->s->cols = COLS;
	c->s->gen++;
	apply(c, tui_handle_key(c->s, KEY_RESIZE));
	drain_keys(c);
}

static void on_input(uv_poll_t *h, int status, int events)
{
	drain_keys(h->data);
}

static bool jobs_running(const tui_model *m)
{
	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].state == TUI_JOB_RUNNING)
			return true;
	return false;
}

static void on_tick(uv_timer_t *t)
{
	loop_ctx *c = t->data;
	tui_provider *p = c->s->prov;
	p->ops->tick(p);
	const tui_model *m = &p->model;
	if (m->version != c->drawn_version)
		c->dirty = true;
	/* Elapsed times and ETAs move even when no event arrives. */
	if (jobs_running(m) && tui_now() - c->last_draw > 0.5)
		c->dirty = true;
	drain_keys(c);
}

bool tui_color_wanted(bool term_has_colors, bool no_color_option)
{
	const char *nc = getenv("NO_COLOR");   /* https://no-color.org: set and not empty */
	return term_has_colors && !no_color_option && !(nc && nc[0]);
}

bool tui_utf8_wanted(bool ascii_option)
{
	const char *cs = nl_langinfo(CODESET);
	return !ascii_option && cs && strcmp(cs, "UTF-8") == 0;
}

static int term_start(tui_state *s, const tui_options *o)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ngen: the console needs a terminal; use a batch action instead "
			"(see 'ngen /?')\n");
		return -1;
	}
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "ngen: cannot start the console on terminal type '%s'; set TERM "
			"(for example TERM=xterm)\n", getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(100);   /* Esc alone vs. a sequence split by a loaded machine */
	curs_set(0);
	mousemask(ALL_MOUSE_EVENTS, NULL);
	mouseinterval(200);
	s->color = tui_color_wanted(has_colors(), o->no_color);
	if (s->color)
		tui_colors_init();
	s->utf8 = tui_utf8_wanted(o->ascii);
	s->lines = LINES;
	s->cols = COLS;
	return 0;
}

int tui_console_run(tui_provider *p, const tui_options *o)
{
	setlocale(LC_ALL, "");
	uv_loop_t *loop = uv_default_loop();
	p->loop = loop;
	tui_state s;
	tui_state_init(&s, p, 24, 80);
	int rc = p->ops->reload(p);
	if (rc < 0)
		return rc;
	if (term_start(&s, o) < 0) {
		tui_state_close(&s);
		return -1;
	}
	loop_ctx c = { .s = &s, .loop = loop };
	uv_poll_init(loop, &c.input, STDIN_FILENO);
	uv_timer_init(loop, &c.tick);
	uv_signal_init(loop, &c.winch);
	c.input.data = c.tick.data = c.winch.data = &c;
	uv_signal_start(&c.winch, on_winch, SIGWINCH);
	redraw(&c);
	uv_poll_start(&c.input, UV_READABLE, on_input);
	uv_timer_start(&c.tick, on_tick, 100, 100);
	uv_run(loop, UV_RUN_DEFAULT);
	/* One more turn runs the close of this frame's handles (c is on the
	 * stack) before returning. */
	uv_run(loop, UV_RUN_NOWAIT);
	endwin();
	tui_state_close(&s);
	return 0;
}

/* Off screen: a terminal of lines x cols writing to /dev/null. */
static SCREEN *bench_term(FILE **out, FILE **in, int lines, int cols)
{
	*out = fopen("/dev/null", "w");
	*in = fopen("/dev/null", "r");
	if (!*out || !*in)
		return NULL;
	SCREEN *sc = newterm("xterm-256color", *out, *in);
	if (!sc)
		sc = newterm("xterm", *out, *in);
	if (sc)
		resizeterm(lines, cols);
	return sc;
}

static double draw_once(tui_state *s)
{
	double t = tui_now();
	tui_state_sync(s);
	tui_draw(stdscr, s);
	wnoutrefresh(stdscr);
	doupdate();
	return tui_now() - t;
}

/* CPU seconds of the whole process (every thread): on a shared machine the
 * wall clock also counts other processes' turns. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tui_console_bench(tui_provider *p, FILE *out)
{
	static const int keys[] = {
		'2', 'j', 'j', 'j', KEY_NPAGE, KEY_NPAGE, 'k', 's', 's', 'S', KEY_END, KEY_HOME,
		'i', 'j', 'i', '1', '\n', 'j', '\n', 'l', '3', 'j', '4', '5', '\t', 'd', 'd', 'j',
	};
	setlocale(LC_ALL, "");
	FILE *fo, *fi;
	/* As in the interactive console, slow reads go to the worker pool. */
	p->loop = uv_default_loop();
	double t0 = tui_now(), c0 = cpu_now();
	SCREEN *sc = bench_term(&fo, &fi, 24, 80);
	if (!sc) {
		fprintf(stderr, "ngen: console bench: cannot open an off-screen terminal\n");
		return -1;
	}
	tui_state s;
	tui_state_init(&s, p, LINES, COLS);
	s.color = has_colors();
	if (s.color)
		tui_colors_init();
	s.utf8 = true;
	int rc = p->ops->reload(p);
	double first = rc < 0 ? -1 : tui_now() - t0;
	if (rc == 0)
		first += draw_once(&s);
	double first_cpu = cpu_now() - c0;
	double worst = 0, sum = 0;
	int n = 0;
	for (int round = 0; rc == 0 && round < 4; round++)
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			double t = tui_now();
			tui_handle_key(&s, keys[i]);
			t = tui_now() - t + draw_once(&s);
			sum += t;
			worst = t > worst ? t : worst;
			n++;
		}
	if (rc == 0)
		fprintf(out, "console bench (%s provider, %d images, 80x24): first screen %.1f ms "
			"(%.1f ms CPU); key to redraw: mean %.2f ms, worst %.2f ms over %d keys\n",
			p->ops->name, p->model.nimages, first * 1e3, first_cpu * 1e3,
			n ? sum / n * 1e3 : 0, worst * 1e3, n);
	tui_state_close(&s);
	endwin();
	delscreen(sc);
	fclose(fo);
	fclose(fi);
	return rc;
}
