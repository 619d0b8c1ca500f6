/* tui/console.h - the administration console: state, views, the loop.
 *
 * Model, view, input (STYLE.md): a provider owns the model
 * (console_model.h); each screen is a tui_view_ops table whose draw()
 * reads the state and whose handle() turns an action from the key table
 * (keys.h) into changes and a reaction; it never draws. One loop
 * (tui_console_run, on a libuv loop shared with the provider's jobs) owns
 * the terminal: key, action, reaction, redraw when something is dirty.
 * Dialogs (install form, confirmations, priority choice, filter entry)
 * take raw keys while open, since they edit text.
 *
 * Everything here except tui_console_run() and tui_term_* works on any
 * WINDOW, so the tests draw off screen with newterm(). */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include "tui/console_model.h"
#include "tui/keys.h"

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum tui_view_id {
	TUI_V_ROOTS, TUI_V_IMAGES, TUI_V_QUEUE, TUI_V_JOBS, TUI_V_LOG, TUI_V_COUNT
} tui_view_id;

/* Reactions: what the loop must do after an action (htop Htop_Reaction). */
enum {
	TUI_R_NONE = 0,
	TUI_R_REDRAW = 1 << 0,
	TUI_R_REBUILD = 1 << 1,    /* row lists are stale (filter, sort, expand) */
	TUI_R_QUIT = 1 << 2,
	TUI_R_UNHANDLED = 1 << 3,  /* the view did not take the action */
	TUI_R_RELOAD = 1 << 4,     /* ask the provider to reload everything */
};
typedef int tui_reaction;

typedef struct tui_rect { int y, x, h, w; } tui_rect;

/* A row of the roots tree. */
typedef struct tui_treerow {
	int root;              /* index of the root this row is under */
	int image;             /* image index, -1 when the root has none */
	int depth;             /* 0 for the root itself */
	uint64_t key;          /* path key, for the expanded set */
	uint32_t last_mask;    /* bit d: the ancestor at depth d is a last child */
	bool has_children;
} tui_treerow;

typedef struct tui_list {
	int sel, top;
	char filter[128];
	int *rows, nrows, cap;       /* images/queue/log: indices (queue: -p = header) */
	uint64_t built_version;      /* model version rows were built from */
	unsigned built_gen;          /* state generation (filter/sort/expand) */
} tui_list;

typedef enum tui_dialog_kind {
	TUI_DLG_NONE, TUI_DLG_FILTER, TUI_DLG_INSTALL, TUI_DLG_CONFIRM, TUI_DLG_CHOICE
} tui_dialog_kind;

enum { TUI_DLG_MAXLINES = 64, TUI_PATH_MAX = 1024 };

typedef struct tui_dialog {
	tui_dialog_kind kind;
	char title[128];
	char text[TUI_PATH_MAX];     /* the edited text (filter, install path) */
	int field;                   /* install: 0 path, 1 scenario, 2 priority, 3 when */
	int scenario, priority;      /* install: 0..2, 1..3 */
	bool queue;                  /* install: queue instead of now */
	char *lines[TUI_DLG_MAXLINES]; int nlines;  /* confirm body, completions */
	tui_request req;             /* what confirm/choice submits */
	char req_target[TUI_PATH_MAX];
} tui_dialog;

typedef struct tui_state {
	tui_provider *prov;          /* borrowed */
	tui_view_id view;
	tui_list lists[TUI_V_COUNT];
	tui_treerow *tree; int ntree, cap_tree;     /* roots view rows */
	uint64_t *expanded; int nexpanded, cap_expanded;
	unsigned gen;                /* bumped when filter/sort/expansion change */
	int sort_col;                /* TUI_SORT_* */
	int *name_rank;              /* images: position by name, for cheap sorting */
	uint64_t rank_version;       /* model version name_rank was computed for */
	bool sort_rev, invalid_only, show_details;
	bool color, utf8;
	int lines, cols;
	bool help; int help_top;
	tui_dialog dlg;
	char message[512]; bool msg_error;
	uint64_t seen_message_seq;   /* a newer provider message replaces ours */
	bool quit;
} tui_state;

enum { TUI_SORT_NAME, TUI_SORT_SIZE, TUI_SORT_STATUS, TUI_SORT_USED, TUI_SORT_METHODS, TUI_SORT_COUNT_ };
extern const char *const tui_sort_names[TUI_SORT_COUNT_];

/* What the details pane shows. */
typedef enum tui_sel_kind { TUI_SEL_NONE, TUI_SEL_IMAGE, TUI_SEL_ROOT, TUI_SEL_QITEM, TUI_SEL_JOB, TUI_SEL_LOG } tui_sel_kind;
typedef struct tui_selection {
	tui_sel_kind kind;
	int index;           /* into the model array of that kind */
	int image;           /* the image concerned, -1 if none */
	int root;            /* the root concerned (roots view), -1 if none */
} tui_selection;

typedef struct tui_view_ops {
	const char *name;            /* "roots" */
	const char *title;           /* "Roots" (tab label) */
	void (*build)(tui_state *s);                 /* rebuild rows from the model */
	void (*draw)(WINDOW *w, const tui_state *s, tui_rect r);  /* read only */
	tui_reaction (*handle)(tui_state *s, tui_action a);
	tui_selection (*selected)(const tui_state *s);
} tui_view_ops;

extern const tui_view_ops tui_roots_view, tui_images_view, tui_queue_view,
	tui_jobs_view, tui_log_view;
const tui_view_ops *tui_view(tui_view_id id);

/* State. tui_state_init borrows the provider; flags come from the caller. */
void tui_state_init(tui_state *s, tui_provider *p, int lines, int cols);
void tui_state_close(tui_state *s);
static inline const tui_model *tui_model_of(const tui_state *s) { return &s->prov->model; }
/* Rebuilds the current view's rows when the model or the state changed. */
void tui_state_sync(tui_state *s);
void tui_state_message(tui_state *s, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Input: one key (from getch) -> reaction. Dialogs and help take keys
 * first; then the key table maps to an action for the view, then global. */
tui_reaction tui_handle_key(tui_state *s, int key);
tui_reaction tui_handle_action(tui_state *s, tui_action a);
/* Mouse event at screen position (y, x), bstate from MEVENT. */
tui_reaction tui_handle_mouse(tui_state *s, int y, int x, unsigned long bstate);

/* Drawing: the whole screen into w (size s->lines x s->cols). */
void tui_draw(WINDOW *w, const tui_state *s);

/* Layout shared by drawing and the mouse. */
typedef struct tui_layout {
	tui_rect header, tabs, list, details, status, bar;
} tui_layout;
void tui_layout_of(const tui_state *s, tui_layout *l);
/* Tab i's column range on the tab line; the action of the bar cell at x. */
void tui_tab_span(int i, int *x0, int *x1);
tui_action tui_bar_action_at(int x, int cols);

/* Shared list helpers (view_*.c). */
tui_reaction tui_list_move(tui_list *l, tui_action a, int page);
void tui_list_clamp(tui_list *l, int page);
void tui_list_push(tui_list *l, int v);
int tui_list_page(const tui_state *s);
bool tui_match(const char *hay, const char *needle);   /* case-insensitive substring */
bool tui_is_expanded(const tui_state *s, uint64_t key);
void tui_toggle_expanded(tui_state *s, uint64_t key);

/* Drawing helpers (tui_draw.c). */
enum { TUI_C_NORMAL, TUI_C_HEADER, TUI_C_TAB, TUI_C_TAB_ON, TUI_C_BARKEY, TUI_C_BARTEXT,
       TUI_C_SEL, TUI_C_VALID, TUI_C_INVALID, TUI_C_QUEUED, TUI_C_COMPILING, TUI_C_FAILED,
       TUI_C_DIM, TUI_C_TITLE, TUI_C_ERROR, TUI_C_BAR_DONE, TUI_C_DIALOG, TUI_C_COUNT_ };
void tui_colors_init(void);
attr_t tui_attr(const tui_state *s, int role);
attr_t tui_status_attr(const tui_state *s, tui_status st);
/* Prints s clipped to width cols at (y, x), padding with spaces to cols. */
void tui_put(WINDOW *w, int y, int x, int cols, const char *str);
void tui_putf(WINDOW *w, int y, int x, int cols, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Like tui_put, but a string too long keeps its end ("...ikdasm.exe"). */
void tui_put_tail(WINDOW *w, int y, int x, int cols, const char *str);
void tui_box_title(WINDOW *w, const tui_state *s, tui_rect r, const char *title);
/* A progress bar of width cols for done/total. */
void tui_progress(WINDOW *w, const tui_state *s, int y, int x, int cols, int done, int total);
void tui_fmt_size(int64_t bytes, char buf[16]);
void tui_fmt_time(int64_t unix_secs, char buf[32]);
void tui_fmt_secs(double secs, char buf[16]);
void tui_draw_details(WINDOW *w, const tui_state *s, tui_rect r);
void tui_draw_dialog(WINDOW *w, const tui_state *s);
void tui_draw_help(WINDOW *w, const tui_state *s);
/* Glyphs: UTF-8 line drawing or ASCII. */
typedef enum { TUI_G_TEE, TUI_G_ELL, TUI_G_PIPE, TUI_G_OPEN, TUI_G_CLOSED, TUI_G_FULL,
	       TUI_G_EMPTY, TUI_G_COUNT_ } tui_glyph;
const char *tui_glyph_str(const tui_state *s, tui_glyph g);

/* Dialogs (tui_dialog.c). */
void tui_dialog_close(tui_state *s);
tui_reaction tui_dialog_key(tui_state *s, int key);
void tui_open_install(tui_state *s);
void tui_open_confirm(tui_state *s, const char *title, const tui_request *req);
void tui_open_choice(tui_state *s, const char *title, const tui_request *req);
void tui_open_filter(tui_state *s);
void tui_dialog_add_line(tui_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Submits a request to the provider, reporting the outcome in the status line. */
tui_reaction tui_submit(tui_state *s, const tui_request *req);

/* Completes a path prefix: on return out holds the longest unambiguous
 * completion; up to max candidates (allocated) are stored in matches.
 * Returns the number of candidates, or < 0 on error. */
int tui_complete_path(const char *in, char *out, size_t outsz, char **matches, int max);

/* The terminal loop (console.c). */
typedef struct tui_options {
	bool no_color, ascii, bench;
} tui_options;
int tui_console_run(tui_provider *p, const tui_options *o);
/* Colour unless the terminal has none, --no-color, or NO_COLOR is set. */
bool tui_color_wanted(bool term_has_colors, bool no_color_option);
/* UTF-8 line drawing when the locale's codeset is UTF-8 and not --ascii. */
bool tui_utf8_wanted(bool ascii_option);
/* Off-screen benchmark: first screen and per-key redraw times. */
int tui_console_bench(tui_provider *p, FILE *out);

#endif
