/*
 * uring.h -- one UDP worker's socket through io_uring (raw system calls and
 * the kernel's own header; no liburing).
 *
 * Receive is one multishot recvmsg with a ring of provided buffers: the
 * kernel copies each datagram, its source address and its control data
 * into a buffer of ours and posts a completion, with no system call and no
 * msghdr copy per datagram. Replies are send requests carrying the
 * address (sendmsg where a source address goes in a control message), with
 * MSG_DONTWAIT (done during the submitting system call; a full socket
 * buffer fails them instead of parking them) and IOSQE_CQE_SKIP_SUCCESS
 * (only failures post a completion). One io_uring_enter per batch both submits the replies and
 * waits for the next datagrams. The ring is made with DEFER_TASKRUN: the
 * kernel runs the receive work only when the worker waits, and wakes it
 * once for what has come, not once per datagram.
 *
 * Owned by one worker thread: uring_open must be called on that thread
 * (SINGLE_ISSUER), and nothing here is shared.
 */
#ifndef STEER_URING_H
#define STEER_URING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct uring;

/* One received datagram, pointing into a provided buffer that stays ours
 * until uring_recycle. */
struct uring_dgram {
	const uint8_t *data;
	size_t len;
	const struct sockaddr *peer;
	socklen_t peerlen;
	void *control;      /* the control messages (IP_PKTINFO), or NULL */
	size_t controllen;
	int truncated;      /* the datagram was larger than the buffer */
	uint16_t bid;       /* buffer id, for uring_recycle */
};

/* Set up a ring on socket fd (ctl_len: control bytes to keep per datagram,
 * 0 for none) with payload room for max_payload bytes. Returns 0, or a
 * negative errno (ENOSYS, EPERM where io_uring is off, EINVAL on a kernel
 * without what is used here) with *out NULL. */
int uring_open(struct uring **out, int fd, size_t ctl_len, size_t max_payload);
void uring_close(struct uring *u);
/* Submit what is queued and wait up to timeout_ms for completions when
 * none are waiting. Returns 0 or a negative errno (EINTR, ETIME are not
 * errors: the caller just looks again). */
int uring_wait(struct uring *u, int timeout_ms);
/* Take up to max received datagrams from the completions. *send_failed
 * gets how many replies failed (their completions are consumed too). */
int uring_reap(struct uring *u, struct uring_dgram *out, int max, unsigned *send_failed);
/* Give the buffers of d[0..n) back to the kernel. */
void uring_recycle(struct uring *u, const struct uring_dgram *d, int n);
/* Queue a reply; h (and what it points to) must stay as it is until the
 * next uring_wait returns. Returns 0, or -1 when the queue is full even
 * after submitting (the reply is dropped). */
int uring_send(struct uring *u, const struct msghdr *h);

#endif
