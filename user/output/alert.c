// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One alert as one line of ECS 9.4 JSON. Every string that comes from a
 * process (argv, paths, environment, comm) is untrusted: put_str() makes it
 * valid UTF-8 and caps it, naming the field in depsentry.truncated when it
 * had to be cut, as the kernel's flags name what it could not give whole;
 * json_line() (text.c) then makes the whole line valid UTF-8 whatever was
 * put in it, since json-c escapes control characters but passes invalid
 * UTF-8 through. A value that is not known is left out, never null or
 * empty. Field meanings: docs/fields.md.
 */
#include <errno.h>
#include <netinet/in.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>

#include <json-c/json.h>

#include "output.h"

/* Byte caps on strings taken from a process; they bound the line size. A
 * path of PATH_MAX bytes stays whole even when each byte of it is invalid
 * UTF-8 and becomes the three of U+FFFD. */
#define CAP_CMDLINE  32768	/* process.command_line */
#define CAP_ARGS     32768	/* all of process.args together */
#define CAP_ARGS_N   1024	/* entries in process.args */
#define CAP_PATH     (3 * 4096) /* executables, working directory, files */
#define CAP_ENV	     4096	/* one KEY=VALUE of process.env_vars */
#define CAP_ENV_ALL  16384	/* all of process.env_vars together */
#define CAP_SHORT    1024	/* names, ids, reasons */
#define CAP_MESSAGE  16384	/* the message, which names paths */
#define CAP_RELATIVE 4096	/* parent, session root and hook command lines */
#define CAP_CHAIN    1024	/* each ancestry command line */

/* A line is at most LINE_MAX bytes, whatever a process put in its fields
 * (a control character takes six bytes escaped): forwarders drop or cut
 * longer lines (docs/siem.md). One that would be longer is rendered again
 * with every cap halved, down to CAP_FLOOR, the fields cut so named. */
#define LINE_MAX  (192 * 1024)
#define SHIFT_MAX 8
#define CAP_FLOOR 64

#define ENTITY_ID_LEN  128
#define EVENT_ID_BYTES 16
#define TIME_LEN       40

/* event.category, event.type and event.action by what was seen. An event
 * line (not an alert) has the first category only, and the types but the
 * last, "info", which only intrusion_detection asks for. */
/* clang-format off */
static const struct {
	const char *categories[2];
	const char *types[3];
	size_t ntypes;
	const char *action;
} event_shapes[] = {
	{ { "process", "intrusion_detection" }, { "start", "info" }, 2, "exec" },
	{ { "network", "intrusion_detection" }, { "connection", "start", "info" }, 3, "connect" },
	{ { "network", "intrusion_detection" }, { "protocol", "info" }, 2, "dns_query" },
	{ { "network", "intrusion_detection" }, { "connection", "info" }, 2, "repeated" },
	{ { "file", "intrusion_detection" }, { "creation", "info" }, 2, "creation" },
	{ { "file", "intrusion_detection" }, { "change", "info" }, 2, "overwrite" },
	{ { "file", "intrusion_detection" }, { "access", "info" }, 2, "open" },
	{ { "process", "intrusion_detection" }, { "change", "info" }, 2, "signal" },
	{ { "process", "intrusion_detection" }, { "end", "info" }, 2, "interrupted" },
	{ { "network", "intrusion_detection" }, { "connection", "denied", "info" }, 3, "connect" },
};
/* clang-format on */

enum {
	SHAPE_EXEC,
	SHAPE_CONNECT,
	SHAPE_DNS,
	SHAPE_REPEAT,
	SHAPE_FILE_NEW,
	SHAPE_FILE_CHANGE,
	SHAPE_FILE_ACCESS,
	SHAPE_SIGNAL,
	SHAPE_INTERRUPTED,
	SHAPE_DENIED, /* a connection or datagram the response refused */
};

/* Which image fields a place renders, for what the kernel could not give
 * whole (DS_F_* flags of the image). */
enum {
	IMG_COMMAND_LINE = 1 << 0,
	IMG_ARGS = 1 << 1,
	IMG_EXECUTABLE = 1 << 2,
	IMG_WORKING_DIRECTORY = 1 << 3,
	IMG_ENV_VARS = 1 << 4,
};

/* clang-format off */
static const struct {
	uint32_t flags;		/* any of these */
	unsigned int field;	/* cuts this field */
	const char *name;
} image_cuts[] = {
	{ DS_F_ARGS_TRUNC | DS_F_ARGS_FAULT, IMG_COMMAND_LINE, "command_line" },
	{ DS_F_ARGS_TRUNC | DS_F_ARGS_FAULT, IMG_ARGS, "args" },
	{ DS_F_EXE_TRUNC, IMG_EXECUTABLE, "executable" },
	{ DS_F_CWD_TRUNC, IMG_WORKING_DIRECTORY, "working_directory" },
	{ DS_F_ENV_TRUNC | DS_F_ENV_FAULT, IMG_ENV_VARS, "env_vars" },
};
/* clang-format on */

/* One alert or event being built. */
struct render {
	const struct host_info *host;
	struct json_object *root;
	struct json_object *cut; /* depsentry.truncated: fields cut, once each */
	bool alert;		 /* an alert, else an event line */
	unsigned int shift;	 /* caps halved this many times: the line was too long */
};

/* cap, halved shift times (not below CAP_FLOOR, nor above cap). */
static size_t scaled(const struct render *r, size_t cap)
{
	size_t c = cap >> r->shift;

	return c < CAP_FLOOR ? (cap < CAP_FLOOR ? cap : CAP_FLOOR) : c;
}

/* A JSON string of s made safe (true in *cut when capped), or NULL if s is
 * unknown or empty. */
static struct json_object *jstr_cap(const char *s, size_t cap, bool *cut)
{
	struct json_object *o;
	char *clean;

	if (!s || !*s)
		return NULL;
	clean = utf8_clean(s, cap, cut);
	if (!clean)
		return NULL;
	o = *clean ? json_object_new_string(clean) : NULL;
	free(clean);
	return o;
}

/* The same, capped as a short field: for values rendered whole. */
static struct json_object *jstr(const char *s)
{
	bool cut = false;

	return jstr_cap(s, CAP_SHORT, &cut);
}

/* Name field (an ECS name) in depsentry.truncated. */
static void cut_add(struct render *r, const char *field)
{
	size_t i, n = json_object_array_length(r->cut);

	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(r->cut, i)), field) ==
		    0)
			return;
	json_object_array_add(r->cut, json_object_new_string(field));
}

/* The fields of img rendered under prefix that the kernel, or /proc,
 * could not give whole. */
static void image_cut(struct render *r, const char *prefix, const struct image *img,
		      unsigned int fields)
{
	char path[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(image_cuts); i++) {
		if (!(img->flags & image_cuts[i].flags) || !(fields & image_cuts[i].field))
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, image_cuts[i].name);
		cut_add(r, path);
	}
}

/* Add s at path under obj, capped; a cut names field in depsentry.truncated.
 * Every string taken from a process goes in through here. */
static void put_str_in(struct render *r, struct json_object *obj, const char *path,
		       const char *field, const char *s, size_t cap)
{
	bool cut = false;

	json_put(obj, path, jstr_cap(s, scaled(r, cap), &cut));
	if (cut)
		cut_add(r, field);
}

static void put_str(struct render *r, const char *path, const char *s, size_t cap)
{
	put_str_in(r, r->root, path, path, s, cap);
}

static void put_int(struct json_object *root, const char *path, int64_t v)
{
	json_put(root, path, json_object_new_int64(v));
}

static void put_time(struct json_object *root, const char *path, uint64_t boot_ns)
{
	char buf[TIME_LEN];

	if (!boot_ns)
		return;
	format_boot_time(boot_ns, buf, sizeof(buf));
	json_put(root, path, json_object_new_string(buf));
}

static void put_const_array(struct json_object *root, const char *path, const char *const *v,
			    size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	json_put(root, path, a);
}

static void put_entity_id(const struct render *r, struct json_object *root, const char *path,
			  const struct proc *p)
{
	char id[ENTITY_ID_LEN] = "";

	proc_entity_id(r->host, p, id, sizeof(id));
	json_put(root, path, jstr_cap(id, CAP_SHORT, NULL));
}

/* argv as an array at path, all entries together capped at cap bytes. */
static void put_args(struct render *r, const char *path, const struct image *img, size_t cap)
{
	struct json_object *a = json_object_new_array(), *s;
	size_t used = 0, i;
	bool cut = false;

	cap = scaled(r, cap);
	for (i = 0; img->argv && i < (size_t)img->argc && img->argv[i]; i++) {
		if (i == CAP_ARGS_N || used >= cap) {
			cut = true;
			break;
		}
		s = jstr_cap(img->argv[i], cap - used, &cut);
		if (!s) /* an empty argument is still an argument */
			s = json_object_new_string("");
		used += (size_t)json_object_get_string_len(s) + 1;
		json_object_array_add(a, s);
	}
	if (cut)
		cut_add(r, path);
	if (json_object_array_length(a))
		json_put(r->root, path, a);
	else
		json_object_put(a);
}

/* argc as the kernel counted it, which argv may not hold whole. */
static int args_count(const struct image *img)
{
	return img->argc_total > img->argc ? img->argc_total : img->argc;
}

/* The process image fields shared by process.* and process.parent.*. */
static void put_image(struct render *r, const char *prefix, const struct image *img, size_t cmd_cap)
{
	char path[64];

	snprintf(path, sizeof(path), "%s.name", prefix);
	put_str(r, path, img->name ? img->name : img->comm, CAP_SHORT);
	snprintf(path, sizeof(path), "%s.executable", prefix);
	put_str(r, path, img->exe, CAP_PATH);
	snprintf(path, sizeof(path), "%s.command_line", prefix);
	put_str(r, path, img->cmdline, cmd_cap);
	snprintf(path, sizeof(path), "%s.args", prefix);
	put_args(r, path, img, cmd_cap);
	if (args_count(img) > 0) {
		snprintf(path, sizeof(path), "%s.args_count", prefix);
		put_int(r->root, path, args_count(img));
	}
	image_cut(r, prefix, img, IMG_COMMAND_LINE | IMG_ARGS | IMG_EXECUTABLE);
}

static void put_env_vars(struct render *r, const struct image *img)
{
	struct json_object *a = json_object_new_array(), *s;
	size_t i, used = 0, all = scaled(r, CAP_ENV_ALL);
	bool cut = false;
	char *kv;

	for (i = 0; img->env && i < img->nenv; i++) {
		if (used >= all) {
			cut = true;
			break;
		}
		if (!img->env[i].name || asprintf(&kv, "%s=%s", img->env[i].name,
						  img->env[i].value ? img->env[i].value : "") < 0)
			continue;
		s = jstr_cap(kv, scaled(r, CAP_ENV) < all - used ? scaled(r, CAP_ENV) : all - used,
			     &cut);
		free(kv);
		if (s) {
			used += (size_t)json_object_get_string_len(s);
			json_object_array_add(a, s);
		}
	}
	if (cut)
		cut_add(r, "process.env_vars");
	if (json_object_array_length(a))
		json_put(r->root, "process.env_vars", a);
	else
		json_object_put(a);
}

static void put_user(struct render *r, const char *prefix, uint32_t uid)
{
	char buf[4096], path[64], id[16];
	struct passwd pw, *res = NULL;

	snprintf(id, sizeof(id), "%u", uid);
	snprintf(path, sizeof(path), "%s.id", prefix);
	json_put(r->root, path, json_object_new_string(id));
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) || !res)
		return;
	snprintf(path, sizeof(path), "%s.name", prefix);
	put_str(r, path, res->pw_name, CAP_SHORT);
}

static void put_group(struct render *r, uint32_t gid)
{
	char *buf, id[16];
	struct group gr, *res = NULL;
	size_t len = 16384; /* member lists can be long */

	snprintf(id, sizeof(id), "%u", gid);
	json_put(r->root, "process.group.id", json_object_new_string(id));
	buf = malloc(len);
	if (buf && !getgrgid_r(gid, &gr, buf, len, &res) && res)
		put_str(r, "process.group.name", res->gr_name, CAP_SHORT);
	free(buf);
}

/* A path of img's as the host sees it: the one the kernel gave, else the
 * one its place's mounts show. */
static void put_host_path(struct render *r, const char *path, const struct image *img,
			  const char *given, const char *own)
{
	char *host = given ? NULL : place_host_path(img, own);

	put_str(r, path, given ? given : host, CAP_PATH);
	free(host);
}

static void render_process(struct render *r, const struct proc *p)
{
	const struct image *img = p->img;

	if (p->pid) { /* 0: an interrupted daemon no file named */
		put_int(r->root, "process.pid", p->pid);
		put_entity_id(r, r->root, "process.entity_id", p);
	}
	put_str(r, "process.name", img->name ? img->name : img->comm, CAP_SHORT);
	put_str(r, "process.executable", img->exe, CAP_PATH);
	put_str(r, "process.command_line", img->cmdline, CAP_CMDLINE);
	put_args(r, "process.args", img, CAP_ARGS);
	if (args_count(img) > 0)
		put_int(r->root, "process.args_count", args_count(img));
	put_str(r, "process.working_directory", img->cwd, CAP_PATH);
	/* a process with a root of its own (chroot, container): the same
	 * paths as its mount namespace sees them */
	put_str(r, "depsentry.process.root", img->root, CAP_PATH);
	put_host_path(r, "depsentry.process.host_executable", img, img->host_exe, img->exe);
	put_host_path(r, "depsentry.process.host_working_directory", img, img->host_cwd, img->cwd);
	put_time(r->root, "process.start", p->start);
	put_user(r, "process.user", p->uid);
	put_group(r, p->gid);
	put_env_vars(r, img);
	put_user(r, "user", p->uid);
	image_cut(r, "process", img,
		  IMG_COMMAND_LINE | IMG_ARGS | IMG_EXECUTABLE | IMG_WORKING_DIRECTORY |
			  IMG_ENV_VARS);
}

static void render_parent(struct render *r, const struct proc *p)
{
	const struct proc *pp = p->parent;

	if (!pp || !pp->img) {
		if (p->ppid)
			put_int(r->root, "process.parent.pid", p->ppid);
		return;
	}
	put_int(r->root, "process.parent.pid", pp->pid);
	put_entity_id(r, r->root, "process.parent.entity_id", pp);
	put_image(r, "process.parent", pp->img, CAP_RELATIVE);
	put_time(r->root, "process.parent.start", pp->start);
}

static void render_package(struct render *r, const struct proc *p)
{
	struct package_ref pk;

	if (!proc_package(p, &pk))
		return;
	put_str(r, "package.name", pk.name, CAP_SHORT);
	put_str(r, "package.version", pk.version, CAP_SHORT);
	if (p->sess && p->sess->pm)
		put_str(r, "package.type", p->sess->pm->package_type, CAP_SHORT);
	json_put(r->root, "depsentry.package.name_source",
		 json_object_new_string(package_source_name(pk.source)));
	if (pk.from != p)
		put_int(r->root, "depsentry.package.name_from.pid", pk.from->pid);
}

static void render_host(struct render *r, const struct host_info *h)
{
	put_str(r, "host.hostname", h->hostname, CAP_SHORT);
	put_str(r, "host.name", h->hostname, CAP_SHORT);
	put_str(r, "host.id", h->id, CAP_SHORT);
	put_str(r, "host.architecture", h->architecture, CAP_SHORT);
	json_put(r->root, "host.os.type", json_object_new_string("linux"));
	put_str(r, "host.os.name", h->os_name, CAP_SHORT);
	put_str(r, "host.os.version", h->os_version, CAP_SHORT);
	put_str(r, "host.os.family", h->os_family, CAP_SHORT);
	put_str(r, "host.os.kernel", h->os_kernel, CAP_SHORT);
	json_put(r->root, "agent.type", json_object_new_string("depsentry"));
	json_put(r->root, "agent.version", json_object_new_string(DEPSENTRY_VERSION));
	put_str(r, "agent.id", h->agent_id, CAP_SHORT);
	put_str(r, "agent.name", h->hostname, CAP_SHORT);
}

/* Best effort: the process (or its parent or session root) may be gone. */
/* The namespaces of p that are not the host's (the daemon's), by inode. */
static void render_namespaces(struct render *r, const struct host_info *h, const struct image *img)
{
	const struct {
		const char *path;
		uint32_t own, host;
	} ns[] = {
		{ "depsentry.namespace.pid", img->pid_ns, h->ns_pid },
		{ "depsentry.namespace.mnt", img->mnt_ns, h->ns_mnt },
		{ "depsentry.namespace.net", img->net_ns, h->ns_net },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ns); i++)
		if (ns[i].own && ns[i].host && ns[i].own != ns[i].host)
			put_int(r->root, ns[i].path, ns[i].own);
}

static void render_container(struct render *r, const struct host_info *h, const struct proc *p)
{
	const struct proc *cand[3] = { p, p->parent, p->sess ? p->sess->root : NULL };
	struct container c;
	bool found = false;
	size_t i;

	render_namespaces(r, h, p->img);
	/* by the cgroup its exec was in: the process may be gone already */
	for (i = 0; i < ARRAY_SIZE(cand) && !found; i++)
		found = cand[i] && container_by_cgroup_id(cand[i]->cgroup_id, &c);
	for (i = 0; i < ARRAY_SIZE(cand) && !found; i++)
		found = cand[i] && !cand[i]->exited &&
			container_by_pid(cand[i]->pid, cand[i]->start, &c);
	if (!found)
		return;
	/* a build step: its working container, by the step's host name */
	if (!c.id[0])
		(void)container_name_lookup(&c, place_hostname(p->img));
	put_str(r, "container.id", c.id[0] ? c.id : NULL, CAP_SHORT);
	put_str(r, "container.runtime", c.runtime[0] ? c.runtime : NULL, CAP_SHORT);
	put_str(r, "container.name", c.name[0] ? c.name : NULL, CAP_SHORT);
	put_str(r, "orchestrator.type", c.orchestrator[0] ? c.orchestrator : NULL, CAP_SHORT);
}

static void render_session(struct render *r, const struct proc *p)
{
	const struct session *s = p->sess;
	const struct proc *root = s ? s->root : NULL;
	char id[24];

	/* a lifecycle hook is worth naming inside a session or not */
	put_str(r, "depsentry.lifecycle_event", proc_lifecycle_event(p), CAP_SHORT);
	if (!s)
		return;
	snprintf(id, sizeof(id), "%016" PRIx64, s->id);
	json_put(r->root, "depsentry.session.id", json_object_new_string(id));
	if (s->pm)
		put_str(r, "depsentry.session.package_manager", s->pm->name, CAP_SHORT);
	put_int(r->root, "depsentry.depth", p->depth);
	if (!root || !root->img)
		return;
	put_int(r->root, "depsentry.session.pid", root->pid);
	put_entity_id(r, r->root, "depsentry.session.entity_id", root);
	put_str(r, "depsentry.session.executable", root->img->exe, CAP_PATH);
	put_str(r, "depsentry.session.command_line", root->img->cmdline, CAP_RELATIVE);
	image_cut(r, "depsentry.session", root->img, IMG_EXECUTABLE | IMG_COMMAND_LINE);
	put_time(r->root, "depsentry.session.start", root->start);
	json_put(r->root, "depsentry.session.started_by",
		 json_object_new_string(s->lifecycle ? "lifecycle_environment"
						     : "package_manager"));
}

static struct json_object *chain_entry(struct render *r, const struct proc *q)
{
	struct json_object *e = json_object_new_object();
	bool cut = false;

	put_int(e, "pid", q->pid);
	put_entity_id(r, e, "entity_id", q);
	if (q->img) {
		put_str_in(r, e, "name", "depsentry.ancestry.name",
			   q->img->name ? q->img->name : q->img->comm, CAP_SHORT);
		json_put(e, "command_line", jstr_cap(q->img->cmdline, scaled(r, CAP_CHAIN), &cut));
		cut |= (q->img->flags & (DS_F_ARGS_TRUNC | DS_F_ARGS_FAULT)) != 0;
	}
	if (cut) {
		json_put(e, "truncated", json_object_new_boolean(true));
		cut_add(r, "depsentry.ancestry.command_line");
	}
	return e;
}

/* The nearest CHAIN_MAX processes from the session root (else the top-most
 * known ancestor) down to p, oldest first. */
static void render_ancestry(struct render *r, const struct proc *p)
{
	const struct proc *chain[CHAIN_MAX], *q = p, *root = p->sess ? p->sess->root : NULL;
	struct json_object *a;
	size_t n = 0;

	while (q && n < CHAIN_MAX) {
		chain[n++] = q;
		q = q == root ? NULL : q->parent;
	}
	a = json_object_new_array();
	while (n > 0)
		json_object_array_add(a, chain_entry(r, chain[--n]));
	json_put(r->root, "depsentry.ancestry", a);
	json_put(r->root, "depsentry.ancestry_truncated", json_object_new_boolean(q != NULL));
}

static void render_rule(struct render *r, const struct verdict *v)
{
	const struct rule_info *ri = rule_info(v->rule);

	if (ri) {
		put_str(r, "rule.id", rule_id_name(v->rule), CAP_SHORT);
		put_str(r, "rule.name", ri->name, CAP_SHORT);
		put_str(r, "rule.description", ri->description, CAP_SHORT);
		put_str(r, "rule.reference", ri->reference, CAP_SHORT);
		put_str(r, "rule.ruleset", ri->threat->subtechnique_id, CAP_SHORT);
	}
}

/* The ids of every rule that matched, the reported one included. */
static void render_rules_matched(struct render *r, const struct verdict *v)
{
	struct json_object *ids = json_object_new_array();
	int i;

	for (i = RULE_NONE + 1; i < RULE_MAX; i++)
		if ((v->rules_matched & (1U << i)) || i == (int)v->rule)
			json_object_array_add(ids, json_object_new_string(
							   rule_id_name((enum rule_id)i)));
	if (json_object_array_length(ids))
		json_put(r->root, "depsentry.rules_matched", ids);
	else
		json_object_put(ids);
}

static void render_threat(struct render *r, const struct verdict *v)
{
	const struct rule_info *ri = rule_info(v->rule);
	const struct threat *t = ri ? ri->threat : NULL;
	/* is_array follows the ECS Normalization column */
	const struct {
		const char *path;
		const char *value;
	} f[] = {
		{ "threat.tactic.id", t ? t->tactic_id : NULL },
		{ "threat.tactic.name", t ? t->tactic_name : NULL },
		{ "threat.tactic.reference", t ? t->tactic_ref : NULL },
		{ "threat.technique.id", t ? t->technique_id : NULL },
		{ "threat.technique.name", t ? t->technique_name : NULL },
		{ "threat.technique.reference", t ? t->technique_ref : NULL },
		{ "threat.technique.subtechnique.id", t ? t->subtechnique_id : NULL },
		{ "threat.technique.subtechnique.name", t ? t->subtechnique_name : NULL },
		{ "threat.technique.subtechnique.reference", t ? t->subtechnique_ref : NULL },
	};
	size_t i;

	if (!t)
		return;
	json_put(r->root, "threat.framework", json_object_new_string("MITRE ATT&CK"));
	for (i = 0; i < ARRAY_SIZE(f); i++)
		put_const_array(r->root, f[i].path, &f[i].value, 1);
}

static void render_verdict(struct render *r, const struct verdict *v)
{
	const struct proc *h = v->hook;

	render_rules_matched(r, v);
	put_str(r, "depsentry.severity", severity_name(v->severity), CAP_SHORT);
	put_str(r, "depsentry.matched.field", v->matched_field, CAP_SHORT);
	put_str(r, "depsentry.matched.value", v->matched, CAP_SHORT);
	put_str(r, "depsentry.excluded_by", v->excluded_by, CAP_SHORT);
	if (!h)
		return;
	put_int(r->root, "depsentry.hook.pid", h->pid);
	put_entity_id(r, r->root, "depsentry.hook.entity_id", h);
	if (h->img) {
		put_str(r, "depsentry.hook.name", h->img->name, CAP_SHORT);
		put_str(r, "depsentry.hook.command_line", h->img->cmdline, CAP_RELATIVE);
		image_cut(r, "depsentry.hook", h->img, IMG_COMMAND_LINE);
	}
}

static void render_ci(struct render *r, const struct proc *p)
{
	uint32_t cmd = ci_exec_pid(&r->host->exec, p);
	struct ci_context ci;
	char path[64];
	int i;

	if (cmd)
		put_int(r->root, "depsentry.exec.pid", cmd);
	if (!ci_context_for(&r->host->exec, p, &ci))
		return;
	for (i = 0; i < CI_FIELD_MAX; i++) {
		snprintf(path, sizeof(path), "depsentry.ci.%s", ci_field_name(i));
		put_str(r, path, ci.v[i], CAP_SHORT);
	}
	json_put(r->root, "depsentry.ci.source", json_object_new_string(ci.source));
}

/* depsentry.truncated: the fields cut, when any was. */
static void render_truncated(struct render *r)
{
	if (json_object_array_length(r->cut)) {
		json_put(r->root, "depsentry.truncated", r->cut);
		r->cut = NULL;
	}
}

static int event_shape(const struct verdict *v)
{
	if (v->tamper)
		return v->tamper->interrupted ? SHAPE_INTERRUPTED : SHAPE_SIGNAL;
	if (v->file && v->file->op == DS_FILE_OPEN)
		return SHAPE_FILE_ACCESS;
	if (v->file)
		return v->file->created ? SHAPE_FILE_NEW : SHAPE_FILE_CHANGE;
	if (!v->net)
		return SHAPE_EXEC;
	if (v->net->repeats)
		return SHAPE_REPEAT;
	if (v->net->kind == NET_DNS_QUERY)
		return SHAPE_DNS;
	return v->net->egress & DS_EGRESS_BLOCKED ? SHAPE_DENIED : SHAPE_CONNECT;
}

static void render_event(struct render *r, const struct verdict *v, uint64_t event_ts)
{
	unsigned char raw[EVENT_ID_BYTES];
	char id[2 * EVENT_ID_BYTES + 1];
	int score = severity_score(v->severity), sh = event_shape(v);
	const struct rule_info *ri = rule_info(v->rule);
	const char *cats[2] = { ri && ri->category ? ri->category : event_shapes[sh].categories[0],
				event_shapes[sh].categories[1] };
	size_t i;

	put_time(r->root, "@timestamp", event_ts ? event_ts : boot_now());
	json_put(r->root, "ecs.version", json_object_new_string(ECS_VERSION));
	/* a follow-up counts sightings of an alert already written */
	json_put(r->root, "event.kind",
		 json_object_new_string(sh == SHAPE_REPEAT || !r->alert ? "event" : "alert"));
	/* an alert's category is its rule's (rules/table.c) */
	put_const_array(r->root, "event.category", cats, r->alert ? 2 : 1);
	put_const_array(r->root, "event.type", event_shapes[sh].types,
			event_shapes[sh].ntypes - !r->alert);
	json_put(r->root, "event.action",
		 json_object_new_string(v->file ? v->file->action : event_shapes[sh].action));
	if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) == (ssize_t)sizeof(raw)) {
		for (i = 0; i < sizeof(raw); i++)
			snprintf(id + 2 * i, 3, "%02x", raw[i]);
		json_put(r->root, "event.id", json_object_new_string(id));
	}
	json_put(r->root, "event.module", json_object_new_string("depsentry"));
	json_put(r->root, "event.dataset",
		 json_object_new_string(r->alert ? "depsentry.alerts" : "depsentry.events"));
	put_time(r->root, "event.created", boot_now());
	if (!r->alert)
		return;
	put_int(r->root, "event.severity", score);
	json_put(r->root, "event.risk_score", json_object_new_double(score));
	put_str(r, "event.reason", v->reason, CAP_SHORT);
}

static const char *transport_name(uint8_t t)
{
	return t == IPPROTO_TCP ? "tcp" : t == IPPROTO_UDP ? "udp" : NULL;
}

/* connect()'s errors by name, as in errno(3), lower case without the E */
/* clang-format off */
static const struct {
	int err;
	const char *name;
} connect_errors[] = {
	{ EINPROGRESS, "in_progress" },	  { ECONNREFUSED, "refused" },
	{ ETIMEDOUT, "timedout" },	  { ENETUNREACH, "netunreach" },
	{ EHOSTUNREACH, "hostunreach" },  { EACCES, "acces" },
	{ EPERM, "perm" },		  { EADDRNOTAVAIL, "addrnotavail" },
	{ EADDRINUSE, "addrinuse" },	  { EAFNOSUPPORT, "afnosupport" },
	{ EALREADY, "already" },	  { EISCONN, "isconn" },
	{ EINTR, "intr" },		  { EAGAIN, "again" },
	{ ECONNRESET, "connreset" },	  { ENETDOWN, "netdown" },
	{ EINVAL, "inval" },		  { EBADF, "badf" },
	{ ENOTSOCK, "notsock" },	  { EPROTOTYPE, "prototype" },
	{ ENOBUFS, "nobufs" },		  { ENOMEM, "nomem" },
};
/* clang-format on */

/* connect()'s result: "success", "in_progress" (non-blocking), "refused",
 * another errno's name, or "errno N". */
static void connect_result(int ret, char *buf, size_t len)
{
	size_t i;

	if (ret == 0) {
		snprintf(buf, len, "success");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(connect_errors); i++) {
		if (-ret == connect_errors[i].err) {
			snprintf(buf, len, "%s", connect_errors[i].name);
			return;
		}
	}
	snprintf(buf, len, "errno %d", -ret);
}

static void put_endpoint(struct json_object *root, const char *prefix, const struct ipaddr *a,
			 uint16_t port, struct json_object *related)
{
	char ip[IPADDR_STRLEN], path[32];

	ipaddr_format(a, ip, sizeof(ip));
	if (*ip) {
		snprintf(path, sizeof(path), "%s.ip", prefix);
		json_put(root, path, json_object_new_string(ip));
		json_object_array_add(related, json_object_new_string(ip));
	}
	if (port) {
		snprintf(path, sizeof(path), "%s.port", prefix);
		put_int(root, path, port);
	}
}

/* A DNS name as shown: the root's has no labels and shows as ".". */
static const char *dns_shown(const char *name)
{
	return name && !*name ? "." : name;
}

static void render_network(struct render *r, const struct proc *p, const struct verdict *v)
{
	const struct net_event *n = v->net;
	const char *domain = dns_shown(n->domain), *qname = dns_shown(n->qname);
	struct json_object *ips = json_object_new_array();
	char res[32], ip[IPADDR_STRLEN];

	/* a follow-up may outlive its process: the session is still named */
	if (n->session && !p->sess) {
		snprintf(res, sizeof(res), "%016" PRIx64, n->session);
		json_put(r->root, "depsentry.session.id", json_object_new_string(res));
	}

	put_endpoint(r->root, "source", &n->src, n->sport, ips);
	put_endpoint(r->root, "destination", &n->dst, n->dport, ips);
	ipaddr_format(&n->dst, ip, sizeof(ip));
	put_str(r, "destination.domain", domain, CAP_SHORT);
	put_str(r, "destination.address", domain ? domain : ip, CAP_SHORT);
	if (json_object_array_length(ips))
		json_put(r->root, "related.ip", ips);
	else
		json_object_put(ips);
	if (domain || qname) {
		struct json_object *hosts = json_object_new_array();
		bool cut = false;

		json_object_array_add(hosts, jstr_cap(domain ? domain : qname, scaled(r, CAP_SHORT),
						      &cut));
		json_put(r->root, "related.hosts", hosts);
		if (cut)
			cut_add(r, "related.hosts");
	}
	json_put(r->root, "network.direction", json_object_new_string("egress"));
	put_str(r, "network.transport", transport_name(n->transport), CAP_SHORT);
	if (n->transport) {
		snprintf(res, sizeof(res), "%u", n->transport);
		json_put(r->root, "network.iana_number", json_object_new_string(res));
	}
	put_str(r, "network.type",
		n->dst.family == AF_INET    ? "ipv4"
		: n->dst.family == AF_INET6 ? "ipv6"
					    : NULL,
		CAP_SHORT);
	if (n->resolver) /* the connect behind the process's DNS questions */
		json_put(r->root, "network.protocol", json_object_new_string("dns"));
	if (n->kind == NET_DNS_QUERY) {
		json_put(r->root, "network.protocol", json_object_new_string("dns"));
		json_put(r->root, "dns.type", json_object_new_string("query"));
		snprintf(res, sizeof(res), "%u", n->dns_id);
		json_put(r->root, "dns.id", json_object_new_string(res));
		put_str(r, "dns.question.name", qname, CAP_SHORT);
		put_str(r, "dns.question.type", dns_qtype_name(n->qtype), CAP_SHORT);
		put_str(r, "dns.question.registered_domain", dns_site(n->qname), CAP_SHORT);
	} else if (!n->repeats) {
		connect_result(n->result, res, sizeof(res));
		json_put(r->root, "depsentry.network.result", json_object_new_string(res));
		json_put(r->root, "event.outcome",
			 json_object_new_string(n->result == 0		    ? "success"
						: n->result == -EINPROGRESS ? "unknown"
									    : "failure"));
	}
	if (n->repeats) {
		put_int(r->root, "depsentry.network.repeats", (int64_t)n->repeats);
		put_time(r->root, "depsentry.network.first_seen", n->first_ns);
		put_time(r->root, "depsentry.network.last_seen", n->last_ns);
	}
}

/* What the kernel could not give whole of a file event's paths. */
static void file_cut(struct render *r, const struct file_event *f)
{
	if (f->cut & (FILE_CUT_PATH | FILE_CUT_NAME)) {
		cut_add(r, "file.path");
		cut_add(r, "file.directory");
	}
	if (f->cut & FILE_CUT_NAME)
		cut_add(r, "file.name");
	if ((f->cut & FILE_CUT_OLD) && f->old_path)
		cut_add(r, "depsentry.file.old_path");
}

/* file.path, and its name and directory: the name after the last slash,
 * or NULL when there is none. */
static const char *put_file_path(struct render *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	put_str(r, "file.path", path, CAP_PATH);
	json_put(r->root, "file.type", json_object_new_string("file"));
	if (!slash)
		return NULL;
	put_str(r, "file.name", slash + 1, CAP_PATH);
	dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	put_str(r, "file.directory", dir, CAP_PATH);
	free(dir);
	return slash + 1;
}

/* install-dropped-exec: the file run, where it lies and when it changed. */
static void render_dropped(struct render *r, const struct dropped_file *f)
{
	char buf[TIME_LEN];

	put_file_path(r, f->path);
	if (f->mode) { /* else removed before it was looked at */
		snprintf(buf, sizeof(buf), "%04o", f->mode & 07777);
		json_put(r->root, "file.mode", json_object_new_string(buf));
	}
	if (f->ctime) {
		format_wall_time(f->ctime, buf, sizeof(buf));
		json_put(r->root, "file.ctime", json_object_new_string(buf));
	}
	json_put(r->root, "depsentry.dropped.how", json_object_new_string(f->how));
	if (f->writer) {
		put_int(r->root, "depsentry.dropped.writer.pid", f->writer->pid);
		put_entity_id(r, r->root, "depsentry.dropped.writer.entity_id", f->writer);
		put_str(r, "depsentry.dropped.writer.name", f->writer->img->name, CAP_SHORT);
		put_str(r, "depsentry.dropped.writer.command_line", f->writer->img->cmdline,
			CAP_RELATIVE);
	}
	json_put(r->root, "depsentry.dropped.world_writable_directory",
		 json_object_new_boolean(S_ISDIR(f->dir_mode) && (f->dir_mode & S_IWOTH)));
}

static void render_file(struct render *r, const struct proc *p, const struct verdict *v)
{
	const struct file_event *f = v->file;
	const char *name, *dot;
	char buf[32];

	if (f->session && !p->sess) {
		snprintf(buf, sizeof(buf), "%016" PRIx64, f->session);
		json_put(r->root, "depsentry.session.id", json_object_new_string(buf));
	}
	name = put_file_path(r, f->path);
	dot = name ? strrchr(name, '.') : NULL;
	if (dot && dot != name && dot[1])
		put_str(r, "file.extension", dot + 1, CAP_SHORT);
	put_str(r, "depsentry.file.host_path", f->host_path, CAP_PATH);
	put_str(r, "depsentry.file.old_path", f->old_path, CAP_PATH);
	put_str(r, "depsentry.file.pattern", f->pattern, CAP_SHORT);
	json_put(r->root, "depsentry.file.writer",
		 json_object_new_string(f->writer == WRITER_SESSION	 ? "install-session"
					: f->writer == WRITER_SUSPICIOUS ? "suspicious"
					: f->writer == WRITER_KNOWN	 ? "known"
									 : "other"));
	if (f->op != DS_FILE_WRITE && f->op != DS_FILE_OPEN)
		json_put(r->root, "depsentry.file.symlinks_resolved",
			 json_object_new_boolean(f->resolved));
	file_cut(r, f);
}

static void put_signal(struct json_object *root, const char *prefix, const struct tamper_signal *s)
{
	char path[96];

	snprintf(path, sizeof(path), "%s.number", prefix);
	put_int(root, path, s->sig);
	snprintf(path, sizeof(path), "%s.name", prefix);
	json_put(root, path, jstr(s->name));
	snprintf(path, sizeof(path), "%s.code", prefix);
	put_int(root, path, s->code);
	snprintf(path, sizeof(path), "%s.origin", prefix);
	json_put(root, path, json_object_new_string(tamper_origin_name(s->origin)));
}

static void put_wall_time(struct json_object *root, const char *path, int64_t wall_ns)
{
	char buf[TIME_LEN];

	format_wall_time(wall_ns, buf, sizeof(buf));
	json_put(root, path, json_object_new_string(buf));
}

static void render_interruption(struct render *r, const struct tamper_event *t)
{
	int64_t gap = tamper_gap_ns(t->heartbeat_ns, t->restart_ns);

	json_put(r->root, "depsentry.interruption.cause", jstr(t->cause));
	json_put(r->root, "depsentry.interruption.sessions_running",
		 json_object_new_boolean(t->sessions_running));
	if (t->sessions >= 0)
		put_int(r->root, "depsentry.interruption.sessions", t->sessions);
	json_put(r->root, "depsentry.interruption.reboot", json_object_new_boolean(t->reboot));
	if (t->state_unreadable)
		json_put(r->root, "depsentry.interruption.state_unreadable",
			 json_object_new_boolean(true));
	if (t->state_contradicted)
		json_put(r->root, "depsentry.interruption.state_contradicted",
			 json_object_new_boolean(true));
	put_wall_time(r->root, "event.end", t->restart_ns);
	if (t->heartbeat_ns >= 0) {
		put_wall_time(r->root, "event.start", t->heartbeat_ns);
		json_put(r->root, "depsentry.interruption.heartbeat_from", jstr(t->heartbeat_from));
	}
	if (gap >= 0) {
		put_int(r->root, "event.duration", gap);
		json_put(r->root, "depsentry.interruption.gap_seconds",
			 json_object_new_double((double)(gap / 1000000) / 1000));
	}
	if (!t->ended_by.sig)
		return;
	put_signal(r->root, "depsentry.interruption.ended_by.signal", &t->ended_by);
	if (t->ended_by.origin != ORIGIN_PROCESS)
		return;
	put_int(r->root, "depsentry.interruption.ended_by.pid", t->ended_by.pid);
	json_put(r->root, "depsentry.interruption.ended_by.name", jstr(t->ended_by.comm));
}

/* sensor-signal and sensor-interrupted: the signal, the daemon, the gap. */
static void render_tamper(struct render *r, const struct proc *p, const struct verdict *v)
{
	const struct tamper_event *t = v->tamper;
	struct package_ref pk;
	char buf[32];

	if (t->signal.sig)
		put_signal(r->root, "depsentry.signal", &t->signal);
	if (t->signal.session && !p->sess) { /* a sender the table no longer holds */
		snprintf(buf, sizeof(buf), "%016" PRIx64, t->signal.session);
		json_put(r->root, "depsentry.session.id", json_object_new_string(buf));
	}
	/* only npm and the package managers that copy it set npm_package_name */
	if (!p->sess && proc_package(p, &pk))
		json_put(r->root, "package.type", json_object_new_string("npm"));
	if (t->sensor_pid)
		put_int(r->root, "depsentry.sensor.pid", t->sensor_pid);
	if (!t->reboot)
		put_time(r->root, "depsentry.sensor.start", t->sensor_start);
	if (t->interrupted)
		render_interruption(r, t);
}

static size_t appendf(char *buf, size_t len, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* snprintf at buf + n; returns the new length, clamped to the buffer. */
static size_t appendf(char *buf, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n + 1 >= len)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return n;
	return n + (size_t)w < len ? n + (size_t)w : len - 1;
}

/* " connected to exfil.example (203.0.113.7) port 443/tcp" and the like */
static void net_message(FILE *m, const struct net_event *e)
{
	char ip[IPADDR_STRLEN];
	const char *t = transport_name(e->transport);

	ipaddr_format(&e->dst, ip, sizeof(ip));
	if (e->kind == NET_DNS_QUERY)
		fprintf(m, " asked %s for %s", ip, e->qname ? dns_shown(e->qname) : "?");
	else if (e->domain)
		fprintf(m, " connected to %s (%s) port %u", dns_shown(e->domain), ip, e->dport);
	else
		fprintf(m, " connected to %s port %u", ip, e->dport);
	if (t && e->kind != NET_DNS_QUERY)
		fprintf(m, "/%s", t);
	if (e->repeats)
		fprintf(m, " %llu times in all", (unsigned long long)e->repeats);
}

/* What p did, after its name: "under npm for package evil-pkg@1.0.0
 * (postinstall), 2 levels below the package manager: reconnaissance" */
static void say_place(FILE *m, const struct proc *p, const struct verdict *v)
{
	const char *ev = proc_lifecycle_event(p);
	struct package_ref pk;
	const char *pkg = proc_package(p, &pk) ? pk.name : NULL, *ver = pk.version;

	if (p->sess && p->sess->pm) {
		fprintf(m, " %s %s", v->net || v->file || v->tamper ? "under" : "started under",
			p->sess->pm->name);
		if (pkg && *pkg)
			fprintf(m, " for package %s%s%s", pkg, ver && *ver ? "@" : "",
				ver && *ver ? ver : "");
		if (ev && *ev)
			fprintf(m, " (%s)", ev);
		if (p->depth)
			fprintf(m, ", %u level%s below the package manager", p->depth,
				p->depth == 1 ? "" : "s");
	} else if (p->parent && p->parent->img && p->parent->img->name) {
		fprintf(m, " started by %s (pid %u)", p->parent->img->name, p->parent->pid);
	}
	if (v->reason && *v->reason)
		fprintf(m, ": %s", v->reason);
}

/* " from kill (pid 5678) of an install session, for package x@1.0.0" */
static size_t sender_message(char *msg, size_t len, size_t n, const struct proc *p,
			     const struct tamper_signal *s)
{
	struct package_ref pk;
	const char *pkg = proc_package(p, &pk) ? pk.name : NULL, *ver = pk.version;

	if (s->origin == ORIGIN_SELF)
		return appendf(msg, len, n, " %s (a crash)", s->name);
	if (s->origin != ORIGIN_PROCESS)
		return appendf(msg, len, n, " %s from the kernel", s->name);
	n = appendf(msg, len, n, " %s from %s (pid %u)%s", s->name, s->comm, s->pid,
		    s->session ? " of an install session" : ", outside install sessions");
	if (pkg && *pkg)
		n = appendf(msg, len, n, " for package %s%s%s", pkg, ver && *ver ? "@" : "",
			    ver && *ver ? ver : "");
	return n;
}

/* "the sensor (pid 812) stopped without a clean shutdown: SIGKILL from
 * sh (pid 5678) of an install session for package x@1.0.0; no heartbeat
 * for 3.2 s; install sessions were running" */
static void interruption_message(struct render *r, const struct proc *p,
				 const struct tamper_event *t)
{
	int64_t gap = tamper_gap_ns(t->heartbeat_ns, t->restart_ns);
	char msg[2 * CAP_SHORT];
	size_t n;

	n = appendf(msg, sizeof(msg), 0, "the sensor");
	if (t->sensor_pid)
		n = appendf(msg, sizeof(msg), n, " (pid %u)", t->sensor_pid);
	n = appendf(msg, sizeof(msg), n, " stopped without a clean shutdown:");
	if (t->signal.sig)
		n = sender_message(msg, sizeof(msg), n, p, &t->signal);
	else
		n = appendf(msg, sizeof(msg), n, " cause unknown%s",
			    t->reboot ? ", the machine restarted since" : "");
	if (t->ended_by.sig) {
		n = appendf(msg, sizeof(msg), n, "; ended by");
		n = sender_message(msg, sizeof(msg), n, p, &t->ended_by);
	}
	if (gap >= 0)
		n = appendf(msg, sizeof(msg), n, "; no heartbeat for %.1f s", (double)gap / 1e9);
	appendf(msg, sizeof(msg), n, "; %s",
		t->sessions_running ? "install sessions were running"
				    : "no install session was running");
	json_put(r->root, "message", jstr(msg));
}

/* "whoami (pid 1234) started under npm for package evil-pkg@1.0.0
 * (postinstall), 2 levels below the package manager: reconnaissance" */
static void render_message(struct render *r, const struct proc *p, const struct verdict *v)
{
	const char *name = p->img->name ? p->img->name : p->img->comm;
	char *msg = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msg, &len);

	if (v->tamper && v->tamper->interrupted) {
		if (m)
			fclose(m);
		free(msg);
		interruption_message(r, p, v->tamper);
		return;
	}
	if (!m)
		return;
	fprintf(m, "%s (pid %u)", name, p->pid);
	if (v->tamper)
		fprintf(m, " sent %s to the sensor (pid %u)", v->tamper->signal.name,
			v->tamper->sensor_pid);
	if (v->net)
		net_message(m, v->net);
	if (v->file)
		fprintf(m, " %s %s%s%s",
			v->file->op == DS_FILE_RENAME ? "renamed a file onto"
			: v->file->op == DS_FILE_LINK ? "linked a file onto"
			: v->file->op == DS_FILE_OPEN ? "read"
			: v->file->created	      ? "created"
						      : "modified",
			v->file->path, v->file->old_path ? " from " : "",
			v->file->old_path ? v->file->old_path : "");
	say_place(m, p, v);
	if (fclose(m) == 0)
		put_str(r, "message", msg, CAP_MESSAGE);
	free(msg);
}

/* What the response did (daemon/respond.c), or would have done. */
static void render_response(struct render *r, const struct verdict *v)
{
	const struct response *x = v->response;

	if (x->egress)
		json_put(r->root, "depsentry.response.egress", json_object_new_string(x->egress));
	if (v->net && (v->net->egress & DS_EGRESS_SENDMSG))
		json_put(r->root, "depsentry.network.datagram", json_object_new_boolean(1));
	if (!x->action)
		return;
	json_put(r->root, "depsentry.response.action", json_object_new_string(x->action));
	if (x->killed)
		put_int(r->root, "depsentry.response.killed", x->killed);
	if (x->error)
		put_str(r, "depsentry.response.error", x->error, CAP_SHORT);
}

static char *render_once(const struct host_info *h, const struct proc *p, const struct verdict *v,
			 uint64_t event_ts, bool alert, unsigned int shift, size_t *len)
{
	struct render r = { .host = h, .alert = alert, .shift = shift };
	char *line;

	r.root = json_object_new_object();
	r.cut = json_object_new_array();
	if (!r.root || !r.cut) {
		json_object_put(r.root);
		json_object_put(r.cut);
		return NULL;
	}
	render_event(&r, v, event_ts);
	render_message(&r, p, v);
	if (alert) {
		render_rule(&r, v);
		render_threat(&r, v);
	}
	render_process(&r, p);
	render_parent(&r, p);
	render_package(&r, p);
	render_host(&r, h);
	render_container(&r, h, p);
	render_session(&r, p);
	if (alert) {
		render_ancestry(&r, p);
		render_verdict(&r, v);
	}
	if (v->net)
		render_network(&r, p, v);
	if (v->file)
		render_file(&r, p, v);
	if (v->tamper)
		render_tamper(&r, p, v);
	if (v->dropped)
		render_dropped(&r, v->dropped);
	if (v->response)
		render_response(&r, v);
	render_ci(&r, p);
	render_truncated(&r);
	line = json_line(r.root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
	json_object_put(r.cut);
	json_object_put(r.root);
	return line;
}

static char *render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		    uint64_t event_ts, bool alert, size_t *len)
{
	unsigned int shift;
	char *line;

	if (!h || !p || !p->img || !v || !len)
		return NULL;
	for (shift = 0;; shift++) {
		line = render_once(h, p, v, event_ts, alert, shift, len);
		if (!line || *len <= LINE_MAX || shift == SHIFT_MAX)
			return line;
		free(line);
	}
}

char *alert_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len)
{
	return render(h, p, v, event_ts, true, len);
}

char *event_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len)
{
	return render(h, p, v, event_ts, false, len);
}
