/*
 * errors.h -- steerdns error codes.
 *
 * Functions return int: STEER_EOK (0) on success, a negative code on failure.
 * Codes that have an errno twin are that errno negated, so a failed system
 * call can be returned as -errno without translation.
 */
#ifndef STEER_ERRORS_H
#define STEER_ERRORS_H

#include <errno.h>

enum {
	STEER_EOK = 0,
	STEER_ENOMEM = -ENOMEM,
	STEER_EINVAL = -EINVAL,
	STEER_ENOENT = -ENOENT,
	STEER_EEXIST = -EEXIST,
	STEER_ERANGE = -ERANGE,
	STEER_EAGAIN = -EAGAIN,
	STEER_ESPACE = -ENOSPC,
	/* Our own codes live below -1000, clear of every errno. */
	STEER_EMALF = -1001,   /* malformed input (packet, config, zone) */
	STEER_ENOTSUP = -1002, /* valid but not supported */
	STEER_EPROTO = -1003,  /* protocol violation by a peer */
	STEER_ENOTSOCK = -1004, /* a socket path names something else: not removed */
	STEER_EINUSE = -1005,   /* a socket path has a live listener: not taken over */
};

/* A static string for any code above (or any -errno). Never NULL. */
const char *steer_strerror(int code);

#endif
