// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where a process lives, for what it reads from its own files: a container
 * (its own mount namespace, or a root directory of its own) has its own
 * /etc/resolv.conf, and so its own resolvers, 127.0.0.1 or docker's
 * 127.0.0.11 among them. Read through /proc/PID/root while a process of it
 * lives, that file is gone with the last one; so it is read when the first
 * exec of the place is seen, and kept per place (mount namespace and root,
 * with the network namespace it was seen with), for the rules to judge a
 * question or a connect after the asker has exited.
 */
#include <string.h>
#include <sys/stat.h>

#include "lib/lib.h"
#include "model.h"

#define PLACES_MAX  64
#define RESOLV_CONF "/etc/resolv.conf"

struct place {
	uint32_t mnt_ns, net_ns;
	uint64_t root_hash; /* of the root directory, 0 for "/" */
	uint64_t used;	    /* for the oldest's replacement */
	size_t n;
	struct ipaddr ns[PLACE_RESOLVERS];
};

static struct place places[PLACES_MAX];
static size_t nplaces;
static uint64_t clock_uses;

static uint32_t own_mnt_ns(void)
{
	static uint32_t ns;
	struct stat st;

	if (!ns && stat("/proc/self/ns/mnt", &st) == 0)
		ns = (uint32_t)st.st_ino;
	return ns;
}

static uint32_t own_net_ns(void)
{
	static uint32_t ns;
	struct stat st;

	if (!ns && stat("/proc/self/ns/net", &st) == 0)
		ns = (uint32_t)st.st_ino;
	return ns;
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
	return img && (img->root || (img->mnt_ns && img->mnt_ns != own_mnt_ns()));
}

static struct place *place_find(const struct image *img)
{
	uint64_t h = root_hash(img->root);
	size_t i;

	for (i = 0; i < nplaces; i++)
		if (places[i].mnt_ns == img->mnt_ns && places[i].root_hash == h)
			return &places[i];
	return NULL;
}

void place_seen(const struct proc *p)
{
	struct ipaddr ns[PLACE_RESOLVERS];
	struct place *pl;
	char path[64];
	struct stat st;
	size_t n, i;

	if (!p || !place_is_own(p->img) || place_find(p->img))
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
	if (nplaces < PLACES_MAX) {
		pl = &places[nplaces++];
	} else {
		pl = &places[0];
		for (i = 1; i < PLACES_MAX; i++)
			if (places[i].used < pl->used)
				pl = &places[i];
	}
	pl->mnt_ns = p->img->mnt_ns;
	pl->net_ns = p->img->net_ns;
	pl->root_hash = root_hash(p->img->root);
	pl->used = ++clock_uses;
	pl->n = n;
	memcpy(pl->ns, ns, n * sizeof(ns[0]));
}

size_t place_resolvers(const struct image *img, uint32_t net_ns, struct ipaddr *out, size_t max)
{
	struct place *pl = NULL;
	size_t i, n;

	if (place_is_own(img))
		pl = place_find(img);
	/* a question names only its socket's network namespace: one of a
	 * place's own (the host's is every host process's too) */
	for (i = 0; !pl && net_ns && net_ns != own_net_ns() && i < nplaces; i++)
		if (places[i].net_ns == net_ns)
			pl = &places[i];
	if (!pl)
		return 0;
	pl->used = ++clock_uses;
	n = pl->n < max ? pl->n : max;
	memcpy(out, pl->ns, n * sizeof(out[0]));
	return n;
}

void places_forget(void)
{
	nplaces = 0;
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
