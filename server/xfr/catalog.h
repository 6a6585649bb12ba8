/*
 * catalog.h -- a generated catalog zone (RFC 9432, schema version 2)
 * listing every zone steerdns serves, so that secondaries (Knot's
 * catalog-role interpret, BIND's catalog-zones) add and drop zones by
 * themselves.
 *
 * Configured as a zone with "catalog": true and no "file":
 *
 *   "zones": [ { "name": "example.com", "file": "example.com.zone" },
 *              { "name": "catalog.invalid", "catalog": true,
 *                "allow_transfer": [ ... ], "notify": [ ... ] } ]
 *
 * At every load (startup, reload) the catalog's master file is written
 * to STATE_DIR/catalog/NAME.zone (server.state_dir is required) and then
 * loaded and served like any other zone, so transfers, ACLs, NOTIFY and
 * the IXFR journal apply to it unchanged:
 *
 *   NAME.               0 IN SOA invalid. invalid. SERIAL 3600 600 2147483646 0
 *   NAME.               0 IN NS  invalid.
 *   version.NAME.       0 IN TXT "2"
 *   ID.zones.NAME.      0 IN PTR member.zone.     (one per other zone)
 *
 * ID is the first 8 bytes of the SHA-256 of the member's lowercase wire
 * name, in hex: the same for a zone on every start (RFC 9432 5.1 wants
 * member IDs stable; a changed ID would make consumers reset the zone).
 * The file is rewritten only when the member list changed, with the
 * serial one above the old file's (the Unix time for the first file), so
 * consumers see a new serial exactly when a zone came or went.
 *
 * Layer: server/xfr. Load time only (server/load.c).
 */
#ifndef STEER_XFR_CATALOG_H
#define STEER_XFR_CATALOG_H

#include <stddef.h>

struct errlist;

/* Make sure dir/NAME.zone is the catalog name (presentation) of
 * members[0..n) (presentation names; any that equals name is left out),
 * writing it when it is missing or lists other members. With dir NULL
 * the file goes to a new temporary file instead (for checks that must
 * not touch the state directory; the caller removes it). *path is the
 * file (malloc'ed). Returns 0, or -1 with "NAME: reason" in errs. */
int catalog_generate(const char *dir, const char *name, const char *const *members, size_t n, char **path,
		     struct errlist *errs);

struct zone_conf;
struct conf_file;

/* For every catalog zone of zones[0..n) ("catalog": true), generate its
 * file from the other zones' names and point its file at it: in
 * STATE_DIR/catalog (state_dir NULL: an error at the zone's config line,
 * unless dry), or with dry (checks) in a temporary file that
 * catalog_dry_cleanup() removes. Returns the number of errors added. */
int catalog_prepare(const struct conf_file *cf, struct zone_conf *zones, size_t n, const char *state_dir, int dry,
		    struct errlist *errs);
void catalog_dry_cleanup(struct zone_conf *zones, size_t n);

/* The member ID label of zone (presentation) into id (17 bytes). Returns
 * 0, or -1 for a name that is not a domain name. */
int catalog_member_id(const char *zone, char *id);

#endif
