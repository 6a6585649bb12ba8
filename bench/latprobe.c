/* latprobe.c -- fixed-rate DNS latency prober for the benchmark.
 *
 * dnsperf reports only the average latency, and its -v per-query output
 * slows the loader by about 20 %, so the percentiles come from this side
 * channel instead: while dnsperf saturates the server, latprobe sends its
 * own queries at a low fixed rate (default 2000/s) from its own socket and
 * records each round-trip time. The result is the latency an ordinary client
 * sees from a server under full load (queueing included).
 *
 * Usage: latprobe -p PORT [-s 127.0.0.1] [-r RATE] [-l SECONDS] [-B] -d FILE
 *   -d FILE  dnsperf query file ("name type" lines, or -B binary format)
 * Prints one line: sent= recv= lost= p50_us= p90_us= p99_us= p999_us= max_us=
 * Bounded: stops sending after -l seconds and waits at most 1 s for replies.
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
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qfile.h"

#define MAX_QUERIES 20000

static struct qfile_query queries[MAX_QUERIES];
static size_t nqueries;
static uint64_t sent_at[65536];	/* ns timestamp per in-flight id, 0 = free */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i] / 1000;
}

static void drain(int fd, uint64_t *rtt, size_t *nrtt, size_t cap)
{
	uint8_t buf[4096];
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 12) {
		uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);
		uint64_t t = now_ns();
		if (sent_at[id] == 0 || *nrtt >= cap)
			continue;
		rtt[(*nrtt)++] = t - sent_at[id];
		sent_at[id] = 0;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: latprobe -p PORT -d FILE [-s ADDR] [-r RATE] [-l SECONDS] [-B]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *file = NULL;
	int port = 0, rate = 2000, binary = 0, opt, fd;
	double secs = 5;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	FILE *f;

	while ((opt = getopt(argc, argv, "s:p:r:l:d:B")) != -1) {
		switch (opt) {
		case 's': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'l': secs = atof(optarg); break;
		case 'd': file = optarg; break;
		case 'B': binary = 1; break;
		default: return usage();
		}
	}
	if (!file || port <= 0 || port > 65535 || rate <= 0 || rate > 100000 ||
	    secs <= 0 || secs > 3600 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return usage();
	sa.sin_port = htons((uint16_t)port);
	if (!(f = fopen(file, "rb"))) {
		perror(file);
		return 1;
	}
	nqueries = qfile_load(f, binary, queries, MAX_QUERIES);
	if (nqueries == 0) {
		fprintf(stderr, "latprobe: no usable query in %s\n", file);
		return 1;
	}
	fclose(f);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("socket");
		return 1;
	}

	size_t cap = (size_t)(rate * secs) + 16, nrtt = 0, sent = 0;
	uint64_t *rtt = calloc(cap, sizeof(*rtt));
	uint64_t interval = 1000000000u / (uint64_t)rate;
	uint64_t start = now_ns(), stop = start + (uint64_t)(secs * 1e9), next = start;
	uint16_t id = (uint16_t)getpid();

	if (!rtt)
		return 1;
	while (sent < cap) {
		uint64_t t = now_ns();
		if (t >= stop)
			break;
		if (t >= next) {
			struct qfile_query *q = &queries[sent % nqueries];
			id++;
			q->msg[0] = (uint8_t)(id >> 8);
			q->msg[1] = (uint8_t)id;
			sent_at[id] = now_ns();
			if (send(fd, q->msg, q->len, 0) < 0 && errno != EAGAIN)
				sent_at[id] = 0;
			sent++;
			next += interval;
			continue;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec wait = { .tv_sec = (time_t)((next - t) / 1000000000u),
					 .tv_nsec = (long)((next - t) % 1000000000u) };
		/* ppoll: a millisecond poll() timeout would round the 0.5 ms gap to 0 and spin. */
		if (ppoll(&pfd, 1, &wait, NULL) > 0)
			drain(fd, rtt, &nrtt, cap);
	}
	/* Late replies: wait up to 1 s; anything later counts as lost. */
	for (uint64_t end = now_ns() + 1000000000u; nrtt < sent && now_ns() < end;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 50) > 0)
			drain(fd, rtt, &nrtt, cap);
	}
	qsort(rtt, nrtt, sizeof(*rtt), cmp_u64);
	printf("sent=%zu recv=%zu lost=%zu p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu max_us=%llu\n",
	       sent, nrtt, sent - nrtt,
	       (unsigned long long)pct(rtt, nrtt, 0.50), (unsigned long long)pct(rtt, nrtt, 0.90),
	       (unsigned long long)pct(rtt, nrtt, 0.99), (unsigned long long)pct(rtt, nrtt, 0.999),
	       (unsigned long long)(nrtt ? rtt[nrtt - 1] / 1000 : 0));
	free(rtt);
	close(fd);
	return 0;
}
