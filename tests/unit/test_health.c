/* test_health.c -- the health protocol v1 codec (common/health.c). */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/errors.h"
#include "common/health.h"

#include <string.h>

static struct health_status sample(void)
{
	struct health_status s = { 0 };
	s.name = "web@2001:db8::10";
	s.check = "web";
	s.address = "2001:db8::10";
	s.type = "https";
	s.port = 443;
	s.state = HEALTH_UP;
	s.admin = HEALTH_ADMIN_DOWN;
	s.since = 1700000000;
	s.last = "TLS: certificate verify failed";
	s.latency_ms = 12;
	s.ok_count = 4;
	return s;
}

START_TEST(names_roundtrip)
{
	enum health_state st;
	enum health_admin ad;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(health_state_parse(health_state_name((enum health_state)i), &st), 0);
		ck_assert_int_eq(st, i);
		ck_assert_int_eq(health_admin_parse(health_admin_name((enum health_admin)i), &ad), 0);
		ck_assert_int_eq(ad, i);
	}
	ck_assert_int_eq(health_state_parse("UP", &st), STEER_EINVAL);
	ck_assert_int_eq(health_admin_parse(NULL, &ad), STEER_EINVAL);
}
END_TEST

START_TEST(status_roundtrip)
{
	struct health_status in = sample(), out;
	json_t *j = health_status_encode(&in);

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "effective")), "down");
	ck_assert_str_eq(json_string_value(json_object_get(j, "admin")), "down");
	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "up");
	ck_assert_int_eq(health_status_decode(j, &out), 0);
	ck_assert_str_eq(out.name, in.name);
	ck_assert_str_eq(out.check, "web");
	ck_assert_str_eq(out.address, "2001:db8::10");
	ck_assert_str_eq(out.type, "https");
	ck_assert_str_eq(out.last, in.last);
	ck_assert_int_eq(out.port, 443);
	ck_assert_int_eq(out.state, HEALTH_UP);
	ck_assert_int_eq(out.admin, HEALTH_ADMIN_DOWN);
	ck_assert_int_eq(out.effective, HEALTH_DOWN);
	ck_assert_int_eq(out.since, 1700000000);
	ck_assert_int_eq(out.latency_ms, 12);
	ck_assert_uint_eq(out.ok_count, 4);
	ck_assert_uint_eq(out.fail_count, 0);
	health_status_clear(&out);
	json_decref(j);
}
END_TEST

START_TEST(status_decode_minimal_and_bad)
{
	struct health_status out;
	json_t *j = json_loads("{\"name\":\"a@1.2.3.4\",\"state\":\"unknown\",\"extra\":[1]}", 0, NULL);

	ck_assert_int_eq(health_status_decode(j, &out), 0);
	ck_assert_int_eq(out.effective, HEALTH_UNKNOWN);
	ck_assert_int_eq(out.admin, HEALTH_ADMIN_AUTO);
	ck_assert_int_eq(out.latency_ms, -1);
	health_status_clear(&out);
	json_decref(j);
	j = json_loads("{\"name\":\"a@1.2.3.4\",\"state\":\"sideways\"}", 0, NULL);
	ck_assert_int_eq(health_status_decode(j, &out), STEER_EMALF);
	health_status_clear(&out);
	json_decref(j);
	j = json_loads("{\"state\":\"up\"}", 0, NULL);
	ck_assert_int_eq(health_status_decode(j, &out), STEER_EMALF);
	health_status_clear(&out);
	json_decref(j);
	ck_assert_int_eq(health_status_decode(NULL, &out), STEER_EMALF);
	health_status_clear(&out);
}
END_TEST

START_TEST(requests)
{
	struct health_req r;
	const char *why = NULL;
	json_t *j = health_req_set("web@1.2.3.4", HEALTH_ADMIN_DOWN);

	ck_assert_int_eq(health_req_decode(j, &r, &why), 0);
	ck_assert_int_eq(r.cmd, HEALTH_CMD_SET);
	ck_assert_str_eq(r.target, "web@1.2.3.4");
	ck_assert_int_eq(r.admin, HEALTH_ADMIN_DOWN);
	json_decref(j);
	j = health_req_subscribe();
	ck_assert_int_eq(health_req_decode(j, &r, &why), 0);
	ck_assert_int_eq(r.cmd, HEALTH_CMD_SUBSCRIBE);
	json_decref(j);
	j = health_req_status();
	ck_assert_int_eq(health_req_decode(j, &r, &why), 0);
	ck_assert_int_eq(r.cmd, HEALTH_CMD_STATUS);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "v")), 1);
	json_decref(j);
}
END_TEST

START_TEST(bad_requests)
{
	static const char *const bad[] = {
		"{\"v\":1}",
		"{\"v\":1,\"cmd\":\"reboot\"}",
		"{\"v\":1,\"cmd\":\"set\",\"admin\":\"down\"}",
		"{\"v\":1,\"cmd\":\"set\",\"target\":\"\",\"admin\":\"down\"}",
		"{\"v\":1,\"cmd\":\"set\",\"target\":\"x\",\"admin\":\"off\"}",
		"{\"v\":1,\"cmd\":7}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct health_req r;
		const char *why = NULL;
		json_t *j = json_loads(bad[i], 0, NULL);
		ck_assert_int_eq(health_req_decode(j, &r, &why), STEER_EMALF);
		ck_assert_ptr_nonnull(why);
		json_decref(j);
	}
}
END_TEST

struct seen {
	int n, snap;
	char names[4][64];
	enum health_state eff[4];
};

static void on_update(const char *name, enum health_state eff, int is_snapshot, void *arg)
{
	struct seen *s = arg;
	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->eff[s->n] = eff;
	}
	s->n++;
	s->snap = is_snapshot;
}

START_TEST(walk_snapshot_and_change)
{
	struct health_status a = sample(), b = sample();
	struct seen seen = { 0 };
	json_t *arr = json_array(), *msg;

	b.name = "web@192.0.2.1";
	b.admin = HEALTH_ADMIN_AUTO;
	b.state = HEALTH_UNKNOWN;
	json_array_append_new(arr, health_status_encode(&a));
	json_array_append_new(arr, health_status_encode(&b));
	msg = health_msg_snapshot(arr);
	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), HEALTH_MSG_SNAPSHOT);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_int_eq(seen.snap, 1);
	ck_assert_str_eq(seen.names[0], "web@2001:db8::10");
	ck_assert_int_eq(seen.eff[0], HEALTH_DOWN);
	ck_assert_int_eq(seen.eff[1], HEALTH_UNKNOWN);
	json_decref(msg);

	memset(&seen, 0, sizeof(seen));
	b.state = HEALTH_UP;
	msg = health_msg_change(health_status_encode(&b));
	ck_assert_str_eq(json_string_value(json_object_get(msg, "event")), "change");
	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), HEALTH_MSG_CHANGE);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_int_eq(seen.snap, 0);
	ck_assert_int_eq(seen.eff[0], HEALTH_UP);
	json_decref(msg);

	memset(&seen, 0, sizeof(seen));
	msg = health_msg_resnapshot(json_array());
	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), HEALTH_MSG_SNAPSHOT);
	ck_assert_int_eq(seen.n, 0);
	json_decref(msg);
}
END_TEST

START_TEST(walk_rejects)
{
	struct seen seen = { 0 };
	json_t *msg = json_loads("{\"v\":1,\"ok\":false,\"error\":\"no\"}", 0, NULL);

	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), STEER_EPROTO);
	json_decref(msg);
	/* One bad target spoils the whole snapshot: nothing is reported. */
	msg = json_loads("{\"v\":1,\"ok\":true,\"targets\":[{\"name\":\"a\",\"state\":\"up\"},{\"name\":\"b\"}]}", 0, NULL);
	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), STEER_EMALF);
	ck_assert_int_eq(seen.n, 0);
	json_decref(msg);
	msg = json_loads("{\"v\":1,\"event\":\"party\"}", 0, NULL);
	ck_assert_int_eq(health_msg_walk(msg, on_update, &seen), STEER_EMALF);
	json_decref(msg);
}
END_TEST

Suite *suite_health(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, names_roundtrip);
	tcase_add_test(tc, status_roundtrip);
	tcase_add_test(tc, status_decode_minimal_and_bad);
	tcase_add_test(tc, requests);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, walk_snapshot_and_change);
	tcase_add_test(tc, walk_rejects);
	suite_add_tcase(s, tc);
	return s;
}
