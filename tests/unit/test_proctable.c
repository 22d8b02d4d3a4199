// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The process table and the record decoder: lineage, sessions, limits. */
#include <errno.h>

#include "unit.h"

#define SEC_NS 1000000000ULL

static const struct pm_def npm = { .name = "npm", .package_type = "npm" };

static struct image *img(const char *exe, const char *cmdline)
{
	return unit_image(exe, cmdline);
}

/* pid's start time is derived from the pid, so tests read naturally */
static struct proc *spawn(struct proctable *t, uint32_t pid, uint32_t ppid)
{
	return proctable_fork(t, pid, pid * SEC_NS, ppid, ppid * SEC_NS);
}

static void test_session_survives_reparenting(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct proctable_stats st;
	struct proc *npm_p, *sh, *nohup, *wget;

	(void)state;
	npm_p = proctable_exec(t, 100, 100 * SEC_NS, 1, SEC_NS, img("/usr/bin/node", "node npm i"));
	assert_non_null(proctable_session_start(t, npm_p, &npm, NULL, NULL));
	sh = spawn(t, 101, 100);
	assert_ptr_equal(sh->sess, npm_p->sess);
	assert_int_equal(sh->depth, 1);
	nohup = spawn(t, 102, 101);
	/* the script returns, npm exits: the detached grandchild is reparented to init */
	proctable_exit(t, 101, 101 * SEC_NS, 0);
	proctable_exit(t, 100, 100 * SEC_NS, 0);
	/* exec reports the current parent (1): the fork-time lineage must win */
	wget = proctable_exec(t, 102, 102 * SEC_NS, 1, SEC_NS, img("/usr/bin/wget", "wget -q"));
	assert_ptr_equal(wget, nohup);
	assert_non_null(wget->sess);
	assert_string_equal(wget->sess->root->img->cmdline, "node npm i");
	assert_int_equal(wget->depth, 2);
	assert_string_equal(wget->parent->img->name, "node"); /* forked, never exec'd */
	assert_true(wget->parent->exited);
	proctable_stats(t, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.held, 2);
	assert_int_equal(st.sessions, 1);
	proctable_exit(t, 102, 102 * SEC_NS, 0);
	/* a late report (a rename through fanotify) still finds the whole chain */
	assert_ptr_equal(proctable_find(t, 102, 102 * SEC_NS), wget);
	assert_ptr_equal(proctable_find_late(t, 102), wget);
	assert_non_null(wget->sess);
	assert_null(proctable_find(t, 102, 0)); /* no start: live entries only */
	proctable_stats(t, &st);
	assert_int_equal(st.sessions, 1);
	proctable_forget(t, false); /* kept a while, not yet forgotten */
	assert_ptr_equal(proctable_find_late(t, 102), wget);
	proctable_forget(t, true);
	assert_null(proctable_find_late(t, 102));
	assert_null(proctable_find(t, 102, 102 * SEC_NS));
	proctable_stats(t, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.held, 0); /* the chain went with its last member */
	assert_int_equal(st.sessions, 0);
	proctable_free(t);
}

/* A session keeps the package manager's name and type when the definition
 * it was rooted by goes away (a configuration reload frees it). */
static void test_session_outlives_its_definition(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct pm_def *def = calloc(1, sizeof(*def));
	struct session *s;
	struct proc *root;

	(void)state;
	def->name = strdup("yarn");
	def->package_type = strdup("npm");
	root = proctable_exec(t, 100, 100 * SEC_NS, 1, SEC_NS, img("/usr/bin/node", "node yarn"));
	s = proctable_session_start(t, root, def, NULL, NULL);
	assert_non_null(s);
	memset(def->name, 'X', strlen(def->name));
	free(def->name);
	memset(def->package_type, 'X', strlen(def->package_type));
	free(def->package_type);
	free(def);
	assert_string_equal(root->sess->pm->name, "yarn");
	assert_string_equal(root->sess->pm->package_type, "npm");
	proctable_exit(t, 100, 100 * SEC_NS, 0);
	proctable_free(t);
}

static void test_session_adopts_earlier_children(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct proc *root, *child, *grandchild, *other;

	(void)state;
	root = proctable_exec(t, 200, 200 * SEC_NS, 1, SEC_NS, img("/usr/bin/node", "node npm ci"));
	child = spawn(t, 201, 200);
	grandchild = spawn(t, 202, 201);
	other = spawn(t, 300, 1);
	assert_null(child->sess);
	proctable_session_start(t, root, &npm, NULL, NULL);
	assert_ptr_equal(child->sess, root->sess);
	assert_ptr_equal(grandchild->sess, root->sess);
	assert_int_equal(grandchild->depth, 2);
	assert_null(other->sess);
	proctable_free(t);
}

static void count_track(const struct proc *p, void *arg)
{
	(void)p;
	(*(unsigned int *)arg)++;
}

static void test_session_tracks_live_members(void **state)
{
	struct proctable *t = proctable_new(1024);
	unsigned int tracked = 0;
	struct proc *root;

	(void)state;
	root = proctable_exec(t, 400, 400 * SEC_NS, 1, SEC_NS, img("/usr/bin/node", "node npm i"));
	spawn(t, 401, 400);
	spawn(t, 402, 401);
	proctable_session_start(t, root, &npm, count_track, &tracked);
	assert_int_equal(tracked, 3);
	assert_ptr_equal(proctable_session_by_id(t, root->sess->id), root->sess);
	assert_null(proctable_session_by_id(t, root->sess->id + 1));
	proctable_free(t);
}

static void test_pid_reuse(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct proctable_stats st;
	struct proc *root, *reused;

	(void)state;
	root = proctable_exec(t, 500, 500 * SEC_NS, 1, SEC_NS, img("/usr/bin/node", "node npm i"));
	proctable_session_start(t, root, &npm, NULL, NULL);
	spawn(t, 501, 500);
	/* 501's exit record was lost; a new process gets pid 501 */
	reused = proctable_fork(t, 501, 9999 * SEC_NS, 1, SEC_NS);
	assert_non_null(reused);
	assert_null(reused->sess);
	/* the old one is retired, still known by its own start for a while */
	assert_ptr_not_equal(proctable_find(t, 501, 501 * SEC_NS), reused);
	assert_true(proctable_find(t, 501, 501 * SEC_NS)->exited);
	assert_ptr_equal(proctable_find(t, 501, 9999 * SEC_NS), reused);
	assert_ptr_equal(proctable_find(t, 501, 0), reused);
	assert_ptr_equal(proctable_find_late(t, 501), reused);
	proctable_forget(t, true);
	assert_null(proctable_find(t, 501, 501 * SEC_NS));
	proctable_stats(t, &st);
	assert_int_equal(st.live, 2);
	proctable_free(t);
}

static void test_cap(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct proctable_stats st;
	uint32_t pid;

	(void)state;
	for (pid = 2; pid < 2 + 1100; pid++)
		spawn(t, pid, 1);
	proctable_stats(t, &st);
	assert_int_equal(st.live, 1024);
	assert_int_equal(st.full, 1100 - 1024);
	for (pid = 2; pid < 2 + 1100; pid++)
		proctable_exit(t, pid, pid * SEC_NS, 0);
	proctable_stats(t, &st);
	assert_int_equal(st.held, 256); /* the last exits, kept for late reports */
	proctable_forget(t, true);
	proctable_stats(t, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.held, 0);
	spawn(t, 5000, 1); /* room again */
	proctable_stats(t, &st);
	assert_int_equal(st.live, 1);
	proctable_free(t);
}

static void test_proc_scan_start_matches_ticks(void **state)
{
	struct proctable *t = proctable_new(1024);
	struct proc *p;

	(void)state;
	/* /proc gives 10 ms ticks; the kernel gives nanoseconds */
	p = proctable_exec(t, 600, 123450000000ULL, 1, 0, img("/usr/bin/node", "node npm i"));
	p->from_proc = true;
	assert_ptr_equal(proctable_find(t, 600, 123456789012ULL), p);
	assert_false(p->from_proc);
	assert_int_equal(p->start, 123456789012ULL);
	assert_null(proctable_find(t, 600, 123466789012ULL));
	proctable_free(t);
}

/* An exec record as the kernel lays it out. */
struct rec {
	struct ds_exec e;
	char data[512];
};

static size_t add(struct rec *r, size_t off, const char *s, size_t n)
{
	memcpy(r->data + off, s, n);
	return off + n;
}

static size_t build_exec(struct rec *r, uint32_t pid, uint32_t ppid, const char *env, size_t envlen)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	r->e.hdr.type = DS_EV_EXEC;
	r->e.hdr.pid = r->e.hdr.tid = pid;
	r->e.hdr.start = pid * SEC_NS;
	r->e.ppid = ppid;
	r->e.pstart = ppid * SEC_NS;
	off = add(r, off, "curl\0-s\0http://x/\0", 18);
	r->e.args_len = off;
	off = add(r, off, "/usr/bin/curl", 14);
	r->e.filename_len = 14;
	off = add(r, off, "curl\0bin\0usr\0", 13);
	r->e.exe_len = 13;
	off = add(r, off, "pkg\0tmp\0", 8);
	r->e.cwd_len = 8;
	if (env) {
		off = add(r, off, env, envlen);
		r->e.env_len = envlen;
		r->e.hdr.flags |= DS_F_ENV_PRESENT;
	}
	r->e.hdr.size = sizeof(r->e) + off;
	return r->e.hdr.size;
}

static void test_decode_exec(void **state)
{
	static const char env[] =
		"PATH=/bin\0npm_package_name=evil\0npm_lifecycle_event=postinstall";
	char *names[] = { "npm_package_name", "npm_lifecycle_event" };
	struct strlist vars = { names, 2 };
	struct image *i;
	struct rec r;

	(void)state;
	build_exec(&r, 700, 1, env, sizeof(env) - 1);
	i = image_from_exec(&r.e, r.data, r.e.hdr.size - sizeof(r.e), &vars);
	assert_non_null(i);
	assert_int_equal(i->argc, 3);
	assert_string_equal(i->argv[2], "http://x/");
	assert_string_equal(i->cmdline, "curl -s http://x/");
	assert_string_equal(i->exe, "/usr/bin/curl");
	assert_string_equal(i->name, "curl");
	assert_string_equal(i->cwd, "/tmp/pkg");
	assert_int_equal(i->nenv, 2);
	assert_string_equal(i->env[0].value, "evil");
	/* the last variable had no NUL: cut by the kernel, still bounded */
	assert_string_equal(i->env[1].value, "postinstall");
	image_put(i);
	/* a section longer than the record is refused */
	build_exec(&r, 700, 1, NULL, 0);
	r.e.cwd_len = 400;
	assert_null(image_from_exec(&r.e, r.data, 53, &vars));
}

/* A process with a root of its own (a chroot, a container's root): exe
 * and cwd as it sees them, whichever of the two views the kernel's walk
 * gave; the namespace's view kept beside them when that is what it gave. */
static void test_decode_exec_root(void **state)
{
	struct image *i;
	struct rec r;
	size_t off;

	(void)state;
	build_exec(&r, 700, 1, NULL, 0);
	off = r.e.hdr.size - sizeof(r.e);
	off = add(&r, off, "merged\0ctr\0tmp\0", 15);
	r.e.root_len = 15;
	r.e.in_root = DS_IN_ROOT_PATH | DS_IN_ROOT_CWD;
	r.e.pid_ns = 11;
	r.e.mnt_ns = 12;
	r.e.net_ns = 13;
	r.e.hdr.size = sizeof(r.e) + off;
	i = image_from_exec(&r.e, r.data, off, NULL);
	assert_non_null(i);
	assert_string_equal(i->root, "/tmp/ctr/merged");
	assert_string_equal(i->exe, "/usr/bin/curl");
	assert_null(i->host_exe); /* the model's to find, from the place's mounts */
	assert_string_equal(i->cwd, "/tmp/pkg");
	assert_int_equal(i->pid_ns, 11);
	assert_int_equal(i->mnt_ns, 12);
	assert_int_equal(i->net_ns, 13);
	image_put(i);
	/* walks that went on to the namespace's root (the cwd, /tmp/pkg, is
	 * not below /tmp/ctr/merged: kept as given) */
	r.e.in_root = 0;
	i = image_from_exec(&r.e, r.data, off, NULL);
	assert_non_null(i);
	assert_string_equal(i->exe, "/usr/bin/curl");
	assert_null(i->host_exe);
	assert_string_equal(i->cwd, "/tmp/pkg");
	image_put(i);
	/* no root of its own: one view; no component: the root */
	build_exec(&r, 700, 1, NULL, 0);
	r.e.in_root = DS_IN_ROOT_PATH;
	r.e.cwd_len = 0;
	r.e.hdr.size -= 8;
	i = image_from_exec(&r.e, r.data, r.e.hdr.size - sizeof(r.e), NULL);
	assert_non_null(i);
	assert_null(i->root);
	assert_string_equal(i->cwd, "/");
	assert_null(i->host_exe);
	assert_null(i->host_cwd);
	image_put(i);
}

/* The same for file records, from the actor's root. */
static void test_file_views(void **state)
{
	struct file_event ev = { 0 };

	(void)state;
	ev.path = strdup("/workspace/.github/workflows/ci.yml");
	ev.own_view = true;
	assert_int_equal(file_event_root(&ev, "/srv/ctr/merged"), 0);
	assert_string_equal(ev.path, "/workspace/.github/workflows/ci.yml");
	assert_null(ev.host_path); /* the model's to find */
	file_event_free(&ev);
	memset(&ev, 0, sizeof(ev));
	ev.path = strdup("/srv/ctr/merged/etc/profile");
	assert_int_equal(file_event_root(&ev, "/srv/ctr/merged"), 0);
	assert_string_equal(ev.path, "/etc/profile");
	assert_string_equal(ev.host_path, "/srv/ctr/merged/etc/profile");
	assert_true(ev.own_view);
	file_event_free(&ev);
	/* a bind mount from outside the root: the namespace's view alone */
	memset(&ev, 0, sizeof(ev));
	ev.path = strdup("/srv/ctr/mergedx/ci.yml");
	assert_int_equal(file_event_root(&ev, "/srv/ctr/merged"), 0);
	assert_string_equal(ev.path, "/srv/ctr/mergedx/ci.yml");
	assert_null(ev.host_path);
	assert_false(ev.own_view);
	assert_int_equal(file_event_root(&ev, NULL), 0);
	assert_null(ev.host_path);
	file_event_free(&ev);
}

static void test_record_validation(void **state)
{
	struct config *c;
	struct host_info h = { .hostname = "test" };
	struct daemon_ctx *d;
	struct ds_fork f = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	d = loop_new(c, NULL, &h, NULL, NULL);
	assert_non_null(d);
	assert_int_equal(dispatch_record(d, "xy", 2), -EINVAL);
	f.hdr.type = DS_EV_FORK;
	f.hdr.size = sizeof(f) + 1; /* size field disagrees with the length */
	assert_int_equal(dispatch_record(d, &f, sizeof(f)), -EINVAL);
	f.hdr.size = sizeof(f);
	f.hdr.type = 77;
	assert_int_equal(dispatch_record(d, &f, sizeof(f)), -EINVAL);
	f.hdr.type = DS_EV_FORK;
	f.hdr.pid = 800;
	f.hdr.start = 800 * SEC_NS;
	assert_int_equal(dispatch_record(d, &f, sizeof(f)), 0);
	len = build_exec(&r, 800, 1, NULL, 0);
	r.e.args_len = 300; /* sections overrun the record */
	assert_int_equal(dispatch_record(d, &r, len), -EINVAL);
	len = build_exec(&r, 800, 1, NULL, 0);
	assert_int_equal(dispatch_record(d, &r, len), 0);
	loop_free(d);
	config_free(c);
}

/* A connect record is checked like any other: size, family, comm. */
static void test_connect_record_validation(void **state)
{
	struct config *c;
	struct host_info h = { .hostname = "test" };
	struct daemon_ctx *d;
	struct ds_connect e = { 0 };

	(void)state;
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	c->egress_enabled = false; /* no alert line: only the decoding */
	d = loop_new(c, NULL, &h, NULL, NULL);
	assert_non_null(d);
	e.hdr.type = DS_EV_CONNECT;
	e.hdr.size = sizeof(e);
	e.hdr.pid = 900;
	e.hdr.start = 900 * SEC_NS;
	e.family = 2; /* AF_INET */
	e.protocol = 6;
	e.dport = 443;
	e.daddr[0] = 192;
	e.daddr[1] = 0;
	e.daddr[2] = 2;
	e.daddr[3] = 1;
	memcpy(e.comm, "node", 5);
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), 0);
	assert_int_equal(dispatch_record(d, &e, sizeof(e) - 1), -EINVAL);
	e.family = 1; /* AF_UNIX never comes from the kernel side */
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), -EINVAL);
	e.family = 10;
	memset(e.comm, 'x', sizeof(e.comm)); /* unterminated */
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), -EINVAL);
	loop_free(d);
	config_free(c);
}

/* A dns record: its size is checked; what it carries is the network's,
 * so bytes that are no DNS datagram are counted, never fatal. */
static void test_dns_record_validation(void **state)
{
	struct config *c;
	struct host_info h = { .hostname = "test" };
	struct daemon_ctx *d;
	struct ds_dns e = { 0 };
	static const uint8_t question[] = {
		0x45, 0,    0,	 55,  0,   0,	0,   0, 64,  17,  0, 0, 127, 0, 0,
		1,    127,  0,	 0,   53,				/* IPv4 */
		0x9c, 0x40, 0,	 53,  0,   35,	0,   0,			/* UDP */
		0x12, 0x34, 1,	 0,   0,   1,	0,   0, 0,   0,	  0, 0, /* DNS */
		6,    'c',  'r', 'a', 't', 'e', 's', 2, 'i', 'o', 0, 0, 1,   0, 1,
	};

	(void)state;
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	d = loop_new(c, NULL, &h, NULL, NULL);
	assert_non_null(d);
	e.hdr.type = DS_EV_DNS;
	e.hdr.size = sizeof(e);
	e.hdr.pid = 901;
	e.hdr.start = 901 * SEC_NS;
	memcpy(e.data, question, sizeof(question));
	e.len = sizeof(question);
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), 0);
	assert_int_equal(dispatch_record(d, &e, sizeof(e) - 1), -EINVAL);
	e.len = 12; /* not a datagram: counted as malformed DNS, not a bad record */
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), 0);
	e.len = sizeof(e.data) + 1;
	assert_int_equal(dispatch_record(d, &e, sizeof(e)), 0);
	loop_free(d);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_survives_reparenting),
		cmocka_unit_test(test_session_outlives_its_definition),
		cmocka_unit_test(test_session_adopts_earlier_children),
		cmocka_unit_test(test_session_tracks_live_members),
		cmocka_unit_test(test_pid_reuse),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_proc_scan_start_matches_ticks),
		cmocka_unit_test(test_decode_exec),
		cmocka_unit_test(test_decode_exec_root),
		cmocka_unit_test(test_file_views),
		cmocka_unit_test(test_record_validation),
		cmocka_unit_test(test_connect_record_validation),
		cmocka_unit_test(test_dns_record_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
