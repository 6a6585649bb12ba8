/* probe.c -- the check type table and helpers shared by the check types. */
#include "config.h"
#include "healthd/probe.h"
#include "common/errors.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Dispatch by type: http and https share one implementation. */
static const struct probe_ops *const ops_table[CHECK_NTYPES] = {
	[CHECK_HTTP] = &check_http_ops,
	[CHECK_HTTPS] = &check_http_ops,
	[CHECK_TCP] = &check_tcp_ops,
	[CHECK_DNS] = &check_dns_ops,
	[CHECK_EXEC] = &check_exec_ops,
};

const struct probe_ops *probe_ops_for(enum check_type t)
{
	return (unsigned)t < CHECK_NTYPES ? ops_table[t] : NULL;
}

void probe_finish(struct probe *p, int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->done(p, ok);
}

int probe_fail_start(struct probe *p, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	return code < 0 ? code : STEER_EINVAL;
}

const char *probe_strerror(int err)
{
	static __thread char buf[96];

	/* strerror says "Connection refused"; operators read lower case reasons. */
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}
