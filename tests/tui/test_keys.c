/* tests/tui/test_keys.c - the key table and what is generated from it. */
#include "tui/keys.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(keys, every_action_has_a_key_and_help)
{
	cr_assert_eq(tui_nkeydefs, TUI_ACT_COUNT_ - 1);
	for (size_t i = 0; i < tui_nkeydefs; i++) {
		cr_assert_eq(tui_keydefs[i].action, (tui_action)(i + 1));
		cr_assert_neq(tui_keydefs[i].keys[0], 0, "%s has no key", tui_keydefs[i].name);
		cr_assert(strlen(tui_keydefs[i].help) > 3);
	}
}

Test(keys, no_key_is_bound_twice)
{
	for (size_t i = 0; i < tui_nkeydefs; i++)
		for (int k = 0; k < 3; k++) {
			int key = tui_keydefs[i].keys[k];
			if (key)
				cr_assert_eq(tui_key_action(key), tui_keydefs[i].action,
					     "key %d of %s also bound elsewhere", key, tui_keydefs[i].name);
		}
}

Test(keys, htop_and_vi_keys_map_to_actions)
{
	cr_assert_eq(tui_key_action('q'), TUI_ACT_QUIT);
	cr_assert_eq(tui_key_action(KEY_F(10)), TUI_ACT_QUIT);
	cr_assert_eq(tui_key_action('?'), TUI_ACT_HELP);
	cr_assert_eq(tui_key_action(KEY_F(1)), TUI_ACT_HELP);
	cr_assert_eq(tui_key_action('j'), TUI_ACT_DOWN);
	cr_assert_eq(tui_key_action(KEY_DOWN), TUI_ACT_DOWN);
	cr_assert_eq(tui_key_action('k'), TUI_ACT_UP);
	cr_assert_eq(tui_key_action('h'), TUI_ACT_LEFT);
	cr_assert_eq(tui_key_action('l'), TUI_ACT_RIGHT);
	cr_assert_eq(tui_key_action('\t'), TUI_ACT_NEXT_VIEW);
	cr_assert_eq(tui_key_action('/'), TUI_ACT_FILTER);
	cr_assert_eq(tui_key_action('\r'), TUI_ACT_ENTER);
	cr_assert_eq(tui_key_action('Z'), TUI_ACT_NONE);
}

Test(keys, labels_name_keys_readably)
{
	char buf[16];
	cr_assert_str_eq(tui_key_label(KEY_F(10), buf), "F10");
	cr_assert_str_eq(tui_key_label(KEY_UP, buf), "Up");
	cr_assert_str_eq(tui_key_label(TUI_CTRL('l'), buf), "^L");
	cr_assert_str_eq(tui_key_label('x', buf), "x");
	cr_assert_str_eq(tui_key_label('\t', buf), "Tab");
}

Test(keys, help_is_generated_from_the_table)
{
	char *lines[128];
	int n = tui_help_lines(lines, 128);
	cr_assert_eq((size_t)n, tui_nkeydefs);
	for (int i = 0; i < n; i++) {
		cr_assert(strstr(lines[i], tui_keydefs[i].help), "line %d: %s", i, lines[i]);
		free(lines[i]);
	}
}

Test(keys, fkeys_of_the_bar)
{
	cr_assert_eq(tui_action_fkey(TUI_ACT_HELP), 1);
	cr_assert_eq(tui_action_fkey(TUI_ACT_QUIT), 10);
	cr_assert_eq(tui_action_fkey(TUI_ACT_UP), 0);
}
