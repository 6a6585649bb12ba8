/*
 * state_file.h -- the admin overrides that survive a restart.
 *
 * The file is JSON: {"v":1,"admin":{"web@203.0.113.10":"down", ...}}; only
 * targets with an override other than "auto" are listed. It is replaced
 * atomically (write a temp file in the same directory, fsync, rename), so a
 * crash leaves either the old or the new file, never half of one.
 */
#ifndef STEER_HEALTHD_STATE_FILE_H
#define STEER_HEALTHD_STATE_FILE_H

#include <jansson.h>

/* *admin gets a new object name -> "down"/"up" (empty when the file does not
 * exist). Returns 0, or a negative code (unreadable or malformed file; the
 * reason is logged) with *admin set to an empty object. */
int state_file_load(const char *path, json_t **admin);

/* Write admin (borrowed) as the new state. Returns 0 or -errno. */
int state_file_save(const char *path, json_t *admin);

#endif
