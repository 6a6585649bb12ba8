/*
 * check_dns.c -- the dns check: one query (name, type, class IN, RD clear)
 * over UDP or TCP; the reply must carry the expected rcode and, if asked, a
 * non-empty answer section.
 *
 * The query is built by hand (a header and one question is all it takes);
 * replies whose ID or question does not match are ignored, as a resolver
 * would, and the probe then ends by timeout.
 */
#include "config.h"
#include "healthd/probe.h"
#include "common/dns.h"
#include "common/errors.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define DNS_MAX_QUERY 300

struct dns_probe {
	struct event *ev;        /* owned (udp) */
	int fd;                  /* owned (udp), -1 if none */
	struct bufferevent *bev; /* owned (tcp); closes its socket */
	uint8_t query[DNS_MAX_QUERY];
	size_t qlen;
};

static void dns_release(struct probe *p)
{
	struct dns_probe *d = p->impl;

	if (!d)
		return;
	if (d->ev)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	if (d->bev)
		bufferevent_free(d->bev);
	free(d);
	p->impl = NULL;
}

/* Header + question. Returns the length or 0 when the name does not fit. */
static size_t build_query(const struct check_conf *c, uint8_t *q, size_t cap)
{
	const char *name = c->query;
	size_t len = 12;
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)rand();
	memset(q, 0, 12);
	memcpy(q, &id, 2);
	q[5] = 1; /* QDCOUNT */
	while (*name && !(name[0] == '.' && name[1] == '\0')) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		if (l == 0 || l > 63 || len + l + 1 + 5 > cap)
			return 0;
		q[len++] = (uint8_t)l;
		memcpy(q + len, name, l);
		len += l;
		name += l + (dot ? 1 : 0);
	}
	q[len++] = 0;
	q[len++] = (uint8_t)(c->qtype >> 8);
	q[len++] = (uint8_t)c->qtype;
	q[len++] = 0;
	q[len++] = 1; /* class IN */
	return len;
}

/* Judge a reply; returns 0 when it is not the reply to our query. */
static int judge(struct probe *p, const uint8_t *r, size_t n)
{
	struct dns_probe *d = p->impl;
	const struct check_conf *c = p->check;
	size_t qsect = d->qlen - 12;
	int rcode, ancount;
	char b1[16], b2[16];

	if (n < d->qlen || memcmp(r, d->query, 2) != 0 || !(r[2] & 0x80) ||
	    memcmp(r + 12, d->query + 12, qsect) != 0)
		return 0;
	rcode = r[3] & 0x0f;
	ancount = (r[6] << 8) | r[7];
	dns_release(p);
	if (rcode != c->rcode)
		probe_finish(p, 0, "DNS %s (want %s)", dns_rcode_name((unsigned)rcode, b1, sizeof(b1)),
			     dns_rcode_name((unsigned)c->rcode & 15, b2, sizeof(b2)));
	else if (c->require_answer && ancount == 0)
		probe_finish(p, 0, "DNS %s with an empty answer", dns_rcode_name((unsigned)rcode, b1, sizeof(b1)));
	else
		probe_finish(p, 1, "DNS %s, %d answer%s", dns_rcode_name((unsigned)rcode, b1, sizeof(b1)), ancount,
			     ancount == 1 ? "" : "s");
	return 1;
}

static void udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	uint8_t buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n < 0) {
		int err = errno;
		if (err == EAGAIN || err == EINTR)
			return;
		dns_release(p);
		/* A connected UDP socket reports the ICMP port unreachable here. */
		probe_finish(p, 0, "%s", probe_strerror(err));
		return;
	}
	judge(p, buf, (size_t)n);
}

static int udp_start(struct probe *p, struct dns_probe *d)
{
	d->fd = socket(p->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || connect(d->fd, (struct sockaddr *)&p->sa, p->salen) < 0 ||
	    send(d->fd, d->query, d->qlen, 0) < 0) {
		int err = errno;
		dns_release(p);
		return probe_fail_start(p, -err, "%s", probe_strerror(err));
	}
	d->ev = event_new(p->env->base, d->fd, EV_READ | EV_PERSIST, udp_read_cb, p);
	if (!d->ev || event_add(d->ev, NULL) < 0) {
		dns_release(p);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	return 0;
}

static void tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct probe *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t lenb[2], *msg;
	size_t len;

	if (evbuffer_copyout(in, lenb, 2) < 2)
		return;
	len = ((size_t)lenb[0] << 8) | lenb[1];
	if (evbuffer_get_length(in) < len + 2)
		return;
	msg = evbuffer_pullup(in, (ev_ssize_t)(len + 2));
	if (!judge(p, msg + 2, len)) {
		dns_release(p);
		probe_finish(p, 0, "DNS reply does not match the query");
	}
}

static void tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct probe *p = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED)
		return;
	dns_release(p);
	if (what & BEV_EVENT_EOF)
		probe_finish(p, 0, "connection closed before a DNS reply");
	else
		probe_finish(p, 0, "%s", probe_strerror(err ? err : ECONNRESET));
}

static int tcp_start(struct probe *p, struct dns_probe *d)
{
	uint8_t lenb[2] = { (uint8_t)(d->qlen >> 8), (uint8_t)d->qlen };

	d->bev = bufferevent_socket_new(p->env->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!d->bev) {
		dns_release(p);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	bufferevent_setcb(d->bev, tcp_read_cb, NULL, tcp_event_cb, p);
	bufferevent_enable(d->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(d->bev, (struct sockaddr *)&p->sa, (int)p->salen) < 0) {
		int err = EVUTIL_SOCKET_ERROR();
		dns_release(p);
		return probe_fail_start(p, -err, "%s", probe_strerror(err));
	}
	bufferevent_write(d->bev, lenb, 2);
	bufferevent_write(d->bev, d->query, d->qlen);
	return 0;
}

static int dns_start(struct probe *p)
{
	struct dns_probe *d = calloc(1, sizeof(*d));

	if (!d)
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	d->fd = -1;
	p->impl = d;
	d->qlen = build_query(p->check, d->query, sizeof(d->query));
	if (d->qlen == 0) {
		dns_release(p);
		return probe_fail_start(p, STEER_EINVAL, "cannot encode the query name");
	}
	return p->check->dns_tcp ? tcp_start(p, d) : udp_start(p, d);
}

const struct probe_ops check_dns_ops = { dns_start, dns_release };
