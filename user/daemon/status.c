// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Health. The daemon describes itself in one line of key=value words:
 * records seen by type, alerts written by rule, everything lost, the
 * process table, install sessions, the DNS cache and held file writes.
 * The line is logged every status_interval seconds and on SIGUSR1, and
 * written once a second to the status file (status_file, by default
 * /run/depsentry/status): a temporary file renamed over it, mode 0644, so
 * a reader never sees half a line. `depsentry status` prints that file
 * once it has checked that its writer still runs and still updates it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define STATUS_STALE_SECS 15 /* the daemon rewrites the file every second */
#define STATUS_LINE_MAX	  2048
#define STATUS_FILE_MODE  0644
#define STATUS_DIR_MODE	  0755

/* clang-format off */
static const char *const event_names[DS_EV_MAX] = {
	[DS_EV_EXEC] = "exec",
	[DS_EV_FORK] = "fork",
	[DS_EV_EXIT] = "exit",
	[DS_EV_CONNECT] = "connect",
	[DS_EV_FILE] = "file",
	[DS_EV_SIGNAL] = "signal",
	[DS_EV_DNS] = "dns",
};
/* clang-format on */

void status_request(struct status_file *sf)
{
	sf->wanted = true;
}

void status_start(struct status_file *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->started = sf->logged = time(NULL);
	sf->on = true;
}

/* Append to buf; false once it is full (what fits is kept, NUL-terminated). */
static bool __attribute__((format(printf, 4, 5)))
put(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off) {
		*off = len;
		return false;
	}
	*off += (size_t)n;
	return true;
}

/* The line is key=value words of printable ASCII: anything else in it (a
 * counter name gone wrong, a file written by someone else) becomes '?', so
 * the line is valid UTF-8, one line, and never a CI workflow command. */
static void status_ascii(char *line)
{
	for (; *line; line++)
		if (*line < ' ' || *line > '~')
			*line = '?';
}

int status_format(const struct status *st, char *buf, size_t len)
{
	uint64_t alerts = 0, lost = 0;
	size_t off = 0, i;
	bool ok;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 1; i < RULE_MAX; i++)
		alerts += st->alerts[i];
	for (i = 0; i < st->nlosses; i++)
		lost += st->losses[i].value;
	ok = put(buf, len, &off, "pid=%u uptime=%llu", st->pid, (unsigned long long)st->uptime);
	for (i = 1; i < DS_EV_MAX; i++)
		ok = ok && put(buf, len, &off, " %s=%llu", event_names[i],
			       (unsigned long long)st->records[i]);
	ok = ok && put(buf, len, &off, " alerts=%llu", (unsigned long long)alerts);
	for (i = 1; i < RULE_MAX; i++)
		ok = ok && put(buf, len, &off, " alerts.%s=%llu", rule_id_name((enum rule_id)i),
			       (unsigned long long)st->alerts[i]);
	ok = ok && put(buf, len, &off, " lost=%llu", (unsigned long long)lost);
	for (i = 0; i < st->nlosses; i++)
		if (st->losses[i].value)
			ok = ok && put(buf, len, &off, " %s=%llu", st->losses[i].name,
				       (unsigned long long)st->losses[i].value);
	ok = ok && put(buf, len, &off,
		       " processes=%llu exited_held=%llu sessions=%llu dns_cache=%llu"
		       " dns_unsolicited=%llu held_writes=%llu network_hooks=%s",
		       (unsigned long long)st->processes, (unsigned long long)st->exited_held,
		       (unsigned long long)st->sessions, (unsigned long long)st->dns_cache,
		       (unsigned long long)st->dns_unsolicited, (unsigned long long)st->held_writes,
		       st->network_hooks ? "on" : "off");
	status_ascii(buf);
	return ok ? 0 : -ENOSPC;
}

/* mkdir of the file's directory (one level: /run exists). */
static int make_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return -ENOENT;
	*slash = '\0';
	return mkdir(dir, STATUS_DIR_MODE) && errno != EEXIST ? -errno : 0;
}

int status_write(const char *path, const char *line)
{
	char tmp[PATH_MAX];
	size_t len = strlen(line);
	int fd, err = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make_dir(path) == 0) {
		snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path); /* a failure spoils it */
		fd = mkostemp(tmp, O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		err = errno ? -errno : -EIO;
	if (!err && fchmod(fd, STATUS_FILE_MODE))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static const char *status_path(const struct config *c)
{
	return c->status_file ? c->status_file : STATUS_FILE_DEFAULT;
}

void status_update(struct status_file *sf, struct status *st, const struct config *c)
{
	char line[STATUS_LINE_MAX];
	const char *path = status_path(c);
	time_t now = time(NULL);
	int err;

	st->pid = (uint32_t)getpid();
	st->uptime = now > sf->started ? (uint64_t)(now - sf->started) : 0;
	if (status_format(st, line, sizeof(line)))
		log_debug("status line cut at %zu bytes", sizeof(line) - 1);
	if (sf->wanted || (c->status_interval && now - sf->logged >= (time_t)c->status_interval)) {
		sf->wanted = false;
		sf->logged = now;
		log_info("status: %s", line);
	}
	err = status_write(path, line);
	if (err && !sf->failed)
		log_warnx("%s: cannot write the status file: %s", path, strerror(-err));
	sf->failed = err != 0;
	if (!err && strcmp(sf->written, path)) {
		if (sf->written[0]) /* a reload moved it */
			unlink(sf->written);
		snprintf(sf->written, sizeof(sf->written), "%s", path);
	}
}

void status_remove(struct status_file *sf)
{
	if (sf->written[0] && unlink(sf->written) && errno != ENOENT)
		log_warn("%s", sf->written);
	sf->written[0] = '\0';
}

/* ------------------------------------------------------ depsentry status */

/* The status line in path, its writer's pid and its age in seconds. */
static int status_read(const char *path, char *line, size_t len, uint32_t *pid, time_t *age)
{
	struct stat sb;
	size_t n;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &sb) || !fgets(line, (int)len, f))
		err = ferror(f) ? -EIO : -EINVAL;
	fclose(f);
	if (err)
		return err;
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[--n] = '\0';
	status_ascii(line);
	if (sscanf(line, "pid=%u ", pid) != 1 || *pid == 0)
		return -EINVAL;
	*age = time(NULL) - sb.st_mtime;
	return 0;
}

int status_main(int argc, char **argv)
{
	char line[STATUS_LINE_MAX];
	const char *cfg_path = NULL, *path;
	struct config *c;
	uint32_t pid = 0;
	time_t age = 0;
	int ch, err;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch != 'c')
			goto usage;
		cfg_path = optarg;
	}
	if (optind != argc)
		goto usage;
	cfg_path = config_path(cfg_path);
	if (config_load(cfg_path, &c, stderr))
		return 1;
	path = status_path(c);
	err = status_read(path, line, sizeof(line), &pid, &age);
	if (err == -ENOENT) {
		fprintf(stderr, "depsentry: not running: no status file %s\n", path);
	} else if (err) {
		fprintf(stderr, "depsentry: %s: %s\n", path,
			err == -EINVAL ? "not a status line" : strerror(-err));
	} else if (!procfs_running_as(pid, 0, "depsentry")) {
		fprintf(stderr, "depsentry: not running: %s was left by pid %u, which has exited\n",
			path, pid);
		err = -ESRCH;
	} else {
		printf("%s\n", line);
		if (age > STATUS_STALE_SECS) {
			fprintf(stderr,
				"depsentry: %s was last updated %lld s ago: the daemon (pid %u) is stopped or stuck\n",
				path, (long long)age, pid);
			err = -ETIMEDOUT;
		}
	}
	config_free(c);
	return err ? 1 : 0;
usage:
	fprintf(stderr, "usage: depsentry status [-c FILE]\n");
	return 2;
}
