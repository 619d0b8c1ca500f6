/* queue/jq_service.c - the service daemon; see jq_service.h. */
#include "queue/jq_service.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "queue/jq_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct svc svc;

typedef struct conn {
	uv_pipe_t pipe;
	svc *s;
	ng_strbuf in;
	bool subscribed, closing;
	struct conn *next;
} conn;

struct svc {
	uv_loop_t loop;
	uv_pipe_t server;
	uv_signal_t sigterm, sigint;
	jq_runner *runner;
	jq_db db;
	conn *conns;
	char *sock_path;
	bool stop_requested, verbose;
	int rc;
};

typedef struct write_req {
	uv_write_t req;
	char *data;
} write_req;

char *jq_service_socket_path(const char *cache_dir)
{
	return xasprintf("%s/service.sock", cache_dir);
}

/* --- connections --- */

static void conn_closed(uv_handle_t *h)
{
	conn *c = h->data;
	ng_strbuf_close(&c->in);
	free(c);
}

static void conn_close(conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	svc *s = c->s;
	for (conn **p = &s->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	uv_close((uv_handle_t *)&c->pipe, conn_closed);
}

static void write_done(uv_write_t *req, int status)
{
	write_req *w = (write_req *)req;
	free(w->data);
	free(w);
}

static void conn_send(conn *c, const char *line)
{
	if (c->closing)
		return;
	write_req *w = xcalloc(1, sizeof *w);
	w->data = xstrdup(line);
	uv_buf_t buf = uv_buf_init(w->data, (unsigned)strlen(w->data));
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, write_done) < 0) {
		free(w->data);
		free(w);
		conn_close(c);
	}
}

static void send_json(conn *c, json_object *o)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_puts(&sb, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	ng_strbuf_putc(&sb, '\n');
	conn_send(c, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	json_object_put(o);
}

static void send_ok(conn *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	send_json(c, o);
}

static void send_error(conn *c, const char *msg)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	send_json(c, o);
}

static void broadcast(svc *s, const jq_event *ev)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	jq_event_to_json(ev, &sb);
	for (conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->subscribed)
			conn_send(c, ng_strbuf_str(&sb));
	}
	if (s->verbose) {
		char text[1200];
		jq_event_describe(ev, text, sizeof text);
		if (ev->kind != JQ_EV_PROGRESS)
			fprintf(stderr, "ngen service: %s\n", text);
	}
	ng_strbuf_close(&sb);
}

static void on_runner_event(void *ctx, const jq_event *ev)
{
	broadcast(ctx, ev);
}

/* --- commands --- */

static json_object *job_json(const jq_job_info *j)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(j->id));
	json_object_object_add(o, "priority", json_object_new_int(j->priority));
	json_object_object_add(o, "attempt", json_object_new_int(j->attempt));
	json_object_object_add(o, "done", json_object_new_int64(j->done));
	json_object_object_add(o, "total", json_object_new_int64(j->total));
	json_object_object_add(o, "started", json_object_new_double(j->started));
	json_object_object_add(o, "item", json_object_new_string(j->item));
	json_object_object_add(o, "what", json_object_new_string(j->what));
	return o;
}

static void cmd_status(svc *s, conn *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "state", json_object_new_string(
		jq_runner_is_paused(s->runner) ? "paused" : "running"));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "idle", json_object_new_boolean(jq_runner_is_idle(s->runner)));
	json_object_object_add(o, "workers", json_object_new_int(jq_runner_workers(s->runner)));
	jq_job_info jobs[64];
	int n = jq_runner_jobs(s->runner, jobs, 64);
	json_object *arr = json_object_new_array();
	for (int i = 0; i < n && i < 64; i++)
		json_object_array_add(arr, job_json(&jobs[i]));
	json_object_object_add(o, "jobs", arr);
	send_json(c, o);
}

static void cmd_kick(svc *s, conn *c, json_object *req)
{
	json_object *v;
	if (json_object_object_get_ex(req, "id", &v)) {
		jq_item it;
		if (jq_get(&s->db, json_object_get_int64(v), &it) == 0) {
			jq_event ev = { .kind = JQ_EV_QUEUED, .id = it.id,
					.priority = it.priority, .time = jq_now() };
			char *d = jq_item_describe(&it);
			snprintf(ev.item, sizeof ev.item, "%s", d);
			free(d);
			broadcast(s, &ev);
			jq_item_close(&it);
		}
	}
	jq_runner_kick(s->runner);
	send_ok(c);
}

static void cmd_pause(svc *s, conn *c, bool pause)
{
	if (jq_set_paused(&s->db, pause) < 0) {
		send_error(c, ng_diag_text(&s->db.diag));
		return;
	}
	jq_runner_set_paused(s->runner, pause);
	send_ok(c);
}

static void handle_line(svc *s, conn *c, const char *line)
{
	json_object *req = json_tokener_parse(line), *v;
	if (!req || !json_object_object_get_ex(req, "cmd", &v)) {
		send_error(c, "expected a JSON object with \"cmd\"");
		json_object_put(req);
		return;
	}
	const char *cmd = json_object_get_string(v);
	if (strcmp(cmd, "status") == 0)
		cmd_status(s, c);
	else if (strcmp(cmd, "pause") == 0)
		cmd_pause(s, c, true);
	else if (strcmp(cmd, "continue") == 0)
		cmd_pause(s, c, false);
	else if (strcmp(cmd, "kick") == 0)
		cmd_kick(s, c, req);
	else if (strcmp(cmd, "subscribe") == 0) {
		c->subscribed = true;
		send_ok(c);
	} else if (strcmp(cmd, "stop") == 0) {
		s->stop_requested = true;
		send_ok(c);
		jq_runner_stop(s->runner);
	} else {
		send_error(c, "unknown command");
	}
	json_object_put(req);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	buf->base = xmalloc(4096);
	buf->len = 4096;
}

static void read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	conn *c = stream->data;
	if (n < 0) {
		free(buf->base);
		conn_close(c);
		return;
	}
	ng_strbuf_append(&c->in, buf->base, (size_t)n);
	free(buf->base);
	char *start = c->in.data, *nl;
	while (start && !c->closing && (nl = memchr(start, '\n', c->in.len - (size_t)(start - c->in.data)))) {
		*nl = '\0';
		handle_line(c->s, c, start);
		start = nl + 1;
	}
	if (start && !c->closing) {
		size_t rest = c->in.len - (size_t)(start - c->in.data);
		memmove(c->in.data, start, rest);
		c->in.len = rest;
		c->in.data[rest] = '\0';
		if (rest > 65536)
			conn_close(c);
	}
}

/* Only root and the user the service runs as (the cache's administrator)
 * may control it or watch it. The socket's mode already keeps others out;
 * this check does not depend on the mode or the directory's permissions. */
static bool peer_allowed(conn *c, char *why, size_t n)
{
	uv_os_fd_t fd;
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(why, n, "cannot read the peer's credentials: %s", strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	snprintf(why, n, "permission denied: only the administrator of this cache (uid %u)"
		 " may use the native image service; you are uid %u",
		 (unsigned)geteuid(), (unsigned)cred.uid);
	return false;
}

static void on_connection(uv_stream_t *server, int status)
{
	svc *s = server->data;
	if (status < 0)
		return;
	conn *c = xcalloc(1, sizeof *c);
	c->s = s;
	uv_pipe_init(&s->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->next = s->conns;
	s->conns = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		conn_close(c);
		return;
	}
	char why[256];
	if (!peer_allowed(c, why, sizeof why)) {
		send_error(c, why);
		conn_close(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}

/* --- life cycle --- */

static void on_signal(uv_signal_t *h, int sig)
{
	svc *s = h->data;
	s->stop_requested = true;
	jq_runner_stop(s->runner);
}

static void on_runner_stopped(void *ctx, int rc)
{
	svc *s = ctx;
	s->rc = rc;
	unlink(s->sock_path);
	uv_close((uv_handle_t *)&s->server, NULL);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
	/* Let pending writes (the "stopping" event) go out, then close. */
	for (conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		conn_close(c);
	}
}

static int listen_socket(svc *s, ng_diag *d)
{
	struct sockaddr_un sa;
	if (strlen(s->sock_path) >= sizeof sa.sun_path)
		return ng_diag_set(d, NG_ERR_RANGE, "the socket path %s is too long for a Unix"
				   " socket; use a shorter cache directory", s->sock_path);
	unlink(s->sock_path);   /* a stale socket of a dead service; we hold the lock */
	uv_pipe_init(&s->loop, &s->server, 0);
	s->server.data = s;
	mode_t old = umask(077);
	int rc = uv_pipe_bind(&s->server, s->sock_path);
	umask(old);
	if (rc == 0)
		rc = chmod(s->sock_path, 0600) < 0 ? -errno : 0;
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->server, 64, on_connection);
	if (rc < 0) {
		uv_close((uv_handle_t *)&s->server, NULL);
		return ng_diag_set(d, rc, "cannot listen on %s: %s", s->sock_path, uv_strerror(rc));
	}
	return 0;
}

static int run_once(svc *s, const jq_service_opts *o, ng_diag *d)
{
	int rc = uv_loop_init(&s->loop);
	if (rc < 0)
		return ng_diag_set(d, rc, "cannot start the event loop: %s", uv_strerror(rc));
	rc = listen_socket(s, d);
	if (rc == 0) {
		jq_runner_opts ro = o->run;
		ro.cache_dir = o->cache_dir;
		ro.idle_gated = true;
		ro.honour_pause = true;
		ro.honour_foreground = true;
		ro.exit_when_empty = true;
		ro.on_event = on_runner_event;
		ro.event_ctx = s;
		ro.on_stopped = on_runner_stopped;
		ro.stopped_ctx = s;
		rc = jq_runner_new(&s->loop, &ro, &s->runner, d);
		if (rc < 0) {
			unlink(s->sock_path);
			uv_close((uv_handle_t *)&s->server, NULL);
		}
	}
	if (rc == 0) {
		uv_signal_init(&s->loop, &s->sigterm);
		uv_signal_init(&s->loop, &s->sigint);
		s->sigterm.data = s->sigint.data = s;
		uv_signal_start(&s->sigterm, on_signal, SIGTERM);
		uv_signal_start(&s->sigint, on_signal, SIGINT);
		uv_run(&s->loop, UV_RUN_DEFAULT);
		jq_runner_free(s->runner);
		s->runner = NULL;
		rc = s->rc;
	}
	uv_run(&s->loop, UV_RUN_DEFAULT);
	uv_loop_close(&s->loop);
	return rc;
}

int jq_service_run(const jq_service_opts *o, ng_diag *d)
{
	if (!o || !o->cache_dir || !o->run.exec)
		return ng_diag_set(d, NG_ERR_INVAL, "jq_service_run: missing argument");
	svc s = { .verbose = o->verbose };
	int rc = jq_db_open(&s.db, o->cache_dir);
	if (rc < 0) {
		if (d)
			*d = s.db.diag;
		return rc;
	}
	signal(SIGPIPE, SIG_IGN);
	s.sock_path = jq_service_socket_path(o->cache_dir);
	jq_purge_done(&s.db, 7 * 86400.0);
	for (;;) {
		int lock = -1, pid = 0;
		rc = jq_service_lock(o->cache_dir, &lock, &pid);
		if (rc == NG_ERR_BUSY) {
			rc = ng_diag_set(d, NG_ERR_BUSY, "the native image service already runs for"
					 " %s (pid %d)", o->cache_dir, pid);
			break;
		}
		if (rc < 0) {
			rc = ng_diag_set(d, rc, "cannot lock %s/service.lock: %s", o->cache_dir,
					 ng_strerror(rc));
			break;
		}
		rc = run_once(&s, o, d);
		jq_service_unlock(lock);
		/* A request may have come in while we were leaving: look again now
		 * that the lock is free (see the race note in jq_service.h). */
		bool pending = false;
		if (rc < 0 || s.stop_requested || jq_has_pending(&s.db, 3, &pending) < 0 || !pending)
			break;
	}
	free(s.sock_path);
	jq_db_close(&s.db);
	return rc;
}

static char *ngen_binary(void)
{
	const char *env = getenv("NGEN_BIN");
	if (env && *env)
		return xstrdup(env);
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static void daemon_child(const char *bin, const char *cache_dir)
{
	setsid();
	if (fork() != 0)
		_exit(0);
	int null = open("/dev/null", O_RDONLY);
	char *log = xasprintf("%s/service.log", cache_dir);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (null >= 0)
		dup2(null, 0);
	if (out >= 0) {
		dup2(out, 1);
		dup2(out, 2);
	}
	if (chdir("/") < 0) {
		/* Item paths are absolute or carry their own cwd. */
	}
	execl(bin, "ngen", "service", "--cache", cache_dir, "/autostart", (char *)NULL);
	fprintf(stderr, "ngen: cannot start the service %s: %s\n", bin, strerror(errno));
	_exit(127);
}

int jq_service_spawn(const char *cache_dir, ng_diag *d)
{
	char real[PATH_MAX];
	if (!realpath(cache_dir, real))
		return ng_diag_set(d, -errno, "cache directory %s: %s", cache_dir, strerror(errno));
	char *bin = ngen_binary();
	if (!bin)
		return ng_diag_set(d, NG_ERR_NOTFOUND, "cannot find the ngen program to start"
				   " the service (set NGEN_BIN)");
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		free(bin);
		return ng_diag_set(d, -err, "cannot start the service: fork: %s", strerror(err));
	}
	if (pid == 0)
		daemon_child(bin, real);
	free(bin);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}
