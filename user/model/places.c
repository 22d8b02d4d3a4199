// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where a process lives, for what it reads from its own files and how its
 * paths look from the host: a container (its own mount namespace, or a
 * root directory of its own) has its own /etc/resolv.conf, and so its own
 * resolvers, 127.0.0.1 or docker's 127.0.0.11 among them; and its own
 * mounts (its root, an overlay; a host directory bind-mounted as
 * /workspace). Read through /proc/PID while a process of it lives, both
 * are gone with the last one; so they are read when the first exec of the
 * place is seen, and kept per place (mount namespace and root, with the
 * network namespace it was seen with), for the rules to judge a question
 * or a connect after the asker has exited, and for alerts to give a path
 * as the host sees it beside the path the process saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lib/lib.h"
#include "model.h"

#define PLACES_MAX  64
#define RESOLV_CONF "/etc/resolv.conf"

#define PLACE_MOUNTS 256 /* mounts kept of a place's table */

/* A mount as a place's processes see it. */
struct place_mount {
	dev_t dev;
	char *root; /* the directory of its filesystem it shows */
	char *mnt;  /* where, from the place's root */
};

struct place {
	uint32_t mnt_ns, net_ns;
	uint32_t root_mnt;  /* the root's mount: a runtime's set-up before
			     * pivot_root is a place of its own */
	uint64_t root_hash; /* of the root directory, 0 for "/" */
	uint64_t used;	    /* for the oldest's replacement */
	size_t n;
	struct ipaddr ns[PLACE_RESOLVERS];
	struct place_mount *mounts;
	size_t nmounts;
	char hostname[65];
	uint32_t reader;       /* the process it was read through */
	uint64_t reader_start; /* and its start */
};

static struct place places[PLACES_MAX];
static size_t nplaces;
static uint64_t clock_uses;

static uint32_t host_mnt_ns(void)
{
	static uint32_t ns;

	return ns ? ns : (ns = host_ns_inode("mnt"));
}

static uint32_t host_net_ns(void)
{
	static uint32_t ns;

	return ns ? ns : (ns = host_ns_inode("net"));
}

static uint64_t root_hash(const char *root)
{
	return root ? fnv1a64(FNV1A64_OFFSET, root) | 1 : 0;
}

/* No nameserver in a resolv.conf, or none at all: the C library asks the
 * local one. */
static size_t local_resolvers(struct ipaddr *out, size_t max)
{
	if (max < 2)
		return 0;
	ipaddr_parse("127.0.0.1", &out[0]);
	ipaddr_parse("::1", &out[1]);
	return 2;
}

bool place_is_own(const struct image *img)
{
	return img && (img->root || (img->mnt_ns && img->mnt_ns != host_mnt_ns()));
}

static struct place *place_find(const struct image *img)
{
	uint64_t h = root_hash(img->root);
	size_t i;

	for (i = 0; i < nplaces; i++)
		if (places[i].mnt_ns == img->mnt_ns && places[i].root_hash == h &&
		    places[i].root_mnt == img->root_mnt)
			return &places[i];
	return NULL;
}

static void mounts_free(struct place *pl)
{
	size_t i;

	for (i = 0; i < pl->nmounts; i++) {
		free(pl->mounts[i].root);
		free(pl->mounts[i].mnt);
	}
	free(pl->mounts);
	pl->mounts = NULL;
	pl->nmounts = 0;
}

/* The mount table process pid sees, into pl (none when unreadable). */
static void mounts_read(struct place *pl, uint32_t pid)
{
	char path[64], line[8192];
	struct mountinfo_line m;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	pl->mounts = calloc(PLACE_MOUNTS, sizeof(*pl->mounts));
	while (pl->mounts && pl->nmounts < PLACE_MOUNTS && fgets(line, sizeof(line), f)) {
		struct place_mount *pm = &pl->mounts[pl->nmounts];

		if (!mountinfo_parse(line, &m))
			continue;
		pm->dev = m.dev;
		pm->root = strdup(m.root);
		pm->mnt = strdup(m.mnt);
		if (!pm->root || !pm->mnt) {
			free(pm->root);
			free(pm->mnt);
			break;
		}
		pl->nmounts++;
	}
	fclose(f);
}

/* Its /etc/hostname's first line (a runtime writes the container's). */
static void hostname_read(struct place *pl, uint32_t pid)
{
	char path[64];
	FILE *f;

	pl->hostname[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/root/etc/hostname", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(pl->hostname, sizeof(pl->hostname), f))
		pl->hostname[0] = '\0';
	pl->hostname[strcspn(pl->hostname, "\n")] = '\0';
	fclose(f);
}

const char *place_hostname(const struct image *img)
{
	const struct place *pl = place_is_own(img) ? place_find(img) : NULL;

	return pl ? pl->hostname : "";
}

void place_seen(const struct proc *p)
{
	struct ipaddr ns[PLACE_RESOLVERS];
	struct place *pl;
	char path[64];
	struct stat st;
	size_t n, i;

	if (!p || !place_is_own(p->img))
		return;
	/* Known, and read through a process still alive: the same place.
	 * Once that one is gone, the kernel may give a new container's
	 * namespace and root mount the numbers of one that ended: read again
	 * through this live one, whose view is the place's now. */
	pl = place_find(p->img);
	if (pl && procfs_alive(pl->reader, pl->reader_start))
		return;
	/* its root must be there to tell an empty file from a gone process */
	snprintf(path, sizeof(path), "/proc/%u/root/", p->pid);
	if (stat(path, &st))
		return;
	n = resolv_conf_of(p->pid, ns, PLACE_RESOLVERS);
	if (!procfs_alive(p->pid, p->start))
		return; /* the pid is another process's by now */
	if (!n)
		n = local_resolvers(ns, PLACE_RESOLVERS);
	if (pl) {
		mounts_free(pl);
	} else if (nplaces < PLACES_MAX) {
		pl = &places[nplaces++];
	} else {
		pl = &places[0];
		for (i = 1; i < PLACES_MAX; i++)
			if (places[i].used < pl->used)
				pl = &places[i];
		mounts_free(pl);
	}
	mounts_read(pl, p->pid);
	hostname_read(pl, p->pid);
	pl->mnt_ns = p->img->mnt_ns;
	pl->root_mnt = p->img->root_mnt;
	pl->net_ns = p->img->net_ns;
	pl->root_hash = root_hash(p->img->root);
	pl->used = ++clock_uses;
	pl->n = n;
	memcpy(pl->ns, ns, n * sizeof(ns[0]));
	pl->reader = p->pid;
	pl->reader_start = p->start;
}

size_t place_resolvers(const struct image *img, uint32_t net_ns, struct ipaddr *out, size_t max)
{
	struct place *pl = NULL, *best = NULL;
	size_t i, n;

	if (place_is_own(img))
		pl = place_find(img);
	/* a question names only its socket's network namespace: one of a
	 * place's own (the host's is every host process's too); of the
	 * places seen with it, the one used last (a runtime's set-up is seen
	 * first and used no more) */
	for (i = 0; !pl && net_ns && net_ns != host_net_ns() && i < nplaces; i++)
		if (places[i].net_ns == net_ns && (!best || places[i].used > best->used))
			best = &places[i];
	if (!pl)
		pl = best;
	if (!pl)
		return 0;
	pl->used = ++clock_uses;
	n = pl->n < max ? pl->n : max;
	memcpy(out, pl->ns, n * sizeof(out[0]));
	return n;
}

void places_forget(void)
{
	while (nplaces > 0)
		mounts_free(&places[--nplaces]);
}

size_t proc_resolvers(const struct proc *p, uint32_t pid, uint32_t net_ns, struct ipaddr *out,
		      size_t max)
{
	const struct proc *a;
	size_t n;

	/* the file it reads, while it lives */
	n = resolv_conf_of(pid, out, max);
	/* gone already: its place's, read when the place was first seen */
	if (!n)
		n = place_resolvers(p ? p->img : NULL, net_ns, out, max);
	/* or the view of its nearest live ancestor in the session */
	for (a = p ? p->parent : NULL; !n && a && p->sess && a->sess == p->sess; a = a->parent)
		if (!a->exited)
			n = resolv_conf_of(a->pid, out, max);
	if (!n && !place_is_own(p ? p->img : NULL))
		n = resolv_conf_read(RESOLV_CONF, out, max);
	return n ? n : local_resolvers(out, max);
}

/* Is path prefix or below it? */
static bool below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The rest of path after prefix ("" for prefix itself; all of it below "/"). */
static const char *rest(const char *path, const char *prefix)
{
	return strcmp(prefix, "/") == 0 ? path : path + strlen(prefix);
}

/* A mount's place in a translation: the device, what of the filesystem
 * it shows (root), where (mnt). */
struct xlate {
	dev_t dev;
	const char *root, *mnt;
};

/*
 * Translate path through the mount of m[0..n) that shows it best. by_mnt:
 * path is a path of the namespace; the mount whose mount point is its
 * longest prefix; out is the path inside its filesystem (out_dev). Else
 * path is inside filesystem *dev; the mount of it whose root is its
 * longest prefix; out is the path through that mount.
 */
static bool xlate_one(const struct xlate *m, bool by_mnt, dev_t *dev, const char *path, char *out,
		      size_t len, size_t *best, bool *found)
{
	const char *key = by_mnt ? m->mnt : m->root;
	const char *lead = by_mnt ? m->root : m->mnt;
	int n;

	if ((!by_mnt && m->dev != *dev) || !below(path, key) || (*found && strlen(key) <= *best))
		return false;
	n = snprintf(out, len, "%s%s", strcmp(lead, "/") ? lead : "", rest(path, key));
	if (n < 0 || (size_t)n >= len)
		return false;
	if (!out[0])
		snprintf(out, len, "/");
	if (by_mnt)
		*dev = m->dev;
	*best = strlen(key);
	*found = true;
	return true;
}

/* The same over a place's cached table. */
static bool xlate_place(const struct place *pl, bool by_mnt, dev_t *dev, const char *path,
			char *out, size_t len)
{
	size_t i, best = 0;
	bool found = false;

	for (i = 0; i < pl->nmounts; i++) {
		struct xlate m = { pl->mounts[i].dev, pl->mounts[i].root, pl->mounts[i].mnt };

		xlate_one(&m, by_mnt, dev, path, out, len, &best, &found);
	}
	return found;
}

/* The same over the host's mounts: PID 1's, else the daemon's own. */
static bool xlate_host(bool by_mnt, dev_t *dev, const char *path, char *out, size_t len)
{
	FILE *f = fopen("/proc/1/mountinfo", "re");
	char line[8192];
	size_t best = 0;
	bool found = false;
	dev_t d = *dev;

	if (!f)
		f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		struct mountinfo_line mi;
		struct xlate m;

		if (!mountinfo_parse(line, &mi))
			continue;
		m = (struct xlate){ mi.dev, mi.root, mi.mnt };
		d = *dev;
		if (xlate_one(&m, by_mnt, &d, path, out, len, &best, &found) && by_mnt)
			*dev = d;
	}
	if (f)
		fclose(f);
	return found;
}

char *place_host_path(const struct image *img, const char *own)
{
	const struct place *pl = place_is_own(img) && own ? place_find(img) : NULL;
	char fs_path[4096], host[4096];
	dev_t dev = 0;

	/* through the mount that shows it there, then one that shows that
	 * directory of its filesystem here */
	if (pl && own[0] == '/' && xlate_place(pl, true, &dev, own, fs_path, sizeof(fs_path)) &&
	    xlate_host(false, &dev, fs_path, host, sizeof(host)))
		return strcmp(host, own) ? strdup(host) : NULL;
	/* no table, or no host mount shows it: its namespace's view */
	return img && img->root && own ? path_under_root(img->root, own) : NULL;
}

char *place_own_path(const struct image *img, uint32_t kdev, const char *ns_path)
{
	const struct place *pl = place_is_own(img) ? place_find(img) : NULL;
	dev_t dev = makedev(kdev >> 20, kdev & 0xfffff); /* the kernel's encoding */
	char fs_path[4096], own[4096];

	if (!pl || !kdev || !ns_path)
		return NULL;
	/* the path inside its filesystem, through the daemon's mounts (a
	 * container's namespace begins as a copy of the host's), then
	 * through the mounts the place sees */
	if (!xlate_host(true, &dev, ns_path, fs_path, sizeof(fs_path)) ||
	    dev != makedev(kdev >> 20, kdev & 0xfffff) ||
	    !xlate_place(pl, false, &dev, fs_path, own, sizeof(own)))
		return NULL;
	return strdup(own);
}
