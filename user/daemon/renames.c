// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Renames outside install sessions, through fanotify (capture/fswatch.c),
 * for the CI/CD-file arm. The records are read again after each batch: a
 * renamer's exec record was sent before its rename, so it is in the table
 * by then (and its exit, if sent already, leaves the entry findable a
 * while: proctable_find_late). Without fanotify with directory handles,
 * the rename and link hooks stay attached instead, at a cost to every
 * system call (docs/PERFORMANCE.md).
 */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "daemon.h"

#define RENAME_BATCHES 16 /* reads per wake-up before the ring again */

void renames_open(struct daemon_ctx *d)
{
	struct fswatch_stats st;
	int err;

	if (d->cfg->rename_tracepoints_always) {
		log_info("renames and links outside install sessions: syscall tracepoints "
			 "(files.rename_tracepoints_always)");
		goto always;
	}
	d->fsw = fswatch_open();
	if (d->fsw) {
		fswatch_stats(d->fsw, &st);
		log_info("renames outside install sessions: fanotify on %llu filesystems",
			 (unsigned long long)st.filesystems);
		return;
	}
	log_warnx("fanotify with directory handles unavailable (%s): rename and link "
		  "tracepoints stay attached, at a cost to every system call",
		  strerror(errno));
always:
	err = sensor_hooks(d->sensor, SENSOR_HOOK_NAMES, true);
	if (err)
		log_warnx("cannot attach the rename hooks: %s", strerror(-err));
}

static void renamed(uint32_t pid, const char *path, const char *old_path, bool dir, void *arg)
{
	struct daemon_ctx *d = arg;

	if (dir && d->sensor)
		sensor_dir_renamed(d->sensor);
	files_rename(d->files, proctable_find_late(d->pt, pid), pid, path, old_path,
		     dispatch_file_alert, d);
}

void renames_drain(struct daemon_ctx *d)
{
	struct fswatch_stats st;
	int i, n = 0;

	if (!d->fsw)
		return;
	for (i = 0; i < RENAME_BATCHES && (n = fswatch_read(d->fsw)) > 0; i++) {
		ring_buffer__consume(d->rb);
		fswatch_each(d->fsw, renamed, d);
	}
	if (n < 0)
		log_warnx("fanotify: %s", strerror(-n));
	fswatch_stats(d->fsw, &st);
	d->user[UC_RENAME_OVERFLOW] = st.overflows;
	d->user[UC_RENAME_UNRESOLVED] = st.unresolved;
}
