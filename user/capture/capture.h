/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Capture: the BPF object (its maps, its hooks attached and detached) and
 * the fanotify watch; what they read goes to decode.
 */
#ifndef DEPSENTRY_CAPTURE_H
#define DEPSENTRY_CAPTURE_H

#include <time.h>

#include "model/model.h"

/* sensor.c: the BPF object's life: open, size, load, attach, detach */
struct sensor;

/* Loaded and attached, or NULL. tamper_pin: where the tamper map is pinned
 * (NULL: not pinned, it dies with the daemon). */
struct sensor *sensor_open(const struct config *c, const char *tamper_pin);
void sensor_close(struct sensor *s);
struct ring_buffer;
struct ring_buffer *sensor_ringbuf(struct sensor *s, int (*fn)(void *, void *, size_t), void *ctx);
int sensor_track(struct sensor *s, uint32_t pid, uint64_t session);
/* A directory was renamed: the write filter's clean-directory memory is stale. */
void sensor_dir_renamed(struct sensor *s);
int sensor_dns_filter_fd(struct sensor *s); /* the socket filter for dns capture */
/* The syscall tracepoints, attached on demand: every system call of every
 * process takes the kernel's slow path while any is; and the hook on every
 * packet sent, for the DNS questions. */
#define SENSOR_HOOK_CONNECT (1U << 0) /* connect */
#define SENSOR_HOOK_NAMES   (1U << 1) /* rename, renameat(2), link, linkat */
#define SENSOR_HOOK_DNS	    (1U << 2) /* net_dev_queue: DNS questions sent */
#define SENSOR_HOOK_OPEN    (1U << 3) /* open, openat, openat2: sessions' reads */
/* Attach (on) or detach the hooks of these kinds; 0 or -errno. */
int sensor_hooks(struct sensor *s, unsigned int kinds, bool on);
/* A reload's two steps for the kernel's filters (wake-up prefixes, file
 * anchors): add c's keys beside old's (on failure, those old lacks are
 * removed again: -errno), then drop old's keys that c lacks. */
int sensor_filters_add(struct sensor *s, const struct config *c, const struct config *old);
void sensor_filters_drop(struct sensor *s, const struct config *old, const struct config *c);
/* Sum the per-CPU counters (enum ds_counter) into out. */
int sensor_counters(struct sensor *s, uint64_t out[DS_COUNTER_MAX]);
/* The pinned tamper map as the daemon before this one left it (NULL when
 * not pinned), and the nonce this daemon reset it with (0: not pinned). */
const struct ds_tamper *sensor_tamper_previous(const struct sensor *s);
uint64_t sensor_tamper_nonce(const struct sensor *s);
/* The session signal numbered seq was alerted. */
void sensor_tamper_ack(struct sensor *s, uint32_t seq);
/* Pin the tamper map again if its pin was removed: 1 when it was, 0 when
 * nothing was missing, -errno. */
int sensor_tamper_repin(struct sensor *s);
/* The daemon as the kernel names it (global tgid, start): 0 or -ESRCH. */
int sensor_self(struct sensor *s, uint32_t *tgid, uint64_t *start);
const char *sensor_counter_name(int i);
/* The response (egress.c): apply c's response section to the kernel (its
 * mode, the allowed ranges, names and resolvers; the cgroup programs
 * attached or detached): 0 or -errno. */
int sensor_response(struct sensor *s, const struct config *c);
/* Can this kernel refuse install sessions' egress (its socket address
 * programs may name the process)? */
bool sensor_egress_in_kernel(const struct sensor *s);
/* A resolver install sessions may ask (a session's own, as it starts). */
int sensor_resolver_add(struct sensor *s, const struct ipaddr *a);

/* egress.c, for sensor.c: the response's programs and their links */
#define EGRESS_PROGS 4 /* connect4, connect6, sendmsg4, sendmsg6 */
struct depsentry_bpf;
struct sensor_egress {
	bool supported; /* loaded: the kernel lets them name the process */
	int cgroup_fd;	/* the cgroup v2 root, once needed; -1 before */
	struct bpf_link *links[EGRESS_PROGS];
};
/* Before load: probe the kernel, leave the programs out where it fails. */
bool egress_prepare(struct depsentry_bpf *skel);
int egress_configure(struct sensor_egress *e, struct depsentry_bpf *skel, const struct config *c);
int egress_resolver_add(struct depsentry_bpf *skel, const struct ipaddr *a);
void egress_close(struct sensor_egress *e);
/* The hash the DNS filter keys a name by, from byte from of its wire form
 * on (0: the whole name); 0 when it is no name. */
uint64_t egress_name_hash(const char *name, size_t from);

/* fswatch.c: renames outside install sessions, through fanotify */
struct fswatch;

struct fswatch_stats {
	uint64_t renames;     /* renames reported */
	uint64_t overflows;   /* the kernel's queue overflowed: renames lost */
	uint64_t unresolved;  /* directory gone before its path was read */
	uint64_t malformed;   /* events that failed to parse */
	uint64_t filesystems; /* marked now */
	uint64_t fs_skipped;  /* mounted but not markable (no handles, or over the cap) */
};

/* a rename onto path by pid; old_path NULL when its first half was lost;
 * dir when a directory was renamed */
typedef void (*fswatch_fn)(uint32_t pid, const char *path, const char *old_path, bool dir,
			   void *arg);

/* NULL with errno when fanotify with directory handles is not available */
struct fswatch *fswatch_open(void);
/* One with no fanotify group and no mark, for fswatch_parse alone. */
struct fswatch *fswatch_new(void);
void fswatch_close(struct fswatch *w);
int fswatch_fd(const struct fswatch *w);
/* /proc/self/mountinfo: EPOLLPRI when the mount table changed */
int fswatch_mounts_fd(const struct fswatch *w);
/* mark filesystems mounted since the last scan */
void fswatch_rescan(struct fswatch *w);
/* Marks off while the rename hooks are attached, back on before they go. */
void fswatch_pause(struct fswatch *w, bool pause);
/* Read what the kernel queued: bytes read, 0 when none, -errno. */
int fswatch_read(struct fswatch *w);
/* Report what the last read got, then forget it. */
void fswatch_each(struct fswatch *w, fswatch_fn fn, void *arg);
/* The path of the open directory dfd in our namespace; false when the
 * directory was deleted, or the path does not fit len. */
bool fswatch_dir_fd_path(int dfd, char *out, size_t len);
/* Report the events in buf (len bytes, as read from the fanotify group). */
void fswatch_parse(struct fswatch *w, const void *buf, size_t len, fswatch_fn fn, void *arg);

/* One line of /proc/self/mountinfo, split in place (root and mnt
 * unescaped); false when it is not one. */
void fswatch_stats(const struct fswatch *w, struct fswatch_stats *st);

/* dnscap.c: DNS answers captured on the wire (packet sockets, filtered in
 * the kernel), while the hook on packets sent gives the questions */
struct dnscap;

struct dnscap_stats {
	uint64_t dropped;	 /* packets the sockets could not queue */
	uint64_t malformed;	 /* packets or messages that failed to parse */
	uint64_t netns_opened;	 /* other network namespaces captured */
	uint64_t netns_failed;	 /* ... that could not be (the process gone) */
	uint64_t netns_replaced; /* ... given up for a newer one */
};

/* An answer m received in pk at now_ns. */
typedef void (*dnscap_fn)(const struct dns_packet *pk, const struct dns_msg *m, uint64_t now_ns,
			  void *arg);

struct dnscap *dnscap_new(struct sensor *s, int epfd); /* off until started */
void dnscap_free(struct dnscap *c);
void dnscap_start(struct dnscap *c); /* failures logged once; connects go on */
/* Read what the sockets hold. An answer that came before a connect is read
 * by the first drain that starts after the connect. */
void dnscap_drain(struct dnscap *c, dnscap_fn fn, void *arg);
uint64_t dnscap_drained_ns(const struct dnscap *c);	     /* start of the last full drain */
void dnscap_stop(struct dnscap *c, dnscap_fn fn, void *arg); /* drained first */
bool dnscap_on(const struct dnscap *c);
/* While capture is on, capture in network namespace netns too (process
 * pid's, an install session's in a container): 0, or -1 when it cannot. */
int dnscap_netns(struct dnscap *c, uint32_t pid, uint32_t netns);
void dnscap_stats(struct dnscap *c, struct dnscap_stats *st);

/* hooks.c: the hooks attached while install sessions run */
struct session_hooks {
	struct sensor *sensor;
	struct dnscap *cap;
	struct fswatch *fsw; /* renames when the hooks are off; NULL: none */
	bool names_always;   /* the rename hooks stay on: no fanotify */
	bool on;
	time_t busy; /* the last second a session was alive */
};

void session_hooks_init(struct session_hooks *h, struct sensor *s, struct dnscap *cap,
			struct fswatch *fsw);
/* A session started: all on (DNS capture when dns). */
void session_hooks_start(struct session_hooks *h, bool dns, time_t now);
/* Once a second: off a while after the last session ended. */
void session_hooks_tick(struct session_hooks *h, uint64_t sessions, time_t now, dnscap_fn fn,
			void *arg);
/* DNS capture turned on or off by a reload. */
void session_hooks_dns(struct session_hooks *h, bool dns, dnscap_fn fn, void *arg);

#endif /* DEPSENTRY_CAPTURE_H */
