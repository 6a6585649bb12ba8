/* publish.c -- the health protocol on TCP+TLS (see publish.h). */
#include "config.h"
#include "healthd/publish.h"
#include "common/errors.h"
#include "common/health_conf.h"
#include "common/log.h"
#include "healthd/server.h"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct healthd_publish {
	struct event_base *base;          /* borrowed */
	SSL_CTX *ctx;                     /* owned */
	struct evconnlistener **lis;      /* owned, nlis of them */
	size_t nlis;
	struct healthd_server *srv;       /* borrowed; NULL until attached */
};

static void ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "%s %s: %s", what, file ? file : "",
		 e && ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
}

static SSL_CTX *make_ctx(const struct health_publish_conf *pc, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, pc->cert_file) != 1) {
		ssl_error(err, errlen, "healthd.publish.cert_file", pc->cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, pc->key_file, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errlen, "healthd.publish.key_file", pc->key_file);
		goto fail;
	}
	if (pc->client_ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, pc->client_ca_file, NULL) != 1) {
			ssl_error(err, errlen, "healthd.publish.client_ca_file", pc->client_ca_file);
			goto fail;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int healthd_publish_check(const struct health_publish_conf *pc, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (pc->listen.n == 0)
		return 0;
	if (!(ctx = make_ctx(pc, err, errlen)))
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct healthd_publish *p = arg;
	struct bufferevent *bev;
	SSL *ssl;

	if (!p->srv || !(ssl = SSL_new(p->ctx))) {
		close(fd);
		return;
	}
	/* The handshake (and a client certificate check) runs inside the
	 * bufferevent; a failed one arrives as an error event and closes. */
	bev = bufferevent_openssl_socket_new(p->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		close(fd);
		return;
	}
	healthd_server_add_remote(p->srv, bev);
}

struct healthd_publish *healthd_publish_new(struct event_base *base, const struct health_publish_conf *pc,
					    char *err, size_t errlen)
{
	struct healthd_publish *p = calloc(1, sizeof(*p));

	if (!p || !(p->lis = calloc(pc->listen.n + 1, sizeof(*p->lis)))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base = base;
	if (!(p->ctx = make_ctx(pc, err, errlen)))
		goto fail;
	for (size_t i = 0; i < pc->listen.n; i++) {
		struct sockaddr_storage ss;
		int len = sizeof(ss);

		evutil_parse_sockaddr_port(pc->listen.v[i], (struct sockaddr *)&ss, &len);
		p->lis[i] = evconnlistener_new_bind(base, accept_cb, p,
						    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE, 16,
						    (struct sockaddr *)&ss, len);
		if (!p->lis[i]) {
			snprintf(err, errlen, "healthd.publish.listen %s: %s", pc->listen.v[i], steer_strerror(-errno));
			goto fail;
		}
		p->nlis++;
	}
	return p;
fail:
	healthd_publish_free(p);
	return NULL;
}

void healthd_publish_attach(struct healthd_publish *p, struct healthd_server *srv)
{
	if (p)
		p->srv = srv;
}

void healthd_publish_free(struct healthd_publish *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nlis; i++)
		evconnlistener_free(p->lis[i]);
	free(p->lis);
	SSL_CTX_free(p->ctx);
	free(p);
}
