// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What host.c says about the machine and its processes. The process
 * lookups run against real processes: the test itself, a child alive, a
 * child reaped, a pid no process has. Where a file the machine owns has to
 * say something chosen (/proc/PID/cgroup, /etc/os-release, the machine id,
 * the host name), the test moves into mount and UTS namespaces of its own,
 * private (in a user namespace of its own when not privileged), and binds a
 * file over it there; where neither can be had, those tests are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

#define ID_A	  "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define ID_B	  "ffffffffffffffffffffffffffffffff00000000000000000000000000000000"
#define MACHINE_A "0123456789abcdef0123456789abcdef"
#define MACHINE_B "fedcba9876543210fedcba9876543210"
#define DBUS_DIR  "/var/lib/dbus"

static bool private_ns; /* bind mounts stay in this process's namespace */

/* -------------------------------------------------------------- helpers */

static void need_ns(void)
{
	if (!private_ns)
		skip();
}

/* Take off whatever this process bound over target. */
static void unbind(const char *target)
{
	while (umount2(target, MNT_DETACH) == 0)
		;
}

/* Bind a file holding text over target (in our namespace only), in place
 * of what an earlier test may have left there. */
static void bind_text(const char *target, const char *text)
{
	char tmp[] = "/tmp/ds-unit-host.XXXXXX";
	int fd = mkstemp(tmp), err;
	size_t len = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	unbind(target);
	err = mount(tmp, target, NULL, MS_BIND, NULL) ? errno : 0;
	unlink(tmp); /* the mount holds it */
	if (err)
		fail_msg("bind %s: %s", target, strerror(err));
}

static uint64_t tick_ns(void)
{
	return 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
}

/* Field 22 of /proc/PID/stat, read here without host.c's parser. */
static unsigned long long start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
				"%*d %*d %*d %*d %*d %*d %llu",
				&ticks),
			 1);
	assert_true(ticks > 2);
	return ticks;
}

/* A child that waits until child_end (its name set first, unless NULL). */
struct child {
	pid_t pid;
	int go; /* closed: the child exits */
};

static struct child child_start(const char *name)
{
	int go[2], ready[2];
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (name)
			prctl(PR_SET_NAME, name);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return (struct child){ .pid = pid, .go = go[1] };
}

static void child_end(struct child *c)
{
	int status;

	close(c->go);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char container_line[] = "0::/system.slice/docker-" ID_A ".scope\n";

/* Does container_by_pid give ID_A for (pid, start_ns)? */
static bool container_a(pid_t pid, uint64_t start_ns)
{
	struct container c;

	if (!container_by_pid((uint32_t)pid, start_ns, &c))
		return false;
	assert_string_equal(c.id, ID_A);
	assert_string_equal(c.runtime, "docker");
	return true;
}

static void cgroup_path(pid_t pid, char *path, size_t len)
{
	snprintf(path, len, "/proc/%d/cgroup", (int)pid);
}

/* --------------------------------------------------------------- tests */

static void test_fnv1a64(void **state)
{
	(void)state;
	/* the published FNV-1a 64-bit test vectors */
	assert_true(fnv1a64(FNV1A64_OFFSET, "") == 0xcbf29ce484222325ULL);
	assert_true(fnv1a64(FNV1A64_OFFSET, "a") == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a64(FNV1A64_OFFSET, "foobar") == 0x85944171f73967e8ULL);
	assert_true(fnv1a64(fnv1a64(FNV1A64_OFFSET, "foo"), "bar") ==
		    fnv1a64(FNV1A64_OFFSET, "foobar"));
	/* a byte above 0x7f is taken unsigned */
	assert_true(fnv1a64(FNV1A64_OFFSET, "\xff") == 0xaf64724c8602eb6eULL);
}

static void test_wall_time(void **state)
{
	char buf[40], small[16];

	(void)state;
	format_wall_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	format_wall_time(-1500000000LL, buf, sizeof(buf)); /* before the epoch: the epoch */
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	format_wall_time(1700000000123456789LL, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123Z");
	format_wall_time(999999999LL, buf, sizeof(buf)); /* cut, not rounded */
	assert_string_equal(buf, "1970-01-01T00:00:00.999Z");
	memset(small, 'x', sizeof(small));
	format_wall_time(0, small, 11);
	assert_string_equal(small, "1970-01-01");
	assert_int_equal(small[11], 'x');
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Boot-time stamps, the kernel's clock, put on the wall clock. */
static void test_boot_clock(void **state)
{
	int64_t before, after, wall;
	uint64_t now;

	(void)state;
	before = clock_ns(CLOCK_BOOTTIME);
	now = boot_now();
	after = clock_ns(CLOCK_BOOTTIME);
	assert_true((int64_t)now >= before && (int64_t)now <= after);
	before = clock_ns(CLOCK_REALTIME);
	wall = boot_to_wall_ns(boot_now());
	after = clock_ns(CLOCK_REALTIME);
	assert_true(wall >= before - 1000000 && wall <= after + 1000000);
	wall = boot_to_wall_ns(now + 5000000000ULL) - boot_to_wall_ns(now);
	assert_true(wall > 5000000000LL - 1000000 && wall < 5000000000LL + 1000000);
}

/* The container of a /proc/PID/cgroup line or a cgroup path: only in a
 * runtime's cgroup shape, and only a run of exactly 64 hex digits. */
static void test_cgroup_lines(void **state)
{
	static const struct {
		const char *line;
		const char *id, *runtime, *name, *orch; /* id NULL: none */
	} cases[] = {
		{ "0::/system.slice/docker-" ID_A ".scope", ID_A, "docker", "", "" },
		{ "12:memory:/kubepods/burstable/pod1f2e/" ID_A, ID_A, "", "", "kubernetes" },
		{ "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e.slice/"
		  "cri-containerd-" ID_A ".scope",
		  ID_A, "containerd", "", "kubernetes" },
		{ "0::/kubepods.slice/kubepods-pod1.slice/crio-" ID_A ".scope", ID_A, "cri-o", "",
		  "kubernetes" },
		{ "0::/machine.slice/libpod-" ID_A ".scope/container", ID_A, "podman", "", "" },
		{ "0::/libpod_parent/libpod-" ID_A, ID_A, "podman", "", "" }, /* cgroupfs */
		{ "0::/libpod_parent/libpod-conmon-" ID_A, NULL, NULL, NULL, NULL },
		{ "0::/buildah-buildah1234567", "", "buildah", "", "" }, /* a build step */
		{ "0::/libpod_parent/" ID_A, ID_A, "podman", "", "" },
		{ "1:name=systemd:/docker/" ID_A "\n", ID_A, "docker", "", "" },
		{ "/docker/" ID_A, ID_A, "docker", "", "" },
		{ "/ds-e2e-1/docker/" ID_A, ID_A, "docker", "", "" },
		{ "0::/machine.slice/machine-build\\x2dbox.scope/payload", "build-box",
		  "systemd-nspawn", "build-box", "" },
		{ "0::/machine.slice/machine-qemu\\x2d1\\x2dvm.scope", NULL, NULL, NULL, NULL },
		{ "0::/lxc.payload.ci-runner/init.scope", "ci-runner", "lxc", "ci-runner", "" },
		{ "0::/lxc/old-box/", "old-box", "lxc", "old-box", "" },
		{ "0::/user.slice/user-1000.slice/" ID_A, NULL, NULL, NULL, NULL }, /* no runtime */
		{ "0::/system.slice/" ID_A, NULL, NULL, NULL, NULL },
		{ "0::/system.slice/docker-" ID_A "0.scope", NULL, NULL, NULL, NULL }, /* 65 */
		{ "0::/system.slice/docker-"
		  "a1b2c3d4e5f60718293a4b5c6d7e8f90"
		  "a1b2c3d4e5f60718293a4b5c6d7e8f9.scope",
		  NULL, NULL, NULL, NULL },				  /* 63 */
		{ "0::/docker/" ID_A ID_B, NULL, NULL, NULL, NULL },	  /* 128 */
		{ "0::/docker/" ID_A "0/" ID_B, ID_B, "docker", "", "" }, /* the first of 64 */
		{ "0::/docker/", NULL, NULL, NULL, NULL },
		{ "docker", NULL, NULL, NULL, NULL },
		{ "", NULL, NULL, NULL, NULL },
	};
	struct container c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool got;

		memset(&c, 'x', sizeof(c));
		got = container_from_cgroup(cases[i].line, &c);
		if (got != (cases[i].id != NULL) ||
		    (got &&
		     (strcmp(c.id, cases[i].id) || strcmp(c.runtime, cases[i].runtime) ||
		      strcmp(c.name, cases[i].name) || strcmp(c.orchestrator, cases[i].orch))))
			fail_msg("\"%s\": got %s \"%s\" \"%s\" \"%s\" \"%s\"", cases[i].line,
				 got ? "true" : "false", c.id, c.runtime, c.name, c.orchestrator);
		if (!got)
			assert_string_equal(c.id, "");
	}
}

/* Names from where the runtimes keep them: docker's config of the
 * container, the containers/storage registry of podman and buildah. */
static void test_container_names(void **state)
{
	char dir[] = "/tmp/ds-test-containers.XXXXXX", path[512];
	struct container c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, ID_A);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/config.v2.json", dir, ID_A);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ID\":\"" ID_A "\",\"Name\":\"/ci-job-7\"}", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/containers.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[{\"id\":\"" ID_A "\",\"names\":[]},"
	      "{\"id\":\"" ID_B "\",\"names\":[\"node-working-container\",\"x\"]}]",
	      f);
	fclose(f);
	container_set_state_paths(dir, path);
	assert_true(container_by_pid(0, 0, &c) == false);
	assert_true(container_from_cgroup("/system.slice/docker-" ID_A ".scope", &c));
	assert_string_equal(c.name, "");
	/* names are looked up for a found container (by pid, by cgroup id) */
	assert_true(container_name_lookup(&c, NULL));
	assert_string_equal(c.name, "ci-job-7");
	assert_true(container_from_cgroup("/machine.slice/libpod-" ID_B ".scope", &c));
	assert_true(container_name_lookup(&c, NULL));
	assert_string_equal(c.name, "node-working-container");
	assert_true(container_from_cgroup("/machine.slice/libpod-" ID_A ".scope", &c));
	assert_false(container_name_lookup(&c, NULL)); /* listed with no name */
	assert_true(container_from_cgroup("/docker/" ID_B, &c));
	assert_false(container_name_lookup(&c, NULL)); /* no config */
	/* a build step: its working container by the step's host name */
	assert_true(container_from_cgroup("/buildah-buildah42", &c));
	assert_false(container_name_lookup(&c, NULL));
	assert_false(container_name_lookup(&c, "a1b2c3")); /* too short to be sure */
	assert_string_equal(c.id, "");
	assert_false(container_name_lookup(&c, "000000000000")); /* no such container */
	assert_string_equal(c.id, "");
	assert_true(container_name_lookup(&c, "ffffffffffff"));
	assert_string_equal(c.id, ID_B);
	assert_string_equal(c.name, "node-working-container");
	container_set_state_paths("/var/lib/docker/containers",
				  "/var/lib/containers/storage/overlay-containers/containers.json");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* A container's place: a child in a mount namespace of its own, with its
 * own resolv.conf and a directory bind-mounted over another, is read at
 * its first exec (place_seen) and kept: its resolvers and its paths as the
 * host sees them hold after it has exited. */
static void test_place_kept(void **state)
{
	char a[] = "/tmp/ds-unit-place-a.XXXXXX", b[] = "/tmp/ds-unit-place-b.XXXXXX";
	char path[128], conf[128], c = 0, *host;
	struct image img = { 0 };
	struct proc p = { 0 };
	struct ipaddr ns[PLACE_RESOLVERS], want;
	int go[2], ready[2], status;
	pid_t pid;
	FILE *f;

	(void)state;
	need_ns();
	assert_non_null(mkdtemp(a));
	assert_non_null(mkdtemp(b));
	snprintf(conf, sizeof(conf), "%s/resolv.conf", a);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("# the container's\nnameserver 10.9.8.7\n", f);
	fclose(f);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) ||
		    mount(a, b, NULL, MS_BIND, NULL))
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	p.pid = (uint32_t)pid;
	p.start = start_ticks(pid) * tick_ns();
	p.img = &img;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	img.mnt_ns = ns_inode(path);
	img.net_ns = ns_inode("/proc/self/ns/net");
	assert_true(place_is_own(&img));
	assert_int_equal(place_resolvers(&img, 0, ns, PLACE_RESOLVERS), 0); /* not seen yet */
	place_seen(&p);
	assert_int_equal(ipaddr_parse("10.9.8.7", &want), 0);
	assert_int_equal(place_resolvers(&img, 0, ns, PLACE_RESOLVERS), 1);
	assert_true(ipaddr_equal(&ns[0], &want));
	/* its b/resolv.conf is a's, as the host sees it */
	snprintf(path, sizeof(path), "%s/resolv.conf", b);
	host = place_host_path(&img, path);
	assert_non_null(host);
	assert_string_equal(host, conf);
	free(host);

	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* gone: the place's, as read */
	assert_int_equal(proc_resolvers(&p, p.pid, 0, ns, PLACE_RESOLVERS), 1);
	assert_true(ipaddr_equal(&ns[0], &want));
	host = place_host_path(&img, path);
	assert_string_equal(host, conf);
	free(host);
	places_forget();
	assert_int_equal(place_resolvers(&img, 0, ns, PLACE_RESOLVERS), 0);
	unlink(conf);
	rmdir(a);
	rmdir(b);
}

/* A cgroup by its id: the test's own cgroup v2 directory, whose inode
 * number is the id an exec record carries, is found back by file handle;
 * an id no cgroup has is not. Skipped without a cgroup v2 mount. */
static void test_cgroup_by_id(void **state)
{
	char line[4096], own[4096], mnt[4096], want[8192], got[8192];
	int root = cgroup2_open(NULL);
	struct container c;
	FILE *f, *m;
	struct stat st;

	(void)state;
	if (root < 0)
		skip();
	own[0] = mnt[0] = '\0';
	f = fopen("/proc/self/cgroup", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0 && sscanf(line + 3, "%4095s", own) != 1)
			own[0] = '\0';
	fclose(f);
	m = fopen("/proc/self/mountinfo", "re");
	assert_non_null(m);
	while (!mnt[0] && fgets(line, sizeof(line), m))
		if (strstr(line, " - cgroup2 ") && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			mnt[0] = '\0';
	fclose(m);
	if (!own[0] || !mnt[0]) {
		close(root);
		skip();
	}
	snprintf(want, sizeof(want), "%s%s", mnt, strcmp(own, "/") ? own : "");
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(cgroup2_path(root, st.st_ino, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_true(cgroup2_path(root, 0x7fffffffffffULL, got, sizeof(got)) < 0);
	/* no cgroup: no container */
	assert_false(container_by_cgroup_id(0, &c));
	close(root);
}

/* A process names itself: a comm with ')' and numbers cannot move field 22. */
static void test_stat_hostile_comm(void **state)
{
	static const char line[] =
		"77 (a) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20) S 1 77 77 0 -1 "
		"4194560 90 0 0 0 0 0 0 0 20 0 1 0 555 2490368 200\n";
	unsigned long long ticks = 0;
	uint32_t ppid = 0;
	char st = 0;

	(void)state;
	assert_int_equal(procfs_parse_stat(line, &ppid, &ticks, &st), 0);
	assert_int_equal(ticks, 555);
	assert_int_equal(ppid, 1);
	assert_int_equal(st, 'S');
}

/* No process: pid 0, a pid above pid_max, a child already reaped. */
static void test_no_such_process(void **state)
{
	struct container ct;
	struct child c;
	uint64_t start;
	long pid_max = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	assert_false(container_by_pid(0, 0, &ct));
	assert_false(container_by_pid((uint32_t)pid_max, 0, &ct));
	assert_false(container_by_pid(UINT32_MAX, 0, &ct));
	c = child_start(NULL);
	start = start_ticks(c.pid) * tick_ns();
	child_end(&c);
	assert_false(container_by_pid((uint32_t)c.pid, start, &ct));
}

/* The test process itself: its container is read when the start given is
 * its own, to a clock tick either way, and not otherwise. */
static void test_same_process(void **state)
{
	pid_t self = getpid();
	uint64_t t = tick_ns(), ticks;
	char path[64];

	(void)state;
	need_ns();
	ticks = start_ticks(self);
	cgroup_path(self, path, sizeof(path));
	bind_text(path, container_line);
	assert_true(container_a(self, ticks * t));
	assert_true(container_a(self, ticks * t + t - 1));
	assert_true(container_a(self, (ticks + 1) * t));
	assert_true(container_a(self, (ticks + 2) * t - 1));
	assert_true(container_a(self, (ticks - 1) * t));
	assert_false(container_a(self, (ticks + 2) * t));
	assert_false(container_a(self, (ticks - 1) * t - 1));
	assert_false(container_a(self, 0));
	assert_false(container_a(self, UINT64_MAX));
	unbind(path);
	assert_false(container_a(self, ticks * t)); /* this host's own cgroup */
}

/* A child: read while it runs, not once its pid names a process started
 * at another time (reuse), nor once it is reaped. */
static void test_child(void **state)
{
	struct child c;
	uint64_t start;
	char path[64];

	(void)state;
	need_ns();
	c = child_start(NULL);
	start = start_ticks(c.pid) * tick_ns();
	cgroup_path(c.pid, path, sizeof(path));
	bind_text(path, container_line);
	assert_true(container_a(c.pid, start));
	assert_false(container_a(c.pid, start - 5 * tick_ns()));
	assert_false(container_a(c.pid, start + 5 * tick_ns()));
	child_end(&c);
	assert_false(container_a(c.pid, start));
	unbind(path);
}

/* A child whose name looks like the rest of a stat line. */
static void test_child_hostile_comm(void **state)
{
	struct child c;
	uint64_t start;
	char path[64];

	(void)state;
	need_ns();
	c = child_start(") R 1 2 3 4 5 6");
	start = start_ticks(c.pid) * tick_ns();
	cgroup_path(c.pid, path, sizeof(path));
	bind_text(path, container_line);
	assert_true(container_a(c.pid, start));
	assert_false(container_a(c.pid, start + 2 * tick_ns()));
	unbind(path);
	child_end(&c);
}

/* ------------------------------------------------ host_info_load */

/* The machine as host_info_load finds it: os-release text, machine id
 * (NULL: a file that is not one), host name. */
static void machine(const char *os_release, const char *machine_id, const char *hostname)
{
	bind_text("/etc/os-release", os_release);
	bind_text("/etc/machine-id", machine_id ? machine_id : "not a machine id\n");
	assert_int_equal(sethostname(hostname, strlen(hostname)), 0);
}

static void machine_restore(void)
{
	unbind("/etc/os-release");
	unbind("/etc/machine-id");
}

static struct host_info loaded(void)
{
	struct host_info h;

	memset(&h, 0x5a, sizeof(h));
	host_info_load(&h);
	return h;
}

/* 8-4-4-4-12 lower-case hex digits. */
static void assert_agent_id(const char *a)
{
	size_t i;

	assert_int_equal(strlen(a), 36);
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? a[i] != '-' : !strchr("0123456789abcdef", a[i]))
			fail_msg("agent id \"%s\", at %zu", a, i);
	}
}

static int setup_machine(void **state)
{
	(void)state;
	/* the fallback machine id is hidden: an empty directory in its place */
	if (private_ns && access(DBUS_DIR, F_OK) == 0 &&
	    mount("tmpfs", DBUS_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k"))
		return -1;
	return 0;
}

static int teardown_machine(void **state)
{
	(void)state;
	if (private_ns)
		unbind(DBUS_DIR);
	return 0;
}

static void test_host_info(void **state)
{
	struct utsname u;
	struct host_info h;

	(void)state;
	need_ns();
	machine("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		"NAME=\"Debian GNU/Linux\"\n"
		"VERSION_ID=\"12\"\n"
		"VERSION=\"12 (bookworm)\"\n"
		"ID=debian\n",
		MACHINE_A "\n", "ds-unit");
	h = loaded();
	assert_int_equal(uname(&u), 0);
	assert_string_equal(h.hostname, "ds-unit");
	assert_string_equal(h.id, MACHINE_A);
	assert_string_equal(h.os_name, "Debian GNU/Linux");
	assert_string_equal(h.os_version, "12");
	assert_string_equal(h.os_family, "debian");
	assert_string_equal(h.os_kernel, u.release);
	assert_string_equal(h.architecture, u.machine);
	assert_agent_id(h.agent_id);
	machine_restore();
}

/* os-release is shell text: both quotes, backslash escapes in "...", and
 * the family of ID, else of the first ID_LIKE word known, else ID. */
static void test_os_release(void **state)
{
	char text[512], name[300];
	struct host_info h;

	(void)state;
	need_ns();
	machine("NAME='Linux Mint'\n"
		"VERSION=\"21.3 \\\"Virginia\\\" \\\\ \\$x\"\n"
		"ID=linuxmint\n"
		"ID_LIKE=\"ubuntu debian\"\n"
		"NAMEX=not this\n",
		MACHINE_A, "ds-unit");
	h = loaded();
	assert_string_equal(h.os_name, "Linux Mint");
	assert_string_equal(h.os_version, "21.3 \"Virginia\" \\ $x"); /* no VERSION_ID */
	assert_string_equal(h.os_family, "debian");
	machine_restore();

	machine("NAME=Rocky Linux\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", MACHINE_A,
		"ds-unit");
	h = loaded();
	assert_string_equal(h.os_name, "Rocky Linux");
	assert_string_equal(h.os_version, "");
	assert_string_equal(h.os_family, "redhat");
	machine_restore();

	/* unknown everywhere: the ID itself; a value cut to its field, and an
	 * unterminated quote running to the end of the line */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text), "NAME=\"%s\"\nID=someos\nVERSION_ID=\"7\n", name);
	machine(text, MACHINE_A, "ds-unit");
	h = loaded();
	assert_int_equal(strlen(h.os_name), sizeof(h.os_name) - 1);
	assert_int_equal(h.os_name[0], 'n');
	assert_string_equal(h.os_family, "someos");
	assert_string_equal(h.os_version, "7");
	machine_restore();
}

/* The agent id: derived from the machine id, else the host name, so it
 * survives restarts; random only with neither. */
static void test_agent_id(void **state)
{
	struct host_info a, b;

	(void)state;
	need_ns();
	machine("ID=debian\n", MACHINE_A "\n", "ds-unit");
	a = loaded();
	b = loaded();
	assert_string_equal(a.agent_id, b.agent_id);
	assert_string_not_equal(a.agent_id, a.id);
	machine_restore();
	machine("ID=debian\n", MACHINE_B "\n", "ds-unit");
	b = loaded();
	assert_string_not_equal(a.agent_id, b.agent_id);
	machine_restore();

	/* no machine id (not hex, and no fallback): the host name's */
	machine("ID=debian\n", NULL, "ds-unit");
	a = loaded();
	assert_string_equal(a.id, "");
	assert_agent_id(a.agent_id);
	assert_int_equal(sethostname("ds-unit-2", 9), 0);
	b = loaded();
	assert_string_not_equal(a.agent_id, b.agent_id);
	assert_int_equal(sethostname("ds-unit", 7), 0);
	b = loaded();
	assert_string_equal(a.agent_id, b.agent_id);

	/* neither: random, per load */
	assert_int_equal(sethostname("", 0), 0);
	a = loaded();
	b = loaded();
	assert_string_equal(a.hostname, "");
	assert_agent_id(a.agent_id);
	assert_agent_id(b.agent_id);
	assert_string_not_equal(a.agent_id, b.agent_id);
	machine_restore();
}

/* The D-Bus copy of the machine id, when /etc/machine-id is not one. */
static void test_machine_id_fallback(void **state)
{
	struct host_info h;
	FILE *f;

	(void)state;
	need_ns();
	if (access(DBUS_DIR, F_OK))
		skip();
	f = fopen(DBUS_DIR "/machine-id", "we");
	assert_non_null(f);
	fputs(MACHINE_B "\n", f);
	fclose(f);
	machine("ID=debian\n", NULL, "ds-unit");
	h = loaded();
	assert_string_equal(h.id, MACHINE_B);
	machine_restore();
	machine("ID=debian\n", MACHINE_A "\n", "ds-unit");
	h = loaded();
	assert_string_equal(h.id, MACHINE_A); /* /etc's first */
	machine_restore();
}

static bool write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text);
}

/* Without the privilege for them: in a user namespace of our own, where
 * we keep our ids and have the capabilities over what we make. */
static bool enter_user_namespace(void)
{
	char uid_map[32], gid_map[32];

	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", getuid(), getuid());
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", getgid(), getgid());
	return unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS) == 0 &&
	       write_text("/proc/self/setgroups", "deny") &&
	       write_text("/proc/self/uid_map", uid_map) &&
	       write_text("/proc/self/gid_map", gid_map);
}

/* Mount and UTS namespaces of this process alone: what it binds there is
 * seen by no one else, and goes when it exits. */
static int group_setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) && !enter_user_namespace())
		return 0;
	private_ns = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	return 0;
}

#define T_MACHINE(f) cmocka_unit_test_setup_teardown(f, setup_machine, teardown_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a64),
		cmocka_unit_test(test_wall_time),
		cmocka_unit_test(test_boot_clock),
		cmocka_unit_test(test_cgroup_lines),
		cmocka_unit_test(test_container_names),
		cmocka_unit_test(test_place_kept),
		cmocka_unit_test(test_cgroup_by_id),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_no_such_process),
		cmocka_unit_test(test_same_process),
		cmocka_unit_test(test_child),
		cmocka_unit_test(test_child_hostile_comm),
		T_MACHINE(test_host_info),
		T_MACHINE(test_os_release),
		T_MACHINE(test_agent_id),
		T_MACHINE(test_machine_id_fallback),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
