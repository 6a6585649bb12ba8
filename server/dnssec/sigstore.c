/* sigstore.c -- key_dir/signatures.db: "STEERSIG1\n", then records of
 * key (32) | nsigs (2) | length (4) | the compiled RRSIG RRs. */
#include "config.h"
#include "server/dnssec/sigstore.h"

#include "common/errors.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "STEERSIG1\n"

void sigstore_key(const uint8_t *owner, size_t olen, const struct rrset *set, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const uint8_t *p = set->data;
	uint8_t head[8];

	for (uint16_t i = 0; i < set->count; i++)
		p += rr_len(p);
	wire_put16(head, set->type);
	wire_put16(head + 2, set->count);
	wire_put32(head + 4, set->ttl);
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, owner, olen) != 1 ||
	    EVP_DigestUpdate(ctx, head, 8) != 1 || EVP_DigestUpdate(ctx, set->data, (size_t)(p - set->data)) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		memset(out, 0, 32); /* an all-zero key is never looked up with a match that verifies */
	EVP_MD_CTX_free(ctx);
}

static size_t slot_of(const uint8_t *key, size_t mask)
{
	size_t h;

	memcpy(&h, key, sizeof(h));
	return h & mask;
}

static void insert(struct sigstore *st, const struct sigstore_entry *e)
{
	size_t i = slot_of(e->key, st->mask);

	while (st->slots[i].key && memcmp(st->slots[i].key, e->key, 32) != 0)
		i = (i + 1) & st->mask;
	st->slots[i] = *e;
}

/* Count the records of a well-formed file; -1 when it is damaged. */
static long count_records(const uint8_t *b, size_t len)
{
	size_t off = sizeof(MAGIC) - 1;
	long n = 0;

	if (len < off || memcmp(b, MAGIC, off) != 0)
		return -1;
	while (off < len) {
		if (len - off < 38)
			return -1;
		uint32_t l = wire_get32(b + off + 34);
		if (len - off - 38 < l)
			return -1;
		off += 38 + (size_t)l;
		n++;
	}
	return n;
}

int sigstore_read(const char *path, struct sigstore *st)
{
	FILE *f = fopen(path, "re");
	long n, size;
	size_t off = sizeof(MAGIC) - 1;

	memset(st, 0, sizeof(*st));
	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(st->buf = malloc((size_t)size)) || fread(st->buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		sigstore_clear(st);
		return 0;
	}
	fclose(f);
	st->len = (size_t)size;
	if ((n = count_records(st->buf, st->len)) <= 0) {
		sigstore_clear(st);
		return 0;
	}
	for (st->mask = 1; st->mask < (size_t)n * 2; st->mask <<= 1)
		;
	if (!(st->slots = calloc(st->mask, sizeof(*st->slots)))) {
		sigstore_clear(st);
		return STEER_ENOMEM;
	}
	st->mask--;
	while (off < st->len) {
		struct sigstore_entry e = { st->buf + off, st->buf + off + 38, wire_get32(st->buf + off + 34),
					    wire_get16(st->buf + off + 32) };
		insert(st, &e);
		off += 38 + e.len;
	}
	return 0;
}

const struct sigstore_entry *sigstore_find(const struct sigstore *st, const uint8_t key[32])
{
	size_t i;

	if (!st->slots)
		return NULL;
	for (i = slot_of(key, st->mask); st->slots[i].key; i = (i + 1) & st->mask)
		if (memcmp(st->slots[i].key, key, 32) == 0)
			return &st->slots[i];
	return NULL;
}

void sigstore_clear(struct sigstore *st)
{
	free(st->slots);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

void sigstore_put(FILE *f, const uint8_t key[32], const struct rrset *set)
{
	const uint8_t *p = set->sigs;
	uint8_t head[6];

	for (uint16_t i = 0; i < rrset_nsigs(set); i++)
		p += rr_len(p);
	wire_put16(head, rrset_nsigs(set));
	wire_put32(head + 2, (uint32_t)(p - set->sigs));
	fwrite(key, 1, 32, f);
	fwrite(head, 1, 6, f);
	fwrite(set->sigs, 1, (size_t)(p - set->sigs), f);
}
