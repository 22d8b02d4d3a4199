// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * status: the health line (every record type, every rule, the loss
 * counters that are not zero, the tables), cut safely when the buffer is
 * short; the status file written whole through a temporary file, mode
 * 0644 whatever the umask, its directory made when missing, no temporary
 * file left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/depsentry-status-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static void sample(struct status *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = 4242;
	st->uptime = 301;
	st->records[DS_EV_EXEC] = 10;
	st->records[DS_EV_FORK] = 11;
	st->records[DS_EV_EXIT] = 12;
	st->records[DS_EV_CONNECT] = 3;
	st->records[DS_EV_FILE] = 4;
	st->records[DS_EV_SIGNAL] = 6;
	st->records[DS_EV_DNS] = 2;
	st->alerts[RULE_PM_CHILD] = 2;
	st->alerts[RULE_SENSOR_SIGNAL] = 1;
	st->alerts[RULE_EGRESS] = 5;
	st->losses[st->nlosses++] = (struct status_count){ "exec_dropped", 7 };
	st->losses[st->nlosses++] = (struct status_count){ "fork_dropped", 0 };
	st->losses[st->nlosses++] = (struct status_count){ "dns_dropped", 1 };
	st->processes = 400;
	st->exited_held = 9;
	st->sessions = 1;
	st->dns_cache = 38;
	st->dns_unsolicited = 3;
	st->held_writes = 2;
	st->network_hooks = true;
}

static void test_format(void **state)
{
	struct status st;
	char line[1024];

	(void)state;
	sample(&st);
	assert_int_equal(status_format(&st, line, sizeof(line)), 0);
	assert_string_equal(
		line, "pid=4242 uptime=301 exec=10 fork=11 exit=12 connect=3 file=4 signal=6 dns=2 "
		      "alerts=8 alerts.pm-suspicious-child=2 "
		      "alerts.lifecycle-hook-suspicious-child=0 alerts.pm-unexpected-egress=5 "
		      "alerts.cicd-file-modified=0 alerts.sensor-signal=1 "
		      "alerts.sensor-interrupted=0 alerts.install-payload-tool=0 "
		      "alerts.install-dropped-exec=0 alerts.install-dns-exfiltration=0 "
		      "alerts.install-credential-read=0 alerts.install-persistence=0 lost=8 "
		      "exec_dropped=7 dns_dropped=1 "
		      "processes=400 exited_held=9 sessions=1 dns_cache=38 dns_unsolicited=3 "
		      "held_writes=2 "
		      "network_hooks=on");
	assert_null(strchr(line, '\n'));
}

static void test_format_quiet(void **state)
{
	struct status st = { .pid = 1 };
	char line[1024];

	(void)state;
	st.losses[st.nlosses++] = (struct status_count){ "exec_dropped", 0 };
	assert_int_equal(status_format(&st, line, sizeof(line)), 0);
	assert_non_null(strstr(line, " alerts=0 "));
	assert_non_null(strstr(line, " lost=0 processes=0 "));
	assert_null(strstr(line, "exec_dropped"));
	assert_non_null(strstr(line, "network_hooks=off"));
}

static void test_format_short(void **state)
{
	struct status st;
	char line[40];
	size_t n;

	(void)state;
	sample(&st);
	memset(line, 'x', sizeof(line));
	assert_int_equal(status_format(&st, line, sizeof(line)), -ENOSPC);
	n = strlen(line);
	assert_true(n < sizeof(line));
	assert_memory_equal(line, "pid=4242 uptime=301 exec=10", 27);
	assert_int_equal(status_format(&st, line, 0), -ENOSPC);
}

static char *read_file(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_write(void **state)
{
	char dir[128], path[160];
	struct stat sb;
	mode_t old = umask(077);

	(void)state;
	snprintf(dir, sizeof(dir), "%s/run", tmpdir);
	snprintf(path, sizeof(path), "%s/status", dir);
	/* the directory is made when missing */
	assert_int_equal(status_write(path, "pid=1 one"), 0);
	assert_string_equal(read_file(path), "pid=1 one\n");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755 & ~077);
	/* replaced whole, nothing else left in the directory */
	assert_int_equal(status_write(path, "pid=1 two"), 0);
	assert_string_equal(read_file(path), "pid=1 two\n");
	assert_int_equal(entries(dir), 1);
	umask(old);
}

static void test_write_errors(void **state)
{
	char path[160];
	size_t before;

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/status", tmpdir);
	assert_int_equal(status_write(path, "pid=1"), -ENOENT);
	snprintf(path, sizeof(path), "%s/status-as-dir", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	before = entries(tmpdir);
	/* the rename fails: the temporary file goes */
	assert_int_equal(status_write(path, "pid=1"), -EISDIR);
	assert_int_equal(entries(tmpdir), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),	     cmocka_unit_test(test_format_quiet),
		cmocka_unit_test(test_format_short), cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
