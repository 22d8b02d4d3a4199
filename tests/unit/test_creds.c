// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rule install-credential-read: the open record decoded, then judged. */
#include <errno.h>

#include "unit.h"

static struct config *builtin(void)
{
	struct config *c = NULL;

	assert_int_equal(config_load(NULL, &c, stderr), 0);
	return c;
}

/* An open record: the name as passed, relative to the leaf-first dir. */
struct rec {
	struct ds_file e;
	char data[512];
};

static size_t open_rec(struct rec *r, const char *dir, size_t dir_len, const char *name)
{
	size_t n = strlen(name) + 1;

	memset(r, 0, sizeof(*r));
	r->e.hdr.type = DS_EV_FILE;
	r->e.hdr.pid = 42;
	r->e.op = DS_FILE_OPEN;
	r->e.session = 7;
	memcpy(r->data, dir, dir_len);
	r->e.path_len = (__u16)dir_len;
	memcpy(r->data + dir_len, name, n);
	r->e.name_len = (__u16)n;
	return dir_len + n;
}

static void test_decode(void **state)
{
	static const char dir[] = "u\0home";
	struct file_event ev;
	struct rec r;
	size_t len;

	(void)state;
	len = open_rec(&r, dir, sizeof(dir), ".npmrc");
	assert_int_equal(file_decode(&r.e, r.data, len, &ev), 0);
	assert_int_equal(ev.op, DS_FILE_OPEN);
	assert_string_equal(ev.path, "/home/u/.npmrc");
	assert_null(ev.old_path);
	assert_int_equal(ev.session, 7);
	file_event_free(&ev);

	/* an open has no old name */
	len = open_rec(&r, "", 0, "/root/.npmrc");
	memcpy(r.data + len, "x", 2);
	r.e.old_name_len = 2;
	assert_int_equal(file_decode(&r.e, r.data, len + 2, &ev), -EINVAL);
	/* nor can it lack its name */
	len = open_rec(&r, "", 0, "/root/.npmrc");
	r.e.name_len = 0;
	assert_int_equal(file_decode(&r.e, r.data, len, &ev), -EINVAL);
	/* an op past the last one */
	len = open_rec(&r, "", 0, "/root/.npmrc");
	r.e.op = DS_FILE_OPEN + 1;
	assert_int_equal(file_decode(&r.e, r.data, len, &ev), -EINVAL);
}

static void event(struct file_event *ev, enum ds_file_op op, uint64_t session, const char *path)
{
	memset(ev, 0, sizeof(*ev));
	ev->op = op;
	ev->session = session;
	ev->path = (char *)path;
}

static void test_judge(void **state)
{
	struct config *c = builtin();
	struct session sess = { .id = 7 };
	struct proc *npm = unit_proc(NULL, &sess, 100, "/usr/bin/node",
				     "node /usr/lib/node_modules/npm/bin/npm-cli.js install x");
	struct proc *sh = unit_proc(npm, &sess, 101, "/usr/bin/dash", "sh -c node steal.js");
	struct proc *node = unit_proc(sh, &sess, 102, "/usr/bin/node", "node steal.js");
	struct proc *nested = unit_proc(node, &sess, 103, "/usr/bin/node",
					"node /usr/lib/node_modules/npm/bin/npm-cli.js publish");
	struct proc *ssh = unit_proc(node, &sess, 104, "/usr/bin/ssh", "ssh -T git@github.com");
	struct file_event ev;
	struct verdict v;
	char key[sizeof(v.fold_key)];

	(void)state;
	sess.root = npm;
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.npmrc");
	assert_true(creds_judge(c, node, &ev, &v));
	assert_int_equal(v.rule, RULE_CRED);
	assert_int_equal(v.severity, SEV_HIGH);
	assert_ptr_equal(v.file, &ev);
	assert_string_equal(v.matched, "*/.npmrc");
	assert_string_equal(v.matched_field, "file.path");
	assert_int_equal(ev.rule, RULE_CRED);
	assert_string_equal(ev.action, "open");
	strcpy(key, v.fold_key);
	assert_true(key[0]);
	/* the same file in the same session folds; another session does not */
	assert_true(creds_judge(c, sh, &ev, &v));
	assert_string_equal(v.fold_key, key);
	ev.session = 8;
	assert_true(creds_judge(c, node, &ev, &v));
	assert_string_not_equal(v.fold_key, key);
	ev.session = 7;
	/* the package manager, nested or not, reads its own configuration */
	assert_false(creds_judge(c, npm, &ev, &v));
	assert_int_equal(v.rule, RULE_NONE);
	assert_false(creds_judge(c, nested, &ev, &v));
	/* ssh reading its key is its job */
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.ssh/id_ed25519");
	assert_false(creds_judge(c, ssh, &ev, &v));
	assert_true(creds_judge(c, node, &ev, &v));
	/* an unknown process (its exec record lost) is judged */
	assert_true(creds_judge(c, NULL, &ev, &v));
	/* the kernel sent it: matched whole here */
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.ssh/known_hosts");
	assert_false(creds_judge(c, node, &ev, &v));
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.aws/credentials");
	assert_true(creds_judge(c, node, &ev, &v));
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.config/google-chrome/Default/Login Data");
	assert_true(creds_judge(c, node, &ev, &v));
	/* outside a session, a write, the rule off: nothing */
	event(&ev, DS_FILE_OPEN, 0, "/home/u/.npmrc");
	assert_false(creds_judge(c, node, &ev, &v));
	event(&ev, DS_FILE_WRITE, 7, "/home/u/.npmrc");
	assert_false(creds_judge(c, node, &ev, &v));
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.npmrc");
	c->cred_enabled = false;
	assert_false(creds_judge(c, node, &ev, &v));

	image_put(ssh->img);
	image_put(nested->img);
	image_put(node->img);
	image_put(sh->img);
	image_put(npm->img);
	free(ssh);
	free(nested);
	free(node);
	free(sh);
	free(npm);
	config_free(c);
}

/* The alert: file.* fields, event.type access, event.action open. */
static void test_render(void **state)
{
	struct config *c = builtin();
	struct session sess = { .id = 7 };
	struct proc *npm = unit_proc(NULL, &sess, 100, "/usr/bin/node",
				     "node /usr/lib/node_modules/npm/bin/npm-cli.js install x");
	struct proc *node = unit_proc(npm, &sess, 102, "/usr/bin/node", "node steal.js");
	struct host_info h = { .hostname = "h" };
	struct json_object *o, *x;
	struct file_event ev;
	struct verdict v;
	size_t len;
	char *line;

	(void)state;
	sess.root = npm;
	sess.pm = &c->pms[0];
	event(&ev, DS_FILE_OPEN, 7, "/home/u/.aws/credentials");
	assert_true(creds_judge(c, node, &ev, &v));
	line = alert_render(&h, node, &v, 0, &len);
	assert_non_null(line);
	o = json_tokener_parse(line);
	assert_non_null(o);
	unit_fields_known(o);
	assert_true(json_object_object_get_ex(o, "file", &x));
	assert_string_equal(json_object_get_string(json_object_object_get(x, "path")),
			    "/home/u/.aws/credentials");
	assert_string_equal(json_object_get_string(json_object_object_get(x, "name")),
			    "credentials");
	assert_true(json_object_object_get_ex(o, "event", &x));
	assert_string_equal(json_object_get_string(json_object_object_get(x, "action")), "open");
	assert_string_equal(json_object_get_string(
				    json_object_array_get_idx(json_object_object_get(x, "type"),
							      0)),
			    "access");
	assert_non_null(strstr(line, "\"node (pid 102) read /home/u/.aws/credentials under npm"));
	assert_null(strstr(line, "symlinks_resolved"));
	json_object_put(o);
	free(line);
	image_put(node->img);
	image_put(npm->img);
	free(node);
	free(npm);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
