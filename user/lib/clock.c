// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Clocks: the kernel's boot-time clock, the wall clock, RFC 3339 times; and a string hash. */
#include <string.h>
#include <time.h>

#include "lib.h"

#define NSEC_PER_SEC  1000000000LL
#define NSEC_PER_MSEC 1000000LL

uint64_t fnv1a64(uint64_t hash, const char *s)
{
	for (; *s; s++) {
		hash ^= (unsigned char)*s;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

uint64_t boot_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)timespec_ns(&ts);
}

int64_t boot_to_wall_ns(uint64_t boot_ns)
{
	struct timespec rt, bt;
	int64_t wall;

	/* taken on every call: the wall clock may have been stepped */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	/* a stamp beyond 2262 is the last one 64 bits hold, never a wrap */
	if (boot_ns > INT64_MAX ||
	    __builtin_add_overflow((int64_t)boot_ns, timespec_ns(&rt) - timespec_ns(&bt), &wall))
		return INT64_MAX;
	return wall;
}

void format_boot_time(uint64_t boot_ns, char *buf, size_t len)
{
	format_wall_time(boot_to_wall_ns(boot_ns), buf, len);
}

void format_wall_time(int64_t wall_ns, char *buf, size_t len)
{
	struct tm tm;
	time_t sec;
	char date[32];

	if (wall_ns < 0)
		wall_ns = 0;
	sec = (time_t)(wall_ns / NSEC_PER_SEC);
	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", date, (int)(wall_ns % NSEC_PER_SEC / NSEC_PER_MSEC));
}
