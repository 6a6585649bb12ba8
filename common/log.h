/*
 * log.h -- one logging module for every steerdns program.
 *
 * Messages go to stderr (default) or syslog. Levels follow syslog's. Nothing
 * on the query path logs at the default level (info): per-query messages are
 * debug only.
 */
#ifndef STEER_LOG_H
#define STEER_LOG_H

#include <syslog.h>

/* Set the program name, destination and the most verbose level that is shown.
 * Safe to call again (e.g. after the config is read). */
void log_init(const char *ident, int use_syslog, int max_level);

/* Parse "error", "warning", "notice", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *name);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Cheap test for callers that would otherwise format a debug message. */
int log_enabled(int level);

#endif
