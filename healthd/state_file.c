/* state_file.c -- load and atomically save the admin overrides. */
#include "config.h"
#include "healthd/state_file.h"
#include "common/errors.h"
#include "common/jsonl.h"
#include "common/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int state_file_load(const char *path, json_t **admin)
{
	json_error_t jerr;
	json_t *root, *map;

	*admin = json_object();
	if (!*admin)
		return STEER_ENOMEM;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		log_err("%s:%d: cannot read the state file: %s", path, jerr.line, jerr.text);
		return STEER_EMALF;
	}
	map = json_object_get(root, "admin");
	if (!json_is_object(map)) {
		log_err("%s: not a healthd state file (no \"admin\" object)", path);
		json_decref(root);
		return STEER_EMALF;
	}
	json_object_update(*admin, map);
	json_decref(root);
	return 0;
}

int state_file_save(const char *path, json_t *admin)
{
	json_t *root = json_pack("{s:i, s:O}", "v", STEER_PROTO_VERSION, "admin", admin);
	char *tmp = NULL, *text = NULL;
	int fd = -1, ret = 0;
	size_t len;

	if (!root || asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0 ||
	    !(text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS))) {
		ret = STEER_ENOMEM;
		goto out;
	}
	len = strlen(text);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		ret = errno ? -errno : -EIO;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		ret = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (ret != 0 && tmp)
		unlink(tmp);
	if (ret != 0)
		log_err("%s: cannot save the admin overrides: %s", path, steer_strerror(ret));
	free(tmp);
	free(text);
	if (root)
		json_decref(root);
	return ret;
}
