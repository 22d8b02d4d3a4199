/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every kernel type, field or enum value the programs read that is not the
 * same from 5.10 to the newest kernel lives here, as a local "___flavor"
 * definition. libbpf drops the suffix and matches the running kernel's
 * BTF at load time; bpf_core_field_exists, bpf_core_enum_value_exists and
 * bpf_core_type_exists pick the branch. The code never names such a field
 * through the real kernel type, so it compiles against the pinned
 * vmlinux.h (bpf/vmlinux/ARCH/) and against any supported kernel's own
 * (make check-btf proves it for each kernel of the test matrix).
 */
#ifndef DEPSENTRY_CORE_FIXES_H
#define DEPSENTRY_CORE_FIXES_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* Process start time: real_start_time before 5.5, start_boottime since. */
struct task_struct___pre55 {
	__u64 real_start_time;
} __attribute__((preserve_access_index));

struct task_struct___v55 {
	__u64 start_boottime;
} __attribute__((preserve_access_index));

/* Inode times: timespec64 i_atime until 6.5, __i_atime in 6.6, split into
 * seconds and nanoseconds since 6.7 (each field is tested on its own). */
struct inode___v65 {
	struct timespec64 i_atime;
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct inode___v66 {
	struct timespec64 __i_atime;
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___v67 {
	__s64 i_atime_sec;
	__s64 i_mtime_sec;
	__s64 i_ctime_sec;
	__u32 i_atime_nsec;
	__u32 i_mtime_nsec;
	__u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

#define NSEC_PER_SEC 1000000000LL

/* An inode time (atime, mtime, ctime) in ns, whichever layout the kernel has. */
#define INODE_TIME(inode, t)                                                            \
	({                                                                              \
		struct inode___v67 *v67_ = (void *)(inode);                             \
		__s64 ns_;                                                              \
		if (bpf_core_field_exists(v67_->i_##t##_sec)) {                         \
			ns_ = BPF_CORE_READ(v67_, i_##t##_sec) * NSEC_PER_SEC +         \
			      BPF_CORE_READ(v67_, i_##t##_nsec);                        \
		} else if (bpf_core_field_exists(((struct inode___v66 *)0)->__i_##t)) { \
			struct inode___v66 *v66_ = (void *)(inode);                     \
			ns_ = BPF_CORE_READ(v66_, __i_##t.tv_sec) * NSEC_PER_SEC +      \
			      BPF_CORE_READ(v66_, __i_##t.tv_nsec);                     \
		} else {                                                                \
			struct inode___v65 *v65_ = (void *)(inode);                     \
			ns_ = BPF_CORE_READ(v65_, i_##t.tv_sec) * NSEC_PER_SEC +        \
			      BPF_CORE_READ(v65_, i_##t.tv_nsec);                       \
		}                                                                       \
		ns_;                                                                    \
	})

/* The dirty flags are #defines (I_DIRTY_PAGES 1 << 2) in 5.10 to 6.12; an
 * enum with other values in later kernels (6.18 has it). */
enum inode_state_flags_t___new {
	I_DIRTY_PAGES___new = 64,
};

#define I_DIRTY_PAGES_OLD (1 << 2)

/* A superblock's mounts: a list_head through mount.mnt_instance in 5.10 to
 * 6.12; a singly linked list through mount.mnt_next_for_sb in later
 * kernels (6.18 has it). */
struct mount___new {
	struct mount___new *mnt_next_for_sb;
} __attribute__((preserve_access_index));

struct super_block___new {
	struct mount___new *s_mounts;
} __attribute__((preserve_access_index));

struct mount___old {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

struct super_block___old {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

#endif /* DEPSENTRY_CORE_FIXES_H */
