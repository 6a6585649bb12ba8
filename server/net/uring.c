/* uring.c -- a UDP worker's socket through io_uring (see uring.h). */
#include "config.h"
#include "server/net/uring.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define URING_SQ 128       /* a batch of replies (UDP_BATCH) plus a re-arm fits */
#define URING_CQ 1024      /* received datagrams waiting to be taken */
#define URING_NBUF 256     /* provided receive buffers (a power of two) */
#define URING_BGID 0
#define TAG_RECV 1
#define TAG_SEND 2
#define TAG_SENDTO 3
/* The recvmsg_out header, the source address and the control data come
 * before the payload in each buffer. */
#define URING_NAME_ROOM sizeof(struct sockaddr_storage)

struct uring {
	int ring;                  /* owned */
	int sock;                  /* borrowed: the worker's socket */
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *ring_map;            /* owned mmap: SQ and CQ rings (one map) */
	size_t ring_len;
	size_t sqes_len;
	unsigned sq_local;         /* our SQ tail, stored to *sq_tail when submitting */
	struct io_uring_buf_ring *br; /* owned mmap: the provided-buffer ring */
	size_t br_len;
	uint16_t br_tail;
	uint8_t *bufs;             /* owned: URING_NBUF buffers of buf_size */
	size_t buf_size;
	size_t max_payload;        /* a longer datagram counts as truncated, as with recvmmsg's buffers */
	struct msghdr rhdr;        /* the multishot recvmsg's template: how much name and control room */
	int armed;                 /* the multishot receive is active */
	int recv_errors;           /* error completions in a row; a run means give up */
	int no_sendto;             /* the kernel refused a send with an address (before 6.10): sendmsg only */
};

static int sys_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned submit, unsigned min, unsigned flags, void *arg, size_t argsz)
{
	return (int)syscall(__NR_io_uring_enter, fd, submit, min, flags, arg, argsz);
}

static int sys_register(int fd, unsigned op, void *arg, unsigned n)
{
	return (int)syscall(__NR_io_uring_register, fd, op, arg, n);
}

/* Map the SQ/CQ rings and the SQE array of a ring made with p. */
static int map_rings(struct uring *u, const struct io_uring_params *p)
{
	size_t sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	size_t cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	uint8_t *m;

	u->ring_len = sq_len > cq_len ? sq_len : cq_len;
	m = mmap(NULL, u->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->ring, IORING_OFF_SQ_RING);
	if (m == MAP_FAILED)
		return -errno;
	u->ring_map = m;
	u->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->ring, IORING_OFF_SQES);
	if (u->sqes == MAP_FAILED) {
		u->sqes = NULL;
		return -errno;
	}
	u->sq_head = (unsigned *)(m + p->sq_off.head);
	u->sq_tail = (unsigned *)(m + p->sq_off.tail);
	u->sq_mask = (unsigned *)(m + p->sq_off.ring_mask);
	u->sq_array = (unsigned *)(m + p->sq_off.array);
	u->cq_head = (unsigned *)(m + p->cq_off.head);
	u->cq_tail = (unsigned *)(m + p->cq_off.tail);
	u->cq_mask = (unsigned *)(m + p->cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(m + p->cq_off.cqes);
	/* SQE i always sits in slot i: fill the indirection array once. */
	for (unsigned i = 0; i < p->sq_entries; i++)
		u->sq_array[i] = i;
	u->sq_local = *u->sq_tail;
	return 0;
}

static void buf_put(struct uring *u, uint16_t bid)
{
	struct io_uring_buf *b = &u->br->bufs[u->br_tail & (URING_NBUF - 1)];

	b->addr = (uint64_t)(uintptr_t)(u->bufs + (size_t)bid * u->buf_size);
	b->len = (uint32_t)u->buf_size;
	b->bid = bid;
	u->br_tail++;
}

/* The provided-buffer ring: memory of ours the kernel fills. */
static int setup_buffers(struct uring *u)
{
	struct io_uring_buf_reg reg;

	u->br_len = URING_NBUF * sizeof(struct io_uring_buf);
	u->br = mmap(NULL, u->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->br == MAP_FAILED) {
		u->br = NULL;
		return -errno;
	}
	u->bufs = malloc(URING_NBUF * u->buf_size);
	if (!u->bufs)
		return -ENOMEM;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)u->br;
	reg.ring_entries = URING_NBUF;
	reg.bgid = URING_BGID;
	if (sys_register(u->ring, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
		return -errno;
	for (unsigned i = 0; i < URING_NBUF; i++)
		buf_put(u, (uint16_t)i);
	__atomic_store_n(&u->br->tail, u->br_tail, __ATOMIC_RELEASE);
	return 0;
}

/* A free SQE, submitting what is queued first when the ring is full. */
static struct io_uring_sqe *get_sqe(struct uring *u)
{
	unsigned head = __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);

	if (u->sq_local - head >= *u->sq_mask + 1) {
		__atomic_store_n(u->sq_tail, u->sq_local, __ATOMIC_RELEASE);
		if (sys_enter(u->ring, u->sq_local - head, 0, 0, NULL, 0) < 0)
			return NULL;
		head = __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
		if (u->sq_local - head >= *u->sq_mask + 1)
			return NULL;
	}
	struct io_uring_sqe *sqe = &u->sqes[u->sq_local & *u->sq_mask];
	memset(sqe, 0, sizeof(*sqe));
	u->sq_local++;
	return sqe;
}

static void arm_recv(struct uring *u)
{
	struct io_uring_sqe *sqe = get_sqe(u);

	if (!sqe)
		return; /* tried again at the next reap */
	sqe->opcode = IORING_OP_RECVMSG;
	sqe->fd = u->sock;
	sqe->addr = (uint64_t)(uintptr_t)&u->rhdr;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->buf_group = URING_BGID;
	sqe->user_data = TAG_RECV;
	u->armed = 1;
}

void uring_close(struct uring *u)
{
	if (!u)
		return;
	if (u->ring >= 0)
		close(u->ring); /* before the buffers: the kernel lets go of them */
	if (u->sqes)
		munmap(u->sqes, u->sqes_len);
	if (u->ring_map)
		munmap(u->ring_map, u->ring_len);
	if (u->br)
		munmap(u->br, u->br_len);
	free(u->bufs);
	free(u);
}

int uring_open(struct uring **out, int fd, size_t ctl_len, size_t max_payload)
{
	struct io_uring_params p;
	struct uring *u = calloc(1, sizeof(*u));
	int err;

	*out = NULL;
	if (!u)
		return -ENOMEM;
	u->sock = fd;
	u->rhdr.msg_namelen = URING_NAME_ROOM;
	u->rhdr.msg_controllen = ctl_len;
	u->max_payload = max_payload;
	u->buf_size = sizeof(struct io_uring_recvmsg_out) + URING_NAME_ROOM + ctl_len + max_payload;
	u->buf_size = (u->buf_size + 63) & ~(size_t)63;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE |
		  IORING_SETUP_SUBMIT_ALL;
	p.cq_entries = URING_CQ;
	u->ring = sys_setup(URING_SQ, &p);
	if (u->ring < 0) {
		err = -errno;
		goto fail;
	}
	const unsigned need = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP;
	err = (p.features & need) != need ? -EINVAL : map_rings(u, &p);
	if (err == 0)
		err = setup_buffers(u);
	if (err)
		goto fail;
	arm_recv(u);
	*out = u;
	return 0;
fail:
	uring_close(u);
	return err;
}

int uring_wait(struct uring *u, int timeout_ms)
{
	struct __kernel_timespec ts = { timeout_ms / 1000, (long long)(timeout_ms % 1000) * 1000000 };
	struct io_uring_getevents_arg arg;
	unsigned ready = __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE) - *u->cq_head;
	unsigned submit = u->sq_local - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);

	memset(&arg, 0, sizeof(arg));
	arg.ts = (uint64_t)(uintptr_t)&ts;
	__atomic_store_n(u->sq_tail, u->sq_local, __ATOMIC_RELEASE);
	/* GETEVENTS even with completions waiting: with DEFER_TASKRUN that is
	 * what runs the receive work, so the batch grows by what has come. */
	if (sys_enter(u->ring, submit, ready ? 0 : 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
		      sizeof(arg)) < 0 &&
	    errno != ETIME && errno != EINTR && errno != EBUSY && errno != EAGAIN)
		return -errno;
	return 0;
}

/* A receive completion: a datagram into *d (1), or nothing (0). */
static int take_recv(struct uring *u, const struct io_uring_cqe *c, struct uring_dgram *d)
{
	if (!(c->flags & IORING_CQE_F_MORE))
		u->armed = 0;
	if (c->res < 0) {
		if (c->res != -ENOBUFS)
			u->recv_errors++;
		return 0;
	}
	if (!(c->flags & IORING_CQE_F_BUFFER))
		return 0;
	uint16_t bid = (uint16_t)(c->flags >> IORING_CQE_BUFFER_SHIFT);
	uint8_t *b = u->bufs + (size_t)bid * u->buf_size;
	const struct io_uring_recvmsg_out *o = (const struct io_uring_recvmsg_out *)b;
	uint8_t *name = b + sizeof(*o), *ctl = name + u->rhdr.msg_namelen;

	u->recv_errors = 0;
	d->bid = bid;
	d->peer = (const struct sockaddr *)name;
	d->peerlen = o->namelen < u->rhdr.msg_namelen ? o->namelen : u->rhdr.msg_namelen;
	d->control = u->rhdr.msg_controllen ? ctl : NULL;
	d->controllen = o->controllen < u->rhdr.msg_controllen ? o->controllen : u->rhdr.msg_controllen;
	d->data = ctl + u->rhdr.msg_controllen;
	d->len = o->payloadlen;
	/* The rounded-up buffer has a few bytes more room than recvmmsg's:
	 * what would not fit there is truncated here too. */
	d->truncated = (o->flags & MSG_TRUNC) != 0 || (size_t)c->res < sizeof(*o) || d->len > u->max_payload;
	return 1;
}

int uring_reap(struct uring *u, struct uring_dgram *out, int max, unsigned *send_failed)
{
	unsigned head = *u->cq_head, tail = __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE);
	int n = 0;

	*send_failed = 0;
	for (; head != tail && n < max; head++) {
		const struct io_uring_cqe *c = &u->cqes[head & *u->cq_mask];
		if (c->user_data == TAG_RECV)
			n += take_recv(u, c, &out[n]);
		else if (c->res < 0) { /* replies post a completion only when they fail */
			(*send_failed)++;
			if (c->user_data == TAG_SENDTO && c->res == -EINVAL)
				u->no_sendto = 1;
		}
	}
	__atomic_store_n(u->cq_head, head, __ATOMIC_RELEASE);
	/* Many error completions in a row and no datagram: this kernel or
	 * socket does not do what we need; the caller falls back. */
	if (n == 0 && u->recv_errors >= 8)
		return -EIO;
	if (!u->armed)
		arm_recv(u);
	return n;
}

void uring_recycle(struct uring *u, const struct uring_dgram *d, int n)
{
	for (int i = 0; i < n; i++)
		buf_put(u, d[i].bid);
	__atomic_store_n(&u->br->tail, u->br_tail, __ATOMIC_RELEASE);
}

int uring_send(struct uring *u, const struct msghdr *h)
{
	struct io_uring_sqe *sqe = get_sqe(u);

	if (!sqe)
		return -1;
	sqe->fd = u->sock;
	sqe->msg_flags = MSG_DONTWAIT; /* done during submit, or failed: never parked on our buffers */
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	if (h->msg_controllen == 0 && h->msg_iovlen == 1 && !u->no_sendto) {
		/* sendto: no msghdr and iovec for the kernel to copy in (about
		 * 5 % of a reply's cost against SENDMSG, measured with perf).
		 * Kernels before 6.10 refuse the address with EINVAL; that
		 * costs one batch of replies once, then SENDMSG is used. */
		sqe->opcode = IORING_OP_SEND;
		sqe->addr = (uint64_t)(uintptr_t)h->msg_iov[0].iov_base;
		sqe->len = (uint32_t)h->msg_iov[0].iov_len;
		sqe->addr2 = (uint64_t)(uintptr_t)h->msg_name;
		sqe->addr_len = (uint16_t)h->msg_namelen;
		sqe->user_data = TAG_SENDTO;
		return 0;
	}
	sqe->opcode = IORING_OP_SENDMSG;
	sqe->addr = (uint64_t)(uintptr_t)h;
	sqe->user_data = TAG_SEND;
	return 0;
}
