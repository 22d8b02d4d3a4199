// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF object's life, as in libbpf-bootstrap: open the skeleton, size the
 * maps from the configuration, load, attach, and one cleanup ladder.
 */
#include <errno.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.h"
#include "depsentry.skel.h"

#define SYSCALL_PROGS	  32
#define PATTERN_LISTS_MAX (3 + PERSIST_GROUPS_MAX) /* CI/CD, build, credentials, persistence */

struct sensor {
	struct depsentry_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	/* the programs attached on demand: syscall tracepoints, DNS questions */
	struct bpf_program *sys_progs[SYSCALL_PROGS];
	struct bpf_link *sys_links[SYSCALL_PROGS];
	size_t nsys;
	/* the tamper map, when pinned: mapped, and what it held at load */
	struct ds_tamper *tamper;
	size_t tamper_len;
	struct ds_tamper *tamper_prev;
	uint64_t nonce;
	const char *pin; /* where it is pinned */
	struct sensor_egress eg;
};

/* clang-format off */
static const char *const counter_names[DS_COUNTER_MAX] = {
	[DS_DROP_EXEC] = "exec_dropped",
	[DS_DROP_FORK] = "fork_dropped",
	[DS_DROP_EXIT] = "exit_dropped",
	[DS_DROP_TRACK] = "track_full",
	[DS_ERR_ARGS] = "args_unreadable",
	[DS_ERR_ENV] = "env_unreadable",
	[DS_ERR_PATH] = "path_unreadable",
	[DS_DROP_CONNECT] = "connect_dropped",
	[DS_ERR_CONNECT] = "connect_unreadable",
	[DS_DROP_FILE] = "file_dropped",
	[DS_ERR_FILE] = "file_unreadable",
	[DS_DROP_SIGNAL] = "signal_dropped",
	[DS_DROP_DNS] = "dns_questions_dropped",
};
/* clang-format on */

const char *sensor_counter_name(int i)
{
	return i >= 0 && i < DS_COUNTER_MAX ? counter_names[i] : "?";
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	/* verifier logs are long: print them whole */
	fputs("depsentry: ", stderr); /* libbpf names itself */
	return vfprintf(stderr, fmt, ap);
}

/* Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK. */
static void raise_memlock(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_MEMLOCK, &r))
		log_debug("setrlimit(RLIMIT_MEMLOCK): %s", strerror(errno));
}

/*
 * What no program can do without, checked before loading so that an old
 * kernel is named in one line rather than by a verifier log. The tp_btf
 * hooks attach by the kernel's own BTF; every record goes through the ring
 * buffer. What else each hook needs is in docs/architecture.md.
 */
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static bool kernel_supported(void)
{
	const char *missing = NULL;
	struct utsname u;

	if (access(VMLINUX_BTF, R_OK))
		missing = "no BTF type information (" VMLINUX_BTF ": CONFIG_DEBUG_INFO_BTF)";
	else if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0)
		missing = "no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8)";
	if (!missing)
		return true;
	if (uname(&u))
		strcpy(u.release, "?");
	log_warnx("kernel %s is not supported: %s; depsentry needs Linux 5.10 or later with BTF",
		  u.release, missing);
	return false;
}

/*
 * The syscall tracepoints are attached through tracefs, which a minimal
 * system may not mount. Mount it where libbpf looks first; if that fails,
 * libbpf's own error names the tracepoint it could not find.
 */
/* Is events/<name> under a tracefs mount ("" for tracefs itself)? */
static bool tracefs_has(const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%s", roots[i], name);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

static void mount_tracefs(void)
{
	static const char dir[] = "/sys/kernel/tracing";

	if (tracefs_has(""))
		return;
	if (mount("tracefs", dir, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		log_warn("mount tracefs on %s", dir);
	else
		log_info("mounted tracefs on %s", dir);
}

/*
 * The kernel's filters, both from the configuration: the wake-up prefixes
 * (package managers' executable patterns) and the file filter's anchors
 * (one per watched pattern, with its first two bytes in the prefilter),
 * each with the classes of the patterns behind it: the written files'
 * (CI/CD, build, persistence) and the read ones' (credentials). A reload
 * adds the new keys beside the old ones, then drops the old ones the new
 * configuration lacks, so nothing watched by both is ever missing from
 * the maps.
 */
struct filter_key {
	struct bpf_map *map;
	const char *pattern;
	union {
		struct ds_wake_key wake;
		struct ds_anchor_key anchor;
		struct ds_suffix_key suffix;
		__u32 start; /* and suffix_lens's one key, 0 */
	} k;
	size_t len;
	union {
		__u8 cls;      /* the classes of an anchor or a suffix */
		__u32 lengths; /* suffix_lens: bit len for each suffix length */
	} value;
	size_t value_len;
};

/* The file patterns of c by class. */
struct pattern_list {
	const struct strlist *l;
	__u8 cls;
};

static size_t pattern_lists(const struct config *c, struct pattern_list *out)
{
	size_t n = 0, i;

	out[n++] = (struct pattern_list){ &c->watch_pipeline, DS_ANCHOR_WRITE };
	out[n++] = (struct pattern_list){ &c->watch_build, DS_ANCHOR_WRITE };
	out[n++] = (struct pattern_list){ &c->cred_paths, DS_ANCHOR_READ };
	for (i = 0; i < c->npersist && n < PATTERN_LISTS_MAX; i++)
		out[n++] = (struct pattern_list){ &c->persist[i].paths, DS_ANCHOR_WRITE };
	return n;
}

/* The anchor the kernel keys a pattern on (file_anchor), -EINVAL when it
 * keys it on its suffix instead. */
static int pattern_anchor(const char *pattern, char *a, size_t len)
{
	if (file_suffix(pattern, NULL, 0) > 0)
		return -EINVAL;
	return file_anchor(pattern, a, len);
}

/* The suffix key of a pattern keyed on its suffix: false for the others. */
static bool pattern_suffix(const char *pattern, struct ds_suffix_key *k)
{
	int n;

	memset(k, 0, sizeof(*k));
	n = file_suffix(pattern, k->s, sizeof(k->s));
	if (n <= 0)
		return false;
	k->len = (__u32)n;
	return true;
}

/* The classes of the patterns of c that pred holds for. */
static __u8 classes_where(const struct config *c, bool (*pred)(const char *, const void *),
			  const void *arg)
{
	struct pattern_list lists[PATTERN_LISTS_MAX];
	size_t n = pattern_lists(c, lists), i, j;
	__u8 cls = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < lists[i].l->n; j++)
			if (pred(lists[i].l->v[j], arg))
				cls |= lists[i].cls;
	return cls;
}

/* A suffix pattern with the key arg. */
static bool suffix_is(const char *pattern, const void *arg)
{
	struct ds_suffix_key o;

	return pattern_suffix(pattern, &o) && !memcmp(&o, arg, sizeof(o));
}

/* A pattern whose anchor is a prefix of the key arg (the key's own
 * included): the trie answers with the longest prefix alone. */
static bool anchor_prefixes(const char *pattern, const void *arg)
{
	const struct ds_anchor_key *k = arg;
	char a[DS_ANCHOR_LEN];
	int len = pattern_anchor(pattern, a, sizeof(a));

	return len > 0 && (__u32)len * 8 <= k->prefixlen && !memcmp(a, k->name, len);
}

/* A pattern whose anchor's first two bytes give the start *arg. */
static bool anchor_starts_with(const char *pattern, const void *arg)
{
	__u32 start = *(const __u32 *)arg;
	char a[DS_ANCHOR_LEN];
	int len = pattern_anchor(pattern, a, sizeof(a));

	return len > 0 && (unsigned char)a[0] == start >> 8 &&
	       (len < 2 || (unsigned char)a[1] == (start & 0xff));
}

typedef int (*filter_fn)(struct sensor *s, const struct filter_key *fk, void *arg);

/* The wake-up key of an executable pattern: the literal part before the
 * first wildcard, or the whole name and its NUL. False if it starts with
 * a wildcard. */
static bool wake_key(const char *pat, struct ds_wake_key *k)
{
	size_t n = strcspn(pat, "*?[");

	memset(k, 0, sizeof(*k));
	if (pat[n] == '\0')
		n++; /* exact: the NUL too */
	if (n > DS_COMM_LEN - 1)
		n = DS_COMM_LEN - 1; /* comm keeps 15 characters */
	if (n == 0)
		return false;
	memcpy(k->comm, pat, n < strlen(pat) ? n : strlen(pat));
	k->prefixlen = (__u32)n * 8;
	return true;
}

/* fn for the anchor's first two bytes in the prefilter; a one-byte anchor
 * (a prefix) admits every second byte. */
static int anchor_starts_each(struct sensor *s, const struct config *c,
			      const struct filter_key *anchor, filter_fn fn, void *arg)
{
	const struct ds_anchor_key *k = &anchor->k.anchor;
	__u32 first = (__u32)(unsigned char)k->name[0] << 8, b, n = k->prefixlen / 8;
	struct filter_key fk = { .map = s->skel->maps.anchor_starts,
				 .pattern = anchor->pattern,
				 .len = sizeof(fk.k.start),
				 .value_len = sizeof(fk.value.cls) };
	int err;

	for (b = 0; b < 256; b++) {
		fk.k.start = first | (n >= 2 ? (unsigned char)k->name[1] : b);
		fk.value.cls = classes_where(c, anchor_starts_with, &fk.k.start);
		if ((err = fn(s, &fk, arg)))
			return err;
		if (n >= 2)
			break;
	}
	return 0;
}

/* fn for every key of c's filters; stops at the first non-zero return. */
static int filters_each(struct sensor *s, const struct config *c, filter_fn fn, void *arg)
{
	struct filter_key fk = { .map = s->skel->maps.wake_comm,
				 .len = sizeof(fk.k.wake),
				 .value = { .cls = 1 },
				 .value_len = sizeof(fk.value.cls) };
	struct pattern_list lists[PATTERN_LISTS_MAX];
	size_t nlists = pattern_lists(c, lists), i, j;
	__u32 lengths = 0;
	int n, err;

	for (i = 0; i < c->npms; i++) {
		for (j = 0; j < c->pms[i].executables.n; j++) {
			fk.pattern = c->pms[i].executables.v[j];
			if (wake_key(fk.pattern, &fk.k.wake) && (err = fn(s, &fk, arg)))
				return err;
		}
	}
	for (i = 0; i < nlists; i++) {
		for (j = 0; j < lists[i].l->n; j++) {
			fk.pattern = lists[i].l->v[j];
			memset(&fk.k, 0, sizeof(fk.k));
			if (pattern_suffix(fk.pattern, &fk.k.suffix)) {
				fk.map = s->skel->maps.anchor_suffixes;
				fk.len = sizeof(fk.k.suffix);
				fk.value.cls = classes_where(c, suffix_is, &fk.k.suffix);
				lengths |= 1U << fk.k.suffix.len;
				if ((err = fn(s, &fk, arg)))
					return err;
				continue;
			}
			fk.map = s->skel->maps.anchors;
			fk.len = sizeof(fk.k.anchor);
			n = file_anchor(fk.pattern, fk.k.anchor.name, sizeof(fk.k.anchor.name));
			if (n < 0)
				return n; /* config_parse refused these already */
			fk.k.anchor.prefixlen = (__u32)n * 8;
			fk.value.cls = classes_where(c, anchor_prefixes, &fk.k.anchor);
			if ((err = fn(s, &fk, arg)) ||
			    (err = anchor_starts_each(s, c, &fk, fn, arg)))
				return err;
		}
	}
	if (!lengths)
		return 0;
	fk.map = s->skel->maps.suffix_lens;
	fk.pattern = "(suffix lengths)";
	memset(&fk.k, 0, sizeof(fk.k));
	fk.len = sizeof(fk.k.start);
	fk.value.lengths = lengths;
	fk.value_len = sizeof(fk.value.lengths);
	return fn(s, &fk, arg);
}

/* A wake-up prefix that does not fit only costs that package manager the
 * early wake-up; an anchor that does not fit would blind the file arm. */
static int filter_put(struct sensor *s, const struct filter_key *fk, void *arg)
{
	(void)arg;
	if (!bpf_map__update_elem(fk->map, &fk->k, fk->len, &fk->value, fk->value_len, BPF_ANY))
		return 0;
	if (fk->map == s->skel->maps.wake_comm) {
		log_debug("wake prefix %s: %s", fk->pattern, strerror(errno));
		return 0;
	}
	log_warn("file filter anchor for \"%s\"", fk->pattern);
	return -errno;
}

static int filter_same(struct sensor *s, const struct filter_key *fk, void *arg)
{
	const struct filter_key *want = arg;

	(void)s;
	return fk->map == want->map && !memcmp(&fk->k, &want->k, fk->len);
}

/* Delete a key unless the configuration arg has it too. */
static int filter_drop(struct sensor *s, const struct filter_key *fk, void *arg)
{
	const struct config *keep = arg;

	if (!keep || !filters_each(s, keep, filter_same, (void *)fk))
		bpf_map__delete_elem(fk->map, &fk->k, fk->len, 0);
	return 0;
}

int sensor_filters_add(struct sensor *s, const struct config *c, const struct config *old)
{
	int err = filters_each(s, c, filter_put, NULL);

	if (err)
		filters_each(s, c, filter_drop, (void *)old);
	return err;
}

void sensor_filters_drop(struct sensor *s, const struct config *old, const struct config *c)
{
	size_t size = (bpf_map__value_size(s->skel->maps.file_seen) + 7) & ~(size_t)7;
	void *zero = calloc(s->ncpus, size);
	__u32 key = 0;

	filters_each(s, old, filter_drop, (void *)c);
	/* forget each CPU's last judged write: a file watched only from now on
	 * is judged at its next write, even by the writer judged last */
	if (zero)
		bpf_map__update_elem(s->skel->maps.file_seen, &key, sizeof(key), zero,
				     size * s->ncpus, BPF_ANY);
	free(zero);
}

/*
 * The syscall tracepoints an architecture may lack: arm64 has no legacy
 * rename(2) or link(2), and the *at variants cover it there. Their
 * programs are not loaded when the tracepoint is missing; any other
 * missing tracepoint fails the attach, and libbpf names it.
 */
static const char *const optional_tracepoints[] = {
	"syscalls/sys_enter_rename", "syscalls/sys_exit_rename", "syscalls/sys_enter_link",
	"syscalls/sys_exit_link",    "syscalls/sys_enter_open",	 "syscalls/sys_exit_open",
};

static void skip_missing_syscalls(struct depsentry_bpf *skel)
{
	struct bpf_program *prog;
	const char *tp;
	size_t i;

	bpf_object__for_each_program(prog, skel->obj)
	{
		tp = bpf_program__section_name(prog);
		if (strncmp(tp, "tp/", 3) != 0)
			continue;
		tp += 3;
		for (i = 0; i < ARRAY_SIZE(optional_tracepoints); i++) {
			if (strcmp(tp, optional_tracepoints[i]) || tracefs_has(tp))
				continue;
			log_info("no tracepoint %s on this kernel: not watched", tp);
			bpf_program__set_autoload(prog, false);
		}
	}
}

/* The DNS questions' hook sees every packet the host sends: on demand too. */
#define DNS_XMIT_SECTION "tp_btf/net_dev_queue"

static void keep_syscalls_detached(struct sensor *s)
{
	struct bpf_program *prog;
	const char *sec;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		sec = bpf_program__section_name(prog);
		if (strncmp(sec, "tp/syscalls/", 12) != 0 && strcmp(sec, DNS_XMIT_SECTION) != 0)
			continue;
		bpf_program__set_autoattach(prog, false);
		if (s->nsys < SYSCALL_PROGS)
			s->sys_progs[s->nsys++] = prog;
		else
			log_warnx("more syscall programs than %d", SYSCALL_PROGS);
	}
}

static unsigned int hook_kind(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (strcmp(sec, DNS_XMIT_SECTION) == 0)
		return SENSOR_HOOK_DNS;
	if (strstr(sec, "_open"))
		return SENSOR_HOOK_OPEN;
	return strstr(sec, "connect") ? SENSOR_HOOK_CONNECT : SENSOR_HOOK_NAMES;
}

/*
 * The tamper map outlives the daemon pinned on the BPF file system, which
 * systemd mounts at boot. When nothing is mounted there the daemon mounts
 * it, as it does tracefs; when it cannot pin (no bpffs, a read-only view)
 * it says so and the map dies with it. A pin of another shape (an older
 * release's) is replaced: loading would fail on it.
 */
#define BPFFS "/sys/fs/bpf"

static bool bpffs_ready(void)
{
	struct statfs sf;

	if (statfs(BPFFS, &sf) == 0 && sf.f_type == BPF_FS_MAGIC)
		return true;
	if (mount("bpf", BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
		log_warn("mount bpffs on %s", BPFFS);
		return false;
	}
	log_info("mounted bpffs on %s", BPFFS);
	return true;
}

static bool pin_compatible(int fd, const struct bpf_map *m)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == bpf_map__type(m) &&
	       info.key_size == bpf_map__key_size(m) && info.value_size == bpf_map__value_size(m) &&
	       info.max_entries == bpf_map__max_entries(m) &&
	       info.map_flags == bpf_map__map_flags(m);
}

static int pin_prepare(struct bpf_map *m, const char *path)
{
	char dir[256];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (!bpffs_ready())
		return -ENODEV;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (access(dir, W_OK))
		return -errno;
	fd = bpf_obj_get(path);
	if (fd < 0 && errno != ENOENT)
		return -EEXIST; /* something else there: libbpf would refuse to load */
	if (fd >= 0) {
		bool ours = pin_compatible(fd, m);

		close(fd);
		/* libbpf would refuse to load on it */
		if (!ours && unlink(path))
			return -EEXIST;
		if (!ours)
			log_warnx("%s was not this release's tamper map: replaced", path);
	}
	return bpf_map__set_pin_path(m, path);
}

/* The predecessor's records, then the map reset for this daemon. */
static int pin_take(struct sensor *s)
{
	struct bpf_map *m = s->skel->maps.tamper;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *at;

	s->tamper_len = (bpf_map__value_size(m) + page - 1) / page * page;
	at = mmap(NULL, s->tamper_len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (at == MAP_FAILED)
		return -errno;
	s->tamper = at;
	s->tamper_prev = malloc(sizeof(*s->tamper_prev));
	if (!s->tamper_prev)
		return -ENOMEM;
	memcpy(s->tamper_prev, s->tamper, sizeof(*s->tamper_prev));
	if (getrandom(&s->nonce, sizeof(s->nonce), 0) != sizeof(s->nonce))
		return -errno;
	memset(s->tamper, 0, sizeof(*s->tamper));
	s->tamper->nonce = s->nonce;
	return 0;
}

/*
 * Tell the signal hook which process is the daemon, as this process sees
 * itself (pid and pid namespace), then send itself SIGURG, ignored, so that
 * the hook learns the daemon's global identity now.
 */
static int self_find(struct sensor *s)
{
	struct ds_self me = { .ns_pid = (__u32)getpid() };
	struct stat sb;
	__u32 zero = 0;
	int err;

	if (stat("/proc/self/ns/pid", &sb))
		return -errno;
	me.pidns_ino = sb.st_ino;
	err = bpf_map__update_elem(s->skel->maps.self, &zero, sizeof(zero), &me, sizeof(me),
				   BPF_ANY);
	if (err)
		return err;
	if (kill(getpid(), SIGURG))
		return -errno;
	err = bpf_map__lookup_elem(s->skel->maps.self, &zero, sizeof(zero), &me, sizeof(me), 0);
	if (err)
		return err;
	return me.tgid ? 0 : -ESRCH;
}

static int size_maps(struct depsentry_bpf *skel, const struct config *c, int ncpus)
{
	int err;

	err = bpf_map__set_max_entries(skel->maps.events, c->ringbuf_bytes);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.tracked, c->proctable_max);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.exec_buf, ncpus);
	return err;
}

struct sensor *sensor_open(const struct config *c, const char *tamper_pin)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->eg.cgroup_fd = -1;
	libbpf_set_print(libbpf_log);
	raise_memlock();
	if (!kernel_supported())
		goto err_free;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		log_warnx("cannot count possible CPUs");
		goto err_free;
	}
	s->skel = depsentry_bpf__open();
	if (!s->skel) {
		log_warn("cannot open the BPF object");
		goto err_free;
	}
	err = size_maps(s->skel, c, s->ncpus);
	if (err) {
		log_warnx("cannot size BPF maps: %s", strerror(-err));
		goto err_destroy;
	}
	/* every syscall of every process takes the kernel's slow path while
	 * any syscall tracepoint is attached: those programs are attached on
	 * demand (sensor_hooks) */
	keep_syscalls_detached(s);
	s->eg.supported = egress_prepare(s->skel);
	mount_tracefs();
	skip_missing_syscalls(s->skel);
	if (tamper_pin && (err = pin_prepare(s->skel->maps.tamper, tamper_pin))) {
		log_warnx("cannot pin %s: %s: signals to the daemon will not outlive it",
			  tamper_pin, strerror(-err));
		tamper_pin = NULL;
	}
	err = depsentry_bpf__load(s->skel);
	if (err) {
		log_warnx("cannot load BPF programs: %s", strerror(-err));
		goto err_destroy;
	}
	if (tamper_pin && (err = pin_take(s))) {
		/* pinned, but neither read nor reset: its records are no one's */
		log_warnx("%s: %s: the last daemon's signals are not read", tamper_pin,
			  strerror(-err));
		if (s->tamper)
			munmap(s->tamper, s->tamper_len);
		s->tamper = NULL;
		free(s->tamper_prev);
		s->tamper_prev = NULL;
	}
	s->pin = tamper_pin;
	err = sensor_filters_add(s, c, NULL);
	if (err)
		goto err_destroy;
	err = depsentry_bpf__attach(s->skel);
	if (err) {
		log_warnx("cannot attach BPF programs: %s", strerror(-err));
		goto err_destroy;
	}
	err = sensor_response(s, c);
	if (err) {
		log_warnx("cannot set up the response: %s", strerror(-err));
		goto err_destroy;
	}
	err = self_find(s);
	if (err) {
		struct ds_self none = { 0 }; /* the hook's slow path off: it would never match */
		__u32 zero = 0;

		bpf_map__update_elem(s->skel->maps.self, &zero, sizeof(zero), &none, sizeof(none),
				     BPF_ANY);
		log_warnx("the signal hook cannot find the daemon (%s): signals to it are not seen",
			  strerror(-err));
	}
	return s;
err_destroy:
	sensor_close(s);
	return NULL;
err_free:
	free(s);
	return NULL;
}

struct ring_buffer *sensor_ringbuf(struct sensor *s, int (*fn)(void *, void *, size_t), void *ctx)
{
	if (!s->rb)
		s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), fn, ctx, NULL);
	return s->rb;
}

int sensor_hooks(struct sensor *s, unsigned int kinds, bool on)
{
	uint32_t made = 0; /* the links this call attached: all a failure undoes */
	size_t i;
	int err = 0;

	_Static_assert(SYSCALL_PROGS <= 32, "one bit per on-demand program");
	for (i = 0; i < s->nsys; i++) {
		if (!(hook_kind(s->sys_progs[i]) & kinds) ||
		    !bpf_program__autoload(s->sys_progs[i]))
			continue;
		if (on && !s->sys_links[i]) {
			s->sys_links[i] = bpf_program__attach(s->sys_progs[i]);
			if (!s->sys_links[i]) {
				err = -errno;
				break;
			}
			made |= 1U << i;
		} else if (!on && s->sys_links[i]) {
			bpf_link__destroy(s->sys_links[i]);
			s->sys_links[i] = NULL;
		}
	}
	for (i = 0; err && i < s->nsys; i++) {
		if (made & (1U << i)) {
			bpf_link__destroy(s->sys_links[i]);
			s->sys_links[i] = NULL;
		}
	}
	return err;
}

int sensor_dns_filter_fd(struct sensor *s)
{
	return bpf_program__fd(s->skel->progs.dns_filter);
}

int sensor_track(struct sensor *s, uint32_t pid, uint64_t session)
{
	struct ds_track v = { .session = session };

	return bpf_map__update_elem(s->skel->maps.tracked, &pid, sizeof(pid), &v, sizeof(v),
				    BPF_ANY);
}

void sensor_dir_renamed(struct sensor *s)
{
	__u32 zero = 0, gen = 0;

	bpf_map__lookup_elem(s->skel->maps.dir_gen, &zero, sizeof(zero), &gen, sizeof(gen), 0);
	gen++;
	bpf_map__update_elem(s->skel->maps.dir_gen, &zero, sizeof(zero), &gen, sizeof(gen),
			     BPF_ANY);
}

int sensor_counters(struct sensor *s, uint64_t out[DS_COUNTER_MAX])
{
	uint64_t *vals = calloc(s->ncpus, sizeof(*vals));
	uint32_t i;
	int c, err = 0;

	if (!vals)
		return -ENOMEM;
	for (i = 0; i < DS_COUNTER_MAX && !err; i++) {
		err = bpf_map__lookup_elem(s->skel->maps.counters, &i, sizeof(i), vals,
					   sizeof(*vals) * s->ncpus, 0);
		out[i] = 0;
		for (c = 0; c < s->ncpus && !err; c++)
			out[i] += vals[c];
	}
	free(vals);
	return err;
}

const struct ds_tamper *sensor_tamper_previous(const struct sensor *s)
{
	return s->tamper_prev;
}

uint64_t sensor_tamper_nonce(const struct sensor *s)
{
	return s->tamper ? s->nonce : 0;
}

void sensor_tamper_ack(struct sensor *s, uint32_t seq)
{
	if (s->tamper && (int32_t)(seq - s->tamper->acked_seq) > 0)
		__atomic_store_n(&s->tamper->acked_seq, seq, __ATOMIC_RELAXED);
}

int sensor_tamper_repin(struct sensor *s)
{
	char dir[256], *slash;
	struct stat sb;

	if (!s->tamper || !s->pin || stat(s->pin, &sb) == 0 || errno != ENOENT)
		return 0;
	snprintf(dir, sizeof(dir), "%s", s->pin);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	return bpf_obj_pin(bpf_map__fd(s->skel->maps.tamper), s->pin) ? -errno : 1;
}

int sensor_self(struct sensor *s, uint32_t *tgid, uint64_t *start)
{
	struct ds_self me;
	__u32 zero = 0;
	int err;

	err = bpf_map__lookup_elem(s->skel->maps.self, &zero, sizeof(zero), &me, sizeof(me), 0);
	if (err)
		return err;
	*tgid = me.tgid;
	*start = me.start;
	return me.tgid ? 0 : -ESRCH;
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	sensor_hooks(s,
		     SENSOR_HOOK_CONNECT | SENSOR_HOOK_NAMES | SENSOR_HOOK_OPEN | SENSOR_HOOK_DNS,
		     false);
	egress_close(&s->eg);
	if (s->tamper)
		munmap(s->tamper, s->tamper_len);
	free(s->tamper_prev);
	depsentry_bpf__destroy(s->skel);
	free(s);
}

int sensor_response(struct sensor *s, const struct config *c)
{
	return egress_configure(&s->eg, s->skel, c);
}

bool sensor_egress_in_kernel(const struct sensor *s)
{
	return s->eg.supported;
}

int sensor_resolver_add(struct sensor *s, const struct ipaddr *a)
{
	return egress_resolver_add(s->skel, a);
}
