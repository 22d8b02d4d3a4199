// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * alert_render: synthetic process chains rendered, parsed back and checked
 * field by field, hostile argv kept to one valid UTF-8 JSON line, and every
 * line run through tests/ecs_check.py (the tests run from the repo root).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <errno.h>
#include <netinet/in.h>

#include "unit.h"

#define BIG_ARG (100 * 1024)

static struct pm_def npm_pm = { .name = "npm", .package_type = "npm" };
static struct host_info host;

static const char *jstr_at(struct json_object *o, const char *path)
{
	struct json_object *v = json_get(o, path);

	assert_non_null(v);
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static int64_t jint_at(struct json_object *o, const char *path)
{
	struct json_object *v = json_get(o, path);

	assert_non_null(v);
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

/* Is field named in depsentry.truncated? */
static bool has_cut(struct json_object *o, const char *field)
{
	struct json_object *a = json_get(o, "depsentry.truncated");
	size_t i;

	if (!a)
		return false;
	assert_true(json_object_is_type(a, json_type_array));
	for (i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), field))
			return true;
	return false;
}

static bool jbool_at(struct json_object *o, const char *path)
{
	struct json_object *v = json_get(o, path);

	assert_non_null(v);
	assert_true(json_object_is_type(v, json_type_boolean));
	return json_object_get_boolean(v);
}

/* Independent of alert.c's table: decode each code point and check it. */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			n = 1, cp = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 2, cp = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 3, cp = s[i] & 0x07, min = 0x10000;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* No null, empty string, empty array or empty object anywhere. */
static void assert_no_empty(struct json_object *o, bool in_array)
{
	size_t i;

	assert_non_null(o);
	switch (json_object_get_type(o)) {
	case json_type_object:
		assert_true(json_object_object_length(o) > 0);
		json_object_object_foreach (o, key, val) {
			(void)key;
			assert_no_empty(val, false);
		}
		break;
	case json_type_array:
		assert_true(json_object_array_length(o) > 0);
		for (i = 0; i < json_object_array_length(o); i++)
			assert_no_empty(json_object_array_get_idx(o, i), true);
		break;
	case json_type_string: /* "" only as an array element (an empty argument) */
		assert_true(json_object_get_string_len(o) > 0 || in_array);
		break;
	default:
		break;
	}
}

/* tests/ecs_check.py must accept the line (as an event line with event). */
static void assert_ecs_valid(const char *line, size_t len, bool event)
{
	char path[] = "/tmp/depsentry-alert-XXXXXX", cmd[128];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 tests/ecs_check.py %s%s", event ? "--events " : "",
		 path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

/* Render an alert (an event line with event), check the line's shape and
 * ECS validity, and parse it back. */
static struct json_object *render_as(const struct proc *p, const struct verdict *v, bool event)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t len = 0;
	char *line;

	line = (event ? event_render : alert_render)(&host, p, v, 5000000000ULL, &len);
	assert_non_null(line);
	assert_int_equal(strlen(line), len);
	assert_true(len > 2 && line[len - 1] == '\n');
	assert_ptr_equal(strchr(line, '\n'), line + len - 1);
	assert_true(valid_utf8((const unsigned char *)line, len));
	assert_ecs_valid(line, len, event);
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len - 1);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	json_tokener_free(tok);
	assert_true(json_object_is_type(o, json_type_object));
	assert_no_empty(o, false);
	unit_fields_known(o);
	free(line);
	return o;
}

static struct json_object *render(const struct proc *p, const struct verdict *v)
{
	return render_as(p, v, false);
}

static struct session *new_session(void)
{
	struct session *s = calloc(1, sizeof(*s));

	s->id = 42;
	s->pm = &npm_pm;
	return s;
}

static void set_npm_env(struct proc *p)
{
	unit_image_setenv(p->img, "npm_package_name", "evil-pkg");
	unit_image_setenv(p->img, "npm_package_version", "1.0.0");
	unit_image_setenv(p->img, "npm_lifecycle_event", "postinstall");
}

/* npm install (pid) -> its hook's shell (pid + 1) -> leaf (pid + 2), in s,
 * the shell and the leaf with npm's variables; returns the leaf. */
static struct proc *npm_chain(struct session *s, uint32_t pid, const char *sh_exe,
			      const char *sh_cmd, const char *exe, const char *cmd)
{
	struct proc *sh, *leaf;

	s->root = unit_proc(NULL, s, pid, "/usr/bin/node", "node /usr/bin/npm install evil-pkg");
	sh = unit_proc(s->root, s, pid + 1, sh_exe, sh_cmd);
	leaf = unit_proc(sh, s, pid + 2, exe, cmd);
	set_npm_env(sh);
	set_npm_env(leaf);
	return leaf;
}

static void verdict_init(struct verdict *v, const struct proc *hook)
{
	memset(v, 0, sizeof(*v));
	v->rule = RULE_LIFECYCLE;
	v->severity = SEV_HIGH;
	v->reason = "reconnaissance";
	v->matched = "whoami";
	v->matched_field = "process.name";
	v->hook = hook;
	v->rules_matched = 1U << RULE_LIFECYCLE | 1U << RULE_PM_CHILD;
}

static void test_session_chain(void **state)
{
	struct session *s = new_session();
	struct proc *sh, *who;
	struct json_object *o, *a;
	struct verdict v;

	(void)state;
	who = npm_chain(s, 100, "/bin/sh", "sh -c node install.js", "/usr/bin/whoami", "whoami");
	sh = who->parent;
	unit_image_setenv(who->img, "GITHUB_ACTIONS", "true");
	unit_image_setenv(who->img, "GITHUB_REPOSITORY", "acme/app");
	who->uid = 0;
	verdict_init(&v, sh);
	o = render(who, &v);

	assert_string_equal(jstr_at(o, "ecs.version"), "9.4.0");
	assert_int_equal(strlen(jstr_at(o, "@timestamp")), 24);
	assert_string_equal(jstr_at(o, "event.kind"), "alert");
	assert_string_equal(jstr_at(o, "event.action"), "exec");
	assert_int_equal(strlen(jstr_at(o, "event.id")), 32);
	assert_int_equal(jint_at(o, "event.severity"), severity_score(SEV_HIGH));
	assert_string_equal(jstr_at(o, "event.reason"), "reconnaissance");
	assert_string_equal(json_object_get_string(
				    json_object_array_get_idx(json_get(o, "event.category"), 1)),
			    "intrusion_detection");
	assert_string_equal(jstr_at(o, "rule.id"), rule_id_name(RULE_LIFECYCLE));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    json_get(o, "threat.technique.subtechnique.id"), 0)),
			    "T1195.001");
	assert_int_equal(jint_at(o, "process.pid"), 102);
	assert_string_equal(jstr_at(o, "process.name"), "whoami");
	assert_string_equal(jstr_at(o, "process.executable"), "/usr/bin/whoami");
	assert_string_equal(jstr_at(o, "process.working_directory"), "/tmp");
	assert_int_equal(jint_at(o, "process.args_count"), 1);
	assert_string_equal(jstr_at(o, "process.user.id"), "0");
	assert_string_equal(jstr_at(o, "user.name"), "root");
	assert_int_equal(jint_at(o, "process.parent.pid"), 101);
	assert_string_equal(jstr_at(o, "process.parent.command_line"), "sh -c node install.js");
	assert_string_equal(jstr_at(o, "package.name"), "evil-pkg");
	assert_string_equal(jstr_at(o, "package.version"), "1.0.0");
	assert_string_equal(jstr_at(o, "package.type"), "npm");
	assert_string_equal(jstr_at(o, "depsentry.session.package_manager"), "npm");
	assert_int_equal(jint_at(o, "depsentry.session.pid"), 100);
	assert_string_equal(jstr_at(o, "depsentry.lifecycle_event"), "postinstall");
	assert_int_equal(jint_at(o, "depsentry.depth"), 2);
	assert_string_equal(jstr_at(o, "depsentry.matched.value"), "whoami");
	assert_int_equal(jint_at(o, "depsentry.hook.pid"), 101);
	assert_string_equal(jstr_at(o, "depsentry.ci.provider"), "github-actions");
	assert_string_equal(jstr_at(o, "depsentry.ci.repository"), "acme/app");
	assert_string_equal(jstr_at(o, "depsentry.ci.source"), "process");
	assert_null(json_get(o, "depsentry.ci.run_id"));
	assert_int_equal(json_object_array_length(json_get(o, "depsentry.rules_matched")), 2);
	assert_null(json_get(o, "depsentry.truncated")); /* nothing was cut */
	assert_false(jbool_at(o, "depsentry.ancestry_truncated"));
	a = json_get(o, "depsentry.ancestry");
	assert_int_equal(json_object_array_length(a), 3);
	assert_int_equal(jint_at(json_object_array_get_idx(a, 0), "pid"), 100);
	assert_int_equal(jint_at(json_object_array_get_idx(a, 2), "pid"), 102);
	assert_non_null(strstr(jstr_at(o, "message"), "evil-pkg@1.0.0 (postinstall)"));
	assert_non_null(strstr(jstr_at(o, "message"), "2 levels below"));
	assert_string_equal(json_object_get_string(
				    json_object_array_get_idx(json_get(o, "process.env_vars"), 0)),
			    "npm_package_name=evil-pkg");
	json_object_put(o);
}

/* Outside a session: no package, session or depth fields. */
static void test_no_session(void **state)
{
	struct proc *bash, *curl;
	struct json_object *o;
	struct verdict v;

	(void)state;
	bash = unit_proc(NULL, NULL, 200, "/bin/bash", "bash");
	curl = unit_proc(bash, NULL, 201, "/usr/bin/curl", "curl http://x.example/a.sh");
	free(curl->img->cwd);
	curl->img->cwd = NULL;
	verdict_init(&v, NULL);
	v.rule = RULE_PM_CHILD;
	v.rules_matched = 0;
	o = render(curl, &v);
	assert_null(json_get(o, "package"));
	assert_null(json_get(o, "depsentry.session"));
	assert_null(json_get(o, "depsentry.depth"));
	assert_null(json_get(o, "depsentry.hook"));
	assert_null(json_get(o, "process.working_directory"));
	assert_int_equal(json_object_array_length(json_get(o, "depsentry.rules_matched")), 1);
	assert_int_equal(json_object_array_length(json_get(o, "depsentry.ancestry")), 2);
	assert_non_null(strstr(jstr_at(o, "message"), "started by bash (pid 200)"));
	assert_null(json_get(o, "depsentry.lifecycle_event"));
	json_object_put(o);
	/* a hook run outside any session (node install.js by hand) still names its event */
	unit_image_setenv(curl->img, "npm_lifecycle_event", "postinstall");
	v.rule = RULE_LIFECYCLE;
	o = render(curl, &v);
	assert_null(json_get(o, "depsentry.session"));
	assert_string_equal(jstr_at(o, "depsentry.lifecycle_event"), "postinstall");
	json_object_put(o);
}

static struct net_event net_connect(const char *dst, uint16_t port, const char *domain, int ret)
{
	struct net_event ev = { .kind = NET_CONNECT, .transport = IPPROTO_TCP, .session = 42 };

	assert_int_equal(ipaddr_parse(dst, &ev.dst), 0);
	assert_int_equal(ipaddr_parse(strchr(dst, ':') ? "::1" : "127.0.0.1", &ev.src), 0);
	ev.sport = 40001;
	ev.dport = port;
	ev.domain = domain;
	ev.result = ret;
	return ev;
}

static void net_verdict(struct verdict *v, const struct net_event *ev)
{
	memset(v, 0, sizeof(*v));
	v->rule = RULE_EGRESS;
	v->rules_matched = 1U << RULE_EGRESS;
	v->severity = SEV_MEDIUM;
	v->reason = "connection to a host outside the registry allowlist";
	v->net = ev;
}

static void test_network(void **state)
{
	struct session *s = new_session();
	struct proc *npm, *node;
	struct net_event ev;
	struct json_object *o;
	struct verdict v;

	(void)state;
	npm = unit_proc(NULL, s, 300, "/usr/bin/node", "node /usr/bin/npm install evil-pkg");
	s->root = npm;
	node = unit_proc(npm, s, 301, "/usr/bin/node", "node -e x");
	set_npm_env(node);
	ev = net_connect("127.0.0.9", 8080, "exfil.attacker.test", -EINPROGRESS);
	net_verdict(&v, &ev);
	o = render(node, &v);
	assert_string_equal(jstr_at(o, "rule.id"), "pm-unexpected-egress");
	assert_string_equal(jstr_at(o, "event.kind"), "alert");
	assert_string_equal(jstr_at(o, "event.action"), "connect");
	assert_string_equal(jstr_at(o, "event.outcome"), "unknown");
	assert_string_equal(jstr_at(o, "destination.ip"), "127.0.0.9");
	assert_int_equal(jint_at(o, "destination.port"), 8080);
	assert_string_equal(jstr_at(o, "destination.domain"), "exfil.attacker.test");
	assert_string_equal(jstr_at(o, "destination.address"), "exfil.attacker.test");
	assert_string_equal(jstr_at(o, "source.ip"), "127.0.0.1");
	assert_int_equal(jint_at(o, "source.port"), 40001);
	assert_string_equal(jstr_at(o, "network.direction"), "egress");
	assert_string_equal(jstr_at(o, "network.transport"), "tcp");
	assert_string_equal(jstr_at(o, "network.type"), "ipv4");
	assert_string_equal(jstr_at(o, "depsentry.network.result"), "in_progress");
	assert_string_equal(jstr_at(o, "package.name"), "evil-pkg");
	assert_string_equal(jstr_at(o, "depsentry.session.package_manager"), "npm");
	assert_int_equal(json_object_array_length(json_get(o, "related.ip")), 2);
	assert_non_null(
		strstr(jstr_at(o, "message"),
		       "connected to exfil.attacker.test (127.0.0.9) port 8080/tcp under npm"));
	assert_null(json_get(o, "dns"));
	json_object_put(o);

	/* no name, IPv6, a failure named by its errno */
	ev = net_connect("2001:db8::7", 443, NULL, -ETIMEDOUT);
	net_verdict(&v, &ev);
	o = render(node, &v);
	assert_null(json_get(o, "destination.domain"));
	assert_string_equal(jstr_at(o, "destination.address"), "2001:db8::7");
	assert_string_equal(jstr_at(o, "network.type"), "ipv6");
	assert_string_equal(jstr_at(o, "event.outcome"), "failure");
	assert_string_equal(jstr_at(o, "depsentry.network.result"), "timedout");
	json_object_put(o);
	ev = net_connect("192.0.2.1", 443, NULL, -EMLINK); /* not a connect error */
	net_verdict(&v, &ev);
	o = render(node, &v);
	assert_string_equal(jstr_at(o, "depsentry.network.result"), "errno 31");
	json_object_put(o);

	/* a DNS question */
	ev = net_connect("127.0.0.53", 53, NULL, 0);
	ev.kind = NET_DNS_QUERY;
	ev.transport = IPPROTO_UDP;
	ev.qname = "6e6f.beacon.attacker.test";
	ev.qtype = 28;
	ev.dns_id = 4242;
	net_verdict(&v, &ev);
	o = render(node, &v);
	assert_string_equal(jstr_at(o, "event.action"), "dns_query");
	assert_string_equal(jstr_at(o, "dns.question.name"), "6e6f.beacon.attacker.test");
	assert_string_equal(jstr_at(o, "dns.question.type"), "AAAA");
	assert_string_equal(jstr_at(o, "dns.question.registered_domain"), "attacker.test");
	assert_string_equal(jstr_at(o, "dns.id"), "4242");
	assert_string_equal(jstr_at(o, "network.protocol"), "dns");
	assert_null(json_get(o, "event.outcome"));
	json_object_put(o);

	/* a follow-up for a process that is gone: kind event, the session named */
	ev = net_connect("127.0.0.5", 9, NULL, 0);
	ev.repeats = 7;
	ev.first_ns = 1000000000ULL;
	ev.last_ns = 3000000000ULL;
	net_verdict(&v, &ev);
	node->sess = NULL;
	o = render(node, &v);
	assert_string_equal(jstr_at(o, "event.kind"), "event");
	assert_string_equal(jstr_at(o, "event.action"), "repeated");
	assert_int_equal(jint_at(o, "depsentry.network.repeats"), 7);
	assert_string_equal(jstr_at(o, "depsentry.session.id"), "000000000000002a");
	assert_non_null(json_get(o, "depsentry.network.first_seen"));
	assert_null(json_get(o, "depsentry.network.result"));
	json_object_put(o);
}

/* The strings of a JSON array, joined by commas. */
static const char *jlist_at(struct json_object *o, const char *path, char *buf, size_t len)
{
	struct json_object *a = json_get(o, path);
	size_t i, n = 0;

	assert_non_null(a);
	assert_true(json_object_is_type(a, json_type_array));
	buf[0] = '\0';
	for (i = 0; i < json_object_array_length(a); i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? "," : "",
			      json_object_get_string(json_object_array_get_idx(a, i)));
	return buf;
}

/* An event line has the alert's process, session, network and file fields,
 * its own event.* and nothing of a verdict. */
static void assert_event_only(struct json_object *o, const char *category, const char *types)
{
	static const char *const verdict_fields[] = {
		"rule",
		"threat",
		"event.severity",
		"event.risk_score",
		"event.reason",
		"depsentry.rules_matched",
		"depsentry.severity",
		"depsentry.matched",
		"depsentry.hook",
		"depsentry.ancestry",
	};
	char buf[128];
	size_t i;

	assert_string_equal(jstr_at(o, "event.kind"), "event");
	assert_string_equal(jstr_at(o, "event.dataset"), "depsentry.events");
	assert_string_equal(jlist_at(o, "event.category", buf, sizeof(buf)), category);
	assert_string_equal(jlist_at(o, "event.type", buf, sizeof(buf)), types);
	for (i = 0; i < ARRAY_SIZE(verdict_fields); i++)
		if (json_get(o, verdict_fields[i]))
			fail_msg("%s in an event line", verdict_fields[i]);
}

/* What the response did, or would have done, in the alert line. */
static void test_response(void **state)
{
	struct session *s = new_session();
	struct response r = { .egress = "blocked", .action = "killed", .killed = 3 };
	struct proc *npm, *node;
	struct json_object *o, *types;
	struct net_event ev;
	struct verdict v;

	(void)state;
	npm = unit_proc(NULL, s, 320, "/usr/bin/node", "node /usr/bin/npm install evil-pkg");
	s->root = npm;
	node = unit_proc(npm, s, 321, "/usr/bin/node", "node exfil.js");
	set_npm_env(node);
	/* a datagram refused in the kernel, its process stopped */
	ev = net_connect("127.0.0.9", 5353, NULL, -EPERM);
	ev.transport = IPPROTO_UDP;
	ev.egress = DS_EGRESS_DENIED | DS_EGRESS_BLOCKED | DS_EGRESS_SENDMSG;
	net_verdict(&v, &ev);
	v.response = &r;
	o = render(node, &v);
	types = json_get(o, "event.type");
	assert_int_equal(json_object_array_length(types), 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(types, 1)), "denied");
	assert_string_equal(jstr_at(o, "event.action"), "connect");
	assert_string_equal(jstr_at(o, "event.outcome"), "failure");
	assert_string_equal(jstr_at(o, "depsentry.network.result"), "perm");
	assert_string_equal(jstr_at(o, "depsentry.response.egress"), "blocked");
	assert_string_equal(jstr_at(o, "depsentry.response.action"), "killed");
	assert_int_equal(jint_at(o, "depsentry.response.killed"), 3);
	assert_true(json_object_get_boolean(json_get(o, "depsentry.network.datagram")));
	assert_null(json_get(o, "depsentry.response.error"));
	json_object_put(o);
	/* detect mode: nothing refused, what would have been said */
	r = (struct response){ .egress = "would_block", .action = "would_kill" };
	ev = net_connect("127.0.0.9", 8080, "exfil.attacker.test", -EINPROGRESS);
	ev.egress = DS_EGRESS_DENIED;
	net_verdict(&v, &ev);
	v.response = &r;
	o = render(node, &v);
	types = json_get(o, "event.type");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(types, 1)), "start");
	assert_string_equal(jstr_at(o, "depsentry.response.egress"), "would_block");
	assert_string_equal(jstr_at(o, "depsentry.response.action"), "would_kill");
	assert_null(json_get(o, "depsentry.response.killed"));
	assert_null(json_get(o, "depsentry.network.datagram"));
	json_object_put(o);
	/* a stop that found nothing to stop */
	r = (struct response){ .action = "kill_failed", .error = "the process had exited" };
	verdict_init(&v, NULL);
	v.response = &r;
	o = render(node, &v);
	assert_string_equal(jstr_at(o, "depsentry.response.action"), "kill_failed");
	assert_string_equal(jstr_at(o, "depsentry.response.error"), "the process had exited");
	assert_null(json_get(o, "depsentry.response.egress"));
	json_object_put(o);
}

static void test_events(void **state)
{
	static const char *const shell_start[][2] = {
		{ "event.action", "exec" },
		{ "process.name", "dash" },
		{ "process.parent.name", "node" },
		{ "package.name", "evil-pkg" },
		{ "depsentry.lifecycle_event", "postinstall" },
	};
	struct session *s = new_session();
	struct proc *npm, *sh, *node;
	struct verdict v = { .rule = RULE_NONE };
	struct file_event fe = { .op = DS_FILE_WRITE,
				 .path = "/p/.github/workflows/x.yml",
				 .pattern = "*/.github/workflows/*",
				 .action = "creation",
				 .created = true,
				 .writer = WRITER_SESSION };
	struct net_event ev;
	struct json_object *o;
	size_t i;

	(void)state;
	node = npm_chain(s, 400, "/usr/bin/dash", "sh -c node x.js", "/usr/bin/node", "node x.js");
	sh = node->parent;
	npm = s->root;

	o = render_as(sh, &v, true); /* the hook's shell starts */
	assert_event_only(o, "process", "start");
	for (i = 0; i < ARRAY_SIZE(shell_start); i++)
		assert_string_equal(jstr_at(o, shell_start[i][0]), shell_start[i][1]);
	assert_int_equal(jint_at(o, "process.parent.pid"), 400);
	assert_int_equal(jint_at(o, "depsentry.session.pid"), 400);
	assert_non_null(strstr(jstr_at(o, "message"), "started under npm"));
	json_object_put(o);

	ev = net_connect("127.0.0.1", 4873, NULL, 0);
	v.net = &ev;
	o = render_as(npm, &v, true);
	assert_event_only(o, "network", "connection,start");
	assert_string_equal(jstr_at(o, "event.action"), "connect");
	assert_string_equal(jstr_at(o, "destination.ip"), "127.0.0.1");
	assert_int_equal(jint_at(o, "destination.port"), 4873);
	assert_string_equal(jstr_at(o, "network.direction"), "egress");
	assert_string_equal(jstr_at(o, "event.outcome"), "success");
	assert_null(json_get(o, "network.protocol"));
	json_object_put(o);

	ev = net_connect("127.0.0.53", 53, NULL, 0); /* npm's resolver */
	ev.transport = IPPROTO_UDP;
	ev.resolver = true;
	o = render_as(npm, &v, true);
	assert_event_only(o, "network", "connection,start");
	assert_string_equal(jstr_at(o, "network.protocol"), "dns");
	json_object_put(o);

	ev.kind = NET_DNS_QUERY;
	ev.resolver = false;
	ev.qname = "registry.npmjs.org";
	ev.qtype = 1;
	o = render_as(node, &v, true);
	assert_event_only(o, "network", "protocol");
	assert_string_equal(jstr_at(o, "event.action"), "dns_query");
	assert_string_equal(jstr_at(o, "dns.question.name"), "registry.npmjs.org");
	assert_string_equal(jstr_at(o, "network.protocol"), "dns");
	json_object_put(o);

	v.net = NULL;
	v.file = &fe;
	o = render_as(node, &v, true);
	assert_event_only(o, "file", "creation");
	assert_string_equal(jstr_at(o, "event.action"), "creation");
	assert_string_equal(jstr_at(o, "file.path"), "/p/.github/workflows/x.yml");
	assert_string_equal(jstr_at(o, "file.directory"), "/p/.github/workflows");
	assert_string_equal(jstr_at(o, "depsentry.file.writer"), "install-session");
	assert_int_equal(jint_at(o, "process.pid"), 402);
	json_object_put(o);
	fe.created = false;
	fe.action = "overwrite";
	o = render_as(node, &v, true);
	assert_event_only(o, "file", "change");
	assert_string_equal(jstr_at(o, "event.action"), "overwrite");
	json_object_put(o);
}

static void set_argv(struct image *img, const char *const *argv, int argc)
{
	int i;

	img->argv = realloc(img->argv, (size_t)(argc + 1) * sizeof(char *));
	for (i = 0; i < argc; i++)
		img->argv[i] = strdup(argv[i]);
	img->argv[argc] = NULL;
	img->argc = argc;
}

static void test_hostile_argv(void **state)
{
	static const char *const argv[] = {
		"sh",
		"a\"b\\c'd",
		"line1\nline2\r\t",
		"ctl\x01\x1f\x7f",
		"bad\xff\xfe",
		"overlong\xc0\xaf\xe0\x80\xaf",
		"surrogate\xed\xa0\x80",
		"cut\xe2\x82",
		"</script>/",
		"ok\xc3\xa9\xf0\x9f\x90\x8d",
		"",
	};
	struct proc *p;
	struct json_object *o, *args;
	struct verdict v;
	char *big = malloc(BIG_ARG + 1);

	(void)state;
	memset(big, 'A', BIG_ARG);
	big[BIG_ARG] = '\0';
	p = unit_proc(NULL, NULL, 300, "/tmp/\xff\nevil", "sh");
	set_argv(p->img, argv, ARRAY_SIZE(argv));
	p->img->argv = realloc(p->img->argv, (ARRAY_SIZE(argv) + 2) * sizeof(char *));
	p->img->argv[p->img->argc++] = big;
	p->img->argv[p->img->argc] = NULL;
	free(p->img->cmdline);
	p->img->cmdline = strdup(big);
	unit_image_setenv(p->img, "npm_config_x", "v\xff\n\"");
	verdict_init(&v, NULL);
	o = render(p, &v);

	args = json_get(o, "process.args");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 1)),
			    "a\"b\\c'd");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 2)),
			    "line1\nline2\r\t");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 3)),
			    "ctl\x01\x1f\x7f");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 4)),
			    "bad\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 5)),
			    "overlong\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 6)),
			    "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* one U+FFFD for the cut sequence: its maximal subpart */
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 7)),
			    "cut\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 8)),
			    "</script>/");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 9)),
			    "ok\xc3\xa9\xf0\x9f\x90\x8d");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(args, 10)), "");
	assert_int_equal(jint_at(o, "process.args_count"), ARRAY_SIZE(argv) + 1);
	assert_true(json_object_get_string_len(json_get(o, "process.command_line")) <= 32768);
	assert_true(has_cut(o, "process.command_line"));
	assert_true(has_cut(o, "process.args"));
	assert_false(has_cut(o, "process.executable"));
	assert_string_equal(jstr_at(o, "process.executable"), "/tmp/\xef\xbf\xbd\nevil");
	assert_string_equal(json_object_get_string(
				    json_object_array_get_idx(json_get(o, "process.env_vars"), 0)),
			    "npm_config_x=v\xef\xbf\xbd\n\"");
	json_object_put(o);
}

/* A chain deeper than CHAIN_MAX keeps the nearest entries, flagged. */
static void test_ancestry_truncated(void **state)
{
	struct session *s = new_session();
	struct proc *p = NULL;
	struct json_object *o, *a;
	struct verdict v;
	uint32_t pid;

	(void)state;
	for (pid = 400; pid < 400 + CHAIN_MAX + 4; pid++) {
		p = unit_proc(p, s, pid, "/bin/sh", "sh -c next");
		if (!s->root)
			s->root = p;
	}
	verdict_init(&v, NULL);
	o = render(p, &v);
	a = json_get(o, "depsentry.ancestry");
	assert_int_equal(json_object_array_length(a), CHAIN_MAX);
	assert_int_equal(jint_at(json_object_array_get_idx(a, CHAIN_MAX - 1), "pid"), pid - 1);
	assert_int_equal(jint_at(json_object_array_get_idx(a, 0), "pid"), pid - CHAIN_MAX);
	assert_true(jbool_at(o, "depsentry.ancestry_truncated"));
	assert_int_equal(jint_at(o, "depsentry.depth"), CHAIN_MAX + 3);
	assert_int_equal(jint_at(o, "depsentry.session.pid"), 400);
	json_object_put(o);
}

/* A string of n bytes: "/" then components of 200 'd's, ending in tail. */
static char *long_path(size_t n, const char *tail)
{
	char *s = malloc(n + 1);
	size_t i, t = strlen(tail);

	for (i = 0; i < n - t; i++)
		s[i] = i % 201 == 0 ? '/' : 'd';
	memcpy(s + n - t, tail, t + 1);
	return s;
}

/* Paths of up to PATH_MAX are whole in every path field and the message,
 * and nothing says they were cut. */
static void test_long_paths(void **state)
{
	struct session *s = new_session();
	char *exe = long_path(4000, "/x"), *cwd = long_path(4090, "/w");
	char *path = long_path(4000, "/.github/workflows/ci.yml"), *dir = strdup(path);
	struct file_event fe = { .op = DS_FILE_RENAME,
				 .path = path,
				 .old_path = exe,
				 .pattern = "*/.github/workflows/*",
				 .action = "rename",
				 .writer = WRITER_SESSION };
	struct json_object *o;
	struct proc *p;
	struct verdict v;

	(void)state;
	*strrchr(dir, '/') = '\0';
	p = npm_chain(s, 700, "/bin/sh", "sh -c x", exe, "x");
	free(p->img->cwd);
	p->img->cwd = strdup(cwd);
	verdict_init(&v, NULL);
	o = render(p, &v);
	assert_string_equal(jstr_at(o, "process.executable"), exe);
	assert_string_equal(jstr_at(o, "process.working_directory"), cwd);
	assert_null(json_get(o, "depsentry.truncated"));
	json_object_put(o);

	memset(&v, 0, sizeof(v));
	v.rule = RULE_CICD;
	v.severity = SEV_CRITICAL;
	v.file = &fe;
	o = render(p, &v);
	assert_string_equal(jstr_at(o, "file.path"), path);
	assert_string_equal(jstr_at(o, "file.directory"), dir);
	assert_string_equal(jstr_at(o, "file.name"), "ci.yml");
	assert_string_equal(jstr_at(o, "depsentry.file.old_path"), exe);
	assert_non_null(strstr(jstr_at(o, "message"), path));
	assert_non_null(strstr(jstr_at(o, "message"), exe));
	assert_null(json_get(o, "depsentry.truncated"));
	json_object_put(o);
	free(exe);
	free(cwd);
	free(path);
	free(dir);
}

/* What the kernel could not give whole, and what the caps cut, is named in
 * depsentry.truncated by its ECS field name; nothing else is. */
static void test_truncated_fields(void **state)
{
	static const char *const kernel_cuts[] = {
		"process.command_line",
		"process.args",
		"process.executable",
		"process.working_directory",
		"process.env_vars",
		"process.parent.executable",
		"depsentry.session.command_line",
		"depsentry.ancestry.command_line",
	};
	struct session *s = new_session();
	struct file_event fe = { .op = DS_FILE_RENAME,
				 .path = "/a/.github/workflows/x.yml",
				 .old_path = "/b/x.yml",
				 .pattern = "*/.github/workflows/*",
				 .action = "rename",
				 .writer = WRITER_SESSION };
	struct json_object *o;
	struct proc *p;
	struct verdict v;
	char *big;
	size_t i;

	(void)state;
	p = npm_chain(s, 800, "/bin/sh", "sh -c x", "/usr/bin/curl", "curl a b");
	p->img->flags = DS_F_ARGS_TRUNC | DS_F_EXE_TRUNC | DS_F_CWD_TRUNC | DS_F_ENV_TRUNC;
	p->img->argc_total = 5000;
	p->parent->img->flags = DS_F_EXE_TRUNC;
	s->root->img->flags = DS_F_ARGS_FAULT;
	verdict_init(&v, NULL);
	o = render(p, &v);
	for (i = 0; i < ARRAY_SIZE(kernel_cuts); i++)
		if (!has_cut(o, kernel_cuts[i]))
			fail_msg("%s is not named in depsentry.truncated", kernel_cuts[i]);
	assert_int_equal(json_object_array_length(json_get(o, "depsentry.truncated")),
			 ARRAY_SIZE(kernel_cuts));
	assert_int_equal(jint_at(o, "process.args_count"), 5000); /* the exec's count */
	json_object_put(o);

	/* caps: a command line past 32 KiB, an ancestry entry past 1 KiB */
	p->img->flags = 0;
	p->parent->img->flags = 0;
	s->root->img->flags = 0;
	big = malloc(40000);
	memset(big, 'a', 39999);
	big[39999] = '\0';
	free(p->img->cmdline);
	p->img->cmdline = big;
	o = render(p, &v);
	assert_true(has_cut(o, "process.command_line"));
	assert_true(has_cut(o, "depsentry.ancestry.command_line"));
	assert_false(has_cut(o, "process.args"));
	assert_int_equal(json_object_get_string_len(json_get(o, "process.command_line")), 32768);
	json_object_put(o);

	/* file paths the kernel could not walk whole */
	memset(&v, 0, sizeof(v));
	v.rule = RULE_CICD;
	v.severity = SEV_CRITICAL;
	v.file = &fe;
	free(p->img->cmdline);
	p->img->cmdline = strdup("curl a b");
	fe.cut = FILE_CUT_PATH;
	o = render(p, &v);
	assert_true(has_cut(o, "file.path"));
	assert_true(has_cut(o, "file.directory"));
	assert_false(has_cut(o, "file.name"));
	assert_false(has_cut(o, "depsentry.file.old_path"));
	json_object_put(o);
	fe.cut = FILE_CUT_NAME | FILE_CUT_OLD;
	o = render(p, &v);
	assert_true(has_cut(o, "file.name"));
	assert_true(has_cut(o, "depsentry.file.old_path"));
	json_object_put(o);
	fe.cut = 0;
	o = render_as(p, &v, true); /* events name them the same way */
	assert_null(json_get(o, "depsentry.truncated"));
	json_object_put(o);
	fe.cut = FILE_CUT_PATH;
	o = render_as(p, &v, true);
	assert_true(has_cut(o, "file.path"));
	json_object_put(o);
}

static void test_boot_time(void **state)
{
	struct timespec bt;
	char buf[40];

	(void)state;
	clock_gettime(CLOCK_BOOTTIME, &bt);
	format_boot_time((uint64_t)bt.tv_sec * 1000000000ULL + 123000000ULL, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 24);
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');
	assert_int_equal(buf[19], '.');
	assert_int_equal(buf[23], 'Z');
}

/* A stamp past what 64-bit ns since the epoch hold (a record's time is
 * the kernel's word, checked like any other field) is the last one that
 * fits, never a wrapped sum. */
static void test_boot_time_bounds(void **state)
{
	char buf[40];

	(void)state;
	assert_true(boot_to_wall_ns(UINT64_MAX) == INT64_MAX);
	assert_true(boot_to_wall_ns((uint64_t)INT64_MAX) == INT64_MAX);
	assert_true(boot_to_wall_ns(0) > 0);
	format_boot_time(UINT64_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "2262-04-11T23:47:16.854Z");
	format_boot_time((uint64_t)INT64_MAX - 1, buf, sizeof(buf));
	assert_string_equal(buf, "2262-04-11T23:47:16.854Z");
}

static void test_host_info(void **state)
{
	struct host_info h;

	(void)state;
	host_info_load(&h);
	assert_true(h.hostname[0]);
	assert_true(h.agent_id[0]);
	assert_true(h.os_kernel[0]);
	assert_true(h.architecture[0]);
	assert_string_not_equal(h.agent_id, h.id);
	host_info_load(&host);
	assert_string_equal(h.agent_id, host.agent_id); /* stable */
}

/* A pid that is gone, or reused by another process, has no container. */
static void test_container_id_guard(void **state)
{
	struct container c;

	(void)state;
	assert_false(container_by_pid(0, 0, &c));
	assert_false(container_by_pid(getpid(), 1, &c));
	assert_false(container_by_pid(4000000000U, 1, &c));
}

/* A file's directory is a name a process chose, bytes that need not be
 * UTF-8: file.directory is made valid like file.path (render_as rejects a
 * line in invalid UTF-8). */
static void test_file_directory_utf8(void **state)
{
	struct file_event fe = { .op = DS_FILE_RENAME,
				 .path = "/tmp/pro\xffj/.github/workflows/ci.yml",
				 .pattern = "*/.github/workflows/*",
				 .action = "rename",
				 .alert = true,
				 .writer = WRITER_OTHER,
				 .severity = SEV_MEDIUM };
	struct verdict v = { .rule = RULE_CICD,
			     .severity = SEV_MEDIUM,
			     .reason = "x",
			     .rules_matched = 1U << RULE_CICD,
			     .file = &fe };
	struct proc *p = unit_proc(NULL, NULL, 320, "/usr/bin/mv", "mv a b");
	struct json_object *o;

	(void)state;
	o = render(p, &v);
	assert_string_equal(jstr_at(o, "file.path"),
			    "/tmp/pro\xef\xbf\xbdj/.github/workflows/ci.yml");
	assert_string_equal(jstr_at(o, "file.directory"),
			    "/tmp/pro\xef\xbf\xbdj/.github/workflows");
	assert_string_equal(jstr_at(o, "file.name"), "ci.yml");
	json_object_put(o);
	fe.path = "/Makefile";
	o = render(p, &v);
	assert_string_equal(jstr_at(o, "file.directory"), "/");
	json_object_put(o);
}

/* The root name "." has no labels: a question for it, and an address a
 * DNS answer for it named, render "." wherever a name goes (never null,
 * never dropped), and it has no registered domain. */
static void test_dns_root_name(void **state)
{
	struct session *s = new_session();
	struct proc *npm, *node;
	struct json_object *o, *hosts;
	struct net_event ev;
	struct verdict v;
	int event;

	(void)state;
	npm = unit_proc(NULL, s, 310, "/usr/bin/node", "node /usr/bin/npm install evil-pkg");
	s->root = npm;
	node = unit_proc(npm, s, 311, "/usr/bin/node", "node -e x");
	for (event = 0; event < 2; event++) {
		ev = net_connect("127.0.0.53", 53, NULL, 0);
		ev.kind = NET_DNS_QUERY;
		ev.transport = IPPROTO_UDP;
		ev.qname = "";
		ev.qtype = 2;
		net_verdict(&v, &ev);
		o = render_as(node, &v, event);
		assert_string_equal(jstr_at(o, "dns.question.name"), ".");
		assert_null(json_get(o, "dns.question.registered_domain"));
		hosts = json_get(o, "related.hosts");
		assert_non_null(hosts);
		assert_int_equal(json_object_array_length(hosts), 1);
		assert_string_equal(json_object_get_string(json_object_array_get_idx(hosts, 0)),
				    ".");
		if (!event)
			assert_non_null(
				strstr(jstr_at(o, "message"), " asked 127.0.0.53 for . under"));
		json_object_put(o);

		ev = net_connect("192.0.2.99", 443, "", 0);
		net_verdict(&v, &ev);
		o = render_as(node, &v, event);
		assert_string_equal(jstr_at(o, "destination.domain"), ".");
		assert_string_equal(jstr_at(o, "destination.address"), ".");
		assert_string_equal(jstr_at(o, "destination.ip"), "192.0.2.99");
		hosts = json_get(o, "related.hosts");
		assert_non_null(hosts);
		assert_string_equal(json_object_get_string(json_object_array_get_idx(hosts, 0)),
				    ".");
		if (!event)
			assert_non_null(strstr(jstr_at(o, "message"),
					       " connected to . (192.0.2.99) port 443/tcp"));
		json_object_put(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_info),
		cmocka_unit_test(test_boot_time),
		cmocka_unit_test(test_boot_time_bounds),
		cmocka_unit_test(test_container_id_guard),
		cmocka_unit_test(test_session_chain),
		cmocka_unit_test(test_no_session),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_dns_root_name),
		cmocka_unit_test(test_file_directory_utf8),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_hostile_argv),
		cmocka_unit_test(test_ancestry_truncated),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_truncated_fields),
	};

	host_info_load(&host);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
