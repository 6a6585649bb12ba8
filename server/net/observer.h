/*
 * observer.h -- a hook the UDP and TCP engines call once per query, so that
 * a layer above server/net (server/metrics/dnstap.c) sees each query and
 * its response without net/ including it.
 *
 * Why a function pointer and not a call to dnstap_*(): the layer order puts
 * net/ below metrics/, so net/ may not include a metrics header. The
 * process layer (server/server.c), which may include both, fills in a
 * struct query_observer at startup and hands it to the engines. The engines
 * only know "something wants to see queries".
 *
 * Lifetime: an engine reads its observer pointer once per batch, while it
 * holds the snapshot pinned (snapshot.h), and drops it with the snapshot.
 * So after the main thread swaps the pointer and then publishes a snapshot
 * (snap_publish waits until no reader holds the old one), no thread can
 * still be inside the old observer: that wait is the grace period before
 * the old observer's ctx may be freed.
 */
#ifndef STEER_NET_OBSERVER_H
#define STEER_NET_OBSERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/* One query, valid only during the on_query call (everything is borrowed
 * from the engine's buffers). */
struct query_event {
	const struct sockaddr *peer;  /* the client */
	socklen_t peerlen;
	const struct sockaddr *local; /* the server address the query came to; NULL = unknown */
	socklen_t locallen;
	int tcp;                      /* 0 UDP, 1 TCP */
	const uint8_t *query;         /* the query as received */
	size_t qlen;
	const uint8_t *resp;          /* the response as it will be sent; NULL when dropped */
	size_t rlen;
	struct timespec qtime;        /* CLOCK_REALTIME when the query was read */
	struct timespec rtime;        /* CLOCK_REALTIME when the response was made */
};

struct query_observer {
	/* Called on the answering thread after each answer_query(). thread is
	 * the engine thread's fixed index (its stats block index): a callee
	 * keeping per-thread state indexes it without locking. Must not block. */
	void (*on_query)(void *ctx, unsigned thread, const struct query_event *ev);
	void *ctx;
};

#endif
