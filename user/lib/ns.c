// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Namespaces by their inode numbers, as the kernel's records carry them. */
#include <stdio.h>
#include <sys/stat.h>

#include "lib.h"

uint32_t ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

uint32_t host_ns_inode(const char *name)
{
	char path[64];
	uint32_t ns;

	snprintf(path, sizeof(path), "/proc/1/ns/%s", name);
	ns = ns_inode(path);
	if (!ns) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
		ns = ns_inode(path);
	}
	return ns;
}
