/*
 * rollover.c -- the rollover planner (see rollover.h): which key to
 * create and which times to write, from the keys' timing metadata alone.
 *
 * A key's state is read from its times, as BIND's and Knot's key timers
 * are: Publish (0: at creation) puts it in the DNSKEY RRset, Activate (0:
 * at creation) makes it sign, Inactive stops it signing, Delete takes it
 * out. "Retiring" means Inactive or Delete is set: such a key has a
 * successor or is on its way out, and no rollover starts from it.
 */
#include "config.h"
#include "server/dnssec/rollover.h"
#include "common/errors.h"

#include <string.h>

static int64_t act_of(const struct dnssec_key *k)
{
	return k->activate ? k->activate : k->created;
}

static int retiring(const struct dnssec_key *k)
{
	return k->inactive != 0 || k->delete_ != 0;
}

static int gone(const struct dnssec_key *k, int64_t now)
{
	return k->delete_ != 0 && k->delete_ <= now;
}

/* Signing at now: activated, not inactive yet, and still published. */
static int signs(const struct dnssec_key *k, int64_t now)
{
	int64_t pub = k->publish ? k->publish : k->created;

	return act_of(k) <= now && (!k->inactive || now < k->inactive) && pub <= now && !gone(k, now);
}

static uint32_t ipub(const struct rollover_conf *rc)
{
	return rc->propagation + rc->dnskey_ttl;
}

static uint32_t iret(const struct rollover_conf *rc)
{
	return rc->propagation + rc->max_zone_ttl;
}

/* The incoming key of role: not retiring, not gone, the latest Activate;
 * for a ZSK only one that does not sign yet. -1 when there is none. */
static int incoming(const struct dnssec_keyset *ks, enum dnssec_role role, int64_t now, int *nlive)
{
	int best = -1, n = 0;

	for (size_t i = 0; i < ks->n; i++) {
		const struct dnssec_key *k = &ks->keys[i];
		if (k->role != role || retiring(k) || gone(k, now))
			continue;
		n++;
		if (best < 0 || act_of(k) > act_of(&ks->keys[best]))
			best = (int)i;
	}
	if (nlive)
		*nlive = n;
	if (best >= 0 && role == DNSSEC_ZSK && act_of(&ks->keys[best]) <= now)
		return -1;
	if (best >= 0 && role == DNSSEC_KSK && n < 2)
		return -1;
	return best;
}

/* The key of role signing at now with the latest Activate, or -1. */
static int current(const struct dnssec_keyset *ks, enum dnssec_role role, int64_t now)
{
	int best = -1;

	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].role == role && signs(&ks->keys[i], now) &&
		    (best < 0 || act_of(&ks->keys[i]) > act_of(&ks->keys[best])))
			best = (int)i;
	return best;
}

static size_t add_new(struct rollover_step *s, size_t n, enum dnssec_role role, int64_t publish, int64_t activate)
{
	s[n] = (struct rollover_step){ .op = ROLL_NEW_KEY, .role = role, .publish = publish, .activate = activate };
	return n + 1;
}

static size_t add_times(struct rollover_step *s, size_t n, size_t key, int64_t inactive, int64_t delete_)
{
	s[n] = (struct rollover_step){ .op = ROLL_SET_TIMES, .key = key, .inactive = inactive, .delete_ = delete_ };
	return n + 1;
}

static void sooner(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && t < *next)
		*next = t;
}

/* Every key time still ahead, for the reload timer. */
static int64_t next_key_time(const struct dnssec_keyset *ks, int64_t now)
{
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < ks->n; i++) {
		const struct dnssec_key *k = &ks->keys[i];
		sooner(&next, k->publish, now);
		sooner(&next, k->activate, now);
		sooner(&next, k->inactive, now);
		sooner(&next, k->delete_, now);
	}
	return next;
}

/* Retire every live key of role older than keep (its successor): not
 * retiring yet, activated before it. */
static size_t retire_older(const struct dnssec_keyset *ks, enum dnssec_role role, size_t keep, int64_t now,
			   int64_t inactive, int64_t delete_, struct rollover_step *s, size_t n)
{
	for (size_t i = 0; i < ks->n && n < ROLLOVER_STEPS_MAX; i++) {
		const struct dnssec_key *k = &ks->keys[i];
		if (i != keep && k->role == role && !retiring(k) && !gone(k, now) &&
		    act_of(k) <= act_of(&ks->keys[keep]))
			n = add_times(s, n, i, inactive, delete_);
	}
	return n;
}

/* The ZSK's rollover: start it when due, or finish writing one a crash
 * cut short (the successor exists, the old key has no Inactive yet). */
static size_t plan_zsk(const struct dnssec_keyset *ks, const struct rollover_conf *rc, int64_t now,
		       struct rollover_step *s, int64_t *next)
{
	int succ = incoming(ks, DNSSEC_ZSK, now, NULL), cur;
	int64_t due, t;

	if (succ >= 0) {
		t = act_of(&ks->keys[succ]);
		return retire_older(ks, DNSSEC_ZSK, (size_t)succ, now, t, t + iret(rc), s, 0);
	}
	cur = current(ks, DNSSEC_ZSK, now);
	if (cur < 0) /* nothing signs: a key that signs at once beats an unsigned zone */
		return add_new(s, 0, DNSSEC_ZSK, now, now);
	/* A retiring key without a successor (an operator's Inactive) rolls now. */
	if (retiring(&ks->keys[cur]))
		due = now;
	else if (rc->zsk_lifetime)
		due = act_of(&ks->keys[cur]) + rc->zsk_lifetime - ipub(rc);
	else
		return 0;
	if (now < due) {
		sooner(next, due, now);
		return 0;
	}
	t = now + ipub(rc);
	if (!retiring(&ks->keys[cur]) && rc->zsk_lifetime && act_of(&ks->keys[cur]) + rc->zsk_lifetime > t)
		t = act_of(&ks->keys[cur]) + rc->zsk_lifetime;
	/* The new key first: a crash between the two writes leaves a
	 * successor, and the next plan writes the old key's times. */
	return add_times(s, add_new(s, 0, DNSSEC_ZSK, now, t), (size_t)cur, t, t + iret(rc));
}

/* The KSK's rollover waits for the DS; with ksk_ds_wait the wait ends by
 * itself, counted from the new key's Activate (when its CDS appeared). */
static size_t plan_ksk(const struct dnssec_keyset *ks, const struct rollover_conf *rc, int64_t now,
		       struct rollover_step *s, size_t n, int64_t *next)
{
	int in = incoming(ks, DNSSEC_KSK, now, NULL);
	int64_t seen, t;

	if (in < 0 || !rc->ksk_ds_wait)
		return n;
	seen = act_of(&ks->keys[in]) + rc->ksk_ds_wait;
	if (now < seen) {
		sooner(next, seen, now);
		return n;
	}
	t = seen + rc->ds_ttl + rc->propagation;
	return retire_older(ks, DNSSEC_KSK, (size_t)in, now, t, t, s, n);
}

size_t rollover_plan(const struct dnssec_keyset *ks, const struct rollover_conf *rc, int64_t now,
		     struct rollover_step *steps, int64_t *next)
{
	size_t n;

	*next = next_key_time(ks, now);
	n = plan_zsk(ks, rc, now, steps, next);
	return plan_ksk(ks, rc, now, steps, n, next);
}

int rollover_start(const struct dnssec_keyset *ks, const struct rollover_conf *rc, enum dnssec_role role,
		   int64_t now, struct rollover_step *steps)
{
	int cur = current(ks, role, now);
	int64_t t = now + ipub(rc);

	if (incoming(ks, role, now, NULL) >= 0)
		return STEER_EEXIST;
	if (cur < 0)
		return STEER_ENOENT;
	if (role == DNSSEC_KSK) /* both sign from t on; the old one leaves once the DS is seen */
		return (int)add_new(steps, 0, DNSSEC_KSK, now, t);
	return (int)add_times(steps, add_new(steps, 0, DNSSEC_ZSK, now, t), (size_t)cur, t, t + iret(rc));
}

int rollover_ds_seen(const struct dnssec_keyset *ks, const struct rollover_conf *rc, uint16_t tag, int64_t now,
		     struct rollover_step *steps)
{
	int in = incoming(ks, DNSSEC_KSK, now, NULL), k = -1;
	int64_t t = now + rc->ds_ttl + rc->propagation;

	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].role == DNSSEC_KSK && ks->keys[i].tag == tag && !gone(&ks->keys[i], now))
			k = (int)i;
	if (k < 0)
		return STEER_ENOENT;
	if (in < 0 && !retiring(&ks->keys[k]))
		return 0; /* the only KSK: its DS is what the parent should have */
	/* Only the incoming key, and only once it signs (its CDS is out):
	 * a DS for it seen earlier was not asked for by us. */
	if (k != in || !signs(&ks->keys[k], now))
		return STEER_EINVAL;
	return (int)retire_older(ks, DNSSEC_KSK, (size_t)k, now, t, t, steps, 0);
}

static int any_retiring(const struct dnssec_keyset *ks, enum dnssec_role role, int64_t now)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].role == role && retiring(&ks->keys[i]) && !gone(&ks->keys[i], now))
			return 1;
	return 0;
}

void rollover_status(const struct dnssec_keyset *ks, const struct rollover_conf *rc, enum dnssec_role role,
		     int64_t now, struct rollover_status *out)
{
	int in = incoming(ks, role, now, NULL);

	memset(out, 0, sizeof(*out));
	out->cur = current(ks, role, now);
	out->next = in;
	if (in >= 0)
		out->phase = act_of(&ks->keys[in]) > now ? ROLL_PUBLISHED : ROLL_WAIT_DS;
	else if (any_retiring(ks, role, now))
		out->phase = ROLL_RETIRING;
	else
		out->phase = ROLL_IDLE;
	if (role == DNSSEC_ZSK && in < 0 && out->cur >= 0 && rc->zsk_lifetime && !retiring(&ks->keys[out->cur]))
		out->due = act_of(&ks->keys[out->cur]) + rc->zsk_lifetime - ipub(rc);
}

const char *rollover_phase_name(enum rollover_phase p)
{
	switch (p) {
	case ROLL_IDLE:
		return "idle";
	case ROLL_PUBLISHED:
		return "new key published";
	case ROLL_WAIT_DS:
		return "waiting for the DS at the parent";
	case ROLL_RETIRING:
		return "old key retiring";
	}
	return "?";
}
