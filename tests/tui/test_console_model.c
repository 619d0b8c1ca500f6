/* tests/tui/test_console_model.c - the model and the fake provider. */
#include "tui/console_model.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static int find_name(const tui_model *m, const char *name)
{
	for (int i = 0; i < m->nimages; i++)
		if (strcmp(m->images[i].name, name) == 0)
			return i;
	return -1;
}

Test(console_model, uninstall_plan_keeps_what_other_roots_need)
{
	tui_provider *p = tui_fake_new(100);
	p->ops->reload(p);
	tui_model *m = &p->model;
	int *gone, *stays, ngone, nstays;
	cr_assert_eq(tui_model_uninstall_plan(m, 0, &gone, &ngone, &stays, &nstays), 0);
	bool mcs_goes = false, mscorlib_stays = false;
	for (int i = 0; i < ngone; i++)
		mcs_goes |= gone[i] == find_name(m, "mcs");
	for (int i = 0; i < nstays; i++)
		mscorlib_stays |= stays[i] == find_name(m, "mscorlib");
	cr_assert(mcs_goes);
	cr_assert(mscorlib_stays);
	for (int i = 0; i < ngone; i++)
		for (int k = 0; k < nstays; k++)
			cr_assert_neq(gone[i], stays[k]);
	free(gone);
	free(stays);
	cr_assert_eq(tui_model_uninstall_plan(m, 99, &gone, &ngone, &stays, &nstays), -1);
	tui_provider_free(p);
}

Test(console_model, roots_are_linked_to_every_image_they_reach)
{
	tui_provider *p = tui_fake_new(50);
	p->ops->reload(p);
	tui_model *m = &p->model;
	const tui_image *mscorlib = &m->images[find_name(m, "mscorlib")];
	cr_assert_eq(mscorlib->nroots, m->nroots);
	tui_provider_free(p);
}

Test(console_model, fake_requests_change_the_model)
{
	tui_provider *p = tui_fake_new(50);
	p->ops->reload(p);
	tui_model *m = &p->model;
	ng_diag d;
	uint64_t v = m->version;
	tui_request pause = { .kind = TUI_REQ_PAUSE };
	cr_assert_eq(p->ops->submit(p, &pause, &d), 0);
	cr_assert_eq(m->service, TUI_SVC_PAUSED);
	cr_assert_gt(m->version, v);
	int nq = m->nqueue;
	tui_request cancel = { .kind = TUI_REQ_CANCEL, .id = m->queue[0].id };
	cr_assert_eq(p->ops->submit(p, &cancel, &d), 0);
	cr_assert_eq(m->nqueue, nq - 1);
	cr_assert_lt(p->ops->submit(p, &cancel, &d), 0, "a second cancel finds nothing");
	tui_fake_set_failing(p, true);
	cr_assert_lt(p->ops->submit(p, &pause, &d), 0);
	cr_assert(strstr(ng_diag_text(&d), "refused"));
	tui_provider_free(p);
}
