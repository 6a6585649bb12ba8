/*
 * privs.h -- the user a daemon runs as once its sockets are bound
 * (server.user/group for steerdns, healthd.user/group for steer-healthd),
 * and the check that the directories it writes to let that user write.
 *
 * The sequence, as NSD and Knot DNS do it: start as root, bind what needs
 * root (ports below 1024), then privs_drop(): setgroups() to the one
 * configured group, setresgid(), setresuid(). Going from uid 0 to a non-zero
 * uid makes the kernel clear every capability (permitted, effective and
 * ambient), so nothing is kept. The process is then made dumpable again, as
 * one started by that user would be, so that a crash still leaves a core.
 * Everything after the drop (zone files, the state file, the Unix sockets,
 * exec checks) happens as that user, at startup and at every reload alike.
 */
#ifndef STEER_PRIVS_H
#define STEER_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

struct conf_file;
struct errlist;

struct privs {
	char *user;  /* owned; NULL (or "root") = no drop */
	char *group; /* owned; NULL = the user's primary group */
	uid_t uid;   /* set by privs_resolve() when user is set */
	gid_t gid;
};

/* Look up p->user and p->group (read from SECTION by its conf_field table)
 * and fill uid/gid. Each problem goes to errs as
 * "file:line: SECTION/user: reason"; returns the number of problems. */
int privs_resolve(struct privs *p, const struct conf_file *cf, const char *section, struct errlist *errs);
void privs_clear(struct privs *p);

/* Become p's user. Returns 1 when privileges were dropped; 0 when there was
 * nothing to do (no user configured, user root, or already running as that
 * user and group); a negative code with why filled when it cannot be done
 * (started as another non-root user, or a set*id call failed): the daemon
 * must not start then. */
int privs_drop(const struct privs *p, char *why, size_t cap);

/* The directory of file (the socket or state file that key names in cf)
 * must exist and be writable and searchable by p's user, or by this process
 * when p has no user. As root the test runs in a child that becomes the
 * user, so parent directories, ACLs and read-only mounts all count; as
 * another user it is judged from the directory's mode bits. Adds
 * "file:line: KEY: reason" to errs and returns 1, or returns 0. */
int privs_check_dir(const struct privs *p, const struct conf_file *cf, const char *const *key, const char *file,
		    struct errlist *errs);

/* p->group, or words for the user's primary group (for messages). */
const char *privs_group_name(const struct privs *p);

/* Give the Unix socket at path (made after the drop, so owned by the user)
 * to p's group even in a set-group-ID directory. Returns 0 or -errno. */
int privs_own_socket(const struct privs *p, const char *path);

#endif
