/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared helpers for the cmocka unit tests. */
#ifndef DEPSENTRY_UNIT_H
#define DEPSENTRY_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "daemon/daemon.h"

/* Split a command line on spaces into a synthetic image (no quoting). */
static inline struct image *unit_image(const char *exe, const char *cmdline)
{
	struct image *img = calloc(1, sizeof(*img));
	char *copy = strdup(cmdline), *tok, *save = NULL;
	const char *slash = strrchr(exe, '/');

	img->refs = 1;
	img->exe = strdup(exe);
	img->filename = strdup(exe);
	img->name = strdup(slash ? slash + 1 : exe);
	img->cmdline = strdup(cmdline);
	img->cwd = strdup("/tmp");
	img->argv = calloc(strlen(cmdline) + 2, sizeof(char *));
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		img->argv[img->argc++] = strdup(tok);
	free(copy);
	strncpy(img->comm, img->name, DS_COMM_LEN - 1);
	return img;
}

static inline void unit_image_setenv(struct image *img, const char *name, const char *value)
{
	img->env = realloc(img->env, (img->nenv + 1) * sizeof(*img->env));
	img->env[img->nenv].name = strdup(name);
	img->env[img->nenv].value = strdup(value);
	img->nenv++;
}

/* An environment cleared (env -i). */
static inline void unit_image_clearenv(struct image *img)
{
	size_t i;

	for (i = 0; i < img->nenv; i++) {
		free(img->env[i].name);
		free(img->env[i].value);
	}
	img->nenv = 0;
}

/* A process below parent (NULL: a session root) in session sess. */
static inline struct proc *unit_proc(struct proc *parent, struct session *sess, uint32_t pid,
				     const char *exe, const char *cmdline)
{
	struct proc *p = calloc(1, sizeof(*p));

	p->pid = pid;
	p->ppid = parent ? parent->pid : 1;
	p->start = 1000000000ULL * pid;
	p->parent = parent;
	p->img = unit_image(exe, cmdline);
	p->sess = sess;
	p->depth = parent && parent->sess ? parent->depth + 1 : 0;
	p->refs = 1;
	return p;
}
/* Every leaf of an alert or event (an array counts as one) is a field of
 * the one list of what depsentry writes (output/fields.c). */
static inline void unit_fields_walk(struct json_object *o, const char *prefix)
{
	char path[160];

	json_object_object_foreach (o, key, val) {
		if (strlen(prefix) + strlen(key) + 2 > sizeof(path))
			fail_msg("a field name longer than %zu bytes under %s", sizeof(path),
				 prefix);
		strcpy(path, prefix);
		if (*prefix)
			strcat(path, ".");
		strcat(path, key);
		if (json_object_is_type(val, json_type_object)) {
			unit_fields_walk(val, path);
			continue;
		}
		if (!alert_field_known(path))
			fail_msg("%s is written but not in output/fields.c", path);
	}
}

static inline void unit_fields_known(struct json_object *o)
{
	unit_fields_walk(o, "");
}

#endif
