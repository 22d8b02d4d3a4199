// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the daemon reads from /proc, whose content a process shapes (its
 * name, arguments, environment, the mounts it makes): every input is
 * given to each parser, as the daemon gives it the file's bytes:
 *   /proc/PID/cmdline   image_set_argv (procfs.c, and the exec record's argv)
 *   /proc/PID/environ   image_set_env, keeping the configured variables
 *   /proc/PID/stat      procfs_parse_stat (procfs.c)
 *   /proc/PID/status    procfs_parse_ids
 *   /proc/PID/cgroup    container_from_cgroup, line by line
 *   /proc/self/mountinfo mountinfo_parse, line by line
 * The text parsers get a NUL-terminated copy whose NUL is the last
 * readable byte before an unreadable page (fuzz_str_guarded), as the C
 * library's own parsing is not instrumented.
 */
#include "fuzz.h"

static void lines(const char *text, size_t size)
{
	const char *line = text, *end = text + size, *nl;
	struct mountinfo_line m;
	struct container c;
	char *copy;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		copy = fuzz_str_guarded((const uint8_t *)line, (size_t)(nl - line));
		if (container_from_cgroup(copy, &c) &&
		    ((!c.id[0] && strcmp(c.runtime, "buildah")) ||
		     strnlen(c.id, sizeof(c.id)) == sizeof(c.id) ||
		     strnlen(c.name, sizeof(c.name)) == sizeof(c.name)))
			fuzz_fail("a container without an id, or unterminated", c.id,
				  strnlen(c.id, sizeof(c.id)));
		if (mountinfo_parse(copy, &m) && (!m.root || !m.mnt || !m.type))
			fuzz_fail("a mount line without its fields", "", 0);
		fuzz_str_free(copy, (size_t)(nl - line));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct image *img;
	unsigned long long ticks;
	char state;
	uint32_t ppid, uid = 0, gid = 0;
	char *text;
	int i;

	if (!quiet) {
		fuzz_quiet();
		quiet = true;
	}
	img = image_new();
	if (!img)
		abort();
	if (image_set_argv(img, (const char *)data, size) == 0) {
		for (i = 0; i < img->argc; i++)
			if (!img->argv[i])
				fuzz_fail("argv with a hole", img->cmdline, strlen(img->cmdline));
		if (strlen(img->cmdline) > size)
			fuzz_fail("a command line longer than its bytes", img->cmdline,
				  strlen(img->cmdline));
	}
	image_set_env(img, (const char *)data, size, &fuzz_config()->env_vars);
	image_put(img);
	text = fuzz_str_guarded(data, size);
	procfs_parse_stat(text, &ppid, &ticks, &state);
	procfs_parse_ids(text, &uid, &gid);
	fuzz_str_free(text, size);
	lines((const char *)data, size);
	return 0;
}
