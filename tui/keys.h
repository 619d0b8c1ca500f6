/* tui/keys.h - every key the console knows, in one table.
 *
 * TUI_KEY_LIST is the single list of actions: for each, up to three keys,
 * the label it gets in the function-key bar (NULL when it has no F key or
 * stays off the bar) and its help text. The action enum, the key lookup,
 * the F-key bar and the help screen are all generated from it, so they
 * cannot disagree (tig's REQ_INFO). A key of 0 means "no key". */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include <curses.h>
#include <stddef.h>

#define TUI_CTRL(c) ((c) & 0x1f)

/*   name        key 1          key 2          key 3      bar        help */
#define TUI_KEY_LIST(X)                                                                  \
	X(HELP,      '?',           KEY_F(1),      0,         "Help",    "show this help")   \
	X(INSTALL,   'a',           KEY_F(2),      0,         "Install", "install an assembly (path or display name)") \
	X(FILTER,    '/',           KEY_F(3),      0,         "Filter",  "filter the list by text (Esc clears)") \
	X(INVALID,   'i',           KEY_F(4),      0,         "Invalid", "show only invalid or failed images") \
	X(UPDATE,    'u',           KEY_F(5),      0,         "Update",  "update: regenerate invalid images") \
	X(SORT,      's',           KEY_F(6),      0,         "Sort",    "images: next sort column") \
	X(VERIFY,    'v',           KEY_F(7),      0,         "Verify",  "verify the cache") \
	X(UNINSTALL, 'x',           KEY_F(8),      0,         "Remove",  "uninstall the selected root (asks first)") \
	X(PAUSE,     'P',           KEY_F(9),      0,         "Pause",   "pause or continue the service") \
	X(QUIT,      'q',           KEY_F(10),     0,         "Quit",    "quit the console") \
	X(UP,        KEY_UP,        'k',           0,         NULL,      "move up")          \
	X(DOWN,      KEY_DOWN,      'j',           0,         NULL,      "move down")        \
	X(LEFT,      KEY_LEFT,      'h',           0,         NULL,      "collapse, or go to the parent") \
	X(RIGHT,     KEY_RIGHT,     'l',           0,         NULL,      "expand")           \
	X(PGUP,      KEY_PPAGE,     TUI_CTRL('b'), 0,         NULL,      "page up")          \
	X(PGDN,      KEY_NPAGE,     TUI_CTRL('f'), ' ',       NULL,      "page down")        \
	X(HOME,      KEY_HOME,      'g',           0,         NULL,      "first line")       \
	X(END,       KEY_END,       'G',           0,         NULL,      "last line")        \
	X(ENTER,     '\n',          KEY_ENTER,     '\r',      NULL,      "expand or collapse; open details") \
	X(NEXT_VIEW, '\t',          0,             0,         NULL,      "next view")        \
	X(PREV_VIEW, KEY_BTAB,      0,             0,         NULL,      "previous view")    \
	X(ROOTS,     '1',           0,             0,         NULL,      "Roots view")       \
	X(IMAGES,    '2',           0,             0,         NULL,      "Images view")      \
	X(QUEUE,     '3',           0,             0,         NULL,      "Queue view")       \
	X(JOBS,      '4',           0,             0,         NULL,      "Jobs view")        \
	X(LOG,       '5',           0,             0,         NULL,      "Log view")         \
	X(REVERSE,   'S',           0,             0,         NULL,      "images: reverse the sort order") \
	X(REPAIR,    'V',           0,             0,         NULL,      "verify and repair the cache") \
	X(EQI,       'e',           0,             0,         NULL,      "run queued items now (asks the priority)") \
	X(PRIORITY,  'p',           0,             0,         NULL,      "queue: change the item's priority") \
	X(CANCEL,    'c',           KEY_DC,        0,         NULL,      "queue: cancel the queued item") \
	X(DETAILS,   'd',           0,             0,         NULL,      "show or hide the details pane") \
	X(RELOAD,    TUI_CTRL('l'), 0,             0,         NULL,      "reload and redraw")

typedef enum tui_action {
	TUI_ACT_NONE = 0,
#define TUI_ACT_ENUM_(name, k1, k2, k3, bar, help) TUI_ACT_##name,
	TUI_KEY_LIST(TUI_ACT_ENUM_)
#undef TUI_ACT_ENUM_
	TUI_ACT_COUNT_
} tui_action;

typedef struct tui_keydef {
	tui_action action;
	const char *name;     /* "QUIT" */
	int keys[3];
	const char *bar;      /* F-key bar label or NULL */
	const char *help;
} tui_keydef;

/* The table, TUI_ACT_COUNT_ - 1 entries in list order. */
extern const tui_keydef tui_keydefs[];
extern const size_t tui_nkeydefs;

/* The action bound to a key, TUI_ACT_NONE if none. */
tui_action tui_key_action(int key);
/* A key's printable name: "q", "Up", "F1", "^L", "Enter", "Space". */
const char *tui_key_label(int key, char buf[16]);
/* The F-key number (1..12) bound to an action, 0 if none. */
int tui_action_fkey(tui_action a);
const tui_keydef *tui_keydef_of(tui_action a);
/* One help line per action: "  q F10       quit the console". Writes up to
 * n lines into lines[] (each of width <= w, allocated); returns the count. */
int tui_help_lines(char **lines, int n);

#endif
