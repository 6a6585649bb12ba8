/* notify.c -- NOTIFY out (RFC 1996) with retries, backoff and TSIG. */
#include "config.h"
#include "server/xfr/notify.h"
#include "server/xfr/tsig.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"
#include "common/log.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define NOTIFY_MSG_MAX 1024   /* header, question, SOA, TSIG: well below */
#define NOTIFY_BACKOFF_MAX 60 /* seconds between tries at most */

struct notify_job {
	struct notify *n;
	struct event *timer;        /* owned */
	struct sockaddr_storage ss;
	socklen_t len;
	char target[64];
	char zone[256];
	uint8_t apex[256];
	uint32_t serial;
	uint8_t msg[NOTIFY_MSG_MAX];
	size_t msglen;
	uint16_t id;
	int tries;
	int sign;
	struct tsig_stream ts;      /* when sign: after signing, holds the request MAC */
	struct notify_job *prev, *next;
};

struct notify {
	struct event_base *base;    /* borrowed: the main loop */
	int fd[2];                  /* UDP sockets, IPv4 and IPv6; -1 until needed */
	struct event *ev[2];        /* owned: their read events */
	struct notify_job *jobs;    /* owned list */
	size_t njobs;
};

static void job_free(struct notify_job *j)
{
	struct notify *n = j->n;

	if (j->prev)
		j->prev->next = j->next;
	else
		n->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	n->njobs--;
	event_free(j->timer);
	memset(&j->ts, 0, sizeof(j->ts));
	free(j);
}

static void on_answer(evutil_socket_t fd, short what, void *arg);

static int sock_for(struct notify *n, int family)
{
	int i = family == AF_INET6;

	if (n->fd[i] >= 0)
		return n->fd[i];
	n->fd[i] = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd[i] < 0)
		return -1;
	n->ev[i] = event_new(n->base, n->fd[i], EV_READ | EV_PERSIST, on_answer, n);
	if (!n->ev[i] || event_add(n->ev[i], NULL) < 0) {
		if (n->ev[i])
			event_free(n->ev[i]);
		n->ev[i] = NULL;
		close(n->fd[i]);
		n->fd[i] = -1;
	}
	return n->fd[i];
}

static void send_try(evutil_socket_t fd_unused, short what, void *arg)
{
	struct notify_job *j = arg;
	int fd = sock_for(j->n, j->ss.ss_family);
	struct timeval tv = { 1, 0 };

	if (j->tries >= NOTIFY_TRIES) {
		log_warn("notify: %s serial %u: no answer from %s after %d tries; giving up", j->zone, j->serial,
			 j->target, j->tries);
		job_free(j);
		return;
	}
	if (fd < 0 || sendto(fd, j->msg, j->msglen, 0, (struct sockaddr *)&j->ss, j->len) < 0)
		log_warn("notify: %s to %s: %s (will retry)", j->zone, j->target, strerror(errno));
	/* 1, 2, 4, ... s: a secondary that is down or restarting hears from
	 * us soon after it is back, without a storm while it is away. */
	tv.tv_sec = (time_t)1 << (j->tries < 6 ? j->tries : 6);
	if (tv.tv_sec > NOTIFY_BACKOFF_MAX)
		tv.tv_sec = NOTIFY_BACKOFF_MAX;
	j->tries++;
	evtimer_add(j->timer, &tv);
}

/* Header, question (apex SOA IN), the SOA in the answer section, TSIG. */
static int build(struct notify_job *j, const struct zone *z)
{
	uint8_t *m = j->msg;
	size_t p = DNS_HEADER_LEN, soalen = rr_len(z->soa->data);

	if (getrandom(&j->id, sizeof(j->id), 0) != sizeof(j->id))
		j->id = (uint16_t)rand();
	j->ts.orig_id = j->id; /* the MAC covers the message with its own ID */
	memset(m, 0, DNS_HEADER_LEN);
	wire_put16(m, j->id);
	m[2] = (uint8_t)(DNS_OPCODE_NOTIFY << DNS_OPCODE_SHIFT | DNS_FLAG_AA);
	wire_put16(m + 4, 1);
	wire_put16(m + 6, 1);
	if (p + 2u * z->apexlen + 4 + soalen > sizeof(j->msg))
		return -1;
	memcpy(m + p, z->apex, z->apexlen);
	p += z->apexlen;
	wire_put16(m + p, DNS_TYPE_SOA);
	wire_put16(m + p + 2, DNS_CLASS_IN);
	p += 4;
	memcpy(m + p, z->apex, z->apexlen);
	p += z->apexlen;
	memcpy(m + p, z->soa->data, soalen);
	p += soalen;
	j->msglen = p;
	if (j->sign && !(j->msglen = tsig_sign(&j->ts, m, p, sizeof(j->msg))))
		return -1;
	return 0;
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static void answered(struct notify_job *j, const uint8_t *m, size_t len)
{
	char rc[16];
	unsigned rcode = m[3] & DNS_RCODE_MASK;

	if (j->sign) {
		int err = tsig_verify_answer(&j->ts, m, len, time(NULL));
		if (err != TSIG_OK) {
			log_warn("notify: %s serial %u: the answer of %s fails TSIG (error %d); not retrying", j->zone,
				 j->serial, j->target, err);
			job_free(j);
			return;
		}
	}
	if (rcode == DNS_RCODE_NOERROR)
		log_info("notify: %s serial %u: %s acknowledged", j->zone, j->serial, j->target);
	else
		log_warn("notify: %s serial %u: %s answered %s", j->zone, j->serial, j->target,
			 dns_rcode_name(rcode, rc, sizeof(rc)));
	job_free(j);
}

static void on_answer(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t got;

	for (;;) {
		flen = sizeof(from);
		got = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (got < 0)
			return;
		if (got < DNS_HEADER_LEN || !(buf[2] & DNS_FLAG_QR) ||
		    ((buf[2] & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT) != DNS_OPCODE_NOTIFY)
			continue;
		for (struct notify_job *j = n->jobs; j; j = j->next) {
			if (j->id == wire_get16(buf) && same_addr(&j->ss, &from)) {
				answered(j, buf, (size_t)got);
				break;
			}
		}
	}
}

void notify_zone(struct notify *n, const struct zone *z, const struct sockaddr *target, socklen_t len,
		 const char *text, const struct tsig_key *key)
{
	struct notify_job *j = calloc(1, sizeof(*j));

	if (!j || len > sizeof(j->ss)) {
		free(j);
		log_err("notify: %s to %s: out of memory", z->name, text);
		return;
	}
	memcpy(&j->ss, target, len);
	j->len = len;
	/* A newer serial replaces what is still being sent to that target. */
	for (struct notify_job *o = n->jobs; o; o = o->next) {
		if (same_addr(&o->ss, &j->ss) && dname_equal(o->apex, z->apex)) {
			job_free(o);
			break;
		}
	}
	j->n = n;
	snprintf(j->target, sizeof(j->target), "%s", text);
	snprintf(j->zone, sizeof(j->zone), "%s", z->name);
	memcpy(j->apex, z->apex, z->apexlen);
	j->serial = z->serial;
	if ((j->sign = key != NULL))
		tsig_stream_init(&j->ts, key, NULL, 0, 0, time(NULL));
	if (build(j, z) != 0 || !(j->timer = evtimer_new(n->base, send_try, j))) {
		log_err("notify: %s to %s: cannot build the message", z->name, text);
		free(j);
		return;
	}
	j->next = n->jobs;
	if (n->jobs)
		n->jobs->prev = j;
	n->jobs = j;
	n->njobs++;
	send_try(-1, 0, j);
}

int notify_new(struct notify **out, struct event_base *base)
{
	struct notify *n = calloc(1, sizeof(*n));

	*out = n;
	if (!n)
		return STEER_ENOMEM;
	n->base = base;
	n->fd[0] = n->fd[1] = -1;
	return STEER_EOK;
}

size_t notify_pending(const struct notify *n)
{
	return n ? n->njobs : 0;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	while (n->jobs)
		job_free(n->jobs);
	for (int i = 0; i < 2; i++) {
		if (n->ev[i])
			event_free(n->ev[i]);
		if (n->fd[i] >= 0)
			close(n->fd[i]);
	}
	free(n);
}
