// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What an alert says about the machine: host name, machine id, OS release,
 * a stable agent id, and the conversion of the kernel's boot-time stamps
 * into wall-clock time.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "model.h"

#define NSEC_PER_SEC  1000000000LL
#define NSEC_PER_MSEC 1000000LL

static const char *const machine_id_paths[] = {
	"/etc/machine-id",
	"/var/lib/dbus/machine-id",
};

static const char *const os_release_paths[] = {
	"/etc/os-release",
	"/usr/lib/os-release",
};

/* os-release ID or ID_LIKE word -> ECS host.os.family */
/* clang-format off */
static const struct {
	const char *id;
	const char *family;
} os_families[] = {
	{ "debian", "debian" },	{ "ubuntu", "debian" }, { "rhel", "redhat" },
	{ "fedora", "redhat" }, { "centos", "redhat" }, { "suse", "suse" },
	{ "opensuse", "suse" }, { "arch", "arch" },	{ "alpine", "alpine" },
};
/* clang-format on */

/* The parts of os-release an alert uses. */
struct os_release {
	char name[128];
	char version_id[64];
	char version[64];
	char id[32];
	char id_like[128];
};

/* clang-format off */
static const struct {
	const char *key;
	size_t off;
	size_t len;
} os_release_keys[] = {
#define OSR_KEY(k, f) { k, offsetof(struct os_release, f), sizeof(((struct os_release *)0)->f) }
	OSR_KEY("NAME", name),
	OSR_KEY("VERSION_ID", version_id),
	OSR_KEY("VERSION", version),
	OSR_KEY("ID", id),
	OSR_KEY("ID_LIKE", id_like),
#undef OSR_KEY
};
/* clang-format on */

/* Copy src into dst, truncated to fit. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void strip_newline(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* Read the first line of path into buf; false if missing or empty. */
static bool read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	strip_newline(buf);
	return buf[0] != '\0';
}

static bool is_hex_string(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static void load_machine_id(struct host_info *h)
{
	char line[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(machine_id_paths); i++) {
		if (!read_first_line(machine_id_paths[i], line, sizeof(line)))
			continue;
		if (!is_hex_string(line))
			continue;
		copy_str(h->id, sizeof(h->id), line);
		return;
	}
}

/* Undo os-release shell quoting: "..." with \-escapes, or '...'. */
static void os_release_unquote(const char *v, char *out, size_t len)
{
	char quote = 0;
	size_t n = 0;

	if (*v == '"' || *v == '\'')
		quote = *v++;
	for (; *v && *v != quote && n + 1 < len; v++) {
		if (quote == '"' && *v == '\\' && v[1])
			v++;
		out[n++] = *v;
	}
	out[n] = '\0';
}

static void os_release_line(struct os_release *r, const char *line)
{
	const char *eq = strchr(line, '=');
	size_t i, klen;

	if (!eq)
		return;
	klen = (size_t)(eq - line);
	for (i = 0; i < ARRAY_SIZE(os_release_keys); i++) {
		if (strlen(os_release_keys[i].key) != klen ||
		    strncmp(os_release_keys[i].key, line, klen))
			continue;
		os_release_unquote(eq + 1, (char *)r + os_release_keys[i].off,
				   os_release_keys[i].len);
		return;
	}
}

static bool os_release_read(struct os_release *r)
{
	char line[512];
	FILE *f = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(os_release_paths) && !f; i++)
		f = fopen(os_release_paths[i], "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		strip_newline(line);
		os_release_line(r, line);
	}
	fclose(f);
	return true;
}

static const char *os_family_of(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(os_families); i++)
		if (!strcmp(os_families[i].id, word))
			return os_families[i].family;
	return NULL;
}

/* The family of ID, else of the first known ID_LIKE word, else ID itself. */
static void os_family(const struct os_release *r, char *out, size_t len)
{
	char like[sizeof(r->id_like)], *tok, *save = NULL;
	const char *fam = os_family_of(r->id);

	copy_str(like, sizeof(like), r->id_like);
	for (tok = strtok_r(like, " ", &save); tok && !fam; tok = strtok_r(NULL, " ", &save))
		fam = os_family_of(tok);
	copy_str(out, len, fam ? fam : r->id);
}

static void load_os(struct host_info *h)
{
	struct os_release r = { 0 };

	if (!os_release_read(&r))
		return;
	copy_str(h->os_name, sizeof(h->os_name), r.name);
	copy_str(h->os_version, sizeof(h->os_version), r.version_id[0] ? r.version_id : r.version);
	os_family(&r, h->os_family, sizeof(h->os_family));
}

/*
 * The agent id is derived from the machine id (else the host name) so that
 * it survives restarts, but is not the machine id itself: host.id already
 * carries that. Only with neither is it random, and then per run.
 */
static void load_agent_id(struct host_info *h)
{
	const char *src = h->id[0] ? h->id : h->hostname;
	uint64_t a, b;

	if (src[0]) {
		a = fnv1a64(fnv1a64(FNV1A64_OFFSET, "depsentry-agent:"), src);
		b = fnv1a64(fnv1a64(a, "depsentry-agent-2:"), src);
	} else if (getrandom(&a, sizeof(a), 0) != sizeof(a) ||
		   getrandom(&b, sizeof(b), 0) != sizeof(b)) {
		a = (uint64_t)time(NULL);
		b = (uint64_t)getpid();
	}
	snprintf(h->agent_id, sizeof(h->agent_id),
		 "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, a >> 32,
		 (a >> 16) & 0xffff, a & 0xffff, b >> 48, b & (uint64_t)0xffffffffffff);
}

void host_info_load(struct host_info *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0) {
		copy_str(h->hostname, sizeof(h->hostname), u.nodename);
		copy_str(h->os_kernel, sizeof(h->os_kernel), u.release);
		copy_str(h->architecture, sizeof(h->architecture), u.machine);
	}
	if (!h->hostname[0] && gethostname(h->hostname, sizeof(h->hostname) - 1))
		h->hostname[0] = '\0';
	load_machine_id(h);
	load_os(h);
	load_agent_id(h);
	h->ns_pid = host_ns_inode("pid");
	h->ns_mnt = host_ns_inode("mnt");
	h->ns_net = host_ns_inode("net");
}
