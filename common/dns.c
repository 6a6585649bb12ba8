/* dns.c -- names of DNS types, classes and rcodes (for logs, stats and config). */
#include "config.h"
#include "common/dns.h"

#include <stdio.h>
#include <strings.h>

/* The types we name; anything else prints as TYPEn, which every tool
 * accepts (RFC 3597). Sorted by number for the reader, searched linearly:
 * this runs at stats/metrics time, never per query. */
static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{ 1, "A" }, { 2, "NS" }, { 3, "MD" }, { 4, "MF" }, { 5, "CNAME" }, { 6, "SOA" }, { 7, "MB" },
	{ 8, "MG" }, { 9, "MR" }, { 10, "NULL" }, { 11, "WKS" }, { 12, "PTR" }, { 13, "HINFO" },
	{ 14, "MINFO" }, { 15, "MX" }, { 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" }, { 19, "X25" },
	{ 20, "ISDN" }, { 21, "RT" }, { 22, "NSAP" }, { 23, "NSAP-PTR" }, { 24, "SIG" }, { 25, "KEY" },
	{ 26, "PX" }, { 27, "GPOS" }, { 28, "AAAA" }, { 29, "LOC" }, { 30, "NXT" }, { 31, "EID" },
	{ 32, "NIMLOC" }, { 33, "SRV" }, { 34, "ATMA" }, { 35, "NAPTR" }, { 36, "KX" }, { 37, "CERT" },
	{ 38, "A6" }, { 39, "DNAME" }, { 40, "SINK" }, { 41, "OPT" }, { 42, "APL" }, { 43, "DS" },
	{ 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
	{ 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 53, "SMIMEA" },
	{ 55, "HIP" }, { 56, "NINFO" }, { 57, "RKEY" }, { 58, "TALINK" }, { 59, "CDS" }, { 60, "CDNSKEY" },
	{ 61, "OPENPGPKEY" }, { 62, "CSYNC" }, { 63, "ZONEMD" }, { 64, "SVCB" }, { 65, "HTTPS" },
	{ 99, "SPF" }, { 104, "NID" }, { 105, "L32" }, { 106, "L64" }, { 107, "LP" }, { 108, "EUI48" },
	{ 109, "EUI64" }, { 249, "TKEY" }, { 250, "TSIG" }, { 251, "IXFR" }, { 252, "AXFR" },
	{ 253, "MAILB" }, { 254, "MAILA" }, { 255, "ANY" }, { 256, "URI" }, { 257, "CAA" },
	{ 258, "AVC" }, { 259, "DOA" }, { 260, "AMTRELAY" }, { 32768, "TA" }, { 32769, "DLV" },
};

/* RFC 6895 section 2.3 and the IANA registry; gaps are unassigned. */
static const char *const rcode_names[DNS_RCODE_COUNT] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
	"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
};

const char *dns_type_name(uint16_t type, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	snprintf(buf, cap, "TYPE%u", (unsigned)type);
	return buf;
}

const char *dns_rcode_name(unsigned rcode, char *buf, size_t cap)
{
	if (rcode < DNS_RCODE_COUNT && rcode_names[rcode])
		return rcode_names[rcode];
	snprintf(buf, cap, "RCODE%u", rcode);
	return buf;
}

const char *dns_class_name(uint16_t cls, char *buf, size_t cap)
{
	switch (cls) {
	case DNS_CLASS_IN: return "IN";
	case DNS_CLASS_CH: return "CH";
	case DNS_CLASS_HS: return "HS";
	case DNS_CLASS_NONE: return "NONE";
	case DNS_CLASS_ANY: return "ANY";
	default:
		snprintf(buf, cap, "CLASS%u", (unsigned)cls);
		return buf;
	}
}

int dns_rcode_parse(const char *name)
{
	for (int i = 0; i < DNS_RCODE_COUNT; i++)
		if (rcode_names[i] && strcasecmp(name, rcode_names[i]) == 0)
			return i;
	return -1;
}
