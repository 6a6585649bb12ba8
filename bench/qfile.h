/* qfile.h -- dnsperf query files for the bench tools (latprobe, dnsload).
 *
 * Two formats, as dnsperf reads them: text ("name type" a line; encoded as
 * a query without RD and without EDNS, as dnsperf sends them) and -B binary
 * (2-byte length + raw message, used for the geo mix whose queries carry
 * ECS). Header-only so each tool stays one `cc` command. */
#ifndef STEER_BENCH_QFILE_H
#define STEER_BENCH_QFILE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define QFILE_MAX_MSG 512

struct qfile_query {
	uint16_t len;
	uint8_t msg[QFILE_MAX_MSG];
};

static inline int qfile_type_code(const char *t)
{
	static const struct { const char *name; int code; } types[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "MX", 15 },
		{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "DS", 43 }, { "DNSKEY", 48 }, { "ANY", 255 },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(t, types[i].name) == 0)
			return types[i].code;
	return -1;
}

static inline int qfile_encode_text(const char *name, const char *type, struct qfile_query *q)
{
	uint8_t *p = q->msg + 12;
	const char *label = name;
	int code = qfile_type_code(type);

	if (code < 0)
		return -1;
	memset(q->msg, 0, 12);
	q->msg[5] = 1;	/* QDCOUNT */
	while (*label) {
		const char *dot = strchr(label, '.');
		size_t len = dot ? (size_t)(dot - label) : strlen(label);
		if (len == 0 || len > 63 || p + len + 6 > q->msg + QFILE_MAX_MSG)
			return -1;
		*p++ = (uint8_t)len;
		memcpy(p, label, len);
		p += len;
		label += len + (dot ? 1 : 0);
	}
	*p++ = 0;
	*p++ = (uint8_t)(code >> 8);
	*p++ = (uint8_t)code;
	*p++ = 0;
	*p++ = 1;
	q->len = (uint16_t)(p - q->msg);
	return 0;
}

/* Read up to cap queries from f into qs; returns how many (0: none usable,
 * or a malformed binary file). */
static inline size_t qfile_load(FILE *f, int binary, struct qfile_query *qs, size_t cap)
{
	size_t n = 0;

	if (binary) {
		uint8_t hdr[2];
		while (n < cap && fread(hdr, 1, 2, f) == 2) {
			uint16_t len = (uint16_t)(hdr[0] << 8 | hdr[1]);
			if (len < 12 || len > QFILE_MAX_MSG)
				return 0;
			if (fread(qs[n].msg, 1, len, f) != len)
				break;
			qs[n++].len = len;
		}
		return n;
	}
	char line[600], name[512], type[32];
	while (n < cap && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%511s %31s", name, type) != 2)
			continue;
		if (qfile_encode_text(name, type, &qs[n]) == 0)
			n++;
	}
	return n;
}

#endif
