/* queue/jq_client.c - the service's clients: socket, submit, status.
 * See jq_client.h. */
#include "queue/jq_client.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "queue/jq_lock.h"
#include "queue/jq_service.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct jq_client {
	int fd;
	ng_strbuf buf;      /* bytes read but not yet consumed */
	size_t off;
};

int jq_client_open(const char *cache_dir, jq_client **out, ng_diag *d)
{
	char *path = jq_service_socket_path(cache_dir);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		int rc = ng_diag_set(d, NG_ERR_RANGE, "socket path %s is too long", path);
		free(path);
		return rc;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		free(path);
		return ng_diag_set(d, -errno, "socket: %s", strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;
		close(fd);
		int rc = (err == EACCES || err == EPERM)
			? ng_diag_set(d, NG_ERR_PERM, "permission denied on %s: only the cache's"
				      " administrator may use the native image service", path)
			: ng_diag_set(d, NG_ERR_NOTFOUND, "the native image service is not running"
				      " (%s: %s)", path, strerror(err));
		free(path);
		return rc;
	}
	free(path);
	jq_client *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	*out = c;
	return 0;
}

void jq_client_free(jq_client *c)
{
	if (!c)
		return;
	close(c->fd);
	ng_strbuf_close(&c->buf);
	free(c);
}

int jq_client_fd(const jq_client *c)
{
	return c->fd;
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The next complete line (heap) into *line: 1, 0 on timeout,
 * NG_ERR_NOTFOUND at end of stream, or -errno. */
static int read_line(jq_client *c, int timeout_ms, char **line)
{
	double deadline = mono_ms() + timeout_ms;
	for (;;) {
		char *start = c->buf.data ? c->buf.data + c->off : NULL;
		char *nl = start ? memchr(start, '\n', c->buf.len - c->off) : NULL;
		if (nl) {
			*line = xstrndup(start, (size_t)(nl - start));
			c->off = (size_t)(nl + 1 - c->buf.data);
			if (c->off == c->buf.len) {
				ng_strbuf_reset(&c->buf);
				c->off = 0;
			}
			return 1;
		}
		int wait = (int)(deadline - mono_ms());
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, wait < 0 ? 0 : wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		char tmp[4096];
		ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return NG_ERR_NOTFOUND;
		ng_strbuf_append(&c->buf, tmp, (size_t)n);
	}
}

/* Reads lines until one that is a reply (not an event). */
static int read_reply(jq_client *c, int timeout_ms, char **reply, ng_diag *d)
{
	for (;;) {
		char *line = NULL;
		int rc = read_line(c, timeout_ms, &line);
		if (rc == 0)
			return ng_diag_set(d, -ETIMEDOUT, "the native image service did not answer");
		if (rc < 0)
			return ng_diag_set(d, rc, "the native image service closed the connection");
		json_object *o = json_tokener_parse(line), *v;
		bool is_reply = o && json_object_object_get_ex(o, "ok", &v);
		if (is_reply && !json_object_get_boolean(v)) {
			json_object *e;
			const char *msg = json_object_object_get_ex(o, "error", &e)
				? json_object_get_string(e) : "refused";
			rc = ng_diag_set(d, strstr(msg, "permission") ? NG_ERR_PERM : NG_ERR_PROTOCOL,
					 "native image service: %s", msg);
			json_object_put(o);
			free(line);
			return rc;
		}
		json_object_put(o);
		if (is_reply) {
			if (reply)
				*reply = line;
			else
				free(line);
			return 0;
		}
		free(line);
	}
}

int jq_client_call(jq_client *c, const char *request, int timeout_ms, char **reply,
		   ng_diag *d)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_puts(&sb, request);
	ng_strbuf_putc(&sb, '\n');
	int rc = send_all(c->fd, ng_strbuf_str(&sb), sb.len);
	ng_strbuf_close(&sb);
	if (rc < 0) {
		/* A refused peer is closed at once; its reason may be waiting. */
		rc = read_reply(c, 1000, reply, d);
		return rc < 0 ? rc : ng_diag_set(d, NG_ERR_PROTOCOL, "send failed");
	}
	return read_reply(c, timeout_ms, reply, d);
}

int jq_client_subscribe(jq_client *c, ng_diag *d)
{
	return jq_client_call(c, "{\"cmd\":\"subscribe\"}", 10000, NULL, d);
}

int jq_client_read_event(jq_client *c, jq_event *ev, int timeout_ms)
{
	for (;;) {
		char *line = NULL;
		int rc = read_line(c, timeout_ms, &line);
		if (rc <= 0)
			return rc;
		rc = jq_event_parse(line, ev);
		free(line);
		if (rc == 0)
			return 1;
		/* A reply line in the stream: skip it. */
	}
}

int jq_client_command(const char *cache_dir, const char *cmd, int64_t id, ng_diag *d)
{
	jq_client *c;
	int rc = jq_client_open(cache_dir, &c, d);
	if (rc < 0)
		return rc;
	char req[128];
	snprintf(req, sizeof req, "{\"cmd\":\"%s\",\"id\":%lld}", cmd, (long long)id);
	rc = jq_client_call(c, req, 10000, NULL, d);
	jq_client_free(c);
	return rc;
}

/* --- submitting --- */

int jq_parse_queue_option(const char *arg, int *priority)
{
	const char *p = arg;
	if (p[0] == '-' && p[1] == '-')
		p += 2;
	else if (p[0] == '/' || p[0] == '-')
		p++;
	else
		return 0;
	if (strncasecmp(p, "queue", 5) != 0)
		return 0;
	p += 5;
	if (*p == '\0') {
		*priority = JQ_PRIO_DEFAULT;
		return 1;
	}
	if (*p != ':' && *p != '=')
		return 0;
	if (p[1] >= '1' && p[1] <= '3' && p[2] == '\0') {
		*priority = p[1] - '0';
		return 1;
	}
	return NG_ERR_USAGE;
}

static int notify_or_start(const char *cache_dir, int64_t id, bool autostart, ng_diag *d)
{
	/* The item is committed; now a service that holds the lock will see
	 * it, and if none holds it we start one. */
	if (jq_service_running(cache_dir, NULL)) {
		ng_diag ignore;
		jq_client_command(cache_dir, "kick", id, &ignore);
		return 0;
	}
	return autostart ? jq_service_spawn(cache_dir, d) : 0;
}

int jq_submit(const char *cache_dir, const char *kind, int priority, int argc,
	      char *const *argv, const char *cwd, const jq_submit_opts *opts,
	      int64_t *id, bool *created, ng_diag *d)
{
	char **kept = xcalloc((size_t)argc + 1, sizeof *kept);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		int p;
		int r = jq_parse_queue_option(argv[i], &p);
		if (r < 0) {
			free(kept);
			return ng_diag_set(d, NG_ERR_USAGE, "%s: the priority must be 1, 2 or 3",
					   argv[i]);
		}
		if (r == 0)
			kept[n++] = argv[i];
	}
	jq_db db;
	int rc = jq_db_open(&db, cache_dir);
	int64_t item = 0;
	if (rc == 0) {
		rc = jq_add(&db, kind, priority, n, kept, cwd, opts ? opts->origin : NULL,
			    &item, created);
		if (rc < 0 && d)
			*d = db.diag;
		jq_db_close(&db);
	} else if (d) {
		*d = db.diag;
	}
	free(kept);
	if (rc == 0 && id)
		*id = item;
	if (rc == 0)
		rc = notify_or_start(cache_dir, item, !(opts && opts->no_autostart), d);
	return rc;
}

/* --- status --- */

const char *jq_service_state_name(jq_service_state s)
{
	switch (s) {
	case JQ_SERVICE_RUNNING: return "running";
	case JQ_SERVICE_PAUSED: return "paused";
	default: return "stopped";
	}
}

static void jobs_from_db(jq_db *db, jq_status *st)
{
	jq_item *items;
	int n;
	if (jq_list(db, JQ_RUNNING, &items, &n) < 0)
		return;
	for (int i = 0; i < n && st->njobs < JQ_STATUS_JOBS; i++) {
		jq_job_info *j = &st->jobs[st->njobs++];
		memset(j, 0, sizeof *j);
		j->id = items[i].id;
		j->priority = items[i].priority;
		j->attempt = items[i].attempts;
		j->done = items[i].progress_done;
		j->total = items[i].progress_total;
		j->started = items[i].started;
		char *desc = jq_item_describe(&items[i]);
		snprintf(j->item, sizeof j->item, "%s", desc);
		free(desc);
	}
	jq_items_free(items, n);
}

/* Live progress of the service's own jobs replaces the database's
 * (which is up to a heartbeat old). */
static void merge_service_jobs(jq_status *st, json_object *o)
{
	json_object *jobs, *v;
	if (!json_object_object_get_ex(o, "jobs", &jobs))
		return;
	size_t n = json_object_array_length(jobs);
	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_array_get_idx(jobs, i);
		int64_t id = json_object_object_get_ex(j, "id", &v) ? json_object_get_int64(v) : 0;
		for (int k = 0; k < st->njobs; k++) {
			if (st->jobs[k].id != id)
				continue;
			if (json_object_object_get_ex(j, "done", &v))
				st->jobs[k].done = (unsigned)json_object_get_int64(v);
			if (json_object_object_get_ex(j, "total", &v))
				st->jobs[k].total = (unsigned)json_object_get_int64(v);
			if (json_object_object_get_ex(j, "what", &v))
				snprintf(st->jobs[k].what, sizeof st->jobs[k].what, "%s",
					 json_object_get_string(v));
		}
	}
}

static void ask_service(const char *cache_dir, jq_status *st)
{
	jq_client *c;
	ng_diag d;
	char *reply = NULL;
	if (jq_client_open(cache_dir, &c, &d) < 0)
		return;
	if (jq_client_call(c, "{\"cmd\":\"status\"}", 5000, &reply, &d) == 0) {
		json_object *o = json_tokener_parse(reply), *v;
		if (o) {
			if (json_object_object_get_ex(o, "state", &v))
				st->state = strcmp(json_object_get_string(v), "paused") == 0
					? JQ_SERVICE_PAUSED : JQ_SERVICE_RUNNING;
			if (json_object_object_get_ex(o, "idle", &v)) {
				st->idle = json_object_get_boolean(v);
				st->idle_known = true;
			}
			if (json_object_object_get_ex(o, "workers", &v))
				st->workers = json_object_get_int(v);
			merge_service_jobs(st, o);
			json_object_put(o);
		}
	}
	free(reply);
	jq_client_free(c);
}

int jq_status_get(const char *cache_dir, jq_status *st, ng_diag *d)
{
	memset(st, 0, sizeof *st);
	jq_db db;
	int rc = jq_db_open(&db, cache_dir);
	if (rc < 0) {
		if (d)
			*d = db.diag;
		return rc;
	}
	rc = jq_count(&db, &st->counts);
	if (rc == 0)
		rc = jq_is_paused(&db, &st->paused_flag);
	if (rc == 0)
		jobs_from_db(&db, st);
	if (rc < 0 && d)
		*d = db.diag;
	jq_db_close(&db);
	if (rc < 0)
		return rc;
	if (jq_service_running(cache_dir, &st->pid)) {
		st->state = st->paused_flag ? JQ_SERVICE_PAUSED : JQ_SERVICE_RUNNING;
		ask_service(cache_dir, st);
	}
	return 0;
}
