/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Small helpers shared by the benchmark storms. */
#ifndef DEPSENTRY_BENCH_H
#define DEPSENTRY_BENCH_H

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* A whole decimal number in [min, max]; -1 for "12abc", "", overflow. */
static inline int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User + system CPU seconds of RUSAGE_SELF or RUSAGE_CHILDREN; 0 on error. */
static inline double cpu_s(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}
#endif
