/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small helpers shared by the hooks: identity, counters, path walks. */
#ifndef DEPSENTRY_TASK_H
#define DEPSENTRY_TASK_H

#include "vmlinux.h"
#include "core_fixes.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "depsentry.h"
#include "maps.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);

	if (v)
		*v += 1;
}

/*
 * Ring-buffer submit flags. Waking the reader on every record costs an
 * interrupt per record (most of the hooks' time); the reader drains the
 * ring on its own every 100 ms, so wake it only when a backlog builds.
 * Records that can make an alert (rb_alert_flags) wake it at once.
 */
static __always_inline __u64 rb_flags(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return avail > bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 8 ? BPF_RB_FORCE_WAKEUP
									: BPF_RB_NO_WAKEUP;
}

/* A record of an install session's process, or of a watched file: one
 * that a rule may turn into an alert, wanted within milliseconds. These
 * are few (the exec storm of a machine is outside sessions). */
static __always_inline __u64 rb_alert_flags(void)
{
	return BPF_RB_FORCE_WAKEUP;
}

/* Process start time (boot-based ns) of task's thread group: with the tgid
 * it names one process for its whole life, as /proc's starttime does. */
static __always_inline __u64 task_start(struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	if (bpf_core_field_exists(((struct task_struct___v55 *)0)->start_boottime))
		return BPF_CORE_READ((struct task_struct___v55 *)leader, start_boottime);
	return BPF_CORE_READ((struct task_struct___pre55 *)leader, real_start_time);
}

static __always_inline void fill_hdr(struct ds_hdr *h, __u16 type, struct task_struct *task)
{
	h->type = type;
	h->flags = 0;
	h->ts = bpf_ktime_get_boot_ns();
	h->start = task_start(task);
	h->pid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
}

/* The current task's root directory. */
static __always_inline void task_root(struct path *root)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	BPF_CORE_READ_INTO(root, task, fs, root);
}

/* Is root a root directory of the task's own (a chroot's, a container's),
 * not its mount namespace's? The namespace's is reached from it with no
 * path component: only mounts stacked on the namespace's root mount (the
 * real root over the initramfs) are crossed on the way. */
#define ROOT_STACK 8
static __always_inline bool root_is_own(const struct path *root)
{
	struct dentry *d = root->dentry;
	struct vfsmount *vm = root->mnt;
	struct mount *m = container_of(vm, struct mount, mnt);
	int i;

	for (i = 0; i < ROOT_STACK; i++) {
		struct mount *up;

		if (d != BPF_CORE_READ(vm, mnt_root))
			return true; /* a directory inside its mount */
		up = BPF_CORE_READ(m, mnt_parent);
		if (up == m)
			return false; /* the namespace's root */
		d = BPF_CORE_READ(m, mnt_mountpoint);
		m = up;
		vm = __builtin_preserve_access_index(&up->mnt);
	}
	return true;
}

/*
 * Copy the path of (dentry, vfsmnt) into buf at off, leaf component first,
 * each component NUL-terminated; mount points are crossed up to the current
 * task's root directory (a chroot's, a container's: the path as the task
 * sees it), or with ns_root up to the root of its mount namespace. The
 * running length lives in *lenp, in map memory, so the verifier sees it as
 * one bounded unknown and prunes the loop's states instead of walking every
 * combination of branches. Sets trunc in *flags when the path is deeper or
 * longer than the walk allows. Returns true when the walk ended at a task
 * root that is not its namespace's (the path is the task's own view), false
 * when it went to the namespace's root (the same path for every process of
 * the namespace).
 */
static __always_inline bool path_walk_mask(char *buf, __u32 off, __u32 mask, struct dentry *dentry,
					   struct vfsmount *vfsmnt, __u16 *lenp, __u16 *flags,
					   __u16 trunc, __u16 fsrel, bool ns_root)
{
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct path root = {};
	int i;

	if (!ns_root)
		task_root(&root);
	*lenp = 0;
	for (i = 0; i < DS_PATH_DEPTH; i++) {
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		const unsigned char *name;
		__u32 len;
		long n;

		if (dentry == root.dentry && vfsmnt == root.mnt)
			return root_is_own(&root); /* the task's root */
		if (dentry == mnt_root || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (dentry != mnt_root || up == mnt) {
				/* a filesystem root that is not its mount's:
				 * the path is relative to that filesystem */
				if (dentry != mnt_root)
					*flags |= fsrel;
				return false; /* the root */
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = __builtin_preserve_access_index(&up->mnt);
			continue;
		}
		len = *lenp;
		if (len >= DS_PATH_MAX)
			break;
		/* the scratch has room past the mask for a whole component;
		 * one that does not fit in DS_PATH_MAX is not counted */
		name = BPF_CORE_READ(dentry, d_name.name);
		n = bpf_probe_read_kernel_str(buf + ((off + len) & mask), DS_NAME_MAX + 1, name);
		if (n <= 0) {
			count(DS_ERR_PATH);
			break;
		}
		if (len + n > DS_PATH_MAX)
			break;
		*lenp = len + n;
		dentry = parent;
	}
	*flags |= trunc;
	return false;
}
static __always_inline bool path_walk(char *buf, __u32 off, struct dentry *dentry,
				      struct vfsmount *vfsmnt, __u16 *lenp, __u16 *flags,
				      __u16 trunc)
{
	return path_walk_mask(buf, off, DS_DATA_MASK, dentry, vfsmnt, lenp, flags, trunc, 0, false);
}

/* The open file behind fd in the current task, or NULL. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}
#endif /* DEPSENTRY_TASK_H */
