/*
 * zonesign.c -- sign a zone just compiled: apex key records, the NSEC
 * chain (nsec3.c for NSEC3), and an RRSIG for every authoritative RRset.
 *
 *   dnssec_zone_sign()
 *     reject_dnssec_types()  the master file must not carry DNSSEC records
 *     dnssec_keys_load()     key_dir (keys made on first use)
 *     apex_records()         DNSKEY, CDS, CDNSKEY (RFC 7344) at the apex
 *     nsec_chain() or dnssec_nsec3_build()
 *     sign_zone()            every rrset that is authoritative data: one RRSIG
 *                            per active key of its role, or the previous
 *                            version's when the rrset and keys are unchanged
 *                            and it is valid for longer than the refresh time
 *
 * What is authoritative (RFC 4035 2.2): every node at or above the zone
 * cuts and not below a DNAME; at a cut only DS (and the NSEC) is signed,
 * the NS and glue are the child's.
 */
#include "config.h"
#include "server/dnssec/zonesign.h"
#include "server/dnssec/sigcache.h"

#include "common/dns.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "server/dnssec/denial.h"
#include "server/dnssec/nsec3.h"
#include "server/dnssec/sign.h"
#include "server/dnssec/signbatch.h"
#include "server/dnssec/sigstore.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct signer {
	struct zone *z;
	const struct zone *old;      /* the live version, for reuse; NULL */
	struct dnssec_zone *dz;
	const struct dnssec_zoneconf *c;
	uint32_t now, inception, expiration;
	const struct dnssec_key *ksks[8], *zsks[8]; /* active keys of each role */
	int nksk, nzsk;
	struct signbatch batch;      /* owned: rrsets waiting for new signatures (signbatch.h) */
	struct sigstore store;       /* owned: key_dir/signatures.db as read (no signed old version) */
	FILE *store_out;             /* owned: its next version, being written */
	struct errlist *errs;
	int reported;                /* the error being returned is in errs already */
};

uint32_t dnssec_now(void)
{
	return (uint32_t)time(NULL);
}

int dnssec_node_authoritative(const struct node *n)
{
	return n->nrrsets && (!node_cut(n) || node_cut(n) == n) && !node_dname(n);
}

int dnssec_rrset_signed(const struct node *n, uint16_t type)
{
	if (n->flags & NODE_DELEG)
		return type == DNS_TYPE_DS || type == DNS_TYPE_NSEC;
	return 1;
}

uint8_t dnssec_node_sig_labels(const struct node *n)
{
	/* A wildcard's signature counts the labels without the "*" (RFC 4034 3.1.3). */
	return (uint8_t)(n->labels - (n->name[0] == 1 && n->name[1] == '*'));
}

void dnssec_zone_free(struct dnssec_zone *dz)
{
	if (!dz)
		return;
	dnssec_keyset_free(&dz->ks);
	free(dz->chain);
	free(dz->keys);
	free(dz->n3);
	free(dz);
}

/* ---- building rrsets ---- */

int dnssec_rrset_build(struct arena *a, uint16_t type, uint32_t ttl, const uint8_t *const *rdata,
		       const uint16_t *len, size_t n, struct rrset *out)
{
	size_t total = 0;
	uint8_t *p;

	for (size_t i = 0; i < n; i++)
		total += RR_FIXED + len[i];
	p = arena_alloc(a, total ? total : 1);
	if (!p)
		return STEER_ENOMEM;
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->count = (uint16_t)n;
	out->ttl = ttl;
	out->data = p;
	for (size_t i = 0; i < n; i++) {
		rr_header_put(p, type, DNS_CLASS_IN, ttl, len[i]);
		memcpy(p + RR_FIXED, rdata[i], len[i]);
		p += RR_FIXED + len[i];
	}
	return 0;
}

int dnssec_node_add(struct arena *a, struct node *n, const struct rrset *add, size_t k)
{
	struct rrset *sets = arena_alloc(a, (n->nrrsets + k) * sizeof(*sets));
	size_t i = 0, j = 0, o = 0;

	if (!sets)
		return STEER_ENOMEM;
	/* Merge: both are sorted by type. */
	while (i < n->nrrsets || j < k) {
		if (j == k || (i < n->nrrsets && n->rrsets[i].type < add[j].type))
			sets[o++] = n->rrsets[i++];
		else
			sets[o++] = add[j++];
	}
	n->rrsets = sets;
	n->nrrsets = (uint16_t)o;
	return 0;
}

size_t dnssec_bitmap(const uint16_t *types, size_t n, uint8_t *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n;) {
		uint8_t win = (uint8_t)(types[i] >> 8), bits[32] = { 0 }, used = 0;

		for (; i < n && (types[i] >> 8) == win; i++) {
			uint8_t lo = (uint8_t)types[i];
			bits[lo / 8] |= (uint8_t)(0x80 >> (lo % 8));
			if (lo / 8 + 1 > used)
				used = (uint8_t)(lo / 8 + 1);
		}
		out[len++] = win;
		out[len++] = used;
		memcpy(out + len, bits, used);
		len += used;
	}
	return len;
}

static int type_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

size_t dnssec_node_types(const struct node *n, const uint16_t *extra, size_t nextra, uint16_t *out)
{
	size_t k = 0;

	for (uint16_t i = 0; i < n->nrrsets && k < 1024; i++)
		if (!(n->flags & NODE_DELEG) || n->rrsets[i].type == DNS_TYPE_NS || n->rrsets[i].type == DNS_TYPE_DS)
			out[k++] = n->rrsets[i].type;
	for (size_t i = 0; i < nextra; i++)
		out[k++] = extra[i];
	qsort(out, k, sizeof(*out), type_cmp);
	return k;
}

/* ---- the master file, the keys, the apex ---- */

static int reject_dnssec_types(struct signer *S)
{
	static const uint16_t bad[] = { DNS_TYPE_RRSIG, DNS_TYPE_NSEC, DNS_TYPE_NSEC3, DNS_TYPE_NSEC3PARAM,
					DNS_TYPE_DNSKEY, DNS_TYPE_CDS, DNS_TYPE_CDNSKEY };
	const struct zone *z = S->z;

	for (uint32_t i = 0; i <= z->mask; i++) {
		const struct node *n = zone_slot(z, i);
		for (size_t k = 0; n && k < sizeof(bad) / sizeof(bad[0]); k++) {
			char nm[DNAME_MAXLEN * 4];
			if (!node_rrset(n, bad[k]))
				continue;
			dname_to_str(n->name, nm, sizeof(nm));
			errlist_add(S->errs,
				    "%s: %s has a record of type %u: steerdns signs this zone itself "
				    "(\"dnssec\" in the config), so the file must not hold DNSSEC records",
				    z->file, nm, bad[k]);
			return STEER_EMALF;
		}
	}
	return 0;
}

static int pick_keys(struct signer *S)
{
	const struct dnssec_keyset *ks = &S->dz->ks;

	for (size_t i = 0; i < ks->n; i++) {
		const struct dnssec_key *k = &ks->keys[i];
		if (!dnssec_key_signing(k, S->now))
			continue;
		if (k->role == DNSSEC_KSK && S->nksk < 8)
			S->ksks[S->nksk++] = k;
		else if (k->role == DNSSEC_ZSK && S->nzsk < 8)
			S->zsks[S->nzsk++] = k;
	}
	if (!S->nksk || !S->nzsk) {
		errlist_add(S->errs, "%s: no active %s in %s (steerctl dnssec keygen %s makes one)", S->z->name,
			    S->nksk ? "ZSK" : "KSK", S->c->keys.key_dir, S->z->name);
		return STEER_ENOENT;
	}
	S->dz->ksk = S->ksks[0];
	S->dz->zsk = S->zsks[0];
	return 0;
}

/* DNSKEY (every published key), CDS and CDNSKEY (the active KSKs). */
static int apex_records(struct signer *S)
{
	const struct dnssec_keyset *ks = &S->dz->ks;
	uint8_t dk[16][68], cds[8][36];
	const uint8_t *rd[16];
	uint16_t len[16];
	struct rrset add[3];
	size_t n = 0;
	uint32_t ttl = S->c->keys.dnskey_ttl ? S->c->keys.dnskey_ttl : 3600;
	int ret;

	for (size_t i = 0; i < ks->n && n < 16; i++)
		if (dnssec_key_published(&ks->keys[i], S->now)) {
			len[n] = (uint16_t)dnssec_key_dnskey_rdata(&ks->keys[i], dk[n], sizeof(dk[n]));
			rd[n] = dk[n];
			n++;
		}
	ret = dnssec_rrset_build(&S->z->arena, DNS_TYPE_DNSKEY, ttl, rd, len, n, &add[0]);
	for (int i = 0; ret == 0 && i < S->nksk; i++) {
		const struct dnssec_key *k = S->ksks[i];
		cds[i][0] = (uint8_t)(k->tag >> 8);
		cds[i][1] = (uint8_t)k->tag;
		cds[i][2] = k->alg;
		cds[i][3] = 2; /* SHA-256 */
		ret = dnssec_key_ds_sha256(k, S->z->apex, S->z->apexlen, cds[i] + 4);
		rd[i] = cds[i];
		len[i] = 36;
	}
	if (ret == 0)
		ret = dnssec_rrset_build(&S->z->arena, DNS_TYPE_CDS, ttl, rd, len, (size_t)S->nksk, &add[1]);
	for (int i = 0; ret == 0 && i < S->nksk; i++) {
		len[i] = (uint16_t)dnssec_key_dnskey_rdata(S->ksks[i], dk[i], sizeof(dk[i]));
		rd[i] = dk[i];
	}
	if (ret == 0)
		ret = dnssec_rrset_build(&S->z->arena, DNS_TYPE_CDNSKEY, ttl, rd, len, (size_t)S->nksk, &add[2]);
	if (ret == 0) {
		/* sorted by type: DNSKEY 48, CDS 59, CDNSKEY 60 */
		ret = dnssec_node_add(&S->z->arena, (struct node *)S->z->apex_node, add, 3);
	}
	return ret;
}

/* ---- NSEC ---- */

static int node_order(const void *a, const void *b)
{
	return dnssec_name_cmp((*(const struct node *const *)a)->name, (*(const struct node *const *)b)->name);
}

int dnssec_collect(const struct zone *z, int with_ents, const struct node ***out, size_t *n)
{
	const struct node **v = malloc((z->nnodes + 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return STEER_ENOMEM;
	for (uint32_t i = 0; i <= z->mask; i++) {
		const struct node *nd = zone_slot(z, i);
		if (!nd)
			continue;
		if (dnssec_node_authoritative(nd) ||
		    (with_ents && !nd->nrrsets && !node_cut(nd) && !node_dname(nd)))
			v[k++] = nd;
	}
	qsort(v, k, sizeof(*v), node_order);
	*out = v;
	*n = k;
	return 0;
}

static int nsec_chain(struct signer *S)
{
	static const uint16_t extra[] = { DNS_TYPE_RRSIG, DNS_TYPE_NSEC };
	struct dnssec_zone *dz = S->dz;
	uint16_t types[1100];
	uint8_t rd[DNAME_MAXLEN + 8704];
	int ret = dnssec_collect(S->z, 0, &dz->chain, &dz->nchain);

	if (ret == 0 && dnssec_chain_keys(dz, S->z->apexlabels) < 0)
		ret = STEER_ENOMEM;

	for (size_t i = 0; ret == 0 && i < dz->nchain; i++) {
		const struct node *n = dz->chain[i], *next = dz->chain[(i + 1) % dz->nchain];
		size_t nt = dnssec_node_types(n, extra, 2, types);
		const uint8_t *rdp = rd;
		uint16_t len;
		struct rrset set;

		memcpy(rd, next->name, next->namelen);
		len = (uint16_t)(next->namelen + dnssec_bitmap(types, nt, rd + next->namelen));
		ret = dnssec_rrset_build(&S->z->arena, DNS_TYPE_NSEC, S->z->neg_ttl, &rdp, &len, 1, &set);
		if (ret == 0)
			ret = dnssec_node_add(&S->z->arena, (struct node *)n, &set, 1);
	}
	return ret;
}

/* ---- signatures ---- */

static size_t rrset_bytes(const struct rrset *s)
{
	const uint8_t *p = s->data;

	for (uint16_t i = 0; i < s->count; i++)
		p += rr_len(p);
	return (size_t)(p - s->data);
}

/* The old version's signatures of this rrset, when the rrset is byte for
 * byte the same, each was made by a key still active for its role, and
 * each is valid for longer than the refresh time. */
/* Are the nsigs signatures at p by keys[] (in order, still active for
 * the role) and each valid for longer than the refresh time (and no longer
 * than the validity)? */
static int sigs_usable(const struct signer *S, const uint8_t *p, int nsigs, const struct dnssec_key *const *keys,
		       int nkeys)
{
	if (nsigs != nkeys)
		return 0;
	for (int i = 0; i < nkeys; i++, p += rr_len(p)) {
		const uint8_t *r = p + RR_FIXED;
		uint32_t exp = wire_get32(r + 8);
		int32_t left = (int32_t)(exp - S->now);
		/* Longer left than the validity: made under a longer configured
		 * validity, which the config no longer allows. */
		if (wire_get16(r + 16) != keys[i]->tag || r[2] != keys[i]->alg || left <= (int32_t)S->c->refresh ||
		    left > (int32_t)S->c->validity)
			return 0;
	}
	return 1;
}

/* Copy the nkeys signatures at sigs into set (the zone's arena). */
static int take_sigs(struct signer *S, struct rrset *set, const uint8_t *sigs, int nkeys)
{
	const uint8_t *p = sigs;
	uint8_t *blob;
	size_t sz;

	for (int i = 0; i < nkeys; i++)
		p += rr_len(p);
	sz = (size_t)(p - sigs);
	if (!(blob = rrset_sigs_alloc(&S->z->arena, set, sz, (uint16_t)nkeys)))
		return STEER_ENOMEM;
	memcpy(blob, sigs, sz);
	p = set->sigs;
	for (int i = 0; i < nkeys; i++, p += rr_len(p)) {
		uint32_t exp = wire_get32(p + RR_FIXED + 8);
		if (exp - S->dz->expire_min > 0x7fffffffu) /* serial arithmetic: exp < expire_min */
			S->dz->expire_min = exp;
	}
	S->dz->nreused += (size_t)nkeys;
	return 1;
}

/* The previous version's signatures of this rrset (when the rrset is byte
 * for byte the same), else the store's (same key: same rrset); usable
 * when sigs_usable() says so. 1 when taken, 0 when not, or an error. */
static int reuse_sigs(struct signer *S, const struct node *on, struct rrset *set,
		      const struct dnssec_key *const *keys, int nkeys, const uint8_t *key)
{
	const struct rrset *os = on ? node_rrset(on, set->type) : NULL;
	const struct sigstore_entry *e;
	size_t sz;

	if (os && os->count == set->count && os->ttl == set->ttl && sigs_usable(S, os->sigs, rrset_nsigs(os), keys, nkeys)) {
		sz = rrset_bytes(set);
		if (rrset_bytes(os) == sz && memcmp(os->data, set->data, sz) == 0)
			return take_sigs(S, set, os->sigs, nkeys);
	}
	e = key ? sigstore_find(&S->store, key) : NULL;
	if (e && sigs_usable(S, e->sigs, e->nsigs, keys, nkeys))
		return take_sigs(S, set, e->sigs, nkeys);
	return 0;
}

static int queue_sigs(struct signer *S, const struct node *n, struct rrset *set, const struct dnssec_key *const *keys,
		      int nkeys, const uint8_t *key);

static int sign_rrset(struct signer *S, const struct node *n, const struct node *on, struct rrset *set)
{
	const int dnskeys = set->type == DNS_TYPE_DNSKEY || set->type == DNS_TYPE_CDS || set->type == DNS_TYPE_CDNSKEY;
	const struct dnssec_key *const *keys = dnskeys ? S->ksks : S->zsks;
	int nkeys = dnskeys ? S->nksk : S->nzsk, r;
	uint8_t key[32] = { 0 };

	if (S->store_out || S->store.slots)
		sigstore_key(n->name, n->namelen, set, key);
	r = reuse_sigs(S, on, set, keys, nkeys, S->store.slots ? key : NULL);
	if (r == 0)
		return queue_sigs(S, n, set, keys, nkeys, key); /* stored when signed */
	if (r >= 0 && S->store_out)
		sigstore_put(S->store_out, key, set);
	return r < 0 ? r : 0;
}

static void sign_error(struct signer *S, const struct node *n, uint16_t type, int ret)
{
	char nm[DNAME_MAXLEN * 4];

	dname_to_str(n->name, nm, sizeof(nm));
	errlist_add(S->errs, "%s: cannot sign %s type %u: %s", S->z->name, nm, type, steer_strerror(ret));
	S->reported = 1;
}

/* The batch's signatures made (signbatch.c, on several threads), then
 * copied into the zone's arena in queue order. */
static int flush_sigs(struct signer *S)
{
	struct signbatch *b = &S->batch;

	signbatch_sign(b);
	for (size_t k = 0; k < b->njobs; k++) {
		const struct signbatch_job *j = &b->jobs[k];
		size_t total = 0;
		uint8_t *blob;

		if (j->ret < 0) {
			sign_error(S, j->n, j->set->type, j->ret);
			return j->ret;
		}
		for (int i = 0; i < j->nkeys; i++)
			total += rr_len(j->out + (size_t)i * SIGNBATCH_SLOT);
		if (!(blob = rrset_sigs_alloc(&S->z->arena, j->set, total, (uint16_t)j->nkeys)))
			return STEER_ENOMEM;
		for (int i = 0; i < j->nkeys; i++) {
			const uint8_t *rr = j->out + (size_t)i * SIGNBATCH_SLOT;
			memcpy(blob, rr, rr_len(rr));
			blob += rr_len(rr);
		}
		S->dz->nsigned += (size_t)j->nkeys;
		if (S->store_out)
			sigstore_put(S->store_out, j->store_key, j->set);
	}
	signbatch_reset(b);
	return 0;
}

/* New signatures of set, one per key: queued, made by flush_sigs(). */
static int queue_sigs(struct signer *S, const struct node *n, struct rrset *set, const struct dnssec_key *const *keys,
		      int nkeys, const uint8_t *key)
{
	struct signbatch_job *j = signbatch_add(&S->batch, nkeys);
	int r;

	if (!j) {
		if ((r = flush_sigs(S)) < 0)
			return r;
		if (!(j = signbatch_add(&S->batch, nkeys)))
			return STEER_ESPACE;
	}
	j->n = n;
	j->set = set;
	j->keys = keys;
	memcpy(j->store_key, key, sizeof(j->store_key));
	return 0;
}

/* on: the node's old version (for reuse), or NULL. */
static int sign_node(struct signer *S, struct node *n, const struct node *on)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		struct rrset *set = &n->rrsets[i];
		if (!dnssec_rrset_signed(n, set->type))
			continue;
		int ret = sign_rrset(S, n, on, set);
		if (ret < 0) {
			if (!S->reported)
				sign_error(S, n, set->type, ret);
			return ret;
		}
	}
	return 0;
}

static int sign_zone(struct signer *S)
{
	const struct zone *z = S->z;
	const int old = S->old && S->old->dnssec; /* only a signed old version has signatures */

	S->dz->expire_min = S->expiration;
	for (uint32_t i = 0; i <= z->mask; i++) {
		struct node *n = (struct node *)zone_slot(z, i);
		if (n && dnssec_node_authoritative(n)) {
			const struct node *on = old ? zone_find(S->old, n->name, n->namelen, n->hash) : NULL;
			int ret = sign_node(S, n, on);
			if (ret < 0)
				return ret;
		}
	}
	/* NSEC3 owners are nodes of their own, outside the table. */
	for (size_t i = 0; i < S->dz->nn3; i++) {
		const struct node *on = old ? dnssec_nsec3_node(S->old->dnssec, S->dz->n3[i].hash) : NULL;
		int ret = sign_node(S, (struct node *)S->dz->n3[i].node, on);
		if (ret < 0)
			return ret;
	}
	return flush_sigs(S);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --check: the master file's DNSSEC records and the keys there are (none
 * is fine: they are made at the first real load); nothing is signed. */
static int check_only(struct signer *S)
{
	struct dnssec_keyset ks;
	int ret = reject_dnssec_types(S);

	if (ret == 0 && access(S->c->keys.key_dir, F_OK) == 0) {
		struct dnssec_keyconf kc = S->c->keys;
		ret = dnssec_keys_read(S->z->name, &kc, &ks, S->errs);
		dnssec_keyset_free(&ks);
	}
	return ret;
}

/* The store: read when there is no signed previous version to reuse from
 * (a start, and export: so the exported zone carries the signatures
 * steerdns serves); rewritten by every signing but export's. Opened only
 * once dnssec_keys_load() has made key_dir: opened before, the first start
 * of a zone (which creates key_dir with its keys) could not write the
 * file, and the second start signed everything again. */
static void store_open(struct signer *S)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/signatures.db", S->c->keys.key_dir);
	if ((!S->old || !S->old->dnssec) && sigstore_read(path, &S->store) < 0)
		log_warn("zone %s: %s: out of memory; signing everything", S->z->name, path);
	if (S->c->no_status)
		return;
	snprintf(path, sizeof(path), "%s/signatures.db.tmp", S->c->keys.key_dir);
	if ((S->store_out = fopen(path, "we")))
		fputs("STEERSIG1\n", S->store_out);
	else
		log_warn("zone %s: cannot write %s: %s; the next start signs everything", S->z->name, path,
			 strerror(errno));
}

static int sign_steps(struct signer *S)
{
	int ret = reject_dnssec_types(S);

	if (ret == 0)
		ret = dnssec_keys_load(S->z->name, &S->c->keys, S->now, &S->dz->ks, S->errs);
	if (ret == 0) {
		store_open(S); /* key_dir exists now */
		ret = pick_keys(S);
	}
	if (ret == 0)
		ret = apex_records(S);
	if (ret == 0)
		ret = S->c->denial == DNSSEC_NSEC3 ? dnssec_nsec3_build(S->z, S->dz) : nsec_chain(S);
	/* The apex got new rrset arrays: the zone's SOA pointer follows. */
	S->z->soa = node_rrset(S->z->apex_node, DNS_TYPE_SOA);
	if (ret == STEER_ENOMEM)
		errlist_add(S->errs, "%s: out of memory signing the zone", S->z->name);
	if (ret == 0)
		ret = sign_zone(S);
	return ret;
}

static void time_utc(uint32_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* key_dir/signing.status: what this load signed, for steerctl dnssec
 * status (which reads key_dir, not the daemon). Best effort: a failure is
 * logged, the zone is served anyway. */
static void write_status(const struct signer *S)
{
	const struct dnssec_zone *dz = S->dz;
	char path[4096], tmp[4200], a[40], b[40], c[40];
	FILE *f;

	snprintf(path, sizeof(path), "%s/signing.status", S->c->keys.key_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "we"))) {
		log_warn("zone %s: cannot write %s", S->z->name, tmp);
		return;
	}
	time_utc(S->now, a, sizeof(a));
	time_utc(dz->expire_min, b, sizeof(b));
	time_utc(dz->next_refresh, c, sizeof(c));
	fprintf(f, "zone %s\nserial %u\ndenial %s\nsigned_at %u %s\nexpire_min %u %s\nnext_refresh %u %s\n"
		   "ksk %u\nzsk %u\nsignatures_made %zu\nsignatures_reused %zu\nsign_seconds %.3f\n",
		S->z->name, S->z->serial, dz->denial == DNSSEC_NSEC3 ? "nsec3" : "nsec", S->now, a, dz->expire_min,
		b, dz->next_refresh, c, dz->ksk->tag, dz->zsk->tag, dz->nsigned, dz->nreused, dz->sign_seconds);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		log_warn("zone %s: cannot write %s", S->z->name, path);
}

static void store_close(struct signer *S, int ret)
{
	char tmp[4200], path[4096];

	sigstore_clear(&S->store);
	if (!S->store_out)
		return;
	snprintf(path, sizeof(path), "%s/signatures.db", S->c->keys.key_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (fclose(S->store_out) != 0 || ret < 0 || rename(tmp, path) != 0) {
		if (ret == 0)
			log_warn("zone %s: cannot write %s", S->z->name, path);
		unlink(tmp);
	}
	S->store_out = NULL;
}

int dnssec_zone_sign(struct zone *z, const struct zone *old, void *arg, struct errlist *errs)
{
	const struct dnssec_zoneconf *c = arg;
	struct signer S = { .z = z, .old = old, .c = c, .errs = errs, .now = dnssec_now() };
	double t0 = now_seconds();
	int ret;

	if (c->readonly)
		return check_only(&S);
	/* Clock skew: validators a little behind us still see a valid signature. */
	S.inception = S.now - 3600;
	S.expiration = S.now + c->validity;
	S.dz = calloc(1, sizeof(*S.dz));
	if (!S.dz || signbatch_init(&S.batch, z->apex, S.inception, S.expiration) < 0) {
		free(S.dz);
		errlist_add(errs, "%s: out of memory signing the zone", z->name);
		return STEER_ENOMEM;
	}
	S.dz->denial = c->denial;
	S.dz->validity = c->validity;
	S.dz->refresh = c->refresh;
	S.dz->inception = S.inception;
	ret = sign_steps(&S);
	store_close(&S, ret);
	signbatch_free(&S.batch);
	if (ret < 0) {
		dnssec_zone_free(S.dz);
		return ret;
	}
	S.dz->alg = S.dz->zsk->alg;
	S.dz->zsk_epoch = sigcache_key_epoch(S.dz->zsk); /* once here, not per steered query */
	S.dz->next_refresh = S.dz->expire_min - c->refresh;
	S.dz->sign_seconds = now_seconds() - t0;
	z->dnssec = S.dz;
	z->dnssec_free = dnssec_zone_free;
	if (!c->no_status)
		write_status(&S);
	log_info("zone %s: signed (%s): %zu signatures made, %zu reused, %.3f s; next refresh in %u s", z->name,
		 c->denial == DNSSEC_NSEC3 ? "NSEC3" : "NSEC", S.dz->nsigned, S.dz->nreused, S.dz->sign_seconds,
		 S.dz->next_refresh - S.now);
	return 0;
}
