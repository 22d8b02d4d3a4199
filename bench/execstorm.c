// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * execstorm: the exec rate the sensor must keep up with. N fork+exec+wait of
 * a trivial program, shared among P workers (default one per online CPU, to
 * reach the machine's maximum exec rate), timed from the first fork to the
 * last reap, and the CPU time all of them used (user + system, the BPF
 * programs that run in their context included). Prints one line of
 * key=value pairs that bench/run.sh parses.
 *
 * usage: execstorm [-n N] [-j P] [-p PROGRAM]
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_EXECS  20000
#define DEFAULT_PROG   "/bin/true"
#define MAX_WORKERS    256
#define EXIT_EXEC_FAIL 127 /* the child could not exec */

struct storm {
	long execs;	  /* fork+exec in total */
	long workers;	  /* processes sharing them */
	const char *prog; /* what each child execs */
};

static void usage(void)
{
	fprintf(stderr, "usage: execstorm [-n N] [-j WORKERS] [-p PROGRAM]\n");
	exit(2);
}

/* One fork+exec+wait; 0 when the child ran and exited 0. */
static int spawn_one(const char *prog)
{
	char *const argv[] = {(char *)prog, NULL};
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(prog, argv);
		_exit(EXIT_EXEC_FAIL);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* A worker's share; exits with the number of failures, capped at 255. */
static void worker(const char *prog, long share)
{
	long failed = 0;
	long i;

	for (i = 0; i < share; i++)
		if (spawn_one(prog))
			failed++;
	_exit(failed > 255 ? 255 : (int)failed);
}

/* Start the workers, reap them; the number of failed execs, or -1. */
static long storm_run(const struct storm *s)
{
	pid_t pids[MAX_WORKERS];
	bool broken = false;
	long failed = 0;
	long i;

	for (i = 0; i < s->workers; i++) {
		long share = s->execs / s->workers + (i < s->execs % s->workers);

		pids[i] = fork();
		if (pids[i] < 0) {
			perror("execstorm: fork");
			broken = true;
			break;
		}
		if (pids[i] == 0)
			worker(s->prog, share);
	}
	while (i-- > 0) {
		int status;

		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status))
			broken = true;
		else
			failed += WEXITSTATUS(status);
	}
	return broken ? -1 : failed;
}

/* CPU seconds of every reaped descendant: workers include their children. */
static double children_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct storm s = {DEFAULT_EXECS, 0, DEFAULT_PROG};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double t0, wall, cpu;
	long failed;
	int ch;

	s.workers = ncpu > 0 ? ncpu : 1;
	while ((ch = getopt(argc, argv, "n:j:p:")) != -1) {
		switch (ch) {
		case 'n':
			if (parse_long(optarg, 1, LONG_MAX, &s.execs))
				usage();
			break;
		case 'j':
			if (parse_long(optarg, 1, MAX_WORKERS, &s.workers))
				usage();
			break;
		case 'p':
			s.prog = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (access(s.prog, X_OK)) {
		fprintf(stderr, "execstorm: %s: %s\n", s.prog, strerror(errno));
		return 1;
	}
	if (s.workers > s.execs)
		s.workers = s.execs;

	t0 = now_s();
	failed = storm_run(&s);
	wall = now_s() - t0;
	cpu = children_cpu_s();
	if (failed < 0) {
		fprintf(stderr, "execstorm: a worker could not be started or was killed\n");
		return 1;
	}
	if (failed) {
		fprintf(stderr, "execstorm: %ld of %ld execs of %s failed\n", failed, s.execs,
			s.prog);
		return 1;
	}
	printf("execs=%ld workers=%ld prog=%s wall_s=%.4f execs_per_s=%.1f cpu_s=%.3f\n", s.execs,
	       s.workers, s.prog, wall, s.execs / wall, cpu);
	return 0;
}
