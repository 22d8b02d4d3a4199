// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The parsers of what /proc gives: a process names itself (comm may hold
 * spaces and parentheses), and the text may end anywhere. A string is put
 * against an unreadable page, so reading one byte past its end faults.
 */
#include <errno.h>
#include <sys/mman.h>
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
	unsigned long long ticks = 0, ticks2 = 0;
	char st = 0;
	uint32_t ppid = 0;

	(void)state;
	assert_int_equal(procfs_parse_stat(stat_line, &ppid, &ticks, &st), 0);
	assert_int_equal(ppid, 17);
	assert_int_equal(ticks, 123456);
	assert_int_equal(st, 'S');
	assert_true(host_stat_start_ticks(stat_line, &ticks2));
	assert_int_equal(ticks2, 123456);
	assert_int_equal(procfs_parse_stat("4242 (sh) S 1", &ppid, &ticks, &st), -EINVAL);
	assert_false(host_stat_start_ticks("4242 (sh) S 1", &ticks));
	assert_int_equal(procfs_parse_stat("no parenthesis", &ppid, &ticks, &st), -EINVAL);
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
		assert_false(host_stat_start_ticks(s, &ticks));
		munmap(map, maplen);
	}
}

static void test_status(void **state)
{
	uint32_t uid = 7, gid = 7;

	(void)state;
	procfs_parse_ids("Name:\tsh\nUmask:\t0022\nUid:\t1000\t1000\t1000\t1000\n"
			 "Gid:\t100\t100\t100\t100\n", &uid, &gid);
	assert_int_equal(uid, 1000);
	assert_int_equal(gid, 100);
	uid = gid = 7;
	procfs_parse_ids("Name:\tUid: 0\n", &uid, &gid);	/* a name is not a field */
	assert_int_equal(uid, 7);
	assert_int_equal(gid, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_stat_cut_at_name),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
