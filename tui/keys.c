/* tui/keys.c - the key table and what is generated from it: key lookup,
 * key names, the function-key bar's bindings and the help lines. */
#include "tui/keys.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <string.h>

const tui_keydef tui_keydefs[] = {
#define TUI_KEYDEF_(name, k1, k2, k3, bar, help) \
	{ TUI_ACT_##name, #name, { k1, k2, k3 }, bar, help },
	TUI_KEY_LIST(TUI_KEYDEF_)
#undef TUI_KEYDEF_
};
const size_t tui_nkeydefs = sizeof tui_keydefs / sizeof tui_keydefs[0];

tui_action tui_key_action(int key)
{
	if (key == 0)
		return TUI_ACT_NONE;
	for (size_t i = 0; i < tui_nkeydefs; i++)
		for (int k = 0; k < 3; k++)
			if (tui_keydefs[i].keys[k] == key)
				return tui_keydefs[i].action;
	return TUI_ACT_NONE;
}

const tui_keydef *tui_keydef_of(tui_action a)
{
	if (a <= TUI_ACT_NONE || a >= TUI_ACT_COUNT_)
		return NULL;
	return &tui_keydefs[a - 1];
}

const char *tui_key_label(int key, char buf[16])
{
	static const struct { int key; const char *name; } names[] = {
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" },
		{ KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" }, { KEY_END, "End" }, { '\n', "Enter" },
		{ KEY_ENTER, "KpEnter" }, { '\r', "Return" }, { '\t', "Tab" },
		{ KEY_BTAB, "S-Tab" }, { KEY_DC, "Del" }, { ' ', "Space" }, { 27, "Esc" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key)
			return names[i].name;
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, 16, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, 16, "^%c", key + '@');
	else if (key > 32 && key < 127)
		snprintf(buf, 16, "%c", key);
	else
		snprintf(buf, 16, "#%d", key);
	return buf;
}

int tui_action_fkey(tui_action a)
{
	const tui_keydef *d = tui_keydef_of(a);
	for (int k = 0; d && k < 3; k++)
		if (d->keys[k] >= KEY_F(1) && d->keys[k] <= KEY_F(12))
			return d->keys[k] - KEY_F(0);
	return 0;
}

int tui_help_lines(char **lines, int n)
{
	int count = 0;
	for (size_t i = 0; i < tui_nkeydefs && count < n; i++) {
		const tui_keydef *d = &tui_keydefs[i];
		char keys[64] = "", buf[16];
		for (int k = 0; k < 3; k++) {
			if (!d->keys[k] || d->keys[k] == '\r' || d->keys[k] == KEY_ENTER)
				continue;
			if (keys[0])
				strcat(keys, " ");
			strncat(keys, tui_key_label(d->keys[k], buf), sizeof keys - strlen(keys) - 1);
		}
		lines[count++] = xasprintf("  %-16s %s", keys, d->help);
	}
	return count;
}
