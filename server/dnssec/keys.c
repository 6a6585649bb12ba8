/*
 * keys.c -- DNSSEC key pairs of one zone in BIND format, through OpenSSL.
 *
 * Files (what dnssec-keygen writes, so dnssec-* and ldns-* tools read them):
 *   Kzone.+AAA+TTTTT.key      "zone. IN DNSKEY flags 3 alg base64" (0644)
 *   Kzone.+AAA+TTTTT.private  Private-key-format v1.3, Algorithm, PrivateKey
 *                             (base64 of the raw scalar / seed) and the
 *                             timing lines Created/Publish/Activate/
 *                             Inactive/Delete (YYYYMMDDHHMMSS UTC)  (0600)
 * The role comes from the flags in the .key file (257 = KSK). The public
 * key is derived from the private one and checked against the .key file,
 * so a mismatched pair is an error rather than a zone nobody can validate.
 */
#include "config.h"
#include "server/dnssec/keys.h"

#include "common/errlist.h"
#include "common/errors.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint16_t dnssec_keytag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;

	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

int dnssec_key_dnskey_rdata(const struct dnssec_key *k, uint8_t *out, size_t cap)
{
	if (cap < 4u + k->publen)
		return STEER_ESPACE;
	out[0] = (uint8_t)(k->flags >> 8);
	out[1] = (uint8_t)k->flags;
	out[2] = 3;
	out[3] = k->alg;
	memcpy(out + 4, k->pub, k->publen);
	return 4 + k->publen;
}

int dnssec_key_ds_sha256(const struct dnssec_key *k, const uint8_t *apex, size_t apexlen, uint8_t out[32])
{
	uint8_t buf[255 + 4 + 64];
	int n;

	if (apexlen > 255)
		return STEER_EINVAL;
	for (size_t i = 0; i < apexlen; i++) /* lowercase: labels' length bytes are < 'A' */
		buf[i] = (apex[i] >= 'A' && apex[i] <= 'Z') ? (uint8_t)(apex[i] + 32) : apex[i];
	n = dnssec_key_dnskey_rdata(k, buf + apexlen, sizeof(buf) - apexlen);
	if (n < 0)
		return n;
	if (!EVP_Digest(buf, apexlen + (size_t)n, out, NULL, EVP_sha256(), NULL))
		return STEER_ENOMEM;
	return 0;
}

/* Flags decide the role and are part of the key tag. */
static void key_set_flags(struct dnssec_key *k, uint16_t flags)
{
	uint8_t rd[4 + 64];
	int n;

	k->flags = flags;
	k->role = (flags & 1) ? DNSSEC_KSK : DNSSEC_ZSK;
	n = dnssec_key_dnskey_rdata(k, rd, sizeof(rd));
	k->tag = n > 0 ? dnssec_keytag(rd, (size_t)n) : 0;
}

/* ---- raw key material <-> EVP_PKEY ---- */

/* The public key of an EC P-256 private scalar (uncompressed point, 65 bytes). */
static int ec_pub_of(const uint8_t *priv, size_t len, uint8_t pub[65])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	int ret = STEER_EINVAL;

	if (g && p && d && EC_POINT_mul(g, p, d, NULL, NULL, NULL) &&
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub, 65, NULL) == 65)
		ret = 0;
	BN_clear_free(d);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ret;
}

static EVP_PKEY *ec_pkey_of(const uint8_t *priv, size_t len, const uint8_t pub[65])
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (!b || !d || !OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, 65))
		goto out;
	params = OSSL_PARAM_BLD_to_param(b);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	BN_clear_free(d);
	OSSL_PARAM_BLD_free(b);
	return pk;
}

int dnssec_key_from_private(struct dnssec_key *k, uint8_t alg, uint16_t flags, const uint8_t *priv, size_t len)
{
	uint8_t pub[65];
	size_t publen = 32;

	memset(k, 0, sizeof(*k));
	if (alg == DNSSEC_ALG_ECDSAP256SHA256) {
		if (len != 32 || ec_pub_of(priv, len, pub) < 0)
			return STEER_EINVAL;
		k->pkey = ec_pkey_of(priv, len, pub);
		memcpy(k->pub, pub + 1, 64); /* RFC 6605 4: Q = x | y, no 0x04 prefix */
		k->publen = 64;
	} else if (alg == DNSSEC_ALG_ED25519) {
		if (len != 32)
			return STEER_EINVAL;
		k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, len);
		if (!k->pkey || !EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &publen) || publen != 32) {
			EVP_PKEY_free(k->pkey);
			k->pkey = NULL;
			return STEER_EINVAL;
		}
		k->publen = 32;
	} else {
		return STEER_ENOTSUP;
	}
	if (!k->pkey)
		return STEER_EINVAL;
	k->alg = alg;
	key_set_flags(k, flags);
	return 0;
}

/* The raw private key of a new key pair of alg (32 bytes for both). */
static int raw_private_new(uint8_t alg, uint8_t out[32])
{
	EVP_PKEY *pk = alg == DNSSEC_ALG_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
						 : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIGNUM *d = NULL;
	size_t len = 32;
	int ret = STEER_ENOMEM;

	if (!pk)
		return ret;
	if (alg == DNSSEC_ALG_ED25519) {
		if (EVP_PKEY_get_raw_private_key(pk, out, &len) && len == 32)
			ret = 0;
	} else if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) && BN_bn2binpad(d, out, 32) == 32) {
		ret = 0;
	}
	BN_clear_free(d);
	EVP_PKEY_free(pk);
	return ret;
}

/* ---- file formats ---- */

/* Base64 through OpenSSL's block coder (ldns keeps its own private). */
static void b64_enc(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (cap < 4 * ((len + 2) / 3) + 1) {
		out[0] = 0;
		return;
	}
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

/* Decode s (no whitespace) into out; returns the length, -1 when bad. */
static int b64_dec(const char *s, uint8_t *out, size_t cap)
{
	size_t sl = strlen(s), pad = 0;
	int n;

	if (sl == 0 || sl % 4 || (sl / 4) * 3 > cap)
		return -1;
	pad = (s[sl - 1] == '=') + (s[sl - 2] == '=');
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)sl);
	return n < 0 ? -1 : n - (int)pad;
}

static const char *alg_mnemonic(uint8_t alg)
{
	return alg == DNSSEC_ALG_ED25519 ? "ED25519" : "ECDSAP256SHA256";
}

static void time_str(int64_t t, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

static int64_t time_parse(const char *s)
{
	struct tm tm = {0};

	if (strlen(s) < 14 || !strptime(s, "%Y%m%d%H%M%S", &tm))
		return -1;
	return (int64_t)timegm(&tm);
}

/* Write text to path atomically (temporary + rename) with mode. */
static int file_put(const char *path, const char *text, mode_t mode, struct errlist *errs)
{
	char tmp[4096];
	int fd;
	size_t len = strlen(text);

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		errlist_add(errs, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return STEER_EINVAL;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		errlist_add(errs, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return STEER_EINVAL;
	}
	return 0;
}

/* The .private text: key material plus the timing metadata. */
static void private_text(const struct dnssec_key *k, const uint8_t *raw, char *out, size_t cap)
{
	char b64[64], t[5][16];
	const int64_t v[5] = {k->created, k->publish, k->activate, k->inactive, k->delete_};
	static const char *const name[5] = {"Created", "Publish", "Activate", "Inactive", "Delete"};
	size_t off;

	b64_enc(raw, 32, b64, sizeof(b64));
	off = (size_t)snprintf(out, cap, "Private-key-format: v1.3\nAlgorithm: %u (%s)\nPrivateKey: %s\n",
			       k->alg, alg_mnemonic(k->alg), b64);
	for (int i = 0; i < 5 && off < cap; i++) {
		if (!v[i])
			continue;
		time_str(v[i], t[i]);
		off += (size_t)snprintf(out + off, cap - off, "%s: %s\n", name[i], t[i]);
	}
}

static int public_text(const struct dnssec_key *k, const char *zone, char *out, size_t cap)
{
	char b64[128];

	b64_enc(k->pub, k->publen, b64, sizeof(b64));
	return snprintf(out, cap, "; This is a %s, keyid %u, for %s\n%s IN DNSKEY %u 3 %u %s\n",
			k->role == DNSSEC_KSK ? "key-signing key" : "zone-signing key", k->tag, zone, zone,
			k->flags, k->alg, b64);
}

/* The raw private key is not kept in struct dnssec_key; rewriting the
 * timers reads it back from the EVP_PKEY. */
static int raw_private_of(const struct dnssec_key *k, uint8_t out[32])
{
	BIGNUM *d = NULL;
	size_t len = 32;
	int ret = STEER_EINVAL;

	if (k->alg == DNSSEC_ALG_ED25519)
		return EVP_PKEY_get_raw_private_key(k->pkey, out, &len) && len == 32 ? 0 : STEER_EINVAL;
	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) && BN_bn2binpad(d, out, 32) == 32)
		ret = 0;
	BN_clear_free(d);
	return ret;
}

int dnssec_key_set_times(const struct dnssec_key *k, struct errlist *errs)
{
	uint8_t raw[32];
	char text[1024], path[4096];
	int ret;

	if (raw_private_of(k, raw) < 0) {
		errlist_add(errs, "%s.private: cannot read the private key back", k->base);
		return STEER_EINVAL;
	}
	private_text(k, raw, text, sizeof(text));
	OPENSSL_cleanse(raw, sizeof(raw));
	snprintf(path, sizeof(path), "%s.private", k->base);
	ret = file_put(path, text, 0600, errs);
	OPENSSL_cleanse(text, sizeof(text));
	return ret;
}

/* mkdir -p, mode 0700 (the directory holds private keys). */
static int mkdir_p(const char *dir)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(p))
		return -1;
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		p[i] = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -1;
		p[i] = i < n ? '/' : 0;
	}
	return 0;
}

static char *key_base(const char *dir, const char *zone, uint8_t alg, uint16_t tag)
{
	size_t n = strlen(dir) + strlen(zone) + 32;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/K%s+%03u+%05u", dir, zone, alg, tag);
	return s;
}

int dnssec_key_generate(const char *zone, const struct dnssec_keyconf *kc, enum dnssec_role role,
			int64_t now, int64_t publish, int64_t activate, char **base, struct errlist *errs)
{
	struct dnssec_key k;
	uint8_t raw[32];
	char text[1024], path[4096];
	int ret;

	*base = NULL;
	if (mkdir_p(kc->key_dir) < 0) {
		errlist_add(errs, "%s: %s", kc->key_dir, strerror(errno));
		return STEER_EINVAL;
	}
	ret = raw_private_new(kc->alg, raw);
	if (ret == 0)
		ret = dnssec_key_from_private(&k, kc->alg, role == DNSSEC_KSK ? 257 : 256, raw, 32);
	if (ret < 0) {
		errlist_add(errs, "%s: cannot create a key: %s", kc->key_dir, "OpenSSL key generation failed");
		return ret;
	}
	k.created = now;
	k.publish = publish ? publish : now;
	k.activate = activate ? activate : now;
	k.base = key_base(kc->key_dir, zone, k.alg, k.tag);
	ret = k.base ? 0 : STEER_ENOMEM;
	if (ret == 0) {
		private_text(&k, raw, text, sizeof(text));
		snprintf(path, sizeof(path), "%s.private", k.base);
		ret = file_put(path, text, 0600, errs);
		OPENSSL_cleanse(text, sizeof(text));
	}
	if (ret == 0) {
		public_text(&k, zone, text, sizeof(text));
		snprintf(path, sizeof(path), "%s.key", k.base);
		ret = file_put(path, text, 0644, errs);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	EVP_PKEY_free(k.pkey);
	if (ret == 0)
		*base = k.base;
	else
		free(k.base);
	return ret;
}

/* Read the flags of the DNSKEY in base.key and check its public key. */
static int read_public(const char *base, struct dnssec_key *k, uint16_t *flags, struct errlist *errs)
{
	char path[4096], line[1024];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s.key", base);
	f = fopen(path, "re");
	if (!f) {
		errlist_add(errs, "%s: %s", path, strerror(errno));
		return STEER_ENOENT;
	}
	for (int lineno = 1; !found && fgets(line, sizeof(line), f); lineno++) {
		char *p = strstr(line, "DNSKEY");
		unsigned fl, proto, alg;
		char b64[256];
		uint8_t pub[128];
		int n;

		if (line[0] == ';' || !p)
			continue;
		if (sscanf(p, "DNSKEY %u %u %u %255s", &fl, &proto, &alg, b64) != 4 || proto != 3 ||
		    (fl != 256 && fl != 257)) {
			errlist_add(errs, "%s:%d: not a DNSKEY with flags 256 or 257", path, lineno);
			fclose(f);
			return STEER_EMALF;
		}
		n = b64_dec(b64, pub, sizeof(pub));
		if (alg != k->alg || n != k->publen || memcmp(pub, k->pub, (size_t)n) != 0) {
			errlist_add(errs, "%s:%d: public key does not match %s.private", path, lineno, base);
			fclose(f);
			return STEER_EMALF;
		}
		*flags = (uint16_t)fl;
		found = 1;
	}
	fclose(f);
	if (!found) {
		errlist_add(errs, "%s: no DNSKEY record", path);
		return STEER_EMALF;
	}
	return 0;
}

/* One "Name: value" line of a .private file into k (times) or raw/alg. */
static int private_line(const char *line, uint8_t *alg, uint8_t *raw, int *rawlen, struct dnssec_key *k)
{
	static const char *const name[5] = {"Created: ", "Publish: ", "Activate: ", "Inactive: ", "Delete: "};
	int64_t *const v[5] = {&k->created, &k->publish, &k->activate, &k->inactive, &k->delete_};
	char val[256];

	if (sscanf(line, "Algorithm: %255s", val) == 1) {
		*alg = (uint8_t)atoi(val);
		return 0;
	}
	if (sscanf(line, "PrivateKey: %255s", val) == 1) {
		*rawlen = b64_dec(val, raw, 64);
		OPENSSL_cleanse(val, sizeof(val));
		return *rawlen == 32 ? 0 : -1;
	}
	for (int i = 0; i < 5; i++)
		if (!strncmp(line, name[i], strlen(name[i]))) {
			*v[i] = time_parse(line + strlen(name[i]));
			return *v[i] < 0 ? -1 : 0;
		}
	return 0; /* other BIND fields (SyncPublish, ...) are kept by BIND, ignored here */
}

static int read_private(const char *base, struct dnssec_key *k, struct errlist *errs)
{
	char path[4096], line[1024];
	struct dnssec_key t = {0};
	uint8_t raw[64], alg = 0;
	int rawlen = 0, lineno = 0, ret;
	uint16_t flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s.private", base);
	f = fopen(path, "re");
	if (!f) {
		errlist_add(errs, "%s: %s", path, strerror(errno));
		return STEER_ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (private_line(line, &alg, raw, &rawlen, &t) < 0) {
			errlist_add(errs, "%s:%d: bad value: %.*s", path, lineno, (int)strcspn(line, ":"), line);
			fclose(f);
			OPENSSL_cleanse(raw, sizeof(raw));
			return STEER_EMALF;
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (alg != DNSSEC_ALG_ECDSAP256SHA256 && alg != DNSSEC_ALG_ED25519) {
		errlist_add(errs, "%s: algorithm %u is not supported (13 ECDSAP256SHA256 or 15 ED25519)", path, alg);
		return STEER_ENOTSUP;
	}
	ret = rawlen == 32 ? dnssec_key_from_private(k, alg, 256, raw, 32) : STEER_EMALF;
	OPENSSL_cleanse(raw, sizeof(raw));
	if (ret < 0) {
		errlist_add(errs, "%s: no usable PrivateKey", path);
		return ret;
	}
	ret = read_public(base, k, &flags, errs);
	if (ret < 0) {
		EVP_PKEY_free(k->pkey);
		return ret;
	}
	key_set_flags(k, flags);
	k->created = t.created;
	k->publish = t.publish;
	k->activate = t.activate;
	k->inactive = t.inactive;
	k->delete_ = t.delete_;
	return 0;
}

void dnssec_keyset_free(struct dnssec_keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++) {
		EVP_PKEY_free(ks->keys[i].pkey);
		free(ks->keys[i].base);
	}
	free(ks->keys);
	ks->keys = NULL;
	ks->n = 0;
}

int dnssec_key_published(const struct dnssec_key *k, int64_t now)
{
	return k->publish <= now && (!k->delete_ || now < k->delete_);
}

int dnssec_key_signing(const struct dnssec_key *k, int64_t now)
{
	return k->activate <= now && (!k->inactive || now < k->inactive) && dnssec_key_published(k, now);
}

/* Is name "Kzone+AAA+TTTTT.private" for this zone (case-insensitive)? */
static int key_file_of(const char *name, const char *zone)
{
	size_t zl = strlen(zone), nl = strlen(name);

	return nl == 1 + zl + 10 + 8 && name[0] == 'K' && !strncasecmp(name + 1, zone, zl) &&
	       name[1 + zl] == '+' && name[1 + zl + 4] == '+' && !strcmp(name + nl - 8, ".private");
}

static int keyset_add(struct dnssec_keyset *ks, const struct dnssec_key *k)
{
	struct dnssec_key *n = realloc(ks->keys, (ks->n + 1) * sizeof(*n));

	if (!n)
		return STEER_ENOMEM;
	ks->keys = n;
	ks->keys[ks->n++] = *k;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct dnssec_key *x = a, *y = b;

	return strcmp(x->base, y->base);
}

/* Read every key of zone in dir into ks (sorted by file name, so the
 * order does not depend on the directory). */
static int keys_read_dir(const char *zone, const char *dir, struct dnssec_keyset *ks, struct errlist *errs)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		errlist_add(errs, "%s: %s", dir, strerror(errno));
		return STEER_EINVAL;
	}
	while (ret == 0 && (e = readdir(d))) {
		struct dnssec_key k;
		size_t bl;
		char *base;

		if (!key_file_of(e->d_name, zone))
			continue;
		bl = strlen(dir) + 1 + strlen(e->d_name) - 8;
		base = malloc(bl + 1);
		if (!base) {
			ret = STEER_ENOMEM;
			break;
		}
		snprintf(base, bl + 1, "%s/%s", dir, e->d_name);
		ret = read_private(base, &k, errs);
		if (ret < 0) {
			free(base);
			break;
		}
		k.base = base;
		ret = keyset_add(ks, &k);
		if (ret < 0) {
			EVP_PKEY_free(k.pkey);
			free(base);
		}
	}
	closedir(d);
	if (ks->n > 1)
		qsort(ks->keys, ks->n, sizeof(*ks->keys), key_cmp);
	return ret;
}

int dnssec_keys_read(const char *zone, const struct dnssec_keyconf *kc, struct dnssec_keyset *ks,
		     struct errlist *errs)
{
	int ret;

	memset(ks, 0, sizeof(*ks));
	ret = keys_read_dir(zone, kc->key_dir, ks, errs);
	if (ret < 0)
		dnssec_keyset_free(ks);
	return ret;
}

int dnssec_keys_load(const char *zone, const struct dnssec_keyconf *kc, int64_t now,
		     struct dnssec_keyset *ks, struct errlist *errs)
{
	char *base = NULL;
	int ret;

	memset(ks, 0, sizeof(*ks));
	ret = keys_read_dir(zone, kc->key_dir, ks, errs);
	if (ret == 0 && ks->n == 0) {
		ret = dnssec_key_generate(zone, kc, DNSSEC_KSK, now, now, now, &base, errs);
		free(base);
		base = NULL;
		if (ret == 0)
			ret = dnssec_key_generate(zone, kc, DNSSEC_ZSK, now, now, now, &base, errs);
		free(base);
		if (ret == 0)
			ret = keys_read_dir(zone, kc->key_dir, ks, errs);
	}
	if (ret < 0)
		dnssec_keyset_free(ks);
	return ret;
}
