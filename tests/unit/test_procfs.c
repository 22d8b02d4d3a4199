// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The parsers of what /proc gives: a process names itself (comm may hold
 * spaces and parentheses), and the text may end anywhere. A string is put
 * against an unreadable page, so reading one byte past its end faults.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/* s copied so that its NUL is the last readable byte. */
static char *at_page_end(const char *s, void **map, size_t *maplen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = strlen(s) + 1;
	char *base;

	assert_true(n <= page);
	*maplen = 2 * page;
	base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	assert_int_equal(mprotect(base + page, page, PROT_NONE), 0);
	*map = base;
	return memcpy(base + page - n, s, n);
}

static const char stat_line[] =
	"4242 (a) (b c) S 17 4242 4242 0 -1 4194560 90 0 0 0 0 0 0 0 20 0 1 0 "
	"123456 2490368 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

static void test_stat(void **state)
{
	unsigned long long ticks = 0;
	char st = 0;
	uint32_t ppid = 0;

	(void)state;
	assert_int_equal(procfs_parse_stat(stat_line, &ppid, &ticks, &st), 0);
	assert_int_equal(ppid, 17);
	assert_int_equal(ticks, 123456);
	assert_int_equal(st, 'S');
	assert_int_equal(procfs_parse_stat("4242 (sh) S 1", &ppid, &ticks, &st), -EINVAL);
	assert_int_equal(procfs_parse_stat("no parenthesis", &ppid, &ticks, &st), -EINVAL);
}

/* The one identity test, and the checks built on it. */
static void test_identity(void **state)
{
	uint64_t tick = procfs_boot_ns_from_ticks(1), start;
	uint32_t me = (uint32_t)getpid();
	char comm[DS_COMM_LEN];
	pid_t child;

	(void)state;
	assert_true(procfs_same_start(100 * tick, 100 * tick + tick / 2));
	assert_true(procfs_same_start(100 * tick, 101 * tick));
	assert_true(procfs_same_start(101 * tick, 100 * tick));
	assert_false(procfs_same_start(100 * tick, 102 * tick));
	assert_false(procfs_same_start(103 * tick, 100 * tick));
	assert_int_equal(procfs_start(me, &start), 0);
	assert_true(procfs_alive(me, start));
	assert_true(procfs_running(me, start));
	assert_false(procfs_alive(me, start + 5 * tick)); /* a reused pid */
	procfs_comm(me, comm, sizeof(comm));
	assert_true(procfs_running_as(me, 0, comm));
	assert_true(procfs_running_as(me, start, "any")); /* the start says it */
	assert_false(procfs_running_as(me, 0, "depsentry-not"));
	assert_false(procfs_running_as(0, 0, comm));
	child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	assert_int_equal(procfs_start((uint32_t)child, &start), 0);
	while (procfs_running((uint32_t)child, start)) /* a zombie is not running */
		usleep(1000);
	assert_true(procfs_alive((uint32_t)child, start)); /* not reaped yet */
	waitpid(child, NULL, 0);
	assert_false(procfs_alive((uint32_t)child, start));
}

/* A text that ends at the name's ')' (cut short): nothing past its NUL is read. */
static void test_stat_cut_at_name(void **state)
{
	static const char *const cut[] = { "4242 (sh)", "4242 (sh) ", ")", "4242 (a) (b" };
	char st;
	unsigned long long ticks;
	uint32_t ppid;
	size_t i, maplen;
	void *map;
	char *s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cut); i++) {
		s = at_page_end(cut[i], &map, &maplen);
		assert_int_equal(procfs_parse_stat(s, &ppid, &ticks, &st), -EINVAL);
		munmap(map, maplen);
	}
}

static void test_status(void **state)
{
	uint32_t uid = 7, gid = 7;

	(void)state;
	procfs_parse_ids("Name:\tsh\nUmask:\t0022\nUid:\t1000\t1000\t1000\t1000\n"
			 "Gid:\t100\t100\t100\t100\n",
			 &uid, &gid);
	assert_int_equal(uid, 1000);
	assert_int_equal(gid, 100);
	uid = gid = 7;
	procfs_parse_ids("Name:\tUid: 0\n", &uid, &gid); /* a name is not a field */
	assert_int_equal(uid, 7);
	assert_int_equal(gid, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_stat_cut_at_name),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
