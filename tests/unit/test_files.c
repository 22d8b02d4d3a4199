// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The CI/CD-file arm: anchors, path assembly, and the rule on records. */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static void test_anchor(void **state)
{
	char a[DS_ANCHOR_LEN];

	(void)state;
	assert_int_equal(file_anchor("*/.github/workflows/*", a, sizeof(a)), 10);
	assert_string_equal(a, "workflows"); /* whole name: NUL counted */
	assert_int_equal(file_anchor("*/.gitlab-ci*", a, sizeof(a)), 10);
	assert_string_equal(a, ".gitlab-ci"); /* a prefix */
	assert_int_equal(file_anchor("*/Makefile", a, sizeof(a)), 9);
	assert_string_equal(a, "makefile"); /* lower case */
	assert_int_equal(file_anchor("*/.git/hooks/*", a, sizeof(a)), 6);
	assert_string_equal(a, "hooks");
	assert_int_equal(file_anchor("*/ci-?.yml", a, sizeof(a)), 3);
	assert_string_equal(a, "ci-");
	/* a whole name beats an equally long prefix */
	assert_int_equal(file_anchor("/srv/*/ci-?.yml", a, sizeof(a)), 4);
	assert_string_equal(a, "srv");
	assert_int_equal(file_anchor("*/averyveryverylongdirectorynamethatgoeson/*", a, sizeof(a)),
			 DS_ANCHOR_LEN - 1);
	assert_int_equal(strlen(a), DS_ANCHOR_LEN - 1);
	assert_int_equal(file_anchor("*/*.yml", a, sizeof(a)), -EINVAL);
	assert_int_equal(file_anchor("*", a, sizeof(a)), -EINVAL);
	assert_int_equal(file_anchor("", a, sizeof(a)), -EINVAL);
}

/* A pattern whose last component is '*' then a literal is keyed on that
 * ending of the file's own name, lower case, its last 8 bytes at most. */
static void test_suffix(void **state)
{
	char s[DS_SUFFIX_LEN + 1] = "";

	(void)state;
	assert_int_equal(file_suffix("*/site-packages/*.pth", s, DS_SUFFIX_LEN), 4);
	assert_string_equal(s, ".pth");
	assert_int_equal(file_suffix("*/*.yml", s, DS_SUFFIX_LEN), 4);
	assert_int_equal(file_suffix("*.PTH", s, DS_SUFFIX_LEN), 4);
	assert_string_equal(s, ".pth");
	assert_int_equal(file_suffix("*/autostart/*.desktop", s, DS_SUFFIX_LEN), 8);
	assert_memory_equal(s, ".desktop", 8);
	assert_int_equal(file_suffix("*/x/*averylongending", s, DS_SUFFIX_LEN), 8);
	assert_memory_equal(s, "ngending", 8); /* the last 8 bytes */
	assert_int_equal(file_suffix("*/.bashrc", s, DS_SUFFIX_LEN), -EINVAL);
	assert_int_equal(file_suffix("*/site-packages/*", s, DS_SUFFIX_LEN), -EINVAL);
	assert_int_equal(file_suffix("*/x/*.p?h", s, DS_SUFFIX_LEN), -EINVAL);
	assert_int_equal(file_suffix("*/x/*a*.pth", s, DS_SUFFIX_LEN), -EINVAL);
	assert_int_equal(file_suffix("*/x/a*.pth", s, DS_SUFFIX_LEN), -EINVAL);
}

static void test_join_normalize(void **state)
{
	char out[64], p[64];

	(void)state;
	assert_int_equal(file_path_join("c\0b\0a", 6, out, sizeof(out)), 0);
	assert_string_equal(out, "/a/b/c");
	assert_int_equal(file_path_join("", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(file_path_join("c\0b", 3, out, sizeof(out)), -EINVAL); /* no NUL */
	assert_int_equal(file_path_join("\0b", 3, out, sizeof(out)), -EINVAL);	/* empty */
	assert_int_equal(file_path_join("cc\0b", 5, out, 5), -EINVAL);		/* too long */

	strcpy(p, "/a//b/./c/../d/");
	file_path_normalize(p);
	assert_string_equal(p, "/a/b/d");
	strcpy(p, "/../..");
	file_path_normalize(p);
	assert_string_equal(p, "/");
	strcpy(p, "/a/..");
	file_path_normalize(p);
	assert_string_equal(p, "/");
	strcpy(p, "/.github/../.github/workflows/x.yml");
	file_path_normalize(p);
	assert_string_equal(p, "/.github/workflows/x.yml");
}

/* A record under construction: header fields, then the sections. */
struct rec {
	struct ds_file e;
	char data[2048];
};

static size_t put_sec(struct rec *r, size_t off, const char *s, size_t len, __u16 *lenp)
{
	memcpy(r->data + off, s, len);
	*lenp = (__u16)len;
	return off + len;
}

static int64_t realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A write by pid of the path given as leaf-first components. */
static size_t write_rec(struct rec *r, uint32_t pid, const char *comps, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->e.hdr.type = DS_EV_FILE;
	r->e.hdr.pid = pid;
	r->e.hdr.start = boot_now() - 1000000000ULL;
	r->e.hdr.ts = boot_now();
	r->e.op = DS_FILE_WRITE;
	r->e.atime = realtime_ns();
	strcpy(r->e.comm, "sh");
	return put_sec(r, 0, comps, len, &r->e.path_len);
}

static size_t rename_rec(struct rec *r, uint32_t pid, const char *to, const char *from)
{
	size_t off;

	write_rec(r, pid, "", 0);
	r->e.op = DS_FILE_RENAME;
	off = put_sec(r, 0, to, strlen(to) + 1, &r->e.name_len);
	return put_sec(r, off, from, strlen(from) + 1, &r->e.old_name_len);
}

struct got {
	int n;
	char path[256], old[256], action[16];
	enum file_writer writer;
	enum severity sev;
	bool created;
	enum rule_id rule;
	char reason[64], fold[DNS_NAME_MAX + 96];
};

/* A record as the daemon handles it: decoded, then judged. */
static int feed(struct files *f, const struct ds_file *e, const char *data, size_t len,
		file_emit_fn fn, void *arg)
{
	struct file_event ev;

	if (file_decode(e, data, len, &ev)) {
		file_event_free(&ev);
		return -EINVAL;
	}
	files_record(f, NULL, &ev, fn, arg);
	return 0;
}

static void collect(const struct file_event *ev, void *arg)
{
	struct got *g = arg;

	g->n++;
	snprintf(g->path, sizeof(g->path), "%s", ev->path);
	snprintf(g->old, sizeof(g->old), "%s", ev->old_path ? ev->old_path : "");
	snprintf(g->action, sizeof(g->action), "%s", ev->action);
	g->writer = ev->writer;
	g->sev = ev->severity;
	g->created = ev->created;
}

static struct config *builtin(void)
{
	struct config *c = NULL;

	assert_int_equal(config_load(NULL, &c, stderr), 0);
	return c;
}

static const char wf[] = "ci.yml\0workflows\0.github\0r";

static void test_write_alerted_at_once_and_deduplicated(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct files_stats st;
	struct got g = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	len = write_rec(&r, 10, wf, sizeof(wf));
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), 0);
	assert_int_equal(g.n, 1); /* out with the record, not at a flush */
	assert_string_equal(g.path, "/r/.github/workflows/ci.yml");
	assert_string_equal(g.action, "creation");
	assert_true(g.created);
	assert_int_equal(g.writer, WRITER_OTHER);
	assert_int_equal(g.sev, SEV_MEDIUM);
	files_stats(f, &st);
	assert_int_equal(st.held, 0);

	/* the same process and path again: one alert only */
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), 0);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 1);

	/* an older file written by a newer process is an overwrite; an
	 * install session makes it critical */
	len = write_rec(&r, 11, wf, sizeof(wf));
	r.e.atime -= 3600LL * 1000000000LL;
	r.e.session = 7;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.action, "overwrite");
	assert_false(g.created);
	assert_int_equal(g.writer, WRITER_SESSION);
	assert_int_equal(g.sev, SEV_CRITICAL);

	/* passed the kernel's anchors, matches no pattern */
	len = write_rec(&r, 12, "notes.txt\0.github\0r", 20);
	feed(f, &r.e, r.data, len, collect, &g);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 2);
	files_stats(f, &st);
	assert_int_equal(st.records, 4);
	assert_int_equal(st.repeats, 1);
	assert_int_equal(st.unwatched, 1);
	assert_int_equal(st.alerts, 2);
	files_free(f);
	config_free(c);
}

/* The inode's access time comes in the record: one at the far end of the
 * 64-bit range is later than the writer's start (a creation), never a
 * wrapped sum; one at the near end is older (an overwrite). */
static void test_atime_bounds(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct got g = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	len = write_rec(&r, 20, wf, sizeof(wf));
	r.e.atime = INT64_MAX;
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), 0);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 1);
	assert_true(g.created);
	len = write_rec(&r, 21, wf, sizeof(wf));
	r.e.atime = INT64_MIN;
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), 0);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 2);
	assert_false(g.created);
	files_free(f);
	config_free(c);
}

static void collect_pattern(const struct file_event *ev, void *arg)
{
	char *pattern = arg;

	snprintf(pattern, 64, "%s", ev->pattern);
}

static void poison(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		memset(l->v[i], 'X', strlen(l->v[i]));
}

/*
 * sed -i writes a temporary file beside the workflow and renames it over
 * it: the write is alerted at once, the writer's own rename of it is a
 * repeat of that alert (as are its later writes of the new path); a rename
 * by another process, or of a file its renamer did not write, is alerted.
 */
static void test_rename_folds_into_its_write(void **state)
{
	static const char tmp[] = "sedAb12\0workflows\0.github\0r";
	struct config *c = builtin();
	uint64_t start;
	struct files *f = files_new(c);
	struct files_stats st;
	struct got g = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	len = write_rec(&r, 20, tmp, sizeof(tmp));
	start = r.e.hdr.start;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.path, "/r/.github/workflows/sedAb12");
	assert_string_equal(g.action, "creation");
	/* another process renaming it is alerted on its own */
	len = rename_rec(&r, 21, "/r/.github/workflows/other.yml", "/r/.github/workflows/sedAb12");
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.path, "/r/.github/workflows/other.yml");
	/* the writer's own rename folds into its write's alert */
	len = rename_rec(&r, 20, "/r/.github/workflows/ci.yml", "/r/.github/workflows/sedAb12");
	r.e.hdr.start = start;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 2);
	files_stats(f, &st);
	assert_int_equal(st.merged, 1);
	assert_int_equal(st.repeats, 1);
	/* and so does its next write of the new name */
	len = write_rec(&r, 20, wf, sizeof(wf));
	r.e.hdr.start = start;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 2);
	files_stats(f, &st);
	assert_int_equal(st.repeats, 2);
	/* the same pid in a later process is another writer */
	len = rename_rec(&r, 20, "/r/.github/workflows/ci.yml", "/r/.github/workflows/sedAb12");
	r.e.hdr.start = start + 1;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.action, "rename");

	/* a rename's directory is joined lexically when it is not visible
	 * from here (another mount namespace) */
	len = rename_rec(&r, 23, "/r/.github/x/../workflows/ci.yml", "/tmp/ci.yml");
	r.e.mnt_ns = 1;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.path, "/r/.github/workflows/ci.yml");
	assert_string_equal(g.old, "/tmp/ci.yml");
	assert_string_equal(g.action, "rename");
	assert_false(g.created);

	/* a directory renamed onto a watched one counts for its contents */
	len = rename_rec(&r, 22, "/r/.github/workflows", "/tmp/wf");
	r.e.mnt_ns = 1;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.path, "/r/.github/workflows");
	files_free(f);
	config_free(c);
}

static void test_relative_rename_joined(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct got g = { 0 };
	struct rec r;
	size_t off;

	(void)state;
	rename_rec(&r, 30, "", "");
	r.e.name_len = r.e.old_name_len = 0;
	r.e.mnt_ns = 1;
	off = put_sec(&r, 0, "r\0", 2, &r.e.path_len); /* cwd /r */
	off = put_sec(&r, off, "./.github/workflows/deploy.yml", 31, &r.e.name_len);
	off = put_sec(&r, off, "/tmp/x.yml", 11, &r.e.old_name_len);
	feed(f, &r.e, r.data, off, collect, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.path, "/r/.github/workflows/deploy.yml");
	assert_string_equal(g.old, "/tmp/x.yml");
	files_free(f);
	config_free(c);
}

/* "/a/b/c" as a kernel walk sends it: "c\0b\0a\0"; returns the length. */
static size_t leaf_first(const char *path, char *out)
{
	const char *end = path + strlen(path), *p;
	size_t off = 0;

	while (end > path) {
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		memcpy(out + off, p, (size_t)(end - p));
		off += (size_t)(end - p);
		out[off++] = '\0';
		end = p > path ? p - 1 : p;
	}
	return off;
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
}

static void test_generated_build_tree(void **state)
{
	char dir[] = "/tmp/depsentry-files-XXXXXX", path[256], comps[256];
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct files_stats st;
	struct got g = { 0 };
	struct stat ns;
	struct rec r;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(stat("/proc/self/ns/mnt", &ns), 0);
	snprintf(path, sizeof(path), "%s/.git", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/build", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/build/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	/* no marker yet: a Makefile in build/sub is a build file */
	snprintf(path, sizeof(path), "%s/build/sub/Makefile", dir);
	len = write_rec(&r, 40, "", 0);
	r.e.mnt_ns = (__u32)ns.st_ino;
	len = put_sec(&r, 0, comps, leaf_first(path + 1, comps), &r.e.path_len);
	feed(f, &r.e, r.data, len, collect, &g);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.path, path);

	/* cmake's cache two levels up marks the tree as generated */
	snprintf(path, sizeof(path), "%s/build", dir);
	touch(path, "CMakeCache.txt");
	snprintf(path, sizeof(path), "%s/build/sub/Makefile", dir);
	r.e.hdr.pid = 41;
	feed(f, &r.e, r.data, len, collect, &g);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 1);
	files_stats(f, &st);
	assert_int_equal(st.generated, 1);

	/* the project's own Makefile, beside .git, stays watched */
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	len = write_rec(&r, 42, "", 0);
	r.e.mnt_ns = (__u32)ns.st_ino;
	len = put_sec(&r, 0, comps, leaf_first(path + 1, comps), &r.e.path_len);
	feed(f, &r.e, r.data, len, collect, &g);
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.path, path);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	files_free(f);
	config_free(c);
}

static void test_malformed(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct got g = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	len = write_rec(&r, 50, wf, sizeof(wf));
	assert_int_equal(feed(f, &r.e, r.data, len - 1, collect, &g), -EINVAL);
	r.e.path_len = sizeof(wf) - 1; /* no NUL at the end */
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), -EINVAL);
	len = write_rec(&r, 50, wf, sizeof(wf));
	r.e.name_len = 1; /* a write has no name */
	assert_int_equal(feed(f, &r.e, r.data, len + 1, collect, &g), -EINVAL);
	len = write_rec(&r, 50, wf, sizeof(wf));
	r.e.op = 9;
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), -EINVAL);
	len = rename_rec(&r, 50, "/r/.github/workflows/a.yml", "/x");
	r.e.name_len = 0; /* a rename needs its name */
	assert_int_equal(feed(f, &r.e, r.data, len, collect, &g), -EINVAL);
	assert_int_equal(g.n, 0);
	files_free(f);
	config_free(c);
}

/* The events file's observer sees each watched write once, alerted or not;
 * the alert callback only what the rule alerts. */
static void test_observer(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct got alerts = { 0 }, seen = { 0 };
	struct files_stats st;
	struct rec r;
	size_t len;

	(void)state;
	c->min_severity = SEV_HIGH; /* a plain writer's medium is below it */
	files_observe(f, collect, &seen);
	len = write_rec(&r, 60, wf, sizeof(wf));
	feed(f, &r.e, r.data, len, collect, &alerts);
	feed(f, &r.e, r.data, len, collect, &alerts); /* again */
	len = write_rec(&r, 61, wf, sizeof(wf));
	r.e.session = 3; /* critical: alerted and seen */
	feed(f, &r.e, r.data, len, collect, &alerts);
	len = write_rec(&r, 62, "notes.txt\0.github\0r", 20); /* not watched */
	feed(f, &r.e, r.data, len, collect, &alerts);
	files_flush(f, 0, collect, &alerts);
	assert_int_equal(seen.n, 2);
	assert_int_equal(alerts.n, 1);
	assert_int_equal(alerts.writer, WRITER_SESSION);
	files_stats(f, &st);
	assert_int_equal(st.alerts, 1);
	assert_int_equal(st.excluded, 2); /* per record, as before */

	/* with the rule off, the observer still sees watched files */
	c->cicd_enabled = false;
	len = write_rec(&r, 63, wf, sizeof(wf));
	feed(f, &r.e, r.data, len, collect, &alerts);
	files_flush(f, 0, collect, &alerts);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.path, "/r/.github/workflows/ci.yml");
	assert_string_equal(seen.action, "creation");
	assert_int_equal(alerts.n, 1);
	files_stats(f, &st);
	assert_int_equal(st.excluded, 2); /* the rule off excludes nothing */

	/* and without an observer nothing is held for nobody */
	files_observe(f, NULL, NULL);
	len = write_rec(&r, 64, wf, sizeof(wf));
	feed(f, &r.e, r.data, len, collect, &alerts);
	files_flush(f, 0, collect, &alerts);
	assert_int_equal(seen.n, 3);
	assert_int_equal(alerts.n, 1);
	files_free(f);
	config_free(c);
}

static void collect_rule(const struct file_event *ev, void *arg)
{
	struct got *g = arg;
	struct verdict v;

	collect(ev, arg);
	files_verdict(ev, &v);
	g->rule = v.rule;
	snprintf(g->reason, sizeof(g->reason), "%s", v.reason ? v.reason : "");
	snprintf(g->fold, sizeof(g->fold), "%s", v.fold_key);
}

/* A write of path (absolute) by p, in session (0: none), judged. */
static void persist_feed(struct files *f, const struct proc *p, uint64_t session, const char *path,
			 struct got *g)
{
	char comps[512];
	struct file_event ev;
	struct rec r;
	size_t len;

	len = write_rec(&r, p ? p->pid : 90, comps, leaf_first(path, comps));
	r.e.session = session;
	if (p)
		r.e.hdr.start = p->start;
	assert_int_equal(file_decode(&r.e, r.data, len, &ev), 0);
	files_record(f, p, &ev, collect_rule, g);
	files_flush(f, 0, collect_rule, g);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/*
 * install-persistence: a start-up file written in a session is alerted,
 * once per (process, path) here and once per session and file by the
 * gate's fold key; the package manager's own .pth and its unpacking of a
 * package's dotfiles are not; outside sessions only ld.so.preload (not by
 * a trusted installer) and a .pth whose line imports (read from the file
 * when the write goes out).
 */
static void test_persistence(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	struct session sess = { .id = 7 };
	struct proc *pip = unit_proc(NULL, &sess, 100, "/usr/bin/python3.11",
				     "python3 -m pip install x.tar.gz");
	struct proc *shim = unit_proc(pip, &sess, 101, "/usr/bin/python3.11",
				      "python3 -c exec(compile(setup_py_code))");
	struct proc *sh = unit_proc(NULL, NULL, 102, "/usr/bin/dash", "sh -c echo");
	struct proc *dpkg = unit_proc(NULL, NULL, 103, "/usr/bin/dpkg", "dpkg -i x.deb");
	char dir[] = "/tmp/ds-persist-XXXXXX", site[128], pth[160],
	     fold[sizeof(((struct got *)0)->fold)];
	struct got g = { 0 };

	(void)state;
	sess.root = pip;
	assert_non_null(mkdtemp(dir));
	snprintf(site, sizeof(site), "%s/site-packages", dir);
	assert_int_equal(mkdir(site, 0700), 0);

	persist_feed(f, shim, 7, "/home/u/.bashrc", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.rule, RULE_PERSIST);
	assert_int_equal(g.sev, SEV_CRITICAL);
	assert_string_equal(g.reason, "shell start-up file");
	assert_int_equal(g.writer, WRITER_SESSION);
	strcpy(fold, g.fold);
	/* another process of the session: the same fold key (the gate's) */
	persist_feed(f, pip, 7, "/home/u/.bashrc", &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.fold, fold);
	/* outside sessions, a shell's rc file is the user's business */
	persist_feed(f, sh, 0, "/home/u/.zshrc", &g);
	assert_int_equal(g.n, 2);

	/* pip installing a wheel's .pth; a hook below it dropping one */
	snprintf(pth, sizeof(pth), "%s/legit.pth", site);
	write_text(pth, "import os\n");
	persist_feed(f, pip, 7, pth, &g);
	assert_int_equal(g.n, 2);
	snprintf(pth, sizeof(pth), "%s/evil.pth", site);
	write_text(pth, "/some/path\n");
	persist_feed(f, shim, 7, pth, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.sev, SEV_HIGH);
	assert_string_equal(g.reason, "Python start-up file");
	/* pip unpacking a package's own .bashrc into a dependency tree */
	persist_feed(f, pip, 7, "/p/node_modules/x/.bashrc", &g);
	assert_int_equal(g.n, 3);

	/* outside sessions: a .pth is alerted when a line imports */
	snprintf(pth, sizeof(pth), "%s/paths.pth", site);
	write_text(pth, "/some/path\n#import x\n");
	persist_feed(f, sh, 0, pth, &g);
	assert_int_equal(g.n, 3);
	snprintf(pth, sizeof(pth), "%s/runs.pth", site);
	write_text(pth, "/some/path\r\nimport os; os.system('x')\r\n");
	persist_feed(f, sh, 0, pth, &g);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.reason, "Python start-up file that runs code");
	assert_int_equal(g.writer, WRITER_SUSPICIOUS);
	/* gone before it was read: nothing to judge */
	snprintf(pth, sizeof(pth), "%s/gone.pth", site);
	persist_feed(f, sh, 0, pth, &g);
	assert_int_equal(g.n, 4);
	/* a FIFO in its place is never read */
	snprintf(pth, sizeof(pth), "%s/fifo.pth", site);
	assert_int_equal(mkfifo(pth, 0600), 0);
	persist_feed(f, sh, 0, pth, &g);
	assert_int_equal(g.n, 4);
	unlink(pth);

	/* ld.so.preload: by anyone outside sessions but an installer */
	persist_feed(f, sh, 0, "/etc/ld.so.preload", &g);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.sev, SEV_CRITICAL);
	persist_feed(f, dpkg, 0, "/etc/ld.so.preload", &g);
	assert_int_equal(g.n, 5);

	/* the rule off */
	c->persist_enabled = false;
	persist_feed(f, shim, 7, "/home/u/.profile", &g);
	assert_int_equal(g.n, 5);

	snprintf(pth, sizeof(pth), "rm -rf '%s'", dir);
	assert_int_equal(system(pth), 0);
	image_put(dpkg->img);
	image_put(sh->img);
	image_put(shim->img);
	image_put(pip->img);
	free(dpkg);
	free(sh);
	free(shim);
	free(pip);
	files_free(f);
	config_free(c);
}

/* A site-packages directory under /tmp, for .pth files. */
static void site_make(char *dir, size_t len)
{
	char tmpl[] = "/tmp/ds-held-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, len, "%s/site-packages", tmpl);
	assert_int_equal(mkdir(dir, 0700), 0);
}

static void site_remove(const char *site)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(site, '/') - site), site);
	assert_int_equal(system(cmd), 0);
}

/* A .pth that imports, written outside sessions by pid: the rule reads
 * the file for its line, so the write is held. Returns the writer's start. */
static uint64_t pth_feed(struct files *f, uint32_t pid, const char *site, const char *name,
			 file_emit_fn fn, void *arg)
{
	char path[256], comps[512];
	struct rec r;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", site, name);
	write_text(path, "import os\n");
	len = write_rec(&r, pid, comps, leaf_first(path, comps));
	assert_int_equal(feed(f, &r.e, r.data, len, fn, arg), 0);
	return r.e.hdr.start;
}

/* A reload frees the configuration a held write was matched under: the
 * write keeps its pattern; later records are judged by the new one. */
static void test_held_write_outlives_its_config(void **state)
{
	struct config *a = builtin(), *b = builtin();
	struct files *f = files_new(a);
	struct got g = { 0 };
	char pattern[64] = "", site[128];
	struct rec r;
	size_t i, len;

	(void)state;
	site_make(site, sizeof(site));
	pth_feed(f, 10, site, "a.pth", collect, &g);
	assert_int_equal(g.n, 0); /* held */
	b->cicd_sev[WRITER_OTHER] = SEV_HIGH;
	files_set_config(f, b);
	for (i = 0; i < a->npersist; i++)
		poison(&a->persist[i].paths);
	config_free(a);
	files_flush(f, 0, collect_pattern, pattern);
	assert_string_equal(pattern, "*/site-packages/*.pth");

	len = write_rec(&r, 11, wf, sizeof(wf));
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.sev, SEV_HIGH);
	site_remove(site);
	files_free(f);
	config_free(b);
}

/* A held write renamed by its writer: the rename is the one alert. */
static void test_held_write_merged_into_rename(void **state)
{
	struct config *c = builtin();
	struct files *f = files_new(c);
	char site[128], from[256], to[256];
	struct files_stats st;
	uint64_t start;
	struct got g = { 0 };
	struct rec r;
	size_t len;

	(void)state;
	site_make(site, sizeof(site));
	pth_feed(f, 40, site, "x.pth.tmp", collect, &g); /* not watched */
	start = pth_feed(f, 40, site, "y.pth", collect, &g);
	assert_int_equal(g.n, 0);
	snprintf(from, sizeof(from), "%s/y.pth", site);
	snprintf(to, sizeof(to), "%s/z.pth", site);
	assert_int_equal(rename(from, to), 0);
	len = rename_rec(&r, 40, to, from);
	r.e.hdr.start = start;
	feed(f, &r.e, r.data, len, collect, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.path, to);
	assert_string_equal(g.action, "rename");
	files_flush(f, 0, collect, &g);
	assert_int_equal(g.n, 1);
	files_stats(f, &st);
	assert_int_equal(st.merged, 1);
	assert_int_equal(st.held, 0);
	site_remove(site);
	files_free(f);
	config_free(c);
}

struct order {
	int n;
	char paths[4][256];
};

static void collect_order(const struct file_event *ev, void *arg)
{
	struct order *o = arg;

	if (o->n < 4)
		snprintf(o->paths[o->n], sizeof(o->paths[0]), "%s", strrchr(ev->path, '/') + 1);
	o->n++;
}

/* Held writes go out oldest first, whatever slot each was held in, and
 * before a later alert once their writers are gone. */
static void test_flush_order(void **state)
{
	struct config *cfg = builtin();
	struct files *f = files_new(cfg);
	struct order o = { 0 };
	uint64_t start;
	char site[128];
	struct rec r;
	size_t len;

	(void)state;
	site_make(site, sizeof(site));
	pth_feed(f, 21, site, "a.pth", collect_order, &o); /* slot 0 */
	pth_feed(f, 22, site, "b.pth", collect_order, &o); /* slot 1 */
	pth_feed(f, 23, site, "c.pth", collect_order, &o); /* slot 2 */
	files_flush(f, 0, collect_order, &o);
	assert_int_equal(o.n, 3);
	assert_string_equal(o.paths[0], "a.pth");
	assert_string_equal(o.paths[1], "b.pth");
	assert_string_equal(o.paths[2], "c.pth");

	/* slot 0 freed and refilled by a later write than slots 1 and 2 */
	memset(&o, 0, sizeof(o));
	start = pth_feed(f, 31, site, "a.pth", collect_order, &o);
	pth_feed(f, 32, site, "b.pth", collect_order, &o);
	pth_feed(f, 33, site, "c.pth", collect_order, &o);
	files_writer_exited(f, 31, start);
	files_flush(f, boot_now(), collect_order, &o);
	assert_int_equal(o.n, 1);			   /* a, whose writer exited */
	pth_feed(f, 34, site, "d.pth", collect_order, &o); /* into slot 0 */
	files_flush(f, 0, collect_order, &o);
	assert_int_equal(o.n, 4);
	assert_string_equal(o.paths[1], "b.pth");
	assert_string_equal(o.paths[2], "c.pth");
	assert_string_equal(o.paths[3], "d.pth");

	/* a writer gone: its held write goes out before a later alert */
	memset(&o, 0, sizeof(o));
	start = pth_feed(f, 41, site, "e.pth", collect_order, &o);
	files_writer_exited(f, 41, start);
	len = write_rec(&r, 42, wf, sizeof(wf));
	assert_int_equal(feed(f, &r.e, r.data, len, collect_order, &o), 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.paths[0], "e.pth");
	assert_string_equal(o.paths[1], "ci.yml");
	site_remove(site);
	files_free(f);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchor),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_join_normalize),
		cmocka_unit_test(test_write_alerted_at_once_and_deduplicated),
		cmocka_unit_test(test_atime_bounds),
		cmocka_unit_test(test_held_write_outlives_its_config),
		cmocka_unit_test(test_rename_folds_into_its_write),
		cmocka_unit_test(test_held_write_merged_into_rename),
		cmocka_unit_test(test_relative_rename_joined),
		cmocka_unit_test(test_generated_build_tree),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_observer),
		cmocka_unit_test(test_flush_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
