/* dnsload.c -- a UDP DNS load generator that can outrun one server core.
 *
 * dnsperf tops out near the rate of the servers it measures on this class
 * of machine (one loader core against one server core), so "saturation"
 * with dnsperf mostly measures dnsperf. dnsload sends and receives in
 * batches (sendmmsg / recvmmsg, up to BATCH messages a system call) from a
 * few connected sockets, so its cost per query is a fraction of a server's
 * and one loader core can keep one server core busy.
 *
 * Two modes:
 *   -Q RATE  a fixed offered rate: every tick (-T, default 100 us) the loader
 *            sends what the schedule says is due (2 queries a tick at 20k
 *            q/s, 10 at 100k), so the rate holds over any 1 ms window; no
 *            catch-up bursts after a stall longer than 10 ms: those queries
 *            are counted as unsent
 *   -Q 0     saturation: keep -w queries in flight (default 256)
 * Replies are matched by ID (one 16-bit ID space over all sockets; an ID is
 * reused only after its query was answered or timed out). A query without
 * a reply within -t ms counts as lost.
 *
 * Usage: dnsload -p PORT -d FILE [-s 127.0.0.1] [-B] [-l SECONDS] [-Q RATE]
 *                [-w WINDOW] [-c SOCKETS] [-t TIMEOUT_MS] [-n MAX_QUERIES] [-T TICK_US]
 * Prints one line:
 *   sent= recv= lost= late= qps= p50_us= p99_us= noerror= nxdomain= other_rcode=
 *   unsent= cpu_us= (the loader's own user+system CPU)
 * Bounded: stops sending after -l seconds (at most 3600) or -n queries, then
 * waits at most -t ms for the last replies.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qfile.h"

#define MAX_QUERIES 100000
#define MAX_SOCKS 16
#define BATCH 64
#define LAT_BUCKETS 200000 /* 1 us buckets up to 200 ms; later replies go to the last one */

static struct qfile_query queries[MAX_QUERIES];
static size_t nqueries;

/* In flight: the send time of each ID (0 = free), and the IDs in send order
 * so timeouts are found from the oldest without scanning the whole table. */
static uint64_t sent_at[65536];
static uint16_t fifo[65536];
static uint32_t fifo_head, fifo_tail; /* free-running; tail - head = in flight */
static uint16_t next_id;
static uint32_t lat_hist[LAT_BUCKETS];

struct counts {
	uint64_t sent, recv, lost, late, unsent, noerror, nxdomain, other;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A free ID, or -1 when all 65536 are in flight. */
static int take_id(void)
{
	for (int tries = 0; tries < 65536; tries++) {
		uint16_t id = next_id++;
		if (sent_at[id] == 0)
			return id;
	}
	return -1;
}

/* Send up to want queries on socket fd, round-robin over the file. */
static size_t send_batch(int fd, size_t want, struct counts *c)
{
	static uint8_t bufs[BATCH][QFILE_MAX_MSG];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int ids[BATCH];
	size_t n = 0;

	if (want > BATCH)
		want = BATCH;
	for (; n < want; n++) {
		const struct qfile_query *q = &queries[(c->sent + n) % nqueries];
		int id = take_id();
		if (id < 0)
			break;
		memcpy(bufs[n], q->msg, q->len);
		bufs[n][0] = (uint8_t)(id >> 8);
		bufs[n][1] = (uint8_t)id;
		iov[n] = (struct iovec){ .iov_base = bufs[n], .iov_len = q->len };
		mm[n] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[n], .msg_iovlen = 1 } };
		ids[n] = id;
	}
	if (n == 0)
		return 0;
	int r = sendmmsg(fd, mm, (unsigned)n, 0);
	if (r < 0)
		r = 0; /* ENOBUFS/EAGAIN: nothing went; the caller retries later */
	uint64_t t = now_ns();
	for (int i = 0; i < r; i++) {
		if (fifo_tail - fifo_head == 65536) {
			/* The order list is full (a reply older than 65536
			 * sends is still out): the oldest entry counts as lost. */
			uint16_t old = fifo[fifo_head++ & 0xffff];
			if (sent_at[old] != 0 && old != ids[i]) {
				sent_at[old] = 0;
				c->lost++;
			}
		}
		sent_at[ids[i]] = t;
		fifo[fifo_tail++ & 0xffff] = (uint16_t)ids[i];
	}
	c->sent += (uint64_t)r;
	return (size_t)r;
}

static void account(const uint8_t *msg, size_t len, uint64_t t, struct counts *c)
{
	if (len < 12)
		return;
	uint16_t id = (uint16_t)(msg[0] << 8 | msg[1]);
	if (sent_at[id] == 0) {
		c->late++; /* answered after its timeout, or a stray */
		return;
	}
	uint64_t us = (t - sent_at[id]) / 1000;
	lat_hist[us < LAT_BUCKETS ? us : LAT_BUCKETS - 1]++;
	sent_at[id] = 0;
	c->recv++;
	switch (msg[3] & 0x0f) {
	case 0: c->noerror++; break;
	case 3: c->nxdomain++; break;
	default: c->other++; break;
	}
}

static void recv_all(const int *fds, int nfds, struct counts *c)
{
	static uint8_t bufs[BATCH][4096];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];

	for (int s = 0; s < nfds; s++) {
		for (int rounds = 0; rounds < 16; rounds++) {
			for (int i = 0; i < BATCH; i++) {
				iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = sizeof(bufs[i]) };
				mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
			}
			int r = recvmmsg(fds[s], mm, BATCH, MSG_DONTWAIT, NULL);
			if (r <= 0)
				break;
			uint64_t t = now_ns();
			for (int i = 0; i < r; i++)
				account(bufs[i], mm[i].msg_len, t, c);
			if (r < BATCH)
				break;
		}
	}
}

/* Expire the oldest queries still unanswered after timeout ns. */
static void expire(uint64_t t, uint64_t timeout, struct counts *c)
{
	while (fifo_head != fifo_tail) {
		uint16_t id = fifo[fifo_head & 0xffff];
		if (sent_at[id] != 0) {
			if (t - sent_at[id] < timeout)
				break;
			sent_at[id] = 0;
			c->lost++;
		}
		fifo_head++;
	}
}

static uint64_t in_flight(const struct counts *c)
{
	return c->sent - c->recv - c->lost;
}

static uint64_t percentile(uint64_t total, double p)
{
	uint64_t want = (uint64_t)(p * (double)total), seen = 0;

	for (uint64_t us = 0; us < LAT_BUCKETS; us++) {
		seen += lat_hist[us];
		if (seen > want)
			return us;
	}
	return LAT_BUCKETS - 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: dnsload -p PORT -d FILE [-s ADDR] [-B] [-l SECONDS] [-Q RATE] [-w WINDOW]"
			" [-c SOCKETS] [-t TIMEOUT_MS] [-n MAX_QUERIES] [-T TICK_US]\n");
	return 2;
}

struct opts {
	const char *addr, *file;
	int port, binary, nsocks;
	double secs;
	uint64_t rate, window, timeout_ms, max_q, tick_ns;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .addr = "127.0.0.1", .nsocks = 4, .secs = 10, .window = 256, .timeout_ms = 1000,
			    .max_q = UINT64_MAX, .tick_ns = 100000 };
	while ((opt = getopt(argc, argv, "s:p:d:Bl:Q:w:c:t:n:T:")) != -1) {
		switch (opt) {
		case 's': o->addr = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'd': o->file = optarg; break;
		case 'B': o->binary = 1; break;
		case 'l': o->secs = atof(optarg); break;
		case 'Q': o->rate = strtoull(optarg, NULL, 10); break;
		case 'w': o->window = strtoull(optarg, NULL, 10); break;
		case 'c': o->nsocks = atoi(optarg); break;
		case 't': o->timeout_ms = strtoull(optarg, NULL, 10); break;
		case 'n': o->max_q = strtoull(optarg, NULL, 10); break;
		case 'T': o->tick_ns = strtoull(optarg, NULL, 10) * 1000u; break;
		default: return -1;
		}
	}
	if (!o->file || o->port <= 0 || o->port > 65535 || o->secs <= 0 || o->secs > 3600 ||
	    o->window < 1 || o->window > 60000 || o->nsocks < 1 || o->nsocks > MAX_SOCKS ||
	    o->timeout_ms < 1 || o->timeout_ms > 10000 || o->rate > 10000000 ||
	    o->tick_ns < 10000 || o->tick_ns > 10000000)
		return -1;
	return 0;
}

static int open_socks(const struct opts *o, int *fds)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };

	if (inet_pton(AF_INET, o->addr, &sa.sin_addr) != 1)
		return -1;
	for (int i = 0; i < o->nsocks; i++) {
		int buf = 4 << 20;
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return -1;
		/* Large buffers: a burst of replies must not be dropped by the
		 * loader's own socket (that would count as the server's loss). */
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}
	return 0;
}

/* How many queries are due now: the fixed-rate schedule, or the window. */
static uint64_t due_now(const struct opts *o, const struct counts *c, uint64_t t, uint64_t start)
{
	if (o->rate == 0) {
		uint64_t f = in_flight(c);
		return f < o->window ? o->window - f : 0;
	}
	uint64_t target = (uint64_t)((double)(t - start) * (double)o->rate / 1e9);
	uint64_t done = c->sent + c->unsent;
	return target > done ? target - done : 0;
}

/* Fixed rate: wake every tick, send what is due, read what has come. The
 * loader does not wake per reply (that would cost it more than the server
 * spends per query); latency is therefore measured to within one tick. */
static void wait_tick(uint64_t start, uint64_t tick)
{
	uint64_t t = now_ns(), next = start + ((t - start) / tick + 1) * tick;
	struct timespec ts = { .tv_sec = (time_t)(next / 1000000000u), .tv_nsec = (long)(next % 1000000000u) };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Saturation: wait for replies (or 1 ms) so the window refills at once. */
static void wait_reply(const struct opts *o, const int *fds)
{
	struct pollfd pfd[MAX_SOCKS];
	struct timespec wait = { .tv_nsec = 1000000 };

	for (int i = 0; i < o->nsocks; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	ppoll(pfd, (nfds_t)o->nsocks, &wait, NULL);
}

static void run(const struct opts *o, const int *fds, struct counts *c, uint64_t *elapsed)
{
	uint64_t start = now_ns(), stop = start + (uint64_t)(o->secs * 1e9);
	uint64_t timeout = o->timeout_ms * 1000000u, last_expire = start;
	/* No catch-up burst after a stall: at most 10 ms of schedule is owed. */
	uint64_t max_owed = o->rate ? o->rate / 100 + BATCH : UINT64_MAX;
	int s = 0;

	for (uint64_t t = start; t < stop && c->sent < o->max_q; t = now_ns()) {
		uint64_t due = due_now(o, c, t, start);
		if (due > max_owed) {
			c->unsent += due - max_owed;
			due = max_owed;
		}
		if (due > o->max_q - c->sent)
			due = o->max_q - c->sent;
		while (due > 0) {
			size_t n = send_batch(fds[s], due, c);
			s = (s + 1) % o->nsocks;
			if (n == 0)
				break;
			due -= n;
		}
		recv_all(fds, o->nsocks, c);
		if (t - last_expire > 10000000u) {
			expire(now_ns(), timeout, c);
			last_expire = t;
		}
		if (o->rate)
			wait_tick(start, o->tick_ns);
		else
			wait_reply(o, fds);
	}
	*elapsed = now_ns() - start;
	/* The last replies: at most one timeout more. */
	for (uint64_t end = now_ns() + timeout; in_flight(c) > 0 && now_ns() < end;) {
		wait_reply(o, fds);
		recv_all(fds, o->nsocks, c);
		expire(now_ns(), timeout, c);
	}
	c->lost += in_flight(c);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct counts c = { 0 };
	int fds[MAX_SOCKS];
	uint64_t elapsed;
	struct rusage ru;
	FILE *f;

	if (parse_opts(argc, argv, &o) < 0)
		return usage();
	if (!(f = fopen(o.file, "rb"))) {
		perror(o.file);
		return 1;
	}
	nqueries = qfile_load(f, o.binary, queries, MAX_QUERIES);
	fclose(f);
	if (nqueries == 0) {
		fprintf(stderr, "dnsload: no usable query in %s\n", o.file);
		return 1;
	}
	if (open_socks(&o, fds) < 0) {
		perror("dnsload: socket");
		return 1;
	}
	run(&o, fds, &c, &elapsed);
	getrusage(RUSAGE_SELF, &ru);
	uint64_t cpu_us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
			  (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	printf("sent=%llu recv=%llu lost=%llu late=%llu qps=%.0f p50_us=%llu p99_us=%llu noerror=%llu"
	       " nxdomain=%llu other_rcode=%llu unsent=%llu cpu_us=%llu\n",
	       (unsigned long long)c.sent, (unsigned long long)c.recv, (unsigned long long)c.lost,
	       (unsigned long long)c.late, (double)c.recv * 1e9 / (double)elapsed,
	       (unsigned long long)percentile(c.recv, 0.50), (unsigned long long)percentile(c.recv, 0.99),
	       (unsigned long long)c.noerror, (unsigned long long)c.nxdomain, (unsigned long long)c.other,
	       (unsigned long long)c.unsent, (unsigned long long)cpu_us);
	return 0;
}
