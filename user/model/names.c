// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The names DNS gave addresses. A connection to a bare IP says little; the
 * name the process looked up just before says which registry or which
 * exfiltration host it meant. So (network namespace, address) -> name is
 * remembered in a small cache bounded by size and TTL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define NSEC_PER_SEC 1000000000ULL

/* The cache: a hash on (namespace, address), plus a list in insertion
 * order so the oldest answer is the one evicted when the cache is full. */
struct dns_entry {
	struct ipaddr addr;		 /* bytes past the family's length are zero */
	uint32_t netns;			 /* the namespace whose lookup named it */
	uint64_t expires;		 /* dead at or after this, in now_ns time */
	struct dns_entry *hnext;	 /* hash chain */
	struct dns_entry *older, *newer; /* insertion order */
	char name[DNS_NAME_MAX];
};

struct dns_cache {
	struct dns_entry **buckets;
	uint32_t mask;
	uint32_t max;		   /* entries kept at most */
	uint32_t min_ttl, max_ttl; /* seconds */
	struct dns_entry *oldest, *newest;
	struct dns_cache_stats st;
};

static bool limits_valid(uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	return max != 0 && max <= (1U << 31) && min_ttl <= max_ttl;
}

/* One bucket per entry kept, a power of two. */
static uint32_t buckets_for(uint32_t max)
{
	uint32_t n = 16;

	while (n < max)
		n <<= 1;
	return n;
}

struct dns_cache *dns_cache_new(uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	struct dns_cache *c;
	uint32_t n = buckets_for(max);

	if (!limits_valid(max, min_ttl, max_ttl))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->max = max;
	c->min_ttl = min_ttl;
	c->max_ttl = max_ttl;
	return c;
}

void dns_cache_free(struct dns_cache *c)
{
	struct dns_entry *e, *next;

	if (!c)
		return;
	for (e = c->oldest; e; e = next) {
		next = e->newer;
		free(e);
	}
	free(c->buckets);
	free(c);
}

/* FNV-1a over the namespace, the family and the address bytes. */
static struct dns_entry **bucket(struct dns_cache *c, uint32_t netns, const struct ipaddr *a)
{
	uint32_t h = 2166136261U;
	size_t i, n = ipaddr_len(a->family);

	for (i = 0; i < sizeof(netns); i++)
		h = (h ^ ((netns >> (8 * i)) & 0xff)) * 16777619U;
	h = (h ^ a->family) * 16777619U;
	for (i = 0; i < n; i++)
		h = (h ^ a->bytes[i]) * 16777619U;
	return &c->buckets[h & c->mask];
}

static bool entry_is(const struct dns_entry *e, uint32_t netns, const struct ipaddr *a)
{
	return e->netns == netns && e->addr.family == a->family &&
	       memcmp(e->addr.bytes, a->bytes, ipaddr_len(a->family)) == 0;
}

/* The link that points at the entry of (netns, addr), or at NULL when it
 * has none. */
static struct dns_entry **entry_link(struct dns_cache *c, uint32_t netns, const struct ipaddr *a)
{
	struct dns_entry **pp = bucket(c, netns, a);

	while (*pp && !entry_is(*pp, netns, a))
		pp = &(*pp)->hnext;
	return pp;
}

static void list_unlink(struct dns_cache *c, struct dns_entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	e->older = e->newer = NULL;
}

static void list_push(struct dns_cache *c, struct dns_entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
}

static void entry_drop(struct dns_cache *c, struct dns_entry *e)
{
	struct dns_entry **pp = entry_link(c, e->netns, &e->addr);

	*pp = e->hnext;
	list_unlink(c, e);
	free(e);
	c->st.entries--;
}

static uint64_t expiry(const struct dns_cache *c, uint32_t ttl, uint64_t now_ns)
{
	uint64_t life;

	if (ttl < c->min_ttl)
		ttl = c->min_ttl;
	if (ttl > c->max_ttl)
		ttl = c->max_ttl;
	life = ttl * NSEC_PER_SEC;
	return now_ns > UINT64_MAX - life ? UINT64_MAX : now_ns + life;
}

/* Make room for one entry by dropping the oldest. */
static void cache_evict(struct dns_cache *c, uint64_t now_ns)
{
	if (now_ns >= c->oldest->expires)
		c->st.expired++;
	else
		c->st.evicted++;
	entry_drop(c, c->oldest);
}

static struct dns_entry *entry_new(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
				   uint64_t now_ns)
{
	struct dns_entry *e = calloc(1, sizeof(*e));
	struct dns_entry **head;

	if (!e)
		return NULL;
	if (c->st.entries >= c->max)
		cache_evict(c, now_ns);
	ipaddr_set(&e->addr, addr->family, addr->bytes);
	e->netns = netns;
	head = bucket(c, netns, &e->addr);
	e->hnext = *head;
	*head = e;
	c->st.entries++;
	c->st.inserted++;
	return e;
}

int dns_cache_add(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr, const char *name,
		  uint32_t ttl, uint64_t now_ns)
{
	struct dns_entry *e;
	size_t n;

	if (!c || !addr || !name || !ipaddr_len(addr->family))
		return -EINVAL;
	e = *entry_link(c, netns, addr);
	if (e)
		list_unlink(c, e);
	else
		e = entry_new(c, netns, addr, now_ns);
	if (!e)
		return -ENOMEM;
	n = strnlen(name, DNS_NAME_LEN);
	memmove(e->name, name, n); /* name may be this entry's own, from a lookup */
	e->name[n] = '\0';
	e->expires = expiry(c, ttl, now_ns);
	list_push(c, e);
	return 0;
}

int dns_cache_resize(struct dns_cache *c, uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	uint32_t n = buckets_for(max);
	struct dns_entry **buckets, **head, *e;

	if (!limits_valid(max, min_ttl, max_ttl))
		return -EINVAL;
	if (n != c->mask + 1) {
		buckets = calloc(n, sizeof(*buckets));
		if (!buckets)
			return -ENOMEM;
		free(c->buckets);
		c->buckets = buckets;
		c->mask = n - 1;
		for (e = c->oldest; e; e = e->newer) {
			head = bucket(c, e->netns, &e->addr);
			e->hnext = *head;
			*head = e;
		}
	}
	c->max = max;
	c->min_ttl = min_ttl;
	c->max_ttl = max_ttl;
	while (c->st.entries > c->max) {
		c->st.evicted++;
		entry_drop(c, c->oldest);
	}
	return 0;
}

const char *dns_cache_lookup(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
			     uint64_t now_ns)
{
	struct dns_entry *e;

	if (!c || !addr || !ipaddr_len(addr->family))
		return NULL;
	e = *entry_link(c, netns, addr);
	if (!e)
		return NULL;
	if (now_ns >= e->expires) {
		entry_drop(c, e);
		c->st.expired++;
		return NULL;
	}
	return e->name;
}

int dns_cache_forget(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
		     const char *name)
{
	struct dns_entry *e;

	if (!c || !addr || !name || !ipaddr_len(addr->family))
		return -EINVAL;
	e = *entry_link(c, netns, addr);
	if (!e || strcmp(e->name, name) != 0)
		return -ENOENT;
	entry_drop(c, e);
	c->st.forgotten++;
	return 0;
}

void dns_cache_expire(struct dns_cache *c, uint64_t now_ns)
{
	struct dns_entry *e, *next;

	if (!c)
		return;
	for (e = c->oldest; e; e = next) {
		next = e->newer;
		if (now_ns >= e->expires) {
			entry_drop(c, e);
			c->st.expired++;
		}
	}
}

void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *st)
{
	*st = c->st;
}
