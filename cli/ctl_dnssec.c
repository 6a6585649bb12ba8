/*
 * ctl_dnssec.c -- steerctl dnssec keygen|ds|status|export ZONE.
 *
 * These work from the zone's key_dir (found through the config), not the
 * control socket: keys are files, and a zone's DS must be obtainable
 * before steerdns ever ran. status adds key_dir/signing.status, which
 * steerdns rewrites each time it signs the zone. export loads and signs
 * the zone in this process with the same code and keys as steerdns and
 * writes the signed zone as a master file (for ldns-verify-zone,
 * dnssec-verify, or a secondary).
 */
#include "config.h"
#include "cli/commands.h"
#include "server/conf.h"
#include "server/dnssec/denial.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/nsec3.h"
#include "server/dnssec/zonesign.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/load/zoneload.h"
#include "server/zone/zone.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The zone named name in the config, with its dnssec policy. */
static const struct zone_conf *find_zone(const struct server_conf *c, const char *name)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < c->nzones; i++) {
		const char *zn = c->zones[i].name;
		size_t zl = strlen(zn);
		if (zl && zn[zl - 1] == '.')
			zl--;
		if (zl == n && !strncasecmp(zn, name, n))
			return &c->zones[i];
	}
	return NULL;
}

/* Read the config; the zone must be signed. fqdn gets the name with its dot. */
static int open_zone(const struct ctl_opts *o, const char *name, struct server_conf *c,
		     const struct zone_conf **zc, char *fqdn, size_t cap)
{
	struct errlist errs;

	errlist_init(&errs);
	if (server_conf_load(o->config, c, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		errlist_clear(&errs);
		return CTL_FAILED;
	}
	errlist_clear(&errs);
	*zc = find_zone(c, name);
	if (!*zc || !(*zc)->post_arg) {
		fprintf(stderr, "steerctl: %s: %s in %s\n", name, *zc ? "no \"dnssec\" for this zone" : "no such zone",
			o->config);
		server_conf_clear(c);
		return CTL_FAILED;
	}
	snprintf(fqdn, cap, "%s%s", (*zc)->name, (*zc)->name[strlen((*zc)->name) - 1] == '.' ? "" : ".");
	for (char *p = fqdn; *p; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	return CTL_OK;
}

static int print_errs(struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msgs[i]);
	errlist_clear(errs);
	return CTL_FAILED;
}

/* keygen ZONE [ksk|zsk]: the first pair, or one more key of a role. */
static int dnssec_keygen(const struct zone_conf *zc, const char *zone, const char *role)
{
	const struct dnssec_zoneconf *dc = zc->post_arg;
	struct dnssec_keyset ks;
	struct errlist errs;
	char *base = NULL;
	int64_t now = time(NULL);
	int ret;

	errlist_init(&errs);
	if (dnssec_keys_read(zone, &dc->keys, &ks, &errs) < 0)
		return print_errs(&errs);
	if (!role && ks.n) {
		fprintf(stderr, "steerctl: %s already has %zu keys in %s; say \"ksk\" or \"zsk\" to add one\n", zone,
			ks.n, dc->keys.key_dir);
		dnssec_keyset_free(&ks);
		return CTL_FAILED;
	}
	dnssec_keyset_free(&ks);
	for (int i = 0; i < 2; i++) {
		enum dnssec_role r = i == 0 ? DNSSEC_KSK : DNSSEC_ZSK;
		if (role && strcasecmp(role, r == DNSSEC_KSK ? "ksk" : "zsk"))
			continue;
		ret = dnssec_key_generate(zone, &dc->keys, r, now, now, now, &base, &errs);
		if (ret < 0)
			return print_errs(&errs);
		printf("%s %s\n", r == DNSSEC_KSK ? "ksk" : "zsk", base);
		free(base);
	}
	return CTL_OK;
}

static void print_ds(const struct dnssec_key *k, const char *zone, const uint8_t *apex, size_t apexlen)
{
	uint8_t d[32];

	if (dnssec_key_ds_sha256(k, apex, apexlen, d) < 0)
		return;
	printf("%s IN DS %u %u 2 ", zone, k->tag, k->alg);
	for (int i = 0; i < 32; i++)
		printf("%02X", d[i]);
	printf("\n");
}

/* ds ZONE: the DS of every published KSK (SHA-256), for the parent. */
static int dnssec_ds(const struct zone_conf *zc, const char *zone)
{
	const struct dnssec_zoneconf *dc = zc->post_arg;
	struct dnssec_keyset ks;
	struct errlist errs;
	ldns_rdf *apex = ldns_dname_new_frm_str(zone);
	int n = 0;

	errlist_init(&errs);
	if (!apex || dnssec_keys_read(zone, &dc->keys, &ks, &errs) < 0) {
		ldns_rdf_deep_free(apex);
		return print_errs(&errs);
	}
	for (size_t i = 0; i < ks.n; i++)
		if (ks.keys[i].role == DNSSEC_KSK && dnssec_key_published(&ks.keys[i], time(NULL))) {
			print_ds(&ks.keys[i], zone, ldns_rdf_data(apex), ldns_rdf_size(apex));
			n++;
		}
	dnssec_keyset_free(&ks);
	ldns_rdf_deep_free(apex);
	if (!n) {
		fprintf(stderr, "steerctl: %s: no KSK in %s (steerctl dnssec keygen %s)\n", zone, dc->keys.key_dir, zone);
		return CTL_FAILED;
	}
	return CTL_OK;
}

static void fmt_time(int64_t t, const char *unset, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t) {
		snprintf(out, cap, "%s", unset);
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* status ZONE: each key's role, state and timers, then the last signing. */
static int dnssec_status(const struct zone_conf *zc, const char *zone)
{
	const struct dnssec_zoneconf *dc = zc->post_arg;
	struct dnssec_keyset ks;
	struct errlist errs;
	char path[4096], line[512];
	int64_t now = time(NULL);
	FILE *f;

	errlist_init(&errs);
	if (dnssec_keys_read(zone, &dc->keys, &ks, &errs) < 0)
		return print_errs(&errs);
	printf("zone %s\nkey_dir %s\nkeys %zu\n", zone, dc->keys.key_dir, ks.n);
	for (size_t i = 0; i < ks.n; i++) {
		const struct dnssec_key *k = &ks.keys[i];
		char t[5][32];
		fmt_time(k->created, "-", t[0], 32);
		fmt_time(k->publish, "at creation", t[1], 32);
		fmt_time(k->activate, "at creation", t[2], 32);
		fmt_time(k->inactive, "never", t[3], 32);
		fmt_time(k->delete_, "never", t[4], 32);
		printf("key %u %s alg %u %s; created %s, publish %s, activate %s, inactive %s, delete %s\n", k->tag,
		       k->role == DNSSEC_KSK ? "ksk" : "zsk", k->alg,
		       dnssec_key_signing(k, now) ? "active" : dnssec_key_published(k, now) ? "published" : "inactive",
		       t[0], t[1], t[2], t[3], t[4]);
	}
	ctl_dnssec_roll_status(dc, &ks, now);
	dnssec_keyset_free(&ks);
	snprintf(path, sizeof(path), "%s/signing.status", dc->keys.key_dir);
	if (!(f = fopen(path, "re"))) {
		printf("signing: not signed yet (no %s)\n", path);
		return CTL_OK;
	}
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "zone ", 5) != 0)
			fputs(line, stdout);
	fclose(f);
	return CTL_OK;
}

/* ---- export ---- */

/* One compiled RR (owner + TYPE CLASS TTL RDLENGTH RDATA) as text. */
static void put_rr(FILE *out, const uint8_t *owner, size_t olen, const uint8_t *rr)
{
	uint8_t buf[DNAME_MAXLEN + 65536];
	size_t pos = 0, len = olen + rr_len(rr);
	ldns_rr *r = NULL;
	char *s;

	memcpy(buf, owner, olen);
	memcpy(buf + olen, rr, rr_len(rr));
	if (ldns_wire2rr(&r, buf, len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return;
	if ((s = ldns_rr2str(r))) {
		fputs(s, out);
		free(s);
	}
	ldns_rr_free(r);
}

static void put_node(FILE *out, const struct node *n)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const struct rrset *set = &n->rrsets[i];
		const uint8_t *p = set->data;
		for (uint16_t k = 0; k < set->count; k++, p += rr_len(p))
			put_rr(out, n->name, n->namelen, p);
		p = set->sigs;
		for (uint16_t k = 0; k < rrset_nsigs(set); k++, p += rr_len(p))
			put_rr(out, n->name, n->namelen, p);
	}
}

static int node_order(const void *a, const void *b)
{
	return dnssec_name_cmp((*(const struct node *const *)a)->name, (*(const struct node *const *)b)->name);
}

/* Every node (glue too), the NSEC3 owners after. */
static void write_zone(FILE *out, const struct zone *z)
{
	const struct node **v = malloc((z->nnodes + 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return;
	for (uint32_t i = 0; i <= z->mask; i++)
		if (zone_slot(z, i) && zone_slot(z, i)->nrrsets)
			v[k++] = zone_slot(z, i);
	qsort(v, k, sizeof(*v), node_order);
	for (size_t i = 0; i < k; i++)
		put_node(out, v[i]);
	for (size_t i = 0; z->dnssec && i < z->dnssec->nn3; i++)
		put_node(out, z->dnssec->n3[i].node);
	free(v);
}

static int dnssec_export(const struct zone_conf *zc, const char *zone, const char *file)
{
	struct dnssec_zoneconf *dc = zc->post_arg;
	struct dnssec_keyset ks;
	struct errlist errs;
	struct zone *z = NULL;
	FILE *out = stdout;

	errlist_init(&errs);
	/* Export signs with the keys there are; it never makes keys. */
	if (dnssec_keys_read(zone, &dc->keys, &ks, &errs) < 0)
		return print_errs(&errs);
	if (!ks.n) {
		fprintf(stderr, "steerctl: %s: no keys in %s (start steerdns or steerctl dnssec keygen %s)\n", zone,
			dc->keys.key_dir, zone);
		return CTL_FAILED;
	}
	dnssec_keyset_free(&ks);
	dc->no_status = 1;
	if (zone_load(zc->name, zc->file, &errs, &z) != STEER_EOK || dnssec_zone_sign(z, NULL, dc, &errs) < 0) {
		zone_free(z);
		return print_errs(&errs);
	}
	if (file && strcmp(file, "-") && !(out = fopen(file, "we"))) {
		perror(file);
		zone_free(z);
		return CTL_FAILED;
	}
	write_zone(out, z);
	if (out != stdout)
		fclose(out);
	zone_free(z);
	errlist_clear(&errs);
	return CTL_OK;
}

int ctl_dnssec(const struct ctl_opts *o, int argc, char **argv)
{
	const char *pos[3] = { NULL, NULL, NULL };
	const struct zone_conf *zc;
	struct server_conf c;
	char zone[DNAME_MAXLEN + 2];
	int n = ctl_args(argc, argv, pos, 2, 3, "dnssec keygen|ds|status|export|roll|ds-seen ZONE [ksk|zsk|FILE|TAG]"), ret;

	if (n < 0)
		return CTL_USAGE;
	/* Rollovers go through the daemon, which owns the key files. */
	if (!strcmp(pos[0], "roll"))
		return ctl_dnssec_roll(o, pos[1], pos[2]);
	if (!strcmp(pos[0], "ds-seen"))
		return ctl_dnssec_ds_seen(o, pos[1], pos[2]);
	if (strcmp(pos[0], "keygen") && strcmp(pos[0], "ds") && strcmp(pos[0], "status") && strcmp(pos[0], "export")) {
		fprintf(stderr, "usage: steerctl dnssec keygen|ds|status|export ZONE [ksk|zsk|FILE]\n");
		return CTL_USAGE;
	}
	if (n == 3 && strcmp(pos[0], "export") &&
	    (strcmp(pos[0], "keygen") || (strcasecmp(pos[2], "ksk") && strcasecmp(pos[2], "zsk")))) {
		fprintf(stderr, "usage: steerctl dnssec keygen ZONE [ksk|zsk]; ds|status ZONE; export ZONE [FILE]\n");
		return CTL_USAGE;
	}
	if ((ret = open_zone(o, pos[1], &c, &zc, zone, sizeof(zone))) != CTL_OK)
		return ret;
	if (!strcmp(pos[0], "keygen"))
		ret = dnssec_keygen(zc, zone, pos[2]);
	else if (!strcmp(pos[0], "ds"))
		ret = dnssec_ds(zc, zone);
	else if (!strcmp(pos[0], "status"))
		ret = dnssec_status(zc, zone);
	else
		ret = dnssec_export(zc, zone, pos[2]);
	server_conf_clear(&c);
	return ret;
}
