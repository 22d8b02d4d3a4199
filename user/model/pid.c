// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A process in /proc by its identity: (pid, start), start in boot-time ns
 * as the kernel's records give it. /proc gives start times in clock ticks,
 * so procfs_same_start is the one test of "the same process" everywhere:
 * the process table, its sweep, the container lookup, the state file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"

ssize_t procfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)total < len && (n = read(fd, buf + total, len - total)) > 0)
		total += n;
	close(fd);
	return total;
}

uint64_t procfs_boot_ns_from_ticks(unsigned long long ticks)
{
	return ticks * (1000000000ULL / sysconf(_SC_CLK_TCK));
}

int procfs_parse_stat(const char *buf, uint32_t *ppid, unsigned long long *ticks, char *state)
{
	const char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	unsigned int pp;

	/* p + 2 is past the NUL when the text ends at the name */
	if (!p || !p[1] ||
	    sscanf(p + 2,
		   "%c %u %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
		   "%*d %*d %*d %*d %*d %llu",
		   state, &pp, ticks) != 3)
		return -EINVAL;
	*ppid = pp;
	return 0;
}

/* ppid and start time (boot-based ns) from /proc/PID/stat */
static int read_stat_state(uint32_t pid, uint32_t *ppid, uint64_t *start, char *state)
{
	char path[64], buf[1024];
	unsigned long long ticks;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = procfs_read(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	if (procfs_parse_stat(buf, ppid, &ticks, state))
		return -EINVAL;
	*start = procfs_boot_ns_from_ticks(ticks);
	return 0;
}

int procfs_stat(uint32_t pid, uint32_t *ppid, uint64_t *start)
{
	char state;

	return read_stat_state(pid, ppid, start, &state);
}

int procfs_start(uint32_t pid, uint64_t *start)
{
	uint32_t ppid;

	return procfs_stat(pid, &ppid, start);
}

/*
 * The one identity test: a process is (pid, start), start in boot-time ns
 * from the kernel; /proc gives start times in clock ticks, so a start read
 * there (proc_ns) is the same process within one tick either way.
 */
bool procfs_same_start(uint64_t proc_ns, uint64_t start)
{
	uint64_t tick = procfs_boot_ns_from_ticks(1);
	uint64_t a = proc_ns / tick, b = start / tick;

	return a == b || a + 1 == b || b + 1 == a;
}

bool procfs_running(uint32_t pid, uint64_t start)
{
	uint32_t ppid;
	uint64_t s;
	char state;

	if (read_stat_state(pid, &ppid, &s, &state) || state == 'Z' || state == 'X')
		return false;
	return procfs_same_start(s, start);
}

bool procfs_running_as(uint32_t pid, uint64_t start, const char *comm)
{
	char now[DS_COMM_LEN];
	uint64_t s;

	if (!pid)
		return false;
	if (!start) { /* a pid alone: a reused one is not the same program */
		procfs_comm(pid, now, sizeof(now));
		if (strcmp(now, comm) || procfs_start(pid, &s))
			return false;
		start = s;
	}
	return procfs_running(pid, start);
}

bool procfs_alive(uint32_t pid, uint64_t start)
{
	uint32_t ppid;
	uint64_t s;

	return procfs_stat(pid, &ppid, &s) == 0 && procfs_same_start(s, start);
}

void procfs_comm(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	n = procfs_read(path, buf, len - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int procfs_stat_file(uint32_t pid, uint64_t start, const char *cwd, const char *path,
		     struct stat *file, struct stat *dir)
{
	char full[2 * PATH_MAX + 32], *slash;
	size_t n = 0;
	int w;

	if (!path || !*path || (path[0] != '/' && (!cwd || cwd[0] != '/')))
		return -EINVAL;
	if (procfs_running(pid, start))
		n = snprintf(full, sizeof(full), "/proc/%u/root", pid);
	if (path[0] == '/')
		w = snprintf(full + n, sizeof(full) - n, "%s", path);
	else
		w = snprintf(full + n, sizeof(full) - n, "%s/%s", strcmp(cwd, "/") ? cwd : "",
			     path);
	if (w < 0 || (size_t)w >= sizeof(full) - n)
		return -ENAMETOOLONG;
	if (stat(full, file)) {
		if (errno != ENOENT)
			return -errno;
		memset(file, 0, sizeof(*file)); /* gone already: its directory may tell */
	}
	slash = strrchr(full + n, '/');
	if (slash == full + n)
		slash[1] = '\0'; /* the root directory */
	else
		*slash = '\0';
	return stat(full, dir) ? -errno : 0;
}
