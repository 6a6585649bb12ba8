/* test_proxy.c -- PROXY protocol v2 (server/net/proxy.c): header parsing
 * from bytes written by hand after proxy-protocol.txt 2.2, the proxy_from
 * list, and the verdicts for datagrams and connection starts. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/net/proxy.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* A header into b: ver_cmd, fam_proto, then body of blen bytes (the
 * length field says blen + extra, for TLVs the caller appends). */
static size_t hdr(uint8_t *b, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t blen, size_t extra)
{
	memcpy(b, sig, 12);
	b[12] = ver_cmd;
	b[13] = fam;
	b[14] = (uint8_t)((blen + extra) >> 8);
	b[15] = (uint8_t)(blen + extra);
	if (blen)
		memcpy(b + 16, body, blen); /* body may be NULL when blen is 0 (UBSan: memcpy's argument) */
	return 16 + blen;
}

/* 203.0.113.7:5353 -> 192.0.2.1:53 */
static const uint8_t inet_body[12] = { 203, 0, 113, 7, 192, 0, 2, 1, 0x14, 0xe9, 0, 53 };

static struct sockaddr_in sin_of(const char *ip, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };
	ck_assert_int_eq(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return s;
}

START_TEST(test_parse_inet)
{
	uint8_t b[64];
	struct proxy_hdr h;
	size_t n = hdr(b, 0x21, 0x12, inet_body, sizeof(inet_body), 0);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&h.src;

	ck_assert_int_eq(proxy_parse(b, n, &h), 1);
	ck_assert_uint_eq(h.len, 28);
	ck_assert_int_eq(h.local, 0);
	ck_assert_int_eq(h.stream, 2); /* DGRAM */
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 5353);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0xcb007107u);
	/* every prefix of it: more needed (never "not a header" or broken) */
	for (size_t k = 1; k < n; k++)
		ck_assert_int_eq(proxy_parse(b, k, &h), -1);
}
END_TEST

START_TEST(test_parse_inet6_tlv)
{
	uint8_t body[36] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42, [16] = 0x20, [17] = 0x01, [31] = 1, [32] = 0x30,
			     [33] = 0x39, [35] = 53 };
	uint8_t b[128];
	struct proxy_hdr h;
	size_t n = hdr(b, 0x21, 0x21, body, sizeof(body), 7);
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&h.src;
	char txt[64];

	/* a TLV (PP2_TYPE_AUTHORITY "dns", 3 bytes + 4 of padding) follows */
	memcpy(b + n, "\x02\x00\x04" "dns" "\x00", 7);
	ck_assert_int_eq(proxy_parse(b, n + 7, &h), 1);
	ck_assert_uint_eq(h.len, 16 + 36 + 7);
	ck_assert_int_eq(h.stream, 1);
	ck_assert_int_eq(s6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(s6->sin6_port), 12345);
	inet_ntop(AF_INET6, &s6->sin6_addr, txt, sizeof(txt));
	ck_assert_str_eq(txt, "2001:db8::42");
	/* the TLVs need not be there for the parse: the length says they come */
	ck_assert_int_eq(proxy_parse(b, n, &h), 1);
	ck_assert_uint_eq(h.len, 16 + 36 + 7);
}
END_TEST

START_TEST(test_parse_local_unspec)
{
	uint8_t b[300], unix_body[216] = { 0 };
	struct proxy_hdr h;
	size_t n;

	/* LOCAL (a proxy's own health check), no address block */
	n = hdr(b, 0x20, 0x00, NULL, 0, 0);
	ck_assert_int_eq(proxy_parse(b, n, &h), 1);
	ck_assert_int_eq(h.local, 1);
	ck_assert_uint_eq(h.len, 16);
	/* LOCAL with an address block: the addresses are ignored */
	n = hdr(b, 0x20, 0x11, inet_body, sizeof(inet_body), 0);
	ck_assert_int_eq(proxy_parse(b, n, &h), 1);
	ck_assert_int_eq(h.local, 1);
	/* PROXY for AF_UNIX: no IP to use, the connection's address counts */
	n = hdr(b, 0x21, 0x31, unix_body, sizeof(unix_body), 0);
	ck_assert_int_eq(proxy_parse(b, n, &h), 1);
	ck_assert_int_eq(h.local, 1);
	ck_assert_uint_eq(h.len, 16 + 216);
}
END_TEST

START_TEST(test_parse_broken)
{
	uint8_t b[64];
	struct proxy_hdr h;
	size_t n;

	/* not the signature: a DNS query */
	ck_assert_int_eq(proxy_parse((const uint8_t *)"\x12\x34\x01\x00\x00\x01", 6, &h), 0);
	memcpy(b, sig, 12);
	b[5] = 0;
	ck_assert_int_eq(proxy_parse(b, 16, &h), 0);
	/* version 1 in the binary form, version 3; command 2; family 4;
	 * transport 3; a length too short for IPv6 addresses */
	static const uint8_t bad[][2] = { { 0x11, 0x11 }, { 0x31, 0x11 }, { 0x22, 0x11 },
					  { 0x21, 0x41 }, { 0x21, 0x13 }, { 0x21, 0x21 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = hdr(b, bad[i][0], bad[i][1], inet_body, sizeof(inet_body), 0);
		ck_assert_msg(proxy_parse(b, n, &h) == -2, "%02x %02x is not refused", bad[i][0], bad[i][1]);
	}
	/* the text form of version 1 is no binary header */
	ck_assert_int_eq(proxy_parse((const uint8_t *)"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 32, &h), 0);
}
END_TEST

static struct proxy_acl *acl_of(const char *const *list, size_t n)
{
	struct conf_strlist l = { (char **)list, n };
	struct proxy_acl *acl;

	ck_assert_int_eq(proxy_acl_new(&l, &acl), 0);
	return acl;
}

START_TEST(test_acl)
{
	static const char *const list[] = { "127.0.0.0/8", "2001:db8:a::/48", "192.0.2.1" };
	struct proxy_acl *acl = acl_of(list, 3);
	struct sockaddr_in a = sin_of("127.9.9.9", 1), b = sin_of("128.0.0.1", 1), c = sin_of("192.0.2.1", 1),
			   d = sin_of("192.0.2.2", 1);
	struct sockaddr_in6 e = { .sin6_family = AF_INET6 }, f = { .sin6_family = AF_INET6 };

	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&a), 1);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&b), 0);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&c), 1);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&d), 0);
	inet_pton(AF_INET6, "2001:db8:a:ffff::1", &e.sin6_addr);
	inet_pton(AF_INET6, "2001:db8:b::1", &f.sin6_addr);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&e), 1);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&f), 0);
	/* an IPv4-mapped source (a dual-stack socket) is the IPv4 address */
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &f.sin6_addr);
	ck_assert_int_eq(proxy_acl_match(acl, (struct sockaddr *)&f), 1);
	ck_assert_int_eq(proxy_acl_match(NULL, (struct sockaddr *)&a), 0);
	proxy_acl_free(acl);
	/* nothing listed: no acl at all */
	ck_assert_ptr_null(acl_of(NULL, 0));
}
END_TEST

START_TEST(test_conf_check)
{
	static const char *const bad[] = { "10.0.0.1/8", "banana", "::1/129", "10.0.0.0/8" };
	char *path = test_write_temp(".json", "{\n  \"server\": {\n    \"proxy_from\": [\"x\"]\n  }\n}\n");
	struct conf_strlist l = { (char **)bad, 4 };
	struct conf_file cf;
	struct errlist errs;
	struct proxy_acl *acl;

	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
	ck_assert_int_eq(proxy_conf_check(&cf, &l, &errs), 3);
	ck_assert(test_has_error(&errs, path, "3: server/proxy_from: \"10.0.0.1/8\": host bits are set after the "
					      "prefix length"));
	ck_assert(test_has_error(&errs, path, "3: server/proxy_from: \"banana\": expected an address or a prefix "
					      "such as 127.0.0.0/8 or ::1/128"));
	ck_assert_int_eq(proxy_acl_new(&l, &acl), STEER_EINVAL);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	free(path);
}
END_TEST

/* A DNS query after an optional header, from peer; the verdict. */
static enum proxy_verdict datagram(const struct proxy_acl *acl, const char *peer_ip, const uint8_t *pkt, size_t len,
				   size_t *dns_off, struct sockaddr_storage *client)
{
	struct sockaddr_in peer = sin_of(peer_ip, 40000);
	const uint8_t *m = pkt;
	size_t l = len;
	socklen_t cl = 0;
	enum proxy_verdict v = proxy_datagram(acl, (struct sockaddr *)&peer, sizeof(peer), &m, &l, client, &cl);

	*dns_off = (size_t)(m - pkt);
	ck_assert_uint_eq(*dns_off + l, len);
	return v;
}

START_TEST(test_datagram_verdicts)
{
	static const char *const list[] = { "127.0.0.1" };
	static const uint8_t query[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 };
	struct proxy_acl *acl = acl_of(list, 1);
	struct sockaddr_storage client;
	uint8_t pkt[128];
	size_t n = hdr(pkt, 0x21, 0x12, inet_body, sizeof(inet_body), 0), off;

	memcpy(pkt + n, query, sizeof(query));
	/* listed source, header: the client is the header's, the DNS message after it */
	ck_assert_int_eq(datagram(acl, "127.0.0.1", pkt, n + sizeof(query), &off, &client), PROXY_ACCEPTED);
	ck_assert_uint_eq(off, n);
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&client)->sin_addr.s_addr), 0xcb007107u);
	/* unlisted source with a header: dropped, whatever the list */
	ck_assert_int_eq(datagram(acl, "127.0.0.2", pkt, n + sizeof(query), &off, &client), PROXY_UNLISTED);
	ck_assert_int_eq(datagram(NULL, "127.0.0.1", pkt, n + sizeof(query), &off, &client), PROXY_UNLISTED);
	/* listed source without one: dropped; unlisted: as usual, client = peer */
	ck_assert_int_eq(datagram(acl, "127.0.0.1", query, sizeof(query), &off, &client), PROXY_MISSING);
	ck_assert_int_eq(datagram(acl, "127.0.0.9", query, sizeof(query), &off, &client), PROXY_PLAIN);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&client)->sin_addr.s_addr), 0x7f000009u);
	/* a header cut short, or longer than the datagram: malformed */
	ck_assert_int_eq(datagram(acl, "127.0.0.1", pkt, 20, &off, &client), PROXY_MALFORMED);
	pkt[15] = 200;
	ck_assert_int_eq(datagram(acl, "127.0.0.1", pkt, n + sizeof(query), &off, &client), PROXY_MALFORMED);
	/* LOCAL: the proxy asks for itself */
	n = hdr(pkt, 0x20, 0x00, NULL, 0, 0);
	memcpy(pkt + n, query, sizeof(query));
	ck_assert_int_eq(datagram(acl, "127.0.0.1", pkt, n + sizeof(query), &off, &client), PROXY_ACCEPTED);
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&client)->sin_addr.s_addr), 0x7f000001u);
	/* a short packet that starts like the signature is no header */
	ck_assert_int_eq(datagram(NULL, "127.0.0.9", sig, 5, &off, &client), PROXY_PLAIN);
	proxy_acl_free(acl);
}
END_TEST

START_TEST(test_stream_start)
{
	uint8_t b[128];
	size_t n = hdr(b, 0x21, 0x11, inet_body, sizeof(inet_body), 4), consume;
	struct sockaddr_storage client;
	socklen_t cl = 0;

	memset(b + n, 0, 4); /* 4 bytes of PP2_TYPE_NOOP TLV */
	/* listed: wait until the addresses are in, then drain header and TLVs */
	ck_assert_int_eq(proxy_stream_start(1, b, 10, &consume, &client, &cl), -1);
	ck_assert_int_eq(proxy_stream_start(1, b, 20, &consume, &client, &cl), -1);
	ck_assert_int_eq(proxy_stream_start(1, b, n, &consume, &client, &cl), PROXY_ACCEPTED);
	ck_assert_uint_eq(consume, n + 4);
	ck_assert_uint_eq(cl, sizeof(struct sockaddr_in));
	/* listed without a header: the first byte of a DNS length says so */
	ck_assert_int_eq(proxy_stream_start(1, (const uint8_t *)"\x00\x1d", 2, &consume, &client, &cl),
			 PROXY_MISSING);
	/* unlisted: the signature alone decides, plain DNS goes on */
	ck_assert_int_eq(proxy_stream_start(0, b, 6, &consume, &client, &cl), -1);
	ck_assert_int_eq(proxy_stream_start(0, b, 12, &consume, &client, &cl), PROXY_UNLISTED);
	ck_assert_int_eq(proxy_stream_start(0, (const uint8_t *)"\x00\x1d", 2, &consume, &client, &cl),
			 PROXY_PLAIN);
	ck_assert_uint_eq(consume, 0);
	b[12] = 0x41;
	ck_assert_int_eq(proxy_stream_start(1, b, n, &consume, &client, &cl), PROXY_MALFORMED);
}
END_TEST

Suite *suite_proxy(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_inet);
	tcase_add_test(tc, test_parse_inet6_tlv);
	tcase_add_test(tc, test_parse_local_unspec);
	tcase_add_test(tc, test_parse_broken);
	tcase_add_test(tc, test_acl);
	tcase_add_test(tc, test_conf_check);
	tcase_add_test(tc, test_datagram_verdicts);
	tcase_add_test(tc, test_stream_start);
	suite_add_tcase(s, tc);
	return s;
}
