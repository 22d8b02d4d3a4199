// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process-ancestry cache. One entry per live process, keyed by tgid and
 * checked against the start time, so a recycled pid is never mistaken for
 * its predecessor. Every entry holds a reference on its fork-time parent:
 * an exited ancestor stays while a descendant can still be named in an
 * alert, and is freed with its last descendant. Entries that exit with no
 * descendant are freed at once. The live count is capped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"

#define RECENT_MAX  256 /* exited entries kept for late reports, */
#define RECENT_SECS 2	/* for at most this long */

struct proctable {
	struct proc **buckets;
	uint32_t mask;
	uint32_t max;
	uint64_t next_session;
	struct session *sessions;
	struct proc *recent[RECENT_MAX]; /* the last exited, a ring, one reference each */
	time_t recent_at[RECENT_MAX];	 /* when each exited (monotonic seconds) */
	uint32_t recent_next;
	struct proctable_stats st;
};

/* The host's id (its first 8 characters; zeros when unknown), the pid and
 * the start: unique per host, stable across the life of a process. */
void proc_entity_id(const struct host_info *h, const struct proc *p, char *buf, size_t len)
{
	snprintf(buf, len, "%.8s-%u-%llu", h && h->id[0] ? h->id : "00000000", p->pid,
		 (unsigned long long)p->start);
}

struct proctable *proctable_new(uint32_t max)
{
	struct proctable *t = calloc(1, sizeof(*t));
	uint32_t n = 1024;

	if (!t)
		return NULL;
	while (n < max)
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	t->max = max;
	t->next_session = 1;
	return t;
}

static struct proc **bucket(struct proctable *t, uint32_t pid)
{
	return &t->buckets[(pid * 2654435761U) & t->mask];
}

static bool same_start(const struct proc *p, uint64_t start)
{
	if (!start || p->start == start)
		return true;
	/* found in /proc: only the tick is known */
	return p->from_proc && procfs_same_start(p->start, start);
}

static struct proc *hash_find(struct proctable *t, uint32_t pid)
{
	struct proc *p;

	for (p = *bucket(t, pid); p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void hash_remove(struct proctable *t, struct proc *p)
{
	struct proc **pp;

	for (pp = bucket(t, p->pid); *pp; pp = &(*pp)->hnext) {
		if (*pp == p) {
			*pp = p->hnext;
			p->hnext = NULL;
			t->st.live--;
			return;
		}
	}
}

static void session_end(struct proctable *t, struct session *s);
static void proc_put(struct proctable *t, struct proc *p);

static void session_leave(struct proctable *t, struct proc *p)
{
	struct session *s = p->sess;

	if (!s)
		return;
	p->sess = NULL;
	if (s->root == p)
		return;
	if (--s->refs == 0 && s->root->exited)
		session_end(t, s);
}

static void session_end(struct proctable *t, struct session *s)
{
	struct session **sp;

	for (sp = &t->sessions; *sp; sp = &(*sp)->next) {
		if (*sp == s) {
			*sp = s->next;
			break;
		}
	}
	t->st.sessions--;
	s->root->sess = NULL;
	proc_put(t, s->root);
	free(s->own_pm.name);
	free(s->own_pm.package_type);
	free(s);
}

/* Drop a reference; free the entry and walk up while ancestors go too. */
static void proc_put(struct proctable *t, struct proc *p)
{
	while (p && --p->refs == 0) {
		struct proc *parent = p->parent;

		if (p->exited)
			t->st.held--;
		session_leave(t, p);
		image_put(p->img);
		free(p);
		p = parent;
	}
}

/* Keep a reference on an exited entry for a while: a report that comes
 * by another way than the ring buffer (fanotify) can lag its exit. */
static time_t mono_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

static void remember(struct proctable *t, struct proc *p)
{
	struct proc **slot = &t->recent[t->recent_next];

	if (*slot)
		proc_put(t, *slot);
	p->refs++;
	*slot = p;
	t->recent_at[t->recent_next] = mono_secs();
	t->recent_next = (t->recent_next + 1) % RECENT_MAX;
}

/* Let go of exited entries kept longer than RECENT_SECS (or all): a
 * session must not outlive its processes by more than that. */
void proctable_forget(struct proctable *t, bool all)
{
	time_t now = mono_secs();
	uint32_t i;

	for (i = 0; i < RECENT_MAX; i++) {
		if (t->recent[i] && (all || now - t->recent_at[i] >= RECENT_SECS)) {
			proc_put(t, t->recent[i]);
			t->recent[i] = NULL;
		}
	}
}

static void retire(struct proctable *t, struct proc *p, int code)
{
	if (p->exited)
		return;
	hash_remove(t, p);
	p->exited = true;
	p->exit_code = code;
	t->st.held++;
	remember(t, p);
	if (p->sess && p->sess->root == p && p->sess->refs == 0) {
		/* the session's own reference keeps p until here */
		session_end(t, p->sess);
	}
	proc_put(t, p); /* the table's reference */
}

void proctable_join(struct proc *p, struct session *s, uint16_t depth)
{
	if (p->sess == s)
		return;
	p->sess = s;
	p->depth = depth;
	if (s->root != p)
		s->refs++;
}

static struct proc *proc_insert(struct proctable *t, uint32_t pid, uint64_t start, uint32_t ppid,
				uint64_t pstart)
{
	struct proc *old = hash_find(t, pid), *parent, *p;

	if (old)
		retire(t, old, 0); /* its exit record was lost */
	if (t->st.live >= t->max) {
		t->st.full++;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		t->st.full++;
		return NULL;
	}
	p->pid = pid;
	p->start = start;
	p->ppid = ppid;
	p->refs = 1;
	parent = ppid ? proctable_find(t, ppid, pstart) : NULL;
	if (parent) {
		parent->refs++;
		p->parent = parent;
		p->uid = parent->uid;
		p->gid = parent->gid;
		p->cgroup_id = parent->cgroup_id;
		p->img = image_get(parent->img);
		if (parent->sess)
			proctable_join(p, parent->sess, parent->depth + 1);
	}
	p->hnext = *bucket(t, pid);
	*bucket(t, pid) = p;
	t->st.live++;
	return p;
}

/* An exited entry still remembered, by pid and exact start. */
static struct proc *recent_find(struct proctable *t, uint32_t pid, uint64_t start)
{
	uint32_t i;

	for (i = 0; i < RECENT_MAX; i++)
		if (t->recent[i] && t->recent[i]->pid == pid && t->recent[i]->start == start)
			return t->recent[i];
	return NULL;
}

struct proc *proctable_find(struct proctable *t, uint32_t pid, uint64_t start)
{
	struct proc *p = hash_find(t, pid);

	if (!p || !same_start(p, start))
		return start ? recent_find(t, pid, start) : NULL;
	if (start && p->from_proc) {
		p->start = start; /* now known to the nanosecond */
		p->from_proc = false;
	}
	return p;
}

struct proc *proctable_fork(struct proctable *t, uint32_t pid, uint64_t start, uint32_t ppid,
			    uint64_t pstart)
{
	struct proc *p = proctable_find(t, pid, start);

	if (p)
		return p; /* already seen (e.g. by the /proc scan) */
	p = proc_insert(t, pid, start, ppid, pstart);
	if (p && !p->img)
		p->img = image_new();
	return p;
}

struct proc *proctable_exec(struct proctable *t, uint32_t pid, uint64_t start, uint32_t ppid,
			    uint64_t pstart, struct image *img)
{
	struct proc *p = proctable_find(t, pid, start);

	if (!p)
		p = proc_insert(t, pid, start, ppid, pstart);
	if (!p) {
		image_put(img);
		return NULL;
	}
	image_put(p->img);
	p->img = img;
	return p;
}

struct proc *proctable_find_late(struct proctable *t, uint32_t pid)
{
	struct proc *p = hash_find(t, pid);
	uint32_t i, k;

	if (p)
		return p;
	/* the most recent exit of that pid first */
	for (i = 1; i <= RECENT_MAX; i++) {
		k = (t->recent_next + RECENT_MAX - i) % RECENT_MAX;
		if (t->recent[k] && t->recent[k]->pid == pid)
			return t->recent[k];
	}
	return NULL;
}

void proctable_exit(struct proctable *t, uint32_t pid, uint64_t start, int code)
{
	struct proc *p = proctable_find(t, pid, start);

	if (p)
		retire(t, p, code);
}

/* Is a an ancestor of p (by fork-time parent links)? */
static bool descends_from(const struct proc *p, const struct proc *a, uint16_t *depth)
{
	uint16_t d = 0;

	for (; p && d < 4096; p = p->parent, d++) {
		if (p == a) {
			*depth = d;
			return true;
		}
	}
	return false;
}

struct session *proctable_session_start(struct proctable *t, struct proc *root,
					const struct pm_def *pm, track_fn track, void *arg)
{
	struct session *s = calloc(1, sizeof(*s));
	uint32_t i;

	if (!s)
		return NULL;
	s->own_pm.name = strdup(pm->name);
	s->own_pm.package_type = strdup(pm->package_type);
	if (!s->own_pm.name || !s->own_pm.package_type) {
		free(s->own_pm.name);
		free(s->own_pm.package_type);
		free(s);
		return NULL;
	}
	s->id = t->next_session++;
	s->pm = &s->own_pm;
	s->root = root;
	root->refs++;
	s->next = t->sessions;
	t->sessions = s;
	t->st.sessions++;
	root->sess = s;
	root->depth = 0;
	if (track)
		track(root, arg);
	/* children forked before the package manager was recognised */
	for (i = 0; i <= t->mask; i++) {
		struct proc *p;

		for (p = t->buckets[i]; p; p = p->hnext) {
			uint16_t depth;

			if (p == root || p->sess || !descends_from(p, root, &depth))
				continue;
			proctable_join(p, s, depth);
			if (track)
				track(p, arg);
		}
	}
	return s;
}

struct session *proctable_session_by_id(struct proctable *t, uint64_t id)
{
	struct session *s;

	for (s = t->sessions; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

void proctable_sweep(struct proctable *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		struct proc *p = t->buckets[i], *next;

		for (; p; p = next) {
			next = p->hnext;
			if (!procfs_alive(p->pid, p->start)) {
				retire(t, p, 0);
				t->st.swept++;
			}
		}
	}
}

void proctable_each(struct proctable *t, void (*fn)(struct proc *p, void *arg), void *arg)
{
	struct proc *p;
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		for (p = t->buckets[i]; p; p = p->hnext)
			fn(p, arg);
	for (i = 0; i < RECENT_MAX; i++)
		if (t->recent[i])
			fn(t->recent[i], arg);
}

void proctable_stats(const struct proctable *t, struct proctable_stats *st)
{
	*st = t->st;
}

void proctable_free(struct proctable *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i <= t->mask; i++)
		while (t->buckets[i])
			retire(t, t->buckets[i], 0);
	proctable_forget(t, true);
	while (t->sessions)
		session_end(t, t->sessions);
	free(t->buckets);
	free(t);
}

const char *proc_env(const struct proc *p, const char *name)
{
	size_t i;

	if (!p || !p->img)
		return NULL;
	for (i = 0; i < p->img->nenv; i++)
		if (strcmp(p->img->env[i].name, name) == 0)
			return p->img->env[i].value;
	return NULL;
}
