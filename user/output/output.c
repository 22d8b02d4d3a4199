// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Alert destinations: standard output and append-only files. Each line goes
 * to each destination in one write(2) on an O_APPEND descriptor, so lines
 * from concurrent writers never interleave and a crash cannot leave half a
 * line behind. A short write is finished but counted as an error: the line
 * was then not written atomically.
 *
 * Rotation: after a rename, output_reopen (SIGHUP) opens each file by its
 * name again and writes there from then on; after a copy-and-truncate,
 * O_APPEND already puts the next line at the file's new end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

#define OUTPUT_FILE_MODE 0640
#define OUTPUT_DIR_MODE	 0750

/* mkdir -p of the directory holding path. */
static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	char *s, *end;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	end = strrchr(dir, '/');
	if (!end || end == dir)
		return 0;
	*end = '\0';
	for (s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(dir, OUTPUT_DIR_MODE) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(dir, OUTPUT_DIR_MODE) && errno != EEXIST)
		return -errno;
	return 0;
}

int output_open_path(const char *path, bool *owned)
{
	int fd, err;

	*owned = false;
	if (!strcmp(path, "-"))
		return STDOUT_FILENO;
	err = mkdir_parents(path);
	if (err) {
		log_warnx("%s: cannot create its directory: %s", path, strerror(-err));
		return err;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, OUTPUT_FILE_MODE);
	if (fd < 0) {
		err = -errno;
		log_warn("%s", path);
		return err;
	}
	*owned = true;
	return fd;
}

static int output_open_one(const char *path, struct output_dest *o)
{
	o->path = path;
	o->fd = output_open_path(path, &o->owned);
	return o->fd < 0 ? o->fd : 0;
}

int output_reopen_path(const char *path, int *fd)
{
	bool owned;
	int nfd = output_open_path(path, &owned);

	if (nfd < 0) {
		log_warnx("%s: not reopened: lines still go to the file open before", path);
		return nfd;
	}
	if (owned) {
		close(*fd);
		*fd = nfd;
	}
	return 0;
}

int output_reopen(struct outputs *out)
{
	int err, ret = 0;
	size_t i;

	for (i = 0; i < out->n; i++) {
		if (!out->d[i].owned)
			continue;
		err = output_reopen_path(out->d[i].path, &out->d[i].fd);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

int output_open(struct outputs *out, const char *const *paths, size_t n)
{
	size_t i;
	int err;

	output_close(out);
	if (n > MAX_OUTPUTS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		err = output_open_one(paths[i], &out->d[i]);
		if (err) {
			output_close(out);
			return err;
		}
		out->n = i + 1;
	}
	return 0;
}

int output_line(int fd, const char *line, size_t len)
{
	size_t done = 0;
	bool short_write = false;
	ssize_t w;

	while (done < len) {
		w = write(fd, line + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		done += (size_t)w;
		short_write |= done < len;
	}
	return short_write;
}

/* One write of the whole line; the rest of a short write is retried. */
static int output_write_one(struct outputs *out, const struct output_dest *o, const char *line,
			    size_t len)
{
	int ret = output_line(o->fd, line, len);

	if (ret)
		out->errors++;
	else
		out->written++;
	return ret < 0 ? ret : 0;
}

int output_write(struct outputs *out, const char *line, size_t len)
{
	int err, ret = 0;
	size_t i;

	if (!out)
		return -EBADF;
	if (out->tap)
		out->tap(line, len, out->tap_arg);
	if (!out->n)
		return -EBADF;
	for (i = 0; i < out->n; i++) {
		err = output_write_one(out, &out->d[i], line, len);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

void output_set_tap(struct outputs *out, output_tap_fn fn, void *arg)
{
	out->tap = fn;
	out->tap_arg = arg;
}

void output_stats(const struct outputs *out, uint64_t *written, uint64_t *errors)
{
	if (written)
		*written = out ? out->written : 0;
	if (errors)
		*errors = out ? out->errors : 0;
}

void output_close(struct outputs *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		if (out->d[i].owned)
			close(out->d[i].fd);
	out->n = 0;
}
