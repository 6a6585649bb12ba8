/* prom.c -- the /metrics listener (evhttp) and the text exposition writer. */
#include "config.h"
#include "common/prom.h"
#include "common/conf.h"
#include "common/errors.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A scrape is a small GET: anything bigger is not Prometheus (a small body
 * is read so that a POST gets its 405, a big one gets 413). The timeout
 * drops a client that opens a connection and sends nothing. */
#define PROM_MAX_HEADERS 8192
#define PROM_MAX_BODY 4096
#define PROM_TIMEOUT_SEC 10

struct prom_server {
	struct evhttp *http;      /* owned; owns the bound listeners */
	prom_collect_cb collect;
	void *arg;                /* the collector's, borrowed */
};

/* ---- the listener ---- */

int prom_addr_check(const char *addr, const char **why)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);

	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &len) != 0) {
		*why = "expected a numeric ADDRESS:PORT or [IPv6]:PORT";
		return STEER_EINVAL;
	}
	/* sin_port and sin6_port sit at the same offset. */
	if (((struct sockaddr_in *)&ss)->sin_port == 0) {
		*why = "a port (1-65535) is required";
		return STEER_EINVAL;
	}
	return STEER_EOK;
}

static void reply(struct evhttp_request *req, struct prom_server *s)
{
	struct evbuffer *body = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (!body) {
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	s->collect(body, s->arg);
	evhttp_add_header(h, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (!path || strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	reply(req, arg);
}

static int bind_one(struct prom_server *s, struct event_base *base, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	const char *why;
	struct evconnlistener *lis;

	if (prom_addr_check(addr, &why) != 0) {
		snprintf(err, errlen, "metrics listen \"%s\": %s", addr, why);
		return STEER_EINVAL;
	}
	evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &len);
	lis = evconnlistener_new_bind(base, NULL, NULL,
				      LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE, 16,
				      (struct sockaddr *)&ss, len);
	if (!lis) {
		int e = errno;
		snprintf(err, errlen, "metrics listen %s: %s", addr, steer_strerror(-e));
		return -e;
	}
	/* evhttp owns the listener from here on and frees it with itself. */
	if (!evhttp_bind_listener(s->http, lis)) {
		evconnlistener_free(lis);
		snprintf(err, errlen, "metrics listen %s: out of memory", addr);
		return STEER_ENOMEM;
	}
	return STEER_EOK;
}

struct prom_server *prom_server_new(struct event_base *base, const struct conf_strlist *addrs,
				    prom_collect_cb collect, void *arg, char *err, size_t errlen)
{
	struct prom_server *s = calloc(1, sizeof(*s));

	if (!s || !(s->http = evhttp_new(base))) {
		free(s);
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	s->collect = collect;
	s->arg = arg;
	evhttp_set_max_headers_size(s->http, PROM_MAX_HEADERS);
	evhttp_set_max_body_size(s->http, PROM_MAX_BODY);
	evhttp_set_timeout(s->http, PROM_TIMEOUT_SEC);
	evhttp_set_gencb(s->http, request_cb, s);
	for (size_t i = 0; i < addrs->n; i++) {
		if (bind_one(s, base, addrs->v[i], err, errlen) != 0) {
			prom_server_free(s);
			return NULL;
		}
	}
	return s;
}

void prom_server_free(struct prom_server *s)
{
	if (!s)
		return;
	evhttp_free(s->http);
	free(s);
}

/* ---- the text format ---- */

static void escape(struct evbuffer *out, const char *v, int quote)
{
	const char *run = v;

	for (; *v; v++) {
		const char *rep = *v == '\\' ? "\\\\" : *v == '\n' ? "\\n" : (quote && *v == '"') ? "\\\"" : NULL;
		if (!rep)
			continue;
		evbuffer_add(out, run, (size_t)(v - run));
		evbuffer_add(out, rep, 2);
		run = v + 1;
	}
	evbuffer_add(out, run, (size_t)(v - run));
}

void prom_escape_label(struct evbuffer *out, const char *value)
{
	escape(out, value ? value : "", 1);
}

void prom_family(struct evbuffer *out, const char *name, enum prom_type type, const char *help)
{
	static const char *const types[] = { [PROM_COUNTER] = "counter", [PROM_GAUGE] = "gauge",
					     [PROM_HISTOGRAM] = "histogram" };

	evbuffer_add_printf(out, "# HELP %s ", name);
	escape(out, help, 0);
	evbuffer_add_printf(out, "\n# TYPE %s %s\n", name, types[type]);
}

/* name{a="x",b="y"} -- with extra (le) appended when given. */
static void sample_head(struct evbuffer *out, const char *name, const char *suffix, const struct prom_label *l,
			size_t n, const char *le)
{
	evbuffer_add_printf(out, "%s%s", name, suffix);
	if (n == 0 && !le) {
		evbuffer_add(out, " ", 1);
		return;
	}
	evbuffer_add(out, "{", 1);
	for (size_t i = 0; i < n; i++) {
		evbuffer_add_printf(out, "%s%s=\"", i ? "," : "", l[i].name);
		prom_escape_label(out, l[i].value);
		evbuffer_add(out, "\"", 1);
	}
	if (le)
		evbuffer_add_printf(out, "%sle=\"%s\"", n ? "," : "", le);
	evbuffer_add(out, "} ", 2);
}

/* The format's spellings of the special values, else the shortest of %.15g
 * to %.17g that reads back as the same double (0.1, not 0.10000000000000001). */
static void add_double(struct evbuffer *out, double v)
{
	char buf[40];

	if (isnan(v)) {
		evbuffer_add_printf(out, "NaN");
		return;
	}
	if (isinf(v)) {
		evbuffer_add_printf(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	evbuffer_add(out, buf, strlen(buf));
}

void prom_u64(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
	      uint64_t value)
{
	sample_head(out, name, "", labels, nlabels, NULL);
	evbuffer_add_printf(out, "%" PRIu64 "\n", value);
}

void prom_double(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
		 double value)
{
	sample_head(out, name, "", labels, nlabels, NULL);
	add_double(out, value);
	evbuffer_add(out, "\n", 1);
}

void prom_hist_init(struct prom_hist *h, const double *bounds, size_t nbounds)
{
	memset(h, 0, sizeof(*h));
	h->bounds = bounds;
	h->nbounds = nbounds < PROM_HIST_MAX ? nbounds : PROM_HIST_MAX;
}

void prom_hist_observe(struct prom_hist *h, double v)
{
	size_t i = 0;

	while (i < h->nbounds && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum += v;
}

void prom_hist_write(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
		     const struct prom_hist *h)
{
	uint64_t cum = 0;
	char le[32];

	for (size_t i = 0; i < h->nbounds; i++) {
		cum += h->counts[i];
		snprintf(le, sizeof(le), "%g", h->bounds[i]);
		sample_head(out, name, "_bucket", labels, nlabels, le);
		evbuffer_add_printf(out, "%" PRIu64 "\n", cum);
	}
	sample_head(out, name, "_bucket", labels, nlabels, "+Inf");
	evbuffer_add_printf(out, "%" PRIu64 "\n", h->count);
	sample_head(out, name, "_sum", labels, nlabels, NULL);
	add_double(out, h->sum);
	evbuffer_add(out, "\n", 1);
	sample_head(out, name, "_count", labels, nlabels, NULL);
	evbuffer_add_printf(out, "%" PRIu64 "\n", h->count);
}
