/*
 * conf.h -- steerdns' part of the JSON config: the "server", "zones" and
 * "metrics" sections. Other sections are read by their owners (geoip/, records and
 * pools by the policy modules, checks by healthd).
 *
 * Paths in the config are resolved against the config file's directory.
 */
#ifndef STEER_SERVER_CONF_H
#define STEER_SERVER_CONF_H

#include <stdint.h>
#include "common/conf.h"
#include "server/zone/load/zoneload.h"
#include "common/privs.h"
#include "server/net/xdp.h"
#include "server/xfr/journal.h"
#include "server/limit/limit_conf.h"

struct errlist;
struct xfr_conf;
struct tcp_limits;

/* The "dnstap" section: {"socket": PATH} or {"file": PATH}, plus "identity",
 * "version", "log_queries", "log_responses". socket and file both NULL = no
 * dnstap (no section). */
struct dnstap_conf {
	char *socket;       /* resolved path of a Frame Streams reader's Unix socket */
	char *file;         /* or a resolved file path */
	char *identity;     /* NULL = server.identity */
	char *version;      /* NULL = server.version */
	int log_queries;    /* AUTH_QUERY messages, default on */
	int log_responses;  /* AUTH_RESPONSE messages, default on */
};

struct server_conf {
	struct conf_file cf;          /* owned: the parsed file (kept for line numbers and other sections) */
	struct conf_strlist listen;   /* "127.0.0.1:5353", "[::1]:5353", "0.0.0.0:53" */
	long long workers;            /* UDP worker threads; 0 = one per core */
	char *control_socket;         /* resolved path; NULL = no control socket */
	long long udp_payload;        /* our EDNS UDP payload size (512..4096), default 1232 */
	long long tcp_max_connections;/* concurrent TCP connections, default 1024 */
	long long sigcache_entries;   /* signature cache of steered answers (server/dnssec/sigcache.h), entries */
	uint32_t tcp_idle_ms;         /* idle TCP connection timeout, default 10 s */
	struct conf_strlist proxy_from; /* sources that send PROXY v2 headers (server/net/proxy.h); none by default */
	uint32_t tcp_query_ms;        /* first byte to last byte of one TCP query, default 3 s */
	long long tcp_per_client;     /* TCP connections per client prefix, default 64; 0 = no limit */
	long long tcp_prefix4;        /* bits of an IPv4 client that make one client, default 32 */
	long long tcp_prefix6;        /* the same for IPv6, default 56 */
	int chaos;                    /* answer CH TXT version.bind/id.server, default off */
	char *identity;               /* id.server/hostname.bind answer; default gethostname() */
	char *version;                /* version.bind answer; default "steerdns VERSION" */
	char *log_level;              /* "info" */
	int syslog;                   /* log to syslog instead of stderr */
	struct dnstap_conf dnstap;    /* owned strings */
	struct privs privs;           /* "user"/"group": who steerdns runs as once its sockets are bound */
	struct zone_conf *zones;      /* owned array */
	size_t nzones;
	struct conf_strlist metrics_listen; /* "metrics": {"listen": [...]}: /metrics addresses; none by default */
	json_t *xdp_json;             /* borrowed: "server": {"xdp": {...}} as written */
	struct xdp_conf xdp;          /* the AF_XDP listener; xdp.interface NULL = none */
	char *state_dir;              /* resolved path: what steerdns keeps across restarts (IXFR journals); NULL = nothing kept */
	struct journal_conf journal;  /* the "journal" section (server/xfr/journal.h) */
	struct xfr_conf *xfr;         /* a reference: "tsig" and the zones' transfer keys (server/xfr/xfr_conf.h) */
	struct limit_conf limit;      /* "rrl" and "cookies" sections (server/limit/limit_conf.c) */
	char *nsid;                   /* server.nsid as written; NULL = no NSID */
	char *udp_io;                 /* "recvmmsg" (NULL: the default) or "io_uring" (server/net/udp.h) */
	uint8_t nsid_bytes[NSID_MAX]; /* ... decoded */
	size_t nsid_len;
};

/* Read path into out (cleared first). Returns the number of errors added to
 * errs ("file:line: reason"); out is usable only when it returns 0. */
int server_conf_load(const char *path, struct server_conf *out, struct errlist *errs);
void server_conf_clear(struct server_conf *c);
/* The server.tcp_* keys as the TCP thread takes them. */
void server_conf_tcp_limits(const struct server_conf *c, struct tcp_limits *out);

/* The directories of the control socket and of the dnstap file must be
 * writable by the user steerdns runs as (server.user, else this process):
 * checked by --check and at startup, so the problem shows as
 * "file:line: server/control_socket: ..." instead of a failed bind or open.
 * Returns the number of errors added to errs. */
int server_conf_check_dirs(const struct server_conf *c, struct errlist *errs);

#endif
