/* tests/base/test_err.c - error codes and their texts. */
#include "base/diag.h"
#include "base/err.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

Test(err, project_codes_have_their_own_text)
{
	cr_assert_str_eq(ng_strerror(NG_ERR_NOT_CLI), "not a CLI assembly");
	cr_assert_str_eq(ng_strerror(NG_ERR_PERM), "administrative rights are needed");
	cr_assert_str_eq(ng_strerror(0), "success");
}

Test(err, errno_codes_use_strerror)
{
	cr_assert_str_eq(ng_strerror(-ENOENT), strerror(ENOENT));
}

Test(err, unknown_codes_do_not_crash)
{
	cr_assert_str_eq(ng_strerror(NG_ERR_END_ + 5), "unknown error");
	cr_assert_str_eq(ng_strerror(12345), "unknown error");
}

Test(diag, set_returns_code_and_keeps_message)
{
	ng_diag d;
	ng_diag_clear(&d);
	cr_assert_eq(ng_diag_set(&d, NG_ERR_FORMAT, "%s: bad at 0x%x", "a.dll", 16), NG_ERR_FORMAT);
	cr_assert_str_eq(ng_diag_text(&d), "a.dll: bad at 0x10");
	ng_diag_prefix(&d, "installing %s: ", "A");
	cr_assert_str_eq(ng_diag_text(&d), "installing A: a.dll: bad at 0x10");
}

Test(diag, text_falls_back_to_code)
{
	ng_diag d;
	ng_diag_clear(&d);
	d.code = NG_ERR_NOTFOUND;
	cr_assert_str_eq(ng_diag_text(&d), "not found");
	cr_assert_eq(ng_diag_set(NULL, NG_ERR_INVAL, "x"), NG_ERR_INVAL);
}
