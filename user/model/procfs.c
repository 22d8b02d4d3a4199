// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The processes that were already running when the hooks were attached (an
 * `npm install` in progress), read from /proc once at start-up, and the
 * environment of a session's root read there (pid.c tells whether a
 * process is still the one the table holds).
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
	n = procfs_read(path, buf, sizeof(buf) - 1);
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
	n = procfs_read(path, buf, PROC_READ_MAX);
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
	n = procfs_read(path, buf, DS_ENV_MAX);
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
	n = procfs_read(path, buf, DS_ENV_MAX);
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
		if (procfs_stat(s.pid, &s.ppid, &s.start))
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
