/* queue/jq_events.c - events as JSON lines; see jq_events.h. */
#include "queue/jq_events.h"

#include "base/err.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define JQ_EV_NAME_(name, text) text,
	JQ_EVENT_LIST(JQ_EV_NAME_)
#undef JQ_EV_NAME_
};

const char *jq_event_name(jq_event_kind k)
{
	return (unsigned)k < JQ_EV_COUNT_ ? names[k] : "?";
}

static void add_str(json_object *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_object_add(o, key, json_object_new_string(v));
}

void jq_event_to_json(const jq_event *ev, ng_strbuf *sb)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(jq_event_name(ev->kind)));
	if (ev->id)
		json_object_object_add(o, "id", json_object_new_int64(ev->id));
	if (ev->priority)
		json_object_object_add(o, "priority", json_object_new_int(ev->priority));
	if (ev->attempt)
		json_object_object_add(o, "attempt", json_object_new_int(ev->attempt));
	if (ev->kind == JQ_EV_PROGRESS) {
		json_object_object_add(o, "done", json_object_new_int64(ev->done));
		json_object_object_add(o, "total", json_object_new_int64(ev->total));
	}
	if (ev->kind == JQ_EV_IDLE)
		json_object_object_add(o, "idle", json_object_new_boolean(ev->idle));
	if (ev->elapsed > 0)
		json_object_object_add(o, "elapsed", json_object_new_double(ev->elapsed));
	if (ev->retry_in > 0)
		json_object_object_add(o, "retry_in", json_object_new_double(ev->retry_in));
	if (ev->time > 0)
		json_object_object_add(o, "time", json_object_new_double(ev->time));
	add_str(o, "item", ev->item);
	const char *tkey = ev->kind == JQ_EV_PROGRESS ? "what"
		: (ev->kind == JQ_EV_RETRY || ev->kind == JQ_EV_FAILED) ? "error" : "reason";
	add_str(o, tkey, ev->text);
	ng_strbuf_puts(sb, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	ng_strbuf_putc(sb, '\n');
	json_object_put(o);
}

static void get_str(json_object *o, const char *key, char *dst, size_t n)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v))
		snprintf(dst, n, "%s", json_object_get_string(v));
}

int jq_event_parse(const char *line, jq_event *ev)
{
	memset(ev, 0, sizeof *ev);
	json_object *o = json_tokener_parse(line), *v;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "event", &v)) {
		json_object_put(o);
		return NG_ERR_PROTOCOL;
	}
	const char *name = json_object_get_string(v);
	int kind = -1;
	for (int i = 0; i < JQ_EV_COUNT_; i++)
		if (strcmp(name, names[i]) == 0)
			kind = i;
	if (kind < 0) {
		json_object_put(o);
		return NG_ERR_PROTOCOL;
	}
	ev->kind = (jq_event_kind)kind;
	if (json_object_object_get_ex(o, "id", &v)) ev->id = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "priority", &v)) ev->priority = json_object_get_int(v);
	if (json_object_object_get_ex(o, "attempt", &v)) ev->attempt = json_object_get_int(v);
	if (json_object_object_get_ex(o, "done", &v)) ev->done = (unsigned)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "total", &v)) ev->total = (unsigned)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "idle", &v)) ev->idle = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "time", &v)) ev->time = json_object_get_double(v);
	if (json_object_object_get_ex(o, "elapsed", &v)) ev->elapsed = json_object_get_double(v);
	if (json_object_object_get_ex(o, "retry_in", &v)) ev->retry_in = json_object_get_double(v);
	get_str(o, "item", ev->item, sizeof ev->item);
	get_str(o, "what", ev->text, sizeof ev->text);
	get_str(o, "error", ev->text, sizeof ev->text);
	get_str(o, "reason", ev->text, sizeof ev->text);
	json_object_put(o);
	return 0;
}

void jq_event_describe(const jq_event *ev, char *buf, unsigned n)
{
	switch (ev->kind) {
	case JQ_EV_QUEUED:
		snprintf(buf, n, "queued #%lld %s (priority %d)", (long long)ev->id, ev->item,
			 ev->priority);
		break;
	case JQ_EV_STARTED:
		snprintf(buf, n, "started #%lld %s (priority %d, attempt %d)", (long long)ev->id,
			 ev->item, ev->priority, ev->attempt);
		break;
	case JQ_EV_PROGRESS:
		snprintf(buf, n, "#%lld: %u of %u methods %s", (long long)ev->id, ev->done,
			 ev->total, ev->text);
		break;
	case JQ_EV_FINISHED:
		snprintf(buf, n, "finished #%lld in %.1f s", (long long)ev->id, ev->elapsed);
		break;
	case JQ_EV_RETRY:
		snprintf(buf, n, "#%lld failed (attempt %d), retrying in %.0f s: %s",
			 (long long)ev->id, ev->attempt, ev->retry_in, ev->text);
		break;
	case JQ_EV_FAILED:
		snprintf(buf, n, "#%lld failed after %d attempts: %s", (long long)ev->id,
			 ev->attempt, ev->text);
		break;
	case JQ_EV_REQUEUED:
		snprintf(buf, n, "#%lld back in the queue: %s", (long long)ev->id, ev->text);
		break;
	case JQ_EV_IDLE:
		snprintf(buf, n, "the machine is %s", ev->idle ? "idle" : "busy");
		break;
	default:
		snprintf(buf, n, "service %s%s%s", jq_event_name(ev->kind),
			 ev->text[0] ? ": " : "", ev->text);
		break;
	}
}
