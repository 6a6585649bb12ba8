/*
 * check_http.c -- the http and https checks: GET a path, judge the status
 * code and optionally the body.
 *
 * HTTP/1.0 with "Connection: close" over a bufferevent (OpenSSL-wrapped for
 * https), so the body ends at EOF and no chunked decoding is needed. With no
 * body test the verdict is known from the status line and the connection is
 * dropped right there. At most HTTP_MAX_READ bytes are read. With
 * "expect_header" the header lines are read up to the blank line (no
 * obsolete line folding; at most HTTP_MAX_HEADERS bytes) and one of them
 * must carry the name (any case) and the value (exact, or matching the
 * regex; surrounding blanks stripped).
 */
#include "config.h"
#include "healthd/probe.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
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
	struct bufferevent *bev; /* owned: the TCP bufferevent, or (https, once connected)
				  * the TLS filter that owns it; freeing it closes all */
	SSL *ssl;                /* borrowed from bev (https, once connected) */
	int status;              /* 0 until the status line is read */
	int headers_done;        /* expect_header: the blank line after the headers was read */
	int header_ok;           /* expect_header: a matching header was seen */
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
	if (h->bev)
		bufferevent_free(h->bev);
	free(h);
	p->impl = NULL;
}

static int status_ok(const struct check_conf *c, int status)
{
	for (size_t i = 0; i < c->nstatus; i++)
		if (status >= c->status[i].lo && status <= c->status[i].hi)
			return 1;
	return 0;
}

/* Finish with the status line verdict, or keep reading when a body test is
 * pending. Returns 1 when the probe ended. */
static int judge(struct probe *p, struct evbuffer *in, int eof)
{
	struct http_probe *h = p->impl;
	int status = h->status;

	if (!status_ok(p->check, status)) {
		http_release(p);
		probe_finish(p, 0, "HTTP %d", status);
		return 1;
	}
	if (!p->check->body) {
		http_release(p);
		probe_finish(p, 1, "HTTP %d", status);
		return 1;
	}
	if (evbuffer_search(in, p->check->body, strlen(p->check->body), NULL).pos >= 0) {
		http_release(p);
		probe_finish(p, 1, "HTTP %d, body matches", status);
		return 1;
	}
	if (eof || evbuffer_get_length(in) > HTTP_MAX_READ) {
		http_release(p);
		probe_finish(p, 0, "HTTP %d but the body lacks \"%.40s\"", status, p->check->body);
		return 1;
	}
	return 0;
}

static int header_matches(const struct check_conf *c, char *line)
{
	size_t n = strlen(c->hdr_name), len;
	char *v;

	if (strncasecmp(line, c->hdr_name, n) != 0 || line[n] != ':')
		return 0;
	for (v = line + n + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (len = strlen(v); len && (v[len - 1] == ' ' || v[len - 1] == '\t'); len--)
		v[len - 1] = 0;
	return c->hdr_re ? regexec(c->hdr_re, v, 0, NULL, 0) == 0 : strcmp(v, c->hdr_value) == 0;
}

/* expect_header: read header lines. Returns 1 when they are all read (and
 * one matched), 0 when more are needed, -1 when the probe ended. */
static int read_headers(struct probe *p, struct evbuffer *in, int eof)
{
	struct http_probe *h = p->impl;
	const struct check_conf *c = p->check;
	size_t len;
	char *line;

	while (!h->headers_done && (line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF)) != NULL) {
		if (len == 0)
			h->headers_done = 1;
		else if (header_matches(c, line))
			h->header_ok = 1;
		free(line);
	}
	if (!h->headers_done && !eof && evbuffer_get_length(in) <= HTTP_MAX_HEADERS)
		return 0;
	if (h->headers_done && h->header_ok)
		return 1;
	http_release(p);
	probe_finish(p, 0, "HTTP %d without \"%.40s: %.40s\"", h->status, c->hdr_name,
		     c->hdr_value ? c->hdr_value : "(regex)");
	return -1;
}

static int read_status_line(struct probe *p, struct evbuffer *in)
{
	struct http_probe *h = p->impl;
	size_t len;
	char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
	int minor, status;

	if (!line)
		return 0;
	if (sscanf(line, "HTTP/1.%d %d", &minor, &status) != 2 || status < 100 || status > 999) {
		free(line);
		http_release(p);
		probe_finish(p, 0, "not an HTTP response");
		return -1;
	}
	free(line);
	h->status = status;
	return 1;
}

static void http_read_cb(struct bufferevent *bev, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	struct evbuffer *in = bufferevent_get_input(bev);

	if (!h->status) {
		int r = read_status_line(p, in);
		if (r < 0)
			return;
		if (r == 0) {
			if (evbuffer_get_length(in) > 8192) {
				http_release(p);
				probe_finish(p, 0, "not an HTTP response");
			}
			return;
		}
	}
	/* A bad status fails at once (judge); a good one waits for the headers. */
	if (p->check->hdr_name && !h->headers_done && status_ok(p->check, h->status) && read_headers(p, in, 0) <= 0)
		return;
	judge(p, in, 0);
}

/* The most useful words for a TLS failure: the verify result if that was it. */
static void tls_reason(struct probe *p, char *buf, size_t len)
{
	struct http_probe *h = p->impl;
	unsigned long e, first = 0;
	long vr = h->ssl ? SSL_get_verify_result(h->ssl) : X509_V_OK;

	/* libevent also queues bare SSL_get_error() codes (no library part),
	 * e.g. SSL_ERROR_SYSCALL when the TCP connection fails: not TLS errors. */
	while ((e = bufferevent_get_openssl_error(h->bev)) != 0)
		if (!first && ERR_GET_LIB(e) != 0)
			first = e;
	if (vr != X509_V_OK && p->check->verify)
		snprintf(buf, len, "TLS: certificate verify failed (%s)", X509_verify_cert_error_string(vr));
	else if (first)
		snprintf(buf, len, "TLS: %s", ERR_reason_error_string(first) ? ERR_reason_error_string(first) : "handshake failed");
	else
		buf[0] = '\0';
}

static void http_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	char tls[140];
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_EOF) {
		/* A TLS filter may report EOF before its read callback has seen
		 * the last bytes: look at what is buffered first. */
		struct evbuffer *in = bufferevent_get_input(bev);
		if (!h->status && evbuffer_get_length(in) > 0 && read_status_line(p, in) < 0)
			return;
		if (h->status) {
			if (p->check->hdr_name && !h->headers_done && status_ok(p->check, h->status) &&
			    read_headers(p, in, 1) < 0)
				return;
			judge(p, in, 1);
			return;
		}
	}
	tls[0] = '\0';
	if (h->ssl)
		tls_reason(p, tls, sizeof(tls));
	http_release(p);
	if (tls[0])
		probe_finish(p, 0, "%s", tls);
	else if (what & BEV_EVENT_EOF)
		probe_finish(p, 0, "connection closed before an HTTP response");
	else
		probe_finish(p, 0, "%s", probe_strerror(err ? err : ECONNRESET));
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

static void send_request(struct probe *p)
{
	struct http_probe *h = p->impl;
	char host[300];

	host_header(p, host, sizeof(host));
	evbuffer_add_printf(bufferevent_get_output(h->bev),
			    "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: steer-healthd/" STEER_VERSION
			    "\r\nAccept: */*\r\nConnection: close\r\n\r\n",
			    p->check->path, host);
}

/* https: TCP is up; put TLS on top of it. Doing the two steps apart keeps a
 * refused connection ("connection refused") apart from a TLS failure. */
static void https_connect_cb(struct bufferevent *bev, short what, void *arg)
{
	struct probe *p = arg;
	struct http_probe *h = p->impl;
	struct bufferevent *tls;
	int err = EVUTIL_SOCKET_ERROR();

	if (!(what & BEV_EVENT_CONNECTED)) {
		http_release(p);
		probe_finish(p, 0, "%s", probe_strerror(err ? err : ECONNRESET));
		return;
	}
	if (!(h->ssl = make_ssl(p))) {
		http_release(p);
		probe_finish(p, 0, "TLS: cannot set up the connection");
		return;
	}
	tls = bufferevent_openssl_filter_new(p->env->base, bev, h->ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (!tls) {
		SSL_free(h->ssl);
		h->ssl = NULL;
		http_release(p);
		probe_finish(p, 0, "out of memory");
		return;
	}
	/* The filter owns the TCP bufferevent from here on. */
	h->bev = tls;
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	bufferevent_setcb(tls, http_read_cb, NULL, http_event_cb, p);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	send_request(p);
}

static int http_start(struct probe *p)
{
	struct http_probe *h = calloc(1, sizeof(*h));
	int https = p->check->type == CHECK_HTTPS;

	if (!h)
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	p->impl = h;
	h->bev = bufferevent_socket_new(p->env->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!h->bev) {
		http_release(p);
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	}
	bufferevent_setcb(h->bev, https ? NULL : http_read_cb, NULL, https ? https_connect_cb : http_event_cb, p);
	bufferevent_enable(h->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(h->bev, (struct sockaddr *)&p->sa, (int)p->salen) < 0) {
		int err = EVUTIL_SOCKET_ERROR();
		http_release(p);
		return probe_fail_start(p, -err, "%s", probe_strerror(err));
	}
	if (!https)
		send_request(p);
	return 0;
}

const struct probe_ops check_http_ops = { http_start, http_release };
