// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Privileges. Loading the programs, mounting tracefs and reading the
 * environment of every running process need much of root; the running
 * daemon needs little. Once everything is attached and the start-up /proc
 * scan is done, the daemon keeps the capabilities in kept[] below, in the
 * effective, permitted and bounding sets alike, empties the inheritable
 * and ambient sets, and sets no_new_privs. It stays uid 0 (the alert log
 * and /run/depsentry are root's) but no longer has root's powers.
 *
 * Capabilities go through capget/capset and prctl only: no libcap.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

#define CAP_WORDS _LINUX_CAPABILITY_U32S_3 /* two 32-bit words: caps 0-63 */
#define CAP_MAX	  64

/*
 * What the running daemon does with each capability it keeps, found by
 * running the end-to-end scenarios without it. Keep this table, the
 * SECURITY section of docs/depsentry.8 and CapabilityBoundingSet= of
 * systemd/depsentry.service in step (t_28_privileges compares them).
 */
static const struct kept_cap {
	int cap;
	const char *name;
	const char *why;
} kept[] = {
	/* Linux 6.5 and later check nothing on an fd already held; before,
	 * bpf(2) as a whole needs it when unprivileged BPF is disabled */
	{ CAP_BPF, "cap_bpf", "tracked-map updates and counter reads" },
	{ CAP_PERFMON, "cap_perfmon",
	  "perf_event_open of the connect tracepoints while install sessions run" },
	{ CAP_NET_RAW, "cap_net_raw", "the DNS capture sockets (AF_PACKET), opened with sessions" },
	/* without it the buffers are capped by net.core.rmem_max */
	{ CAP_NET_ADMIN, "cap_net_admin", "their 4 MiB receive buffers (SO_RCVBUFFORCE)" },
	/* for processes of other users or with more capabilities */
	{ CAP_SYS_PTRACE, "cap_sys_ptrace", "/proc/PID/root, environ, mountinfo and ns/net" },
	{ CAP_DAC_READ_SEARCH, "cap_dac_read_search",
	  "build-marker lookups in private directories, open_by_handle_at" },
	/* the fanotify rename watch: filesystem marks need it (the other arms do not) */
	{ CAP_SYS_ADMIN, "cap_sys_admin",
	  "fanotify_mark of file systems mounted after start; setns into sessions' network namespaces" },
	/* the response stops install sessions' processes of any user */
	{ CAP_KILL, "cap_kill", "the response's SIGKILL to processes of other users" },
};

struct capsets {
	uint64_t effective, permitted, inheritable;
};

static int caps_get(struct capsets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[CAP_WORDS];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	s->effective = data[0].effective | (uint64_t)data[1].effective << 32;
	s->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
	s->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct capsets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[CAP_WORDS];
	int i;

	for (i = 0; i < CAP_WORDS; i++) {
		data[i].effective = (uint32_t)(s->effective >> (32 * i));
		data[i].permitted = (uint32_t)(s->permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(s->inheritable >> (32 * i));
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

uint64_t caps_kept(void)
{
	uint64_t mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kept); i++)
		mask |= 1ULL << kept[i].cap;
	return mask;
}

/* Drop from the bounding set every capability not kept (needs
 * CAP_SETPCAP, so it comes before capset). Past the last capability the
 * kernel knows, PR_CAPBSET_READ says EINVAL. */
static int drop_bounding(uint64_t keep)
{
	int cap, in;

	for (cap = 0; cap < CAP_MAX; cap++) {
		in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			return errno == EINVAL ? 0 : -errno;
		if (!in || (keep & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			log_warn("PR_CAPBSET_DROP of capability %d", cap);
			return -errno;
		}
	}
	return 0;
}

/* The names of the kept capabilities in mask, for the log. */
static void kept_names(uint64_t mask, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(kept) && off < len; i++) {
		if (!(mask & (1ULL << kept[i].cap)))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", kept[i].name);
		off += n > 0 ? (size_t)n : 0;
	}
}

int caps_drop(void)
{
	struct capsets now, want = { 0 };
	uint64_t keep = caps_kept();
	char names[256];
	size_t i;
	int err;

	err = caps_get(&now);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		if (!(now.permitted & (1ULL << kept[i].cap)))
			log_warnx("started without %s: %s will fail", kept[i].name, kept[i].why);
	want.effective = want.permitted = now.permitted & keep;
	err = drop_bounding(keep);
	if (err)
		return err;
	/* the ambient set needs 4.3; before it there is none to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	err = caps_set(&want);
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* believe the kernel, not the request */
	err = caps_get(&now);
	if (err)
		return err;
	if (now.effective != want.effective || now.permitted != want.permitted || now.inheritable)
		return -EPERM;
	kept_names(want.permitted, names, sizeof(names));
	log_info("privileges dropped: keeping %s; no_new_privs set", names[0] ? names : "none");
	return 0;
}
