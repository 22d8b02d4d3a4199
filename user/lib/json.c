// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ECS fields by their dotted names ("process.parent.pid") in json-c
 * objects: the one way alerts are built and read back. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "lib.h"

#define JSON_PATH_MAX 128 /* the longest field name written or read */

void json_put(struct json_object *root, const char *path, struct json_object *val)
{
	char buf[JSON_PATH_MAX], *key, *dot;
	struct json_object *o = root, *next;

	if (!val)
		return;
	snprintf(buf, sizeof(buf), "%s", path);
	for (key = buf; (dot = strchr(key, '.')); key = dot + 1) {
		*dot = '\0';
		if (!json_object_object_get_ex(o, key, &next)) {
			next = json_object_new_object();
			json_object_object_add(o, key, next);
		}
		o = next;
	}
	json_object_object_add(o, key, val);
}

struct json_object *json_get(struct json_object *o, const char *path)
{
	char buf[JSON_PATH_MAX], *key, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key && o; key = strtok_r(NULL, ".", &save))
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
	return o;
}
