/* privs.c -- privilege drop and the writable-directory check (see privs.h). */
#include "config.h"
#include "common/privs.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

static int no_drop(const struct privs *p)
{
	return !p->user || strcmp(p->user, "root") == 0;
}

int privs_resolve(struct privs *p, const struct conf_file *cf, const char *section, struct errlist *errs)
{
	struct passwd *pw;
	struct group *gr;

	if (!p->user) {
		if (!p->group)
			return 0;
		conf_err(errs, cf, (conf_path_t){ section, "group", NULL },
			 "\"group\" needs \"user\" (the daemon keeps running as root otherwise)");
		return 1;
	}
	if (!(pw = getpwnam(p->user))) {
		conf_err(errs, cf, (conf_path_t){ section, "user", NULL }, "no such user \"%s\"", p->user);
		return 1;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (!p->group)
		return 0;
	if (!(gr = getgrnam(p->group))) {
		conf_err(errs, cf, (conf_path_t){ section, "group", NULL }, "no such group \"%s\"", p->group);
		return 1;
	}
	p->gid = gr->gr_gid;
	return 0;
}

void privs_clear(struct privs *p)
{
	free(p->user);
	free(p->group);
	memset(p, 0, sizeof(*p));
}

/* Groups first: after setresuid() they could no longer change. One group
 * only, so no supplementary group of root survives. */
static int become(const struct privs *p)
{
	return setgroups(1, &p->gid) == 0 && setresgid(p->gid, p->gid, p->gid) == 0 &&
	       setresuid(p->uid, p->uid, p->uid) == 0 ? 0 : -errno;
}

int privs_drop(const struct privs *p, char *why, size_t cap)
{
	uid_t now = geteuid();
	int ret;

	if (no_drop(p))
		return 0;
	if (now != 0) {
		/* Started by the user itself (systemd User=): nothing to drop.
		 * Started by anybody else: it cannot switch, and running on as
		 * the wrong user would hide the mistake, so say so and stop. */
		if (now == p->uid && getegid() == p->gid)
			return 0;
		snprintf(why, cap,
			 "started as uid %u, not root: cannot become user %s (uid %u, gid %u); start it as root "
			 "or as that user and group, or remove the user key",
			 (unsigned)now, p->user, (unsigned)p->uid, (unsigned)p->gid);
		return -EPERM;
	}
	if ((ret = become(p)) != 0) {
		snprintf(why, cap, "cannot become user %s (uid %u, gid %u): %s", p->user, (unsigned)p->uid,
			 (unsigned)p->gid, strerror(-ret));
		return ret;
	}
	/* The way back must be closed (it is unless something kept CAP_SETUID). */
	if (setuid(0) == 0 || geteuid() != p->uid || getegid() != p->gid) {
		snprintf(why, cap, "privileges are still there after switching to user %s", p->user);
		return -EPERM;
	}
	/* Changing IDs made the process non-dumpable: no core dump on a crash,
	 * /proc/PID owned by root. A process started as the user would be
	 * dumpable, and nothing secret of root's is left here, so be that. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 1;
}

/* Mode bits of st for uid/gid; errno-style result. Used only when we can
 * neither be the user nor become it; ACLs are not seen. */
static int mode_allows(const struct stat *st, const char *dir, uid_t uid, gid_t gid)
{
	struct statvfs vfs;
	mode_t need;

	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return EROFS;
	if (uid == 0)
		return 0;
	need = st->st_uid == uid ? (S_IWUSR | S_IXUSR) : st->st_gid == gid ? (S_IWGRP | S_IXGRP) : (S_IWOTH | S_IXOTH);
	return (st->st_mode & need) == need ? 0 : EACCES;
}

/* 0 when p's user (or we) may create files in dir, else an errno. */
static int writable_by(const struct privs *p, const char *dir, const struct stat *st)
{
	pid_t pid;
	int status;

	if (no_drop(p) || geteuid() == p->uid)
		return access(dir, W_OK | X_OK) == 0 ? 0 : errno;
	if (geteuid() != 0)
		return mode_allows(st, dir, p->uid, p->gid);
	/* Ask the kernel as that user: only it knows ACLs, read-only mounts and
	 * every parent directory's permissions. */
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (become(p) != 0)
			_exit(EPERM);
		_exit(access(dir, W_OK | X_OK) == 0 ? 0 : errno);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

int privs_check_dir(const struct privs *p, const struct conf_file *cf, const char *const *key, const char *file,
		    struct errlist *errs)
{
	char *copy = strdup(file), *dir, who[128];
	struct stat st;
	int e;

	if (!copy) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	dir = dirname(copy);
	if (stat(dir, &st) != 0) {
		e = errno;
		if (e == ENOENT)
			conf_err(errs, cf, key, "directory %s (for %s) does not exist", dir, file);
		else
			conf_err(errs, cf, key, "directory %s (for %s): %s", dir, file, strerror(e));
		free(copy);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		conf_err(errs, cf, key, "%s (the directory of %s) is not a directory", dir, file);
		free(copy);
		return 1;
	}
	e = writable_by(p, dir, &st);
	if (e != 0) {
		if (no_drop(p))
			snprintf(who, sizeof(who), "this process (uid %u)", (unsigned)geteuid());
		else
			snprintf(who, sizeof(who), "user %s (uid %u, gid %u)", p->user, (unsigned)p->uid,
				 (unsigned)p->gid);
		conf_err(errs, cf, key, "directory %s (for %s) is not writable by %s: %s", dir, file, who, strerror(e));
	}
	free(copy);
	return e != 0;
}

const char *privs_group_name(const struct privs *p)
{
	return p->group ? p->group : "(the user's primary group)";
}

int privs_own_socket(const struct privs *p, const char *path)
{
	if (no_drop(p))
		return 0;
	return chown(path, (uid_t)-1, p->gid) == 0 ? 0 : -errno;
}
