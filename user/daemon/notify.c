// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The systemd notification protocol (Type=notify, WatchdogSec=) without
 * libsystemd: one datagram to $NOTIFY_SOCKET, a path or an abstract name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

int notify_systemd(const char *state, bool log_failure)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	int fd, err = 0;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return 0;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	salen = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0) {
		err = -errno;
		if (log_failure)
			log_warn("sd_notify %s", state);
	}
	close(fd);
	return err;
}
