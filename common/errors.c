/* errors.c -- text for steerdns error codes. */
#include "config.h"
#include "common/errors.h"

#include <string.h>

const char *steer_strerror(int code)
{
	switch (code) {
	case STEER_EOK: return "ok";
	case STEER_EMALF: return "malformed input";
	case STEER_ENOTSUP: return "not supported";
	case STEER_EPROTO: return "protocol error";
	case STEER_ENOTSOCK: return "the path exists and is not a socket (not removed; remove it or pick another path)";
	case STEER_EINUSE: return "a running process listens on it (is the daemon already running?)";
	default: return code < 0 ? strerror(-code) : "unknown error";
	}
}
