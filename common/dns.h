/*
 * dns.h -- DNS protocol constants, once for every program, and their names.
 *
 * Numbers are the IANA registries' (RFC 1035, 2136, 2845, 3597, 6891,
 * 6895, 7871, 7873, 8914...). Modules use these names instead of private
 * #defines, and logs, stats, metrics and health checks print types, classes
 * and rcodes through dns_*_name() so the spelling is the same everywhere.
 * Header only constants plus a few table lookups: no library behind it.
 */
#ifndef STEER_DNS_H
#define STEER_DNS_H

#include <stddef.h>
#include <stdint.h>

/* Resource record types (and query meta-types). */
enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_HINFO = 13,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_NAPTR = 35,
	DNS_TYPE_DNAME = 39,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_DS = 43,
	DNS_TYPE_SSHFP = 44,
	DNS_TYPE_RRSIG = 46,
	DNS_TYPE_NSEC = 47,
	DNS_TYPE_DNSKEY = 48,
	DNS_TYPE_NSEC3 = 50,
	DNS_TYPE_NSEC3PARAM = 51,
	DNS_TYPE_TLSA = 52,
	DNS_TYPE_CDS = 59,
	DNS_TYPE_CDNSKEY = 60,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_TKEY = 249,
	DNS_TYPE_TSIG = 250,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_MAILB = 253,
	DNS_TYPE_MAILA = 254,
	DNS_TYPE_ANY = 255,
	DNS_TYPE_CAA = 257,
};

enum dns_class {
	DNS_CLASS_IN = 1,
	DNS_CLASS_CH = 3,
	DNS_CLASS_HS = 4,
	DNS_CLASS_NONE = 254,
	DNS_CLASS_ANY = 255,
};

/* Response codes; values above 15 need the EDNS extended rcode. */
enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_YXDOMAIN = 6,
	DNS_RCODE_YXRRSET = 7,
	DNS_RCODE_NXRRSET = 8,
	DNS_RCODE_NOTAUTH = 9,
	DNS_RCODE_NOTZONE = 10,
	DNS_RCODE_BADVERS = 16, /* also BADSIG in TSIG */
	DNS_RCODE_BADKEY = 17,
	DNS_RCODE_BADTIME = 18,
	DNS_RCODE_BADCOOKIE = 23,
};
#define DNS_RCODE_COUNT 24 /* 0..23 have names; dns_rcode_name() prints the rest as RCODEn */

enum dns_opcode {
	DNS_OPCODE_QUERY = 0,
	DNS_OPCODE_IQUERY = 1,
	DNS_OPCODE_STATUS = 2,
	DNS_OPCODE_NOTIFY = 4,
	DNS_OPCODE_UPDATE = 5,
};

/* EDNS(0) option codes (RFC 6891 6.1.2 registry). */
enum dns_edns_opt {
	DNS_EDNS_NSID = 3,       /* RFC 5001 */
	DNS_EDNS_ECS = 8,        /* RFC 7871 */
	DNS_EDNS_EXPIRE = 9,     /* RFC 7314 */
	DNS_EDNS_COOKIE = 10,    /* RFC 7873 */
	DNS_EDNS_KEEPALIVE = 11, /* RFC 7828 */
	DNS_EDNS_PADDING = 12,   /* RFC 7830 */
	DNS_EDNS_EDE = 15,       /* RFC 8914 */
};

/* Header: sizes, and the flag bits of byte 2 and byte 3. */
#define DNS_HEADER_LEN 12
#define DNS_MSG_MAX 65535
#define DNS_FLAG_QR 0x80  /* byte 2 */
#define DNS_FLAG_AA 0x04  /* byte 2 */
#define DNS_FLAG_TC 0x02  /* byte 2 */
#define DNS_FLAG_RD 0x01  /* byte 2 */
#define DNS_FLAG_RA 0x80  /* byte 3 */
#define DNS_FLAG_AD 0x20  /* byte 3 */
#define DNS_FLAG_CD 0x10  /* byte 3 */
#define DNS_EDNS_DO 0x8000 /* in the OPT TTL's low 16 bits */
#define DNS_OPCODE_MASK 0x78 /* byte 2: the opcode's 4 bits, shifted by DNS_OPCODE_SHIFT */
#define DNS_OPCODE_SHIFT 3
#define DNS_RCODE_MASK 0x0f  /* byte 3: the rcode's low 4 bits (the rest goes in OPT) */

/* Sizes and markers of the message format. */
#define DNS_UDP_PLAIN 512     /* UDP payload without EDNS (RFC 1035 4.2.1); EDNS's floor (RFC 6891 6.2.3) */
#define DNS_LABEL_MAX 63      /* longest label (RFC 1035 2.3.4) */
#define DNS_LABEL_PTR 0xc0    /* top bits of a compression pointer (RFC 1035 4.1.4) */
#define DNS_PTR_LIMIT 0x4000  /* a pointer reaches offsets below this */
#define DNS_TYPE_META_FIRST 128 /* 128..255: meta- and query types (RFC 6895 3.1) */
#define DNS_EDNS_OPT_HDR 4    /* OPTION-CODE, OPTION-LENGTH */
#define DNS_ECS_FIXED 4       /* ECS FAMILY, SOURCE and SCOPE PREFIX-LENGTH (RFC 7871 6) */
#define DNS_ECS_FAMILY_IP4 1  /* address family numbers (IANA), as ECS uses them */
#define DNS_ECS_FAMILY_IP6 2

/* "A", "AAAA", "ANY", ... or "TYPE65280" (RFC 3597) written into buf. The
 * result is buf or a static string; cap of 16 is always enough. */
const char *dns_type_name(uint16_t type, char *buf, size_t cap);
/* "NOERROR", ..., "BADCOOKIE", or "RCODE12". */
const char *dns_rcode_name(unsigned rcode, char *buf, size_t cap);
/* "IN", "CH", "ANY", or "CLASS42". */
const char *dns_class_name(uint16_t cls, char *buf, size_t cap);
/* The rcode named name (any case, e.g. "nxdomain"), or -1. */
int dns_rcode_parse(const char *name);

#endif
