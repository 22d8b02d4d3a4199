// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* SIGHUP's configuration reload: whole or not at all; map sizes kept. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"

static char path[64];

static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The built-in configuration with one top-level key replaced. */
static void write_builtin_with(const char *key, const char *value)
{
	char *text = strdup(config_builtin), *at = strstr(text, key), *end;
	FILE *f = fopen(path, "w");

	assert_non_null(at);
	end = strchr(at, ',');
	*at = '\0';
	fprintf(f, "%s%s: %s%s", text, key, value, end);
	fclose(f);
	free(text);
}

static void test_restart_settings(void **state)
{
	struct config *old = NULL, *c = NULL;

	(void)state;
	assert_int_equal(config_load(NULL, &old, stderr), 0);
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	assert_int_equal(reload_keep_restart_settings(c, old), 0);
	c->ringbuf_bytes = old->ringbuf_bytes / 2;
	c->proctable_max = old->proctable_max * 2;
	c->min_severity = SEV_HIGH;
	c->events_output = strdup("/var/log/depsentry/events.json");
	assert_int_equal(reload_keep_restart_settings(c, old), 3);
	assert_int_equal(c->ringbuf_bytes, old->ringbuf_bytes);
	assert_int_equal(c->proctable_max, old->proctable_max);
	assert_null(c->events_output);
	assert_int_equal(c->min_severity, SEV_HIGH); /* applied live */
	config_free(old);
	config_free(c);
}

static void test_reload(void **state)
{
	struct host_info host = { 0 };
	struct config *live = NULL, *first;
	struct daemon_ctx *d;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/depsentry-reload-XXXXXX");
	assert_true(mkstemp(path) >= 0);
	write_builtin_with("\"min_severity\"", "\"low\"");
	assert_int_equal(config_load(path, &live, stderr), 0);
	first = live;
	d = loop_new(live, NULL, &host, NULL, NULL);
	assert_non_null(d);
	loop_set_reload(d, path, &live);

	/* no SIGHUP yet: nothing read */
	write_builtin_with("\"min_severity\"", "\"high\"");
	loop_signals(d);
	assert_ptr_equal(live, first);

	/* broken: the running configuration stays (SIGHUP read from the
	 * loop's signalfd: blocked since loop_new, so it waits there) */
	write_config("{\n\t\"min_severity\": \"low\",\n\toops\n}\n");
	raise(SIGHUP);
	loop_signals(d);
	assert_ptr_equal(live, first);
	assert_int_equal(live->min_severity, SEV_LOW);

	/* valid: replaced, the ring buffer size kept */
	write_builtin_with("\"ring_buffer_size\"", "262144");
	raise(SIGHUP);
	loop_signals(d);
	assert_ptr_not_equal(live, first);
	assert_int_equal(live->min_severity, SEV_MEDIUM);
	assert_int_equal(live->ringbuf_bytes, 16U << 20);

	loop_free(d);
	config_free(live);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restart_settings),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
