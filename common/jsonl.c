/* jsonl.c -- JSON lines framing over Unix sockets (event-driven and blocking). */
#include "config.h"
#include "common/jsonl.h"
#include "common/errors.h"
#include "common/log.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct jsonl_peer {
	struct bufferevent *bev; /* owned, closes the fd */
	size_t max_out;
	jsonl_cb cb;
	void *arg;
	int closing; /* set once the NULL callback has run or is running */
	int in_read; /* inside peer_read_cb: a close there defers the free to it */
	int draining; /* jsonl_peer_close_flushed(): no more input, close once written */
	void (*drain_cb)(struct jsonl_peer *p, void *arg); /* jsonl_peer_set_drain, or NULL */
};

struct jsonl_listener {
	struct evconnlistener *lev; /* owned */
	char *path;                 /* owned */
	void (*on_accept)(int fd, void *arg);
	void *arg;
	ino_t ino;                  /* the socket file we made, so only it is removed */
	dev_t dev;
};

static void peer_close(struct jsonl_peer *p)
{
	if (p->closing)
		return;
	p->closing = 1;
	if (p->cb)
		p->cb(p, NULL, p->arg);
	/* A callback (or a send it made) may close the peer in the middle of
	 * peer_read_cb's loop; that loop still reads p, so it frees p itself. */
	if (!p->in_read)
		jsonl_peer_free(p);
}

static void peer_read_cb(struct bufferevent *bev, void *ctx)
{
	struct jsonl_peer *p = ctx;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	p->in_read = 1;
	while (!p->closing && !p->draining && (line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		json_error_t jerr;
		json_t *msg, *v;

		if (len == 0) {
			free(line);
			continue;
		}
		msg = json_loadb(line, len, 0, &jerr);
		free(line);
		if (!msg || !json_is_object(msg)) {
			jsonl_peer_error(p, "malformed request: %s", msg ? "not a JSON object" : jerr.text);
			if (msg)
				json_decref(msg);
			continue;
		}
		v = json_object_get(msg, "v");
		if (!json_is_integer(v) || json_integer_value(v) != STEER_PROTO_VERSION) {
			jsonl_peer_error(p, "unsupported protocol version (this side speaks v%d)", STEER_PROTO_VERSION);
			json_decref(msg);
			continue;
		}
		/* The callback may close the peer; closing is checked before the next line. */
		p->cb(p, msg, p->arg);
		json_decref(msg);
	}
	p->in_read = 0;
	if (p->closing) {
		jsonl_peer_free(p);
		return;
	}
	if (evbuffer_get_length(in) > JSONL_MAX_LINE) {
		log_warn("control/health peer sent a line over %d bytes; closing", JSONL_MAX_LINE);
		peer_close(p);
	}
}

static void peer_write_cb(struct bufferevent *bev, void *ctx)
{
	struct jsonl_peer *p = ctx;

	if (p->drain_cb && !p->closing)
		p->drain_cb(p, p->arg);
}

size_t jsonl_peer_pending(const struct jsonl_peer *p)
{
	return evbuffer_get_length(bufferevent_get_output(p->bev));
}

void jsonl_peer_set_drain(struct jsonl_peer *p, size_t low, void (*cb)(struct jsonl_peer *p, void *arg))
{
	p->drain_cb = cb;
	bufferevent_setwatermark(p->bev, EV_WRITE, low, 0);
}

static void peer_event_cb(struct bufferevent *bev, short what, void *ctx)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		peer_close(ctx);
}

struct jsonl_peer *jsonl_peer_new(struct event_base *base, int fd, size_t max_out, jsonl_cb cb, void *arg)
{
	struct bufferevent *bev;

	evutil_make_socket_nonblocking(fd);
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return NULL;
	}
	return jsonl_peer_new_bev(bev, max_out, cb, arg);
}

struct jsonl_peer *jsonl_peer_new_bev(struct bufferevent *bev, size_t max_out, jsonl_cb cb, void *arg)
{
	struct jsonl_peer *p = calloc(1, sizeof(*p));
	if (!p) {
		bufferevent_free(bev);
		return NULL;
	}
	p->bev = bev;
	p->max_out = max_out ? max_out : 4 * 1024 * 1024;
	p->cb = cb;
	p->arg = arg;
	bufferevent_setcb(p->bev, peer_read_cb, peer_write_cb, peer_event_cb, p);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	return p;
}

void jsonl_peer_free(struct jsonl_peer *p)
{
	if (!p)
		return;
	bufferevent_free(p->bev);
	free(p);
}

void jsonl_peer_set_cb(struct jsonl_peer *p, jsonl_cb cb, void *arg)
{
	p->cb = cb;
	p->arg = arg;
}

void *jsonl_peer_arg(const struct jsonl_peer *p)
{
	return p->arg;
}

struct bufferevent *jsonl_peer_bev(const struct jsonl_peer *p)
{
	return p->bev;
}

void jsonl_peer_close(struct jsonl_peer *p)
{
	peer_close(p);
}

static void peer_drained_cb(struct bufferevent *bev, void *ctx)
{
	struct jsonl_peer *p = ctx;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		peer_close(p);
}

void jsonl_peer_close_flushed(struct jsonl_peer *p)
{
	if (p->closing || p->draining)
		return;
	p->draining = 1;
	bufferevent_disable(p->bev, EV_READ);
	/* The write callback runs once the output is empty (low watermark 0). */
	bufferevent_setwatermark(p->bev, EV_WRITE, 0, 0);
	bufferevent_setcb(p->bev, NULL, peer_drained_cb, peer_event_cb, p);
	if (evbuffer_get_length(bufferevent_get_output(p->bev)) == 0 && !p->in_read)
		peer_close(p);
}

static char *encode(json_t *msg)
{
	json_object_set_new(msg, "v", json_integer(STEER_PROTO_VERSION));
	return json_dumps(msg, JSON_COMPACT);
}

int jsonl_peer_send(struct jsonl_peer *p, json_t *msg)
{
	struct evbuffer *out = bufferevent_get_output(p->bev);
	char *s;

	if (p->closing)
		return STEER_EPROTO;
	s = encode(msg);
	if (!s)
		return STEER_ENOMEM;
	evbuffer_add(out, s, strlen(s));
	evbuffer_add(out, "\n", 1);
	free(s);
	if (evbuffer_get_length(out) > p->max_out) {
		log_warn("disconnecting a socket client that does not read (output over %zu bytes)", p->max_out);
		peer_close(p);
		return STEER_ESPACE;
	}
	return STEER_EOK;
}

int jsonl_peer_ok(struct jsonl_peer *p, json_t *fields)
{
	json_t *m = fields ? fields : json_object();
	int ret;
	json_object_set_new(m, "ok", json_true());
	ret = jsonl_peer_send(p, m);
	json_decref(m);
	return ret;
}

int jsonl_peer_error(struct jsonl_peer *p, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	json_t *m;
	int ret;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m = json_pack("{s:b, s:s}", "ok", 0, "error", buf);
	ret = jsonl_peer_send(p, m);
	json_decref(m);
	return ret;
}

static void listener_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct jsonl_listener *l = arg;
	l->on_accept(fd, l->arg);
}

/* May we bind path? Nothing there: yes. A socket nobody listens on (left
 * by a crash): removed, yes. A live listener (another instance) or
 * anything that is not a socket (a typo naming a file): no, and nothing
 * is removed. Connecting is the only test that tells a live socket from a
 * stale one. */
static int claim_path(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? STEER_EOK : -errno;
	if (!S_ISSOCK(st.st_mode))
		return STEER_ENOTSOCK;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN) /* EAGAIN: its backlog is full, it is alive */
		return STEER_EINUSE;
	if (e != ECONNREFUSED)
		return -e;
	return unlink(path) == 0 || errno == ENOENT ? STEER_EOK : -errno;
}

struct jsonl_listener *jsonl_listen(struct event_base *base, const char *path, mode_t mode,
				    void (*on_accept)(int fd, void *arg), void *arg, int *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct jsonl_listener *l;
	struct stat st;
	int fd = -1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	l = calloc(1, sizeof(*l));
	if (!l || !(l->path = strdup(path))) {
		free(l);
		*err = STEER_ENOMEM;
		return NULL;
	}
	if ((*err = claim_path(path, &sun)) != STEER_EOK) {
		free(l->path);
		free(l);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, mode) < 0 || listen(fd, 64) < 0 ||
	    stat(path, &st) < 0)
		goto fail;
	l->ino = st.st_ino;
	l->dev = st.st_dev;
	l->on_accept = on_accept;
	l->arg = arg;
	l->lev = evconnlistener_new(base, listener_cb, l, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!l->lev)
		goto fail;
	return l;
fail:
	*err = -errno;
	if (fd >= 0)
		close(fd);
	free(l->path);
	free(l);
	return NULL;
}

void jsonl_listener_free(struct jsonl_listener *l)
{
	struct stat st;

	if (!l)
		return;
	evconnlistener_free(l->lev);
	/* Only our own socket: another instance may have taken the path. */
	if (stat(l->path, &st) == 0 && st.st_ino == l->ino && st.st_dev == l->dev)
		unlink(l->path);
	free(l->path);
	free(l);
}

void jsonl_reader_init(struct jsonl_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void jsonl_reader_clear(struct jsonl_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int jsonl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int jsonl_write(int fd, json_t *msg)
{
	char *s = encode(msg);
	size_t len, off = 0;

	if (!s)
		return STEER_ENOMEM;
	len = strlen(s);
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			free(s);
			return e;
		}
		off += (size_t)n;
	}
	free(s);
	while (write(fd, "\n", 1) < 0)
		if (errno != EINTR)
			return -errno;
	return STEER_EOK;
}

int jsonl_read(int fd, struct jsonl_reader *r, int timeout_ms, json_t **msg)
{
	for (;;) {
		char *nl = r->len ? memchr(r->buf, '\n', r->len) : NULL;
		if (nl) {
			size_t llen = (size_t)(nl - r->buf);
			json_error_t jerr;
			*msg = json_loadb(r->buf, llen, 0, &jerr);
			memmove(r->buf, nl + 1, r->len - llen - 1);
			r->len -= llen + 1;
			if (!*msg || !json_is_object(*msg)) {
				if (*msg)
					json_decref(*msg);
				*msg = NULL;
				return STEER_EPROTO;
			}
			return STEER_EOK;
		}
		if (r->cap - r->len < 4096) {
			if (r->cap > JSONL_MAX_LINE)
				return STEER_EPROTO;
			char *nb = realloc(r->buf, r->cap * 2 + 8192);
			if (!nb)
				return STEER_ENOMEM;
			r->buf = nb;
			r->cap = r->cap * 2 + 8192;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return STEER_EAGAIN;
		ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : STEER_EPROTO;
		r->len += (size_t)n;
	}
}

/* The next part of a reply in parts: its targets go to the reply's, its
 * "more" replaces the reply's. */
static int read_part(int fd, struct jsonl_reader *r, int timeout_ms, json_t *reply)
{
	json_t *part = NULL, *more;
	int ret = jsonl_read(fd, r, timeout_ms, &part);

	if (ret != STEER_EOK)
		return ret;
	more = json_object_get(part, "more");
	if (!json_is_array(json_object_get(part, "targets")) || !json_is_array(json_object_get(reply, "targets")))
		ret = STEER_EPROTO;
	else if (json_array_extend(json_object_get(reply, "targets"), json_object_get(part, "targets")) != 0)
		ret = STEER_ENOMEM;
	else
		json_object_set(reply, "more", json_is_true(more) ? json_true() : json_false());
	json_decref(part);
	return ret;
}

int jsonl_call(const char *path, json_t *req, int timeout_ms, json_t **reply)
{
	struct jsonl_reader r;
	int fd = jsonl_connect(path), ret;

	*reply = NULL;
	if (fd < 0)
		return fd;
	jsonl_reader_init(&r);
	ret = jsonl_write(fd, req);
	if (ret == STEER_EOK)
		ret = jsonl_read(fd, &r, timeout_ms, reply);
	while (ret == STEER_EOK && json_is_true(json_object_get(*reply, "more")))
		ret = read_part(fd, &r, timeout_ms, *reply);
	if (ret != STEER_EOK && *reply) {
		json_decref(*reply);
		*reply = NULL;
	}
	jsonl_reader_clear(&r);
	close(fd);
	return ret;
}
