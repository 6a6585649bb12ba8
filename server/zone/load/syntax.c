/*
 * syntax.c -- which token of a master-file entry is wrong, and why.
 *
 * ldns says "Syntax error, could not parse the RR's rdata" for any bad
 * field, and accepts some typos silently: a TTL of "1x" is read as 1, an MX
 * preference of 70000 wraps to 4464, a serial past 2^32 wraps. The reader
 * (reader.c) therefore runs every entry that ldns read through this file as
 * well: the owner, TTL, class and type, then for the common types each
 * RDATA field against its own rule, and for any type RFC 3597 "\#" data.
 * The first wrong token is named in the message, quoted, the way
 * nsd-checkzone does: "invalid IPv4 address '203.0.113.925'".
 *
 * It only rejects what is wrong for certain (ldns would also fail, or
 * would load different data than written): what it does not know is left
 * to ldns, whose message then comes with the record type (reader.c).
 * Entries the fast path (zonefast.c) accepted never come here: it accepts
 * only entries that are right.
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "common/dns.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 48 /* characters of a bad token shown in a message */

/* One token: blank-separated, or a "quoted string" (escapes included), as
 * ldns splits an entry. n = 0 at the end of the entry. */
struct tok {
	const char *s;
	size_t n;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct tok tok_next(const char **p)
{
	const char *b = *p + strspn(*p, " \t"), *e = b;
	int quoted = *b == '"';

	for (e += quoted; *e && (quoted ? *e != '"' : !is_blank(*e)); e++)
		if (*e == '\\' && e[1])
			e++; /* an escaped quote or blank does not end the token */
	if (quoted && *e == '"')
		e++;
	*p = e;
	return (struct tok){ b, (size_t)(e - b) };
}

static int tok_is(struct tok t, const char *word)
{
	return t.n == strlen(word) && strncasecmp(t.s, word, t.n) == 0;
}

/* The token as shown in messages: at most QUOTE_MAX characters (then
 * "..."), control characters (line breaks inside quotes) as '?'. */
static const char *shown(struct tok t, char *buf, size_t size)
{
	size_t n = t.n < QUOTE_MAX ? t.n : QUOTE_MAX, i;

	for (i = 0; i < n && i + 4 < size; i++)
		buf[i] = (unsigned char)t.s[i] < 0x20 ? '?' : t.s[i];
	if (i < t.n)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

/* Write the message into msg; returns STEER_EMALF for "return say(...)". */
static int say(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return STEER_EMALF;
}

/* --- single fields --------------------------------------------------------- */

/* The length of one escape at s ("\X" or "\DDD"), or 0 when it is bad. */
static size_t escape_len(const char *s, size_t n)
{
	if (n < 2)
		return 0;
	if (!is_digit(s[1]))
		return 2;
	if (n < 4 || !is_digit(s[2]) || !is_digit(s[3]))
		return 0;
	return (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0') <= 255 ? 4 : 0;
}

/* Why name (presentation form) is not a domain name, or NULL when it is.
 * Relative names count the origin's originlen wire bytes. */
static const char *name_problem(const char *s, size_t n, size_t originlen)
{
	size_t wire = 0, lab = 0;

	if ((n == 1 && (s[0] == '@' || s[0] == '.')) || n == 0)
		return n ? NULL : "empty";
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return "empty label";
			wire += lab + 1;
			lab = 0;
			continue;
		}
		if (s[i] == '\\') {
			size_t e = escape_len(s + i, n - i);
			if (e == 0)
				return "bad escape (\\X or \\DDD up to \\255)";
			i += e - 1;
		}
		if (++lab > 63)
			return "label longer than 63 bytes";
	}
	if (lab > 0)
		wire += lab + 1 + originlen; /* relative: the origin follows */
	else
		wire += 1;
	if (wire > DNAME_MAXLEN)
		return lab > 0 ? "longer than 255 bytes with the origin" : "longer than 255 bytes";
	return NULL;
}

int zload_syntax_name(const char *name, size_t n, size_t originlen, char *msg, size_t size)
{
	const char *why = name_problem(name, n, originlen);
	char q[QUOTE_MAX + 8];

	if (!why)
		return STEER_EOK;
	return say(msg, size, "bad domain name '%s': %s", shown((struct tok){ name, n }, q, sizeof(q)), why);
}

int zload_syntax_period(const char *s, size_t n, uint32_t *val)
{
	uint64_t secs = 0, i = 0;

	/* Digits, each run optionally followed by a unit that multiplies it;
	 * digits after the last unit are seconds (ldns_str2period's grammar,
	 * without its wrap-around on overflow). */
	if (n == 0 || !is_digit(s[0]))
		return STEER_EINVAL;
	for (size_t k = 0; k < n; k++) {
		uint64_t mul;
		switch (s[k]) {
		case 's': case 'S': mul = 1; break;
		case 'm': case 'M': mul = 60; break;
		case 'h': case 'H': mul = 3600; break;
		case 'd': case 'D': mul = 86400; break;
		case 'w': case 'W': mul = 604800; break;
		default:
			if (!is_digit(s[k]) || (i = i * 10 + (uint64_t)(s[k] - '0')) > UINT32_MAX)
				return STEER_EINVAL;
			continue;
		}
		secs += i * mul;
		i = 0;
		if (secs > UINT32_MAX)
			return STEER_EINVAL;
	}
	if ((secs += i) > UINT32_MAX)
		return STEER_EINVAL;
	*val = (uint32_t)secs;
	return STEER_EOK;
}

/* Plain decimal up to max, its value in *val; ldns would accept "+5" and
 * "-1", and wrap past max. */
static int number_ok(struct tok t, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;

	if (t.n == 0 || t.n > 10)
		return 0;
	for (size_t k = 0; k < t.n; k++) {
		if (!is_digit(t.s[k]))
			return 0;
		v = v * 10 + (uint64_t)(t.s[k] - '0');
	}
	*val = (uint32_t)v;
	return v <= max;
}

static int address_ok(struct tok t, int af)
{
	char buf[INET6_ADDRSTRLEN + 1];
	uint8_t out[16];

	if (t.n == 0 || t.n >= sizeof(buf))
		return 0;
	memcpy(buf, t.s, t.n);
	buf[t.n] = '\0';
	return inet_pton(af, buf, out) == 1; /* what ldns uses too */
}

/* Bytes of one character-string token once unescaped (quotes excluded). */
static size_t string_bytes(struct tok t)
{
	size_t i = 0, end = t.n, n = 0;

	if (t.n >= 2 && t.s[0] == '"' && t.s[t.n - 1] == '"')
		i = 1, end = t.n - 1;
	while (i < end) {
		size_t e = t.s[i] == '\\' ? escape_len(t.s + i, end - i) : 1;
		i += e ? e : 1;
		n++;
	}
	return n;
}

/* A CAA property tag: letters and digits (RFC 8659 4.1). */
static int tag_ok(struct tok t)
{
	if (t.n == 0 || t.n > 255)
		return 0;
	for (size_t k = 0; k < t.n; k++) {
		char c = t.s[k];
		if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return 0;
	}
	return 1;
}

/* --- RDATA by type ---------------------------------------------------------- */

/* The presentation form of the common types, one letter per field:
 *   4 IPv4 address   6 IPv6 address   n domain name
 *   1 number 0-255   2 number 0-65535   l number 0-4294967295
 *   p time value (TTL syntax)   g CAA tag   q quoted string
 *   t character-strings up to the end of the entry */
struct form {
	uint16_t type;
	const char *name;
	const char *fields;
	const char *what[7]; /* each field's name in messages */
};

static const struct form forms[] = {
	{ DNS_TYPE_A, "A", "4", { "address" } },
	{ DNS_TYPE_NS, "NS", "n", { "name server" } },
	{ DNS_TYPE_CNAME, "CNAME", "n", { "target" } },
	{ DNS_TYPE_SOA, "SOA", "nnlpppp",
	  { "primary server", "mailbox", "serial", "refresh", "retry", "expire", "minimum" } },
	{ DNS_TYPE_PTR, "PTR", "n", { "target" } },
	{ DNS_TYPE_MX, "MX", "2n", { "preference", "exchange" } },
	{ DNS_TYPE_TXT, "TXT", "t", { "text" } },
	{ DNS_TYPE_AAAA, "AAAA", "6", { "address" } },
	{ DNS_TYPE_SRV, "SRV", "222n", { "priority", "weight", "port", "target" } },
	{ DNS_TYPE_DNAME, "DNAME", "n", { "target" } },
	{ DNS_TYPE_CAA, "CAA", "1gq", { "flags", "tag", "value" } },
};

static const struct form *form_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (forms[i].type == type)
			return &forms[i];
	return NULL;
}

/* Character-strings from t to the end: each at most 255 bytes. */
static int strings_check(struct tok t, const char **p, const struct form *fm, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];

	for (; t.n; t = tok_next(p))
		if (string_bytes(t) > 255)
			return say(msg, size, "%s string longer than 255 bytes: '%s'", fm->name, shown(t, q, sizeof(q)));
	return STEER_EOK;
}

static int number_check(struct tok t, uint32_t max, const struct form *fm, int i, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];
	uint32_t v;

	if (number_ok(t, max, &v))
		return STEER_EOK;
	return say(msg, size, "invalid %s %s '%s' (0 to %lu)", fm->name, fm->what[i], shown(t, q, sizeof(q)),
		   (unsigned long)max);
}

/* Field i of form fm, kind f, is token t. */
static int field_check(char f, struct tok t, const struct form *fm, int i, size_t originlen, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];
	const char *why;
	uint32_t v;

	shown(t, q, sizeof(q));
	switch (f) {
	case '4':
		return address_ok(t, AF_INET) ? STEER_EOK : say(msg, size, "invalid IPv4 address '%s'", q);
	case '6':
		return address_ok(t, AF_INET6) ? STEER_EOK : say(msg, size, "invalid IPv6 address '%s'", q);
	case 'n':
		if (!(why = name_problem(t.s, t.n, originlen)))
			return STEER_EOK;
		return say(msg, size, "bad domain name '%s' (%s %s): %s", q, fm->name, fm->what[i], why);
	case '1': return number_check(t, 255, fm, i, msg, size);
	case '2': return number_check(t, 65535, fm, i, msg, size);
	case 'l': return number_check(t, UINT32_MAX, fm, i, msg, size);
	case 'p':
		if (zload_syntax_period(t.s, t.n, &v) == STEER_EOK)
			return STEER_EOK;
		return say(msg, size, "invalid %s %s '%s' (a time value: 3600, 1h, 1w2d)", fm->name, fm->what[i], q);
	case 'g':
		return tag_ok(t) ? STEER_EOK : say(msg, size, "invalid CAA tag '%s' (letters and digits only)", q);
	case 'q':
		if (t.s[0] == '"')
			return STEER_EOK;
		return say(msg, size, "%s %s must be a quoted string: '%s'", fm->name, fm->what[i], q);
	}
	return STEER_EOK;
}

/* The fewest bytes of a type's RDATA (names take at least one), and
 * whether that is the only size: written as RFC 3597 data, ldns takes any
 * length for a known type and would load a record no client can parse. */
static size_t form_min(const struct form *fm, int *exact)
{
	size_t n = 0;

	*exact = 1;
	for (const char *f = fm->fields; *f; f++) {
		switch (*f) {
		case '4': n += 4; break;
		case '6': n += 16; break;
		case '1': n += 1; break;
		case '2': n += 2; break;
		case 'l': case 'p': n += 4; break;
		default: n += 1; *exact = 0; break; /* a name, a tag, strings */
		}
	}
	return n;
}

/* RFC 3597 "\# LENGTH HEX...": the length must match the hex digits, and
 * for the common types the data must be of a size the type can have. */
static int generic_check(const char **p, const struct form *fm, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];
	struct tok t = tok_next(p);
	uint32_t len;
	size_t digits = 0;

	if (!number_ok(t, 65535, &len))
		return say(msg, size, "invalid RFC 3597 length '%s' (0 to 65535)", shown(t, q, sizeof(q)));
	for (t = tok_next(p); t.n; t = tok_next(p)) {
		for (size_t k = 0; k < t.n; k++)
			if (!is_digit(t.s[k]) && !((t.s[k] | 0x20) >= 'a' && (t.s[k] | 0x20) <= 'f'))
				return say(msg, size, "invalid hex '%s' in RFC 3597 data", shown(t, q, sizeof(q)));
		digits += t.n;
	}
	if (digits != 2 * (size_t)len)
		return say(msg, size, "RFC 3597 data of %zu hex digits, but the length %u needs %zu", digits,
			   (unsigned)len, 2 * (size_t)len);
	int exact;
	size_t need = fm ? form_min(fm, &exact) : 0;
	if (fm && (len < need || (exact && len != need)))
		return say(msg, size, "RFC 3597 data of %u bytes for %s, which takes %s %zu", (unsigned)len, fm->name,
			   exact ? "exactly" : "at least", need);
	return STEER_EOK;
}

/* The RDATA text at *p of a record of type. */
static int rdata_check(uint16_t type, const char **p, size_t originlen, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];
	const char *rest = *p;
	struct tok t = tok_next(&rest);
	const struct form *fm;
	int ret;

	fm = form_of(type);
	if (tok_is(t, "\\#"))
		return generic_check(&rest, fm, msg, size);
	if (!ldns_rr_descript(type) || !ldns_rr_descript(type)->_name)
		/* ldns knows no presentation form for it: RFC 3597 3 asks for
		 * \# data, and ldns would load anything else as empty. */
		return say(msg, size, "TYPE%u needs RFC 3597 data (\\# LENGTH HEX)", type);
	if (!fm)
		return STEER_EOK;
	if (t.n == 0)
		return say(msg, size, "missing RDATA for %s", fm->name);
	for (int i = 0; fm->fields[i]; i++, t = tok_next(&rest)) {
		if (fm->fields[i] == 't')
			return strings_check(t, &rest, fm, msg, size);
		if (t.n == 0)
			return say(msg, size, "missing %s %s", fm->name, fm->what[i]);
		if ((ret = field_check(fm->fields[i], t, fm, i, originlen, msg, size)) != STEER_EOK)
			return ret;
	}
	if (t.n)
		return say(msg, size, "unexpected '%s' after the %s RDATA", shown(t, q, sizeof(q)), fm->name);
	return STEER_EOK;
}

/* --- the entry ---------------------------------------------------------------- */

/* The token as a C string in buf (empty when it does not fit). */
static const char *word(struct tok t, char *buf, size_t size)
{
	if (t.n >= size)
		t.n = 0;
	memcpy(buf, t.s, t.n);
	buf[t.n] = '\0';
	return buf;
}

/* After the owner: "[TTL] [class] TYPE" (the loader put a TTL written
 * after the class first). Returns the type token in *t. */
static int ttl_class_check(const char **p, struct tok *t, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8], w[24];
	uint32_t ttl;

	*t = tok_next(p);
	for (int round = 0; round < 2; round++) {
		/* ldns takes a token starting with a digit as the TTL; a sign
		 * before digits is a TTL too, only a wrong one. */
		if (t->n && (is_digit(t->s[0]) || (t->n > 1 && (t->s[0] == '-' || t->s[0] == '+') && is_digit(t->s[1])))) {
			if (zload_syntax_period(t->s, t->n, &ttl) != STEER_EOK)
				return say(msg, size, "invalid TTL '%s' (a time value: 3600, 1h, 1w2d)",
					   shown(*t, q, sizeof(q)));
			*t = tok_next(p);
		}
		if (round == 0 && ldns_get_rr_class_by_name(word(*t, w, sizeof(w))) != 0)
			*t = tok_next(p);
		else
			break;
	}
	return STEER_EOK;
}

/* The type a token names: a mnemonic ldns knows, or TYPEnnn (RFC 3597 5)
 * up to 65535 (ldns reads "TYPE65535x" as 65535 and wraps past it). */
static int type_of(struct tok t, uint16_t *type)
{
	char w[24];
	uint32_t v;

	if (t.n > 4 && strncasecmp(t.s, "TYPE", 4) == 0 && is_digit(t.s[4])) {
		if (!number_ok((struct tok){ t.s + 4, t.n - 4 }, 65535, &v))
			return STEER_EINVAL;
		*type = (uint16_t)v;
		return STEER_EOK;
	}
	*type = (uint16_t)ldns_get_rr_type_by_name(word(t, w, sizeof(w)));
	return *type ? STEER_EOK : STEER_EINVAL;
}

int zload_syntax_check(const char *entry, size_t originlen, uint16_t *type, char *msg, size_t size)
{
	char q[QUOTE_MAX + 8];
	const char *p = entry;
	struct tok t;
	int ret;

	*type = 0;
	if (!is_blank(entry[0])) { /* a blank owner is the previous one */
		t = tok_next(&p);
		if ((ret = zload_syntax_name(t.s, t.n, originlen, msg, size)) != STEER_EOK)
			return ret;
	}
	if ((ret = ttl_class_check(&p, &t, msg, size)) != STEER_EOK)
		return ret;
	if (t.n == 0)
		return say(msg, size, "missing record type");
	if (type_of(t, type) != STEER_EOK)
		return say(msg, size, "unknown type '%s'", shown(t, q, sizeof(q)));
	return rdata_check(*type, &p, originlen, msg, size);
}
