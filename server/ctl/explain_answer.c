/* explain_answer.c -- the "explain" control command (see explain_answer.h). */
#include "config.h"
#include "server/ctl/explain_answer.h"
#include "server/answer/answer.h"
#include "server/steer/explain.h"
#include "server/wire/rr.h"
#include "server/zone/snapshot.h"
#include "common/dns.h"
#include "geoip/nets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the request asks, parsed. */
struct explain_req {
	const char *name, *type, *from, *subnet; /* borrowed from the request */
	uint16_t qtype;
	uint8_t addr[16];                        /* explain_client(): the client address or subnet */
	unsigned plen;
};

static int parse_req(json_t *req, struct explain_req *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->name = json_string_value(json_object_get(req, "name"));
	r->type = json_string_value(json_object_get(req, "type"));
	r->from = json_string_value(json_object_get(req, "from"));
	r->subnet = json_string_value(json_object_get(req, "subnet"));
	if (!r->name || !r->type) {
		snprintf(err, errlen, "explain needs \"name\" and \"type\"");
		return -1;
	}
	r->qtype = (uint16_t)ldns_get_rr_type_by_name(r->type);
	if (r->qtype == 0) {
		snprintf(err, errlen, "unknown type \"%s\" (A, AAAA, MX, TXT, ..., TYPE65)", r->type);
		return -1;
	}
	return explain_client(r->from, r->subnet, r->addr, &r->plen, err, errlen);
}

/* The query a resolver would send: EDNS, and for --subnet the ECS option
 * (RFC 7871 6: family, source prefix, scope 0, the prefix's bytes).
 * Returns a malloc'ed packet, NULL when the name is not a domain name. */
static uint8_t *build_query(const struct explain_req *r, size_t *len)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(r->name);
	ldns_pkt *q;
	uint8_t *wire = NULL;

	if (!qname)
		return NULL;
	q = ldns_pkt_query_new(qname, (ldns_rr_type)r->qtype, LDNS_RR_CLASS_IN, 0);
	if (!q)
		return NULL; /* qname freed with it */
	ldns_pkt_set_edns_udp_size(q, 4096);
	if (r->subnet) {
		int v4 = geo_addr_is_v4(r->addr);
		size_t alen = (r->plen + 7) / 8;
		uint8_t opt[4 + 4 + 16];
		wire_put16(opt, DNS_EDNS_ECS);
		wire_put16(opt + 2, (uint16_t)(4 + alen));
		wire_put16(opt + 4, v4 ? 1 : 2);
		opt[6] = (uint8_t)r->plen;
		opt[7] = 0;
		memcpy(opt + 8, r->addr + (v4 ? 12 : 0), alen);
		ldns_pkt_set_edns_data(q, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 8 + alen, opt));
	}
	if (ldns_pkt2wire(&wire, q, len) != LDNS_STATUS_OK) {
		free(wire);
		wire = NULL;
	}
	ldns_pkt_free(q);
	return wire;
}

/* The source address of the query: --from, else 0.0.0.0 (no location;
 * with --subnet the ECS option says where the client is). */
static socklen_t client_addr(const struct explain_req *r, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (r->from && !geo_addr_is_v4(r->addr)) {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, r->addr, 16);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	if (r->from)
		memcpy(&s4->sin_addr, r->addr + 12, 4);
	return sizeof(*s4);
}

/* Run the query through answer_query() on snap, over "TCP" so that the
 * whole answer is seen. Returns the parsed response or NULL. */
static ldns_pkt *ask(const struct snapshot *snap, const struct explain_req *r, char *err, size_t errlen)
{
	static const struct answer_env no_env = { .udp_payload = 1232 };
	struct answer_scratch *scratch = answer_scratch_new();
	uint8_t *resp = malloc(DNS_MSG_MAX), *q = NULL;
	struct sockaddr_storage ss;
	struct answer_client cl = { .addr = (struct sockaddr *)&ss, .tcp = 1 };
	struct answer_result res;
	ldns_pkt *pkt = NULL;
	size_t qlen = 0;

	snprintf(err, errlen, "out of memory");
	if (scratch && resp && !(q = build_query(r, &qlen)))
		snprintf(err, errlen, "\"%s\" is not a domain name", r->name);
	if (q) {
		cl.addrlen = client_addr(r, &ss);
		answer_query(scratch, snap ? served_env(snap) : &no_env, snap, &cl, q, qlen, resp, DNS_MSG_MAX, &res);
		if (res.len == 0 || ldns_wire2pkt(&pkt, resp, res.len) != LDNS_STATUS_OK) {
			snprintf(err, errlen, "the answer path gave no response it could parse");
			pkt = NULL;
		}
	}
	free(q);
	free(resp);
	answer_scratch_free(scratch);
	return pkt;
}

/* "owner TTL CLASS TYPE RDATA", spaces instead of ldns's tabs. */
static json_t *rr_json(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	json_t *j;
	size_t n;

	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

static json_t *section_json(const ldns_rr_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < ldns_rr_list_rr_count(l); i++)
		json_array_append_new(arr, rr_json(ldns_rr_list_rr(l, i)));
	return arr;
}

/* What the response says about the name at the end of its CNAME chain. */
struct outcome {
	char final[LDNS_MAX_DOMAINLEN + 2]; /* presentation form */
	json_t *chain;                      /* owned: the CNAME/DNAME RRs, in order */
	size_t nanswers;                    /* RRs of qtype owned by the final name */
	int has_soa, has_ns;                /* in authority */
};

static void read_response(const ldns_pkt *pkt, const struct explain_req *r, struct outcome *o)
{
	const ldns_rr_list *ans = ldns_pkt_answer(pkt), *auth = ldns_pkt_authority(pkt);
	const ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	ldns_rdf *cur = question ? ldns_rdf_clone(ldns_rr_owner(question)) : NULL;
	char *s;

	memset(o, 0, sizeof(*o));
	o->chain = json_array();
	for (size_t i = 0; cur && i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t == LDNS_RR_TYPE_DNAME) {
			json_array_append_new(o->chain, rr_json(rr)); /* its synthesized CNAME follows */
			continue;
		}
		if (ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
			continue; /* owned by another name: not part of the chain */
		if (t == LDNS_RR_TYPE_CNAME && r->qtype != LDNS_RR_TYPE_CNAME && ldns_rr_rdf(rr, 0)) {
			json_array_append_new(o->chain, rr_json(rr));
			ldns_rdf_deep_free(cur);
			cur = ldns_rdf_clone(ldns_rr_rdf(rr, 0));
		} else if (t == r->qtype || r->qtype == LDNS_RR_TYPE_ANY) {
			o->nanswers++;
		}
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		o->has_soa |= ldns_rr_get_type(ldns_rr_list_rr(auth, i)) == LDNS_RR_TYPE_SOA;
		o->has_ns |= ldns_rr_get_type(ldns_rr_list_rr(auth, i)) == LDNS_RR_TYPE_NS;
	}
	s = cur ? ldns_rdf2str(cur) : NULL;
	snprintf(o->final, sizeof(o->final), "%s", s ? s : r->name);
	free(s);
	ldns_rdf_deep_free(cur);
}

/* The outcome's name (explain_answer.h); buf holds a lowercase rcode. */
static const char *outcome_name(const ldns_pkt *pkt, const struct outcome *o, int steered, char *buf, size_t cap)
{
	unsigned rcode = ldns_pkt_get_rcode(pkt);

	if (rcode == DNS_RCODE_REFUSED)
		return "refused";
	if (rcode == DNS_RCODE_NXDOMAIN)
		return "nxdomain";
	if (rcode != DNS_RCODE_NOERROR) {
		dns_rcode_name(rcode, buf, cap);
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return buf;
	}
	if (steered)
		return "steered";
	if (o->nanswers)
		return "static";
	if (!ldns_pkt_aa(pkt) && o->has_ns)
		return "referral";
	if (!o->has_soa && json_array_size(o->chain))
		return "external"; /* the chain's target is in no zone of ours */
	return "nodata";
}

static json_t *response_json(const ldns_pkt *pkt)
{
	char rc[16];

	return json_pack("{s:s, s:b, s:o, s:o, s:o}", "rcode", dns_rcode_name(ldns_pkt_get_rcode(pkt), rc, sizeof(rc)),
			 "aa", ldns_pkt_aa(pkt), "answer", section_json(ldns_pkt_answer(pkt)), "authority",
			 section_json(ldns_pkt_authority(pkt)), "additional", section_json(ldns_pkt_additional(pkt)));
}

json_t *explain_answer_json(const struct snapshot *snap, const struct health_link_info *hl, json_t *req,
			    char *err, size_t errlen)
{
	struct explain_req r;
	struct outcome o;
	ldns_pkt *pkt;
	json_t *j;
	char tbuf[16], rbuf[16];
	unsigned rcode;
	int steered;

	if (parse_req(req, &r, err, errlen) < 0 || !(pkt = ask(snap, &r, err, errlen)))
		return NULL;
	read_response(pkt, &r, &o);
	rcode = ldns_pkt_get_rcode(pkt);
	/* A policy steers A/AAAA answers and their NODATA (all down with
	 * when_all_down "nodata"); everything else comes from the zone. */
	steered = rcode == DNS_RCODE_NOERROR && (r.qtype == DNS_TYPE_A || r.qtype == DNS_TYPE_AAAA) &&
		  (o.nanswers || o.has_soa) && explain_has_policy(snap, o.final);
	if (steered) {
		j = explain_json(snap, o.final, r.type, r.from, r.subnet, err, errlen);
		if (j)
			json_object_set_new(j, "health", explain_health_json(snap, hl));
	} else {
		j = json_pack("{s:s, s:s, s:n}", "name", o.final, "type", dns_type_name(r.qtype, tbuf, sizeof(tbuf)),
			      "policy");
		if (j && explain_has_policy(snap, o.final))
			json_object_set_new(j, "note", json_string("this name's policy steers only A and AAAA answers"));
	}
	if (j) {
		json_object_set_new(j, "query", json_pack("{s:s, s:s}", "name", r.name, "type",
							  dns_type_name(r.qtype, tbuf, sizeof(tbuf))));
		json_object_set_new(j, "outcome", json_string(outcome_name(pkt, &o, steered, rbuf, sizeof(rbuf))));
		json_object_set_new(j, "chain", o.chain);
		o.chain = NULL;
		json_object_set_new(j, "response", response_json(pkt));
	}
	json_decref(o.chain);
	ldns_pkt_free(pkt);
	return j;
}
