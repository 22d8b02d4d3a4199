// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Renames onto watched paths, outside install sessions, through fanotify.
 *
 * A rename is rare; the syscall tracepoints that would catch it in the
 * kernel put every system call of every process on the slow path while
 * they are attached (docs/PERFORMANCE.md), so they run only while install
 * sessions do. The rest of the time a filesystem-wide fanotify mark asks
 * for FAN_MOVED_FROM and FAN_MOVED_TO with the directory's handle and the
 * entry's name (FAN_REPORT_DFID_NAME, Linux 5.9): nothing is added to any
 * other system call, and a rename costs one queued event. The directory
 * handle is opened (open_by_handle_at) and its path read back, so the path
 * is the kernel's own, whatever name the renamer passed.
 *
 * Every filesystem mounted in the daemon's namespace that can report
 * handles is marked, and /proc/self/mountinfo is watched for new ones.
 * A queue overflow and a directory that can no longer be opened are
 * counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "capture.h"

#define FSW_MASK       (FAN_MOVED_FROM | FAN_MOVED_TO | FAN_ONDIR)
#define FSW_BUF	       65536	    /* one read of the queue */
#define FSW_FS_MAX     256	    /* filesystems marked */
#define FSW_FROM_MAX   16	    /* renames half seen (from, waiting for to) */
#define FSW_HANDLE_MAX 128	    /* MAX_HANDLE_SZ */
#define DELETED	       " (deleted)" /* d_path()'s mark of an unlinked directory */
#define DELETED_LEN    ((ssize_t)sizeof(DELETED) - 1)

/* Mounts that hold no files a build or an attacker would rename. */
static const char *const skipped_types[] = {
	"autofs",  "binfmt_misc", "bpf",      "cgroup",	 "cgroup2",    "configfs",
	"debugfs", "devpts",	  "efivarfs", "fusectl", "hugetlbfs",  "mqueue",
	"nsfs",	   "overlay",	  "proc",     "pstore",	 "rpc_pipefs", "securityfs",
	"sysfs",   "tracefs",	  "squashfs", "iso9660",
};

struct fsw_fs {
	dev_t dev;
	fsid_t fsid;
	char *mnt;    /* a mount point of it, its root's when there is one */
	bool root;    /* mnt shows the filesystem's root */
	bool marked;  /* false: marking failed, not tried again */
	bool present; /* seen in the last scan */
};

/* The first half of a rename: a directory handle and a name. */
struct fsw_from {
	uint32_t pid;
	fsid_t fsid;
	unsigned char handle[sizeof(struct file_handle) + FSW_HANDLE_MAX];
	char name[NAME_MAX + 1];
	bool used;
};

struct fswatch {
	int fd;	       /* fanotify */
	int mounts_fd; /* /proc/self/mountinfo, polled for changes */
	pid_t self;    /* our own renames (the status file) are not read */
	struct fsw_fs fs[FSW_FS_MAX];
	size_t nfs;
	struct fsw_from from[FSW_FROM_MAX];
	size_t from_next;
	char *buf;
	size_t len;  /* bytes of events in buf */
	bool paused; /* marks removed: the rename hooks judge renames */
	struct fswatch_stats st;
};

static bool skipped(const char *type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(skipped_types); i++)
		if (strcmp(type, skipped_types[i]) == 0)
			return true;
	return false;
}

static struct fsw_fs *fs_by_dev(struct fswatch *w, dev_t dev)
{
	size_t i;

	for (i = 0; i < w->nfs; i++)
		if (w->fs[i].dev == dev)
			return &w->fs[i];
	return NULL;
}

static void fs_mark(struct fswatch *w, const struct mountinfo_line *m)
{
	struct fsw_fs *fs = &w->fs[w->nfs];
	struct statfs sf;

	if (w->nfs == FSW_FS_MAX) {
		w->st.fs_skipped++;
		return;
	}
	memset(fs, 0, sizeof(*fs));
	fs->dev = m->dev;
	fs->present = true;
	fs->root = strcmp(m->root, "/") == 0;
	fs->mnt = strdup(m->mnt);
	if (!fs->mnt)
		return;
	w->nfs++;
	if (statfs(m->mnt, &sf) == 0 &&
	    (w->paused || fanotify_mark(w->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FSW_MASK,
					AT_FDCWD, m->mnt) == 0)) {
		fs->fsid = sf.f_fsid;
		fs->marked = true;
		w->st.filesystems++;
		log_debug("renames watched on %s (%s)", m->mnt, m->type);
	} else {
		/* no handles (a filesystem without an fsid), or gone */
		w->st.fs_skipped++;
		log_debug("renames not watched on %s (%s): %s", m->mnt, m->type, strerror(errno));
	}
}

/* Drop filesystems no longer mounted (the kernel dropped their marks). */
static void fs_forget_absent(struct fswatch *w)
{
	size_t i = 0;

	while (i < w->nfs) {
		if (w->fs[i].present) {
			i++;
			continue;
		}
		if (w->fs[i].marked)
			w->st.filesystems--;
		free(w->fs[i].mnt);
		w->fs[i] = w->fs[--w->nfs];
	}
}

/*
 * While the rename hooks are attached (install sessions run) they see
 * every rename in the kernel and send only those of watched paths: the
 * marks come off, so that the renames of a busy install (a package
 * cache's index, written to temporary files and renamed) do not each
 * wake the daemon to be resolved and thrown away. They go back on before
 * the hooks come off, so no rename falls between the two.
 */
void fswatch_pause(struct fswatch *w, bool pause)
{
	unsigned int op = pause ? FAN_MARK_REMOVE : FAN_MARK_ADD;
	size_t i;

	if (w->paused == pause)
		return;
	w->paused = pause;
	for (i = 0; i < w->nfs; i++) {
		struct fsw_fs *fs = &w->fs[i];

		if (!fs->marked ||
		    !fanotify_mark(w->fd, op | FAN_MARK_FILESYSTEM, FSW_MASK, AT_FDCWD, fs->mnt))
			continue;
		if (pause)
			continue; /* gone with its filesystem */
		log_debug("renames no longer watched on %s: %s", fs->mnt, strerror(errno));
		fs->marked = false;
		w->st.filesystems--;
		w->st.fs_skipped++;
	}
}

void fswatch_rescan(struct fswatch *w)
{
	struct mountinfo_line m;
	struct fsw_fs *fs;
	char *line = NULL;
	size_t cap = 0, i;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		log_warn("/proc/self/mountinfo");
		return;
	}
	for (i = 0; i < w->nfs; i++)
		w->fs[i].present = false;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!mountinfo_parse(line, &m) || skipped(m.type))
			continue;
		fs = fs_by_dev(w, m.dev);
		if (!fs) {
			fs_mark(w, &m);
			continue;
		}
		fs->present = true;
		if (!fs->root && strcmp(m.root, "/") == 0) {
			char *mnt = strdup(m.mnt);

			if (mnt) {
				free(fs->mnt);
				fs->mnt = mnt;
				fs->root = true;
			}
		}
	}
	free(line);
	fclose(f);
	fs_forget_absent(w);
}

struct fswatch *fswatch_new(void)
{
	struct fswatch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = w->mounts_fd = -1;
	w->self = getpid();
	w->buf = malloc(FSW_BUF);
	if (!w->buf) {
		free(w);
		return NULL;
	}
	return w;
}

struct fswatch *fswatch_open(void)
{
	struct fswatch *w = fswatch_new();

	if (!w)
		return NULL;
	w->fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
			      O_RDONLY | O_LARGEFILE);
	if (w->fd < 0)
		goto fail;
	w->mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (w->mounts_fd < 0)
		goto fail;
	fswatch_rescan(w);
	if (!w->st.filesystems) {
		errno = ENODEV;
		goto fail;
	}
	return w;
fail:
	fswatch_close(w);
	return NULL;
}

void fswatch_close(struct fswatch *w)
{
	size_t i;
	int saved = errno;

	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->mounts_fd >= 0)
		close(w->mounts_fd);
	for (i = 0; i < w->nfs; i++)
		free(w->fs[i].mnt);
	free(w->buf);
	free(w);
	errno = saved;
}

int fswatch_fd(const struct fswatch *w)
{
	return w->fd;
}

int fswatch_mounts_fd(const struct fswatch *w)
{
	return w->mounts_fd;
}

void fswatch_stats(const struct fswatch *w, struct fswatch_stats *st)
{
	*st = w->st;
}

int fswatch_read(struct fswatch *w)
{
	ssize_t n = read(w->fd, w->buf, FSW_BUF);

	if (n < 0) {
		w->len = 0;
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	w->len = (size_t)n;
	return (int)n;
}

bool fswatch_dir_fd_path(int dfd, char *out, size_t len)
{
	char link[64];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dfd);
	n = readlink(link, out, len - 1);
	if (n <= 0 || (size_t)n >= len - 1 || out[0] != '/')
		return false;
	out[n] = '\0';
	/* the kernel ends the path of a deleted directory with " (deleted)";
	 * a name may hold those words too: gone only when no link is left */
	return !(n >= DELETED_LEN && !strcmp(out + n - DELETED_LEN, DELETED) &&
		 (fstat(dfd, &st) || st.st_nlink == 0));
}

/* The directory a handle names, as a path in our namespace. */
static bool dir_path(struct fswatch *w, const fsid_t *fsid, struct file_handle *fh, char *out,
		     size_t len)
{
	struct fsw_fs *fs = NULL;
	int mfd, dfd;
	size_t i;
	bool ok;

	for (i = 0; i < w->nfs && !fs; i++)
		if (w->fs[i].marked && !memcmp(&w->fs[i].fsid, fsid, sizeof(*fsid)))
			fs = &w->fs[i];
	if (!fs)
		return false;
	/* opened for each use: a descriptor kept open would keep the
	 * filesystem from being unmounted */
	mfd = open(fs->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* not O_PATH */
	if (mfd < 0)
		return false;
	dfd = open_by_handle_at(mfd, fh, O_PATH | O_CLOEXEC);
	close(mfd);
	if (dfd < 0)
		return false;
	ok = fswatch_dir_fd_path(dfd, out, len);
	close(dfd);
	return ok;
}

static bool entry_path(struct fswatch *w, const fsid_t *fsid, struct file_handle *fh,
		       const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];
	int n;

	if (!dir_path(w, fsid, fh, dir, sizeof(dir))) {
		w->st.unresolved++;
		return false;
	}
	n = snprintf(out, len, "%s/%s", strcmp(dir, "/") ? dir : "", name);
	return n > 0 && (size_t)n < len;
}

/* A directory handle copied out of the read, aligned for struct file_handle. */
union fsw_handle {
	struct file_handle fh;
	unsigned char bytes[sizeof(struct file_handle) + FSW_HANDLE_MAX];
};

/* One DFID_NAME record of the event at ev: fsid, handle, name; false if
 * malformed. The kernel aligns records on 4 bytes only: every field is
 * copied out, never read in place. */
static bool parse_info(const char *ev, const struct fanotify_event_metadata *md, fsid_t *fsid,
		       union fsw_handle *h, const char **name)
{
	const size_t fid_len = sizeof(struct fanotify_event_info_fid);
	const size_t off = fid_len + sizeof(struct file_handle);
	const char *p = ev + md->metadata_len, *end = ev + md->event_len;
	struct fanotify_event_info_header ih;
	struct file_handle fh;
	size_t hlen;

	if (md->metadata_len > md->event_len)
		return false;
	while ((size_t)(end - p) >= sizeof(ih)) {
		memcpy(&ih, p, sizeof(ih));
		if (ih.len < sizeof(ih) || ih.len > (size_t)(end - p))
			return false;
		if (ih.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
			if (ih.len < off)
				return false;
			memcpy(&fh, p + fid_len, sizeof(fh));
			hlen = fh.handle_bytes;
			if (hlen > FSW_HANDLE_MAX || off + hlen >= ih.len)
				return false;
			*name = p + off + hlen;
			if (!memchr(*name, '\0', ih.len - off - hlen))
				return false;
			memcpy(h->bytes, p + fid_len, sizeof(fh) + hlen);
			memcpy(fsid, p + offsetof(struct fanotify_event_info_fid, fsid),
			       sizeof(*fsid));
			return true;
		}
		p += ih.len;
	}
	return false;
}

static void remember_from(struct fswatch *w, uint32_t pid, const fsid_t *fsid,
			  const struct file_handle *fh, const char *name)
{
	struct fsw_from *f = &w->from[w->from_next];

	w->from_next = (w->from_next + 1) % FSW_FROM_MAX;
	f->used = true;
	f->pid = pid;
	f->fsid = *fsid;
	memcpy(f->handle, fh, sizeof(*fh) + fh->handle_bytes);
	snprintf(f->name, sizeof(f->name), "%s", name);
}

/* The from half of pid's rename, if queued just before its to half. */
static struct fsw_from *take_from(struct fswatch *w, uint32_t pid)
{
	size_t i, k;

	for (i = 1; i <= FSW_FROM_MAX; i++) {
		k = (w->from_next + FSW_FROM_MAX - i) % FSW_FROM_MAX;
		if (w->from[k].used && w->from[k].pid == pid) {
			w->from[k].used = false;
			return &w->from[k];
		}
	}
	return NULL;
}

static void moved_to(struct fswatch *w, uint32_t pid, const fsid_t *fsid, struct file_handle *fh,
		     const char *name, bool dir, fswatch_fn fn, void *arg)
{
	char path[PATH_MAX], old[PATH_MAX];
	struct fsw_from *from = take_from(w, pid);
	bool have_old = false;

	if (!entry_path(w, fsid, fh, name, path, sizeof(path)))
		return;
	if (from)
		have_old = entry_path(w, &from->fsid, (struct file_handle *)from->handle,
				      from->name, old, sizeof(old));
	w->st.renames++;
	fn(pid, path, have_old ? old : NULL, dir, arg);
}

void fswatch_each(struct fswatch *w, fswatch_fn fn, void *arg)
{
	fswatch_parse(w, w->buf, w->len, fn, arg);
	w->len = 0;
}

void fswatch_parse(struct fswatch *w, const void *buf, size_t len, fswatch_fn fn, void *arg)
{
	struct fanotify_event_metadata md;
	union fsw_handle h;
	const char *ev, *name;
	size_t off = 0;
	fsid_t fsid;

	/* FAN_EVENT_OK and FAN_EVENT_NEXT, on a copy of each metadata */
	while (len - off >= sizeof(md)) {
		ev = (const char *)buf + off;
		memcpy(&md, ev, sizeof(md));
		if (md.event_len < sizeof(md) || md.event_len > len - off)
			break;
		off += md.event_len;
		if (md.vers != FANOTIFY_METADATA_VERSION) {
			w->st.malformed++;
			break;
		}
		if (md.mask & FAN_Q_OVERFLOW) {
			w->st.overflows++;
			continue;
		}
		if (md.pid == w->self)
			continue;
		if (md.pid <= 0 || !parse_info(ev, &md, &fsid, &h, &name)) {
			w->st.malformed++;
			continue;
		}
		/* a from and a to of the same entry by the same process can be
		 * merged into one event: then the to is what counts */
		if (md.mask & FAN_MOVED_TO)
			moved_to(w, (uint32_t)md.pid, &fsid, &h.fh, name, !!(md.mask & FAN_ONDIR),
				 fn, arg);
		else if (md.mask & FAN_MOVED_FROM)
			remember_from(w, (uint32_t)md.pid, &fsid, &h.fh, name);
	}
}
