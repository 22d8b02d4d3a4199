// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SIGHUP: the alert files are reopened by name (after a log rotation), and
 * the configuration is read again into a fresh struct config. As at start,
 * only a wholly valid one is taken: a broken one is logged error by error
 * (FILE:LINE:COL or FILE: $.json.path) and the running one stays.
 *
 * The swap happens between two records, in this order: the kernel's
 * filters (wake-up prefixes, file anchors) get the new keys beside the old
 * ones; the loop, the network arm and the file arm are pointed at the new
 * configuration together; the old keys go; the old configuration is freed
 * last. Nothing kept across records points into a configuration: install
 * sessions copy the package manager's name and type, held file writes
 * their pattern. The process table, the sessions, the held writes, the DNS
 * cache (resized to the new limits) and the alert dedup tables all stay.
 *
 * Two settings size kernel maps when the BPF object loads
 * (user/sensor.c, size_maps), and the events file and the state file are
 * chosen at start: a change to any of them is logged as needing a
 * restart, naming the setting, and the running value stays.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

enum setting_kind {
	SETTING_U32,
	SETTING_SCOPE,	/* enum events_scope */
	SETTING_STRING, /* char *, NULL when unset */
};

struct restart_setting {
	const char *key; /* as in the configuration file */
	size_t off;	 /* in struct config */
	enum setting_kind kind;
	const char *why;
};

static const struct restart_setting restart_settings[] = {
	{ "ring_buffer_size", offsetof(struct config, ringbuf_bytes), SETTING_U32,
	  "the kernel's ring buffer is sized when the BPF programs load" },
	{ "process_table_size", offsetof(struct config, proctable_max), SETTING_U32,
	  "it sizes the kernel's map of tracked processes, fixed when the BPF programs load" },
	{ "events.output", offsetof(struct config, events_output), SETTING_STRING,
	  "the events file is chosen at start (-e wins over it)" },
	{ "events.scope", offsetof(struct config, events_scope), SETTING_SCOPE,
	  "the events file is chosen at start" },
	{ "state_file", offsetof(struct config, state_file), SETTING_STRING,
	  "the daemon's state is read and marked running at start" },
};

/* A setting's value as text, in buf when it needs formatting. */
static const char *setting_text(const struct restart_setting *r, const void *c, char *buf,
				size_t len)
{
	const void *v = (const char *)c + r->off;

	switch (r->kind) {
	case SETTING_U32:
		snprintf(buf, len, "%u", *(const uint32_t *)v);
		return buf;
	case SETTING_SCOPE:
		return *(const enum events_scope *)v == EVENTS_ALL ? "all" : "sessions";
	case SETTING_STRING:
		return *(char *const *)v ? *(char *const *)v : "(none)";
	}
	return "?";
}

/* Put old's value of r back into c. */
static void setting_restore(const struct restart_setting *r, struct config *c,
			    const struct config *old)
{
	void *now = (char *)c + r->off;
	const void *was = (const char *)old + r->off;
	char **s = now;

	switch (r->kind) {
	case SETTING_U32:
		*(uint32_t *)now = *(const uint32_t *)was;
		break;
	case SETTING_SCOPE:
		*(enum events_scope *)now = *(const enum events_scope *)was;
		break;
	case SETTING_STRING: /* on failure: unset, which no one reads after start */
		free(*s);
		*s = *(char *const *)was ? strdup(*(char *const *)was) : NULL;
		break;
	}
}

int reload_keep_restart_settings(struct config *c, const struct config *old)
{
	const struct restart_setting *r;
	char now[32], was[32];
	const char *tnow, *twas;
	int n = 0;

	for (r = restart_settings; r < restart_settings + ARRAY_SIZE(restart_settings); r++) {
		tnow = setting_text(r, c, now, sizeof(now));
		twas = setting_text(r, old, was, sizeof(was));
		if (!strcmp(tnow, twas))
			continue;
		log_warnx(
			"%s: %s changed from %s to %s, but %s: restart depsentry to apply it; %s stays in force",
			c->source, r->key, twas, tnow, r->why, twas);
		setting_restore(r, c, old);
		n++;
	}
	return n;
}

/* Parse path into *c; every error goes to the log. */
static int reload_parse(const char *path, struct config **c)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&text, &len);
	int err;

	err = config_load(path, c, errs);
	if (errs)
		fclose(errs);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
	free(text);
	return err;
}

void reload_reopen(struct outputs *out, struct events *ev)
{
	int err = out ? output_reopen(out) : 0;

	if (!events_reopen(ev) && !err)
		log_info("SIGHUP: alert files reopened");
}

struct config *reload_read(const char *opt, const struct config *old)
{
	const char *path = config_path(opt);
	struct config *c;

	if (reload_parse(path, &c)) {
		log_warnx(
			"configuration not reloaded: %s has errors; the one read from %s stays in force",
			path ? path : "(built-in)", old->source);
		return NULL;
	}
	reload_keep_restart_settings(c, old);
	return c;
}
