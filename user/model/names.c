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

/* The cache: one bounded table (lib/lru.c) on (namespace, address), in
 * insertion order so the oldest answer is the one evicted when it is full. */
struct dns_entry {
	struct ipaddr addr; /* bytes past the family's length are zero */
	uint32_t netns;	    /* the namespace whose lookup named it */
	uint64_t expires;   /* dead at or after this, in now_ns time */
	char name[DNS_NAME_MAX];
};

struct dns_cache {
	struct lru *t;
	uint32_t max;		   /* entries kept at most */
	uint32_t min_ttl, max_ttl; /* seconds */
	struct dns_cache_stats st;
};

/* The table's key: the namespace, the family, the address's own bytes. */
struct dns_key {
	uint8_t b[sizeof(uint32_t) + 1 + 16];
	size_t len;
};

static void key_of(struct dns_key *k, uint32_t netns, const struct ipaddr *a)
{
	size_t n = ipaddr_len(a->family);

	memcpy(k->b, &netns, sizeof(netns));
	k->b[sizeof(netns)] = a->family;
	memcpy(k->b + sizeof(netns) + 1, a->bytes, n);
	k->len = sizeof(netns) + 1 + n;
}

static bool limits_valid(uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	return max != 0 && max <= (1U << 31) && min_ttl <= max_ttl;
}

struct dns_cache *dns_cache_new(uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	struct dns_cache *c;

	if (!limits_valid(max, min_ttl, max_ttl))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->t = lru_new(max, sizeof(struct dns_entry));
	if (!c->t) {
		free(c);
		return NULL;
	}
	c->max = max;
	c->min_ttl = min_ttl;
	c->max_ttl = max_ttl;
	return c;
}

void dns_cache_free(struct dns_cache *c)
{
	if (!c)
		return;
	lru_free(c->t);
	free(c);
}

static struct dns_entry *entry_find(struct dns_cache *c, uint32_t netns, const struct ipaddr *a)
{
	struct dns_key k;

	key_of(&k, netns, a);
	return lru_find(c->t, k.b, k.len);
}

static void entry_drop(struct dns_cache *c, struct dns_entry *e)
{
	lru_drop(c->t, e);
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
	struct dns_entry *old = lru_oldest(c->t);

	if (now_ns >= old->expires)
		c->st.expired++;
	else
		c->st.evicted++;
	entry_drop(c, old);
}

static struct dns_entry *entry_new(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
				   uint64_t now_ns)
{
	struct dns_entry *e;
	struct dns_key k;

	if (c->st.entries >= c->max)
		cache_evict(c, now_ns);
	key_of(&k, netns, addr);
	e = lru_insert(c->t, k.b, k.len);
	if (!e)
		return NULL;
	ipaddr_set(&e->addr, addr->family, addr->bytes);
	e->netns = netns;
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
	e = entry_find(c, netns, addr);
	if (e)
		lru_touch(c->t, e);
	else
		e = entry_new(c, netns, addr, now_ns);
	if (!e)
		return -ENOMEM;
	n = strnlen(name, DNS_NAME_LEN);
	memmove(e->name, name, n); /* name may be this entry's own, from a lookup */
	e->name[n] = '\0';
	e->expires = expiry(c, ttl, now_ns);
	return 0;
}

int dns_cache_resize(struct dns_cache *c, uint32_t max, uint32_t min_ttl, uint32_t max_ttl)
{
	if (!limits_valid(max, min_ttl, max_ttl))
		return -EINVAL;
	if (lru_resize(c->t, max))
		return -ENOMEM;
	c->max = max;
	c->min_ttl = min_ttl;
	c->max_ttl = max_ttl;
	while (c->st.entries > c->max) {
		c->st.evicted++;
		entry_drop(c, lru_oldest(c->t));
	}
	return 0;
}

const char *dns_cache_lookup(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
			     uint64_t now_ns)
{
	struct dns_entry *e;

	if (!c || !addr || !ipaddr_len(addr->family))
		return NULL;
	e = entry_find(c, netns, addr);
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
	e = entry_find(c, netns, addr);
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
	for (e = lru_oldest(c->t); e; e = next) {
		next = lru_newer(e);
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
