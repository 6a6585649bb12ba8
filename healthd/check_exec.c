/*
 * check_exec.c -- the exec check: run a command, exit status 0 means up.
 *
 * HAProxy's external-check contract, simplified: the configured argv plus
 * three arguments, ADDRESS PORT CHECKNAME. No shell is involved (execvp).
 * The child leads its own process group so that a timeout kills everything
 * it started (kill(-pgid)), not just the first process. Its stdin is
 * /dev/null; the first bytes of its stdout+stderr become part of the reason.
 *
 * Children are reaped from SIGCHLD (main.c calls check_exec_reap() from a
 * libevent signal event, i.e. inside the loop, never in a signal handler),
 * with waitpid(WNOHANG), so a child never blocks the loop. A cancelled
 * probe's child is killed and forgotten; its zombie is reaped the same way.
 */
#include "config.h"
#include "healthd/probe.h"
#include "common/errors.h"
#include "common/log.h"

#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_OUT_MAX 120

struct exec_run {
	struct exec_run *next;  /* in probe_env.running */
	struct probe *p;        /* borrowed: the probe this run belongs to */
	pid_t pid;              /* also the process group id */
	int out_fd;             /* owned: read end of the output pipe, -1 once closed */
	struct event *out_ev;   /* owned */
	char out[EXEC_OUT_MAX + 1];
	size_t out_len;
};

static void unlink_run(struct probe_env *env, struct exec_run *r)
{
	for (struct exec_run **pp = &env->running; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

static void close_output(struct exec_run *r)
{
	if (r->out_ev) {
		event_free(r->out_ev);
		r->out_ev = NULL;
	}
	if (r->out_fd >= 0) {
		close(r->out_fd);
		r->out_fd = -1;
	}
}

static void drain_output(struct exec_run *r)
{
	char buf[512];
	ssize_t n = -1;

	while (r->out_fd >= 0 && (n = read(r->out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				close_output(r);
			return;
		}
		size_t take = (size_t)n < EXEC_OUT_MAX - r->out_len ? (size_t)n : EXEC_OUT_MAX - r->out_len;
		memcpy(r->out + r->out_len, buf, take);
		r->out_len += take;
	}
	if (n == 0)
		close_output(r);
}

static void output_cb(evutil_socket_t fd, short what, void *arg)
{
	drain_output(arg);
}

static void exec_cancel(struct probe *p)
{
	struct exec_run *r = p->impl;

	if (!r)
		return;
	/* The whole group: a script's own children must not outlive the timeout. */
	kill(-r->pid, SIGKILL);
	unlink_run(p->env, r);
	close_output(r);
	free(r);
	p->impl = NULL;
}

/* The first line of the output, printable characters only. */
static const char *first_line(struct exec_run *r)
{
	size_t i;

	r->out[r->out_len] = '\0';
	for (i = 0; i < r->out_len && r->out[i] != '\n'; i++)
		if ((unsigned char)r->out[i] < 0x20 || r->out[i] == 0x7f)
			r->out[i] = ' ';
	r->out[i] = '\0';
	return r->out;
}

static void finish_run(struct exec_run *r, int status)
{
	struct probe *p = r->p;
	char out[EXEC_OUT_MAX + 1];
	const char *sep;

	drain_output(r);
	snprintf(out, sizeof(out), "%s", first_line(r));
	sep = out[0] ? ": " : "";
	unlink_run(p->env, r);
	close_output(r);
	free(r);
	p->impl = NULL;
	if (WIFEXITED(status))
		probe_finish(p, WEXITSTATUS(status) == 0, "exit %d%s%s", WEXITSTATUS(status), sep, out);
	else
		probe_finish(p, 0, "killed by signal %d%s%s", WTERMSIG(status), sep, out);
}

void check_exec_reap(struct probe_env *env)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct exec_run *r;
		for (r = env->running; r && r->pid != pid; r = r->next)
			;
		if (r)
			finish_run(r, status);
		else
			log_debug("reaped child %d (a cancelled check)", (int)pid);
	}
}

static void close_other_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3, ~0U, 0) == 0)
		return;
#endif
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/* In the child: never returns. */
static void child(const struct probe *p, int out_fd)
{
	const struct check_conf *c = p->check;
	char port[8], *argv[c->argc + 4];
	int devnull = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	close_other_fds();
	snprintf(port, sizeof(port), "%d", c->port);
	for (size_t i = 0; i < c->argc; i++)
		argv[i] = c->argv[i];
	argv[c->argc] = (char *)p->addr->text;
	argv[c->argc + 1] = port;
	argv[c->argc + 2] = c->name;
	argv[c->argc + 3] = NULL;
	execvp(argv[0], argv);
	dprintf(1, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int exec_start(struct probe *p)
{
	struct exec_run *r = calloc(1, sizeof(*r));
	int fds[2];

	if (!r)
		return probe_fail_start(p, STEER_ENOMEM, "out of memory");
	if (pipe2(fds, O_CLOEXEC) < 0) {
		int err = errno;
		free(r);
		return probe_fail_start(p, -err, "pipe: %s", probe_strerror(err));
	}
	r->pid = fork();
	if (r->pid < 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		free(r);
		return probe_fail_start(p, -err, "fork: %s", probe_strerror(err));
	}
	if (r->pid == 0)
		child(p, fds[1]);
	/* Also here: the timeout may fire before the child ran setpgid. */
	setpgid(r->pid, r->pid);
	close(fds[1]);
	r->p = p;
	r->out_fd = fds[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	r->out_ev = event_new(p->env->base, r->out_fd, EV_READ | EV_PERSIST, output_cb, r);
	if (r->out_ev)
		event_add(r->out_ev, NULL);
	r->next = p->env->running;
	p->env->running = r;
	p->impl = r;
	return 0;
}

const struct probe_ops check_exec_ops = { exec_start, exec_cancel };
