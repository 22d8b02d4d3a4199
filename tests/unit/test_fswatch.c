// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fswatch: a fanotify read parsed as the kernel lays it out (information
 * records aligned on 4 bytes only, so an event's metadata may start 4
 * bytes off an 8-byte boundary), the pairing of a rename's halves, and
 * the path of a directory read back from its descriptor, whose name may
 * be anything a process chose.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

/* A read of the group, built as the kernel builds one. */
struct fan_buf {
	uint64_t align; /* the read buffer is malloc'd: 8-byte aligned */
	unsigned char b[1024];
	size_t n;
};

static void put(struct fan_buf *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put_u32(struct fan_buf *f, uint32_t v)
{
	put(f, &v, sizeof(v));
}

/* One event with one directory-handle-and-name record (FAN_REPORT_DFID_NAME):
 * the record's length is rounded up to 4 bytes, as fanotify_fid_info_len()
 * does, so the next event's metadata is only 4-byte aligned. */
static void put_event(struct fan_buf *f, uint64_t mask, int32_t pid, uint32_t ino, const char *name,
		      uint32_t handle_bytes)
{
	size_t info = 4 + 8 + 8 + 8 + strlen(name) + 1;
	size_t pad = (4 - info % 4) % 4;
	struct fanotify_event_metadata md = {
		.event_len = (uint32_t)(sizeof(md) + info + pad),
		.vers = FANOTIFY_METADATA_VERSION,
		.metadata_len = sizeof(md),
		.mask = mask,
		.fd = FAN_NOFD,
		.pid = pid,
	};
	unsigned char hdr[4] = { FAN_EVENT_INFO_TYPE_DFID_NAME, 0 };
	static const unsigned char zeros[4];
	uint16_t len = (uint16_t)(info + pad);

	memcpy(hdr + 2, &len, 2);
	put(f, &md, sizeof(md));
	put(f, hdr, sizeof(hdr));
	put_u32(f, 0x2a3b4c5d); /* fsid */
	put_u32(f, 0x11223344);
	put_u32(f, handle_bytes); /* struct file_handle */
	put_u32(f, 1);		  /* FILEID_INO32_GEN */
	put_u32(f, ino);
	put_u32(f, 0x5eed);
	put(f, name, strlen(name) + 1);
	put(f, zeros, pad);
}

static int renames_seen;

static void renamed(uint32_t pid, const char *path, const char *old_path, bool dir, void *arg)
{
	(void)pid;
	(void)path;
	(void)old_path;
	(void)dir;
	(void)arg;
	renames_seen++;
}

/* sed -i renames its temporary file onto a workflow: the second event
 * starts 60 bytes in, 4 bytes off an 8-byte boundary, and must be read
 * without a misaligned access (the sanitized unit run aborts on one). */
static void test_misaligned_events(void **state)
{
	struct fan_buf f = { .n = 0 };
	struct fswatch_stats st;
	struct fswatch *w = fswatch_new();

	(void)state;
	assert_non_null(w);
	put_event(&f, FAN_MOVED_FROM, 7001, 1311, "sedAb3", 8);
	assert_int_equal(f.n % 8, 4);
	put_event(&f, FAN_MOVED_TO, 7001, 1311, "ci.yml", 8);
	put_event(&f, FAN_MOVED_TO | FAN_ONDIR, 7002, 12, "workflows", 8);
	fswatch_parse(w, f.b, f.n, renamed, NULL);
	fswatch_stats(w, &st);
	/* no filesystem is marked: both renames are read, neither resolved */
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.unresolved, 2);
	assert_int_equal(renames_seen, 0);

	/* a handle longer than any the kernel makes, and a cut event */
	f.n = 0;
	put_event(&f, FAN_MOVED_TO, 7003, 1, "x", 4096);
	fswatch_parse(w, f.b, f.n, renamed, NULL);
	fswatch_parse(w, f.b, f.n - 1, renamed, NULL);
	fswatch_stats(w, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.unresolved, 2);
	fswatch_close(w);
}

/* The kernel marks a deleted directory with " (deleted)" at the end of
 * its path; a directory may also be named so by whoever made it, and
 * such a name anywhere else, or on a directory that exists, is a path
 * like any other: renames in it are not dropped. */
static void test_dir_named_deleted(void **state)
{
	char base[] = "/tmp/depsentry-fswatch-XXXXXX", dir[PATH_MAX], out[PATH_MAX];
	static const char *const names[] = {
		"proj (deleted)x",
		"a (deleted)/b",
		"proj (deleted)",
		"x (deleted) (deleted)",
	};
	size_t i;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(base));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char *slash;

		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		slash = strchr(dir + strlen(base) + 1, '/');
		if (slash) {
			*slash = '\0';
			assert_int_equal(mkdir(dir, 0700), 0);
			*slash = '/';
		}
		assert_int_equal(mkdir(dir, 0700), 0);
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_true(fswatch_dir_fd_path(fd, out, sizeof(out)));
		assert_string_equal(out, dir);
		/* deleted now: the kernel's suffix, whatever the name */
		assert_int_equal(rmdir(dir), 0);
		assert_false(fswatch_dir_fd_path(fd, out, sizeof(out)));
		close(fd);
		if (slash) {
			*slash = '\0';
			assert_int_equal(rmdir(dir), 0);
		}
	}
	assert_int_equal(rmdir(base), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misaligned_events),
		cmocka_unit_test(test_dir_named_deleted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
