/* tests/queue/test_jq_events.c - the event wire format the console reads. */
#include "queue/jq_events.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <string.h>

Test(jq_events, every_kind_round_trips_through_json)
{
	for (int k = 0; k < JQ_EV_COUNT_; k++) {
		jq_event ev = { .kind = (jq_event_kind)k, .id = 42, .priority = 2, .attempt = 3,
				.done = 120, .total = 480, .idle = true, .time = 1763765000.25,
				.elapsed = 2.5, .retry_in = 30 };
		strcpy(ev.item, "install \"/x/My App.exe\" /Debug");
		strcpy(ev.text, "line\twith \"quotes\" and \\ backslash");
		ng_strbuf sb = NG_STRBUF_INIT;
		jq_event_to_json(&ev, &sb);
		cr_assert_eq(sb.data[sb.len - 1], '\n');
		cr_assert_null(memchr(sb.data, '\n', sb.len - 1), "one event, one line");
		jq_event back;
		cr_assert_eq(jq_event_parse(sb.data, &back), 0, "%s", sb.data);
		cr_assert_eq(back.kind, ev.kind);
		cr_assert_eq(back.id, 42);
		cr_assert_eq(back.priority, 2);
		cr_assert_str_eq(back.item, ev.item);
		cr_assert_str_eq(back.text, ev.text);
		if (k == JQ_EV_PROGRESS) {
			cr_assert_eq(back.done, 120);
			cr_assert_eq(back.total, 480);
		}
		if (k == JQ_EV_IDLE)
			cr_assert(back.idle);
		char text[1200];
		jq_event_describe(&back, text, sizeof text);
		cr_assert_gt(strlen(text), 5);
		ng_strbuf_close(&sb);
	}
}

Test(jq_events, malformed_lines_are_protocol_errors)
{
	jq_event ev;
	cr_assert_eq(jq_event_parse("not json", &ev), NG_ERR_PROTOCOL);
	cr_assert_eq(jq_event_parse("{\"ok\":true}", &ev), NG_ERR_PROTOCOL);
	cr_assert_eq(jq_event_parse("{\"event\":\"exploded\"}", &ev), NG_ERR_PROTOCOL);
	cr_assert_eq(jq_event_parse("[1,2]", &ev), NG_ERR_PROTOCOL);
}
