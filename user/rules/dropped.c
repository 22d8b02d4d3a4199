// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * install-dropped-exec: a process of an install session runs a file that
 * was dropped for it. Two tests, on the file run: the executable as the
 * kernel opened it (its inode's change time and its directory's mode come
 * with the exec record, so a file deleted at once is judged all the same),
 * else the script a #! line ran or an interpreter was given (looked up in
 * /proc/PID/root as the process named it):
 *  - its directory is world-writable: /tmp, /var/tmp, /dev/shm, where a
 *    hook's download lands (ua-parser-js: curl to /tmp, chmod +x, run);
 *  - it changed after the session began (the inode's ctime, which no
 *    system call sets back: touch -d moves mtime and ctime with it), and
 *    it lies neither in a tree package managers install into (node_modules,
 *    site-packages, their caches, build directories: the rule's
 *    package_trees and files.ignored_paths) nor under the directory the
 *    session was started in (the project being built): Shai-Hulud's curl
 *    | bash that installs bun into ~/.bun and runs it.
 */
#include <string.h>
#include <sys/stat.h>

#include "rules.h"

static bool world_writable_dir(uint32_t mode)
{
	return S_ISDIR(mode) && (mode & S_IWOTH);
}

/* path under dir (a directory, not the root) */
static bool under(const char *path, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	return n > 1 && strncmp(path, dir, n) == 0 && path[n] == '/';
}

static const char *dropped_reason(const struct config *c, const struct proc *p,
				  const struct dropped_file *f)
{
	const struct proc *root = p->sess->root;
	const char *path = f->path;

	if (f->dir_mode && world_writable_dir(f->dir_mode))
		return "ran a file from a world-writable directory";
	if (!f->ctime || f->ctime < boot_to_wall_ns(root->start))
		return NULL;
	if (path[0] != '/') /* a script named relative to its working directory */
		path = NULL;
	if (path && (match_any(&c->dropped_trees, path) || match_any(&c->ignored_paths, path)))
		return NULL;
	if (!path || (root->img && under(path, root->img->cwd)))
		return NULL;
	return "ran a file written during the install session";
}

/* The script p runs and how: its #! line's, or an interpreter's argument. */
static bool script_of(const struct config *c, const struct proc *p, struct dropped_file *f)
{
	const struct image *img = p->img;
	const char *s = NULL, *invoked = img->filename ? strrchr(img->filename, '/') : NULL;
	struct stat st, dir;

	f->how = NULL;
	invoked = invoked ? invoked + 1 : img->filename;
	/* exec of a script: the kernel opened the interpreter, argv[0] and the
	 * path invoked name the script */
	if (invoked && strcmp(img->filename, img->exe) != 0 && strcmp(invoked, img->name) != 0) {
		s = img->filename;
		f->how = "script";
	} else if ((s = rules_script_file(c, p))) {
		f->how = "interpreter script";
	}
	if (!s || procfs_stat_file(p->pid, p->start, img->cwd, s, &st, &dir))
		return false;
	if (s[0] != '/' && img->cwd &&
	    snprintf(f->buf, sizeof(f->buf), "%s/%s", img->cwd, s) < (int)sizeof(f->buf))
		s = f->buf;
	f->path = s;
	f->mode = st.st_mode;
	f->dir_mode = dir.st_mode;
	f->ctime = st.st_mode ? (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec : 0;
	return !st.st_mode || S_ISREG(st.st_mode); /* removed already, or a file */
}

/* Programs that name a file without writing it. */
static const char *const not_writers[] = { "chmod", "chown", "chgrp", "ls",	   "stat",  "test",
					   "[",	    "file",  "rm",    "sha256sum", "md5sum" };

struct writer_search {
	const struct proc *ran;	   /* the process that ran the file */
	const char *path, *base;   /* the file, and its name */
	const struct proc *writer; /* found so far: the earliest */
};

/* Does an argument of q name the file: its path, or its name relative to
 * q's working directory, or as -o/-O's glued value (curl -o/tmp/x)? */
static bool names_file(const struct proc *q, const struct writer_search *w)
{
	size_t dlen = (size_t)(w->base - w->path) - 1;
	int i;

	for (i = 1; i < q->img->argc; i++) {
		const char *a = q->img->argv[i];

		if (a[0] == '-' && (a[1] == 'o' || a[1] == 'O') && a[2])
			a += 2;
		if (strcmp(a, w->path) == 0)
			return true;
		if (strcmp(a, w->base) == 0 && q->img->cwd && strlen(q->img->cwd) == dlen &&
		    strncmp(q->img->cwd, w->path, dlen) == 0)
			return true;
	}
	return false;
}

static void writer_visit(struct proc *q, void *arg)
{
	struct writer_search *w = arg;
	size_t i;

	if (q == w->ran || !q->img || !q->sess || q->sess != w->ran->sess ||
	    q->exec_ts > w->ran->exec_ts || (w->writer && q->exec_ts >= w->writer->exec_ts))
		return;
	if (q->img->exe && strcmp(q->img->exe, w->path) == 0)
		return; /* an earlier run of the same file */
	for (i = 0; i < ARRAY_SIZE(not_writers); i++)
		if (q->img->name && strcmp(q->img->name, not_writers[i]) == 0)
			return;
	if (names_file(q, w))
		w->writer = q;
}

/* The process of the session that first named the file in its arguments
 * before it was run (curl -o FILE, wget -O FILE, cp X FILE, mv X FILE):
 * its writer, as far as the command lines tell. NULL when none did (a
 * shell's redirection, a script's own write). */
static const struct proc *writer_of(struct proctable *pt, const struct proc *p, const char *path)
{
	struct writer_search w = { .ran = p, .path = path };

	if (!pt || path[0] != '/')
		return NULL;
	w.base = strrchr(path, '/') + 1;
	proctable_each(pt, writer_visit, &w);
	return w.writer;
}

void judge_dropped(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	const struct config *c = j->cfg;
	struct dropped_file *f = &j->dropped;
	const char *reason = NULL;

	(void)e;
	if (!c->dropped_enabled || !p || !p->img || !p->sess || !p->sess->root)
		return;
	memset(f, 0, sizeof(*f));
	f->path = p->img->exe;
	f->how = "executable";
	f->mode = p->img->exe_mode;
	f->dir_mode = p->img->dir_mode;
	f->ctime = p->img->exe_ctime;
	if (f->path && *f->path)
		reason = dropped_reason(c, p, f);
	if (!reason && script_of(c, p, f))
		reason = dropped_reason(c, p, f);
	if (!reason)
		return;
	f->writer = writer_of(j->pt, p, f->path);
	v->rule = RULE_DROPPED;
	v->rules_matched = 1U << RULE_DROPPED;
	v->severity = c->dropped_severity;
	v->reason = reason;
	v->matched = f->path;
	v->matched_field = strcmp(f->how, "executable") == 0 ? "process.executable"
							     : "process.args";
	v->dropped = f;
}
