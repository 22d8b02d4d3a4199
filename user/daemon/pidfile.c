// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * run -p FILE: the daemon's pid in FILE while it serves, for whoever must
 * signal it without systemd (logrotate's postrotate sends SIGHUP). Written
 * whole under a temporary name and renamed, so a reader never sees half.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

int pidfile_write(const char *path)
{
	char tmp[PATH_MAX];
	int fd, n, err = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0 || fsync(fd) || rename(tmp, path))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err) {
		log_warnx("pid file %s: %s", path, strerror(-err));
		unlink(tmp);
	}
	return err;
}

void pidfile_remove(const char *path)
{
	if (path && unlink(path) && errno != ENOENT)
		log_warn("pid file %s", path);
}
