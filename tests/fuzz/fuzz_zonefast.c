/*
 * fuzz_zonefast.c -- libFuzzer target: differential test of the zone
 * loader's fast path (server/zone/load/zonefast.c) against ldns.
 *
 * zonefast.h promises "same result as ldns or no result": for every entry
 * zonefast_parse() accepts, owner, type, TTL and RDATA equal what
 * ldns_rr_new_frm_str() and ldns_rr_rdata2buffer_wire() make of it. Each
 * input is one entry (up to the first newline or NUL). The first byte picks
 * the $TTL in force and whether a previous owner is set; the origin is
 * example.com. When zonefast accepts the entry, ldns must accept it too and
 * give the same record; any difference aborts with both results printed.
 *
 * Entries of the form "owner <class> <TTL> ..." are not judged: the loader
 * swaps that pair before calling ldns (reader.c), and this target calls
 * ldns directly.
 *
 * Run: build-fuzz/fuzz_zonefast -max_total_time=60 -dict=tests/fuzz/zone.dict CORPUS
 */
#include "config.h"
#include "server/zone/load/zonefast.h"

#include <ctype.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t origin_wire[] = "\7example\3com";     /* + the final 0 */
static const uint8_t prev_wire[] = "\4prev\7example\3com";

static struct zonefast_rr out;

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu):", what, n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "%s\n", n > 64 ? " ..." : "");
}

static void differ(const char *entry, const char *why, ldns_rr *rr, ldns_buffer *b)
{
	fprintf(stderr, "fuzz_zonefast: zonefast and ldns differ (%s) on entry [%s]\n", why, entry);
	fprintf(stderr, "zonefast: type %u ttl %u\n", out.type, out.ttl);
	hexdump("zonefast owner", out.owner, out.ownerlen);
	hexdump("zonefast rdata", out.rdata, out.rdlen);
	if (rr) {
		fprintf(stderr, "ldns: type %u ttl %u\n", ldns_rr_get_type(rr), ldns_rr_ttl(rr));
		hexdump("ldns owner", ldns_rdf_data(ldns_rr_owner(rr)), ldns_rdf_size(ldns_rr_owner(rr)));
	}
	if (b)
		hexdump("ldns rdata", ldns_buffer_begin(b), ldns_buffer_position(b));
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t ttls[] = { 3600, 0, 300, 4294967295u };
	struct zonefast_state st;
	char entry[70000];
	size_t n = 0;
	uint32_t ttl;
	int with_prev;
	ldns_rdf *origin, *prev = NULL;
	ldns_rr *rr = NULL;
	ldns_buffer *b;
	ldns_status s;

	if (size < 1)
		return 0;
	ttl = ttls[data[0] & 3];
	with_prev = (data[0] >> 2) & 1;
	for (size_t i = 1; i < size && n + 1 < sizeof(entry) && data[i] != '\n' && data[i] != 0; i++)
		entry[n++] = (char)data[i];
	entry[n] = '\0';

	zonefast_init(&st);
	zonefast_set_origin(&st, origin_wire, sizeof(origin_wire));
	if (with_prev)
		zonefast_set_prev(&st, prev_wire, sizeof(prev_wire));
	if (zonefast_parse(entry, ttl, &st, &out) != 1)
		return 0;
	/* Give ldns what the loader gives it: class/TTL in ldns's order. */
	zonefast_normalize_class_ttl(entry);

	origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, sizeof(origin_wire), origin_wire);
	if (with_prev)
		prev = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, sizeof(prev_wire), prev_wire);
	s = ldns_rr_new_frm_str(&rr, entry, ttl, origin, &prev);
	if (s != LDNS_STATUS_OK) {
		fprintf(stderr, "ldns: %s\n", ldns_get_errorstr_by_id(s));
		differ(entry, "ldns rejects what zonefast accepted", NULL, NULL);
	}
	b = ldns_buffer_new(65536);
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK)
		differ(entry, "ldns cannot write the rdata", rr, NULL);
	if (ldns_rr_get_type(rr) != out.type)
		differ(entry, "type", rr, b);
	if (ldns_rr_ttl(rr) != out.ttl)
		differ(entry, "TTL", rr, b);
	if (ldns_rdf_size(ldns_rr_owner(rr)) != out.ownerlen ||
	    memcmp(ldns_rdf_data(ldns_rr_owner(rr)), out.owner, out.ownerlen) != 0)
		differ(entry, "owner", rr, b);
	if (ldns_buffer_position(b) != out.rdlen || memcmp(ldns_buffer_begin(b), out.rdata, out.rdlen) != 0)
		differ(entry, "rdata", rr, b);
	ldns_buffer_free(b);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return 0;
}
