// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * output: files created 0640 in a 0750 directory, appended to, one write
 * per line (two processes appending concurrently never interleave), stdout,
 * error accounting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static struct outputs out; /* the alert outputs under test */

#define WRITERS	     2
#define LINES_EACH   1000
#define LINE_MAX_LEN 6000

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/depsentry-output-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	output_close(&out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_create_and_append(void **state)
{
	const char *paths[1];
	char dir[128], file[160], *text;
	struct stat st;
	uint64_t written, errors;
	size_t len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/a/b", tmpdir);
	snprintf(file, sizeof(file), "%s/alerts.json", dir);
	paths[0] = file;
	assert_int_equal(output_open(&out, paths, 1), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	output_stats(&out, &written, &errors);
	assert_int_equal(output_write(&out, "{\"a\":1}\n", 8), 0);
	assert_int_equal(output_write(&out, "{\"b\":2}\n", 8), 0);
	output_close(&out);
	assert_int_equal(output_open(&out, paths, 1), 0); /* reopen appends */
	assert_int_equal(output_write(&out, "{\"c\":3}\n", 8), 0);
	output_close(&out);
	text = read_all(file, &len);
	assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	free(text);
	output_stats(&out, &written, NULL);
	assert_true(written >= 3);
}

/* Rotation: after a rename, output_reopen writes to a new file by the
 * name (0640); after a copy and a truncation, O_APPEND writes at the new
 * end (no hole of NULs where the old lines were). */
static void test_rotation(void **state)
{
	const char *paths[1];
	char file[160], moved[170], *text;
	struct stat st;
	size_t len;
	int fd;

	(void)state;
	snprintf(file, sizeof(file), "%s/rot/alerts.json", tmpdir);
	snprintf(moved, sizeof(moved), "%s.1", file);
	paths[0] = file;
	assert_int_equal(output_open(&out, paths, 1), 0);
	assert_int_equal(output_write(&out, "{\"a\":1}\n", 8), 0);
	assert_int_equal(rename(file, moved), 0);
	assert_int_equal(output_write(&out, "{\"b\":2}\n", 8), 0); /* before the reopen */
	assert_int_equal(output_reopen(&out), 0);
	assert_int_equal(output_write(&out, "{\"c\":3}\n", 8), 0);
	text = read_all(moved, &len);
	assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n");
	free(text);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	text = read_all(file, &len);
	assert_string_equal(text, "{\"c\":3}\n");
	free(text);

	fd = open(file, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	close(fd);
	assert_int_equal(output_write(&out, "{\"d\":4}\n", 8), 0);
	text = read_all(file, &len);
	assert_int_equal(len, 8);
	assert_string_equal(text, "{\"d\":4}\n");
	free(text);

	/* the name cannot be opened again (its directory is now a file):
	 * the open file is kept */
	snprintf(moved, sizeof(moved), "%s/rot", tmpdir);
	snprintf(file, sizeof(file), "%s/rot.old", tmpdir);
	assert_int_equal(rename(moved, file), 0);
	fd = open(moved, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_true(output_reopen(&out) < 0);
	assert_int_equal(output_write(&out, "{\"e\":5}\n", 8), 0);
	snprintf(file, sizeof(file), "%s/rot.old/alerts.json", tmpdir);
	text = read_all(file, &len);
	assert_string_equal(text, "{\"d\":4}\n{\"e\":5}\n");
	free(text);
	output_close(&out);
}

/* Each writer's lines are "w<id> <seq> <len> " and len copies of one letter. */
static size_t make_line(char *buf, int id, int seq)
{
	int body = 50 + (seq * 997 + id * 131) % (LINE_MAX_LEN - 100);
	int n = snprintf(buf, LINE_MAX_LEN, "w%d %d %d ", id, seq, body);

	memset(buf + n, 'a' + (seq + id) % 26, (size_t)body);
	buf[n + body] = '\n';
	return (size_t)(n + body + 1);
}

static void writer(const char *file, int id)
{
	const char *paths[] = { file };
	char buf[LINE_MAX_LEN];
	int seq;

	if (output_open(&out, paths, 1))
		_exit(2);
	for (seq = 0; seq < LINES_EACH; seq++)
		if (output_write(&out, buf, make_line(buf, id, seq)))
			_exit(3);
	output_close(&out);
	_exit(0);
}

/* A line is whole when its body is exactly what its header announces. */
static bool line_whole(const char *line, size_t len)
{
	int id, seq, body, n = 0;
	char want[LINE_MAX_LEN];

	if (sscanf(line, "w%d %d %d %n", &id, &seq, &body, &n) != 3 || !n)
		return false;
	if (id < 0 || id >= WRITERS || seq < 0 || seq >= LINES_EACH)
		return false;
	return make_line(want, id, seq) == len + 1 && !memcmp(want, line, len);
}

static void test_concurrent_writers(void **state)
{
	int seen[WRITERS] = { 0 }, i, status, lines = 0;
	char file[160], *text, *line, *nl;
	pid_t pids[WRITERS];
	size_t len;

	(void)state;
	snprintf(file, sizeof(file), "%s/concurrent.json", tmpdir);
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (!pids[i])
			writer(file, i);
	}
	for (i = 0; i < WRITERS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	text = read_all(file, &len);
	assert_int_equal(text[len - 1], '\n');
	for (line = text; (nl = strchr(line, '\n')); line = nl + 1) {
		assert_true(line_whole(line, (size_t)(nl - line)));
		seen[line[1] - '0']++;
		lines++;
	}
	assert_int_equal(lines, WRITERS * LINES_EACH);
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(seen[i], LINES_EACH);
	free(text);
}

static void test_stdout(void **state)
{
	const char *paths[] = { "-" };
	char file[160], *text;
	int fd, saved;
	size_t len;

	(void)state;
	snprintf(file, sizeof(file), "%s/stdout.json", tmpdir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	assert_int_equal(output_open(&out, paths, 1), 0);
	assert_int_equal(output_write(&out, "{}\n", 3), 0);
	output_close(&out); /* must not close stdout */
	assert_int_equal(write(STDOUT_FILENO, "x\n", 2), 2);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	text = read_all(file, &len);
	assert_string_equal(text, "{}\nx\n");
	free(text);
}

static void test_errors(void **state)
{
	const char *full[] = { "/dev/full" };
	const char *many[MAX_OUTPUTS + 1] = { "-", "-", "-", "-", "-" };
	const char *bad[] = { "/proc/self/nonexistent/dir/alerts.json" };
	uint64_t w0, e0, w1, e1;

	(void)state;
	assert_int_equal(output_write(&out, "{}\n", 3), -EBADF); /* nothing open */
	assert_int_equal(output_open(&out, many, MAX_OUTPUTS + 1), -EINVAL);
	assert_true(output_open(&out, bad, 1) < 0);
	assert_int_equal(output_open(&out, full, 1), 0);
	output_stats(&out, &w0, &e0);
	assert_int_equal(output_write(&out, "{}\n", 3), -ENOSPC);
	output_stats(&out, &w1, &e1);
	assert_int_equal(e1, e0 + 1);
	assert_int_equal(w1, w0);
	output_close(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_append),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_stdout),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
