/* dname.c -- wire-format domain name helpers. */
#include "config.h"
#include "server/wire/dname.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int dname_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *start = p;

	while (p < end) {
		uint8_t l = *p;
		if (l == 0)
			return (p + 1 - start) <= DNAME_MAXLEN ? (int)(p + 1 - start) : -1;
		if (l > 63) /* pointer (0xc0) or reserved label type */
			return -1;
		p += l + 1;
		if (p - start > DNAME_MAXLEN)
			return -1;
	}
	return -1;
}

int dname_labels(const uint8_t *name)
{
	int n = 0;
	while (*name) {
		name += *name + 1;
		n++;
	}
	return n;
}

/*
 * Label length octets are <= 63, below 'A', so lowering every byte is safe.
 * Every query's name goes through here, so eight bytes are lowered at once:
 * in each byte of x, the top bit of (low 7 bits + 0x3f) says ">= 'A'" and
 * that of (low 7 bits + 0x25) says "> 'Z'" (neither sum carries into the
 * next byte); a byte with its own top bit set is no letter. 'A'..'Z' get
 * 0x20 added (the top bit shifted down by 2), every other byte is kept.
 */
#define BYTES(b) (0x0101010101010101ULL * (uint8_t)(b))

static uint64_t lower8(uint64_t x)
{
	uint64_t low7 = x & BYTES(0x7f);
	uint64_t ge_a = low7 + BYTES(0x80 - 'A');
	uint64_t gt_z = low7 + BYTES(0x7f - 'Z');
	uint64_t upper = (ge_a & ~gt_z) & ~x & BYTES(0x80);

	return x | upper >> 2;
}

void dname_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x;
		memcpy(&x, src + i, 8);
		x = lower8(x);
		memcpy(dst + i, &x, 8);
	}
	for (; i < len; i++) {
		uint8_t c = src[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
	}
}

/*
 * Names are hashed from the root towards the first label, one label at a
 * time (FNV-1a over the label's bytes, then an avalanche step on output).
 * Hashing in that direction means every suffix's hash is a step of the
 * full name's: dname_suffix_hashes() gets all of them in one pass, which is
 * what the zone choice and the closest-encloser walk need per query.
 */
#define HASH_SEED 2166136261u
#define HASH_PRIME 16777619u

static uint32_t hash_label(uint32_t h, const uint8_t *label)
{
	for (uint8_t i = 0; i <= *label; i++) {
		h ^= label[i];
		h *= HASH_PRIME;
	}
	return h;
}

/* FNV's low bits mix poorly for names that share a long suffix (all names
 * of a zone do), and the tables index by low bits: finish with an
 * avalanche step (murmur3's fmix32). */
static uint32_t hash_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

int dname_suffix_hashes(const uint8_t *name, uint32_t *out)
{
	const uint8_t *labels[DNAME_MAXLABELS];
	int n = 0;
	uint32_t h = HASH_SEED * HASH_PRIME; /* the root's 0 byte, hashed */

	for (const uint8_t *p = name; *p && n < DNAME_MAXLABELS; p += *p + 1)
		labels[n++] = p;
	out[n] = hash_final(h);
	for (int i = n - 1; i >= 0; i--) {
		h = hash_label(h, labels[i]);
		out[i] = hash_final(h);
	}
	return n;
}

/* dname_suffix_hashes()'s hashes[0] alone: one avalanche step, not one per
 * suffix (the zone loader hashes every owner and target). */
uint32_t dname_hash(const uint8_t *name, size_t len)
{
	const uint8_t *labels[DNAME_MAXLABELS];
	int n = 0;
	uint32_t h = HASH_SEED * HASH_PRIME;

	(void)len;
	for (const uint8_t *p = name; *p && n < DNAME_MAXLABELS; p += *p + 1)
		labels[n++] = p;
	while (n > 0)
		h = hash_label(h, labels[--n]);
	return hash_final(h);
}

const uint8_t *dname_skip(const uint8_t *name, int n)
{
	while (n-- > 0 && *name)
		name += *name + 1;
	return name;
}

size_t dname_wire_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p)
		p += *p + 1;
	return (size_t)(p + 1 - name);
}

int dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la = dname_wire_len(a);
	return la == dname_wire_len(b) && memcmp(a, b, la) == 0;
}

int dname_is_subdomain(const uint8_t *name, int name_labels, const uint8_t *apex, int apex_labels)
{
	const uint8_t *tail;
	if (name_labels < apex_labels)
		return 0;
	tail = dname_skip(name, name_labels - apex_labels);
	return dname_equal(tail, apex);
}

void dname_to_str(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	if (!*name) {
		snprintf(buf, size, ".");
		return;
	}
	while (*name && o + 5 < size) {
		uint8_t l = *name++;
		for (uint8_t i = 0; i < l && o + 5 < size; i++, name++) {
			uint8_t c = *name;
			if (c == '.' || c == '\\')
				o += (size_t)snprintf(buf + o, size - o, "\\%c", c);
			else if (isgraph(c))
				buf[o++] = (char)c;
			else
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
		}
		buf[o++] = '.';
	}
	buf[o < size ? o : size - 1] = '\0';
}
