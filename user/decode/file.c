// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * File records: the sections after a ds_file checked, the kernel's path
 * walks joined, and a rename's, link's or open's name made absolute. Paths are what
 * the kernel walked, in the writer's mount namespace; symbolic links in a
 * rename's directory are resolved only when that namespace is the daemon's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"

struct file_sections {
	const char *path, *name, *old_dir, *old_name;
};

unsigned long mnt_ns_of(const char *path)
{
	return ns_inode(path);
}

unsigned long mnt_ns_self(void)
{
	static unsigned long ns;

	if (!ns)
		ns = mnt_ns_of("/proc/self/ns/mnt");
	return ns;
}

/* The absolute path a rename or link name means: its directory's path
 * from the kernel joined with the name, symbolic links in the result's
 * directory resolved when it is visible from here. A directory and a name
 * of up to PATH_MAX each may join into more than PATH_MAX: kept whole. */
static char *name_path(const struct ds_file *e, const char *dir_comps, size_t dir_len,
		       const char *name, bool *resolved)
{
	char dir[DS_PATH_MAX + 2], real[PATH_MAX];
	char *joined, *slash, *out = NULL;

	*resolved = false;
	if (name[0] == '/') {
		joined = strdup(name);
	} else {
		if (file_path_join(dir_comps, dir_len, dir, sizeof(dir)))
			return NULL;
		if (asprintf(&joined, "%s/%s", dir, name) < 0)
			joined = NULL;
	}
	if (!joined)
		return NULL;
	/* realpath() of the directory, before any lexical "..", so that
	 * "link/../x" means what the kernel made of it */
	slash = strrchr(joined, '/');
	if (e->mnt_ns == mnt_ns_self() && !(e->in_root & DS_IN_ROOT_SET) && slash && slash[1]) {
		*slash = '\0';
		if (realpath(joined[0] ? joined : "/", real) &&
		    asprintf(&out, "%s/%s", strcmp(real, "/") ? real : "", slash + 1) > 0) {
			*resolved = true;
			free(joined);
			return out;
		}
		*slash = '/';
	}
	file_path_normalize(joined);
	return joined;
}

static int sections(const struct ds_file *e, const char *data, size_t len, struct file_sections *s)
{
	size_t off = 0;

	if ((size_t)e->path_len + e->name_len + e->old_dir_len + e->old_name_len > len)
		return -EINVAL;
	s->path = data;
	off += e->path_len;
	s->name = data + off;
	off += e->name_len;
	s->old_dir = data + off;
	off += e->old_dir_len;
	s->old_name = data + off;
	if ((e->path_len && data[e->path_len - 1]) || (e->name_len && s->name[e->name_len - 1]) ||
	    (e->old_dir_len && s->old_dir[e->old_dir_len - 1]) ||
	    (e->old_name_len && s->old_name[e->old_name_len - 1]))
		return -EINVAL;
	if (e->op == DS_FILE_WRITE ? (e->name_len || e->old_name_len) : !e->name_len)
		return -EINVAL;
	if (e->op == DS_FILE_OPEN && (e->old_dir_len || e->old_name_len))
		return -EINVAL;
	return 0;
}

int file_decode(const struct ds_file *e, const char *data, size_t len, struct file_event *ev)
{
	struct file_sections s;
	char buf[DS_PATH_MAX + 2];

	memset(ev, 0, sizeof(*ev));
	if (e->op < DS_FILE_WRITE || e->op > DS_FILE_OPEN || e->comm[DS_COMM_LEN - 1] ||
	    sections(e, data, len, &s))
		return -EINVAL;
	ev->op = e->op;
	ev->pid = e->hdr.pid;
	ev->start = e->hdr.start;
	ev->ts = e->hdr.ts;
	ev->session = e->session;
	ev->mnt_ns = e->mnt_ns;
	ev->atime = e->atime;
	ev->dev = e->op == DS_FILE_WRITE ? e->dev : 0;
	ev->rooted = e->in_root & DS_IN_ROOT_SET;
	/* a name passed as absolute is relative to the actor's root */
	ev->own_view = (e->in_root & DS_IN_ROOT_PATH) ||
		       (ev->rooted && e->op != DS_FILE_WRITE && s.name[0] == '/');
	memcpy(ev->comm, e->comm, sizeof(ev->comm));
	if (e->hdr.flags & (DS_F_PATH_TRUNC | DS_F_PATH_FSREL))
		ev->cut |= FILE_CUT_PATH;
	if (e->hdr.flags & DS_F_NAME_TRUNC)
		ev->cut |= FILE_CUT_NAME;
	if (e->hdr.flags & DS_F_OLD_TRUNC)
		ev->cut |= FILE_CUT_OLD;
	if (e->op == DS_FILE_WRITE) {
		if (file_path_join(s.path, e->path_len, buf, sizeof(buf)))
			return -EINVAL;
		ev->path = strdup(buf);
	} else {
		ev->path = name_path(e, s.path, e->path_len, s.name, &ev->resolved);
		if (e->old_name_len) {
			bool ignored;

			ev->old_path = name_path(e, s.old_dir, e->old_dir_len, s.old_name,
						 &ignored);
		}
	}
	return 0;
}

char *path_under_root(const char *root, const char *path)
{
	char *out;

	if (!root || !path)
		return NULL;
	if (asprintf(&out, "%s%s", root, strcmp(path, "/") ? path : "") < 0)
		return NULL;
	return out;
}

int path_views(const char *root, bool own_view, char **path, char **host)
{
	size_t n;

	/* the process's own view: the host's is the model's to find */
	if (!root || !*path || *host || own_view)
		return 0;
	/* the namespace's view: below the root, the process's is the rest */
	n = strlen(root);
	if (strncmp(*path, root, n) == 0 && (*path)[n] == '/') {
		char *own = strdup(*path + n);

		if (!own)
			return -ENOMEM;
		*host = *path;
		*path = own;
	}
	return 0;
}

int file_event_root(struct file_event *ev, const char *root)
{
	int err = path_views(root, ev->own_view, &ev->path, &ev->host_path);

	if (ev->host_path)
		ev->own_view = true;
	return err;
}

void file_event_free(struct file_event *ev)
{
	free(ev->host_path);
	free(ev->path);
	free(ev->old_path);
	ev->path = ev->old_path = NULL;
}
