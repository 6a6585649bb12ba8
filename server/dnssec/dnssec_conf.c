/* dnssec_conf.c -- a zone's "dnssec" object: keys, denial, signature timers. */
#include "config.h"
#include "server/dnssec/zonesign.h"

#include "common/conf.h"
#include "common/errlist.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dnssec_fields {
	char *key_dir, *algorithm, *denial;
	long long validity, refresh, zsk_lifetime, dnskey_ttl, propagation;
	long long ds_ttl, ksk_ds_wait; /* rollover.h */
};

static const struct conf_field dnssec_fields[] = {
	{ "key_dir", CONF_STRING, offsetof(struct dnssec_fields, key_dir), 0, 0 },
	{ "algorithm", CONF_STRING, offsetof(struct dnssec_fields, algorithm), 0, 0 },
	{ "denial", CONF_STRING, offsetof(struct dnssec_fields, denial), 0, 0 },
	/* One hour at least: validators allow for clock skew and caching. */
	{ "signature_validity", CONF_INT, offsetof(struct dnssec_fields, validity), 3600, 366LL * 86400 },
	{ "refresh", CONF_INT, offsetof(struct dnssec_fields, refresh), 60, 365LL * 86400 },
	{ "zsk_lifetime", CONF_INT, offsetof(struct dnssec_fields, zsk_lifetime), 0, 10LL * 366 * 86400 },
	{ "dnskey_ttl", CONF_INT, offsetof(struct dnssec_fields, dnskey_ttl), 0, 604800 },
	{ "propagation", CONF_INT, offsetof(struct dnssec_fields, propagation), 0, 86400 },
	/* The KSK rollover's wait for the parent (rollover.h). */
	{ "ds_ttl", CONF_INT, offsetof(struct dnssec_fields, ds_ttl), 0, 7LL * 86400 },
	{ "ksk_ds_wait", CONF_INT, offsetof(struct dnssec_fields, ksk_ds_wait), 0, 366LL * 86400 },
};

static void fields_clear(struct dnssec_fields *f)
{
	free(f->key_dir);
	free(f->algorithm);
	free(f->denial);
}

/* The choices of algorithm and denial, by name. */
static int choices(const struct conf_file *cf, const char *const *path, const struct dnssec_fields *f,
		   struct dnssec_zoneconf *c, struct errlist *errs)
{
	int nerr = 0;

	if (!f->algorithm || !strcasecmp(f->algorithm, "ecdsap256sha256"))
		c->keys.alg = DNSSEC_ALG_ECDSAP256SHA256;
	else if (!strcasecmp(f->algorithm, "ed25519"))
		c->keys.alg = DNSSEC_ALG_ED25519;
	else {
		conf_err(errs, cf, path, "algorithm \"%s\": expected \"ecdsap256sha256\" or \"ed25519\"",
			 f->algorithm);
		nerr++;
	}
	if (!f->denial || !strcasecmp(f->denial, "nsec"))
		c->denial = DNSSEC_NSEC;
	else if (!strcasecmp(f->denial, "nsec3"))
		c->denial = DNSSEC_NSEC3;
	else {
		conf_err(errs, cf, path, "denial \"%s\": expected \"nsec\" or \"nsec3\"", f->denial);
		nerr++;
	}
	if (!nerr && c->refresh >= c->validity) {
		conf_err(errs, cf, path, "refresh (%u s) must be shorter than signature_validity (%u s)", c->refresh,
			 c->validity);
		nerr++;
	}
	return nerr;
}

int dnssec_zoneconf_read(const struct conf_file *cf, json_t *obj, const char *const *path,
			 struct dnssec_zoneconf **out, struct errlist *errs)
{
	struct dnssec_fields f = { .validity = 14 * 86400, .refresh = 7 * 86400, .dnskey_ttl = 3600,
				    .ds_ttl = 86400 };
	struct dnssec_zoneconf *c;
	int nerr;

	*out = NULL;
	if (!json_is_object(obj)) {
		conf_err(errs, cf, path, "expected an object {\"key_dir\": ...}");
		return 1;
	}
	nerr = conf_read_fields(cf, obj, path, dnssec_fields, CONF_NFIELDS(dnssec_fields), &f, errs);
	if (!nerr && !f.key_dir) {
		conf_err(errs, cf, path, "\"key_dir\" is required (where the zone's keys live)");
		nerr++;
	}
	c = nerr ? NULL : calloc(1, sizeof(*c));
	if (!nerr && !c) {
		errlist_add(errs, "%s: out of memory", cf->path);
		nerr++;
	}
	if (nerr) {
		fields_clear(&f);
		return nerr;
	}
	c->validity = (uint32_t)f.validity;
	c->refresh = (uint32_t)f.refresh;
	c->keys.zsk_lifetime = (uint32_t)f.zsk_lifetime;
	c->keys.dnskey_ttl = (uint32_t)f.dnskey_ttl;
	c->keys.propagation = (uint32_t)f.propagation;
	c->roll.ds_ttl = (uint32_t)f.ds_ttl;
	c->roll.ksk_ds_wait = (uint32_t)f.ksk_ds_wait;
	c->keys.key_dir = conf_resolve_path(cf, f.key_dir);
	nerr = choices(cf, path, &f, c, errs);
	if (!nerr && !c->keys.key_dir) {
		errlist_add(errs, "%s: out of memory", cf->path);
		nerr++;
	}
	fields_clear(&f);
	if (nerr) {
		dnssec_zoneconf_free(c);
		return nerr;
	}
	*out = c;
	return 0;
}

void dnssec_zoneconf_free(struct dnssec_zoneconf *c)
{
	if (!c)
		return;
	free(c->keys.key_dir);
	free(c);
}
