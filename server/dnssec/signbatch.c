/*
 * signbatch.c -- a batch of rrsets signed on several threads (signbatch.h).
 */
#include "config.h"
#include "server/dnssec/signbatch.h"

#include "common/dns.h"
#include "common/errors.h"
#include "server/dnssec/nsec3.h"
#include "server/dnssec/sign.h"
#include "server/zone/zone.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SCRATCH_SIZE (2 * 65536 + 1024) /* signed data of the largest rrset, and its stash */
#define MIN_PER_THREAD 64                /* fewer signatures than this a thread: not worth one */

/* CPUs this process may run on (a pinned server signs on its CPU alone). */
static int usable_cpus(void)
{
	cpu_set_t cs;
	int n;

	if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		n = CPU_COUNT(&cs);
	else
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > SIGNBATCH_THREADS ? SIGNBATCH_THREADS : n;
}

int signbatch_init(struct signbatch *b, const uint8_t *signer, uint32_t inception, uint32_t expiration)
{
	memset(b, 0, sizeof(*b));
	b->signer = signer;
	b->inception = inception;
	b->expiration = expiration;
	b->threads = usable_cpus();
	b->jobs = malloc(SIGNBATCH_SIGS * sizeof(*b->jobs));
	b->slots = malloc((size_t)SIGNBATCH_SIGS * SIGNBATCH_SLOT);
	if (!b->jobs || !b->slots) {
		signbatch_free(b);
		return STEER_ENOMEM;
	}
	return 0;
}

void signbatch_free(struct signbatch *b)
{
	free(b->jobs);
	free(b->slots);
	b->jobs = NULL;
	b->slots = NULL;
}

struct signbatch_job *signbatch_add(struct signbatch *b, int nkeys)
{
	struct signbatch_job *j;

	if (nkeys < 1 || b->nsigs + (size_t)nkeys > SIGNBATCH_SIGS)
		return NULL;
	j = &b->jobs[b->njobs++];
	memset(j, 0, sizeof(*j));
	j->nkeys = nkeys;
	j->out = b->slots + b->nsigs * SIGNBATCH_SLOT;
	b->nsigs += (size_t)nkeys;
	return j;
}

void signbatch_reset(struct signbatch *b)
{
	b->njobs = b->nsigs = 0;
}

/* One thread's buffers. */
struct worker {
	struct signbatch *b;
	atomic_size_t *next;                /* the next job to take, shared */
	pthread_t tid;
	uint8_t *scratch;                   /* owned, SCRATCH_SIZE */
	struct dnssec_rdata *rd;            /* owned, rdcap entries */
	size_t rdcap;
};

static int sign_job(struct worker *w, struct signbatch_job *j)
{
	const struct rrset *set = j->set;
	const uint8_t *p = set->data;

	if (set->count > w->rdcap) {
		struct dnssec_rdata *nr = realloc(w->rd, set->count * sizeof(*nr));
		if (!nr)
			return STEER_ENOMEM;
		w->rd = nr;
		w->rdcap = set->count;
	}
	for (uint16_t i = 0; i < set->count; i++, p += rr_len(p))
		w->rd[i] = (struct dnssec_rdata){ p + RR_FIXED, wire_get16(p + RR_RDLEN_OFF) };
	for (int i = 0; i < j->nkeys; i++) {
		uint8_t *slot = j->out + (size_t)i * SIGNBATCH_SLOT;
		int r = dnssec_sign_rrset(j->keys[i], w->b->signer, j->n->name, dnssec_node_sig_labels(j->n), set->type,
					  DNS_CLASS_IN, set->ttl, w->rd, set->count, w->b->inception,
					  w->b->expiration, w->scratch, SCRATCH_SIZE, slot + RR_FIXED,
					  SIGNBATCH_SLOT - RR_FIXED);
		if (r < 0)
			return r;
		rr_header_put(slot, DNS_TYPE_RRSIG, DNS_CLASS_IN, set->ttl, (uint16_t)r);
	}
	return 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(w->next, 1)) < w->b->njobs) {
		struct signbatch_job *j = &w->b->jobs[i];
		j->ret = w->scratch ? sign_job(w, j) : STEER_ENOMEM;
	}
	return NULL;
}

/* The helpers yield to the query workers during a reload (best effort). */
static void *work_nice(void *arg)
{
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	return work(arg);
}

void signbatch_sign(struct signbatch *b)
{
	struct worker w[SIGNBATCH_THREADS];
	atomic_size_t next = 1;
	int n = b->threads, started = 0;

	if (!b->njobs)
		return;
	if ((size_t)n > b->nsigs / MIN_PER_THREAD)
		n = (int)(b->nsigs / MIN_PER_THREAD);
	if (n < 1)
		n = 1;
	memset(w, 0, sizeof(w));
	for (int t = 0; t < n; t++) {
		w[t].b = b;
		w[t].next = &next;
		w[t].scratch = malloc(SCRATCH_SIZE);
	}
	/* The first job on this thread alone: OpenSSL sets up what it keeps
	 * with a key on its first use, before the key is shared. */
	b->jobs[0].ret = w[0].scratch ? sign_job(&w[0], &b->jobs[0]) : STEER_ENOMEM;
	for (int t = 1; t < n; t++)
		if (w[t].scratch && pthread_create(&w[t].tid, NULL, work_nice, &w[t]) == 0)
			started |= 1 << t;
	work(&w[0]);
	for (int t = 0; t < n; t++) {
		if (started & (1 << t))
			pthread_join(w[t].tid, NULL);
		free(w[t].scratch);
		free(w[t].rd);
	}
}
