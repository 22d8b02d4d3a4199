// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF object's life (sensor.c) without a kernel. Every libbpf call it
 * makes is defined here as a fake, which the linker takes before libbpf's
 * own: a map is a small key-value table, the programs a fixed list of
 * sections, the tamper map's memory a memfd. mount(2) is faked too, so no
 * test mounts tracefs or bpffs. What is checked is sensor.c's own logic:
 * sizing from the configuration, the cleanup ladder, the kernel's filter
 * keys across a reload, the counters, hooks on demand, the tamper map's pin.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define NCPUS	   3
#define KEY_MAX	   40 /* the largest key: struct ds_anchor_key */
#define VALUE_MAX  64
#define MAPS_MAX   48
#define SELF_TGID  4242 /* what the fake signal hook learns */
#define SELF_START 777ULL

/* ------------------------------------------------------------ the fakes */

struct entry {
	unsigned char key[KEY_MAX];
	unsigned char value[VALUE_MAX];
	size_t key_len;
};

struct bpf_map {
	char name[32];
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries, flags;
	int fd;		 /* the tamper map's memory, else -1 */
	int fail_size;	 /* bpf_map__set_max_entries fails with -fail_size */
	int fail_update; /* the update numbered so (from 1) fails, 0: none */
	int updates;
	__u32 fail_lookup; /* a lookup of this u32 key fails, UINT32_MAX: none */
	struct entry *v;
	size_t n;
	size_t last_len; /* the last value written: its length, and */
	bool last_zero;	 /* whether it was all zero */
};

struct bpf_program {
	const char *name; /* as the skeleton names it */
	const char *sec;
	int fd;
	bool autoload, autoattach;
	int fail_attach; /* bpf_program__attach fails with this errno */
	int links;	 /* attached now */
};

struct bpf_link {
	struct bpf_program *prog;
};

struct bpf_object {
	int unused;
};

struct ring_buffer {
	int map_fd;
	ring_buffer_sample_fn fn;
	void *ctx;
};

/* One of each kind the sensor treats apart: always attached, the
 * connect pair, a rename, the DNS questions' hook, a socket filter. */
enum {
	P_EXEC,
	P_CONNECT_ENTER,
	P_CONNECT_EXIT,
	P_RENAMEAT2,
	P_DNS_XMIT,
	P_DNS_FILTER,
	P_EGRESS_CONNECT4, /* the response's socket address programs */
	P_EGRESS_CONNECT6,
	P_EGRESS_SENDMSG4,
	P_EGRESS_SENDMSG6,
	P_MAX
};

#define PROG(n, s)                      \
	{                               \
		.name = (n), .sec = (s) \
	}

static struct bpf_program progs[P_MAX] = {
	[P_EXEC] = PROG("handle_exec", "tp_btf/sched_process_exec"),
	[P_CONNECT_ENTER] = PROG("handle_connect_enter", "tp/syscalls/sys_enter_connect"),
	[P_CONNECT_EXIT] = PROG("handle_connect_exit", "tp/syscalls/sys_exit_connect"),
	[P_RENAMEAT2] = PROG("handle_renameat2_enter", "tp/syscalls/sys_enter_renameat2"),
	[P_DNS_XMIT] = PROG("handle_dns_xmit", "tp_btf/net_dev_queue"),
	[P_DNS_FILTER] = PROG("dns_filter", "socket"),
	[P_EGRESS_CONNECT4] = PROG("egress_connect4", "cgroup/connect4"),
	[P_EGRESS_CONNECT6] = PROG("egress_connect6", "cgroup/connect6"),
	[P_EGRESS_SENDMSG4] = PROG("egress_sendmsg4", "cgroup/sendmsg4"),
	[P_EGRESS_SENDMSG6] = PROG("egress_sendmsg6", "cgroup/sendmsg6"),
};

static struct bpf_map maps[MAPS_MAX];
static size_t nmaps;
static struct bpf_object object;

static struct {
	int probe;	  /* libbpf_probe_bpf_map_type's answer */
	int helper_probe; /* libbpf_probe_bpf_helper's */
	int ncpus;
	int open_err, load_err, attach_err; /* what those steps return */
	int probes, cpus_asked, opens, loads, attaches, destroys, mounts, pins;
	int ringbufs;		    /* alive */
	bool self_learns;	    /* the signal hook names the daemon */
	int obj_get_errno;	    /* bpf_obj_get fails so, whatever is there */
	int pin_errno;		    /* bpf_obj_pin fails so */
	struct bpf_map_info pinned; /* what a pin found at the path is */
	char pin_path[PATH_MAX];    /* the tamper map's, once set */
	uint64_t percpu[DS_COUNTER_MAX][NCPUS];
} fk;

static void map_defaults(struct bpf_map *m)
{
	static const struct {
		const char *name;
		enum bpf_map_type type;
		__u32 value_size, flags;
	} known[] = {
		{ "counters", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u64), 0 },
		/* a per-CPU value whose size is not a multiple of 8 */
		{ "file_seen", BPF_MAP_TYPE_PERCPU_ARRAY, 12, 0 },
		{ "dir_gen", BPF_MAP_TYPE_ARRAY, sizeof(__u32), 0 },
		{ "self", BPF_MAP_TYPE_ARRAY, sizeof(struct ds_self), 0 },
		{ "tamper", BPF_MAP_TYPE_ARRAY, sizeof(struct ds_tamper), BPF_F_MMAPABLE },
		{ "tracked", BPF_MAP_TYPE_HASH, sizeof(struct ds_track), 0 },
	};
	size_t i;

	m->type = BPF_MAP_TYPE_HASH;
	m->key_size = sizeof(__u32);
	m->value_size = sizeof(__u8);
	m->max_entries = 1;
	m->fd = -1;
	m->fail_lookup = UINT32_MAX;
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(known[i].name, m->name))
			continue;
		m->type = known[i].type;
		m->value_size = known[i].value_size;
		m->flags = known[i].flags;
	}
}

/* The fake map called name, made on first use. */
static struct bpf_map *fake_map(const char *name)
{
	struct bpf_map *m;
	size_t i;

	for (i = 0; i < nmaps; i++)
		if (strcmp(maps[i].name, name) == 0)
			return &maps[i];
	assert_true(nmaps < MAPS_MAX);
	m = &maps[nmaps++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	map_defaults(m);
	return m;
}

static struct entry *find(const struct bpf_map *m, const void *key, size_t len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].key_len == len && memcmp(m->v[i].key, key, len) == 0)
			return &m->v[i];
	return NULL;
}

static int fail_with(int err)
{
	errno = err;
	return -err;
}

int libbpf_probe_bpf_map_type(enum bpf_map_type map_type, const void *opts)
{
	(void)opts;
	fk.probes++;
	return map_type == BPF_MAP_TYPE_RINGBUF ? fk.probe : 1;
}

int libbpf_probe_bpf_helper(enum bpf_prog_type prog_type, enum bpf_func_id helper_id,
			    const void *opts)
{
	(void)opts;
	assert_int_equal(prog_type, BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
	assert_int_equal(helper_id, BPF_FUNC_get_current_pid_tgid);
	return fk.helper_probe;
}

int libbpf_num_possible_cpus(void)
{
	fk.cpus_asked++;
	return fk.ncpus;
}

int bpf_object__open_skeleton(struct bpf_object_skeleton *s,
			      const struct bpf_object_open_opts *opts)
{
	int i, j;

	(void)opts;
	fk.opens++;
	if (fk.open_err)
		return fk.open_err;
	*s->obj = &object;
	for (i = 0; i < s->map_cnt; i++)
		*s->maps[i].map = fake_map(s->maps[i].name);
	for (i = 0; i < s->prog_cnt; i++) {
		*s->progs[i].prog = NULL;
		for (j = 0; j < P_MAX; j++)
			if (strcmp(progs[j].name, s->progs[i].name) == 0)
				*s->progs[i].prog = &progs[j];
	}
	return 0;
}

/* Loading pins the tamper map where its pin path says, as libbpf does. */
int bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	int fd;

	(void)s;
	fk.loads++;
	if (fk.load_err)
		return fk.load_err;
	if (fk.pin_path[0] && access(fk.pin_path, F_OK)) {
		fd = open(fk.pin_path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	return 0;
}

int bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
	(void)s;
	fk.attaches++;
	return fk.attach_err;
}

void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s)
{
	if (!s)
		return;
	fk.destroys++;
	free(s->maps);
	free(s->progs);
	free(s);
}

struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog)
{
	assert_ptr_equal(obj, &object);
	if (!prog)
		return &progs[0];
	return prog + 1 < progs + P_MAX ? prog + 1 : NULL;
}

const char *bpf_program__section_name(const struct bpf_program *prog)
{
	return prog->sec;
}

bool bpf_program__autoload(const struct bpf_program *prog)
{
	return prog->autoload;
}

int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
{
	prog->autoload = autoload;
	return 0;
}

void bpf_program__set_autoattach(struct bpf_program *prog, bool autoattach)
{
	prog->autoattach = autoattach;
}

int bpf_program__fd(const struct bpf_program *prog)
{
	return prog->fd;
}

struct bpf_link *bpf_program__attach(const struct bpf_program *prog)
{
	struct bpf_program *p = &progs[prog - progs];
	struct bpf_link *l;

	if (p->fail_attach) {
		errno = p->fail_attach;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	l->prog = p;
	p->links++;
	return l;
}

int bpf_link__destroy(struct bpf_link *link)
{
	if (!link)
		return 0;
	link->prog->links--;
	free(link);
	return 0;
}

int bpf_map__set_max_entries(struct bpf_map *m, __u32 max_entries)
{
	if (m->fail_size)
		return fail_with(m->fail_size);
	m->max_entries = max_entries;
	return 0;
}

int bpf_map__update_elem(const struct bpf_map *map, const void *key, size_t key_sz,
			 const void *value, size_t value_sz, __u64 flags)
{
	struct bpf_map *m = &maps[map - maps];
	const unsigned char *b = value;
	struct entry *e;
	size_t i;

	(void)flags;
	assert_true(key_sz <= KEY_MAX);
	if (++m->updates == m->fail_update)
		return fail_with(E2BIG);
	m->last_len = value_sz;
	for (m->last_zero = true, i = 0; i < value_sz; i++)
		m->last_zero &= b[i] == 0;
	e = find(m, key, key_sz);
	if (!e) {
		m->v = realloc(m->v, (m->n + 1) * sizeof(*m->v));
		assert_non_null(m->v);
		e = memset(&m->v[m->n++], 0, sizeof(*e));
		memcpy(e->key, key, key_sz);
		e->key_len = key_sz;
	}
	memcpy(e->value, value, value_sz < VALUE_MAX ? value_sz : VALUE_MAX);
	return 0;
}

int bpf_map__delete_elem(const struct bpf_map *map, const void *key, size_t key_sz, __u64 flags)
{
	struct bpf_map *m = &maps[map - maps];
	struct entry *e = find(m, key, key_sz);

	(void)flags;
	if (!e)
		return fail_with(ENOENT);
	*e = m->v[--m->n];
	return 0;
}

/* The counters per CPU as fk.percpu holds them; the self map as the signal
 * hook leaves it; any other value as it was written. */
int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz, void *value,
			 size_t value_sz, __u64 flags)
{
	struct bpf_map *m = &maps[map - maps];
	struct entry *e;
	__u32 k = 0;

	(void)flags;
	memcpy(&k, key, key_sz < sizeof(k) ? key_sz : sizeof(k));
	if (k == m->fail_lookup)
		return fail_with(EIO);
	if (strcmp(m->name, "counters") == 0) {
		assert_int_equal(value_sz, sizeof(__u64) * NCPUS);
		assert_true(k < DS_COUNTER_MAX);
		memcpy(value, fk.percpu[k], value_sz);
		return 0;
	}
	e = find(m, key, key_sz);
	if (!e)
		return fail_with(ENOENT);
	if (strcmp(m->name, "self") == 0 && fk.self_learns) {
		struct ds_self *me = (struct ds_self *)e->value;

		me->tgid = SELF_TGID;
		me->start = SELF_START;
	}
	assert_true(value_sz <= VALUE_MAX);
	memcpy(value, e->value, value_sz);
	return 0;
}

int bpf_map__fd(const struct bpf_map *m)
{
	return m->fd;
}

enum bpf_map_type bpf_map__type(const struct bpf_map *m)
{
	return m->type;
}

__u32 bpf_map__key_size(const struct bpf_map *m)
{
	return m->key_size;
}

__u32 bpf_map__value_size(const struct bpf_map *m)
{
	return m->value_size;
}

__u32 bpf_map__max_entries(const struct bpf_map *m)
{
	return m->max_entries;
}

__u32 bpf_map__map_flags(const struct bpf_map *m)
{
	return m->flags;
}

int bpf_map__set_pin_path(struct bpf_map *m, const char *path)
{
	assert_string_equal(m->name, "tamper");
	snprintf(fk.pin_path, sizeof(fk.pin_path), "%s", path);
	return 0;
}

/* Whatever file is at path stands for a pinned object (fk.pinned). */
int bpf_obj_get(const char *pathname)
{
	if (fk.obj_get_errno)
		return fail_with(fk.obj_get_errno);
	return open(pathname, O_RDONLY | O_CLOEXEC);
}

int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
{
	assert_true(bpf_fd >= 0);
	assert_int_equal(*info_len, sizeof(fk.pinned));
	memcpy(info, &fk.pinned, sizeof(fk.pinned));
	return 0;
}

int bpf_obj_pin(int fd, const char *pathname)
{
	int pin;

	assert_int_equal(fd, fake_map("tamper")->fd);
	if (fk.pin_errno)
		return fail_with(fk.pin_errno);
	pin = open(pathname, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (pin < 0)
		return -errno;
	close(pin);
	fk.pins++;
	return 0;
}

struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
				     const struct ring_buffer_opts *opts)
{
	struct ring_buffer *rb = calloc(1, sizeof(*rb));

	(void)opts;
	assert_non_null(rb);
	*rb = (struct ring_buffer){ .map_fd = map_fd, .fn = sample_cb, .ctx = ctx };
	fk.ringbufs++;
	return rb;
}

void ring_buffer__free(struct ring_buffer *rb)
{
	if (!rb)
		return;
	fk.ringbufs--;
	free(rb);
}

int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	  const void *data)
{
	(void)source;
	(void)target;
	(void)fstype;
	(void)flags;
	(void)data;
	fk.mounts++;
	return 0;
}

/* ------------------------------------------------------------- helpers */

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nmaps; i++) {
		free(maps[i].v);
		if (maps[i].fd >= 0)
			close(maps[i].fd);
	}
	memset(maps, 0, sizeof(maps));
	nmaps = 0;
	memset(&fk, 0, sizeof(fk));
	fk.probe = 1;
	fk.helper_probe = 1;
	fk.ncpus = NCPUS;
	fk.self_learns = true;
	for (i = 0; i < P_MAX; i++) {
		progs[i].fd = 40 + (int)i;
		progs[i].autoload = progs[i].autoattach = true;
		progs[i].fail_attach = 0;
		progs[i].links = 0;
	}
	return 0;
}

/* A configuration with these package manager executables and watched
 * files; a static one, enough for sensor.c, which reads nothing else. */
struct test_config {
	struct config c;
	struct pm_def pm;
};

static void config_set(struct test_config *t, char **exes, size_t nexes, char **pipeline,
		       size_t npipeline, char **build, size_t nbuild)
{
	memset(t, 0, sizeof(*t));
	t->c.ringbuf_bytes = 1U << 20;
	t->c.proctable_max = 4096;
	t->pm.name = "pm";
	t->pm.executables = (struct strlist){ .v = exes, .n = nexes };
	t->c.pms = &t->pm;
	t->c.npms = 1;
	t->c.watch_pipeline = (struct strlist){ .v = pipeline, .n = npipeline };
	t->c.watch_build = (struct strlist){ .v = build, .n = nbuild };
}

static char *exes_a[] = { "node", "python?.?", "*wild", "a-long-interpreter-name" };
static char *pipeline_a[] = { "*/.github/workflows/*" };
static char *build_a[] = { "*/q*" };
static struct test_config cfg_a;

static void config_a(void)
{
	config_set(&cfg_a, exes_a, ARRAY_SIZE(exes_a), pipeline_a, ARRAY_SIZE(pipeline_a), build_a,
		   ARRAY_SIZE(build_a));
}

/* Is the wake-up key (comm, first bits) in the kernel's map? */
static bool has_wake(const char *comm, __u32 bits)
{
	struct ds_wake_key k = { .prefixlen = bits };

	memcpy(k.comm, comm, strnlen(comm, DS_COMM_LEN - 1));
	return find(fake_map("wake_comm"), &k, sizeof(k)) != NULL;
}

static bool has_anchor(const char *name, __u32 bits)
{
	struct ds_anchor_key k = { .prefixlen = bits };

	memcpy(k.name, name, strlen(name));
	return find(fake_map("anchors"), &k, sizeof(k)) != NULL;
}

/* The classes (DS_ANCHOR_*) an anchor key carries, 0 when it is absent. */
static __u8 anchor_value(const char *name, __u32 bits)
{
	struct ds_anchor_key k = { .prefixlen = bits };
	struct entry *e;

	memcpy(k.name, name, strlen(name));
	e = find(fake_map("anchors"), &k, sizeof(k));
	return e ? e->value[0] : 0;
}

static __u8 start_value(unsigned char first, unsigned char second)
{
	__u32 k = (__u32)first << 8 | second;
	struct entry *e = find(fake_map("anchor_starts"), &k, sizeof(k));

	return e ? e->value[0] : 0;
}

static bool has_start(unsigned char first, unsigned char second)
{
	__u32 k = (__u32)first << 8 | second;

	return find(fake_map("anchor_starts"), &k, sizeof(k)) != NULL;
}

/* Without BTF the sensor refuses to start before anything is faked. */
static void need_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		skip();
}

static struct sensor *open_a(const char *pin)
{
	struct sensor *s;

	need_btf();
	config_a();
	s = sensor_open(&cfg_a.c, pin);
	assert_non_null(s);
	return s;
}

/* -------------------------------------------------------------- tests */

static void test_counter_names(void **state)
{
	const char *a, *b;
	int i, j;

	(void)state;
	for (i = 0; i < DS_COUNTER_MAX; i++) {
		a = sensor_counter_name(i);
		if (!a || !a[0] || strcmp(a, "?") == 0)
			fail_msg("counter %d has no name", i);
		for (j = 0; j < i; j++) {
			b = sensor_counter_name(j);
			if (strcmp(a, b) == 0)
				fail_msg("counters %d and %d are both \"%s\"", j, i, a);
		}
	}
	assert_string_equal(sensor_counter_name(DS_DROP_EXEC), "exec_dropped");
	assert_string_equal(sensor_counter_name(DS_DROP_DNS), "dns_questions_dropped");
	assert_string_equal(sensor_counter_name(-1), "?");
	assert_string_equal(sensor_counter_name(DS_COUNTER_MAX), "?");
}

/* No ring buffer (or no BTF): refused before the object is opened. */
static void test_open_unsupported(void **state)
{
	(void)state;
	config_a();
	fk.probe = 0;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.opens, 0);
	assert_int_equal(fk.cpus_asked, 0);
}

static void test_open_no_cpus(void **state)
{
	(void)state;
	need_btf();
	config_a();
	fk.ncpus = 0;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.probes, 1);
	assert_int_equal(fk.cpus_asked, 1);
	assert_int_equal(fk.opens, 0);
}

/* Each failing step frees what the steps before it made, once. */
static void test_open_failures(void **state)
{
	(void)state;
	need_btf();
	config_a();
	fk.open_err = -ENOENT;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.opens, 1);
	assert_int_equal(fk.destroys, 1);
	assert_int_equal(fk.loads, 0);

	setup(NULL);
	fake_map("tracked")->fail_size = EINVAL;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fake_map("events")->max_entries, cfg_a.c.ringbuf_bytes);
	assert_int_equal(fake_map("exec_buf")->max_entries, 1); /* not reached */
	assert_int_equal(fk.loads, 0);
	assert_int_equal(fk.destroys, 1);

	setup(NULL);
	fk.attach_err = -EPERM;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.loads, 1);
	assert_int_equal(fk.attaches, 1);
	assert_int_equal(fk.destroys, 1);
	assert_int_equal(fk.mounts, access("/sys/kernel/tracing/events", F_OK) &&
					    access("/sys/kernel/debug/tracing/events", F_OK));
}

/* The maps are sized from the configuration and the CPU count before the
 * object is loaded. */
static void test_open_sizes_maps(void **state)
{
	(void)state;
	need_btf();
	config_a();
	fk.load_err = -EPERM;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.loads, 1);
	assert_int_equal(fk.destroys, 1);
	assert_int_equal(fake_map("events")->max_entries, 1U << 20);
	assert_int_equal(fake_map("tracked")->max_entries, 4096);
	assert_int_equal(fake_map("exec_buf")->max_entries, NCPUS);
	assert_int_equal(fk.attaches, 0);
}

/* The response's programs: never attached with the object (a cgroup needs
 * naming), loaded only where the kernel lets them name the process; the
 * response off, nothing is attached and the kernel's mode is off. */
static void test_egress_programs(void **state)
{
	const struct ds_resp_cfg *rc;
	struct sensor *s;
	int i;

	(void)state;
	s = open_a(NULL);
	for (i = P_EGRESS_CONNECT4; i <= P_EGRESS_SENDMSG6; i++) {
		assert_false(progs[i].autoattach);
		assert_true(progs[i].autoload);
		assert_int_equal(progs[i].links, 0);
	}
	assert_true(sensor_egress_in_kernel(s));
	rc = (const struct ds_resp_cfg *)fake_map("resp_cfg")->v[0].value;
	assert_int_equal(rc->mode, 0);
	sensor_close(s);

	/* Linux 5.10: no pid in socket address programs */
	setup(NULL);
	fk.helper_probe = 0;
	s = open_a(NULL);
	for (i = P_EGRESS_CONNECT4; i <= P_EGRESS_SENDMSG6; i++)
		assert_false(progs[i].autoload);
	assert_true(progs[P_DNS_FILTER].autoload);
	assert_false(sensor_egress_in_kernel(s));
	sensor_close(s);
}

/* The DNS filter keys an allowlisted name by the hash of its wire form,
 * taken from its last byte back: every suffix's hash is on the way, and
 * the hash of a name from a label on is the hash of that suffix alone. */
static void test_name_hash(void **state)
{
	static const unsigned char wire[] = "\x08registry\x05npmjs\x03org";
	uint64_t h = DS_NAME_HASH_INIT;
	size_t i;

	(void)state;
	for (i = sizeof(wire) - 1; i > 0; i--)
		h = DS_NAME_HASH_STEP(h, wire[i - 1]);
	assert_true(h == egress_name_hash("registry.npmjs.org", 0));
	assert_true(egress_name_hash("registry.npmjs.org", 9) == egress_name_hash("npmjs.org", 0));
	assert_true(egress_name_hash("registry.npmjs.org", 15) == egress_name_hash("org", 0));
	assert_true(egress_name_hash("npmjs.org", 0) != egress_name_hash("npmjs.com", 0));
	assert_true(egress_name_hash("a.bc", 0) != egress_name_hash("ab.c", 0)); /* lengths count */
	/* no name: no key (an empty label, a label over 63 bytes) */
	assert_true(egress_name_hash("a..b", 0) == 0);
	assert_true(egress_name_hash(".a", 0) == 0);
	assert_true(egress_name_hash(
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.org",
			    0) == 0);
}

/* The syscall tracepoints and the DNS questions' hook are attached on
 * demand; the rest with the object. */
static void test_hooks_on_demand(void **state)
{
	struct sensor *s;

	(void)state;
	s = open_a(NULL);
	assert_true(progs[P_EXEC].autoattach);
	assert_true(progs[P_DNS_FILTER].autoattach);
	assert_false(progs[P_CONNECT_ENTER].autoattach);
	assert_false(progs[P_CONNECT_EXIT].autoattach);
	assert_false(progs[P_RENAMEAT2].autoattach);
	assert_false(progs[P_DNS_XMIT].autoattach);
	assert_int_equal(sensor_dns_filter_fd(s), progs[P_DNS_FILTER].fd);

	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT, true), 0);
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT, true), 0); /* once */
	assert_int_equal(progs[P_CONNECT_ENTER].links, 1);
	assert_int_equal(progs[P_CONNECT_EXIT].links, 1);
	assert_int_equal(progs[P_RENAMEAT2].links, 0);
	assert_int_equal(progs[P_DNS_XMIT].links, 0);
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_NAMES | SENSOR_HOOK_DNS, true), 0);
	assert_int_equal(progs[P_RENAMEAT2].links, 1);
	assert_int_equal(progs[P_DNS_XMIT].links, 1);
	assert_int_equal(progs[P_EXEC].links, 0); /* the skeleton's business */
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT, false), 0);
	assert_int_equal(progs[P_CONNECT_ENTER].links, 0);
	assert_int_equal(progs[P_CONNECT_EXIT].links, 0);
	assert_int_equal(progs[P_RENAMEAT2].links, 1);
	sensor_close(s);
	assert_int_equal(progs[P_RENAMEAT2].links, 0);
	assert_int_equal(progs[P_DNS_XMIT].links, 0);
	assert_int_equal(fk.destroys, 1);
}

/* A hook that does not attach leaves none of its kind attached; one not
 * loaded (its tracepoint missing) is passed over. */
static void test_hooks_failure(void **state)
{
	struct sensor *s;

	(void)state;
	s = open_a(NULL);
	progs[P_CONNECT_EXIT].fail_attach = EINVAL;
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT, true), -EINVAL);
	assert_int_equal(progs[P_CONNECT_ENTER].links, 0);
	assert_int_equal(progs[P_CONNECT_EXIT].links, 0);
	progs[P_CONNECT_EXIT].autoload = false;
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT, true), 0);
	assert_int_equal(progs[P_CONNECT_ENTER].links, 1);
	assert_int_equal(progs[P_CONNECT_EXIT].links, 0);
	/* hooks attached before a failed call stay attached */
	progs[P_CONNECT_EXIT].autoload = true;
	assert_int_equal(sensor_hooks(s, SENSOR_HOOK_CONNECT | SENSOR_HOOK_NAMES, true), -EINVAL);
	assert_int_equal(progs[P_CONNECT_ENTER].links, 1);
	assert_int_equal(progs[P_CONNECT_EXIT].links, 0);
	progs[P_CONNECT_EXIT].autoload = false;
	sensor_close(s);
	assert_int_equal(progs[P_CONNECT_ENTER].links, 0);
}

/* The wake-up prefixes are each executable pattern's literal start (the
 * whole name and its NUL when exact, 15 bytes at most, none for a pattern
 * starting with a wildcard); the file anchors are each watched pattern's
 * longest literal component, with its first two bytes in the prefilter. */
static void test_filter_keys(void **state)
{
	struct sensor *s;
	int b;

	(void)state;
	s = open_a(NULL);
	assert_int_equal(fake_map("wake_comm")->n, 3);
	assert_true(has_wake("node", 5 * 8));
	assert_true(has_wake("python", 6 * 8));
	assert_true(has_wake("a-long-interpre", 15 * 8));
	assert_int_equal(fake_map("anchors")->n, 2);
	assert_true(has_anchor("workflows", 10 * 8));
	assert_true(has_anchor("q", 1 * 8));
	assert_true(has_start('w', 'o'));
	for (b = 0; b < 256; b++) /* a one-byte anchor: any second byte */
		if (!has_start('q', (unsigned char)b))
			fail_msg("no prefilter key for 'q', %d", b);
	assert_int_equal(fake_map("anchor_starts")->n, 257);
	assert_int_equal(fake_map("anchor_starts")->updates, 257); /* each key once */
	sensor_close(s);
}

/* The written files' anchors and the read ones' keep their own classes;
 * a key also carries the classes of the shorter anchors that are its
 * prefixes (the trie answers with the longest match alone), and a
 * prefilter entry those of every anchor starting so. */
static void test_filter_classes(void **state)
{
	static char *pipeline[] = { "*/.gitlab-ci*", "*/.github/workflows/*" };
	static char *creds[] = { "*/.gitlab-ci-token.json", "*/.npmrc", "*/.ssh/id_*" };
	static char *startup[] = { "*/site-packages/*.pth", "*/.bashrc", "*/autostart/*.DESKTOP" };
	struct persist_group group = { .paths = { .v = startup, .n = ARRAY_SIZE(startup) } };
	struct ds_suffix_key sk = { .len = 4, .s = ".pth" };
	struct test_config t;
	struct sensor *s;
	__u32 zero = 0;
	struct entry *e;

	(void)state;
	need_btf();
	config_set(&t, exes_a, ARRAY_SIZE(exes_a), pipeline, ARRAY_SIZE(pipeline), NULL, 0);
	t.c.cred_paths = (struct strlist){ .v = creds, .n = ARRAY_SIZE(creds) };
	t.c.persist = &group;
	t.c.npersist = 1;
	s = sensor_open(&t.c, NULL);
	assert_non_null(s);
	assert_int_equal(anchor_value(".gitlab-ci", 10 * 8), DS_ANCHOR_WRITE);
	assert_int_equal(anchor_value(".gitlab-ci-token.json", 22 * 8),
			 DS_ANCHOR_WRITE | DS_ANCHOR_READ);
	assert_int_equal(anchor_value("workflows", 10 * 8), DS_ANCHOR_WRITE);
	assert_int_equal(anchor_value(".npmrc", 7 * 8), DS_ANCHOR_READ);
	assert_int_equal(anchor_value(".ssh", 5 * 8), DS_ANCHOR_READ);
	assert_int_equal(start_value('.', 'g'), DS_ANCHOR_WRITE | DS_ANCHOR_READ);
	assert_int_equal(start_value('.', 'n'), DS_ANCHOR_READ);
	assert_int_equal(start_value('w', 'o'), DS_ANCHOR_WRITE);
	assert_int_equal(start_value('x', 'x'), 0);
	/* a pattern ending in '*' then a literal is keyed on that suffix alone */
	assert_int_equal(anchor_value(".bashrc", 8 * 8), DS_ANCHOR_WRITE);
	assert_int_equal(anchor_value("site-packages", 14 * 8), 0);
	assert_int_equal(anchor_value("autostart", 10 * 8), 0);
	e = find(fake_map("anchor_suffixes"), &sk, sizeof(sk));
	assert_non_null(e);
	assert_int_equal(e->value[0], DS_ANCHOR_WRITE);
	memset(&sk, 0, sizeof(sk));
	sk.len = 8;
	memcpy(sk.s, ".desktop", 8);
	assert_non_null(find(fake_map("anchor_suffixes"), &sk, sizeof(sk)));
	assert_int_equal(fake_map("anchor_suffixes")->n, 2);
	e = find(fake_map("suffix_lens"), &zero, sizeof(zero));
	assert_non_null(e);
	assert_int_equal(*(__u32 *)e->value, (1U << 4) | (1U << 8));
	sensor_close(s);
}

/* A reload adds the new keys beside the old, then drops the old ones the
 * new configuration lacks, and forgets each CPU's last judged write. */
static void test_filter_reload(void **state)
{
	static char *exes_b[] = { "node", "deno" };
	struct test_config b;
	struct sensor *s;

	(void)state;
	s = open_a(NULL);
	config_set(&b, exes_b, ARRAY_SIZE(exes_b), pipeline_a, ARRAY_SIZE(pipeline_a), NULL, 0);
	assert_int_equal(sensor_filters_add(s, &b.c, &cfg_a.c), 0);
	assert_true(has_wake("deno", 5 * 8));
	assert_true(has_wake("python", 6 * 8)); /* still: the old one runs */
	assert_true(has_anchor("q", 1 * 8));
	sensor_filters_drop(s, &cfg_a.c, &b.c);
	assert_int_equal(fake_map("wake_comm")->n, 2);
	assert_true(has_wake("node", 5 * 8));
	assert_true(has_wake("deno", 5 * 8));
	assert_int_equal(fake_map("anchors")->n, 1);
	assert_true(has_anchor("workflows", 10 * 8));
	assert_int_equal(fake_map("anchor_starts")->n, 1);
	assert_true(has_start('w', 'o'));
	/* file_seen: one zeroed value per CPU, each rounded up to 8 bytes */
	assert_int_equal(fake_map("file_seen")->last_len, NCPUS * 16);
	assert_true(fake_map("file_seen")->last_zero);
	sensor_close(s);
}

/* An anchor that cannot be added fails the reload, and the keys it had
 * added that the running configuration lacks are taken out again. */
static void test_filter_reload_failure(void **state)
{
	static char *exes_c[] = { "node", "python?.?", "bunx" };
	static char *pipeline_c[] = { "*/.github/workflows/*", "*/newdir/*" };
	struct test_config c;
	struct sensor *s;

	(void)state;
	s = open_a(NULL);
	config_set(&c, exes_c, ARRAY_SIZE(exes_c), pipeline_c, ARRAY_SIZE(pipeline_c), build_a,
		   ARRAY_SIZE(build_a));
	fake_map("anchors")->fail_update = fake_map("anchors")->updates + 2; /* newdir */
	assert_int_equal(sensor_filters_add(s, &c.c, &cfg_a.c), -E2BIG);
	assert_false(has_wake("bunx", 5 * 8));
	assert_false(has_anchor("newdir", 7 * 8));
	assert_false(has_start('n', 'e'));
	assert_int_equal(fake_map("wake_comm")->n, 3); /* the running configuration's */
	assert_true(has_wake("python", 6 * 8));
	assert_int_equal(fake_map("anchors")->n, 2);
	assert_true(has_anchor("workflows", 10 * 8));
	assert_int_equal(fake_map("anchor_starts")->n, 257);
	sensor_close(s);
}

/* The first start cannot add its anchors: nothing is left behind, and
 * nothing is attached. */
static void test_open_filter_failure(void **state)
{
	(void)state;
	need_btf();
	config_a();
	fake_map("anchor_starts")->fail_update = 1;
	assert_null(sensor_open(&cfg_a.c, NULL));
	assert_int_equal(fk.attaches, 0);
	assert_int_equal(fake_map("wake_comm")->n, 0);
	assert_int_equal(fake_map("anchors")->n, 0);
	assert_int_equal(fake_map("anchor_starts")->n, 0);
	assert_int_equal(fk.destroys, 1);
}

static void test_counters(void **state)
{
	uint64_t out[DS_COUNTER_MAX];
	struct sensor *s;
	int i, c;

	(void)state;
	s = open_a(NULL);
	for (i = 0; i < DS_COUNTER_MAX; i++)
		for (c = 0; c < NCPUS; c++)
			fk.percpu[i][c] = (uint64_t)i * 1000 + (uint64_t)c + 1;
	fk.percpu[DS_DROP_EXIT][1] = UINT32_MAX + 5ULL; /* past 32 bits */
	memset(out, 0xff, sizeof(out));
	assert_int_equal(sensor_counters(s, out), 0);
	for (i = 0; i < DS_COUNTER_MAX; i++) {
		uint64_t want = (uint64_t)i * 1000 * NCPUS + 6;

		if (i == DS_DROP_EXIT)
			want = 2 * 1000 + 1 + (UINT32_MAX + 5ULL) + 2 * 1000 + 3;
		if (out[i] != want)
			fail_msg("counter %d: %llu, expected %llu", i, (unsigned long long)out[i],
				 (unsigned long long)want);
	}
	fake_map("counters")->fail_lookup = DS_ERR_ARGS;
	assert_int_equal(sensor_counters(s, out), -EIO);
	assert_int_equal(out[DS_DROP_EXEC], 6);
	assert_int_equal(out[DS_ERR_ARGS], 0);
	sensor_close(s);
}

static void test_track_and_dir_gen(void **state)
{
	struct ds_track v;
	struct sensor *s;
	__u32 pid = 31337, zero = 0, gen = 0;

	(void)state;
	s = open_a(NULL);
	assert_int_equal(sensor_track(s, pid, 99), 0);
	assert_int_equal(bpf_map__lookup_elem(fake_map("tracked"), &pid, sizeof(pid), &v, sizeof(v),
					      0),
			 0);
	assert_int_equal(v.session, 99);
	sensor_dir_renamed(s);
	sensor_dir_renamed(s);
	assert_int_equal(bpf_map__lookup_elem(fake_map("dir_gen"), &zero, sizeof(zero), &gen,
					      sizeof(gen), 0),
			 0);
	assert_int_equal(gen, 2);
	sensor_close(s);
}

static int sample(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static void test_ringbuf(void **state)
{
	struct ring_buffer *rb;
	struct sensor *s;
	int ctx;

	(void)state;
	fake_map("events")->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s = open_a(NULL);
	rb = sensor_ringbuf(s, sample, &ctx);
	assert_non_null(rb);
	assert_int_equal(rb->map_fd, fake_map("events")->fd);
	assert_ptr_equal(rb->ctx, &ctx);
	assert_ptr_equal(sensor_ringbuf(s, sample, NULL), rb); /* made once */
	assert_int_equal(fk.ringbufs, 1);
	sensor_close(s);
	assert_int_equal(fk.ringbufs, 0);
	sensor_close(NULL);
}

/* The daemon tells the signal hook who it is (pid and pid namespace as it
 * sees them), and reads back the hook's global name for itself. */
static void test_self(void **state)
{
	struct ds_self me;
	struct stat ns;
	struct sensor *s;
	uint64_t start;
	uint32_t tgid;
	__u32 zero = 0;

	(void)state;
	s = open_a(NULL);
	assert_int_equal(sensor_self(s, &tgid, &start), 0);
	assert_int_equal(tgid, SELF_TGID);
	assert_int_equal(start, SELF_START);
	assert_int_equal(bpf_map__lookup_elem(fake_map("self"), &zero, sizeof(zero), &me,
					      sizeof(me), 0),
			 0);
	assert_int_equal(me.ns_pid, getpid());
	assert_int_equal(stat("/proc/self/ns/pid", &ns), 0);
	assert_int_equal(me.pidns_ino, ns.st_ino);
	sensor_close(s);

	/* not learnt: the hook is left with nothing to match, the daemon runs */
	setup(NULL);
	fk.self_learns = false;
	s = open_a(NULL);
	assert_int_equal(sensor_self(s, &tgid, &start), -ESRCH);
	assert_true(fake_map("self")->last_zero);
	sensor_close(s);
}

/* ----------------------------------------------------- the tamper map */

static char tmpdir[64]; /* /tmp/ds-unit-sensor.XXXXXX */

/* The tamper map's memory: its value, in whole pages. */
static size_t tamper_len(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct ds_tamper) + page - 1) / page * page;
}

static int setup_tamper(void **state)
{
	struct bpf_map *m;

	setup(state);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ds-unit-sensor.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	m = fake_map("tamper");
	m->fd = memfd_create("tamper", MFD_CLOEXEC);
	assert_true(m->fd >= 0);
	assert_int_equal(ftruncate(m->fd, (off_t)tamper_len()), 0);
	fk.pinned = (struct bpf_map_info){ .type = m->type,
					   .key_size = m->key_size,
					   .value_size = m->value_size,
					   .max_entries = m->max_entries,
					   .map_flags = m->flags };
	return 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown_tamper(void **state)
{
	(void)state;
	return nftw(tmpdir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* path up to its last '/', in a static buffer */
static const char *dirname_of(const char *path)
{
	static char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

/* The tamper map's memory, as the kernel would see it. */
static struct ds_tamper *tamper_mem(void)
{
	void *at = mmap(NULL, tamper_len(), PROT_READ | PROT_WRITE, MAP_SHARED,
			fake_map("tamper")->fd, 0);

	assert_true(at != MAP_FAILED);
	return at;
}

static void tamper_unmap(struct ds_tamper *t)
{
	munmap(t, tamper_len());
}

/* Pinned in a directory made for it: the last daemon's records are kept
 * for this one, the map reset with this daemon's nonce. */
static void test_tamper_pin(void **state)
{
	struct ds_tamper *mem = tamper_mem();
	const struct ds_tamper *prev;
	char pin[PATH_MAX];
	struct sensor *s;

	(void)state;
	*mem = (struct ds_tamper){ .nonce = 0x1111, .count = 3, .session_seq = 9, .acked_seq = 7 };
	snprintf(pin, sizeof(pin), "%s/depsentry/tamper", tmpdir);
	s = open_a(pin);
	assert_string_equal(fk.pin_path, pin);
	prev = sensor_tamper_previous(s);
	assert_non_null(prev);
	assert_int_equal(prev->nonce, 0x1111);
	assert_int_equal(prev->count, 3);
	assert_int_equal(prev->session_seq, 9);
	assert_int_equal(prev->acked_seq, 7);
	assert_int_equal(mem->nonce, sensor_tamper_nonce(s));
	assert_true(mem->nonce != 0 && mem->nonce != 0x1111);
	assert_int_equal(mem->count, 0);
	assert_int_equal(mem->session_seq, 0);
	assert_int_equal(mem->acked_seq, 0);
	sensor_close(s);
	tamper_unmap(mem);
}

/* Acknowledged sequence numbers only go forward, across the wrap too. */
static void test_tamper_ack(void **state)
{
	struct ds_tamper *mem = tamper_mem();
	char pin[PATH_MAX];
	struct sensor *s;

	(void)state;
	snprintf(pin, sizeof(pin), "%s/tamper", tmpdir);
	s = open_a(pin);
	sensor_tamper_ack(s, 5);
	assert_int_equal(mem->acked_seq, 5);
	sensor_tamper_ack(s, 3);
	assert_int_equal(mem->acked_seq, 5);
	sensor_tamper_ack(s, 5);
	assert_int_equal(mem->acked_seq, 5);
	sensor_tamper_ack(s, 5 + 0x80000000U); /* half the circle: behind */
	assert_int_equal(mem->acked_seq, 5);
	sensor_tamper_ack(s, 6);
	assert_int_equal(mem->acked_seq, 6);
	mem->acked_seq = 0xfffffffeU;
	sensor_tamper_ack(s, 1);
	assert_int_equal(mem->acked_seq, 1);
	sensor_close(s);
	tamper_unmap(mem);
}

/* A pin someone removed is made again; one still there is left alone. */
static void test_tamper_repin(void **state)
{
	char pin[PATH_MAX];
	struct sensor *s;

	(void)state;
	snprintf(pin, sizeof(pin), "%s/depsentry/tamper", tmpdir);
	s = open_a(pin);
	assert_int_equal(access(pin, F_OK), 0);
	assert_int_equal(sensor_tamper_repin(s), 0);
	assert_int_equal(fk.pins, 0);
	assert_int_equal(unlink(pin), 0);
	assert_int_equal(sensor_tamper_repin(s), 1);
	assert_int_equal(fk.pins, 1);
	assert_int_equal(access(pin, F_OK), 0);
	assert_int_equal(unlink(pin), 0); /* its directory too */
	assert_int_equal(rmdir(dirname_of(pin)), 0);
	assert_int_equal(sensor_tamper_repin(s), 1);
	assert_int_equal(access(pin, F_OK), 0);
	assert_int_equal(unlink(pin), 0);
	fk.pin_errno = EPERM;
	assert_int_equal(sensor_tamper_repin(s), -EPERM);
	sensor_close(s);
}

/* Not pinned: the daemon runs, and its map dies with it. */
static void expect_unpinned(const char *pin)
{
	struct ds_tamper *mem = tamper_mem();
	struct sensor *s;

	mem->count = 3;
	s = open_a(pin);
	assert_string_equal(fk.pin_path, "");
	assert_null(sensor_tamper_previous(s));
	assert_int_equal(sensor_tamper_nonce(s), 0);
	assert_int_equal(sensor_tamper_repin(s), 0);
	sensor_tamper_ack(s, 1);
	assert_int_equal(mem->count, 3); /* neither read nor reset */
	assert_int_equal(mem->acked_seq, 0);
	assert_int_equal(fk.pins, 0);
	sensor_close(s);
	tamper_unmap(mem);
}

/* The pin's directory cannot be made: its parent is missing. */
static void test_tamper_no_dir(void **state)
{
	char pin[PATH_MAX];

	(void)state;
	snprintf(pin, sizeof(pin), "%s/no/such/tamper", tmpdir);
	expect_unpinned(pin);
	assert_int_equal(access(dirname_of(pin), F_OK), -1);
}

/* Something there that is not a pinned object libbpf could use. */
static void test_tamper_not_ours(void **state)
{
	char pin[PATH_MAX];

	(void)state;
	fk.obj_get_errno = EACCES;
	snprintf(pin, sizeof(pin), "%s/tamper", tmpdir);
	expect_unpinned(pin);
}

/* A pin of another shape (an older release's) is replaced; one of this
 * shape is taken over. */
static void test_tamper_pin_replaced(void **state)
{
	static const char old[] = "an older pin";
	char pin[PATH_MAX];
	struct stat st;
	struct sensor *s;
	int fd;

	(void)state;
	snprintf(pin, sizeof(pin), "%s/tamper", tmpdir);
	fd = open(pin, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, old, sizeof(old)), sizeof(old));
	close(fd);
	s = open_a(pin);
	assert_string_equal(fk.pin_path, pin);
	assert_int_equal(stat(pin, &st), 0);
	assert_int_equal(st.st_size, sizeof(old)); /* ours: kept */
	sensor_close(s);

	fk.pinned.value_size += 8;
	fk.pin_path[0] = '\0';
	s = open_a(pin);
	assert_string_equal(fk.pin_path, pin);
	assert_int_equal(stat(pin, &st), 0);
	assert_int_equal(st.st_size, 0); /* unlinked, pinned anew */
	sensor_close(s);
}

/* Pinned but not mapped: its records are no one's, the daemon runs. */
static void test_tamper_unmapped(void **state)
{
	char pin[PATH_MAX];
	struct sensor *s;

	(void)state;
	close(fake_map("tamper")->fd);
	fake_map("tamper")->fd = -1;
	snprintf(pin, sizeof(pin), "%s/tamper", tmpdir);
	s = open_a(pin);
	assert_string_equal(fk.pin_path, pin);
	assert_null(sensor_tamper_previous(s));
	assert_int_equal(sensor_tamper_nonce(s), 0);
	assert_int_equal(unlink(pin), 0);
	assert_int_equal(sensor_tamper_repin(s), 0); /* nothing to pin again */
	sensor_close(s);
}

static int group_teardown(void **state)
{
	return setup(state);
}

#define T(f)	    cmocka_unit_test_setup(f, setup)
#define T_TAMPER(f) cmocka_unit_test_setup_teardown(f, setup_tamper, teardown_tamper)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_counter_names),
		T(test_open_unsupported),
		T(test_open_no_cpus),
		T(test_open_failures),
		T(test_open_sizes_maps),
		T(test_hooks_on_demand),
		T(test_egress_programs),
		T(test_name_hash),
		T(test_hooks_failure),
		T(test_filter_keys),
		T(test_filter_classes),
		T(test_filter_reload),
		T(test_filter_reload_failure),
		T(test_open_filter_failure),
		T(test_counters),
		T(test_track_and_dir_gen),
		T(test_ringbuf),
		T(test_self),
		T_TAMPER(test_tamper_pin),
		T_TAMPER(test_tamper_ack),
		T_TAMPER(test_tamper_repin),
		T_TAMPER(test_tamper_no_dir),
		T_TAMPER(test_tamper_not_ours),
		T_TAMPER(test_tamper_pin_replaced),
		T_TAMPER(test_tamper_unmapped),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
