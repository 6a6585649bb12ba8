/*
 * check_http.c -- the http and https checks: GET a path, judge the status
 * code and optionally a response header and the body.
 *
 * The HTTP client is libevent's evhttp (no parsing here): one connection and
 * one request per probe, "Connection: close". https gives evhttp an OpenSSL
 * bufferevent (SNI, certificate verification against the host or address).
 * The verdict is known once the headers are in (header callback) unless a
 * body test is pending; the body is then read piece by piece (chunk
 * callback) into a buffer of at most HTTP_MAX_READ bytes and searched.
 * "expect_header": one header of that name (any case) must carry the value
 * (exact, or matching the regex; surrounding blanks stripped). The status
 * line and headers together may take at most HTTP_MAX_HEADERS bytes.
 *
 * evhttp must not see its connection freed from inside its own callbacks,
 * so the callbacks only note the verdict and wake `fin`, which frees the
 * connection (and with it the request) and then reports.
 */
#include "config.h"
#include "healthd/probe.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <sys/queue.h> /* before keyvalq_struct.h: TAILQ_FOREACH */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_MAX_READ (1024 * 1024)
#define HTTP_MAX_HEADERS (64 * 1024)

struct http_probe {
	struct evhttp_connection *conn; /* owned: frees its bufferevent (and SSL) and request */
	struct bufferevent *bev;        /* https: borrowed from conn, for the TLS errors */
	struct event *fin;              /* owned: reports the verdict outside evhttp's callbacks */
	struct evbuffer *body;          /* owned or NULL: body test, the first HTTP_MAX_READ bytes */
	int status;                     /* 0 until the headers are in */
	int failed;                     /* evhttp's error callback ran */
	int err;                        /* errno when it ran */
	int decided;                    /* why[] holds the verdict; ignore further callbacks */
	int ok;
	char why[160];
};

void *check_http_tls_new(const struct check_conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (c->type != CHECK_HTTPS)
		return NULL;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_verify(ctx, c->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (c->ca_file ? SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1
		       : SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(err, errlen, "cannot load CA certificates%s%s", c->ca_file ? " from " : "",
			 c->ca_file ? c->ca_file : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void check_http_tls_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

static void http_release(struct probe *p)
{
	struct http_probe *h = p->impl;

	if (!h)
		return;
	if (h->conn)
		evhttp_connection_free(h->conn); /* no callbacks from here */
	if (h->fin)
		event_free(h->fin);
	if (h->body)
		evbuffer_free(h->body);
	free(h);
	p->impl = NULL;
}

static void fin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	char why[sizeof(h->why)];
	int ok = h->ok;

	(void)fd;
	(void)what;
	memcpy(why, h->why, sizeof(why));
	http_release(p);
	probe_finish(p, ok, "%s", why);
}

/* Note the verdict (the first one counts) and report it from fin_cb. */
static void decide(struct http_probe *h, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void decide(struct http_probe *h, int ok, const char *fmt, ...)
{
	va_list ap;

	if (h->decided)
		return;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	h->ok = ok;
	h->decided = 1;
	event_active(h->fin, EV_TIMEOUT, 1);
}

static int status_ok(const struct check_conf *c, int status)
{
	for (size_t i = 0; i < c->nstatus; i++)
		if (status >= c->status[i].lo && status <= c->status[i].hi)
			return 1;
	return 0;
}

static int header_value_matches(const struct check_conf *c, const char *value)
{
	size_t len;
	char *v;
	int m;

	value += strspn(value, " \t");
	for (len = strlen(value); len && (value[len - 1] == ' ' || value[len - 1] == '\t'); len--)
		;
	if (!(v = strndup(value, len)))
		return 0;
	m = c->hdr_re ? regexec(c->hdr_re, v, 0, NULL, 0) == 0 : strcmp(v, c->hdr_value) == 0;
	free(v);
	return m;
}

/* Any header of that name will do, as before evhttp: a repeated header
 * passes when one of its copies matches. */
static int header_ok(const struct check_conf *c, struct evhttp_request *req)
{
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;

	if (!evhttp_find_header(hdrs, c->hdr_name))
		return 0;
	TAILQ_FOREACH(kv, hdrs, next)
		if (strcasecmp(kv->key, c->hdr_name) == 0 && header_value_matches(c, kv->value))
			return 1;
	return 0;
}

/* The status line and headers are in: decide unless a body test is pending. */
static int http_header_cb(struct evhttp_request *req, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	const struct check_conf *c = p->check;

	h->status = evhttp_request_get_response_code(req);
	if (!status_ok(c, h->status))
		decide(h, 0, "HTTP %d", h->status);
	else if (c->hdr_name && !header_ok(c, req))
		decide(h, 0, "HTTP %d without \"%.40s: %.40s\"", h->status, c->hdr_name,
		       c->hdr_value ? c->hdr_value : "(regex)");
	else if (!c->body)
		decide(h, 1, "HTTP %d", h->status);
	return 0;
}

/* A piece of the body (evhttp drains it after this returns). */
static void http_chunk_cb(struct evhttp_request *req, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *want = p->check->body;
	size_t had, n;
	struct evbuffer_ptr from;

	if (h->decided || !h->body)
		return;
	n = strlen(want);
	had = evbuffer_get_length(h->body);
	evbuffer_remove_buffer(in, h->body, HTTP_MAX_READ - had);
	/* Only a match that ends in the new bytes is new. */
	evbuffer_ptr_set(h->body, &from, had >= n ? had - n + 1 : 0, EVBUFFER_PTR_SET);
	if (evbuffer_search(h->body, want, n, &from).pos >= 0)
		decide(h, 1, "HTTP %d, body matches", h->status);
	else if (evbuffer_get_length(h->body) >= HTTP_MAX_READ)
		decide(h, 0, "HTTP %d but the body lacks \"%.40s\"", h->status, want);
}

static void http_error_cb(enum evhttp_request_error e, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;

	h->err = EVUTIL_SOCKET_ERROR(); /* evhttp restores it for us */
	h->failed = (int)e + 1;
}

/* The most useful words for a TLS failure: the verify result if that was it. */
static void tls_reason(struct probe *p, char *buf, size_t len)
{
	struct http_probe *h = p->impl;
	SSL *ssl = bufferevent_openssl_get_ssl(h->bev);
	unsigned long e, first = 0;
	long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;

	/* libevent also queues bare SSL_get_error() codes (no library part),
	 * e.g. SSL_ERROR_SYSCALL when the TCP connection fails: not TLS errors. */
	while ((e = bufferevent_get_openssl_error(h->bev)) != 0)
		if (!first && ERR_GET_LIB(e) != 0)
			first = e;
	buf[0] = '\0';
	if (vr != X509_V_OK && p->check->verify)
		snprintf(buf, len, "TLS: certificate verify failed (%s)", X509_verify_cert_error_string(vr));
	else if (first)
		snprintf(buf, len, "TLS: %s", ERR_reason_error_string(first) ? ERR_reason_error_string(first) : "handshake failed");
}

/* Words for a request that ended without a verdict. evhttp reports a failed
 * connect (refused) through this callback without its error callback and
 * after overwriting errno, so that case is named here. */
static void failure_reason(struct probe *p, struct http_probe *h)
{
	char tls[140];
	int err = h->err;

	tls[0] = '\0';
	if (h->bev)
		tls_reason(p, tls, sizeof(tls));
	if (tls[0])
		decide(h, 0, "%s", tls);
	else if (!h->failed)
		decide(h, 0, "connection refused");
	else if (h->failed - 1 == EVREQ_HTTP_TIMEOUT)
		decide(h, 0, "timeout after %u ms", p->check->timeout_ms);
	else if (h->failed - 1 == EVREQ_HTTP_INVALID_HEADER || h->failed - 1 == EVREQ_HTTP_DATA_TOO_LONG)
		decide(h, 0, "not an HTTP response");
	else if (err && err != EAGAIN && err != EWOULDBLOCK && err != EINTR)
		decide(h, 0, "%s", probe_strerror(err));
	else if (h->status)
		decide(h, 0, "HTTP %d but the body lacks \"%.40s\"", h->status, p->check->body);
	else
		decide(h, 0, "connection closed before an HTTP response");
}

/* The request ended: req is NULL (or has no status) when it failed. The
 * body ends at the end of the response: the search failed. */
static void http_done_cb(struct evhttp_request *req, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;

	if (h->decided)
		return;
	if (!req || !evhttp_request_get_response_code(req) || !h->status)
		failure_reason(p, h);
	else
		decide(h, 0, "HTTP %d but the body lacks \"%.40s\"", h->status, p->check->body);
}

/* Host header value: the configured host, else the address ([v6]), plus a
 * non-default port. */
static void host_header(const struct probe *p, char *buf, size_t len)
{
	const struct check_conf *c = p->check;
	int dflt = c->type == CHECK_HTTPS ? 443 : 80;
	int v6 = !c->host && p->addr->family == AF_INET6;
	const char *h = c->host ? c->host : p->addr->text;

	if (c->port == dflt)
		snprintf(buf, len, "%s%s%s", v6 ? "[" : "", h, v6 ? "]" : "");
	else
		snprintf(buf, len, "%s%s%s:%d", v6 ? "[" : "", h, v6 ? "]" : "", c->port);
}

static SSL *make_ssl(struct probe *p)
{
	const struct check_conf *c = p->check;
	SSL *ssl = SSL_new(p->tls_ctx);

	if (!ssl)
		return NULL;
	if (c->host) {
		/* SNI carries host names only; an IP literal is checked but not sent. */
		struct pools_addr a;
		if (pools_addr_parse(c->host, &a) != 0)
			SSL_set_tlsext_host_name(ssl, c->host);
		if (c->verify && SSL_set1_host(ssl, c->host) != 1)
			goto fail;
	} else if (c->verify) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, p->addr->text) != 1)
			goto fail;
	}
	return ssl;
fail:
	SSL_free(ssl);
	return NULL;
}

/* https: the OpenSSL bufferevent evhttp will connect and talk through. */
static int tls_bufferevent(struct probe *p, struct http_probe *h)
{
	SSL *ssl = make_ssl(p);

	if (!ssl)
		return probe_fail_start(p, STEER_EINVAL, "TLS: cannot set up the connection");
	/* CLOSE_ON_FREE: freeing the bufferevent frees the SSL too. */
	h->bev = bufferevent_openssl_socket_new(p->env->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
						BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!h->bev) {
		SSL_free(ssl);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	bufferevent_openssl_set_allow_dirty_shutdown(h->bev, 1);
	return 0;
}

static struct evhttp_request *make_request(struct probe *p)
{
	struct evhttp_request *req = evhttp_request_new(http_done_cb, p);
	struct evkeyvalq *out;
	char host[300];

	if (!req)
		return NULL;
	evhttp_request_set_header_cb(req, http_header_cb);
	evhttp_request_set_chunked_cb(req, http_chunk_cb);
	evhttp_request_set_error_cb(req, http_error_cb);
	host_header(p, host, sizeof(host));
	out = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(out, "Host", host) || evhttp_add_header(out, "User-Agent", "steer-healthd/" STEER_VERSION) ||
	    evhttp_add_header(out, "Accept", "*/*") || evhttp_add_header(out, "Connection", "close")) {
		evhttp_request_free(req);
		return NULL;
	}
	return req;
}

static int http_connect(struct probe *p, struct http_probe *h)
{
	struct evhttp_request *req;
	/* evhttp's own timeout only backs up the scheduler's (probe.h). */
	struct timeval tv = { (time_t)(p->check->timeout_ms / 1000 + 1), (p->check->timeout_ms % 1000) * 1000 };

	h->conn = evhttp_connection_base_bufferevent_new(p->env->base, NULL, h->bev, p->addr->text,
							 (unsigned short)p->check->port);
	if (!h->conn) {
		if (h->bev)
			bufferevent_free(h->bev);
		h->bev = NULL;
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	evhttp_connection_set_family(h->conn, p->addr->family);
	evhttp_connection_set_timeout_tv(h->conn, &tv);
	evhttp_connection_set_retries(h->conn, 0);
	evhttp_connection_set_max_headers_size(h->conn, HTTP_MAX_HEADERS);
	if (!(req = make_request(p)))
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	/* On failure evhttp has freed req (and may have reported through fin). */
	if (evhttp_make_request(h->conn, req, EVHTTP_REQ_GET, p->check->path) != 0)
		return probe_fail_start(p, STEER_ENOMEM, "cannot start the HTTP request");
	return 0;
}

static int http_start(struct probe *p)
{
	struct http_probe *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	p->impl = h;
	h->fin = evtimer_new(p->env->base, fin_cb, p);
	if (!h->fin || (p->check->body && !(h->body = evbuffer_new()))) {
		http_release(p);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	if ((p->check->type == CHECK_HTTPS && (r = tls_bufferevent(p, h)) != 0) || (r = http_connect(p, h)) != 0) {
		http_release(p);
		return r;
	}
	return 0;
}

const struct probe_ops check_http_ops = { http_start, http_release };
