// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * events.c: what goes to the events file by scope, one whole line per
 * event, and every line lost counted (a full disk is /dev/full). What a
 * line holds is test_alert.c's business (event_render).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"

static struct events evf; /* the events file under test */

static struct pm_def npm_pm = { .name = "npm", .package_type = "npm" };
static struct session sess = { .id = 9, .pm = &npm_pm };
static struct host_info host = { .hostname = "unit" };

/* The lines of path, each checked to be whole; returns how many. */
static int read_lines(const char *path, char lines[][64], int max)
{
	char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY), count = 0;
	char *s, *nl;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0 && n < (ssize_t)sizeof(buf) - 1);
	buf[n] = '\0';
	assert_true(n == 0 || buf[n - 1] == '\n');
	for (s = buf; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = '\0';
		assert_true(s[0] == '{' && nl[-1] == '}');
		assert_true(count < max);
		/* the category is all the writer decides */
		snprintf(lines[count++], 64, "%s",
			 strstr(s, "\"category\":[\"process\"]")   ? "process"
			 : strstr(s, "\"category\":[\"network\"]") ? "network"
			 : strstr(s, "\"category\":[\"file\"]")	   ? "file"
								   : "?");
		assert_non_null(strstr(s, "\"kind\":\"event\""));
	}
	return count;
}

static void test_scope(void **state)
{
	char path[] = "/tmp/depsentry-events-XXXXXX", lines[8][64];
	struct proc *npm, *bash;
	struct net_event ev = { .kind = NET_CONNECT, .dport = 4873, .transport = 6 };
	struct file_event fe = { .op = DS_FILE_WRITE,
				 .path = "/p/.github/workflows/x.yml",
				 .action = "creation",
				 .created = true };
	struct events_stats st;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	npm = unit_proc(NULL, &sess, 10, "/usr/bin/node", "node /usr/bin/npm install");
	sess.root = npm;
	bash = unit_proc(NULL, NULL, 11, "/bin/bash", "bash");
	ipaddr_parse("127.0.0.1", &ev.dst);

	assert_int_equal(events_open(&evf, path, EVENTS_SESSIONS), 0);
	assert_true(events_enabled(&evf));
	events_exec(&evf, &host, npm, 1);
	events_exec(&evf, &host, bash, 2); /* outside any session: not taken */
	events_net(&evf, &host, npm, &ev, 3);
	events_file(&evf, &host, bash, &fe); /* watched files: whoever wrote them */
	events_close(&evf);
	assert_false(events_enabled(&evf));
	assert_int_equal(read_lines(path, lines, 8), 3);
	assert_string_equal(lines[0], "process");
	assert_string_equal(lines[1], "network");
	assert_string_equal(lines[2], "file");

	assert_int_equal(events_open(&evf, path, EVENTS_ALL), 0); /* appends */
	events_exec(&evf, &host, bash, 4);
	events_stats(&evf, &st);
	assert_int_equal(st.written, 1);
	events_close(&evf);
	assert_int_equal(read_lines(path, lines, 8), 4);
	assert_string_equal(lines[3], "process");

	/* none open: nothing anywhere, nothing counted */
	assert_int_equal(events_open(&evf, NULL, EVENTS_ALL), 0);
	assert_false(events_enabled(&evf));
	events_exec(&evf, &host, npm, 5);
	events_net(&evf, &host, npm, &ev, 6);
	events_file(&evf, &host, npm, &fe);
	events_stats(&evf, &st);
	assert_int_equal(st.written + st.failed + st.unrendered + st.split, 0);
	events_close(&evf);
	assert_int_equal(read_lines(path, lines, 8), 4);
	unlink(path);
}

/* A file that cannot take the line: each one counted, none half-written. */
static void test_lost_lines(void **state)
{
	struct proc *npm = unit_proc(NULL, &sess, 20, "/usr/bin/node", "node /usr/bin/npm install");
	struct events_stats st;

	(void)state;
	assert_int_equal(events_open(&evf, "/dev/full", EVENTS_SESSIONS), 0);
	events_exec(&evf, &host, npm, 1);
	events_exec(&evf, &host, npm, 2);
	events_stats(&evf, &st);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.written, 0);
	events_report(&evf, false);
	events_close(&evf);

	/* no image: the line cannot be rendered */
	assert_int_equal(events_open(&evf, "/dev/null", EVENTS_ALL), 0);
	npm->img = NULL;
	events_exec(&evf, &host, npm, 3);
	events_stats(&evf, &st);
	assert_int_equal(st.unrendered, 1);
	events_close(&evf);
}

/* An events file that cannot be opened is an error, and leaves none open. */
static void test_open_fails(void **state)
{
	(void)state;
	assert_int_equal(events_open(&evf, "/tmp", EVENTS_ALL), -EISDIR);
	assert_false(events_enabled(&evf));
	events_close(&evf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_lost_lines),
		cmocka_unit_test(test_open_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
