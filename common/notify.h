/*
 * notify.h -- tell the service manager what the daemon is doing (sd_notify(3)).
 *
 * Both daemons run as Type=notify units (dist/steerdns.service.in and
 * dist/steer-healthd.service.in). The protocol:
 *   READY=1      once every socket listens and the data is loaded
 *   RELOADING=1  with MONOTONIC_USEC= when a reload starts; READY=1 again when
 *                it ends, accepted or rejected (the old data keeps serving)
 *   STOPPING=1   when shutdown begins
 *   STATUS=...   one short line for `systemctl status`
 * Without $NOTIFY_SOCKET (not started by systemd) every call does nothing.
 * The messages go to the socket systemd names, which accepts them from the
 * main process whatever user it runs as, so they work after the privilege drop.
 */
#ifndef STEER_NOTIFY_H
#define STEER_NOTIFY_H

/* READY=1 and STATUS=<fmt...>. */
void notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1, MONOTONIC_USEC=<now> and STATUS=reloading. */
void notify_reloading(void);
/* STOPPING=1 and STATUS=stopping. */
void notify_stopping(void);

#endif
