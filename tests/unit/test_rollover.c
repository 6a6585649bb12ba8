/* test_rollover.c -- the rollover planner over key timers: ZSK
 * pre-publication run for a simulated year (never a gap, every new key
 * published Ipub before it signs, every old key published Iret after it
 * stopped), a crash between the two writes, KSK double-KSK with ds-seen
 * and with a configured wait, and the errors. Keys are plain structs here
 * (no key material): applying a step is what rollover.h says it is. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/rollover.h"
#include "common/errors.h"

#include <string.h>

#define MAXK 64

struct sim {
	struct dnssec_key keys[MAXK];
	struct dnssec_keyset ks;
	uint16_t tag;
};

static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->ks.keys = s->keys;
	s->tag = 1000;
}

static size_t sim_add(struct sim *s, enum dnssec_role role, int64_t now, int64_t publish, int64_t activate)
{
	struct dnssec_key *k = &s->keys[s->ks.n];

	ck_assert_uint_lt(s->ks.n, MAXK);
	memset(k, 0, sizeof(*k));
	k->role = role;
	k->flags = role == DNSSEC_KSK ? 257 : 256;
	k->tag = s->tag++;
	k->created = now;
	k->publish = publish;
	k->activate = activate;
	return s->ks.n++;
}

/* What the process does with the steps (dnssec_key_generate, _set_times). */
static void sim_apply(struct sim *s, const struct rollover_step *st, size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		if (st[i].op == ROLL_NEW_KEY) {
			sim_add(s, st[i].role, now, st[i].publish, st[i].activate);
		} else {
			s->keys[st[i].key].inactive = st[i].inactive;
			s->keys[st[i].key].delete_ = st[i].delete_;
		}
	}
}

static int published(const struct dnssec_key *k, int64_t t)
{
	return (k->publish ? k->publish : k->created) <= t && (!k->delete_ || t < k->delete_);
}

static int signing(const struct dnssec_key *k, int64_t t)
{
	return published(k, t) && (k->activate ? k->activate : k->created) <= t && (!k->inactive || t < k->inactive);
}

static const struct rollover_conf RC = {
	.zsk_lifetime = 30 * 86400, .dnskey_ttl = 3600, .propagation = 300, .max_zone_ttl = 86400,
	.ds_ttl = 86400, .ksk_ds_wait = 0,
};

/* At t: one ZSK signs; a ZSK that signs was published Ipub before (the
 * first key excepted); one that stopped is still published for Iret. */
static void check_zsk_invariants(const struct sim *s, const struct rollover_conf *rc, int64_t t)
{
	int nsign = 0;

	for (size_t i = 0; i < s->ks.n; i++) {
		const struct dnssec_key *k = &s->keys[i];
		if (k->role != DNSSEC_ZSK)
			continue;
		if (signing(k, t)) {
			nsign++;
			if (k->created != s->keys[0].created) /* the first keys sign at once */
				ck_assert_int_ge(t, k->publish + rc->propagation + rc->dnskey_ttl);
		}
		if (k->inactive && k->inactive <= t && t < k->inactive + rc->propagation + rc->max_zone_ttl)
			ck_assert_msg(published(k, t), "key %u removed at %lld, %lld after it stopped signing",
				      (unsigned)k->tag, (long long)t, (long long)(t - k->inactive));
	}
	ck_assert_int_eq(nsign, 1);
}

START_TEST(test_zsk_year)
{
	static struct sim s;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	int64_t now = 1700000000, end = now + 365 * 86400LL, next;
	int plans = 0;
	size_t n;

	sim_init(&s);
	sim_add(&s, DNSSEC_KSK, now, now, now);
	sim_add(&s, DNSSEC_ZSK, now, now, now);
	while (now < end && plans < 1000) {
		n = rollover_plan(&s.ks, &RC, now, st, &next);
		sim_apply(&s, st, n, now);
		/* Idempotent: planned again at once, nothing more to do. */
		ck_assert_uint_eq(rollover_plan(&s.ks, &RC, now, st, &next), 0);
		ck_assert_int_gt(next, now);
		/* Check every hour up to the next event, as a validator would see it. */
		for (int64_t t = now; t < next && t < end; t += 3600)
			check_zsk_invariants(&s, &RC, t);
		now = next;
		plans++;
	}
	/* One ZSK rollover per lifetime: 12 new keys in a year, and the KSK untouched. */
	ck_assert_uint_eq(s.ks.n, 2 + 12);
	ck_assert_int_eq(s.keys[0].inactive, 0);
	ck_assert_int_lt(plans, 100);
}
END_TEST

START_TEST(test_zsk_timings)
{
	static struct sim s;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_status rs;
	int64_t t0 = 1700000000, next, due = t0 + RC.zsk_lifetime - 3900;
	size_t n;

	sim_init(&s);
	sim_add(&s, DNSSEC_ZSK, t0, t0, t0);
	ck_assert_uint_eq(rollover_plan(&s.ks, &RC, t0, st, &next), 0);
	ck_assert_int_eq(next, due);
	rollover_status(&s.ks, &RC, DNSSEC_ZSK, t0, &rs);
	ck_assert_int_eq(rs.phase, ROLL_IDLE);
	ck_assert_int_eq(rs.due, due);
	ck_assert_uint_eq(rollover_plan(&s.ks, &RC, due - 1, st, &next), 0);
	n = rollover_plan(&s.ks, &RC, due, st, &next);
	ck_assert_uint_eq(n, 2);
	/* New key first (see rollover.c), published now, signing at A + L. */
	ck_assert_int_eq(st[0].op, ROLL_NEW_KEY);
	ck_assert_int_eq(st[0].role, DNSSEC_ZSK);
	ck_assert_int_eq(st[0].publish, due);
	ck_assert_int_eq(st[0].activate, t0 + RC.zsk_lifetime);
	ck_assert_int_eq(st[1].op, ROLL_SET_TIMES);
	ck_assert_uint_eq(st[1].key, 0);
	ck_assert_int_eq(st[1].inactive, t0 + RC.zsk_lifetime);
	ck_assert_int_eq(st[1].delete_, t0 + RC.zsk_lifetime + 300 + 86400);
	/* A crash after the first write: the next plan writes the second. */
	sim_apply(&s, st, 1, due);
	n = rollover_plan(&s.ks, &RC, due + 5, st, &next);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(st[0].op, ROLL_SET_TIMES);
	ck_assert_int_eq(st[0].inactive, t0 + RC.zsk_lifetime);
	sim_apply(&s, st, n, due + 5);
	rollover_status(&s.ks, &RC, DNSSEC_ZSK, due + 5, &rs);
	ck_assert_int_eq(rs.phase, ROLL_PUBLISHED);
	ck_assert_int_eq(rs.cur, 0);
	ck_assert_int_eq(rs.next, 1);
	ck_assert_int_eq(rollover_start(&s.ks, &RC, DNSSEC_ZSK, due + 5, st), STEER_EEXIST);
	ck_assert_uint_eq(rollover_plan(&s.ks, &RC, due + 5, st, &next), 0);
	ck_assert_int_eq(next, t0 + RC.zsk_lifetime); /* the switch: reload the keys then */
	rollover_status(&s.ks, &RC, DNSSEC_ZSK, next, &rs);
	ck_assert_int_eq(rs.phase, ROLL_RETIRING);
	ck_assert_int_eq(rs.cur, 1);
}
END_TEST

START_TEST(test_zsk_manual_and_none)
{
	static struct sim s;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_conf rc = RC;
	int64_t now = 1700000000, next;

	rc.zsk_lifetime = 0;
	sim_init(&s);
	sim_add(&s, DNSSEC_KSK, now, now, now);
	ck_assert_int_eq(rollover_start(&s.ks, &rc, DNSSEC_ZSK, now, st), STEER_ENOENT);
	/* No ZSK at all: one that signs at once. */
	ck_assert_uint_eq(rollover_plan(&s.ks, &rc, now, st, &next), 1);
	ck_assert_int_eq(st[0].activate, now);
	sim_apply(&s, st, 1, now);
	/* No lifetime: nothing planned, ever. */
	ck_assert_uint_eq(rollover_plan(&s.ks, &rc, now + 1000, st, &next), 0);
	ck_assert_int_eq(next, INT64_MAX);
	/* steerctl dnssec roll ZONE zsk: pre-publication from now. */
	ck_assert_int_eq(rollover_start(&s.ks, &rc, DNSSEC_ZSK, now + 1000, st), 2);
	ck_assert_int_eq(st[0].publish, now + 1000);
	ck_assert_int_eq(st[0].activate, now + 1000 + 3900);
	ck_assert_int_eq(st[1].inactive, now + 1000 + 3900);
}
END_TEST

START_TEST(test_ksk_ds_seen)
{
	static struct sim s;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_status rs;
	int64_t t0 = 1700000000, next;
	uint16_t old, new_;
	int n;

	sim_init(&s);
	sim_add(&s, DNSSEC_KSK, t0, t0, t0);
	sim_add(&s, DNSSEC_ZSK, t0, t0, t0);
	old = s.keys[0].tag;
	ck_assert_int_eq(rollover_ds_seen(&s.ks, &RC, old, t0, st), 0); /* nothing rolling */
	ck_assert_int_eq(rollover_ds_seen(&s.ks, &RC, 4242, t0, st), STEER_ENOENT);
	n = rollover_start(&s.ks, &RC, DNSSEC_KSK, t0 + 10, st);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(st[0].role, DNSSEC_KSK);
	ck_assert_int_eq(st[0].publish, t0 + 10);
	ck_assert_int_eq(st[0].activate, t0 + 10 + 3900);
	sim_apply(&s, st, 1, t0 + 10);
	new_ = s.keys[2].tag;
	ck_assert_int_eq(rollover_start(&s.ks, &RC, DNSSEC_KSK, t0 + 20, st), STEER_EEXIST);
	rollover_status(&s.ks, &RC, DNSSEC_KSK, t0 + 20, &rs);
	ck_assert_int_eq(rs.phase, ROLL_PUBLISHED);
	/* Its CDS is not out yet: a DS for it now was not asked for. */
	ck_assert_int_eq(rollover_ds_seen(&s.ks, &RC, new_, t0 + 20, st), STEER_EINVAL);
	/* No wait configured: the plan never retires the old KSK by itself. */
	ck_assert_uint_eq(rollover_plan(&s.ks, &RC, t0 + 400000, st, &next), 0);
	rollover_status(&s.ks, &RC, DNSSEC_KSK, t0 + 400000, &rs);
	ck_assert_int_eq(rs.phase, ROLL_WAIT_DS);
	ck_assert_int_eq(rs.cur, 2);
	ck_assert_int_eq(rollover_ds_seen(&s.ks, &RC, old, t0 + 400000, st), STEER_EINVAL);
	n = rollover_ds_seen(&s.ks, &RC, new_, t0 + 400000, st);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(st[0].key, 0);
	ck_assert_int_eq(st[0].inactive, t0 + 400000 + 86400 + 300);
	ck_assert_int_eq(st[0].delete_, st[0].inactive);
	sim_apply(&s, st, 1, t0 + 400000);
	rollover_status(&s.ks, &RC, DNSSEC_KSK, t0 + 400001, &rs);
	ck_assert_int_eq(rs.phase, ROLL_RETIRING);
	ck_assert_int_eq(rollover_ds_seen(&s.ks, &RC, new_, t0 + 400001, st), 0);
	ck_assert_uint_eq(rollover_plan(&s.ks, &RC, t0 + 400001, st, &next), 0);
	ck_assert_int_eq(next, t0 + 400000 + 86700);
	rollover_status(&s.ks, &RC, DNSSEC_KSK, next, &rs);
	ck_assert_int_eq(rs.phase, ROLL_IDLE);
	/* The ZSK was never touched. */
	ck_assert_int_eq(s.keys[1].inactive, 0);
}
END_TEST

START_TEST(test_ksk_configured_wait)
{
	static struct sim s;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_conf rc = RC;
	int64_t t0 = 1700000000, next, act;

	rc.ksk_ds_wait = 2 * 86400;
	sim_init(&s);
	sim_add(&s, DNSSEC_KSK, t0, t0, t0);
	sim_add(&s, DNSSEC_ZSK, t0, t0, t0);
	ck_assert_int_eq(rollover_start(&s.ks, &rc, DNSSEC_KSK, t0, st), 1);
	sim_apply(&s, st, 1, t0);
	act = s.keys[2].activate;
	ck_assert_uint_eq(rollover_plan(&s.ks, &rc, t0 + 1, st, &next), 0);
	ck_assert_int_eq(next, act); /* the new KSK starts signing: reload */
	ck_assert_uint_eq(rollover_plan(&s.ks, &rc, act, st, &next), 0);
	ck_assert_int_eq(next, act + rc.ksk_ds_wait);
	/* A restart long after: the same times as if the timer had been on time. */
	ck_assert_uint_eq(rollover_plan(&s.ks, &rc, act + rc.ksk_ds_wait + 5000, st, &next), 1);
	ck_assert_uint_eq(st[0].key, 0);
	ck_assert_int_eq(st[0].inactive, act + rc.ksk_ds_wait + 86400 + 300);
}
END_TEST

Suite *suite_rollover(void)
{
	Suite *s = suite_create("rollover");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zsk_year);
	tcase_add_test(tc, test_zsk_timings);
	tcase_add_test(tc, test_zsk_manual_and_none);
	tcase_add_test(tc, test_ksk_ds_seen);
	tcase_add_test(tc, test_ksk_configured_wait);
	suite_add_tcase(s, tc);
	return s;
}
