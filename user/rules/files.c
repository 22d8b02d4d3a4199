// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The written-file arm: rules cicd-file-modified and install-persistence.
 *
 * The kernel sends writes to, and renames or links onto, paths that have a
 * component starting with an anchor of a watched pattern. Here the path is
 * made whole (a rename's name joined to its directory, symbolic links in
 * that directory resolved), matched against the patterns, and the writer
 * classified: inside an install session, suspicious, known, or other.
 *
 * Build files (Makefile, ...) are outputs as often as sources: one in a
 * tree that holds a generated-build marker (config.status, CMakeCache.txt,
 * config.gypi), looked for from its directory up to the repository root,
 * is not reported. docs/rules.md has the reasoning.
 *
 * One alert per (process, path), written as soon as the record is read:
 * the process's later writes of that path, and its rename or link of it
 * elsewhere (sed -i, editors and atomic writers write a temporary file
 * first), are repeats of that alert, counted. Only a write whose rule
 * reads the file for a line is held for a moment, for its writer to
 * finish it (or rename it: then the rename is the one alert).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"

#define FILES_HOLD_NS  1000000000ULL /* a write read for a line waits this long */
#define FILES_HELD_MAX 256
#define FILES_SEEN_MAX 4096  /* (process, path) pairs remembered */
#define MARKER_LEVELS  16    /* directories searched for a marker */
#define LINES_READ_MAX 65536 /* bytes of a start-up file searched for a line */

struct held {
	struct file_event ev;
	char *pattern; /* ev.pattern, copied: a reload may free the config */
	bool used;
	bool gone; /* its writer exited: out at the next flush */
};

struct files {
	const struct config *c;
	unsigned long init_mnt_ns; /* PID 1's, 0 if unknown */
	struct held held[FILES_HELD_MAX];
	size_t nheld;		       /* slots in use */
	uint64_t seen[FILES_SEEN_MAX]; /* hashes of (pid, start, path), a ring */
	size_t seen_next;
	struct files_stats st;
	file_emit_fn observe; /* the events file: every watched event */
	void *observe_arg;
};

struct files *files_new(const struct config *c)
{
	struct files *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->c = c;
	f->init_mnt_ns = mnt_ns_of("/proc/1/ns/mnt");
	return f;
}

void files_set_config(struct files *f, const struct config *c)
{
	f->c = c;
}

static void held_release(struct files *f, struct held *h)
{
	file_event_free(&h->ev);
	free(h->pattern);
	h->pattern = NULL;
	h->used = false;
	f->nheld--;
}

void files_free(struct files *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < FILES_HELD_MAX; i++)
		if (f->held[i].used)
			held_release(f, &f->held[i]);
	free(f);
}

void files_observe(struct files *f, file_emit_fn fn, void *arg)
{
	f->observe = fn;
	f->observe_arg = arg;
}

void files_stats(const struct files *f, struct files_stats *st)
{
	*st = f->st;
	st->held = f->nheld;
}

/* How a path the writer sees can be opened from here: directly when it
 * shares our mount namespace; through PID 1's root when it shares PID 1's
 * (a service's own namespace, as under systemd's sandbox, leaves the
 * machine's processes there, and PID 1 outlives a writer gone before its
 * record is read); else through the writer's root while it lives. */
static bool view_path(const struct files *f, const struct file_event *ev, const char *path,
		      char *buf, size_t len)
{
	/* a writer's root of its own is a directory of its namespace */
	const char *ns_path = path == ev->path && ev->host_path ? ev->host_path : path;
	int n;

	if (!ev->mnt_ns || ev->mnt_ns == mnt_ns_self())
		n = snprintf(buf, len, "%s", ns_path);
	else if (f->init_mnt_ns && ev->mnt_ns == f->init_mnt_ns)
		n = snprintf(buf, len, "/proc/1/root%s", ns_path);
	else
		n = snprintf(buf, len, "/proc/%u/root%s", ev->pid, path);
	return n > 0 && (size_t)n < len;
}

/* Is path inside a generated build tree? Looks for a marker from its
 * directory up to the first directory holding .git, or the root. */
static bool generated(const struct files *f, const struct file_event *ev)
{
	char dir[PATH_MAX], probe[PATH_MAX + 64];
	size_t i, level;
	char *slash;

	if (!view_path(f, ev, ev->path, dir, sizeof(dir)))
		return false;
	for (level = 0; level < MARKER_LEVELS; level++) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return false;
		*slash = '\0';
		for (i = 0; i < f->c->generated_markers.n; i++) {
			snprintf(probe, sizeof(probe), "%s/%s", dir, f->c->generated_markers.v[i]);
			if (access(probe, F_OK) == 0)
				return true;
		}
		snprintf(probe, sizeof(probe), "%s/.git", dir);
		if (access(probe, F_OK) == 0)
			return false;
	}
	return false;
}

/* The watched pattern path matches, NULL if none (or a generated build
 * file). A rename onto a directory counts for what it now holds. */
static const char *watched(struct files *f, const struct file_event *ev)
{
	const struct config *c = f->c;
	const char *path = ev->path;
	const char *m;
	char *dir;

	/* a package's own files unpacked into a dependency tree or a cache */
	if (match_any(&c->ignored_paths, path)) {
		f->st.generated++;
		return NULL;
	}
	m = match_any(&c->watch_pipeline, path);
	if (m)
		return m;
	if ((m = match_any(&c->watch_build, path))) {
		if (!c->generated_markers.n || !generated(f, ev))
			return m;
		f->st.generated++;
		return NULL;
	}
	if (ev->op == DS_FILE_WRITE || asprintf(&dir, "%s/", path) < 0)
		return NULL;
	m = match_any(&c->watch_pipeline, dir);
	free(dir);
	return m;
}

/*
 * install-persistence: the first group whose paths match ev's path and
 * that counts its writer (a session's process, the package manager's own
 * image only where its writes are not normal; outside sessions, only
 * where the group says so, and never a trusted installer); NULL if none.
 */
static const struct persist_group *persist_group(const struct config *c,
						 const struct file_event *ev, const char **matched)
{
	const struct persist_group *g;
	const char *m;
	size_t i;

	for (i = 0; i < c->npersist; i++) {
		g = &c->persist[i];
		if (!(m = match_any(&g->paths, ev->path)))
			continue;
		if (ev->session ? ev->pm_writer && g->package_manager_writes
				: !g->outside_sessions || ev->trusted_writer)
			continue;
		*matched = m;
		return g;
	}
	return NULL;
}

/* Does the regular file at path (as the writer sees it) hold a line that
 * matches one of lines? Opened without following a last symbolic link,
 * and read only once it is known to be a regular file: its writer may
 * have swapped it for a FIFO or a device since. */
static bool file_has_line(const struct files *f, const struct file_event *ev,
			  const struct strlist *lines)
{
	char path[PATH_MAX + 32], self[64], *buf, *line, *end;
	bool found = false;
	struct stat st;
	ssize_t n;
	int pfd, fd;

	if (!view_path(f, ev, ev->path, path, sizeof(path)))
		return false;
	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return false;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = fstat(pfd, &st) == 0 && S_ISREG(st.st_mode)
		     ? open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
		     : -1;
	close(pfd);
	if (fd < 0)
		return false;
	buf = malloc(LINES_READ_MAX + 1);
	n = buf ? read(fd, buf, LINES_READ_MAX) : -1;
	close(fd);
	if (n < 0) {
		free(buf);
		return false;
	}
	buf[n] = '\0';
	for (line = buf; !found && line < buf + n; line = end + 1) {
		end = line + strcspn(line, "\n");
		*end = '\0';
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		found = match_any(lines, line) != NULL;
	}
	free(buf);
	return found;
}

/* A persistence write going out: its group again (the configuration may
 * have been reloaded while it was held), its reason, and the line its
 * group asks for. */
static bool persist_confirmed(const struct files *f, struct file_event *ev)
{
	const struct persist_group *g;
	const char *m;

	g = persist_group(f->c, ev, &m);
	if (!g)
		return false;
	ev->reason = g->reason;
	return !g->lines.n || file_has_line(f, ev, &g->lines);
}

static enum file_writer writer_class(const struct config *c, const struct proc *p)
{
	if (!p)
		return WRITER_OTHER;
	if (p->sess)
		return WRITER_SESSION;
	if (!p->img)
		return WRITER_OTHER;
	if (rules_proc_named(&c->shells, p) || rules_proc_named(&c->writers_suspicious, p) ||
	    match_any(&c->writers_suspicious_cmd, p->img->cmdline))
		return WRITER_SUSPICIOUS;
	if (rules_proc_named(&c->writers_known, p))
		return WRITER_KNOWN;
	return WRITER_OTHER;
}

/*
 * Was the file born while its writer lived? A new file's access time is
 * its creation; writing never moves it, so an older file keeps an older
 * one (unless its writer read it first: then this says creation). A
 * process start is stamped with a finer clock than a file's times.
 */
#define BORN_SLACK_NS 10000000LL

/* The key of (process, path) in the ring of pairs already reported. */
static uint64_t seen_key(uint32_t pid, uint64_t start, const char *path)
{
	char id[64];

	snprintf(id, sizeof(id), "%u/%llu/", pid, (unsigned long long)start);
	return fnv1a64(fnv1a64(FNV1A64_OFFSET, id), path);
}

static bool seen_has(const struct files *f, uint64_t h)
{
	size_t i;

	for (i = 0; i < FILES_SEEN_MAX; i++)
		if (f->seen[i] == h)
			return true;
	return false;
}

/* Has this process already been reported for this path? Remember it. */
static bool seen_before(struct files *f, uint32_t pid, uint64_t start, const char *path)
{
	uint64_t h = seen_key(pid, start, path);

	if (seen_has(f, h))
		return true;
	f->seen[f->seen_next] = h;
	f->seen_next = (f->seen_next + 1) % FILES_SEEN_MAX;
	return false;
}

/* A rename or link by a process already reported for its old path (sed
 * -i's temporary file, an editor's): a repeat of that report, and the new
 * path counts as reported for it too. */
static bool folds_into_write(struct files *f, const struct file_event *ev)
{
	if (!ev->old_path || !seen_has(f, seen_key(ev->pid, ev->start, ev->old_path)))
		return false;
	seen_before(f, ev->pid, ev->start, ev->path);
	f->st.repeats++;
	f->st.merged++;
	return true;
}

static void emit(struct files *f, struct file_event *ev, file_emit_fn fn, void *arg)
{
	if (ev->rule == RULE_PERSIST && !persist_confirmed(f, ev)) {
		f->st.unwatched++;
		return;
	}
	if (seen_before(f, ev->pid, ev->start, ev->path)) {
		f->st.repeats++;
		return;
	}
	if (f->observe)
		f->observe(ev, f->observe_arg);
	if (!ev->alert)
		return;
	f->st.alerts++;
	fn(ev, arg);
}

/* A rename by the writer of a held write of its old path: one alert. */
static void merge_held(struct files *f, const struct file_event *ren)
{
	size_t i;

	if (!ren->old_path || !f->nheld)
		return;
	for (i = 0; i < FILES_HELD_MAX; i++) {
		struct held *h = &f->held[i];

		if (h->used && h->ev.pid == ren->pid && h->ev.start == ren->start &&
		    strcmp(h->ev.path, ren->old_path) == 0) {
			held_release(f, h);
			f->st.merged++;
		}
	}
}

static void hold(struct files *f, struct file_event *ev, file_emit_fn fn, void *arg)
{
	char *pattern = strdup(ev->pattern);
	size_t i, slot = 0;

	if (!pattern) { /* no copy to keep: judged at once instead */
		emit(f, ev, fn, arg);
		file_event_free(ev);
		return;
	}
	for (i = 0; i < FILES_HELD_MAX && f->held[i].used; i++)
		if (f->held[i].ev.ts < f->held[slot].ev.ts)
			slot = i;
	if (i < FILES_HELD_MAX) {
		slot = i;
	} else { /* full: the oldest goes out now */
		emit(f, &f->held[slot].ev, fn, arg);
		held_release(f, &f->held[slot]);
	}
	f->held[slot].ev = *ev;
	f->held[slot].ev.pattern = pattern;
	f->held[slot].pattern = pattern;
	f->held[slot].used = true;
	f->held[slot].gone = false;
	f->nheld++;
}

void files_writer_exited(struct files *f, uint32_t pid, uint64_t start)
{
	size_t i;

	for (i = 0; i < FILES_HELD_MAX && f->nheld; i++)
		if (f->held[i].used && f->held[i].ev.pid == pid && f->held[i].ev.start == start)
			f->held[i].gone = true;
}

static bool due(const struct held *h, uint64_t now_ns)
{
	return h->used && (!now_ns || h->gone || h->ev.ts + FILES_HOLD_NS <= now_ns);
}

/* Held writes go out oldest first, so that alerts keep the order of the
 * writes (a test's barrier, a reader of the log, rely on it). */
void files_flush(struct files *f, uint64_t now_ns, file_emit_fn fn, void *arg)
{
	size_t i, oldest;

	while (f->nheld) {
		oldest = FILES_HELD_MAX;
		for (i = 0; i < FILES_HELD_MAX; i++)
			if (due(&f->held[i], now_ns) &&
			    (oldest == FILES_HELD_MAX || f->held[i].ev.ts < f->held[oldest].ev.ts))
				oldest = i;
		if (oldest == FILES_HELD_MAX)
			return;
		emit(f, &f->held[oldest].ev, fn, arg);
		held_release(f, &f->held[oldest]);
	}
}

/* Which rule's path ev's is, its pattern and severity: false when none. */
static bool classify(struct files *f, const struct proc *p, struct file_event *ev)
{
	const struct config *c = f->c;
	const struct persist_group *g;

	ev->writer = ev->session ? WRITER_SESSION : writer_class(c, p);
	ev->rule = RULE_CICD;
	ev->pattern = watched(f, ev);
	if (ev->pattern) {
		ev->severity = c->cicd_sev[ev->writer];
		return true;
	}
	ev->pm_writer = ev->session && rules_package_manager(c, p);
	/* the package manager unpacking a package's own dotfiles */
	if (ev->pm_writer && match_any(&c->ignored_paths, ev->path))
		return false;
	ev->trusted_writer = !ev->session && rules_proc_named(&c->persist_trusted, p);
	g = persist_group(c, ev, &ev->pattern);
	if (!g)
		return false;
	ev->rule = RULE_PERSIST;
	ev->severity = g->severity;
	return true;
}

static bool rule_enabled(const struct config *c, enum rule_id r)
{
	return r == RULE_PERSIST ? c->persist_enabled : c->cicd_enabled;
}

/* Is ev a write whose persistence group asks for a line of the file? The
 * line is read when the write goes out: the writer may not have written it
 * yet when its first page is dirtied. */
static bool read_for_line(const struct config *c, const struct file_event *ev)
{
	const struct persist_group *g;
	const char *m;

	if (ev->rule != RULE_PERSIST)
		return false;
	g = persist_group(c, ev, &m);
	return g && g->lines.n;
}

/*
 * Judge a whole event: is its path watched, who wrote it, is it excluded.
 * A write read for a line is held, anything else emitted at once. Takes
 * ev's strings either way.
 */
static void judge(struct files *f, const struct proc *p, struct file_event *ev, file_emit_fn fn,
		  void *arg)
{
	struct verdict v = { 0 };
	const char *why;
	bool enabled;

	if (!ev->path)
		goto drop;
	if (ev->op != DS_FILE_WRITE) {
		merge_held(f, ev);
		if (folds_into_write(f, ev))
			goto drop;
	}
	if (!classify(f, p, ev)) {
		log_debug("file record of %s passed the kernel's filter, matches no pattern",
			  ev->path);
		f->st.unwatched++;
		goto drop;
	}
	enabled = rule_enabled(f->c, ev->rule);
	v.rule = ev->rule;
	v.severity = ev->severity;
	ev->alert = enabled && gate_screen(f->c, p, &v);
	why = v.excluded_by;
	if (!ev->alert && enabled) {
		if (why)
			log_debug("write of %s by pid %u excluded by \"%s\"", ev->path, ev->pid,
				  why);
		f->st.excluded++;
	}
	if (!ev->alert && !f->observe)
		goto drop;
	if (ev->op == DS_FILE_WRITE) {
		int64_t born; /* the record's atime may be anything: no overflow */

		ev->created = __builtin_add_overflow(ev->atime, BORN_SLACK_NS, &born) ||
			      born >= boot_to_wall_ns(ev->start);
		ev->action = ev->created ? "creation" : "overwrite";
		if (read_for_line(f->c, ev)) {
			hold(f, ev, fn, arg);
			return;
		}
	} else {
		ev->action = ev->op == DS_FILE_RENAME ? "rename" : "link";
	}
	/* held writes whose writers are gone first: alerts keep their order */
	files_flush(f, boot_now(), fn, arg);
	emit(f, ev, fn, arg);
drop:
	file_event_free(ev);
}

void files_record(struct files *f, const struct proc *p, struct file_event *ev, file_emit_fn fn,
		  void *arg)
{
	struct file_event own;

	/* the path as the writer sees it, and as its namespace does */
	if (p && p->img)
		(void)file_event_root(ev, p->img->root); /* else the one view */
	/* written through a mount from outside its root (a bind mount) */
	if (p && p->img && ev->rooted && !ev->own_view && ev->dev) {
		char *own = place_own_path(p->img, ev->dev, ev->path);

		if (own) {
			free(ev->host_path);
			ev->host_path = ev->path;
			ev->path = own;
			ev->own_view = true;
		}
	}
	if (p && p->img && ev->rooted && ev->own_view && !ev->host_path)
		ev->host_path = place_host_path(p->img, ev->path);
	own = *ev;
	ev->path = ev->old_path = ev->host_path = NULL; /* ours now */
	f->st.records++;
	if (!f->c->cicd_enabled && !f->c->persist_enabled && !f->observe) {
		file_event_free(&own);
		return;
	}
	judge(f, p, &own, fn, arg);
}

void files_rename(struct files *f, const struct proc *p, uint32_t pid, const char *path,
		  const char *old_path, file_emit_fn fn, void *arg)
{
	struct file_event ev = { .op = DS_FILE_RENAME, .pid = pid, .resolved = true };

	f->st.records++;
	if (!f->c->cicd_enabled && !f->c->persist_enabled && !f->observe)
		return;
	ev.ts = boot_now();
	if (p) {
		ev.start = p->start;
		ev.session = p->sess ? p->sess->id : 0;
	}
	if (p && p->img)
		memcpy(ev.comm, p->img->comm, sizeof(ev.comm));
	else
		procfs_comm(pid, ev.comm, sizeof(ev.comm));
	ev.path = strdup(path);
	ev.old_path = old_path ? strdup(old_path) : NULL;
	judge(f, p, &ev, fn, arg);
}

void files_verdict(const struct file_event *ev, struct verdict *v)
{
	static const char *const why[WRITER_MAX] = {
		[WRITER_OTHER] = "CI/CD or build definition changed",
		[WRITER_SESSION] = "written from inside an install session",
		[WRITER_SUSPICIOUS] =
			"written by a shell, network tool, one-liner or a program in a temporary directory",
		[WRITER_KNOWN] = "written by a known tool",
	};

	memset(v, 0, sizeof(*v));
	v->rule = ev->rule;
	v->file = ev;
	v->severity = ev->severity;
	v->reason = ev->reason ? ev->reason : why[ev->writer];
	v->rules_matched = 1U << ev->rule;
	v->matched = ev->pattern;
	v->matched_field = "file.path";
	/* install-persistence: one alert per session (else process) and file */
	if (ev->rule == RULE_PERSIST)
		snprintf(v->fold_key, sizeof(v->fold_key), "%s/%016llx/%u/%llu/%016llx",
			 rule_id_name(ev->rule), (unsigned long long)ev->session,
			 ev->session ? 0 : ev->pid,
			 ev->session ? 0ULL : (unsigned long long)ev->start,
			 (unsigned long long)fnv1a64(FNV1A64_OFFSET, ev->path));
}

void judge_file(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	(void)v; /* the arm's verdicts go to j->file_fn once its held writes are out */
	if (e->file.op == DS_FILE_OPEN)
		return; /* a read: install-credential-read's (creds.c) */
	files_record(j->files, p, &e->file, j->file_fn, j->file_arg);
}
