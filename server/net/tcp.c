/* tcp.c -- the TCP thread: framing, pipelining, query and idle deadlines,
 * per-client limit and the connection cap (closing the longest-idle). */
#include "config.h"
#include "server/net/tcp.h"
#include "server/answer/answer.h"
#include "server/limit/tcplimit.h"
#include "server/net/listen.h"
#include "server/net/observer.h"
#include "server/zone/snapshot.h"
#include "server/net/stats.h"
#include "server/xfr/axfr.h"
#include "server/xfr/xfr_out.h"
#include "server/net/proxy.h"
#include "server/xfr/xfr_tsig.h"
#include "common/dns.h"
#include "common/errors.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/listener.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>


struct tcp_conn {
	struct tcp_server *srv;
	struct bufferevent *bev;   /* owned, closes the socket */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct sockaddr_storage local; /* our end; only asked when an observer is set at accept */
	socklen_t locallen;            /* 0 = not known */
	struct tcp_conn *prev, *next; /* t->head..tail: least recent progress first */
	struct event timer;        /* query deadline or idle timeout (event_assign'ed, no allocation) */
	struct tcplimit_key key;   /* the client's prefix, counted in t->perclient */
	int closing;               /* EOF seen: close once the output is flushed */
	int throttled;             /* reading stopped until the output drains */
	struct xfr_out *xfr;       /* owned: a zone transfer being sent; reading stops until it ends */
	struct timespec xfr_start;
	int proxy_start;           /* enum conn_proxy: the PROXY v2 header is still to be judged */
	int inquery;               /* part of a query is in; its deadline is armed */
};

/* What the first bytes of a connection must be (proxy.h). */
enum conn_proxy {
	CONN_PROXY_DONE = 0,       /* judged (or nothing to judge): queries */
	CONN_PROXY_UNLISTED,       /* not in proxy_from: a header would be dropped */
	CONN_PROXY_LISTED,         /* in proxy_from: the header comes first */
};

struct tcp_server {
	struct event_base *base;          /* owned, used by the TCP thread only */
	struct evconnlistener **lev;      /* owned, naddrs entries */
	size_t nlev;
	struct event *stop_ev;            /* owned: fires when stop_fd is written */
	int stop_fd;
	pthread_t thread;
	int started;
	struct snap_domain *snaps;        /* borrowed */
	int slot;
	struct stats_block *stats;        /* borrowed, written by this thread only */
	struct answer_scratch *scratch;   /* owned */
	uint8_t *query;                   /* owned: DNS_MSG_MAX */
	uint8_t *resp;                    /* owned: 2 + DNS_MSG_MAX (length prefix first) */
	struct tcp_conn *head, *tail;     /* open connections, least recent progress first */
	_Atomic size_t nconns;            /* written by the TCP thread only */
	struct tcplimit *perclient;       /* owned, TCP thread only */
	struct event *trim_ev;            /* owned: hands freed buffers back to the system */
	size_t closed_since_trim;
	time_t refuse_logged;             /* when the per-client refusal was last logged */
	_Atomic long long max_conns;      /* the limits (tcp.h), set by tcp_server_set_limits */
	_Atomic uint32_t idle_ms, query_ms;
	_Atomic unsigned per_client, prefix4, prefix6;
	_Atomic(const struct query_observer *) observer; /* borrowed; NULL = none (observer.h) */
	_Atomic unsigned observer_index;
};

static void list_unlink(struct tcp_server *t, struct tcp_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(struct tcp_server *t, struct tcp_conn *c)
{
	c->prev = t->tail;
	c->next = NULL;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
}

static void conn_free(struct tcp_conn *c)
{
	struct tcp_server *t = c->srv;
	size_t n = atomic_load_explicit(&t->nconns, memory_order_relaxed) - 1;

	list_unlink(t, c);
	event_del(&c->timer);
	tcplimit_put(t->perclient, &c->key);
	bufferevent_free(c->bev);
	xfr_out_free(c->xfr);
	free(c);
	atomic_store_explicit(&t->nconns, n, memory_order_relaxed);
	t->closed_since_trim++;
}

/* Arm the connection's one timer: the whole-query deadline while part of
 * a query is in (a byte a second does not extend it), else the idle
 * timeout between queries. */
static void conn_arm(struct tcp_conn *c, int inquery)
{
	struct tcp_server *t = c->srv;
	uint32_t ms = atomic_load_explicit(inquery ? &t->query_ms : &t->idle_ms, memory_order_relaxed);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	c->inquery = inquery;
	event_add(&c->timer, &tv);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_conn *c = arg;
	struct tcp_server *t = c->srv;

	if (c->throttled || (!c->inquery && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)) {
		/* Still sending: the write timeout judges a client that does not read. */
		conn_arm(c, 0);
		return;
	}
	if (c->inquery)
		stats_count_tcp_close(t->stats, STATS_TCP_QUERY_TIMEOUT);
	if (log_enabled(LOG_DEBUG))
		log_debug("TCP: closing a connection %s", c->inquery ? "past its query deadline" : "idle too long");
	conn_free(c);
}

/* Show the query in t->query and its response (rlen 0: none) to obs. */
static void observe(struct tcp_conn *c, const struct query_observer *obs, size_t qlen, const struct timespec *qtime,
		    size_t rlen)
{
	struct tcp_server *t = c->srv;
	struct query_event ev = {
		.peer = (const struct sockaddr *)&c->peer,
		.peerlen = c->peerlen,
		.local = c->locallen ? (const struct sockaddr *)&c->local : NULL,
		.locallen = c->locallen,
		.tcp = 1,
		.query = t->query,
		.qlen = qlen,
		.resp = rlen ? t->resp + 2 : NULL,
		.rlen = rlen,
		.qtime = *qtime,
	};

	clock_gettime(CLOCK_REALTIME, &ev.rtime);
	obs->on_query(obs->ctx, atomic_load_explicit(&t->observer_index, memory_order_relaxed), &ev);
}

/* ---- zone transfers (server/xfr/): many messages for one query ---- */

/* Output above which a transfer waits for the client to read (the write
 * callback, at the low watermark, asks for more): a transfer holds a few
 * messages in memory, never the zone, and the loop serves other
 * connections between its chunks. */
#define XFR_OUT_CHUNK (64 * 1024)

static void xfr_log_end(struct tcp_conn *c)
{
	uint64_t msgs, rrs, bytes;
	struct timespec now;

	xfr_out_counts(c->xfr, &msgs, &rrs, &bytes);
	clock_gettime(CLOCK_MONOTONIC, &now);
	log_info("transfer: %llu records in %llu messages (%llu bytes) in %.3f s",
		 (unsigned long long)rrs, (unsigned long long)msgs, (unsigned long long)bytes,
		 (double)(now.tv_sec - c->xfr_start.tv_sec) + (now.tv_nsec - c->xfr_start.tv_nsec) / 1e9);
}

/* Queue messages of the running transfer until the output holds a chunk;
 * at its end, go back to reading queries. Returns -1 when the connection
 * must be closed. */
static int transfer_pump(struct tcp_conn *c)
{
	struct tcp_server *t = c->srv;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	size_t n;

	while (evbuffer_get_length(out) < XFR_OUT_CHUNK) {
		if ((n = xfr_out_next(c->xfr, t->resp + 2, DNS_MSG_MAX)) == 0) {
			xfr_log_end(c);
			xfr_out_free(c->xfr);
			c->xfr = NULL;
			bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
			bufferevent_enable(c->bev, EV_READ);
			return 0;
		}
		t->resp[0] = (uint8_t)(n >> 8);
		t->resp[1] = (uint8_t)n;
		if (evbuffer_add(out, t->resp, n + 2) < 0)
			return -1;
	}
	return 0;
}

/* A transfer request (AXFR) is answered here, not by answer_query():
 * one refusal message, or a stream sent as the client reads. Returns 1
 * when the message was one. */
static int transfer_begin(struct tcp_conn *c, size_t len, struct snapshot *snap)
{
	struct tcp_server *t = c->srv;
	struct xfr_info info;
	size_t rlen = 0;
	enum xfr_begin r = xfr_tcp_begin(snap, (const struct sockaddr *)&c->peer, t->query, len, t->resp + 2,
					 DNS_MSG_MAX, &rlen, &c->xfr, &info);
	struct answer_result res = { .qtype = info.qtype, .rcode = info.rcode };

	if (r == XFR_NOT_MINE)
		return 0;
	stats_count(t->stats, STATS_TCP, snap, &res);
	if (r == XFR_ANSWERED) {
		log_info("transfer of %s refused to a client (%s%s): rcode %u", info.zone, info.key[0] ? "key " : "unsigned",
			 info.key, info.rcode);
		t->resp[0] = (uint8_t)(rlen >> 8);
		t->resp[1] = (uint8_t)rlen;
		evbuffer_add(bufferevent_get_output(c->bev), t->resp, rlen + 2);
		return 1;
	}
	log_info("transfer of %s serial %u starts (%s%s)", info.zone, info.serial, info.key[0] ? "key " : "unsigned",
		 info.key);
	clock_gettime(CLOCK_MONOTONIC, &c->xfr_start);
	/* Pipelined queries wait in the input until the transfer has gone out. */
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, XFR_OUT_CHUNK / 2, 0);
	return 1;
}

/* Answer one framed query of len bytes at the head of in. obs: the observer
 * loaded with snap pinned (observer.h), or NULL. */
static void answer_one(struct tcp_conn *c, struct evbuffer *in, size_t len, struct snapshot *snap,
		       const struct query_observer *obs)
{
	struct tcp_server *t = c->srv;
	struct answer_client client = { (const struct sockaddr *)&c->peer, c->peerlen, 1 };
	struct answer_result res = { 0 };
	struct timespec qtime = { 0, 0 };

	evbuffer_drain(in, 2);
	evbuffer_remove(in, t->query, len);
	if (obs)
		clock_gettime(CLOCK_REALTIME, &qtime);
	if (transfer_begin(c, len, snap))
		return;
	answer_query(t->scratch, served_env(snap), snap, &client, t->query, len, t->resp + 2, DNS_MSG_MAX, &res);
	if (res.tsig)
		res.len = xfr_tsig_answer(snap, t->query, len, t->resp + 2, res.len, DNS_MSG_MAX);
	stats_count(t->stats, STATS_TCP, snap, &res);
	if (obs)
		observe(c, obs, len, &qtime, res.len);
	if (res.len == 0)
		return;
	t->resp[0] = (uint8_t)(res.len >> 8);
	t->resp[1] = (uint8_t)res.len;
	evbuffer_add(bufferevent_get_output(c->bev), t->resp, res.len + 2);
}

/* After a read: a connection that completed a query goes to the tail of
 * the list (the cap closes from the head) and its deadline restarts; one
 * that only got part of a query keeps the deadline the first byte armed. */
static void conn_progress(struct tcp_conn *c, int answered, int partial)
{
	struct tcp_server *t = c->srv;

	if (answered) {
		list_unlink(t, c);
		list_append(t, c);
	}
	if (answered || partial != c->inquery)
		conn_arm(c, partial);
}

/* Answer the complete queries in the input, in order, until one starts a
 * transfer. Returns -1 when the connection must be closed (a zero-length
 * message). */
static int drain_once(struct tcp_conn *c)
{
	struct tcp_server *t = c->srv;
	struct evbuffer *in = bufferevent_get_input(c->bev), *out = bufferevent_get_output(c->bev);
	struct snapshot *snap = NULL;
	const struct query_observer *obs = NULL;
	int ret = 0, answered = 0;

	while (evbuffer_get_length(in) >= 2) {
		uint8_t hdr[2];
		evbuffer_copyout(in, hdr, 2);
		size_t len = (size_t)hdr[0] << 8 | hdr[1];
		if (len == 0) {
			ret = -1;
			break;
		}
		if (evbuffer_get_length(in) < len + 2)
			break;
		if (!snap) {
			snap = snap_acquire(t->snaps, t->slot);
			obs = atomic_load_explicit(&t->observer, memory_order_acquire);
		}
		answer_one(c, in, len, snap, obs);
		answered = 1;
		if (c->xfr)
			break; /* conn_write_cb sends it, then reads on */
		if (evbuffer_get_length(out) > TCP_OUT_HIGH) {
			/* The client is not reading: stop taking its queries. */
			bufferevent_disable(c->bev, EV_READ);
			c->throttled = 1;
			break;
		}
	}
	if (snap)
		snap_release(t->snaps, t->slot);
	if (ret == 0)
		conn_progress(c, answered, evbuffer_get_length(in) > 0);
	return ret;
}

/* At the start of a connection: take the PROXY v2 header of a listed
 * source (c->peer becomes the client it names, for everything after), or
 * make sure an unlisted one sends none. Returns 1 when queries may follow,
 * 0 to wait for more bytes, -1 to close (counted). The header is read
 * once: a proxy sends it once, before the first query. */
static int conn_proxy(struct tcp_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t head[PROXY_PARSE_MAX];
	ev_ssize_t have = evbuffer_copyout(in, head, sizeof(head));
	size_t consume = 0;
	int v;

	if (have <= 0)
		return 0;
	v = proxy_stream_start(c->proxy_start == CONN_PROXY_LISTED, head, (size_t)have, &consume, &c->peer,
			       &c->peerlen);
	if (v < 0)
		return 0;
	if (v != PROXY_PLAIN)
		stats_count_proxy(c->srv->stats, v);
	if (v != PROXY_PLAIN && v != PROXY_ACCEPTED) {
		if (log_enabled(LOG_DEBUG))
			log_debug("TCP: PROXY v2: closing a connection (%s)", proxy_verdict_names[v]);
		return -1;
	}
	/* Whatever of the header (its TLVs) is not in yet is drained as it
	 * arrives: evbuffer_drain takes what is there, the rest is owed. */
	if (consume > evbuffer_get_length(in))
		return 0;
	evbuffer_drain(in, consume);
	c->proxy_start = CONN_PROXY_DONE;
	return 1;
}

/* Answer the queries in the input; a transfer among them goes out as the
 * client reads (conn_write_cb). One that fits in a single chunk has ended
 * already: then the queries behind it are answered now, as no read event
 * will come for bytes already read. */
static int drain_queries(struct tcp_conn *c)
{
	for (;;) {
		int ret = drain_once(c);
		if (ret < 0 || !c->xfr)
			return ret;
		if (transfer_pump(c) < 0)
			return -1;
		if (c->xfr)
			return 0;
	}
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;
	int r = c->proxy_start ? conn_proxy(c) : 1;

	if (r < 0 || (r > 0 && drain_queries(c) < 0))
		conn_free(c);
}

/* Called when the output has drained (low watermark 0). */
static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;

	if (c->xfr) {
		/* Below the low watermark: the next chunk of the transfer; after
		 * its last one, the queries that waited behind it. */
		if (transfer_pump(c) < 0 || (!c->xfr && drain_queries(c) < 0))
			conn_free(c);
		return;
	}
	if (c->closing) {
		conn_free(c);
		return;
	}
	if (c->throttled) {
		c->throttled = 0;
		bufferevent_enable(bev, EV_READ);
		/* Queries already buffered get no new read event: answer them now. */
		if (drain_queries(c) < 0)
			conn_free(c);
	}
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		/* Half-closed after its last query: send what is owed, then close. */
		c->closing = 1;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	if ((what & BEV_EVENT_TIMEOUT) && log_enabled(LOG_DEBUG))
		log_debug("TCP: closing an idle connection");
	conn_free(c);
}

/* Whether sa is in server.proxy_from (read from the live snapshot). */
static enum conn_proxy proxy_start_of(struct tcp_server *t, const struct sockaddr *sa)
{
	struct snapshot *snap = snap_acquire(t->snaps, t->slot);
	int listed = snap && proxy_acl_match(snap->proxy, sa);

	snap_release(t->snaps, t->slot);
	return listed ? CONN_PROXY_LISTED : CONN_PROXY_UNLISTED;
}

/* At the cap: close the connection that has gone longest without
 * completing a query (idle, or trickling one), so a new client always gets
 * in; Knot and Unbound close idle connections the same way. O(1): the list
 * is kept in that order. Not "any idle one first": a connection accepted a
 * moment ago is idle until its query arrives, and would be the victim. */
static void evict_one(struct tcp_server *t)
{
	if (!t->head)
		return;
	stats_count_tcp_close(t->stats, STATS_TCP_EVICTED);
	log_debug("TCP: at the connection cap: closing the longest-idle connection");
	conn_free(t->head);
}

static void noop_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* libevent keeps one small entry per descriptor number for the life of the
 * base, made the first time that number is watched. Made during a flood,
 * each would sit between connections' buffers and keep their freed pages
 * from going back to the system; made here, at start, they sit together.
 * dup() takes the lowest free numbers (no race with another thread's
 * open), each is watched once, then all are closed. */
static void prewarm_fd_slots(struct tcp_server *t, long long max_conns)
{
	size_t n = 0, want = max_conns > 65536 ? 65536 : (size_t)max_conns + 64;
	int *fds = calloc(want, sizeof(*fds));
	int p[2];

	if (!fds || pipe2(p, O_CLOEXEC) < 0) {
		free(fds);
		return;
	}
	while (n < want && (fds[n] = fcntl(p[0], F_DUPFD_CLOEXEC, 0)) >= 0) {
		struct event ev;
		if (event_assign(&ev, t->base, fds[n], EV_READ, noop_cb, NULL) == 0 && event_add(&ev, NULL) == 0)
			event_del(&ev);
		n++;
	}
	while (n > 0)
		close(fds[--n]);
	free(fds);
	close(p[0]);
	close(p[1]);
}

/* Count fd's client against server.tcp_per_client. Returns 0 when it may
 * stay; else the connection is refused (closed without a word: a client
 * at its limit learns nothing from a message, and this costs us least). */
static int admit_client(struct tcp_server *t, struct tcp_conn *c, const struct sockaddr *sa)
{
	/* A proxy in server.proxy_from carries many clients on its one
	 * address: it is counted, never refused (it limits its own clients;
	 * the whole-query deadline and the cap still apply). */
	unsigned limit = c->proxy_start == CONN_PROXY_LISTED ? 0 : atomic_load_explicit(&t->per_client, memory_order_relaxed);
	struct timespec now;
	int ret;

	tcplimit_key(sa, atomic_load_explicit(&t->prefix4, memory_order_relaxed),
		     atomic_load_explicit(&t->prefix6, memory_order_relaxed), &c->key);
	if ((ret = tcplimit_take(t->perclient, &c->key, limit)) == 0)
		return 0;
	if (ret > 0)
		stats_count_tcp_close(t->stats, STATS_TCP_PER_CLIENT);
	/* One line a minute at most: a flood must not become a log flood. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (ret > 0 && (t->refuse_logged == 0 || now.tv_sec - t->refuse_logged >= 60)) {
		t->refuse_logged = now.tv_sec;
		log_info("TCP: a client prefix is at server.tcp_per_client (%u connections): refusing more "
			 "(logged once a minute)", limit);
	}
	return -1;
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct tcp_server *t = arg;
	struct tcp_conn *c = calloc(1, sizeof(*c));
	uint32_t wms = atomic_load_explicit(&t->idle_ms, memory_order_relaxed);
	struct timeval wtv = { wms / 1000, (wms % 1000) * 1000 };
	int on = 1;

	if (c)
		c->proxy_start = proxy_start_of(t, sa);
	if (!c || admit_client(t, c, sa) < 0) {
		if (!c)
			log_warn("TCP: out of memory; refusing a connection");
		free(c);
		close(fd);
		return;
	}
	if (!(c->bev = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE))) {
		log_warn("TCP: out of memory; refusing a connection");
		tcplimit_put(t->perclient, &c->key);
		free(c);
		close(fd);
		return;
	}
	if ((long long)atomic_load_explicit(&t->nconns, memory_order_relaxed) >=
	    atomic_load_explicit(&t->max_conns, memory_order_relaxed))
		evict_one(t);
	c->srv = t;
	memcpy(&c->peer, sa, (size_t)salen < sizeof(c->peer) ? (size_t)salen : sizeof(c->peer));
	c->peerlen = (socklen_t)salen;
	/* Our address of this connection, for the observer (dnstap's
	 * response_address): one syscall per connection, and only when asked. */
	c->locallen = sizeof(c->local);
	if (!atomic_load_explicit(&t->observer, memory_order_relaxed) ||
	    getsockname(fd, (struct sockaddr *)&c->local, &c->locallen) < 0)
		c->locallen = 0;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	list_append(t, c);
	atomic_store_explicit(&t->nconns, atomic_load_explicit(&t->nconns, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	event_assign(&c->timer, t->base, -1, 0, conn_timer_cb, c);
	conn_arm(c, 0);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	/* Input holds at most one partial query: the queries before it are
	 * answered as they complete. The write timeout closes a client that
	 * stops reading its answers. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 2 + DNS_MSG_MAX);
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void accept_error_cb(struct evconnlistener *lev, void *arg)
{
	/* EMFILE and friends: log and keep listening; a closing connection frees a descriptor. */
	log_warn("TCP: accept: %s", strerror(errno));
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_server *t = arg;
	event_base_loopexit(t->base, NULL);
}

static int add_listener(struct tcp_server *t, const struct listen_addr *a, long long max_conns)
{
	int backlog = max_conns < 128 ? 128 : max_conns > 4096 ? 4096 : (int)max_conns;
	int fd = listen_tcp_socket(a, backlog);

	if (fd < 0) {
		log_err("cannot listen on TCP %s: %s", a->text, steer_strerror(fd));
		return fd;
	}
	t->lev[t->nlev] = evconnlistener_new(t->base, accept_cb, t, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!t->lev[t->nlev]) {
		close(fd);
		return STEER_ENOMEM;
	}
	evconnlistener_set_error_cb(t->lev[t->nlev], accept_error_cb);
	t->nlev++;
	return STEER_EOK;
}

/* Once a second: after many connections closed, give their buffers back.
 * glibc keeps freed heap memory (and raises its mmap threshold after large
 * frees), so without this a burst of clients that never read would leave
 * the process at its peak size for good. */
static void trim_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_server *t = arg;

	if (t->closed_since_trim < TCP_TRIM_AFTER)
		return;
	t->closed_since_trim = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* Each connection is a descriptor: make room for the cap when the hard
 * limit allows (systemd's default soft limit is 1024, the hard 512 Ki). */
static void raise_nofile(long long max_conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_conns + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		log_warn("TCP: descriptor limit %llu is below server.tcp_max_connections %lld plus room; "
			 "accept fails at the limit", (unsigned long long)rl.rlim_cur, max_conns);
}

static void store_limits(struct tcp_server *t, const struct tcp_limits *l)
{
	atomic_store_explicit(&t->max_conns, l->max_conns, memory_order_relaxed);
	atomic_store_explicit(&t->idle_ms, l->idle_ms, memory_order_relaxed);
	atomic_store_explicit(&t->query_ms, l->query_ms, memory_order_relaxed);
	atomic_store_explicit(&t->per_client, l->per_client, memory_order_relaxed);
	atomic_store_explicit(&t->prefix4, l->prefix4, memory_order_relaxed);
	atomic_store_explicit(&t->prefix6, l->prefix6, memory_order_relaxed);
}

int tcp_server_new(struct tcp_server **out, const struct listen_addr *addrs, size_t naddrs,
		   struct snap_domain *snaps, struct stats_block *stats, const struct tcp_limits *lim)
{
	struct tcp_server *t = calloc(1, sizeof(*t));
	struct timeval sec = { 1, 0 };
	int ret = STEER_ENOMEM;

	*out = NULL;
	if (!t)
		return STEER_ENOMEM;
	t->stop_fd = -1;
	t->snaps = snaps;
	t->stats = stats;
	atomic_init(&t->nconns, 0);
	store_limits(t, lim);
	atomic_init(&t->observer, NULL);
	atomic_init(&t->observer_index, 0);
	raise_nofile(lim->max_conns);
	t->base = event_base_new();
	if (t->base)
		prewarm_fd_slots(t, lim->max_conns);
	t->lev = calloc(naddrs, sizeof(*t->lev));
	t->query = malloc(DNS_MSG_MAX);
	t->resp = malloc(DNS_MSG_MAX + 2);
	t->scratch = answer_scratch_new();
	t->perclient = tcplimit_new();
	t->slot = snap_reader_register(snaps);
	t->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!t->base || !t->lev || !t->query || !t->resp || !t->scratch || !t->perclient || t->slot < 0 ||
	    t->stop_fd < 0)
		goto fail;
	t->stop_ev = event_new(t->base, t->stop_fd, EV_READ, stop_cb, t);
	t->trim_ev = event_new(t->base, -1, EV_PERSIST, trim_cb, t);
	if (!t->stop_ev || event_add(t->stop_ev, NULL) < 0 || !t->trim_ev || event_add(t->trim_ev, &sec) < 0)
		goto fail;
	for (size_t i = 0; i < naddrs; i++)
		if ((ret = add_listener(t, &addrs[i], lim->max_conns)) != STEER_EOK)
			goto fail;
	*out = t;
	return STEER_EOK;
fail:
	if (ret == STEER_ENOMEM)
		log_err("TCP: cannot set up (out of memory or descriptors)");
	tcp_server_free(t);
	return ret;
}

static void *tcp_main(void *arg)
{
	struct tcp_server *t = arg;
	event_base_dispatch(t->base);
	return NULL;
}

int tcp_server_start(struct tcp_server *t)
{
	sigset_t all, old;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&t->thread, NULL, tcp_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		log_err("cannot start the TCP thread: %s", strerror(e));
		return -e;
	}
	t->started = 1;
	return STEER_EOK;
}

void tcp_server_set_limits(struct tcp_server *t, const struct tcp_limits *lim)
{
	store_limits(t, lim);
}

void tcp_server_set_observer(struct tcp_server *t, const struct query_observer *obs, unsigned index)
{
	atomic_store_explicit(&t->observer_index, index, memory_order_relaxed);
	atomic_store_explicit(&t->observer, obs, memory_order_release);
}

size_t tcp_server_connections(const struct tcp_server *t)
{
	return atomic_load_explicit(&t->nconns, memory_order_relaxed);
}

void tcp_server_stop(struct tcp_server *t)
{
	uint64_t one = 1;

	if (!t || !t->started)
		return;
	if (write(t->stop_fd, &one, sizeof(one)) < 0)
		log_err("cannot signal the TCP thread to stop: %s", strerror(errno));
	pthread_join(t->thread, NULL);
	t->started = 0;
}

void tcp_server_free(struct tcp_server *t)
{
	if (!t)
		return;
	tcp_server_stop(t);
	while (t->head)
		conn_free(t->head);
	for (size_t i = 0; i < t->nlev; i++)
		evconnlistener_free(t->lev[i]);
	if (t->stop_ev)
		event_free(t->stop_ev);
	if (t->trim_ev)
		event_free(t->trim_ev);
	tcplimit_free(t->perclient);
	if (t->base)
		event_base_free(t->base);
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	if (t->scratch)
		answer_scratch_free(t->scratch);
	free(t->lev);
	free(t->query);
	free(t->resp);
	free(t);
}
