// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The start-up /proc scan on processes with long command lines: argv is
 * read whole up to what the kernel side copies (32 KiB), cut and flagged
 * past it, never past the buffer read into.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

extern char **environ;

static struct {
	pid_t pid;
	struct image *img;
} found;

static void added(struct proc *p, void *arg)
{
	(void)arg;
	if ((pid_t)p->pid == found.pid)
		found.img = image_get(p->img);
}

/* The image the scan gives a shell whose $0 is n bytes of 'a'. */
static struct image *scanned(size_t n)
{
	char *big = malloc(n + 1), *argv[] = { "sh", "-c", "read x", big, NULL };
	struct strlist vars = { 0 };
	struct proctable *t = proctable_new(65536);
	posix_spawn_file_actions_t fa;
	int fds[2], status;

	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	assert_int_equal(posix_spawn(&found.pid, "/bin/sh", &fa, NULL, argv, environ), 0);
	close(fds[0]);
	found.img = NULL;
	procfs_scan(t, &vars, added, NULL);
	close(fds[1]); /* read x returns: the shell exits */
	waitpid(found.pid, &status, 0);
	posix_spawn_file_actions_destroy(&fa);
	proctable_free(t);
	free(big);
	assert_non_null(found.img);
	return found.img;
}

static void test_long_cmdline(void **state)
{
	struct image *img;

	(void)state;
	img = scanned(30000); /* whole: under 32 KiB with the rest */
	assert_int_equal(img->argc, 4);
	assert_int_equal(strlen(img->argv[3]), 30000);
	assert_false(img->flags & DS_F_ARGS_TRUNC);
	image_put(img);

	img = scanned(100000); /* cut at 32 KiB, flagged */
	assert_int_equal(img->argc, 4);
	assert_int_equal(strlen(img->cmdline), DS_ARGS_MAX);
	assert_true(img->flags & DS_F_ARGS_TRUNC);
	image_put(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
