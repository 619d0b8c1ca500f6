/* tests/tui/test_commands.c - Ngen's option syntax: /opt, -opt, --opt,
 * case-insensitive, and absolute paths that are not options. */
#include "tui/commands.h"

#include <criterion/criterion.h>

Test(commands, options_take_any_prefix_and_case)
{
	cr_assert(tui_is_option("/nologo", "nologo", NULL));
	cr_assert(tui_is_option("-NoLogo", "nologo", NULL));
	cr_assert(tui_is_option("--NOLOGO", "nologo", NULL));
	cr_assert_not(tui_is_option("nologo", "nologo", NULL));
	cr_assert_not(tui_is_option("/nolog", "nologo", NULL));
}

Test(commands, option_values_after_colon_or_equals)
{
	const char *v = NULL;
	cr_assert(tui_is_option("/ExeConfig:/opt/app/App.exe", "execonfig:", &v));
	cr_assert_str_eq(v, "/opt/app/App.exe");
	cr_assert(tui_is_option("--appbase=/srv", "appbase:", &v));
	cr_assert_str_eq(v, "/srv");
	cr_assert_not(tui_is_option("/ExeConfigX", "execonfig:", &v));
}

Test(commands, absolute_paths_are_not_options)
{
	cr_assert_not(tui_looks_like_option("/usr/lib/mono/4.5/mcs.exe"));
	cr_assert_not(tui_looks_like_option("/app.exe"));
	cr_assert_not(tui_looks_like_option("relative/App.exe"));
	cr_assert_not(tui_looks_like_option("-"));
	cr_assert(tui_looks_like_option("/queue:1"));
	cr_assert(tui_looks_like_option("/Debug"));
	cr_assert(tui_looks_like_option("/?"));
}
