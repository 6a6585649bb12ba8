/* dnstap.c -- dnstap frames from the answering threads to fstrm's I/O thread. */
#include "config.h"
#include "server/metrics/dnstap.h"
#include "server/net/observer.h"
#include "common/errors.h"
#include "common/log.h"
#include "server/metrics/dnstap.pb-c.h" /* generated from dnstap.proto into $(BUILD)/gen */

#include <errno.h>
#include <fcntl.h>
#include <fstrm.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define CONTENT_TYPE "protobuf:dnstap.Dnstap"
/* fstrm's output queue and write threshold: up to 128 frames or 32 KiB
 * go out in one write (fstrm's defaults, 64 and 8 KiB, make about 40
 * frames a system call). */
#define OUTPUT_QUEUE 128
#define BUFFER_HINT 32768
/* Buffers per thread: as many as can be out of the thread's hands at once
 * (its input queue, the output queue, the one it is filling), so running
 * out of buffers means the same as a full queue: the writer is behind. */
#define NSLOTS (DNSTAP_QUEUE_SIZE + OUTPUT_QUEUE + 1)
#define RING_SIZE 4096 /* a power of two >= NSLOTS: free-running uint32 indexes wrap cleanly */
_Static_assert(RING_SIZE >= NSLOTS && (RING_SIZE & (RING_SIZE - 1)) == 0, "RING_SIZE: a power of two >= NSLOTS");
/* Everything in a frame but the identity, the version and the DNS message:
 * tags, lengths, addresses, ports, times (about 104 bytes at most). */
#define FRAME_OVERHEAD 128

typedef _Atomic uint64_t tap_counter;

/* One answering thread's share. The ring holds the indexes of the free
 * buffers: the answering thread takes from the head, the I/O thread (the
 * free callback) puts back at the tail. One producer, one consumer, so
 * two counters and a release/acquire pair are the whole synchronisation;
 * the ring never overflows because it is larger than the buffer count. */
struct tap_thread {
	/* Written by the answering thread only: */
	struct fstrm_iothr_queue *q; /* fstrm's, freed with the iothr */
	uint8_t *slab;               /* owned: NSLOTS buffers of DNSTAP_SLOT_SIZE bytes */
	uint32_t *ring;              /* owned: RING_SIZE entries */
	uint32_t head;               /* next ring entry to take */
	int32_t held;                /* buffer taken and not submitted yet (kept after a refusal), -1 none */
	tap_counter logged, dropped, errors;
	/* Written by the I/O thread only, on a cache line of its own: */
	_Alignas(64) _Atomic uint32_t tail;
};

struct dnstap {
	struct fstrm_iothr *iothr;   /* owned: owns the fstrm writer, which owns our rdwr */
	struct tap_thread **threads; /* owned: nthreads, each a separate aligned allocation */
	unsigned nthreads;
	char *path;                  /* owned: the socket or file */
	int is_socket;
	char *identity, *version;    /* owned; NULL = left out */
	int log_queries, log_responses;
	/* The connection: used by the I/O thread only (the rdwr callbacks). */
	int fd;
	int down_logged;             /* "no reader" was logged since the last good connection */
	_Atomic int up;              /* set by the I/O thread; answering threads skip work while 0 */
};

/* ---- Encoding ---- */

static void set_addr(const struct sockaddr *sa, ProtobufCBinaryData *addr, protobuf_c_boolean *has_addr,
		     uint32_t *port, protobuf_c_boolean *has_port)
{
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		*addr = (ProtobufCBinaryData){ 4, (uint8_t *)&in->sin_addr };
		*port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		*addr = (ProtobufCBinaryData){ 16, (uint8_t *)&in6->sin6_addr };
		*port = ntohs(in6->sin6_port);
	} else {
		return;
	}
	*has_addr = *has_port = 1;
}

static void set_text(const char *s, ProtobufCBinaryData *b, protobuf_c_boolean *has)
{
	if (s && *s) {
		*b = (ProtobufCBinaryData){ strlen(s), (uint8_t *)s };
		*has = 1;
	}
}

size_t dnstap_encode(enum dnstap_type type, const char *identity, const char *version,
		     const struct query_event *ev, uint8_t *buf, size_t cap)
{
	Dnstap__Dnstap d = DNSTAP__DNSTAP__INIT;
	Dnstap__Message m = DNSTAP__MESSAGE__INIT;
	size_t bound;

	d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
	d.message = &m;
	set_text(identity, &d.identity, &d.has_identity);
	set_text(version, &d.version, &d.has_version);
	m.type = type == DNSTAP_AUTH_QUERY ? DNSTAP__MESSAGE__TYPE__AUTH_QUERY : DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
	if (ev->peer->sa_family == AF_INET || ev->peer->sa_family == AF_INET6) {
		m.socket_family = ev->peer->sa_family == AF_INET ? DNSTAP__SOCKET_FAMILY__INET : DNSTAP__SOCKET_FAMILY__INET6;
		m.has_socket_family = 1;
	}
	m.socket_protocol = ev->tcp ? DNSTAP__SOCKET_PROTOCOL__TCP : DNSTAP__SOCKET_PROTOCOL__UDP;
	m.has_socket_protocol = 1;
	set_addr(ev->peer, &m.query_address, &m.has_query_address, &m.query_port, &m.has_query_port);
	set_addr(ev->local, &m.response_address, &m.has_response_address, &m.response_port, &m.has_response_port);
	/* Both messages carry the query time, as the schema asks, so a reader can
	 * pair them and measure how long the answer took. */
	m.query_time_sec = (uint64_t)ev->qtime.tv_sec;
	m.query_time_nsec = (uint32_t)ev->qtime.tv_nsec;
	m.has_query_time_sec = m.has_query_time_nsec = 1;
	if (type == DNSTAP_AUTH_QUERY) {
		m.query_message = (ProtobufCBinaryData){ ev->qlen, (uint8_t *)ev->query };
		m.has_query_message = 1;
	} else {
		m.response_time_sec = (uint64_t)ev->rtime.tv_sec;
		m.response_time_nsec = (uint32_t)ev->rtime.tv_nsec;
		m.has_response_time_sec = m.has_response_time_nsec = 1;
		m.response_message = (ProtobufCBinaryData){ ev->rlen, (uint8_t *)ev->resp };
		m.has_response_message = 1;
	}
	/* A cheap upper bound spares protobuf-c's extra sizing walk in the
	 * common case; only a frame that may not fit is measured exactly. */
	bound = FRAME_OVERHEAD + d.identity.len + d.version.len + m.query_message.len + m.response_message.len;
	if (bound > cap) {
		size_t need = dnstap__dnstap__get_packed_size(&d);
		if (need > cap)
			return need;
	}
	return dnstap__dnstap__pack(&d, buf);
}

/* ---- The answering threads' side ---- */

/* The counters' single writer: a relaxed load and store, no locked add. */
static inline void count(tap_counter *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

/* fstrm's free callback, on the I/O thread: the buffer goes back on the ring. */
static void slot_release(void *buf, void *arg)
{
	struct tap_thread *t = arg;
	uint32_t tail = atomic_load_explicit(&t->tail, memory_order_relaxed);

	t->ring[tail % RING_SIZE] = (uint32_t)(((uint8_t *)buf - t->slab) / DNSTAP_SLOT_SIZE);
	atomic_store_explicit(&t->tail, tail + 1, memory_order_release);
}

static uint8_t *slot_take(struct tap_thread *t)
{
	if (t->held < 0) {
		if (t->head == atomic_load_explicit(&t->tail, memory_order_acquire))
			return NULL;
		t->held = (int32_t)t->ring[t->head % RING_SIZE];
		t->head++;
	}
	return t->slab + (size_t)t->held * DNSTAP_SLOT_SIZE;
}

static void emit(struct dnstap *dt, struct tap_thread *t, enum dnstap_type type, const struct query_event *ev)
{
	uint8_t *slot = slot_take(t), *frame = slot;
	void (*release)(void *, void *) = slot_release;
	void *release_arg = t;
	size_t len;
	fstrm_res res;

	if (!slot) {
		count(&t->dropped);
		return;
	}
	len = dnstap_encode(type, dt->identity, dt->version, ev, slot, DNSTAP_SLOT_SIZE);
	if (len > DNSTAP_SLOT_SIZE) {
		/* The one allocation on the query path: a message larger than any
		 * preallocated buffer (a big TCP response). fstrm frees it. */
		if (!(frame = malloc(len)) ||
		    dnstap_encode(type, dt->identity, dt->version, ev, frame, len) != len) {
			free(frame);
			count(&t->errors);
			return;
		}
		release = fstrm_free_wrapper;
		release_arg = NULL;
	}
	res = fstrm_iothr_submit(dt->iothr, t->q, frame, len, release, release_arg);
	if (res == fstrm_res_success) {
		if (frame == slot)
			t->held = -1; /* fstrm has it now; slot_release gives it back */
		count(&t->logged);
		return;
	}
	/* Refused: the buffer stays ours (a slot is kept in t->held for the
	 * next message). A full queue means the writer is behind. */
	if (frame != slot)
		free(frame);
	count(res == fstrm_res_again ? &t->dropped : &t->errors);
}

void dnstap_observe(void *ctx, unsigned thread, const struct query_event *ev)
{
	struct dnstap *dt = ctx;
	struct tap_thread *t;

	if (thread >= dt->nthreads)
		return;
	t = dt->threads[thread];
	/* No reader: fstrm would discard the frames unseen. Count them as
	 * dropped here instead, and save the encoding. */
	if (!atomic_load_explicit(&dt->up, memory_order_relaxed)) {
		if (dt->log_queries)
			count(&t->dropped);
		if (dt->log_responses && ev->resp)
			count(&t->dropped);
		return;
	}
	if (dt->log_queries)
		emit(dt, t, DNSTAP_AUTH_QUERY, ev);
	if (dt->log_responses && ev->resp)
		emit(dt, t, DNSTAP_AUTH_RESPONSE, ev);
}

/* ---- The I/O thread's side: our fstrm_rdwr (socket or file) ---- */

static void io_lost(struct dnstap *dt, const char *what, int err)
{
	atomic_store(&dt->up, 0);
	if (!dt->down_logged)
		log_warn("dnstap: %s: %s: %s; dropping messages until a reader is there (retrying every second)",
			 dt->path, what, strerror(err));
	dt->down_logged = 1;
}

static int io_connect(struct dnstap *dt)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { DNSTAP_IO_TIMEOUT_MS / 1000, (DNSTAP_IO_TIMEOUT_MS % 1000) * 1000 };
	/* Non-blocking connect: a reader with a full backlog fails at once
	 * instead of holding the I/O thread. Then blocking with timeouts. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), fl;

	if (fd < 0)
		return -errno;
	memcpy(sun.sun_path, dt->path, strlen(dt->path) + 1); /* length checked in dnstap_new */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static fstrm_res io_close(void *obj)
{
	struct dnstap *dt = obj;

	atomic_store(&dt->up, 0);
	if (dt->fd >= 0)
		close(dt->fd);
	dt->fd = -1;
	return fstrm_res_success;
}

static fstrm_res io_open(void *obj)
{
	struct dnstap *dt = obj;
	int fd;

	io_close(dt); /* a socket left open by a failed handshake */
	fd = dt->is_socket ? io_connect(dt)
			   : open(dt->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		io_lost(dt, dt->is_socket ? "cannot connect" : "cannot open", dt->is_socket ? -fd : errno);
		return fstrm_res_failure;
	}
	dt->fd = fd;
	if (!dt->is_socket) {
		/* A file takes no handshake: frames go out from now on. */
		atomic_store(&dt->up, 1);
		log_notice("dnstap: writing to %s", dt->path);
		dt->down_logged = 0;
	}
	return fstrm_res_success;
}

/* Read exactly n bytes: only the handshake reads (the reader's ACCEPT, and
 * FINISH when closing). */
static fstrm_res io_read(void *obj, void *data, size_t n)
{
	struct dnstap *dt = obj;
	uint8_t *p = data;

	while (n > 0) {
		ssize_t r = read(dt->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			io_lost(dt, "no Frame Streams handshake", r < 0 ? errno : ECONNRESET);
			return fstrm_res_failure;
		}
		p += r;
		n -= (size_t)r;
	}
	if (!atomic_load(&dt->up)) {
		/* The reader accepted our content type: it is listening. */
		atomic_store(&dt->up, 1);
		log_notice("dnstap: connected to %s", dt->path);
		dt->down_logged = 0;
	}
	return fstrm_res_success;
}

/* Write every byte of iov[0..n): a short write goes on where it stopped. */
static fstrm_res io_write(void *obj, const struct iovec *iov, int n)
{
	struct dnstap *dt = obj;
	size_t skip = 0; /* bytes of iov[i] already written */
	int i = 0;

	for (;;) {
		struct iovec v[OUTPUT_QUEUE * 2];
		int k = 0;
		ssize_t w;

		while (i < n && iov[i].iov_len == skip) {
			i++;
			skip = 0;
		}
		if (i == n)
			return fstrm_res_success;
		for (; k < (int)(sizeof(v) / sizeof(v[0])) && i + k < n; k++)
			v[k] = iov[i + k];
		v[0].iov_base = (uint8_t *)v[0].iov_base + skip;
		v[0].iov_len -= skip;
		if (dt->is_socket)
			w = sendmsg(dt->fd, &(struct msghdr){ .msg_iov = v, .msg_iovlen = (size_t)k }, MSG_NOSIGNAL);
		else
			w = writev(dt->fd, v, k);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* A stuck reader shows as EAGAIN after the send timeout. The
			 * stream is cut mid-frame: fstrm closes and reconnects. */
			io_lost(dt, "write", errno);
			return fstrm_res_failure;
		}
		for (size_t left = (size_t)w; left > 0;) {
			size_t here = iov[i].iov_len - skip;
			if (left < here) {
				skip += left;
				break;
			}
			left -= here;
			i++;
			skip = 0;
		}
	}
}

/* ---- Life cycle ---- */

static void thread_free(struct tap_thread *t)
{
	if (!t)
		return;
	free(t->slab);
	free(t->ring);
	free(t);
}

static struct tap_thread *thread_new(void)
{
	struct tap_thread *t;

	if (posix_memalign((void **)&t, 64, sizeof(*t)) != 0)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->held = -1;
	t->slab = malloc((size_t)NSLOTS * DNSTAP_SLOT_SIZE);
	t->ring = malloc(RING_SIZE * sizeof(*t->ring));
	if (!t->slab || !t->ring) {
		thread_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < NSLOTS; i++)
		t->ring[i] = i;
	atomic_init(&t->tail, NSLOTS);
	return t;
}

static int options_check(const struct dnstap_options *opt, unsigned nthreads)
{
	const char *path = opt->socket ? opt->socket : opt->file;

	if (!path || (opt->socket && opt->file) || nthreads == 0) {
		log_err("dnstap: give exactly one of \"socket\" and \"file\"");
		return STEER_EINVAL;
	}
	if (opt->socket && strlen(opt->socket) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		log_err("dnstap: socket path %s is longer than a Unix socket address allows (%zu bytes)", opt->socket,
			sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
		return STEER_EINVAL;
	}
	return STEER_EOK;
}

/* The fstrm writer over our rdwr. A socket is bidirectional (it has a read
 * callback: fstrm does the READY/ACCEPT/START handshake), a file is not. */
static struct fstrm_writer *writer_new(struct dnstap *dt)
{
	struct fstrm_writer_options *wopt = fstrm_writer_options_init();
	struct fstrm_rdwr *rdwr = fstrm_rdwr_init(dt);
	struct fstrm_writer *w = NULL;

	if (wopt && rdwr &&
	    fstrm_writer_options_add_content_type(wopt, CONTENT_TYPE, strlen(CONTENT_TYPE)) == fstrm_res_success) {
		fstrm_rdwr_set_open(rdwr, io_open);
		fstrm_rdwr_set_close(rdwr, io_close);
		fstrm_rdwr_set_write(rdwr, io_write);
		if (dt->is_socket)
			fstrm_rdwr_set_read(rdwr, io_read);
		w = fstrm_writer_init(wopt, &rdwr); /* takes rdwr */
	}
	fstrm_rdwr_destroy(&rdwr);
	fstrm_writer_options_destroy(&wopt);
	return w;
}

static struct fstrm_iothr *iothr_new(struct fstrm_writer **w, unsigned nthreads)
{
	struct fstrm_iothr_options *o = fstrm_iothr_options_init();
	struct fstrm_iothr *io = NULL;
	sigset_t all, old;

	if (!o)
		return NULL;
	if (fstrm_iothr_options_set_num_input_queues(o, nthreads) == fstrm_res_success &&
	    fstrm_iothr_options_set_input_queue_size(o, DNSTAP_QUEUE_SIZE) == fstrm_res_success &&
	    fstrm_iothr_options_set_output_queue_size(o, OUTPUT_QUEUE) == fstrm_res_success &&
	    fstrm_iothr_options_set_queue_model(o, FSTRM_IOTHR_QUEUE_MODEL_SPSC) == fstrm_res_success &&
	    fstrm_iothr_options_set_buffer_hint(o, BUFFER_HINT) == fstrm_res_success &&
	    /* fstrm wakes its thread when a queue's free space falls to this
	     * (else once per flush_timeout, 1 s). Its default, 32 free, wakes
	     * it only when the queue is nearly full: frames drop whenever the
	     * I/O thread is slow to get a CPU. Waking it often is no cure:
	     * every 64 messages cost 10 us more CPU per query than every 512
	     * (measured at 20k q/s, I/O thread on the worker's core). Half the
	     * queue is one wake per 1024 messages and as much again of headroom. */
	    fstrm_iothr_options_set_queue_notify_threshold(o, DNSTAP_QUEUE_SIZE / 2) == fstrm_res_success &&
	    fstrm_iothr_options_set_reopen_interval(o, 1) == fstrm_res_success) {
		/* Signals belong to the main thread's event loop. */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		io = fstrm_iothr_init(o, w); /* takes *w on success */
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	fstrm_iothr_options_destroy(&o);
	return io;
}

int dnstap_new(struct dnstap **out, const struct dnstap_options *opt, unsigned nthreads)
{
	struct dnstap *dt;
	struct fstrm_writer *w;
	int ret = options_check(opt, nthreads);

	*out = NULL;
	if (ret != STEER_EOK)
		return ret;
	if (!(dt = calloc(1, sizeof(*dt))))
		return STEER_ENOMEM;
	dt->fd = -1;
	atomic_init(&dt->up, 0);
	dt->is_socket = opt->socket != NULL;
	dt->path = strdup(dt->is_socket ? opt->socket : opt->file);
	dt->identity = opt->identity && *opt->identity ? strdup(opt->identity) : NULL;
	dt->version = opt->version && *opt->version ? strdup(opt->version) : NULL;
	dt->log_queries = opt->log_queries;
	dt->log_responses = opt->log_responses;
	dt->threads = calloc(nthreads, sizeof(*dt->threads));
	if (!dt->path || (opt->identity && *opt->identity && !dt->identity) ||
	    (opt->version && *opt->version && !dt->version) || !dt->threads)
		goto nomem;
	for (; dt->nthreads < nthreads; dt->nthreads++)
		if (!(dt->threads[dt->nthreads] = thread_new()))
			goto nomem;
	if (!(w = writer_new(dt)))
		goto nomem;
	if (!(dt->iothr = iothr_new(&w, nthreads))) {
		fstrm_writer_destroy(&w);
		goto nomem;
	}
	for (unsigned i = 0; i < nthreads; i++)
		dt->threads[i]->q = fstrm_iothr_get_input_queue_idx(dt->iothr, i);
	*out = dt;
	return STEER_EOK;
nomem:
	log_err("dnstap: out of memory");
	dnstap_free(dt);
	return STEER_ENOMEM;
}

void dnstap_free(struct dnstap *dt)
{
	if (!dt)
		return;
	/* First the I/O thread: it writes what is queued, closes, and returns
	 * every buffer through slot_release, which needs the rings below. */
	fstrm_iothr_destroy(&dt->iothr);
	io_close(dt);
	for (unsigned i = 0; i < dt->nthreads; i++)
		thread_free(dt->threads[i]);
	free(dt->threads);
	free(dt->path);
	free(dt->identity);
	free(dt->version);
	free(dt);
}

void dnstap_counters(const struct dnstap *dt, struct dnstap_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < dt->nthreads; i++) {
		const struct tap_thread *t = dt->threads[i];
		out->logged += atomic_load_explicit(&t->logged, memory_order_relaxed);
		out->dropped += atomic_load_explicit(&t->dropped, memory_order_relaxed);
		out->errors += atomic_load_explicit(&t->errors, memory_order_relaxed);
	}
}

int dnstap_connected(const struct dnstap *dt)
{
	return atomic_load_explicit(&dt->up, memory_order_relaxed);
}
