// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * openstorm: the open and file-write rates the sensor's file hooks must keep
 * up with, in one of two storms named by the first argument:
 *
 * read:   N open(O_RDONLY) + close of one existing file, one after the other.
 * create: N ordinary files created, written and closed, one after the other
 *         (open(O_WRONLY | O_CREAT | O_TRUNC), a write of a few bytes,
 *         close), in a fresh directory made under DIR; then every file is
 *         unlinked and the directory removed. DIR must be on a disk
 *         filesystem: on tmpfs and ramfs a write dirties no page, so the
 *         sensor does not see it and the storm would show less than its
 *         cost. The files are unlinked before writeback would start, so the
 *         disk is not measured, only the system calls and the page cache.
 *
 * Timed from the first open to the last close (read), or to the last unlink
 * (create: the creates and the unlinks are also timed apart, create_s and
 * unlink_s), with the process's CPU time (user + system: the BPF programs
 * run in its context). Prints one line of key=value pairs that bench/run.sh
 * parses.
 *
 * usage: openstorm read [-n N] [-f FILE]
 *        openstorm create [-n N] [-d DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "bench.h"

#define DEFAULT_OPENS	1000000
#define DEFAULT_CREATES 100000
#define DEFAULT_FILE	"/etc/passwd"
#define DEFAULT_DIR	"/var/tmp"
#define FILE_MODE	0644
#define NAME_LEN	24 /* "f" and a long in decimal */

static const char payload[] = "depsentry openstorm\n"; /* what each file holds */

/* Filesystems without writeback, where a write dirties no page. */
static const struct {
	long magic;
	const char *name;
} memory_fs[] = {
	{TMPFS_MAGIC, "tmpfs"},
	{RAMFS_MAGIC, "ramfs"},
};

struct storm {
	const char *name;
	const char *optstring; /* -n and the storm's path option */
	long n;		       /* default operations */
	const char *path;      /* default file (read) or parent directory (create) */
	int (*run)(long n, const char *path);
};

static volatile sig_atomic_t stop_requested;

static void usage(void)
{
	fprintf(stderr, "usage: openstorm read [-n N] [-f FILE]\n");
	fprintf(stderr, "       openstorm create [-n N] [-d DIR]\n");
	exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* N open+close of path; stops at the first failure. */
static int read_storm(long n, const char *path)
{
	double t0, wall;
	long i;
	int fd;

	t0 = now_s();
	for (i = 0; i < n; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || close(fd)) {
			fprintf(stderr, "openstorm: %s: %s (after %ld of %ld opens)\n", path,
				strerror(errno), i, n);
			return 1;
		}
	}
	wall = now_s() - t0;
	printf("storm=read opens=%ld file=%s wall_s=%.4f opens_per_s=%.1f cpu_s=%.3f\n", n, path,
	       wall, n / wall, cpu_s(RUSAGE_SELF));
	return 0;
}

/* 0 when dir is on a disk filesystem; says why not otherwise. */
static int check_disk(const char *dir)
{
	struct statfs sf;
	size_t i;

	if (statfs(dir, &sf)) {
		fprintf(stderr, "openstorm: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(memory_fs) / sizeof(memory_fs[0]); i++)
		if (sf.f_type == memory_fs[i].magic) {
			fprintf(stderr, "openstorm: %s is on %s, where a write dirties no page and the sensor does not see it; give a directory on a disk filesystem with -d\n",
				dir, memory_fs[i].name);
			return -1;
		}
	return 0;
}

/* Create file i in dfd, write the payload, close; 0 or -errno. *made is set
 * once the file exists, even if the write or close then fails. */
static int create_one(int dfd, long i, int *made)
{
	char name[NAME_LEN];
	ssize_t w;
	int fd, err = 0;

	snprintf(name, sizeof(name), "f%ld", i);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, FILE_MODE);
	*made = fd >= 0;
	if (fd < 0)
		return -errno;
	w = write(fd, payload, sizeof(payload) - 1);
	if (w < 0)
		err = -errno;
	else if (w != sizeof(payload) - 1)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* Unlink files 0 to n - 1 of dfd, all of them even after a failure; 0 or the
 * first -errno. */
static int unlink_all(int dfd, long n)
{
	char name[NAME_LEN];
	int err = 0;
	long i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		if (unlinkat(dfd, name, 0) && !err)
			err = -errno;
	}
	return err;
}

/* A fresh directory under parent, in dir; its fd, or -1 after saying why. */
static int make_dir(const char *parent, char *dir, size_t size)
{
	int dfd;

	if (check_disk(parent))
		return -1;
	if (snprintf(dir, size, "%s/openstorm.XXXXXX", parent) >= (int)size) {
		fprintf(stderr, "openstorm: %s: %s\n", parent, strerror(ENAMETOOLONG));
		return -1;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "openstorm: making a directory in %s: %s\n", parent,
			strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		fprintf(stderr, "openstorm: %s: %s\n", dir, strerror(errno));
		rmdir(dir);
	}
	return dfd;
}

/* Create n files in a fresh directory under parent, unlink them, remove it. */
static int create_storm(long n, const char *parent)
{
	struct sigaction sa = {.sa_handler = on_signal};
	char dir[PATH_MAX];
	double t0, t1, t2;
	int dfd, made = 0, err = 0, unlink_err;
	long created;

	dfd = make_dir(parent, dir, sizeof(dir));
	if (dfd < 0)
		return 1;
	/* interrupted: stop creating, but still clean up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	t0 = now_s();
	for (created = 0; created < n && !stop_requested; created++) {
		err = create_one(dfd, created, &made);
		if (err)
			break;
	}
	t1 = now_s();
	unlink_err = unlink_all(dfd, created + (err && made));
	t2 = now_s();
	close(dfd);

	if (err)
		fprintf(stderr, "openstorm: creating %s/f%ld: %s (after %ld of %ld files)\n", dir,
			created, strerror(-err), created, n);
	else if (stop_requested)
		fprintf(stderr, "openstorm: interrupted after %ld of %ld files\n", created, n);
	if (unlink_err)
		fprintf(stderr, "openstorm: unlinking in %s: %s\n", dir, strerror(-unlink_err));
	if (rmdir(dir)) {
		fprintf(stderr, "openstorm: %s: %s\n", dir, strerror(errno));
		unlink_err = unlink_err ? unlink_err : -errno;
	}
	if (err || unlink_err || stop_requested)
		return 1;
	printf("storm=create files=%ld dir=%s bytes=%zu wall_s=%.4f files_per_s=%.1f create_s=%.4f unlink_s=%.4f cpu_s=%.3f\n",
	       n, parent, sizeof(payload) - 1, t2 - t0, n / (t2 - t0), t1 - t0, t2 - t1,
	       cpu_s(RUSAGE_SELF));
	return 0;
}

static const struct storm storms[] = {
	{"read", "n:f:", DEFAULT_OPENS, DEFAULT_FILE, read_storm},
	{"create", "n:d:", DEFAULT_CREATES, DEFAULT_DIR, create_storm},
};

int main(int argc, char **argv)
{
	const struct storm *s = NULL;
	const char *path;
	size_t i;
	long n;
	int ch;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(storms) / sizeof(storms[0]); i++)
		if (!strcmp(argv[1], storms[i].name))
			s = &storms[i];
	if (!s)
		usage();
	n = s->n;
	path = s->path;
	/* options after the storm's name */
	while ((ch = getopt(argc - 1, argv + 1, s->optstring)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_long(optarg, 1, LONG_MAX, &n))
				usage();
			break;
		case 'f':
		case 'd':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	return s->run(n, path);
}
