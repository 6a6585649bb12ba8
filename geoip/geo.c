/* geo.c -- open the MMDB, decode records at the configured key paths, and
 * locate one address (the slow path used by explain and tests). */
#include "config.h"
#include "geoip/geo.h"
#include "geoip/geo_internal.h"
#include "geoip/continents.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void path_free(char **p)
{
	for (size_t i = 0; p[i]; i++) {
		free(p[i]);
		p[i] = NULL;
	}
}

/* Copy l into p (room for GEO_PATH_MAX + 2 entries), then the optional last key. */
static int path_copy(char **p, const struct conf_strlist *l, const char *last)
{
	size_t n = 0;

	if (l->n > GEO_PATH_MAX)
		return STEER_EINVAL;
	for (; n < l->n; n++)
		if (!(p[n] = strdup(l->v[n])))
			return STEER_ENOMEM;
	if (last && !(p[n++] = strdup(last)))
		return STEER_ENOMEM;
	p[n] = NULL;
	return STEER_EOK;
}

void geo_db_free(struct geo_db *db)
{
	if (!db)
		return;
	if (db->has_mmdb)
		MMDB_close(&db->mmdb);
	free(db->path);
	path_free(db->country_path);
	path_free(db->continent_path);
	path_free(db->subdivision_path);
	path_free(db->latitude_path);
	path_free(db->longitude_path);
	geo_nets_clear(&db->nets);
	free(db);
}

/* Follow ::/96 from the root: the IPv4 space of an IPv6 tree. A tree that
 * cannot be walked that far is corrupt. */
static int find_ipv4_start(struct geo_db *db)
{
	MMDB_search_node_s node;
	uint32_t cur = 0;

	db->ipv4_type = MMDB_RECORD_TYPE_SEARCH_NODE;
	db->ipv4_node = 0;
	if (db->mmdb.metadata.ip_version != 6)
		return MMDB_read_node(&db->mmdb, 0, &node) == MMDB_SUCCESS ? STEER_EOK : STEER_EMALF;
	for (int depth = 0; depth < 96; depth++) {
		if (MMDB_read_node(&db->mmdb, cur, &node) != MMDB_SUCCESS)
			return STEER_EMALF;
		db->ipv4_type = node.left_record_type;
		if (node.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
			db->ipv4_entry = node.left_record_entry;
			return node.left_record_type == MMDB_RECORD_TYPE_INVALID ? STEER_EMALF : STEER_EOK;
		}
		cur = (uint32_t)node.left_record;
	}
	db->ipv4_node = cur;
	return STEER_EOK;
}

static int open_mmdb(struct geo_db *db, const char *path, struct errlist *errs)
{
	int ret = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);

	if (ret != MMDB_SUCCESS) {
		errlist_add(errs, "%s: %s", path,
			    ret == MMDB_IO_ERROR ? strerror(errno) : MMDB_strerror(ret));
		return ret == MMDB_IO_ERROR ? STEER_ENOENT : STEER_EMALF;
	}
	db->has_mmdb = 1;
	if (db->mmdb.metadata.ip_version != 4 && db->mmdb.metadata.ip_version != 6) {
		errlist_add(errs, "%s: unsupported ip_version %u", path, db->mmdb.metadata.ip_version);
		return STEER_EMALF;
	}
	if (db->mmdb.metadata.node_count == 0 || find_ipv4_start(db) != STEER_EOK) {
		errlist_add(errs, "%s: the search tree is corrupt", path);
		return STEER_EMALF;
	}
	return STEER_EOK;
}

int geo_db_open(const struct geo_conf *conf, struct geo_db **out, struct errlist *errs)
{
	struct geo_db *db = calloc(1, sizeof(*db));
	const char *what = conf->database ? conf->database : "geoip";
	int ret;

	if (!db) {
		errlist_add(errs, "%s: out of memory", what);
		return STEER_ENOMEM;
	}
	ret = path_copy(db->country_path, &conf->country_path, NULL);
	if (!ret)
		ret = path_copy(db->continent_path, &conf->continent_path, NULL);
	if (!ret)
		ret = path_copy(db->subdivision_path, &conf->subdivision_path, NULL);
	if (!ret)
		ret = path_copy(db->latitude_path, &conf->location_path, "latitude");
	if (!ret)
		ret = path_copy(db->longitude_path, &conf->location_path, "longitude");
	if (!ret)
		ret = geo_nets_copy(&db->nets, &conf->nets);
	if (!ret && conf->database && !(db->path = strdup(conf->database)))
		ret = STEER_ENOMEM;
	if (ret) {
		errlist_add(errs, "%s: %s", what, steer_strerror(ret));
		geo_db_free(db);
		return ret;
	}
	if (db->path && (ret = open_mmdb(db, db->path, errs)) != STEER_EOK) {
		geo_db_free(db);
		return ret;
	}
	if (db->has_mmdb)
		log_info("geoip: %s: %s, %u nodes, IPv%u", db->path, db->mmdb.metadata.database_type,
			 db->mmdb.metadata.node_count, db->mmdb.metadata.ip_version);
	*out = db;
	return STEER_EOK;
}

int geo_db_reopen(struct geo_db **db, const struct geo_conf *conf, struct errlist *errs)
{
	struct geo_db *fresh;
	int ret = geo_db_open(conf, &fresh, errs);

	if (ret != STEER_EOK)
		return ret;
	geo_db_free(*db);
	*db = fresh;
	return STEER_EOK;
}

void geo_db_info(const struct geo_db *db, struct geo_db_info *info)
{
	memset(info, 0, sizeof(*info));
	info->database_type = "";
	info->nets = db->nets.n;
	if (!db->has_mmdb)
		return;
	info->path = db->path;
	if (db->mmdb.metadata.database_type)
		info->database_type = db->mmdb.metadata.database_type;
	info->build_epoch = db->mmdb.metadata.build_epoch;
	info->node_count = db->mmdb.metadata.node_count;
	info->ip_version = db->mmdb.metadata.ip_version;
}

/* Copy a short UTF-8 string value at path into out (upper-cased); 0 if absent. */
static int get_code(MMDB_entry_s *entry, char *const *path, char *out, size_t size)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(entry, &d, (const char *const *)path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size == 0 || d.data_size >= size)
		return 0;
	for (uint32_t i = 0; i < d.data_size; i++) {
		unsigned char c = (unsigned char)d.utf8_string[i];
		if (!isalnum(c) && c != '-')
			return 0;
		out[i] = (char)toupper(c);
	}
	out[d.data_size] = '\0';
	return 1;
}

static int get_double(MMDB_entry_s *entry, char *const *path, double *out)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(entry, &d, (const char *const *)path) != MMDB_SUCCESS || !d.has_data)
		return 0;
	if (d.type == MMDB_DATA_TYPE_DOUBLE)
		*out = d.double_value;
	else if (d.type == MMDB_DATA_TYPE_FLOAT)
		*out = d.float_value;
	else
		return 0;
	return 1;
}

int geo_decode_entry(const struct geo_db *db, MMDB_entry_s *entry, struct geo_loc *loc)
{
	char sub[8];
	double lat, lon;
	const char *cont;

	MMDB_entry_data_s top;

	memset(loc, 0, sizeof(*loc));
	/* Decode the record itself first: a corrupt data section (a broken
	 * pointer) is "no match", not a record with nothing in it. */
	if (MMDB_aget_value(entry, &top, (const char *const[]){ NULL }) != MMDB_SUCCESS)
		return STEER_EMALF;
	loc->found = 1;
	get_code(entry, db->country_path, loc->country, sizeof(loc->country));
	if (loc->country[0] && strlen(loc->country) != 2)
		loc->country[0] = '\0';
	if (!get_code(entry, db->continent_path, loc->continent, sizeof(loc->continent)) ||
	    !geo_is_continent(loc->continent)) {
		/* databases that store only a country: derive the continent */
		cont = geo_continent_of(loc->country);
		snprintf(loc->continent, sizeof(loc->continent), "%s", cont ? cont : "");
	}
	if (loc->country[0] && get_code(entry, db->subdivision_path, sub, sizeof(sub)))
		snprintf(loc->subdivision, sizeof(loc->subdivision), "%s-%s", loc->country, sub);
	if (get_double(entry, db->latitude_path, &lat) && get_double(entry, db->longitude_path, &lon) &&
	    lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
		loc->has_location = 1;
		loc->latitude = lat;
		loc->longitude = lon;
	}
	return STEER_EOK;
}

void geo_loc_from_name(struct geo_loc *loc, const char *name)
{
	const char *cont;
	size_t len = strlen(name);

	memset(loc, 0, sizeof(*loc));
	loc->found = 1;
	loc->net = name;
	if (geo_is_continent(name)) {
		memcpy(loc->continent, name, 3);
		return;
	}
	if (len >= 2 && (cont = geo_continent_of((char[3]){ name[0], name[1], '\0' })) != NULL &&
	    (len == 2 || (name[2] == '-' && len > 3 && len < sizeof(loc->subdivision)))) {
		memcpy(loc->country, name, 2);
		memcpy(loc->continent, cont, 3);
		if (len > 2)
			memcpy(loc->subdivision, name, len + 1);
	}
}

int geo_db_lookup(const struct geo_db *db, const uint8_t addr[16], struct geo_loc *loc)
{
	const struct geo_net *net = geo_nets_match(&db->nets, addr);
	int v4 = geo_addr_is_v4(addr), err = MMDB_SUCCESS, ret;
	unsigned prefix;
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;

	memset(loc, 0, sizeof(*loc));
	if (net) {
		geo_loc_from_name(loc, net->name);
		loc->prefix = v4 ? net->plen128 - 96 : net->plen128;
		return STEER_EOK;
	}
	if (!db->has_mmdb)
		return STEER_EOK;
	memset(&ss, 0, sizeof(ss));
	if (v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	res = MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &err);
	if (err == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return STEER_EOK; /* an IPv4-only database knows nothing about IPv6 */
	if (err != MMDB_SUCCESS)
		return STEER_EMALF;
	/* libmaxminddb counts an IPv4 lookup in an IPv6 tree from the IPv6 root */
	prefix = res.netmask;
	if (v4 && db->mmdb.metadata.ip_version == 6)
		prefix = res.netmask >= 96 ? res.netmask - 96u : 0;
	ret = res.found_entry ? geo_decode_entry(db, &res.entry, loc) : STEER_EOK;
	loc->prefix = prefix;
	return ret;
}

enum geo_match geo_region_kind(const char *key)
{
	size_t len = strlen(key);

	if (geo_is_continent(key))
		return GEO_MATCH_CONTINENT;
	if (len == 2 && geo_continent_of(key))
		return GEO_MATCH_COUNTRY;
	if (len > 3 && len < sizeof(((struct geo_loc *)0)->subdivision) && key[2] == '-' &&
	    geo_continent_of((char[3]){ key[0], key[1], '\0' }))
		return GEO_MATCH_SUBDIVISION;
	return GEO_MATCH_NET;
}

int geo_region_match(const struct geo_loc *loc, const char *key)
{
	if (loc->net && strcmp(loc->net, key) == 0)
		return GEO_MATCH_NET;
	switch (geo_region_kind(key)) {
	case GEO_MATCH_CONTINENT:
		return strcmp(loc->continent, key) == 0 ? GEO_MATCH_CONTINENT : GEO_MATCH_NONE;
	case GEO_MATCH_COUNTRY:
		return strcmp(loc->country, key) == 0 ? GEO_MATCH_COUNTRY : GEO_MATCH_NONE;
	case GEO_MATCH_SUBDIVISION:
		return strcmp(loc->subdivision, key) == 0 ? GEO_MATCH_SUBDIVISION : GEO_MATCH_NONE;
	default:
		return GEO_MATCH_NONE;
	}
}

double geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

	if (a > 1)
		a = 1;
	return 2 * 6371.0 * asin(sqrt(a));
}

char *geo_loc_format(char *buf, size_t size, const struct geo_loc *loc)
{
	int n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
#define PUT(...)                                                                 \
	do {                                                                     \
		if (n >= 0 && (size_t)n < size)                                  \
			n += snprintf(buf + n, size - (size_t)n, __VA_ARGS__);   \
	} while (0)
	if (!loc->found)
		PUT("not found");
	if (loc->net)
		PUT("net %s", loc->net);
	if (loc->continent[0])
		PUT("%s%s", n ? " " : "", loc->continent);
	if (loc->country[0])
		PUT(" %s", loc->country);
	if (loc->subdivision[0])
		PUT(" %s", loc->subdivision);
	if (loc->has_location)
		PUT(" %.4f,%.4f", loc->latitude, loc->longitude);
	if (loc->found && !n)
		PUT("no location data");
	PUT(" /%u", loc->prefix);
#undef PUT
	return buf;
}
