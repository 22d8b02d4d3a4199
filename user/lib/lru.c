// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one bounded table: a hash on a byte key, plus a list in insertion
 * order so the oldest entry is the one to go when the table is full. Each
 * entry holds a fixed-size value, zeroed when inserted; the caller decides
 * what goes when (its own counters see every drop).
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

struct lru_node {
	struct lru_node *hnext;		/* hash chain */
	struct lru_node *older, *newer; /* insertion order */
	uint64_t hash;
	size_t klen;
	unsigned char *key; /* after the value */
	max_align_t value[];
};

struct lru {
	struct lru_node **buckets;
	uint32_t mask;
	uint32_t max, count;
	size_t value_size;
	struct lru_node *oldest, *newest;
};

#define NODE(v) ((struct lru_node *)((char *)(v)-offsetof(struct lru_node, value)))

uint64_t fnv1a64_bytes(uint64_t hash, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		hash = (hash ^ b[i]) * 0x100000001b3ULL;
	return hash;
}

/* One bucket per entry kept, a power of two. */
static uint32_t buckets_for(uint32_t max)
{
	uint32_t n = 16;

	while (n < max && n < (1U << 31))
		n <<= 1;
	return n;
}

struct lru *lru_new(uint32_t max, size_t value_size)
{
	struct lru *l;
	uint32_t n = buckets_for(max);

	if (!max)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->buckets = calloc(n, sizeof(*l->buckets));
	if (!l->buckets) {
		free(l);
		return NULL;
	}
	l->mask = n - 1;
	l->max = max;
	l->value_size = (value_size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	return l;
}

void lru_free(struct lru *l)
{
	struct lru_node *n, *next;

	if (!l)
		return;
	for (n = l->oldest; n; n = next) {
		next = n->newer;
		free(n);
	}
	free(l->buckets);
	free(l);
}

static struct lru_node **link_of(struct lru *l, const void *key, size_t klen, uint64_t h)
{
	struct lru_node **pp = &l->buckets[h & l->mask];

	while (*pp && !((*pp)->hash == h && (*pp)->klen == klen && !memcmp((*pp)->key, key, klen)))
		pp = &(*pp)->hnext;
	return pp;
}

static void list_unlink(struct lru *l, struct lru_node *n)
{
	if (n->older)
		n->older->newer = n->newer;
	else
		l->oldest = n->newer;
	if (n->newer)
		n->newer->older = n->older;
	else
		l->newest = n->older;
	n->older = n->newer = NULL;
}

static void list_push(struct lru *l, struct lru_node *n)
{
	n->older = l->newest;
	n->newer = NULL;
	if (l->newest)
		l->newest->newer = n;
	else
		l->oldest = n;
	l->newest = n;
}

int lru_resize(struct lru *l, uint32_t max)
{
	uint32_t nb = buckets_for(max);
	struct lru_node **buckets, *n;

	if (!max)
		return -1;
	if (nb != l->mask + 1) {
		buckets = calloc(nb, sizeof(*buckets));
		if (!buckets)
			return -1;
		free(l->buckets);
		l->buckets = buckets;
		l->mask = nb - 1;
		for (n = l->oldest; n; n = n->newer) {
			n->hnext = l->buckets[n->hash & l->mask];
			l->buckets[n->hash & l->mask] = n;
		}
	}
	l->max = max;
	return 0;
}

void *lru_find(struct lru *l, const void *key, size_t klen)
{
	struct lru_node *n = *link_of(l, key, klen, fnv1a64_bytes(FNV1A64_OFFSET, key, klen));

	return n ? n->value : NULL;
}

void *lru_insert(struct lru *l, const void *key, size_t klen)
{
	uint64_t h = fnv1a64_bytes(FNV1A64_OFFSET, key, klen);
	struct lru_node *n = calloc(1, sizeof(*n) + l->value_size + klen);

	if (!n)
		return NULL;
	n->hash = h;
	n->klen = klen;
	n->key = (unsigned char *)n->value + l->value_size;
	memcpy(n->key, key, klen);
	n->hnext = l->buckets[h & l->mask];
	l->buckets[h & l->mask] = n;
	list_push(l, n);
	l->count++;
	return n->value;
}

void lru_touch(struct lru *l, void *value)
{
	struct lru_node *n = NODE(value);

	list_unlink(l, n);
	list_push(l, n);
}

void lru_drop(struct lru *l, void *value)
{
	struct lru_node *n = NODE(value);

	*link_of(l, n->key, n->klen, n->hash) = n->hnext;
	list_unlink(l, n);
	l->count--;
	free(n);
}

void *lru_oldest(const struct lru *l)
{
	return l->oldest ? l->oldest->value : NULL;
}

void *lru_newer(const void *value)
{
	struct lru_node *n = NODE(value)->newer;

	return n ? n->value : NULL;
}

uint32_t lru_count(const struct lru *l)
{
	return l->count;
}

bool lru_full(const struct lru *l)
{
	return l->count >= l->max;
}
