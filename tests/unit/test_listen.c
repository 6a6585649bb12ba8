/* test_listen.c -- listen address syntax and the sockets opened on it. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/net/listen.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

static uint16_t port_of(const struct listen_addr *a)
{
	return ntohs(a->ss.ss_family == AF_INET ? ((const struct sockaddr_in *)&a->ss)->sin_port
						: ((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

START_TEST(test_parse_good)
{
	static const struct {
		const char *text;
		int family, port, wildcard;
	} cases[] = {
		{ "127.0.0.1:5353", AF_INET, 5353, 0 }, { "[::1]:5353", AF_INET6, 5353, 0 },
		{ "0.0.0.0:53", AF_INET, 53, 1 },       { "[::]:53", AF_INET6, 53, 1 },
		{ "192.0.2.1", AF_INET, 53, 0 },        { "[2001:db8::1]", AF_INET6, 53, 0 },
		{ "2001:db8::1", AF_INET6, 53, 0 },     { "::", AF_INET6, 53, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listen_addr a;
		const char *why;
		ck_assert_msg(listen_parse(cases[i].text, &a, &why) == STEER_EOK, "%s: %s", cases[i].text, why);
		ck_assert_int_eq(a.ss.ss_family, cases[i].family);
		ck_assert_int_eq(port_of(&a), cases[i].port);
		ck_assert_int_eq(a.wildcard, cases[i].wildcard);
		ck_assert_str_eq(a.text, cases[i].text);
	}
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *bad[] = {
		"", ":53", "localhost:53", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
		"[::1", "[::1]x", "[::1]:", "[127.0.0.1]:53", "300.1.1.1:53", "[]:53",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct listen_addr a;
		const char *why = NULL;
		ck_assert_msg(listen_parse(bad[i], &a, &why) == STEER_EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_sockets)
{
	struct listen_addr a;
	const char *why;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int u1, u2, t1, t2;

	/* Port 0: the kernel picks one; reuse it for the second sockets. */
	ck_assert_int_eq(listen_parse("127.0.0.1:1", &a, &why), STEER_EOK);
	((struct sockaddr_in *)&a.ss)->sin_port = 0;
	t1 = listen_tcp_socket(&a, 16);
	ck_assert_int_ge(t1, 0);
	ck_assert_int_eq(getsockname(t1, (struct sockaddr *)&sin, &len), 0);
	((struct sockaddr_in *)&a.ss)->sin_port = sin.sin_port;
	/* UDP: two workers share the port through SO_REUSEPORT. */
	u1 = listen_udp_socket(&a);
	u2 = listen_udp_socket(&a);
	ck_assert_int_ge(u1, 0);
	ck_assert_int_ge(u2, 0);
	/* TCP: a second listener on the same port must fail (no REUSEPORT). */
	t2 = listen_tcp_socket(&a, 16);
	ck_assert_int_eq(t2, -EADDRINUSE);
	close(u1);
	close(u2);
	close(t1);
}
END_TEST

Suite *suite_listen(void)
{
	Suite *s = suite_create("listen");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_sockets);
	suite_add_tcase(s, tc);
	return s;
}
