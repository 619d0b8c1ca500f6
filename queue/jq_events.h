/* queue/jq_events.h - what the queue tells its watchers, and the wire format.
 *
 * The runner (jq_runner.h) reports every change of an item or of the
 * service as a jq_event on its loop thread; the service (jq_service.h)
 * sends each one to the subscribers of its socket as one line of JSON:
 *
 *   {"event":"started","id":7,"priority":1,"item":"install /x/A.dll",
 *    "attempt":1,"time":1763765000.25}
 *   {"event":"progress","id":7,"done":120,"total":480,"what":"A, Version=..."}
 *   {"event":"finished","id":7,"elapsed":2.5}
 *   {"event":"retry","id":7,"attempt":1,"error":"...","retry_in":30}
 *   {"event":"failed","id":7,"attempt":3,"error":"..."}
 *   {"event":"requeued","id":7,"reason":"the machine is no longer idle"}
 *   {"event":"queued","id":8,"priority":3,"item":"update"}
 *   {"event":"paused"}  {"event":"continued"}
 *   {"event":"idle","idle":true}
 *   {"event":"stopping","reason":"the queue is empty"}
 *
 * Fields absent from a line read as 0 / "" (jq_event_parse). A console
 * (tui/, engineer E) connects with jq_client_subscribe() (jq_client.h) and
 * reads events with jq_client_next_event(); it never parses JSON itself. */
#ifndef JQ_EVENTS_H
#define JQ_EVENTS_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

#define JQ_EVENT_LIST(X)                                                     \
	X(JQ_EV_QUEUED,    "queued")     /* id, priority, item */            \
	X(JQ_EV_STARTED,   "started")    /* id, priority, item, attempt */   \
	X(JQ_EV_PROGRESS,  "progress")   /* id, done, total, what */         \
	X(JQ_EV_FINISHED,  "finished")   /* id, elapsed */                   \
	X(JQ_EV_RETRY,     "retry")      /* id, attempt, error, retry_in */  \
	X(JQ_EV_FAILED,    "failed")     /* id, attempt, error (final) */    \
	X(JQ_EV_REQUEUED,  "requeued")   /* id, reason (canceled, unfinished) */ \
	X(JQ_EV_PAUSED,    "paused")                                         \
	X(JQ_EV_CONTINUED, "continued")                                      \
	X(JQ_EV_IDLE,      "idle")       /* idle: the machine became idle or busy */ \
	X(JQ_EV_STOPPING,  "stopping")   /* reason: the service is exiting */

typedef enum jq_event_kind {
#define JQ_EV_ENUM_(name, text) name,
	JQ_EVENT_LIST(JQ_EV_ENUM_)
#undef JQ_EV_ENUM_
	JQ_EV_COUNT_
} jq_event_kind;

enum { JQ_EVENT_TEXT = 512 };

/* One event. Plain data: copy it freely. */
typedef struct jq_event {
	jq_event_kind kind;
	int64_t id;                    /* item id; 0 for service events */
	int priority;
	int attempt;
	unsigned done, total;          /* methods compiled / to compile */
	bool idle;
	double time;                   /* unix time the event happened */
	double elapsed;                /* finished: seconds the run took */
	double retry_in;               /* retry: seconds until the next try */
	char item[JQ_EVENT_TEXT];      /* "install /x/A.dll /Debug" */
	char text[JQ_EVENT_TEXT];      /* error, reason, or (progress) what */
} jq_event;

typedef void (*jq_event_fn)(void *ctx, const jq_event *ev);

const char *jq_event_name(jq_event_kind k);
/* Appends ev as one JSON line (with '\n') to sb. */
void jq_event_to_json(const jq_event *ev, ng_strbuf *sb);
/* Parses one line; NG_ERR_PROTOCOL when it is not an event. */
int jq_event_parse(const char *line, jq_event *ev);
/* A one-line human text ("started #7 install A.dll (priority 1)"). */
void jq_event_describe(const jq_event *ev, char *buf, unsigned n);

#endif
