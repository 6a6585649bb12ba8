/*
 * zonefast.c -- fast path for the common records of a master file: parse A,
 * AAAA, NS, CNAME, PTR, DNAME, MX, SRV and TXT entries straight into wire
 * format, exactly as ldns would, and decline everything else (see the
 * header for the contract and the list of what is declined).
 *
 * Every check here errs towards declining: an entry this file is unsure
 * about costs one ldns call, while a record parsed differently from ldns
 * would be a silent divergence between the fast and the slow path.
 */
#include "config.h"
#include "server/zone/load/zonefast.h"
#include "server/zone/load/load_internal.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

/* ldns uses LDNS_DEFAULT_TTL when no TTL is given and $TTL is 0. */
#define LDNS_FALLBACK_TTL 3600
/* Longer entries go to ldns: it truncates RDATA text near 64 KiB, and a
 * bound here keeps every rdata we build below ZONEFAST_RDATA_MAX. */
#define ENTRY_MAX 60000
/* ldns reads the owner into a 255-byte token buffer; stay clear of it. */
#define OWNER_TEXT_MAX 250
/* ldns reads the TTL token into a 21-byte buffer (LDNS_TTL_DATALEN). */
#define TTL_TEXT_MAX 15
/* zonefast_normalize_class_ttl() swaps "<class> <TTL>" only when the
 * span from the class to the end of the TTL is under this. */
#define SWAP_SPAN_MAX 64

struct tok {
	const char *s;
	size_t n;
};

/* Character classes, one table lookup per character: the tests they
 * replace (chains of comparisons per character) were a third of this
 * file's cost on a large zone. C_NAME is what a name may hold on the fast
 * path: printable ASCII except blanks, quotes and '@' (ldns gives a
 * leading "@" label a meaning); '.' separates labels. C_REFUSE is what
 * entry_plain() declines: characters ldns interprets (escapes, comments,
 * grouping) or that a logical entry only holds inside quotes (line
 * breaks), and NUL, which ends the entry. C_TOKEND ends a token. */
enum { C_BLANK = 1, C_TOKEND = 2, C_NAME = 4, C_REFUSE = 8 };
#define CL(c)                                                                                                 \
	(((c) == ' ' || (c) == '\t' ? C_BLANK | C_TOKEND : 0) | ((c) == 0 ? C_TOKEND : 0) |                     \
	 ((c) > 0x20 && (c) < 0x7f && (c) != '"' && (c) != '@' ? C_NAME : 0) |                                \
	 ((c) == '\\' || (c) == '(' || (c) == ')' || (c) == ';' || ((c) < 0x20 && (c) != '\t') || (c) == 0x7f \
		  ? C_REFUSE                                                                                   \
		  : 0))
#define CL4(b) CL(b), CL((b) + 1), CL((b) + 2), CL((b) + 3)
#define CL16(b) CL4(b), CL4((b) + 4), CL4((b) + 8), CL4((b) + 12)
#define CL64(b) CL16(b), CL16((b) + 16), CL16((b) + 32), CL16((b) + 48)
static const unsigned char chclass[256] = { CL64(0), CL64(64), CL64(128), CL64(192) };

static int is_blank(char c)
{
	return chclass[(unsigned char)c] & C_BLANK;
}

/* Next blank-separated token at *p (leading blanks skipped); n = 0 at end. */
static struct tok next_tok(const char **p)
{
	const char *s = *p;
	struct tok t;

	while (chclass[(unsigned char)*s] & C_BLANK)
		s++;
	t.s = s;
	while (!(chclass[(unsigned char)*s] & C_TOKEND))
		s++;
	t.n = (size_t)(s - t.s);
	*p = s;
	return t;
}

/* t is word, ignoring case. word is ASCII letters only (a type or class
 * mnemonic), so that OR-ing 0x20 folds case on both sides and cannot make
 * a non-letter of t equal a letter. Inline: strlen + strncasecmp per type
 * tried was a tenth of this file's cost. */
static int tok_is(struct tok t, const char *word)
{
	size_t i;

	for (i = 0; i < t.n; i++)
		if (!word[i] || ((unsigned char)t.s[i] | 0x20) != ((unsigned char)word[i] | 0x20))
			return 0;
	return word[i] == '\0';
}

/* Characters a name may hold on the fast path (C_NAME above). */
static int name_char_ok(unsigned char c)
{
	return chclass[c] & C_NAME;
}

/* A domain name token into wire form at out (room for 255). "@" is the
 * origin, a name not ending in '.' is relative to it. Returns the wire
 * length, or 0 to decline. */
static size_t parse_name(struct tok t, const struct zonefast_state *st, uint8_t *out)
{
	size_t len = 0, lab = 0;

	if (t.n == 0)
		return 0;
	if (t.n == 1 && t.s[0] == '@') {
		memcpy(out, st->origin, st->originlen);
		return st->originlen;
	}
	if (t.n == 1 && t.s[0] == '.') {
		out[0] = 0;
		return 1;
	}
	for (size_t i = 0; i < t.n; i++) {
		unsigned char c = (unsigned char)t.s[i];
		if (c == '.') {
			if (lab == 0) /* empty label: "..", ".a" */
				return 0;
			out[len - lab - 1] = (uint8_t)lab;
			lab = 0;
			continue;
		}
		/* Room for this byte (and a length byte before a new label)
		 * and, at the end, the root label: 255 in all. */
		if (!name_char_ok(c) || lab == 63 || len + (lab == 0 ? 2 : 1) > 254)
			return 0;
		if (lab == 0)
			len++; /* room for the length byte */
		out[len++] = c;
		lab++;
	}
	if (lab > 0) { /* relative: close the last label, append the origin */
		out[len - lab - 1] = (uint8_t)lab;
		if (len + st->originlen > 255)
			return 0;
		memcpy(out + len, st->origin, st->originlen);
		return len + st->originlen;
	}
	out[len++] = 0; /* absolute */
	return len;
}

/* A TTL with ldns_str2period's meaning (zload_syntax_period(), which
 * declines on overflow where ldns would wrap); short enough for ldns's
 * token buffer. */
static int parse_period(struct tok t, uint32_t *val)
{
	return t.n <= TTL_TEXT_MAX && zload_syntax_period(t.s, t.n, val) == STEER_EOK;
}

/* A 16-bit decimal (ldns's strtol would wrap larger values: we decline). */
static int parse_u16(struct tok t, uint8_t *out)
{
	uint32_t v = 0;

	if (t.n == 0 || t.n > 5)
		return 0;
	for (size_t k = 0; k < t.n; k++) {
		if (t.s[k] < '0' || t.s[k] > '9')
			return 0;
		v = v * 10 + (uint32_t)(t.s[k] - '0');
	}
	if (v > 65535)
		return 0;
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
	return 1;
}

/* --- rdata, one parser per type ------------------------------------------- */

/* Each reads the rdata text at p (first token not yet read) into out and
 * returns 1, or 0 to decline. Trailing text is checked by the caller. */
typedef int (*rdata_fn)(const char **p, const struct zonefast_state *st, struct zonefast_rr *out);

static int rd_addr(const char **p, int af, size_t size, struct zonefast_rr *out)
{
	struct tok t = next_tok(p);
	char buf[48];

	if (t.n == 0 || t.n >= sizeof(buf))
		return 0;
	memcpy(buf, t.s, t.n);
	buf[t.n] = '\0';
	/* ldns converts A and AAAA with inet_pton too. */
	if (inet_pton(af, buf, out->rdata) != 1)
		return 0;
	out->rdlen = (uint16_t)size;
	return 1;
}

static int rd_a(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	return rd_addr(p, AF_INET, 4, out);
}

static int rd_aaaa(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	return rd_addr(p, AF_INET6, 16, out);
}

/* Numbers (nums of them, 16 bits each), then one domain name. */
static int rd_nums_name(const char **p, int nums, const struct zonefast_state *st, struct zonefast_rr *out)
{
	size_t off = 0, n;

	for (int i = 0; i < nums; i++, off += 2)
		if (!parse_u16(next_tok(p), out->rdata + off))
			return 0;
	if (!(n = parse_name(next_tok(p), st, out->rdata + off)))
		return 0;
	out->rdlen = (uint16_t)(off + n);
	return 1;
}

static int rd_name(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	return rd_nums_name(p, 0, st, out);
}

static int rd_mx(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	return rd_nums_name(p, 1, st, out);
}

static int rd_srv(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	return rd_nums_name(p, 3, st, out);
}

/* One or more character-strings: "quoted" (blanks allowed inside) or
 * single unquoted words, each at most 255 bytes. A quoted string must be
 * followed by a blank or the end, where ldns would otherwise glue tokens. */
static int rd_txt(const char **p, const struct zonefast_state *st, struct zonefast_rr *out)
{
	const char *s = *p;
	size_t len = 0;

	for (;;) {
		const char *b, *e;
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (*s == '"') {
			b = s + 1;
			if (!(e = strchr(b, '"')))
				return 0;
			s = e + 1;
			if (*s && !is_blank(*s))
				return 0;
		} else {
			b = s;
			while (*s && !is_blank(*s)) {
				if (*s == '"')
					return 0;
				s++;
			}
			e = s;
		}
		size_t n = (size_t)(e - b);
		if (n > 255 || len + 1 + n > ZONEFAST_RDATA_MAX)
			return 0;
		out->rdata[len++] = (uint8_t)n;
		memcpy(out->rdata + len, b, n);
		len += n;
	}
	if (len == 0)
		return 0;
	*p = s;
	out->rdlen = (uint16_t)len;
	return 1;
}

static const struct {
	const char *name;
	uint16_t type;
	rdata_fn parse;
} types[] = {
	{ "A", 1, rd_a },
	{ "NS", 2, rd_name },
	{ "CNAME", 5, rd_name },
	{ "PTR", 12, rd_name },
	{ "MX", 15, rd_mx },
	{ "TXT", 16, rd_txt },
	{ "AAAA", 28, rd_aaaa },
	{ "SRV", 33, rd_srv },
	{ "DNAME", 39, rd_name },
};

/* --- the entry ------------------------------------------------------------ */

/* Entries with a C_REFUSE character, or longer than ENTRY_MAX, are always
 * declined. */
static int entry_plain(const char *e)
{
	size_t n = 0;

	while (!(chclass[(unsigned char)e[n]] & C_REFUSE))
		n++;
	if (e[n] || n > ENTRY_MAX)
		return 0;
	/* ldns's handling of blanks at the end varies by field: decline. */
	return n > 0 && !is_blank(e[n - 1]);
}

/* After the owner: "[TTL] [IN] TYPE" or "IN TTL TYPE" (RFC 1035 5.1).
 * Sets *ttl (or leaves it), returns the type token, n = 0 to decline. */
static struct tok parse_ttl_class(const char **p, uint32_t *ttl)
{
	struct tok none = { NULL, 0 };
	struct tok t = next_tok(p);

	if (t.n && t.s[0] >= '0' && t.s[0] <= '9') {
		if (!parse_period(t, ttl))
			return none;
		t = next_tok(p);
		if (tok_is(t, "IN"))
			t = next_tok(p);
		return t;
	}
	if (tok_is(t, "IN")) {
		const char *cls = t.s;
		t = next_tok(p);
		if (t.n && t.s[0] >= '0' && t.s[0] <= '9') {
			/* The loader swaps this pair for ldns only when short. */
			if ((size_t)(t.s + t.n - cls) >= SWAP_SPAN_MAX || !parse_period(t, ttl))
				return none;
			t = next_tok(p);
		}
	}
	return t;
}

int zonefast_parse(const char *entry, uint32_t default_ttl, struct zonefast_state *st, struct zonefast_rr *out)
{
	const char *p = entry;
	struct tok owner = { NULL, 0 }, type;
	size_t i;

	if (st->originlen == 0 || !entry_plain(entry) || entry[0] == '$')
		return 0;
	if (!is_blank(entry[0])) {
		owner = next_tok(&p);
		if (owner.n > OWNER_TEXT_MAX)
			return 0;
	}
	out->ttl = default_ttl ? default_ttl : LDNS_FALLBACK_TTL;
	type = parse_ttl_class(&p, &out->ttl);
	if (type.n == 0)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (tok_is(type, types[i].name))
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return 0;
	out->type = types[i].type;
	if (!types[i].parse(&p, st, out) || *p != '\0')
		return 0;
	/* The owner last, so that a declined entry leaves st untouched. */
	if (owner.n == 0) {
		/* Blank owner: the previous one, else the origin (ldns). */
		if (st->prev_unusable)
			return 0;
		const uint8_t *src = st->have_prev ? st->prev_owner : st->origin;
		out->ownerlen = st->have_prev ? st->prevlen : st->originlen;
		memcpy(out->owner, src, out->ownerlen);
		return 1;
	}
	if (!(out->ownerlen = (uint16_t)parse_name(owner, st, out->owner)))
		return 0;
	memcpy(st->prev_owner, out->owner, out->ownerlen);
	st->prevlen = out->ownerlen;
	st->have_prev = 1;
	st->prev_unusable = 0;
	return 1;
}

void zonefast_init(struct zonefast_state *st)
{
	memset(st, 0, sizeof(*st));
}

int zonefast_set_origin(struct zonefast_state *st, const uint8_t *wire, size_t len)
{
	if (len == 0 || len > sizeof(st->origin)) {
		st->originlen = 0; /* never parse against a stale origin */
		return STEER_EINVAL;
	}
	memcpy(st->origin, wire, len);
	st->originlen = (uint16_t)len;
	return 0;
}

int zonefast_set_prev(struct zonefast_state *st, const uint8_t *wire, size_t len)
{
	if (len == 0 || len > sizeof(st->prev_owner)) {
		/* ldns keeps over-long owners as prev; we cannot, so blank
		 * owners go to ldns until a record names its owner again. */
		st->prev_unusable = 1;
		return STEER_EINVAL;
	}
	memcpy(st->prev_owner, wire, len);
	st->prevlen = (uint16_t)len;
	st->have_prev = 1;
	st->prev_unusable = 0;
	return 0;
}

/* RFC 1035 5.1 allows "[<TTL>] [<class>]" in either order; ldns accepts
 * only TTL first. Swap "<class> <TTL>" in place (same length, so the entry
 * keeps its size). */
void zonefast_normalize_class_ttl(char *e)
{
	char *p = e, *c, *t, *end;
	size_t cl, tl;

	if (*p != ' ' && *p != '\t') /* skip the owner, if present */
		while (*p && *p != ' ' && *p != '\t')
			p++;
	while (*p == ' ' || *p == '\t')
		p++;
	c = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	cl = (size_t)(p - c);
	while (*p == ' ' || *p == '\t')
		p++;
	t = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	tl = (size_t)(p - t);
	end = p;
	if (!((cl == 2 && (!strncasecmp(c, "IN", 2) || !strncasecmp(c, "CH", 2) || !strncasecmp(c, "HS", 2) ||
			  !strncasecmp(c, "CS", 2))) ||
	      (cl > 5 && !strncasecmp(c, "CLASS", 5))))
		return;
	if (tl == 0 || *t < '0' || *t > '9')
		return;
	/* c[0..cl) gap t[0..tl) -> t gap c */
	char tmp[64];
	size_t gap = (size_t)(t - (c + cl)), span = (size_t)(end - c);
	if (span >= sizeof(tmp))
		return;
	memcpy(tmp, t, tl);
	memset(tmp + tl, ' ', gap);
	memcpy(tmp + tl + gap, c, cl);
	memcpy(c, tmp, span);
}
