// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A read of the fanotify group (user/fswatch.c): event metadata followed
 * by information records, of which the directory handle and name
 * (FAN_EVENT_INFO_TYPE_DFID_NAME) are used; FAN_MOVED_FROM is kept until
 * the same process's FAN_MOVED_TO. The input is one read's bytes, parsed
 * by fswatch_parse as fswatch_each parses what the group gave. No
 * filesystem is marked, so no handle is opened: what is exercised is the
 * parsing and the pairing, and every path reported must be a string.
 */
#include "fuzz.h"

static void renamed(uint32_t pid, const char *path, const char *old_path, bool dir, void *arg)
{
	(void)pid;
	(void)dir;
	(void)arg;
	if (!path || path[0] != '/' || (old_path && old_path[0] != '/'))
		fuzz_fail("a rename without an absolute path", path, path ? strlen(path) : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct fswatch *w;
	struct fswatch_stats st;

	if (!quiet) {
		fuzz_quiet();
		quiet = true;
	}
	w = fswatch_new();
	if (!w)
		abort();
	fswatch_parse(w, data, size, renamed, NULL);
	fswatch_stats(w, &st);
	if (st.renames)
		fuzz_fail("a rename resolved with no filesystem marked", "", 0);
	fswatch_close(w);
	return 0;
}
