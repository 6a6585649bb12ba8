/* test_dnstap.c -- dnstap frames: the encoder against protobuf-c's decoder,
 * and the whole path (answering thread -> fstrm I/O thread -> file) read
 * back with fstrm's own reader. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/metrics/dnstap.h"
#include "server/net/observer.h"
#include "server/metrics/dnstap.pb-c.h"

#include <arpa/inet.h>
#include <fstrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A query for www.t.test A, and a response with its QR bit and rcode 3. */
static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 1, 't',
				 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
static uint8_t response[sizeof(query)];

struct fixture {
	struct sockaddr_in peer4, local4;
	struct sockaddr_in6 peer6, local6;
	struct query_event ev;
};

static void fixture_init(struct fixture *f, int v6, int tcp)
{
	memset(f, 0, sizeof(*f));
	memcpy(response, query, sizeof(query));
	response[2] = 0x84;
	response[3] = 0x03;
	f->peer4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(40001) };
	f->local4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(5353) };
	inet_pton(AF_INET, "192.0.2.7", &f->peer4.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &f->local4.sin_addr);
	f->peer6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(40002) };
	f->local6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(53) };
	inet_pton(AF_INET6, "2001:db8::7", &f->peer6.sin6_addr);
	inet_pton(AF_INET6, "::1", &f->local6.sin6_addr);
	f->ev.peer = v6 ? (struct sockaddr *)&f->peer6 : (struct sockaddr *)&f->peer4;
	f->ev.peerlen = v6 ? sizeof(f->peer6) : sizeof(f->peer4);
	f->ev.local = v6 ? (struct sockaddr *)&f->local6 : (struct sockaddr *)&f->local4;
	f->ev.locallen = v6 ? sizeof(f->local6) : sizeof(f->local4);
	f->ev.tcp = tcp;
	f->ev.query = query;
	f->ev.qlen = sizeof(query);
	f->ev.resp = response;
	f->ev.rlen = sizeof(response);
	f->ev.qtime = (struct timespec){ 1700000000, 123456789 };
	f->ev.rtime = (struct timespec){ 1700000000, 123999999 };
}

static Dnstap__Dnstap *decode(const uint8_t *buf, size_t len)
{
	Dnstap__Dnstap *d = dnstap__dnstap__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
	ck_assert_ptr_nonnull(d->message);
	return d;
}

static void check_bytes(ProtobufCBinaryData b, protobuf_c_boolean has, const void *want, size_t n)
{
	ck_assert(has);
	ck_assert_uint_eq(b.len, n);
	ck_assert_mem_eq(b.data, want, n);
}

START_TEST(test_encode_query_v4_udp)
{
	struct fixture f;
	uint8_t buf[DNSTAP_SLOT_SIZE];
	size_t n;
	Dnstap__Dnstap *d;
	Dnstap__Message *m;

	fixture_init(&f, 0, 0);
	n = dnstap_encode(DNSTAP_AUTH_QUERY, "ns1.example", "steerdns test", &f.ev, buf, sizeof(buf));
	ck_assert_uint_gt(n, sizeof(query));
	ck_assert_uint_le(n, sizeof(buf));
	d = decode(buf, n);
	m = d->message;
	check_bytes(d->identity, d->has_identity, "ns1.example", 11);
	check_bytes(d->version, d->has_version, "steerdns test", 13);
	ck_assert_int_eq(m->type, DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
	ck_assert(m->has_socket_family && m->socket_family == DNSTAP__SOCKET_FAMILY__INET);
	ck_assert(m->has_socket_protocol && m->socket_protocol == DNSTAP__SOCKET_PROTOCOL__UDP);
	check_bytes(m->query_address, m->has_query_address, &f.peer4.sin_addr, 4);
	check_bytes(m->response_address, m->has_response_address, &f.local4.sin_addr, 4);
	ck_assert(m->has_query_port && m->query_port == 40001);
	ck_assert(m->has_response_port && m->response_port == 5353);
	ck_assert(m->has_query_time_sec && m->query_time_sec == 1700000000);
	ck_assert(m->has_query_time_nsec && m->query_time_nsec == 123456789);
	check_bytes(m->query_message, m->has_query_message, query, sizeof(query));
	ck_assert(!m->has_response_message && !m->has_response_time_sec);
	dnstap__dnstap__free_unpacked(d, NULL);
}
END_TEST

START_TEST(test_encode_response_v6_tcp)
{
	struct fixture f;
	uint8_t buf[DNSTAP_SLOT_SIZE];
	size_t n;
	Dnstap__Dnstap *d;
	Dnstap__Message *m;

	fixture_init(&f, 1, 1);
	n = dnstap_encode(DNSTAP_AUTH_RESPONSE, NULL, "", &f.ev, buf, sizeof(buf));
	d = decode(buf, n);
	m = d->message;
	ck_assert(!d->has_identity && !d->has_version);
	ck_assert_int_eq(m->type, DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
	ck_assert(m->socket_family == DNSTAP__SOCKET_FAMILY__INET6);
	ck_assert(m->socket_protocol == DNSTAP__SOCKET_PROTOCOL__TCP);
	check_bytes(m->query_address, m->has_query_address, &f.peer6.sin6_addr, 16);
	check_bytes(m->response_address, m->has_response_address, &f.local6.sin6_addr, 16);
	ck_assert(m->query_port == 40002 && m->response_port == 53);
	ck_assert(m->has_query_time_sec && m->query_time_nsec == 123456789);
	ck_assert(m->has_response_time_sec && m->response_time_sec == 1700000000);
	ck_assert(m->has_response_time_nsec && m->response_time_nsec == 123999999);
	check_bytes(m->response_message, m->has_response_message, response, sizeof(response));
	ck_assert(!m->has_query_message);
	dnstap__dnstap__free_unpacked(d, NULL);
}
END_TEST

/* No local address known: the response address and port are left out. A
 * buffer too small gets nothing written and the size it would take. */
START_TEST(test_encode_no_local_and_too_small)
{
	struct fixture f;
	uint8_t big[DNSTAP_SLOT_SIZE], small[40];
	size_t n, m;
	Dnstap__Dnstap *d;

	fixture_init(&f, 0, 0);
	f.ev.local = NULL;
	n = dnstap_encode(DNSTAP_AUTH_QUERY, "x", NULL, &f.ev, big, sizeof(big));
	d = decode(big, n);
	ck_assert(!d->message->has_response_address && !d->message->has_response_port);
	ck_assert(d->message->has_query_address);
	dnstap__dnstap__free_unpacked(d, NULL);
	memset(small, 0xee, sizeof(small));
	m = dnstap_encode(DNSTAP_AUTH_QUERY, "x", NULL, &f.ev, small, sizeof(small));
	ck_assert_uint_eq(m, n);
	for (size_t i = 0; i < sizeof(small); i++)
		ck_assert_uint_eq(small[i], 0xee);
}
END_TEST

/* Read a Frame Streams file with fstrm's reader; returns the frame count and
 * counts AUTH_QUERY / AUTH_RESPONSE frames. */
static int read_frames(const char *path, int *nq, int *nr, int *ntcp)
{
	struct fstrm_file_options *fo = fstrm_file_options_init();
	struct fstrm_reader_options *ro = fstrm_reader_options_init();
	struct fstrm_reader *r;
	const uint8_t *data;
	size_t len;
	int n = 0;

	fstrm_file_options_set_file_path(fo, path);
	fstrm_reader_options_add_content_type(ro, "protobuf:dnstap.Dnstap", 22);
	r = fstrm_file_reader_init(fo, ro);
	ck_assert_ptr_nonnull(r);
	*nq = *nr = *ntcp = 0;
	while (fstrm_reader_read(r, &data, &len) == fstrm_res_success) {
		Dnstap__Dnstap *d = decode(data, len);
		*nq += d->message->type == DNSTAP__MESSAGE__TYPE__AUTH_QUERY;
		*nr += d->message->type == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
		*ntcp += d->message->socket_protocol == DNSTAP__SOCKET_PROTOCOL__TCP;
		dnstap__dnstap__free_unpacked(d, NULL);
		n++;
	}
	fstrm_reader_destroy(&r);
	fstrm_reader_options_destroy(&ro);
	fstrm_file_options_destroy(&fo);
	return n;
}

static void wait_connected(struct dnstap *dt)
{
	for (int i = 0; i < 200 && !dnstap_connected(dt); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	ck_assert(dnstap_connected(dt));
}

/* The whole path into a file: 3600 queries from two threads (more than a
 * queue holds, so buffers must come back through the free callback), one
 * of them with a response too big for a preallocated buffer, one dropped
 * (no response). Every message must be in the file. */
START_TEST(test_file_round_trip)
{
	char *path = test_write_temp(".dnstap", "");
	struct dnstap_options o = { .file = path, .identity = "unit", .version = "v", .log_queries = 1,
				    .log_responses = 1 };
	static uint8_t big[4000];
	struct dnstap *dt;
	struct dnstap_counters c;
	struct fixture f;
	int nq, nr, ntcp, total, sent = 0;

	ck_assert_int_eq(dnstap_new(&dt, &o, 2), 0);
	wait_connected(dt);
	fixture_init(&f, 0, 0);
	for (int i = 0; i < 3600; i++) {
		f.ev.tcp = i % 2;
		f.ev.resp = i == 7 ? NULL : i == 8 ? big : response;
		f.ev.rlen = i == 8 ? sizeof(big) : sizeof(response);
		dnstap_observe(dt, (unsigned)(i % 2), &f.ev);
		sent += f.ev.resp ? 2 : 1;
		/* 1200 messages per queue (it holds 2048) wake the I/O thread
		 * (at 1024); then give it ample time to drain (it needs well
		 * under 1 ms): this test is about every message arriving, not
		 * about drops. */
		if (i % 1200 == 1199) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	dnstap_counters(dt, &c);
	ck_assert_uint_eq(c.logged + c.dropped, (uint64_t)sent);
	ck_assert_uint_eq(c.errors, 0);
	dnstap_free(dt); /* flushes */
	total = read_frames(path, &nq, &nr, &ntcp);
	ck_assert_int_eq(total, (int)c.logged);
	ck_assert_uint_eq(c.dropped, 0);
	ck_assert_int_eq(nq, 3600);
	ck_assert_int_eq(nr, 3599);
	ck_assert_int_eq(ntcp, 1800 + 1799);
	unlink(path);
	free(path);
}
END_TEST

/* Nobody listens on the socket: nothing is encoded, everything is counted
 * as dropped, and dnstap_new/free do not block. */
START_TEST(test_no_reader)
{
	char *dir = test_write_temp(".sock", "");
	struct dnstap_options o = { .socket = dir, .log_queries = 1, .log_responses = 0 };
	struct dnstap *dt;
	struct dnstap_counters c;
	struct fixture f;

	unlink(dir); /* a path where no socket is */
	ck_assert_int_eq(dnstap_new(&dt, &o, 1), 0);
	fixture_init(&f, 0, 0);
	for (int i = 0; i < 10; i++)
		dnstap_observe(dt, 0, &f.ev);
	dnstap_observe(dt, 5, &f.ev); /* an index out of range is ignored */
	dnstap_counters(dt, &c);
	ck_assert_uint_eq(c.logged, 0);
	ck_assert_uint_eq(c.dropped, 10);
	ck_assert(!dnstap_connected(dt));
	dnstap_free(dt);
	free(dir);
}
END_TEST

START_TEST(test_bad_options)
{
	struct dnstap *dt = (struct dnstap *)1;
	struct dnstap_options none = { 0 }, both = { .socket = "/a", .file = "/b" };
	char longpath[200];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	struct dnstap_options toolong = { .socket = longpath };
	ck_assert_int_lt(dnstap_new(&dt, &none, 1), 0);
	ck_assert_ptr_null(dt);
	ck_assert_int_lt(dnstap_new(&dt, &both, 1), 0);
	ck_assert_int_lt(dnstap_new(&dt, &toolong, 1), 0);
}
END_TEST

Suite *suite_dnstap(void)
{
	Suite *s = suite_create("dnstap");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_encode_query_v4_udp);
	tcase_add_test(tc, test_encode_response_v6_tcp);
	tcase_add_test(tc, test_encode_no_local_and_too_small);
	tcase_add_test(tc, test_file_round_trip);
	tcase_add_test(tc, test_no_reader);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	return s;
}
