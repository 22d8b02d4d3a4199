// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * connstorm: the connect rate the sensor's connect hooks must keep up with.
 * A listener on 127.0.0.1 (an ephemeral port) and a thread that accepts and
 * closes; the main thread makes N blocking TCP connect()s to it one after
 * the other, each socket closed with an RST (SO_LINGER {1, 0}) so that no
 * TIME_WAIT piles up and the ephemeral ports never run out. A semaphore
 * keeps at most MAX_INFLIGHT connections waiting in the accept queue, well
 * under its backlog, so that no SYN is ever dropped for a full queue.
 * Timed from the first connect to the last accept, with the CPU time of
 * both threads (user + system: the BPF programs and the loopback's packet
 * processing run in their context). Prints one line of key=value pairs that
 * bench/run.sh parses.
 *
 * usage: connstorm [-n N]
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define DEFAULT_CONNECTS 50000
#define MAX_INFLIGHT	 256	 /* connections not yet accepted */
#define LISTEN_BACKLOG	 4096	 /* the kernel caps it at net.core.somaxconn */
#define MAX_RETRIES	 1000	 /* EADDRNOTAVAIL retries of one connect */
#define RETRY_NS	 1000000 /* 1 ms between them */
#define DRAIN_SECS	 10	 /* for the last connections to be accepted */

struct listener {
	int fd;
	struct sockaddr_in addr; /* where it listens */
	pthread_t thread;
	sem_t room;    /* MAX_INFLIGHT - connections not yet accepted */
	long accepted; /* read after the thread is joined */
	int err;       /* errno of a failed accept, 0 if none */
};

static void usage(void)
{
	fprintf(stderr, "usage: connstorm [-n N]\n");
	exit(2);
}

/* CPU seconds of this process, both threads. */
static double self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Accept and close until the socket is shut down. */
static void *listener_run(void *arg)
{
	struct listener *l = arg;
	int fd;

	for (;;) {
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EINVAL) /* EINVAL: shut down, the storm is over */
				l->err = errno;
			return NULL;
		}
		close(fd);
		l->accepted++;
		sem_post(&l->room);
	}
}

/* Listen on 127.0.0.1, any port, and start the accepting thread. */
static int listener_start(struct listener *l)
{
	socklen_t len = sizeof(l->addr);
	int one = 1;
	int err;

	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -errno;
	l->addr.sin_family = AF_INET;
	l->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l->fd, (struct sockaddr *)&l->addr, sizeof(l->addr)) ||
	    listen(l->fd, LISTEN_BACKLOG) || getsockname(l->fd, (struct sockaddr *)&l->addr, &len))
		goto close_fd;
	if (sem_init(&l->room, 0, MAX_INFLIGHT))
		goto close_fd;
	err = pthread_create(&l->thread, NULL, listener_run, l);
	if (err) {
		errno = err;
		goto destroy_sem;
	}
	return 0;
destroy_sem:
	sem_destroy(&l->room);
close_fd:
	err = -errno;
	close(l->fd);
	return err;
}

/* Wait for every connection to be accepted, then stop the thread. */
static int listener_stop(struct listener *l)
{
	struct timespec until;
	int i, err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DRAIN_SECS;
	for (i = 0; i < MAX_INFLIGHT && !err; i++)
		while (sem_timedwait(&l->room, &until))
			if (errno != EINTR) {
				err = -errno;
				break;
			}
	shutdown(l->fd, SHUT_RDWR);
	pthread_join(l->thread, NULL);
	sem_destroy(&l->room);
	close(l->fd);
	return err;
}

static void sem_take(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

/* One connect and an RST; counts EADDRNOTAVAIL retries, returns 0 or -errno. */
static int connect_one(const struct sockaddr_in *to, long *retries)
{
	static const struct linger rst = {1, 0};
	static const struct timespec pause = {0, RETRY_NS};
	int fd, err, tries;

	for (tries = 0;; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		err = 0;
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst)) ||
		    connect(fd, (const struct sockaddr *)to, sizeof(*to)))
			err = -errno;
		close(fd);
		if (err != -EADDRNOTAVAIL || tries == MAX_RETRIES)
			return err;
		(*retries)++;
		nanosleep(&pause, NULL);
	}
}

int main(int argc, char **argv)
{
	long n = DEFAULT_CONNECTS, i, failed = 0, retries = 0;
	struct listener l = {0};
	double t0, wall;
	int ch, err, first_err = 0;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || parse_long(optarg, 1, LONG_MAX, &n))
			usage();
	}
	if (optind != argc)
		usage();
	err = listener_start(&l);
	if (err) {
		fprintf(stderr, "connstorm: listening on 127.0.0.1: %s\n", strerror(-err));
		return 1;
	}

	t0 = now_s();
	for (i = 0; i < n; i++) {
		sem_take(&l.room);
		err = connect_one(&l.addr, &retries);
		if (err) {
			sem_post(&l.room); /* nothing to accept */
			failed++;
			first_err = first_err ? first_err : err;
		}
	}
	err = listener_stop(&l);
	wall = now_s() - t0;

	if (failed) {
		fprintf(stderr, "connstorm: %ld of %ld connects failed, the first with: %s\n",
			failed, n, strerror(-first_err));
		return 1;
	}
	if (err || l.err || l.accepted != n) {
		fprintf(stderr, "connstorm: %ld of %ld connections accepted: %s\n", l.accepted, n,
			strerror(l.err ? l.err : -err));
		return 1;
	}
	printf("connects=%ld port=%u wall_s=%.4f connects_per_s=%.1f cpu_s=%.3f retries=%ld\n", n,
	       ntohs(l.addr.sin_port), wall, n / wall, self_cpu_s(), retries);
	return 0;
}
