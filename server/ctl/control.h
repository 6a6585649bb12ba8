/*
 * control.h -- steerdns' control socket: JSON lines v1 on a Unix socket.
 *
 * Requests are {"v":1,"cmd":NAME,...}; replies {"v":1,"ok":true,...} or
 * {"v":1,"ok":false,"error":"..."}. Commands (see man steerctl(8)):
 *   zones   -> {"ok":true,"generation":N,"zones":[{"name","serial","records","file","loaded_at"}]}
 *   reload  -> {"ok":true,"generation":N}
 *              or {"ok":true,"generation":N,"partial":true,"errors":[...]}: applied, but
 *                  the zones named in errors kept their old version (new ones: not served)
 *              or {"ok":false,"error":"reload rejected; the old data is still serving",
 *                  "errors":["file:line: reason",...]}
 *   reload with "zone":NAME -> the same for that one zone (the config is not re-read)
 *   stats   -> {"ok":true,"generation":N,"uptime":S,"workers":W,"tcp_connections":N,
 *               "queries":{"udp":N,"tcp":N},"responses":N,"truncated":N,"dropped":N,
 *               "qtype":{"A":N,...},"rcode":{"NOERROR":N,...},
 *               "dnstap":{"enabled":B,"connected":B,"logged":N,"dropped":N,"errors":N}}
 *   explain -> what a query would get and why (server/ctl/explain_answer.h)
 *   health  -> {"ok":true,"sources":[...],"targets":[...]}: each steer-healthd
 *              source and every target's combined state with the sources'
 *              votes (health_link_sources_json, explain_targets_json)
 * Everything runs in the main thread: a reload requested here blocks other
 * control clients (not the answering threads) until it is done.
 *
 * Adding a command: write one control_fn and add one row to the table in
 * control.c.
 *
 * Layering: server/ctl sits above every part of the server except the
 * process itself (server/server.c). It reaches the process only through
 * struct ctl_ops, filled by server.c, so nothing here includes server.h
 * (scripts/layers.sh).
 */
#ifndef STEER_CONTROL_H
#define STEER_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct control;
struct errlist;
struct event_base;
struct health_link_info;
struct jsonl_peer;
struct snapshot;
struct stats;

/* What the commands need from the process; every function is called in
 * the main thread with arg. */
struct ctl_ops {
	struct snapshot *(*snapshot)(void *arg);          /* the live snapshot, or NULL */
	uint64_t (*generation)(void *arg);
	int (*reload)(void *arg, struct errlist *errs);   /* STEER_EOK (errs: zones kept) or negative */
	int (*reload_zone)(void *arg, const char *zone, struct errlist *errs);
	struct stats *(*stats)(void *arg);
	time_t (*started_at)(void *arg);
	unsigned (*workers)(void *arg);
	size_t (*tcp_connections)(void *arg);
	void (*health)(void *arg, struct health_link_info *out); /* the steer-healthd link */
	json_t *(*dnstap_stats)(void *arg);               /* the stats reply's "dnstap" object; NULL: left out */
	/* Key rollovers (server/keyroll.h): role "ksk" or "zsk"; errors as sentences in errs. */
	int (*dnssec_roll)(void *arg, const char *zone, const char *role, struct errlist *errs);
	int (*dnssec_ds_seen)(void *arg, const char *zone, unsigned tag, struct errlist *errs);
};

/* A command handler: answer req on peer, exactly once, with
 * jsonl_peer_ok() or jsonl_peer_error(). */
typedef void (*control_fn)(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);

/* Listen on path (mode 0660, an old socket file is replaced). ops (static
 * storage) and arg are borrowed. Returns STEER_EOK or a negative errno
 * (logged). */
int control_new(struct control **out, struct event_base *base, const char *path, const struct ctl_ops *ops,
		void *arg);
/* Close every client and the listener; remove the socket file. */
void control_free(struct control *c);

#endif
