// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * depsentry exec: the sensor around one command, for a CI step
 * (`sudo depsentry exec --fail-on high -- npm ci`). Load and attach as
 * `run` does; once every hook is attached, start CMD as the invoking user;
 * when CMD exits, drain what the kernel already sent, print a summary of
 * the alerts written meanwhile and exit with CMD's status when it failed,
 * AGENT_EXIT_ALERTS when it succeeded but an alert at or above --fail-on
 * was written, 0 otherwise; AGENT_EXIT_FAILED when depsentry itself could
 * not do its part (docs/ci.md).
 *
 * The summary is counted from the lines as they are written, never read
 * back from the log, so CMD cannot change it by rewriting a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

#define AGENT_EXIT_FAILED   125	  /* options, configuration, sensor, user */
#define AGENT_EXIT_NOEXEC   126	  /* CMD found but not runnable */
#define AGENT_EXIT_NOTFOUND 127	  /* CMD not found */
#define TERM_GRACE_MS	    10000 /* SIGTERM to SIGKILL, when CMD must stop */
#define POLL_MS		    100

extern char **environ;

/* What CMD is run as, and with. */
struct target {
	bool switch_user; /* not the agent's own uid and gid */
	uid_t uid;
	gid_t gid;
	char *name; /* NULL when the uid has no passwd entry */
	char *home;
	char *shell;
	char **envp;  /* CMD's environment */
	char *own[4]; /* the variables set here, in envp */
};

struct agent {
	struct daemon dm; /* -c, -o, -e, and what they set up */
	int verbose;
	const char *user; /* -u */
	enum severity fail_on;
	bool block; /* --block: the response on for CMD */
	char **cmd;
	struct target t;
	struct summary *summary;
	pid_t child;
	uint64_t responses;	   /* what the response did while CMD ran */
	struct sigaction saved[3]; /* SIGINT, SIGTERM, SIGCHLD as we found them */
};

enum {
	SAVED_INT,
	SAVED_TERM,
	SAVED_CHLD
};

/* Why the child could not exec CMD, sent over a close-on-exec pipe. */
struct child_error {
	int exit_code;
	int err;
};

static int agent_usage(void)
{
	fprintf(stderr,
		"usage: depsentry exec [-c FILE] [-o FILE|-]... [-e FILE|-] [-v] [-u USER]\n"
		"                      [--fail-on low|medium|high|critical] [--block] -- CMD [ARG...]\n"
		"--block: refuse CMD's install sessions' egress to what is not allowed, and stop\n"
		"      the processes judged at or above the response's kill severity\n"
		"exit: CMD's status when it failed (128+N on signal N), %d when only --fail-on\n"
		"      was crossed or --block refused or stopped something, %d when depsentry could not run the sensor or CMD's user,\n"
		"      %d or %d when CMD could not be run or found, 0 otherwise\n",
		REPORT_EXIT_ALERTS, AGENT_EXIT_FAILED, AGENT_EXIT_NOEXEC, AGENT_EXIT_NOTFOUND);
	return AGENT_EXIT_FAILED;
}

static int parse_options(struct agent *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "fail-on", required_argument, NULL, 'F' },
		{ "block", no_argument, NULL, 'B' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	/* '+': CMD's own options are CMD's */
	while ((ch = getopt_long(argc, argv, "+c:e:o:u:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
		case 'e':
		case 'o':
			if (daemon_option(&a->dm, ch, optarg))
				return -EINVAL;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 'v':
			a->verbose++;
			break;
		case 'B':
			a->block = true;
			break;
		case 'F':
			if (report_parse_fail_on(optarg, &a->fail_on) == 0)
				break;
			fprintf(stderr,
				"depsentry: --fail-on %s: expected low, medium, high, "
				"critical or none\n",
				optarg);
			return -EINVAL;
		default:
			return -EINVAL;
		}
	}
	if (optind == argc)
		return -EINVAL;
	a->cmd = argv + optind;
	return 0;
}

/* A uid or gid in decimal, all of s. */
static int parse_id(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= (unsigned int)-1)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int target_from_passwd(struct target *t, const struct passwd *pw)
{
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	t->name = strdup(pw->pw_name);
	t->home = strdup(pw->pw_dir);
	t->shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	return t->name && t->home && t->shell ? 0 : -ENOMEM;
}

/* -u USER (a name or a uid), else sudo's invoking user, else ourselves. */
static int target_user(struct agent *a)
{
	struct target *t = &a->t;
	const struct passwd *pw;
	unsigned int uid, gid;

	t->uid = getuid();
	t->gid = getgid();
	if (a->user) {
		pw = getpwnam(a->user);
		if (!pw && parse_id(a->user, &uid) == 0)
			pw = getpwuid(uid);
		if (!pw) {
			log_warnx("-u %s: no such user", a->user);
			return -ENOENT;
		}
		if (target_from_passwd(t, pw))
			return -ENOMEM;
	} else if (getuid() == 0 && getenv("SUDO_UID")) {
		if (parse_id(getenv("SUDO_UID"), &uid) || parse_id(getenv("SUDO_GID"), &gid)) {
			log_warnx("SUDO_UID or SUDO_GID is not a number: use -u USER");
			return -EINVAL;
		}
		pw = getpwuid(uid);
		if (pw && target_from_passwd(t, pw))
			return -ENOMEM;
		t->uid = uid;
		t->gid = gid;
	}
	t->switch_user = t->uid != geteuid() || t->gid != getegid();
	if (t->switch_user && geteuid() != 0) {
		log_warnx("running CMD as uid %u needs root", (unsigned int)t->uid);
		return -EPERM;
	}
	return 0;
}

/* environ, with HOME, USER, LOGNAME and SHELL set for another user (as su
 * does): under sudo they name root, and CMD would write to root's home. */
static int target_env(struct target *t)
{
	const char *names[ARRAY_SIZE(t->own)] = { "HOME", "USER", "LOGNAME", "SHELL" };
	const char *vals[ARRAY_SIZE(t->own)] = { t->home, t->name, t->name, t->shell };
	size_t n = 0, k = 0, i, j, len;

	if (!t->switch_user || !t->name) {
		t->envp = environ;
		return 0;
	}
	while (environ[n])
		n++;
	t->envp = calloc(n + ARRAY_SIZE(t->own) + 1, sizeof(*t->envp));
	if (!t->envp)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		for (j = 0; j < ARRAY_SIZE(names); j++) {
			len = strlen(names[j]);
			if (strncmp(environ[i], names[j], len) == 0 && environ[i][len] == '=')
				break;
		}
		if (j == ARRAY_SIZE(names))
			t->envp[k++] = environ[i];
	}
	for (j = 0; j < ARRAY_SIZE(names); j++) {
		if (asprintf(&t->own[j], "%s=%s", names[j], vals[j]) < 0) {
			t->own[j] = NULL;
			return -ENOMEM;
		}
		t->envp[k++] = t->own[j];
	}
	return 0;
}

static void target_free(struct target *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t->own); i++)
		free(t->own[i]);
	if (t->envp != environ)
		free(t->envp);
	free(t->name);
	free(t->home);
	free(t->shell);
}

static void tap(const char *line, size_t len, void *arg)
{
	summary_add(arg, line, len, NULL);
}

/* Everything `run` sets up before it says it is ready (start.c), with
 * CMD's user and the summary of its alerts. */
static int agent_start(struct agent *a)
{
	if (daemon_config(&a->dm))
		return -EINVAL;
	if (a->block) { /* egress refused and processes stopped, whatever the file says */
		a->dm.cfg->response_mode = RESPONSE_BLOCK;
		a->dm.cfg->response_egress = true;
		a->dm.cfg->response_kill = true;
	}
	if (target_user(a) || target_env(&a->t))
		return -EINVAL;
	a->summary = summary_new(0, a->fail_on);
	if (!a->summary)
		return -ENOMEM;
	output_set_tap(&a->dm.out, tap, a->summary);
	if (daemon_open(&a->dm))
		return -EIO;
	/* from now on SIGINT, SIGTERM and CMD's exit stop the loop (and CMD):
	 * the loop reads them from its signalfd; CMD gets them as we found them */
	sigaction(SIGINT, NULL, &a->saved[SAVED_INT]);
	sigaction(SIGTERM, NULL, &a->saved[SAVED_TERM]);
	sigaction(SIGCHLD, NULL, &a->saved[SAVED_CHLD]);
	loop_stop_on_child(a->dm.loop);
	fprintf(stderr, "depsentry: ready\n");
	return 0;
}

static void agent_stop(struct agent *a)
{
	output_set_tap(&a->dm.out, NULL, NULL);
	daemon_close(&a->dm);
	ci_exec_clear(&a->dm.host.exec);
	summary_free(a->summary);
	target_free(&a->t);
}

static int drop_privileges(const struct target *t)
{
	if (t->name ? initgroups(t->name, t->gid) : setgroups(1, &t->gid))
		return -1;
	if (setgid(t->gid) || setuid(t->uid))
		return -1;
	if (t->uid != 0 && setuid(0) == 0) { /* root must be gone for good */
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn)) child_exec(const struct agent *a, int errfd)
{
	struct child_error ce = { .exit_code = AGENT_EXIT_FAILED };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* CMD gets the dispositions we were given (an ignored SIGINT stays so) */
	sigaction(SIGINT, &a->saved[SAVED_INT], NULL);
	sigaction(SIGTERM, &a->saved[SAVED_TERM], NULL);
	sigaction(SIGCHLD, &a->saved[SAVED_CHLD], NULL);
	if (a->t.switch_user && drop_privileges(&a->t)) {
		ce.err = errno;
	} else {
		execvpe(a->cmd[0], a->cmd, a->t.envp);
		ce.err = errno;
		ce.exit_code = errno == ENOENT ? AGENT_EXIT_NOTFOUND : AGENT_EXIT_NOEXEC;
	}
	/* the parent says why; without the pipe, the exit code still does */
	if (write(errfd, &ce, sizeof(ce)) != (ssize_t)sizeof(ce))
		ce.exit_code = AGENT_EXIT_FAILED;
	_exit(ce.exit_code);
}

static pid_t wait_child(pid_t pid, int *status, int flags)
{
	pid_t r;

	while ((r = waitpid(pid, status, flags)) < 0 && errno == EINTR)
		;
	return r;
}

/* Fork CMD; 0 once it runs, else the exit code to return. */
static int start_child(struct agent *a)
{
	struct child_error ce;
	int fds[2], status;
	ssize_t n;

	/* SIGCHLD is blocked, read by the loop: a quick exit is not missed */
	if (pipe2(fds, O_CLOEXEC)) {
		log_warn("pipe");
		return AGENT_EXIT_FAILED;
	}
	fflush(NULL);
	a->child = fork();
	if (a->child == 0) {
		close(fds[0]);
		child_exec(a, fds[1]);
	}
	close(fds[1]);
	if (a->child < 0) {
		log_warn("fork");
		close(fds[0]);
		return AGENT_EXIT_FAILED;
	}
	if (ci_exec_set(&a->dm.host.exec, (uint32_t)a->child, (uint32_t)getpid(), a->t.envp))
		log_warnx("out of memory: alerts will have no CI context from CMD");
	summary_scope(a->summary, a->child);
	while ((n = read(fds[0], &ce, sizeof(ce))) < 0 && errno == EINTR)
		;
	close(fds[0]);
	if (n != (ssize_t)sizeof(ce))
		return 0; /* closed by a successful exec */
	wait_child(a->child, &status, 0);
	a->child = -1;
	errno = ce.err;
	if (ce.exit_code == AGENT_EXIT_FAILED)
		log_warn("cannot run %s as uid %u", a->cmd[0], (unsigned int)a->t.uid);
	else
		log_warn("%s", a->cmd[0]);
	return ce.exit_code;
}

/* CMD's wait status. When the loop stopped before CMD did (a signal, or
 * the sensor failed), CMD is stopped too: it must not run unwatched. */
static int reap_child(struct agent *a)
{
	int status = 0, waited;

	if (wait_child(a->child, &status, WNOHANG) == a->child)
		return status;
	log_warnx("stopping %s (pid %d): the sensor has stopped", a->cmd[0], (int)a->child);
	kill(a->child, SIGTERM);
	for (waited = 0; waited < TERM_GRACE_MS; waited += POLL_MS) {
		if (wait_child(a->child, &status, WNOHANG) == a->child)
			return status;
		usleep(POLL_MS * 1000);
	}
	kill(a->child, SIGKILL);
	wait_child(a->child, &status, 0);
	return status;
}

/* The exit code, said in one line. */
static int verdict(const struct agent *a, int status)
{
	uint64_t over = summary_at_or_above(a->summary, a->fail_on);
	int code = 0;

	if (WIFSIGNALED(status)) {
		code = 128 + WTERMSIG(status);
		log_warnx("%s was killed by signal %d: exit %d", a->cmd[0], WTERMSIG(status), code);
	} else if (WEXITSTATUS(status)) {
		code = WEXITSTATUS(status);
		log_warnx("%s exited with status %d: exit %d", a->cmd[0], code, code);
	} else if (a->responses) {
		code = REPORT_EXIT_ALERTS;
		log_warnx("%s exited with status 0, but depsentry refused %llu connection%s or "
			  "stopped processes: exit %d",
			  a->cmd[0], (unsigned long long)a->responses, a->responses == 1 ? "" : "s",
			  code);
	} else if (over) {
		code = REPORT_EXIT_ALERTS;
		log_warnx("%s exited with status 0, but %llu alert%s at or above %s: exit %d",
			  a->cmd[0], (unsigned long long)over, over == 1 ? "" : "s",
			  severity_name(a->fail_on), code);
	} else {
		log_info("%s exited with status 0: exit 0", a->cmd[0]);
	}
	return code;
}

static int agent_run(struct agent *a)
{
	int code, status;
	bool ok;

	code = start_child(a);
	if (code)
		return code;
	ok = loop_run(a->dm.loop) == 0;
	status = reap_child(a);
	a->child = -1;
	a->responses = a->dm.loop->responses;
	/* the counters, then the summary: the last words in the step's log */
	daemon_close_loop(&a->dm);
	events_close(&a->dm.events);
	summary_print(a->summary, REPORT_TEXT, "depsentry exec", stderr);
	code = verdict(a, status);
	if (!ok) {
		log_warnx("the sensor failed while %s ran: exit %d", a->cmd[0], AGENT_EXIT_FAILED);
		return AGENT_EXIT_FAILED;
	}
	return code;
}

int agent_main(int argc, char **argv)
{
	struct agent a = { .fail_on = SEV_NONE, .child = -1 };
	int code;

	if (parse_options(&a, argc, argv))
		return agent_usage();
	log_init(a.verbose);
	code = agent_start(&a) ? AGENT_EXIT_FAILED : agent_run(&a);
	agent_stop(&a);
	return code;
}
