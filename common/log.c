/* log.c -- stderr/syslog logging with levels. */
#include "config.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Written once at startup (and on reload by the main thread); read by every
 * thread. A torn read of an int is impossible on our targets, and a message
 * shown at the old level during a reload is harmless. */
static const char *log_ident = "steerdns";
static int log_syslog;
static int log_max = LOG_INFO;

void log_init(const char *ident, int use_syslog, int max_level)
{
	log_ident = ident;
	log_max = max_level;
	if (use_syslog && !log_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = use_syslog;
}

int log_level_parse(const char *name)
{
	static const struct { const char *name; int level; } names[] = {
		{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].level;
	return -1;
}

int log_enabled(int level)
{
	return level <= log_max;
}

void log_msg(int level, const char *fmt, ...)
{
	static const char *tags[] = { "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug" };
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		char line[1024], stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		vsnprintf(line, sizeof(line), fmt, ap);
		/* One fprintf per message so lines from threads do not interleave. */
		fprintf(stderr, "%s %s[%s]: %s\n", stamp, log_ident, tags[level & 7], line);
	}
	va_end(ap);
}
