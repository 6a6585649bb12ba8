/* test_limit.c -- server/limit: RFC 9018 server cookies (the vectors of its
 * Appendix A), the RRL table, and both through answer_query() with crafted
 * packets (COOKIE echo, FORMERR, BADCOOKIE, slip with EDE, NSID). */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/limit/cookie.h"
#include "server/limit/limit_conf.h"
#include "server/limit/rrl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static size_t ip_bytes(const char *text, uint8_t *out)
{
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	ck_assert_int_eq(inet_pton(AF_INET6, text, out), 1);
	return 16;
}

/* RFC 9018 Appendix A: secret, client cookie, client address, time, and
 * the server cookie it gives. */
static const struct vector {
	const char *secret, *client, *ip;
	uint32_t now;
	const char *want;
} vectors[] = {
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559731985,
	  "010000005cf79f111f8130c3eee29480" },
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559734385,
	  "010000005cf7a871d4a564a1442aca77" },
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "fc93fc62807ddb86", "203.0.113.203", 1559734700,
	  "010000005cf7a9acf73a7810aca2381e" },
	{ "445536bcd2513298075a5d379663c962", "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961,
	  "010000005cf7c609a6bb79d16625507a" },
};

START_TEST(rfc9018_vectors)
{
	struct cookie_mac *m = cookie_mac_new();
	const struct vector *v = &vectors[_i];
	uint8_t secret[16], cc[8], ip[16], want[16], got[16];
	size_t iplen = ip_bytes(v->ip, ip);

	ck_assert_ptr_nonnull(m);
	unhex(v->secret, secret);
	unhex(v->client, cc);
	unhex(v->want, want);
	ck_assert_int_eq(cookie_make(m, secret, cc, ip, iplen, v->now, got), 0);
	ck_assert_mem_eq(got, want, 16);
	cookie_mac_free(m);
}
END_TEST

static enum cookie_verdict check(const struct cookie_keys *k, const char *cookie, const char *ip, uint32_t now,
				 int *renew)
{
	struct cookie_mac *m = cookie_mac_new();
	uint8_t c[40], a[16];
	size_t alen = ip_bytes(ip, a);
	enum cookie_verdict v;

	unhex(cookie, c);
	v = cookie_check(m, k, c, strlen(cookie) / 2, a, alen, now, renew);
	cookie_mac_free(m);
	return v;
}

START_TEST(rfc9018_checks)
{
	struct cookie_keys k = { 0 };
	int renew;

	unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", k.secret);
	/* A.1: a client cookie alone is a first contact. */
	ck_assert_int_eq(check(&k, "2464c4abcf10c957", "198.51.100.100", 1559731985, &renew), COOKIE_CLIENT_ONLY);
	/* A.2: the cookie of A.1, 40 minutes later: ours, and due for renewal. */
	ck_assert_int_eq(check(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100", 1559734385,
			       &renew), COOKIE_VALID);
	ck_assert_int_eq(renew, 1);
	/* Ten minutes after it was made: echoed as it is. */
	ck_assert_int_eq(check(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100",
			       1559731985 + 600, &renew), COOKIE_VALID);
	ck_assert_int_eq(renew, 0);
	/* The same cookie from another address, or with a flipped hash bit. */
	ck_assert_int_eq(check(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.101",
			       1559731985, &renew), COOKIE_INVALID);
	ck_assert_int_eq(check(&k, "2464c4abcf10c957010000005cf79f111f8130c3eee29481", "198.51.100.100",
			       1559731985, &renew), COOKIE_INVALID);
	/* A.3: Reserved bytes set by the client are hashed as sent (checked
	 * near its timestamp 0x5cf78f71: at the RFC's reply time it is older
	 * than our one-hour lifetime). */
	ck_assert_int_eq(check(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203",
			       0x5cf78f71 + 10, &renew), COOKIE_VALID);
	ck_assert_int_eq(check(&k, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", "203.0.113.203", 1559734700,
			       &renew), COOKIE_INVALID);
	/* A.4: after the rollover the old secret's cookie is accepted as the
	 * previous secret, and renewed; without it, it is not ours. */
	unhex("445536bcd2513298075a5d379663c962", k.secret);
	ck_assert_int_eq(check(&k, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
			       "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, &renew), COOKIE_INVALID);
	unhex("dd3bdf9344b678b185a6f5cb60fca715", k.previous);
	k.has_previous = 1;
	ck_assert_int_eq(check(&k, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
			       "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, &renew), COOKIE_VALID);
	ck_assert_int_eq(renew, 1);
	/* Another version or another length of server cookie: not ours. */
	ck_assert_int_eq(check(&k, "22681ab97d52c298020000005cf7c57926556bd0934c72f8",
			       "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, &renew), COOKIE_INVALID);
	ck_assert_int_eq(check(&k, "22681ab97d52c2980100000000000000", "192.0.2.1", 1, &renew), COOKIE_INVALID);
}
END_TEST

START_TEST(cookie_window)
{
	const uint32_t now = 1559731985;

	ck_assert(cookie_time_ok(now, now));
	ck_assert(cookie_time_ok(now - 3600, now));
	ck_assert(!cookie_time_ok(now - 3601, now));
	ck_assert(cookie_time_ok(now + 300, now));
	ck_assert(!cookie_time_ok(now + 301, now));
	ck_assert(cookie_time_ok(4294964696u, 1000)); /* an hour old across the wrap */
}
END_TEST

/* --- RRL table ------------------------------------------------------------- */

static struct sockaddr_in v4(const char *a)
{
	struct sockaddr_in s = { .sin_family = AF_INET };
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct rrl_conf rrl_conf(void)
{
	struct rrl_conf c = { .on = 1, .rate = 5, .slip = 2, .window = 2, .v4_prefix = 24, .v6_prefix = 56,
			      .table_size = 1024 };
	return c;
}

static enum rrl_action acc(struct rrl_table *t, const struct rrl_conf *c, const char *a, enum rrl_kind k,
			   uint64_t h, uint32_t now)
{
	struct sockaddr_in s = v4(a);
	return rrl_account(t, c, (const struct sockaddr *)&s, k, h, now);
}

START_TEST(rrl_rate_slip_window)
{
	struct rrl_conf c = rrl_conf();
	struct rrl_table *t = rrl_table_new(c.table_size);
	int drops = 0, slips = 0;

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(acc(t, &c, "192.0.2.1", RRL_ANSWER, 7, 100), RRL_PASS);
	/* Over the rate: every second one slips (TC), the others drop. */
	for (int i = 0; i < 10; i++) {
		enum rrl_action a = acc(t, &c, "192.0.2.1", RRL_ANSWER, 7, 100);
		drops += a == RRL_DROP;
		slips += a == RRL_SLIP;
	}
	ck_assert_int_eq(drops, 5);
	ck_assert_int_eq(slips, 5);
	/* The same /24, another kind or name, another /24: their own buckets. */
	ck_assert_int_ne(acc(t, &c, "192.0.2.200", RRL_ANSWER, 7, 100), RRL_PASS);
	ck_assert_int_eq(acc(t, &c, "192.0.2.1", RRL_ANSWER, 8, 100), RRL_PASS);
	ck_assert_int_eq(acc(t, &c, "192.0.2.1", RRL_NXDOMAIN, 7, 100), RRL_PASS);
	ck_assert_int_eq(acc(t, &c, "192.0.3.1", RRL_ANSWER, 7, 100), RRL_PASS);
	/* In debt down to -window * rate: a second later still limited... */
	ck_assert_int_ne(acc(t, &c, "192.0.2.1", RRL_ANSWER, 7, 101), RRL_PASS);
	/* ... answered again once the debt is paid (2 s of quiet, 5/s). */
	ck_assert_int_eq(acc(t, &c, "192.0.2.1", RRL_ANSWER, 7, 104), RRL_PASS);
	rrl_table_free(t);
}
END_TEST

START_TEST(rrl_slip_settings)
{
	struct rrl_conf c = rrl_conf();
	struct rrl_table *t = rrl_table_new(64);

	c.rate = 1;
	c.slip = 0; /* never slip */
	ck_assert_int_eq(acc(t, &c, "198.51.100.1", RRL_ERROR, 0, 5), RRL_PASS);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(acc(t, &c, "198.51.100.1", RRL_ERROR, 0, 5), RRL_DROP);
	c.slip = 1; /* every limited response slips */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(acc(t, &c, "198.51.100.1", RRL_ERROR, 0, 5), RRL_SLIP);
	rrl_table_free(t);
}
END_TEST

START_TEST(rrl_table_bounded)
{
	struct rrl_conf c = rrl_conf();
	struct rrl_table *t = rrl_table_new(64);
	char a[32];

	ck_assert_uint_eq(rrl_table_slots(t), 64);
	/* 10,000 prefixes through 64 slots: old buckets are reused, nothing grows. */
	for (int i = 0; i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		ck_assert_int_eq(acc(t, &c, a, RRL_ANSWER, 1, 200), RRL_PASS);
	}
	ck_assert_uint_eq(rrl_table_slots(t), 64);
	rrl_table_free(t);
	t = rrl_table_new(1000);
	ck_assert_uint_eq(rrl_table_slots(t), 1024);
	rrl_table_free(t);
}
END_TEST

START_TEST(rrl_table_follows_config)
{
	struct rrl_conf c = rrl_conf();
	struct rrl_table *t = rrl_table_sync(NULL, &c, 0), *same;

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(rrl_table_slots(t), 1024);
	same = rrl_table_sync(t, &c, 0); /* unchanged: the same table, its buckets kept */
	ck_assert_ptr_eq(same, t);
	c.table_size = 5000; /* a reload with another size: a new table of 8192 */
	t = rrl_table_sync(same, &c, 0);
	ck_assert_uint_eq(rrl_table_slots(t), 8192);
	c.on = 0; /* the section removed: no table */
	ck_assert_ptr_null(rrl_table_sync(t, &c, 0));
	ck_assert_ptr_null(rrl_table_sync(NULL, NULL, 0));
}
END_TEST

START_TEST(rrl_exempt_nets)
{
	struct rrl_conf c = rrl_conf();
	struct sockaddr_in in = v4("192.0.2.77"), out = v4("192.0.3.1");
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	c.nexempt = 2;
	c.exempt[0] = (struct rrl_net){ .family = AF_INET, .bits = 24 };
	inet_pton(AF_INET, "192.0.2.0", c.exempt[0].addr);
	c.exempt[1] = (struct rrl_net){ .family = AF_INET6, .bits = 32 };
	inet_pton(AF_INET6, "2001:db8::", c.exempt[1].addr);
	ck_assert(rrl_exempt(&c, (const struct sockaddr *)&in));
	ck_assert(!rrl_exempt(&c, (const struct sockaddr *)&out));
	inet_pton(AF_INET6, "2001:db8:1::5", &s6.sin6_addr);
	ck_assert(rrl_exempt(&c, (const struct sockaddr *)&s6));
	inet_pton(AF_INET6, "2001:db9::5", &s6.sin6_addr);
	ck_assert(!rrl_exempt(&c, (const struct sockaddr *)&s6));
}
END_TEST

START_TEST(nsid_values)
{
	uint8_t out[NSID_MAX];
	const char *why;
	char big[NSID_MAX + 2];

	ck_assert_int_eq(limit_nsid_parse("ns1.example", out, &why), 11);
	ck_assert_mem_eq(out, "ns1.example", 11);
	ck_assert_int_eq(limit_nsid_parse("hex:00ff10", out, &why), 3);
	ck_assert_mem_eq(out, "\x00\xff\x10", 3);
	ck_assert_int_eq(limit_nsid_parse("hex:0f1", out, &why), -1);
	ck_assert_int_eq(limit_nsid_parse("hex:zz", out, &why), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ck_assert_int_eq(limit_nsid_parse(big, out, &why), -1);
}
END_TEST

/* --- through answer_query() ------------------------------------------------ */

/* example.com A IN with an OPT carrying options opts[0..olen). */
static size_t make_query(uint8_t *q, const uint8_t *opts, size_t olen)
{
	static const uint8_t head[] = { 0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
					7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
					0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0 };
	size_t n = sizeof(head);

	memcpy(q, head, n);
	q[n++] = (uint8_t)(olen >> 8);
	q[n++] = (uint8_t)olen;
	if (olen)
		memcpy(q + n, opts, olen);
	return n + olen;
}

/* The data of option code in the OPT record of response r (the last RR),
 * or NULL; *len its length. Walks the options from the OPT's RDATA. */
static const uint8_t *find_option(const uint8_t *r, size_t rlen, uint16_t code, size_t *len)
{
	/* Our responses to make_query(): header, question (17 bytes), no
	 * other records when the rcode is not NOERROR, then OPT. */
	size_t p = 12 + 17 + 1 + 10;

	if (rlen < p)
		return NULL;
	for (size_t end = rlen; p + 4 <= end; p += 4 + (size_t)(r[p + 2] << 8 | r[p + 3]))
		if ((r[p] << 8 | r[p + 1]) == code) {
			*len = (size_t)(r[p + 2] << 8 | r[p + 3]);
			return r + p + 4;
		}
	return NULL;
}

/* The clock the RRL buckets use (guard.c reads CLOCK_REALTIME_COARSE). */
static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return ts.tv_sec;
}

struct world {
	struct answer_scratch *scratch;
	struct limit_conf limit;
	struct answer_env env;
	struct sockaddr_in client;
	struct rrl_table *rrl;
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->scratch = answer_scratch_new();
	w->limit.cookies.on = 1;
	unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", w->limit.cookies.keys.secret);
	w->limit.rrl = rrl_conf();
	w->env = (struct answer_env){ .udp_payload = 1232, .limit = &w->limit, .nsid = (const uint8_t *)"ns-test",
				      .nsid_len = 7 };
	w->client = v4("198.51.100.100");
	w->rrl = rrl_table_new(64);
	answer_scratch_set_rrl(w->scratch, w->rrl);
}

static void world_clear(struct world *w)
{
	answer_scratch_free(w->scratch);
	rrl_table_free(w->rrl);
}

static void ask(struct world *w, const uint8_t *q, size_t qlen, uint8_t *resp, struct answer_result *res)
{
	struct answer_client c = { (const struct sockaddr *)&w->client, sizeof(w->client), 0 };
	answer_query(w->scratch, &w->env, NULL, &c, q, qlen, resp, 4096, res);
}

START_TEST(answer_cookie_echo_and_formerr)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57 };
	static const uint8_t bad[] = { 0, 10, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t nsid[] = { 0, 3, 0, 0 };
	struct world w;
	uint8_t q[512], r[4096];
	struct answer_result res;
	const uint8_t *o;
	size_t olen;

	world_init(&w);
	ask(&w, q, make_query(q, cookie, sizeof(cookie)), r, &res);
	ck_assert_uint_eq(res.cookie, COOKIE_CLIENT_ONLY);
	o = find_option(r, res.len, 10, &olen);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(olen, 24);
	ck_assert_mem_eq(o, cookie + 4, 8);          /* the client cookie first */
	ck_assert_uint_eq(o[8], 1);                  /* version 1 */
	/* Send it back: valid, and not rate-limited however often. */
	uint8_t full[4 + 24] = { 0, 10, 0, 24 };
	memcpy(full + 4, o, 24);
	for (int i = 0; i < 50; i++) {
		ask(&w, q, make_query(q, full, sizeof(full)), r, &res);
		ck_assert_uint_eq(res.cookie, COOKIE_VALID);
		ck_assert_uint_eq(res.limited, ANSWER_LIMIT_NONE);
		ck_assert_uint_gt(res.len, 0);
	}
	/* RFC 7873 5.2.2: 12 bytes (a server cookie of 4) is FORMERR. */
	ask(&w, q, make_query(q, bad, sizeof(bad)), r, &res);
	ck_assert_uint_eq(res.rcode, 1);
	/* NSID asked: ours, and EDE 14 (nothing loaded) on this REFUSED. */
	ask(&w, q, make_query(q, nsid, sizeof(nsid)), r, &res);
	o = find_option(r, res.len, 3, &olen);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(olen, 7);
	ck_assert_mem_eq(o, "ns-test", 7);
	o = find_option(r, res.len, 15, &olen);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o[0] << 8 | o[1], 14);
	world_clear(&w);
}
END_TEST

/* One plain query; 1 when it came back slipped (TC, EDE 0). */
static int ask_slip(struct world *w, uint8_t *q, uint8_t *r, int *sent)
{
	struct answer_result res;
	const uint8_t *o;
	size_t olen;

	ask(w, q, make_query(q, NULL, 0), r, &res);
	*sent += res.len > 0;
	if (res.limited != ANSWER_LIMIT_SLIP)
		return 0;
	ck_assert(r[2] & 0x02); /* TC */
	o = find_option(r, res.len, 15, &olen);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o[0] << 8 | o[1], 0); /* EDE 0, "rate limited" */
	ck_assert_uint_eq(olen, 2 + strlen("rate limited"));
	return 1;
}

START_TEST(answer_rrl_slip_and_badcookie)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct world w;
	uint8_t q[512], r[4096];
	struct answer_result res;
	int sent = 0, slipped = 0;
	const uint8_t *o;
	size_t olen;

	for (int tries = 0; tries < 3; tries++) {
		time_t t0 = now_s();
		sent = slipped = 0;
		world_init(&w);
		for (int i = 0; i < 20; i++)
			slipped += ask_slip(&w, q, r, &sent);
		if (now_s() == t0 || tries == 2)
			break; /* the buckets refill each second: judge a run within one */
		world_clear(&w);
	}
	/* 5 within the rate, then half of the 15 over it slip. */
	ck_assert_int_eq(slipped, 7);
	ck_assert_int_eq(sent, 12);
	/* With require_over_limit, a client cookie over the limit gets BADCOOKIE
	 * with a fresh server cookie. */
	w.limit.cookies.require_over_limit = 1;
	ask(&w, q, make_query(q, cookie, sizeof(cookie)), r, &res);
	ck_assert_uint_eq(res.limited, ANSWER_LIMIT_BADCOOKIE);
	ck_assert_uint_eq(res.rcode, 23);
	ck_assert_uint_eq(r[3] & 0x0f, 23 & 0x0f);
	o = find_option(r, res.len, 10, &olen);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(olen, 24);
	/* Over TCP nothing is limited. */
	struct answer_client tcp = { (const struct sockaddr *)&w.client, sizeof(w.client), 1 };
	answer_query(w.scratch, &w.env, NULL, &tcp, q, make_query(q, NULL, 0), r, 65535, &res);
	ck_assert_uint_eq(res.limited, ANSWER_LIMIT_NONE);
	world_clear(&w);
}
END_TEST

START_TEST(answer_rrl_formerr)
{
	static const uint8_t bad[] = { 0, 10, 0, 4, 1, 2, 3, 4 }; /* a 4-byte COOKIE: FORMERR */
	struct world w;
	uint8_t q[512], r[4096];
	struct answer_result res;
	int limited = 0;

	for (int tries = 0; tries < 3; tries++) {
		time_t t0 = now_s();
		world_init(&w);
		limited = 0;
		for (int i = 0; i < 20; i++) {
			ask(&w, q, make_query(q, bad, sizeof(bad)), r, &res);
			ck_assert_uint_eq(res.malformed, 1);
			limited += res.limited != ANSWER_LIMIT_NONE;
		}
		world_clear(&w);
		if (now_s() == t0)
			break; /* the buckets refill each second: judge a run within one */
	}
	/* Errors from the parser count against the prefix's error bucket too. */
	ck_assert_int_eq(limited, 15);
}
END_TEST

Suite *suite_limit(void)
{
	Suite *s = suite_create("limit");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, rfc9018_vectors, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, rfc9018_checks);
	tcase_add_test(tc, cookie_window);
	tcase_add_test(tc, rrl_rate_slip_window);
	tcase_add_test(tc, rrl_slip_settings);
	tcase_add_test(tc, rrl_table_bounded);
	tcase_add_test(tc, rrl_table_follows_config);
	tcase_add_test(tc, rrl_exempt_nets);
	tcase_add_test(tc, nsid_values);
	tcase_add_test(tc, answer_cookie_echo_and_formerr);
	tcase_add_test(tc, answer_rrl_slip_and_badcookie);
	tcase_add_test(tc, answer_rrl_formerr);
	suite_add_tcase(s, tc);
	return s;
}
