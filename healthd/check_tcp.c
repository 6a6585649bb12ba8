/*
 * check_tcp.c -- the tcp check: the connection must succeed; optionally send
 * bytes and require bytes in what comes back (HAProxy's tcp-check
 * send/expect, as plain substrings).
 */
#include "config.h"
#include "healthd/probe.h"
#include "common/errors.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#define TCP_MAX_READ (64 * 1024)

struct tcp_probe {
	struct bufferevent *bev; /* owned; closes the socket */
};

static void tcp_release(struct probe *p)
{
	struct tcp_probe *t = p->impl;

	if (!t)
		return;
	if (t->bev)
		bufferevent_free(t->bev);
	free(t);
	p->impl = NULL;
}

static void tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct probe *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	const char *want = p->check->expect;

	if (!want) {
		/* Nothing expected: whatever the peer says is fine. */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	if (evbuffer_search(in, want, strlen(want), NULL).pos >= 0) {
		tcp_release(p);
		probe_finish(p, 1, "connected, expected reply received");
	} else if (evbuffer_get_length(in) > TCP_MAX_READ) {
		tcp_release(p);
		probe_finish(p, 0, "reply does not contain the expected bytes");
	}
}

static void tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct probe *p = arg;
	int err = EVUTIL_SOCKET_ERROR();
	size_t got = evbuffer_get_length(bufferevent_get_input(bev));

	if (what & BEV_EVENT_CONNECTED) {
		if (!p->check->expect) {
			tcp_release(p);
			probe_finish(p, 1, "connected");
		}
		/* else: send (queued at start) and wait for the reply */
		return;
	}
	tcp_release(p);
	if (what & BEV_EVENT_EOF)
		probe_finish(p, 0, "connection closed after %zu bytes without the expected reply", got);
	else
		probe_finish(p, 0, "%s", probe_strerror(err ? err : ECONNRESET));
}

static int tcp_start(struct probe *p)
{
	struct tcp_probe *t = calloc(1, sizeof(*t));

	if (!t || !(t->bev = bufferevent_socket_new(p->env->base, -1, BEV_OPT_CLOSE_ON_FREE))) {
		free(t);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	p->impl = t;
	bufferevent_setcb(t->bev, tcp_read_cb, NULL, tcp_event_cb, p);
	bufferevent_enable(t->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(t->bev, (struct sockaddr *)&p->sa, (int)p->salen) < 0) {
		int err = EVUTIL_SOCKET_ERROR();
		tcp_release(p);
		return probe_fail_start(p, -err, "%s", probe_strerror(err));
	}
	if (p->check->send)
		bufferevent_write(t->bev, p->check->send, strlen(p->check->send));
	return 0;
}

const struct probe_ops check_tcp_ops = { tcp_start, tcp_release };
