// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The container a process runs in, named from its cgroup: the id an exec
 * record carries (the cgroup v2 directory, found by file handle, so it
 * holds after the container's processes have exited), or /proc/PID/cgroup
 * of a process still alive. Each runtime puts its containers in cgroups of
 * its own shape; the id is the runtime's, the name where the runtime keeps
 * one on disk (docker's config, the containers/storage registry podman and
 * buildah share). Namespaces without such a cgroup are not named here: the
 * alert says which namespaces are not the host's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "lib/lib.h"
#include "model.h"

#define CONTAINER_HEX 64

/* Where runtimes keep their containers' names (a test points them elsewhere). */
static const char *docker_dir = "/var/lib/docker/containers";
static const char *storage_file = "/var/lib/containers/storage/overlay-containers/containers.json";

void container_set_state_paths(const char *docker, const char *storage)
{
	docker_dir = docker;
	storage_file = storage;
}

/* A run of exactly 64 hex digits at s, ending at a non-hex character. */
static bool hex_id_at(const char *s)
{
	size_t n = 0;

	while (n <= CONTAINER_HEX && isxdigit((unsigned char)s[n]))
		n++;
	return n == CONTAINER_HEX;
}

static void set_id(struct container *c, const char *s, size_t n, const char *runtime)
{
	if (n >= sizeof(c->id))
		n = sizeof(c->id) - 1;
	memcpy(c->id, s, n);
	c->id[n] = '\0';
	snprintf(c->runtime, sizeof(c->runtime), "%s", runtime);
}

/* One cgroup path component with a runtime's prefix and suffix around a
 * 64-hex id: "docker-<id>.scope", "libpod-<id>.scope", "crio-<id>.scope". */
static bool scope_id(const char *comp, size_t len, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);

	return len == pl + CONTAINER_HEX + sl && strncmp(comp, prefix, pl) == 0 &&
	       hex_id_at(comp + pl) && strncmp(comp + pl + CONTAINER_HEX, suffix, sl) == 0;
}

/* systemd escapes '-' in a unit name as \x2d; names are unescaped for the
 * alert, other escapes kept as they are. */
static void set_unit_name(struct container *c, const char *s, size_t n, const char *runtime)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < sizeof(c->id); i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && s[i + 2] == '2' &&
		    s[i + 3] == 'd') {
			c->id[o++] = '-';
			i += 3;
		} else {
			c->id[o++] = s[i];
		}
	}
	c->id[o] = '\0';
	snprintf(c->runtime, sizeof(c->runtime), "%s", runtime);
	snprintf(c->name, sizeof(c->name), "%s", c->id);
}

static const struct {
	const char *prefix, *suffix, *runtime;
} scopes[] = {
	{ "docker-", ".scope", "docker" },
	{ "cri-containerd-", ".scope", "containerd" },
	{ "crio-", ".scope", "cri-o" },
	{ "libpod-", ".scope", "podman" },
	{ "buildah-", ".scope", "buildah" },
	/* the cgroupfs driver's names, without systemd's unit suffix */
	{ "libpod-", "", "podman" },
	{ "crio-", "", "cri-o" },
};

/* A component made of a 64-hex id alone names a container below a
 * runtime's own cgroup: the nearest such parent says whose. */
static const struct {
	const char *word, *runtime; /* "": a container, runtime unknown */
} parents[] = {
	{ "docker", "docker" },
	{ "containerd", "containerd" },
	{ "libpod_parent", "podman" },
	{ "crio", "cri-o" },
	{ "kubepods", "" },
	{ "buildah", "buildah" },
};

static const char *parent_runtime(const char *comp, size_t len)
{
	size_t i, wl;

	for (i = 0; i < ARRAY_SIZE(parents); i++) {
		wl = strlen(parents[i].word);
		if (len >= wl && strncmp(comp, parents[i].word, wl) == 0)
			return parents[i].runtime;
	}
	return NULL;
}

static bool word_is(const char *s, size_t len, const char *w)
{
	return len == strlen(w) && strncmp(s, w, len) == 0;
}

/* One component of a cgroup path (len bytes at s): does it name the
 * container? runtime is what its parents said so far. */
static bool component(const char *s, size_t len, const char *runtime, bool after_lxc,
		      struct container *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scopes); i++) {
		if (scope_id(s, len, scopes[i].prefix, scopes[i].suffix)) {
			set_id(c, s + strlen(scopes[i].prefix), CONTAINER_HEX, scopes[i].runtime);
			return true;
		}
	}
	if (len == CONTAINER_HEX && hex_id_at(s) && runtime) {
		set_id(c, s, CONTAINER_HEX, runtime);
		return true;
	}
	/* systemd-machined's machines (nspawn); its virtual machines run no
	 * package manager of their own on this kernel */
	if (len > 14 && strncmp(s, "machine-", 8) == 0 && strncmp(s + len - 6, ".scope", 6) == 0 &&
	    strncmp(s + 8, "qemu", 4) != 0) {
		set_unit_name(c, s + 8, len - 14, "systemd-nspawn");
		return true;
	}
	if (len > 12 && strncmp(s, "lxc.payload.", 12) == 0) {
		set_unit_name(c, s + 12, len - 12, "lxc");
		return true;
	}
	/* a build step's (podman build, buildah run): "buildah-buildah<n>",
	 * no id in it; the working container is found by its host name */
	if (len > 15 && strncmp(s, "buildah-buildah", 15) == 0) {
		snprintf(c->runtime, sizeof(c->runtime), "buildah");
		return true;
	}
	if (after_lxc && len) {
		set_unit_name(c, s, len, "lxc");
		return true;
	}
	return false;
}

bool container_from_cgroup(const char *path, struct container *c)
{
	const char *s = path, *runtime = NULL;
	bool after_lxc = false;

	memset(c, 0, sizeof(*c));
	/* a /proc/PID/cgroup line: the path after "hierarchy:controllers:" */
	if (*s != '/') {
		const char *colon = strchr(s, ':');

		colon = colon ? strchr(colon + 1, ':') : NULL;
		if (!colon)
			return false;
		s = colon + 1;
	}
	while (*s) {
		size_t len = strcspn(s, "/\n");
		const char *r;

		if (component(s, len, runtime, after_lxc, c)) {
			if (strstr(path, "kubepods"))
				snprintf(c->orchestrator, sizeof(c->orchestrator), "kubernetes");
			return true;
		}
		r = parent_runtime(s, len);
		if (r)
			runtime = r;
		after_lxc = word_is(s, len, "lxc");
		s += len;
		if (*s != '/')
			break;
		s++;
	}
	return false;
}

/* docker: "Name" of containers/<id>/config.v2.json, without its '/'. */
static void docker_name(struct container *c)
{
	char path[PATH_MAX];
	struct json_object *o, *n;

	if (snprintf(path, sizeof(path), "%s/%s/config.v2.json", docker_dir, c->id) >=
	    (int)sizeof(path))
		return;
	o = json_object_from_file(path);
	if (!o)
		return;
	if (json_object_object_get_ex(o, "Name", &n) && json_object_is_type(n, json_type_string)) {
		const char *s = json_object_get_string(n);

		snprintf(c->name, sizeof(c->name), "%s", s[0] == '/' ? s + 1 : s);
	}
	json_object_put(o);
}

/* podman and buildah: the first of "names" of the entry with this "id" in
 * the containers/storage registry (or, with no id yet, the entry whose id
 * starts with prefix: a build step's host name is its working container's
 * id cut to 12 digits). A build's working container is there while the
 * build runs. */
static void storage_name(struct container *c, const char *prefix)
{
	struct json_object *o = json_object_from_file(storage_file), *id, *names, *e;
	size_t i, n, pl = prefix ? strlen(prefix) : 0;

	if (!o || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return;
	}
	n = json_object_array_length(o);
	for (i = 0; i < n; i++) {
		const char *s;

		e = json_object_array_get_idx(o, i);
		if (!json_object_object_get_ex(e, "id", &id) ||
		    !json_object_is_type(id, json_type_string))
			continue;
		s = json_object_get_string(id);
		if (c->id[0] ? strcmp(s, c->id) != 0
			     : pl < 12 || strncmp(s, prefix, pl) != 0 || !hex_id_at(s))
			continue;
		if (!c->id[0])
			snprintf(c->id, sizeof(c->id), "%s", s);
		if (json_object_object_get_ex(e, "names", &names) &&
		    json_object_is_type(names, json_type_array) &&
		    json_object_array_length(names) > 0)
			snprintf(c->name, sizeof(c->name), "%s",
				 json_object_get_string(json_object_array_get_idx(names, 0)));
		break;
	}
	json_object_put(o);
}

bool container_name_lookup(struct container *c, const char *hostname)
{
	if (c->name[0])
		return true;
	if (strcmp(c->runtime, "docker") == 0 && c->id[0])
		docker_name(c);
	else if (strcmp(c->runtime, "podman") == 0 || strcmp(c->runtime, "buildah") == 0)
		storage_name(c, c->id[0] ? NULL : hostname);
	return c->name[0] != '\0';
}

/*
 * By cgroup v2 id. Remembered, found or not, for the last CGROUP_CACHE
 * ids: a cgroup id is never reused while the system runs. A name not found
 * yet (the runtime writes it after the container starts) is asked again.
 */
#define CGROUP_CACHE 128

struct cgroup_seen {
	uint64_t id;
	bool found;
	struct container c;
};

bool container_by_cgroup_id(uint64_t cgid, struct container *c)
{
	static struct cgroup_seen seen[CGROUP_CACHE];
	static size_t next;
	static int root = -2; /* not opened yet */
	struct cgroup_seen *e = NULL;
	char path[4096];
	size_t i;

	if (!cgid)
		return false;
	for (i = 0; i < CGROUP_CACHE && !e; i++)
		if (seen[i].id == cgid)
			e = &seen[i];
	if (!e) {
		if (root == -2)
			root = cgroup2_open(NULL);
		e = &seen[next];
		next = (next + 1) % CGROUP_CACHE;
		memset(e, 0, sizeof(*e));
		e->id = cgid;
		if (root >= 0 && cgroup2_path(root, cgid, path, sizeof(path)) == 0)
			e->found = container_from_cgroup(path, &e->c);
	}
	if (e->found) {
		(void)container_name_lookup(&e->c, NULL);
		*c = e->c;
	}
	return e->found;
}

bool container_by_pid(uint32_t pid, uint64_t start_ns, struct container *c)
{
	char path[64], line[1024];
	bool found = false;
	FILE *f;

	if (!pid || !procfs_alive(pid, start_ns))
		return false;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = container_from_cgroup(line, c);
	fclose(f);
	if (found)
		(void)container_name_lookup(c, NULL);
	return found;
}
