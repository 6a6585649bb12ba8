/*
 * dnstap.h -- log queries and responses as dnstap (https://dnstap.info), the
 * format Knot, NSD, BIND and Unbound write, to a Frame Streams reader on a
 * Unix socket (fstrm_capture, dnscollector...) or to a file.
 *
 * Threads and buffers:
 *   answering threads  call dnstap_observe() (a struct query_observer, see
 *                      server/net/observer.h) after each answer. Each has
 *                      its own fstrm input queue (single producer) and its
 *                      own ring of preallocated frame buffers: it encodes
 *                      the AUTH_QUERY / AUTH_RESPONSE message with protobuf-c
 *                      into a free buffer and fstrm_iothr_submit()s it, which
 *                      never blocks. Full queue or no reader: the message is
 *                      dropped and counted, the query is answered all the same.
 *   fstrm's I/O thread writes the frames in batches, then hands each buffer
 *                      back through the free callback, which puts it back on
 *                      its thread's ring (single consumer, single producer,
 *                      no lock). It also (re)connects: every second while no
 *                      reader listens, so steerdns starts and answers without one.
 * The connection itself (socket, connect, timeouts) is ours (an fstrm_rdwr),
 * not fstrm's unix writer: that way the answering threads know whether a
 * reader is there and skip encoding when not (fstrm would silently discard
 * the frames), and a reader that stops reading times out (2 s) instead of
 * blocking the I/O thread, and shutdown, forever.
 *
 * Nothing here allocates per query, except a message larger than a buffer
 * (DNSTAP_SLOT_SIZE: only TCP responses of more than ~1.4 KB), which gets
 * a heap buffer that fstrm frees.
 */
#ifndef STEER_METRICS_DNSTAP_H
#define STEER_METRICS_DNSTAP_H

#include <stddef.h>
#include <stdint.h>

struct dnstap;
struct query_event;

/* Where and what to log. Exactly one of socket and file is set. Strings
 * are borrowed for the dnstap_new() call only (copied). */
struct dnstap_options {
	const char *socket;   /* Unix stream socket a Frame Streams reader listens on */
	const char *file;     /* or a file, truncated when opened */
	const char *identity; /* Dnstap.identity; NULL or "" = left out */
	const char *version;  /* Dnstap.version; NULL or "" = left out */
	int log_queries;      /* write AUTH_QUERY messages */
	int log_responses;    /* write AUTH_RESPONSE messages */
};

/* Counters summed over the answering threads (dnstap_counters()). */
struct dnstap_counters {
	uint64_t logged;  /* messages handed to the I/O thread */
	uint64_t dropped; /* queue full, no free buffer, or no reader connected */
	uint64_t errors;  /* could not encode, or fstrm refused it for good */
};

#define DNSTAP_SLOT_SIZE 1536   /* one preallocated frame buffer */
#define DNSTAP_QUEUE_SIZE 2048  /* fstrm input queue entries per answering thread */
#define DNSTAP_IO_TIMEOUT_MS 2000 /* a reader that takes longer to accept a write is cut off */

/* Start the I/O thread with one input queue for each of nthreads answering
 * threads (indexes 0..nthreads-1, as passed to dnstap_observe). Connecting
 * happens in the I/O thread: a missing reader is not an error here.
 * Returns STEER_EOK, STEER_EINVAL (bad options: logged), STEER_ENOMEM. */
int dnstap_new(struct dnstap **out, const struct dnstap_options *opt, unsigned nthreads);
/* Stop the I/O thread after it has written what is queued (bounded by
 * DNSTAP_IO_TIMEOUT_MS when the reader is stuck), close, free. No
 * answering thread may be in dnstap_observe() any more. NULL is a no-op. */
void dnstap_free(struct dnstap *dt);

/* The query_observer callback: ctx is the struct dnstap, thread the index of
 * the calling answering thread (each index used by one thread only). */
void dnstap_observe(void *ctx, unsigned thread, const struct query_event *ev);

/* Sums of every thread's counters (any thread; may lag a little). */
void dnstap_counters(const struct dnstap *dt, struct dnstap_counters *out);
/* 1 while a reader is connected (or the file is open). */
int dnstap_connected(const struct dnstap *dt);

/* Message types (dnstap.proto Message.Type). */
enum dnstap_type { DNSTAP_AUTH_QUERY = 1, DNSTAP_AUTH_RESPONSE = 2 };

/* Encode one Dnstap frame of the given type for ev into buf[0..cap).
 * Returns the encoded length; when that is more than cap nothing was
 * written (call again with a buffer that large). identity and version may
 * be NULL. Used by dnstap_observe; public for the unit test. */
size_t dnstap_encode(enum dnstap_type type, const char *identity, const char *version,
		     const struct query_event *ev, uint8_t *buf, size_t cap);

#endif
