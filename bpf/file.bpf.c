// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * file: writes to, and renames or hard links onto, watched CI/CD and build
 * files (.github/workflows/..., Makefile, ...).
 *
 * Writes are seen where the kernel marks an inode dirty
 * (writeback_mark_inode_dirty): once per change of a page-cache backed
 * file, in the writer's context, whatever opened it (open, openat,
 * openat2, creat, an inherited descriptor, mmap) and whatever path it
 * passed, because the path is walked from the inode's own dentry. Reads
 * never get here, so the open storm of a busy machine costs nothing; the
 * syscall tracepoints on open would cost every process every system call.
 *
 * Renames and links are the other way a file appears under a name
 * (editors, sed -i, git, mv write a temporary file first). Here they need
 * the syscall tracepoints, which are cheap to run for the rare rename but
 * put every process on the kernel's slow system-call path while attached
 * (docs/PERFORMANCE.md): user space attaches them only while install
 * sessions run, and sees renames outside sessions through fanotify
 * (user/fswatch.c).
 *
 * Opens for reading are seen only for processes of install sessions
 * (credential files read by a package's hook), through the open syscall
 * tracepoints attached with the rename hooks: the first test is the
 * tracked map, so any other process pays one lookup at entry and one at
 * return.
 *
 * All filter in the kernel: a path is sent only when one of its
 * components starts with an anchor, the literal part of a watched
 * pattern (".github", "makefile", ".npmrc", ...), compared in lower case,
 * of the class the operation asks for (writes and reads have their own).
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define S_IFMT	    00170000
#define S_IFREG	    0100000
#define PF_KTHREAD  0x00200000
#define AT_FDCWD    -100
#define O_ACCMODE   00000003
#define O_WRONLY    00000001
#define O_PATH	    010000000
#define O_DIRECTORY 00200000

#define SB_MOUNTS_SCAN 8   /* mounts of one filesystem looked at */
#define NAME_SCAN      256 /* bytes of a name as passed judged in the kernel */

static __always_inline __u32 dirty_pages_flag(void)
{
	if (bpf_core_enum_value_exists(enum inode_state_flags_t___new, I_DIRTY_PAGES___new))
		return bpf_core_enum_value(enum inode_state_flags_t___new, I_DIRTY_PAGES___new);
	return I_DIRTY_PAGES_OLD;
}

/* Look a lower-case component up for an anchor of class cls; the key's
 * unused bytes are zero. */
static __always_inline bool anchor_hit(struct ds_anchor_key *k, __u32 cls)
{
	__u8 *v;

	k->prefixlen = DS_ANCHOR_LEN * 8;
	v = bpf_map_lookup_elem(&anchors, k);
	return v && (*v & cls);
}

static __always_inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* May a lower-case component start with an anchor of class cls? Its first
 * two bytes index a table (an array lookup, where the anchors are a trie):
 * most components of most paths go no further. */
static __always_inline bool start_may_hit(const struct ds_anchor_key *k, __u32 cls)
{
	__u32 start = (__u32)(unsigned char)k->name[0] << 8 | (unsigned char)k->name[1];
	__u8 *hit = bpf_map_lookup_elem(&anchor_starts, &start);

	return !hit || (*hit & cls);
}

/*
 * Does the name whose last n bytes (n <= DS_SUFFIX_LEN) are in this CPU's
 * scratch tail end with a suffix anchor of class cls? One lookup per
 * length in use; a suffix longer than the file's own name takes in the
 * '/' before it, which no anchor holds.
 */
__noinline int suffix_hit(__u32 n, __u32 cls)
{
	__u32 zero = 0, *lens = bpf_map_lookup_elem(&suffix_lens, &zero);
	struct file_scratch *b = bpf_map_lookup_elem(&file_buf, &zero);
	__u32 l, j, mask;
	__u8 *v;

	if (!lens || !b)
		return 0;
	mask = *lens;
	for (l = 1; l <= DS_SUFFIX_LEN; l++) {
		if (l > n || !(mask & (1U << l)))
			continue;
		__builtin_memset(&b->skey, 0, sizeof(b->skey));
		b->skey.len = l;
		for (j = 0; j < DS_SUFFIX_LEN; j++)
			if (j < l)
				b->skey.s[j] = lower(b->tail[(n - l + j) & (DS_SUFFIX_LEN - 1)]);
		v = bpf_map_lookup_elem(&anchor_suffixes, &b->skey);
		if (v && (*v & cls))
			return 1;
	}
	return 0;
}

/* Does the dentry's own name end with a suffix anchor of class cls? */
static __always_inline bool dentry_suffix_hit(struct dentry *d, __u32 cls)
{
	__u32 zero = 0, len = BPF_CORE_READ(d, d_name.len), n;
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	struct file_scratch *b = bpf_map_lookup_elem(&file_buf, &zero);

	if (!b || !len)
		return false;
	n = len < DS_SUFFIX_LEN ? len : DS_SUFFIX_LEN;
	if (bpf_probe_read_kernel(b->tail, n & (2 * DS_SUFFIX_LEN - 1), name + (len - n)))
		return false;
	return suffix_hit(n, cls);
}

/*
 * Does any component from the dentry up to its filesystem's root (or up to
 * clean, a directory already found without one) start with an anchor of
 * class cls, or, when leaf, does the dentry's own name end with a suffix
 * anchor? A path deeper than the walk is left to user space to judge.
 * The judges are global functions: the verifier checks each once, not once
 * for every way a caller's loop can reach them.
 */
__noinline int dentry_anchored(__u64 dentry, __u64 clean, __u32 cls, __u32 leaf)
{
	struct dentry *d = (struct dentry *)dentry;
	struct ds_anchor_key k;
	int i, j;

	if (leaf && d && dentry_suffix_hit(d, cls))
		return 1;

	for (i = 0; i < DS_PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		const unsigned char *name;
		unsigned char two[2];
		__u32 start;
		__u8 *hit;

		if (!d || d == parent || (__u64)d == clean)
			return 0;
		name = BPF_CORE_READ(d, d_name.name);
		if (bpf_probe_read_kernel(two, sizeof(two), name))
			return 1;
		start = (__u32)(unsigned char)lower(two[0]) << 8 |
			(two[0] ? (unsigned char)lower(two[1]) : 0);
		hit = bpf_map_lookup_elem(&anchor_starts, &start);
		if (hit && !(*hit & cls)) {
			d = parent;
			continue;
		}
		__builtin_memset(&k, 0, sizeof(k));
		if (bpf_probe_read_kernel_str(k.name, sizeof(k.name) - 1, name) <= 0)
			return 1;
		for (j = 0; j < DS_ANCHOR_LEN - 1 && k.name[j]; j++)
			k.name[j] = lower(k.name[j]);
		if (anchor_hit(&k, cls))
			return 1;
		d = parent;
	}
	return 1;
}

/* Does any component of the name in the far half of this CPU's scratch
 * (put there by name_exit) start with an anchor of class cls? The component and its
 * length live in map memory, so the verifier sees one unknown length and
 * prunes the loop's states instead of following every length apart. The
 * first NAME_SCAN bytes are judged here (each byte is a branch the verifier
 * keeps pending until the loop ends); a longer name, rare, is sent for user
 * space to judge, whole. */
__noinline int name_anchored(__u32 cls)
{
	struct file_scratch *b;
	volatile __u32 *klenp;
	__u32 zero = 0, klen;
	const char *name;
	int i;

	b = bpf_map_lookup_elem(&file_buf, &zero);
	if (!b)
		return 1;
	name = b->data + DS_FILE_DATA_MASK + 1;
	klenp = &b->klen;

	__builtin_memset(&b->key, 0, sizeof(b->key));
	*klenp = 0;
	for (i = 0; i < NAME_SCAN; i++) {
		char c = name[i];

		if (c == '/' || c == '\0') {
			if (*klenp && start_may_hit(&b->key, cls) && anchor_hit(&b->key, cls))
				return 1;
			if (c == '\0')
				return 0;
			__builtin_memset(&b->key, 0, sizeof(b->key));
			*klenp = 0;
			continue;
		}
		klen = *klenp;
		if (klen < DS_ANCHOR_LEN - 1) {
			b->key.name[klen & (DS_ANCHOR_LEN - 1)] = lower(c);
			*klenp = klen + 1;
		}
	}
	return 1; /* longer: let user space judge */
}

static __always_inline void sb_mount_pick(struct mount *m, struct mnt_namespace *ns,
					  struct dentry *root, struct mount **any,
					  struct mount **mine)
{
	if (!*any)
		*any = m;
	if (BPF_CORE_READ(m, mnt_ns) == ns && (!*mine || BPF_CORE_READ(m, mnt.mnt_root) == root))
		*mine = m;
}

/*
 * The mount to walk an inode's path through: a mount of its filesystem in
 * the writer's mount namespace, the whole filesystem's if there is one;
 * else any mount of it (a container's overlay upper directory is written
 * through the host's mount of the disk).
 */
static __always_inline struct mount *sb_mount(struct super_block *sb, struct mnt_namespace *ns)
{
	struct dentry *root = BPF_CORE_READ(sb, s_root);
	struct mount *any = NULL, *mine = NULL;
	int i;

	if (bpf_core_field_exists(((struct mount___new *)0)->mnt_next_for_sb)) {
		struct mount___new *n = BPF_CORE_READ((struct super_block___new *)sb, s_mounts);

		for (i = 0; i < SB_MOUNTS_SCAN && n; i++) {
			sb_mount_pick((struct mount *)n, ns, root, &any, &mine);
			n = BPF_CORE_READ(n, mnt_next_for_sb);
		}
	} else {
		struct super_block___old *osb = (void *)sb;
		struct list_head *head = __builtin_preserve_access_index(&osb->s_mounts);
		struct list_head *pos = BPF_CORE_READ(osb, s_mounts.next);
		__u32 off = bpf_core_field_offset(struct mount___old, mnt_instance);

		for (i = 0; i < SB_MOUNTS_SCAN && pos && pos != head; i++) {
			sb_mount_pick((struct mount *)((void *)pos - off), ns, root, &any, &mine);
			pos = BPF_CORE_READ(pos, next);
		}
	}
	return mine ? mine : any;
}

/*
 * Walk the directory (dentry, vfsmnt) into this CPU's file record at off:
 * the (new) name's directory, or with old the old name's. A global
 * function: each program verifies the walk once, not at every place it is
 * written.
 */
__noinline int scratch_walk(__u64 dentry, __u64 vfsmnt, __u32 off, __u32 old)
{
	__u32 zero = 0;
	struct file_scratch *b = bpf_map_lookup_elem(&file_buf, &zero);

	if (!b)
		return 0;
	if (old) {
		if (path_walk_mask(b->data, off, DS_FILE_DATA_MASK, (struct dentry *)dentry,
				   (struct vfsmount *)vfsmnt, &b->ev.old_dir_len, &b->ev.hdr.flags,
				   DS_F_OLD_TRUNC, 0, false))
			b->ev.in_root |= DS_IN_ROOT_CWD;
	} else if (path_walk_mask(b->data, off, DS_FILE_DATA_MASK, (struct dentry *)dentry,
				  (struct vfsmount *)vfsmnt, &b->ev.path_len, &b->ev.hdr.flags,
				  DS_F_PATH_TRUNC, DS_F_PATH_FSREL, false)) {
		b->ev.in_root |= DS_IN_ROOT_PATH;
	}
	return 0;
}

static __always_inline struct file_scratch *file_start(__u16 op, struct task_struct *task)
{
	__u32 zero = 0;
	struct file_scratch *b = bpf_map_lookup_elem(&file_buf, &zero);
	struct ds_file *e;
	struct ds_track *t;
	struct path root;

	if (!b)
		return NULL;
	e = &b->ev;
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->hdr, DS_EV_FILE, task);
	e->op = op;
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	task_root(&root);
	if (root_is_own(&root))
		e->in_root = DS_IN_ROOT_SET;
	t = bpf_map_lookup_elem(&tracked, &e->hdr.pid);
	if (t) {
		e->session = t->session;
		e->hdr.flags |= DS_F_TRACKED;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return b;
}

/* A record that passed the anchors may be an alert: it wakes the reader. */
static __always_inline void file_send(struct file_scratch *b, __u32 len)
{
	struct ds_file *e = &b->ev;

	e->hdr.size = sizeof(*e) + (len & DS_FILE_DATA_MASK);
	if (bpf_ringbuf_output(&events, e, e->hdr.size & (2 * DS_FILE_DATA_MASK + 1),
			       rb_alert_flags()))
		count(DS_DROP_FILE);
}

static __always_inline __u32 current_dir_gen(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&dir_gen, &zero);

	return gen ? *gen : 0;
}

SEC("tp_btf/writeback_mark_inode_dirty")
int BPF_PROG(handle_file_dirty, struct inode *inode, int dirty_flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32;
	struct super_block *sb;
	struct dentry *dentry, *parent;
	struct hlist_node *alias;
	struct file_scratch *b;
	struct file_last *last;
	__u64 pino, phash;
	__u32 gen;
	bool clean;
	struct mount *m;
	__s64 atime;
	__u64 ino;

	/* the flusher threads write back what others dirtied */
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return 0;
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return 0;
	/* a read that updates the access time dirties the inode too: that
	 * moves atime past mtime, where a write moves mtime or dirties pages */
	atime = INODE_TIME(inode, atime);
	if (!(dirty_flags & dirty_pages_flag()) && INODE_TIME(inode, mtime) < atime)
		return 0;
	last = bpf_map_lookup_elem(&file_seen, &zero);
	if (!last)
		return 0;
	ino = BPF_CORE_READ(inode, i_ino);
	if (last->inode == (__u64)inode && last->ino == ino && last->tgid == tgid)
		return 0;
	last->inode = (__u64)inode;
	last->ino = ino;
	last->tgid = tgid;

	alias = BPF_CORE_READ(inode, i_dentry.first);
	if (!alias)
		return 0;
	dentry = container_of(alias, struct dentry, d_u.d_alias);
	/* files written one after another in one directory: the directory's
	 * path was clean last time, unless a directory was renamed since */
	parent = BPF_CORE_READ(dentry, d_parent);
	pino = BPF_CORE_READ(parent, d_inode, i_ino);
	phash = BPF_CORE_READ(parent, d_name.hash_len);
	gen = current_dir_gen();
	clean = last->clean_dir == (__u64)parent && last->clean_ino == pino &&
		last->clean_hash == phash && last->clean_gen == gen;
	if (!dentry_anchored((__u64)dentry, clean ? (__u64)parent : 0, DS_ANCHOR_WRITE, 1)) {
		last->clean_dir = (__u64)parent;
		last->clean_ino = pino;
		last->clean_hash = phash;
		last->clean_gen = gen;
		return 0;
	}

	b = file_start(DS_FILE_WRITE, task);
	if (!b)
		return 0;
	sb = BPF_CORE_READ(inode, i_sb);
	b->ev.ino = ino;
	b->ev.atime = atime;
	b->ev.dev = BPF_CORE_READ(sb, s_dev);
	m = sb_mount(sb, BPF_CORE_READ(task, nsproxy, mnt_ns));
	if (m) {
		if (path_walk_mask(b->data, 0, DS_FILE_DATA_MASK, dentry,
				   __builtin_preserve_access_index(&m->mnt), &b->ev.path_len,
				   &b->ev.hdr.flags, DS_F_PATH_TRUNC, DS_F_PATH_FSREL, false))
			b->ev.in_root |= DS_IN_ROOT_PATH;
	} else {
		/* no mount at all (being unmounted): walk to the fs root */
		path_walk_mask(b->data, 0, DS_FILE_DATA_MASK, dentry, NULL, &b->ev.path_len,
			       &b->ev.hdr.flags, DS_F_PATH_TRUNC, DS_F_PATH_FSREL, false);
		b->ev.hdr.flags |= DS_F_PATH_FSREL;
	}
	file_send(b, b->ev.path_len);
	return 0;
}

static __always_inline void bump_dir_gen(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&dir_gen, &zero);

	if (gen)
		__sync_fetch_and_add(gen, 1);
}

/* The directory a name passed with dfd is relative to. */
static __always_inline bool dfd_path(struct task_struct *task, int dfd, struct path *p)
{
	struct file *f;

	if (dfd == AT_FDCWD) {
		BPF_CORE_READ_INTO(p, task, fs, pwd);
		return true;
	}
	f = fd_file(dfd);
	if (!f)
		return false;
	BPF_CORE_READ_INTO(p, f, f_path);
	return true;
}

/* Copy a name to data[off], from user memory or, when kernel, from the
 * scratch copy already judged; its length with the NUL, 0 if unreadable.
 * A name the kernel took is shorter than PATH_MAX: trunc is a safeguard. */
static __always_inline __u16 copy_name(struct file_scratch *b, __u32 off, const void *src,
				       bool kernel, __u16 trunc)
{
	char *dst = b->data + (off & DS_FILE_DATA_MASK);
	long n = kernel ? bpf_probe_read_kernel_str(dst, DS_FD_NAME_MAX, src)
			: bpf_probe_read_user_str(dst, DS_FD_NAME_MAX, src);

	if (n <= 0)
		return 0;
	if (n == DS_FD_NAME_MAX)
		b->ev.hdr.flags |= trunc;
	return n;
}

static __always_inline int name_enter(__u16 op, long olddfd, long oldname, long newdfd,
				      long newname)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct name_stash st = {
		.oldname = oldname,
		.newname = newname,
		.olddfd = olddfd,
		.newdfd = newdfd,
		.op = op,
	};

	if (bpf_map_update_elem(&name_args, &id, &st, BPF_ANY))
		count(DS_ERR_FILE);
	return 0;
}

/* Does the name of len bytes in the far half of the scratch end with a
 * suffix anchor of class cls? */
static __always_inline bool name_suffix_hit(struct file_scratch *b, long len, __u32 cls)
{
	const char *name = b->data + DS_FILE_DATA_MASK + 1;
	__u32 n;

	if (len <= 0 || len >= DS_FD_NAME_MAX)
		return false;
	n = len < DS_SUFFIX_LEN ? len : DS_SUFFIX_LEN;
	if (bpf_probe_read_kernel(b->tail, n & (2 * DS_SUFFIX_LEN - 1),
				  name + ((len - n) & (DS_FD_NAME_MAX - 1))))
		return false;
	return suffix_hit(n, cls);
}

/*
 * Does the name as passed, in the far half of the scratch (nlen bytes with
 * its NUL), or the directory it is relative to (dfd), hold an anchor of
 * class cls? *dir is that directory when the name is relative (*have).
 */
static __always_inline bool name_judged(struct file_scratch *b, struct task_struct *task, long dfd,
					long nlen, __u32 cls, struct path *dir, bool *have)
{
	const char *name = b->data + DS_FILE_DATA_MASK + 1;

	*have = name[0] != '/' && dfd_path(task, dfd, dir);
	return name_anchored(cls) || name_suffix_hit(b, nlen - 1, cls) ||
	       (*have && dentry_anchored((__u64)dir->dentry, 0, cls, 0));
}

/*
 * A rename, link or open returned. The new name is judged first, then the
 * directory it is relative to; the record carries both names as passed and
 * the directories they are relative to, walked in the kernel: user space
 * joins them, so ".." and relative names need no lookup here. An open is
 * judged against the read anchors, the others against the write anchors;
 * open, a constant, leaves the old name's part out of the open programs.
 */
static __always_inline int name_exit(long ret, bool open)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct name_stash *st = bpf_map_lookup_elem(&name_args, &id);
	struct path newdir = {}, olddir = {};
	struct file_scratch *b;
	bool have_new = false;
	__u32 off, cls;
	long nlen;
	char *tmp;

	if (!st)
		return 0;
	/* a stash left by a thread killed inside another call is not ours */
	if ((st->op == DS_FILE_OPEN) != open || (open ? ret < 0 : ret != 0))
		goto out;
	cls = open ? DS_ANCHOR_READ : DS_ANCHOR_WRITE;
	if (st->op == DS_FILE_RENAME)
		bump_dir_gen(); /* it may have been a directory */
	b = file_start(st->op, task);
	if (!b)
		goto out;
	/* the new name, read once to the far half of the scratch to judge it */
	tmp = b->data + DS_FILE_DATA_MASK + 1;
	nlen = bpf_probe_read_user_str(tmp, DS_FD_NAME_MAX, (const void *)st->newname);
	if (nlen <= 0) {
		count(DS_ERR_FILE);
		goto out;
	}
	if (!name_judged(b, task, st->newdfd, nlen, cls, &newdir, &have_new))
		goto out;

	if (have_new)
		scratch_walk((__u64)newdir.dentry, (__u64)newdir.mnt, 0, 0);
	off = b->ev.path_len;
	b->ev.name_len = copy_name(b, off, tmp, true, DS_F_NAME_TRUNC);
	off += b->ev.name_len;
	if (!open && st->oldname) {
		bool rel = false;
		char c = 0;

		bpf_probe_read_user(&c, 1, (const void *)st->oldname);
		if (c != '/')
			rel = dfd_path(task, st->olddfd, &olddir);
		if (rel)
			scratch_walk((__u64)olddir.dentry, (__u64)olddir.mnt, off, 1);
		off += b->ev.old_dir_len;
		b->ev.old_name_len = copy_name(b, off, (const void *)st->oldname, false,
					       DS_F_OLD_TRUNC);
		off += b->ev.old_name_len;
	}
	file_send(b, off);
out:
	bpf_map_delete_elem(&name_args, &id);
	return 0;
}

SEC("tp/syscalls/sys_enter_rename")
int handle_rename_enter(struct trace_event_raw_sys_enter *ctx)
{
	return name_enter(DS_FILE_RENAME, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1]);
}

SEC("tp/syscalls/sys_enter_renameat")
int handle_renameat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return name_enter(DS_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tp/syscalls/sys_enter_renameat2")
int handle_renameat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	return name_enter(DS_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tp/syscalls/sys_enter_link")
int handle_link_enter(struct trace_event_raw_sys_enter *ctx)
{
	return name_enter(DS_FILE_LINK, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1]);
}

SEC("tp/syscalls/sys_enter_linkat")
int handle_linkat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return name_enter(DS_FILE_LINK, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tp/syscalls/sys_exit_rename")
int handle_rename_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, false);
}

SEC("tp/syscalls/sys_exit_renameat")
int handle_renameat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, false);
}

SEC("tp/syscalls/sys_exit_renameat2")
int handle_renameat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, false);
}

SEC("tp/syscalls/sys_exit_link")
int handle_link_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, false);
}

SEC("tp/syscalls/sys_exit_linkat")
int handle_linkat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, false);
}

/*
 * Opens for reading (not O_WRONLY, O_PATH or O_DIRECTORY) by processes of install
 * sessions: a package's hook reading ~/.npmrc or ~/.aws/credentials. Any
 * other process stops at the tracked lookup.
 */
/* An install session's open for reading: judged by its name at once, and
 * only one that may hit an anchor is stashed for its return (most opens
 * never touch the stash map). Directories, write-only and O_PATH opens
 * read no file's contents. */
static __always_inline int open_enter(long dfd, long name, __u64 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32;
	struct file_scratch *b;
	struct path dir = {};
	bool have;
	long nlen;

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	if ((flags & O_ACCMODE) == O_WRONLY || (flags & (O_PATH | O_DIRECTORY)))
		return 0;
	b = bpf_map_lookup_elem(&file_buf, &zero);
	if (!b)
		return 0;
	nlen = bpf_probe_read_user_str(b->data + DS_FILE_DATA_MASK + 1, DS_FD_NAME_MAX,
				       (const void *)name);
	/* unreadable: the return says so, as for any other name */
	if (nlen > 0 && !name_judged(b, task, dfd, nlen, DS_ANCHOR_READ, &dir, &have))
		return 0;
	return name_enter(DS_FILE_OPEN, AT_FDCWD, 0, dfd, name);
}

SEC("tp/syscalls/sys_enter_open")
int handle_open_enter(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter(AT_FDCWD, ctx->args[0], ctx->args[1]);
}

SEC("tp/syscalls/sys_enter_openat")
int handle_openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter(ctx->args[0], ctx->args[1], ctx->args[2]);
}

/* openat2(dfd, name, struct open_how *how, size): flags are how's first member */
SEC("tp/syscalls/sys_enter_openat2")
int handle_openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 flags = 0;

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)ctx->args[2]))
		count(DS_ERR_FILE);
	return open_enter(ctx->args[0], ctx->args[1], flags);
}

SEC("tp/syscalls/sys_exit_open")
int handle_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, true);
}

SEC("tp/syscalls/sys_exit_openat")
int handle_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, true);
}

SEC("tp/syscalls/sys_exit_openat2")
int handle_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return name_exit(ctx->ret, true);
}
