/*
 * oracle.c -- what the ECS answer and scope must be, computed from the MMDB
 * search tree itself (libmaxminddb's MMDB_read_node and MMDB_get_value only;
 * nothing of steerdns' geoip/ code), for 410_ecs_oracle.
 *
 *   oracle DB networks
 *       every network of the database that holds a data record: the IPv4
 *       networks (the ::/96 subtree of an IPv6 tree), then the IPv6 ones
 *       without the aliases of the IPv4 subtree (::ffff:0:0/96, 2002::/16),
 *       each as three query lines "SET FAMILY ADDR SOURCE" (see print_net).
 *   oracle DB check KEY=ANSWER... < lines
 *       a line "FAMILY ADDR SOURCE ANSWER SCOPE" is one response (the ECS
 *       address with its host bits zero, the answer and scope a server
 *       gave). Prints the line followed by the oracle's answer for ADDR, the
 *       optimal scope (the shortest prefix around ADDR over which the answer
 *       is constant) and a verdict: "ok" (right answer, scope = optimal),
 *       "narrow" (right answer, sound, but longer than optimal), "overwide"
 *       (the answer is not constant over ADDR/SCOPE) or "wrong" (another
 *       answer).
 *
 * The map is the geo policy's: KEY is a subdivision ("US-WA"), a country code
 * ("GB"), a continent code ("EU") or "default"; a record gets the answer of
 * its subdivision's key, else its country's, else its continent's, else
 * default (also for "not in the database").
 *
 * The answer over a subtree is computed bottom-up from the tree (memoised by
 * node number: the IPv4 subtree is shared by its aliases), so "constant over
 * a prefix" is read off the node the prefix leads to.
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIXED (-1)
#define UNSET (-2)

static MMDB_s db;
static int *memo;            /* per node: its constant answer, MIXED or UNSET */
static char *keys[64], *answers[64];
static int nkeys, default_answer = -1;
static uint32_t v4_node;     /* the node at ::/96 (IPv6 tree) or the root */
static int v4_rec_type = MMDB_RECORD_TYPE_SEARCH_NODE;
static MMDB_entry_s v4_entry;

/* The key's answer as the first key with the same answer string, so that
 * keys with equal answers count as one (the answer is what is constant). */
static int key_index(const char *k)
{
	for (int i = 0; i < nkeys; i++)
		if (strcmp(keys[i], k) == 0)
			for (int j = 0; j <= i; j++)
				if (strcmp(answers[j], answers[i]) == 0)
					return j;
	return -1;
}

static int get_code(MMDB_entry_s *e, const char *a, const char *b, char *out)
{
	MMDB_entry_data_s d;

	if (MMDB_get_value(e, &d, a, b, NULL) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size == 0 || d.data_size > 7)
		return 0;
	memcpy(out, d.utf8_string, d.data_size);
	out[d.data_size] = 0;
	return 1;
}

/* The map applied to one data record: subdivision key ("US-WA"), else
 * country key, else continent key. */
static int classify(MMDB_entry_s *e)
{
	char cc[8], cont[8], sub[8], ccsub[16];
	MMDB_entry_data_s d;
	int k, has_cc = get_code(e, "country", "iso_code", cc);

	if (has_cc && MMDB_get_value(e, &d, "subdivisions", "0", "iso_code", NULL) == MMDB_SUCCESS && d.has_data &&
	    d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size > 0 && d.data_size < sizeof(sub)) {
		memcpy(sub, d.utf8_string, d.data_size);
		sub[d.data_size] = 0;
		snprintf(ccsub, sizeof(ccsub), "%s-%s", cc, sub);
		if ((k = key_index(ccsub)) >= 0)
			return k;
	}
	if (has_cc && (k = key_index(cc)) >= 0)
		return k;
	if (get_code(e, "continent", "code", cont) && (k = key_index(cont)) >= 0)
		return k;
	return default_answer;
}

static int node_answer(uint32_t n);

static int record_answer(int type, uint64_t rec, MMDB_entry_s *e)
{
	switch (type) {
	case MMDB_RECORD_TYPE_SEARCH_NODE:
		return node_answer((uint32_t)rec);
	case MMDB_RECORD_TYPE_DATA:
		return classify(e);
	case MMDB_RECORD_TYPE_EMPTY:
		return default_answer;
	default:
		fprintf(stderr, "oracle: invalid record\n");
		exit(2);
	}
}

/* The answer over node n's whole subtree, or MIXED. */
static int node_answer(uint32_t n)
{
	MMDB_search_node_s nd;
	int l, r;

	if (memo[n] != UNSET)
		return memo[n];
	if (MMDB_read_node(&db, n, &nd) != MMDB_SUCCESS) {
		fprintf(stderr, "oracle: cannot read node %u\n", n);
		exit(2);
	}
	l = record_answer(nd.left_record_type, nd.left_record, &nd.left_record_entry);
	r = record_answer(nd.right_record_type, nd.right_record, &nd.right_record_entry);
	return memo[n] = (l == r ? l : MIXED);
}

static unsigned bit_of(const uint8_t *a, unsigned i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Follow ::/96 from the root of an IPv6 tree (the IPv4 space). */
static void find_v4(void)
{
	MMDB_search_node_s nd;
	uint32_t cur = 0;

	v4_node = 0;
	if (db.metadata.ip_version != 6)
		return;
	for (int d = 0; d < 96; d++) {
		if (MMDB_read_node(&db, cur, &nd) != MMDB_SUCCESS)
			exit(2);
		if (nd.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
			v4_rec_type = nd.left_record_type;
			v4_entry = nd.left_record_entry;
			return;
		}
		cur = (uint32_t)nd.left_record;
	}
	v4_node = cur;
}

/* The three queries of one network: "full" (the network, source = its
 * length), "capped" (source capped at /24 or /56, the address masked to it,
 * as a resolver sends it) and "last" (its last address as a /32 or /128). */
static void print_net(int fam, const uint8_t *net, unsigned plen)
{
	unsigned bits = fam == 4 ? 32 : 128, cap = fam == 4 ? 24 : 56, src = plen < cap ? plen : cap;
	const uint8_t *a = net; /* IPv4: the first 4 bytes (walked from the ::/96 node) */
	uint8_t c[16], l[16];
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], b3[INET6_ADDRSTRLEN];

	memcpy(c, a, 16);
	memcpy(l, a, 16);
	for (unsigned i = src; i < bits; i++)
		c[i >> 3] &= (uint8_t) ~(0x80 >> (i & 7));
	for (unsigned i = plen; i < bits; i++)
		l[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, b1, sizeof(b1));
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, c, b2, sizeof(b2));
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, l, b3, sizeof(b3));
	printf("full %d %s %u\ncapped %d %s %u\nlast %d %s %u\n", fam, b1, plen, fam, b2, src, fam, b3, bits);
}

/* Depth-first over the subtree of node n at depth d (bits of a set above d). */
static void walk(int fam, uint32_t n, unsigned d, uint8_t *a, int top)
{
	MMDB_search_node_s nd;

	/* the aliases of the IPv4 subtree inside the IPv6 tree */
	if (fam == 6 && n == v4_node && !top)
		return;
	if (MMDB_read_node(&db, n, &nd) != MMDB_SUCCESS)
		exit(2);
	for (int side = 0; side < 2; side++) {
		int type = side ? nd.right_record_type : nd.left_record_type;
		uint64_t rec = side ? nd.right_record : nd.left_record;
		if (side)
			a[d >> 3] |= (uint8_t)(0x80 >> (d & 7));
		if (type == MMDB_RECORD_TYPE_SEARCH_NODE)
			walk(fam, (uint32_t)rec, d + 1, a, 0);
		else if (type == MMDB_RECORD_TYPE_DATA)
			print_net(fam, a, d + 1);
		if (side)
			a[d >> 3] &= (uint8_t) ~(0x80 >> (d & 7));
	}
}

static void networks(void)
{
	uint8_t a[16] = { 0 };

	if (v4_rec_type == MMDB_RECORD_TYPE_SEARCH_NODE)
		walk(4, v4_node, 0, a, 1);
	else if (v4_rec_type == MMDB_RECORD_TYPE_DATA)
		print_net(4, a, 0);
	memset(a, 0, sizeof(a));
	if (db.metadata.ip_version == 6)
		walk(6, 0, 0, a, 1);
}

/* A reference into the tree: a node, or a record reached. */
struct ref {
	int type;
	uint64_t rec;
	MMDB_entry_s entry;
};

static int ref_answer(const struct ref *r)
{
	return record_answer(r->type, r->rec, (MMDB_entry_s *)&r->entry);
}

static struct ref family_root(int fam)
{
	struct ref r = { .type = MMDB_RECORD_TYPE_SEARCH_NODE, .rec = 0 };

	if (fam == 4) {
		r.type = v4_rec_type;
		r.rec = v4_node;
		r.entry = v4_entry;
	}
	return r;
}

/* One step down from a node along bit b. */
static struct ref step(const struct ref *r, unsigned b)
{
	MMDB_search_node_s nd;
	struct ref c;

	if (MMDB_read_node(&db, (uint32_t)r->rec, &nd) != MMDB_SUCCESS)
		exit(2);
	c.type = b ? nd.right_record_type : nd.left_record_type;
	c.rec = b ? nd.right_record : nd.left_record;
	c.entry = b ? nd.right_record_entry : nd.left_record_entry;
	return c;
}

/* The shortest prefix around a over which the answer is constant, and that
 * answer. */
static unsigned optimal(int fam, const uint8_t *a, int *ans)
{
	struct ref r = family_root(fam);
	unsigned d = 0;

	while ((*ans = ref_answer(&r)) == MIXED)
		r = step(&r, bit_of(a, d++));
	return d;
}

/* The answer over a/plen, or MIXED. A record reached above plen covers it. */
static int answer_over(int fam, const uint8_t *a, unsigned plen)
{
	struct ref r = family_root(fam);

	for (unsigned d = 0; d < plen && r.type == MMDB_RECORD_TYPE_SEARCH_NODE; d++)
		r = step(&r, bit_of(a, d));
	return ref_answer(&r);
}

static int check(void)
{
	char line[512], addr[128], got[64];
	unsigned source, scope, opt;
	int fam, bad = 0;

	while (fgets(line, sizeof(line), stdin)) {
		uint8_t a[16] = { 0 };
		const char *verdict;
		int want;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%d %127s %u %63s %u", &fam, addr, &source, got, &scope) != 5 ||
		    (fam != 4 && fam != 6) || inet_pton(fam == 4 ? AF_INET : AF_INET6, addr, a) != 1) {
			printf("%s - - unparsed\n", line);
			bad++;
			continue;
		}
		opt = optimal(fam, a, &want);
		if (strcmp(got, answers[want]) != 0)
			verdict = "wrong";
		else if (answer_over(fam, a, scope) == MIXED)
			verdict = "overwide";
		else if (scope > opt)
			verdict = "narrow";
		else
			verdict = "ok";
		bad += strcmp(verdict, "ok") != 0;
		printf("%s %s %u %s\n", line, answers[want], opt, verdict);
	}
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || MMDB_open(argv[1], MMDB_MODE_MMAP, &db) != MMDB_SUCCESS) {
		fprintf(stderr, "usage: oracle DB networks | oracle DB check KEY=ANSWER... < lines\n");
		return 2;
	}
	find_v4();
	if (strcmp(argv[2], "networks") == 0) {
		networks();
		return 0;
	}
	for (int i = 3; i < argc && nkeys < 64; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return 2;
		*eq = 0;
		keys[nkeys] = argv[i];
		answers[nkeys] = eq + 1;
		nkeys++;
	}
	if ((default_answer = key_index("default")) < 0)
		return 2;
	memo = malloc(db.metadata.node_count * sizeof(*memo));
	if (!memo)
		return 2;
	for (uint32_t i = 0; i < db.metadata.node_count; i++)
		memo[i] = UNSET;
	return check();
}
