// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The processes that were already running when the hooks were attached (an
 * `npm install` in progress), read from /proc once at start-up, and the
 * liveness check used to retire entries whose exit record was lost.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

#define PROC_READ_MAX (DS_ARGS_MAX + 1)

struct scanned {
	uint32_t pid;
	uint32_t ppid;
	uint64_t start;
};

static ssize_t read_file(const char *path, char *buf, size_t len)
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
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	if (procfs_parse_stat(buf, ppid, &ticks, state))
		return -EINVAL;
	*start = procfs_boot_ns_from_ticks(ticks);
	return 0;
}

static int read_stat(uint32_t pid, uint32_t *ppid, uint64_t *start)
{
	char state;

	return read_stat_state(pid, ppid, start, &state);
}

int procfs_start(uint32_t pid, uint64_t *start)
{
	uint32_t ppid;

	return read_stat(pid, &ppid, start);
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

	return read_stat(pid, &ppid, &s) == 0 && procfs_same_start(s, start);
}

void procfs_comm(uint32_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	n = read_file(path, buf, len - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static char *read_link(uint32_t pid, const char *what)
{
	char path[64], buf[DS_PATH_MAX + 1];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

void procfs_parse_ids(const char *buf, uint32_t *uid, uint32_t *gid)
{
	const char *l;

	if ((l = strstr(buf, "\nUid:")))
		sscanf(l + 5, "%u", uid);
	if ((l = strstr(buf, "\nGid:")))
		sscanf(l + 5, "%u", gid);
}

static void read_ids(struct proc *p)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/status", p->pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	procfs_parse_ids(buf, &p->uid, &p->gid);
}

static struct image *read_image(uint32_t pid, const struct strlist *env_vars)
{
	struct image *img = image_new();
	char path[64], *buf = malloc(PROC_READ_MAX > DS_ENV_MAX ? PROC_READ_MAX : DS_ENV_MAX);
	const char *slash;
	ssize_t n;

	if (!img || !buf)
		goto fail;
	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	n = read_file(path, buf, PROC_READ_MAX);
	if (n < 0)
		n = 0;
	if (n > DS_ARGS_MAX) {
		n = DS_ARGS_MAX;
		img->flags |= DS_F_ARGS_TRUNC;
	}
	if (image_set_argv(img, buf, n))
		goto fail;
	procfs_comm(pid, img->comm, DS_COMM_LEN);
	snprintf(path, sizeof(path), "/proc/%u/environ", pid);
	n = read_file(path, buf, DS_ENV_MAX);
	if (n > 0 && image_set_env(img, buf, n, env_vars))
		goto fail;
	img->exe = read_link(pid, "exe");
	img->cwd = read_link(pid, "cwd");
	if (!img->exe) /* kernel thread, or gone */
		img->exe = strdup(img->argc ? img->argv[0] : img->comm);
	img->filename = strdup(img->argc ? img->argv[0] : img->exe);
	if (!img->exe || !img->filename)
		goto fail;
	slash = strrchr(img->exe, '/');
	img->name = strdup(slash ? slash + 1 : img->exe);
	if (!img->name)
		goto fail;
	free(buf);
	return img;
fail:
	free(buf);
	image_put(img);
	return NULL;
}

int procfs_env(struct proc *p, const struct strlist *vars)
{
	char path[64], *buf;
	ssize_t n;
	int err;

	/* gone, or its environment already came from the kernel or /proc */
	if (p->exited || p->from_proc || (p->img->flags & DS_F_ENV_PRESENT))
		return 0;
	buf = malloc(DS_ENV_MAX);
	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%u/environ", p->pid);
	n = read_file(path, buf, DS_ENV_MAX);
	/* still the same process once read: the pid was not reused meanwhile */
	err = n < 0				? (int)n
	      : !procfs_alive(p->pid, p->start) ? -ESRCH
						: image_set_env(p->img, buf, (size_t)n, vars);
	if (!err && n == DS_ENV_MAX)
		p->img->flags |= DS_F_ENV_TRUNC;
	free(buf);
	return err;
}

static int by_start(const void *a, const void *b)
{
	const struct scanned *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static size_t list_pids(struct scanned **out)
{
	struct scanned *v = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct scanned s;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		s.pid = strtoul(de->d_name, NULL, 10);
		if (read_stat(s.pid, &s.ppid, &s.start))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown)
				break;
			v = grown;
		}
		v[n++] = s;
	}
	closedir(d);
	*out = v;
	return n;
}

int procfs_scan(struct proctable *t, const struct strlist *env_vars, proc_fn added, void *arg)
{
	struct scanned *v = NULL;
	size_t i, n = list_pids(&v);

	qsort(v, n, sizeof(*v), by_start);
	for (i = 0; i < n; i++) {
		struct image *img;
		struct proc *p;

		if (proctable_find(t, v[i].pid, 0))
			continue; /* already reported by the hooks */
		img = read_image(v[i].pid, env_vars);
		if (!img)
			continue;
		p = proctable_exec(t, v[i].pid, v[i].start, v[i].ppid, 0, img);
		if (!p)
			continue;
		p->from_proc = true;
		read_ids(p);
		if (added)
			added(p, arg);
	}
	free(v);
	return (int)n;
}
