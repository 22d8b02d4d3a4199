// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * EQL-style string matching, always case-insensitive (ASCII only, so the
 * result never depends on the locale).
 *
 * like~ matches a pattern against the whole string: '*' is any run of bytes,
 * the empty run included, and '?' is exactly one byte. There is no escape:
 * a pattern cannot match a literal '*' or '?' other than through a wildcard.
 */
#include <stdlib.h>
#include <string.h>

#include "lib.h"

static inline unsigned char match_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Iterative glob with a single backtrack point: on a mismatch, go back to
 * just after the last '*' and let that star eat one more byte. Earlier
 * stars never need to be revisited, so the worst case is O(len(p) * len(s))
 * and a pattern like "*a*a*a*a*b" cannot blow up.
 */
bool match_like(const char *pattern, const char *s)
{
	const char *p = pattern, *star = NULL, *resume = NULL;

	if (!pattern || !s)
		return false;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p && (*p == '?' || match_fold(*p) == match_fold(*s))) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static bool match_equal(const char *a, const char *b)
{
	while (*a && match_fold(*a) == match_fold(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

bool match_in(const struct strlist *l, const char *s)
{
	size_t i;

	if (!l || !s)
		return false;
	for (i = 0; i < l->n; i++)
		if (match_equal(l->v[i], s))
			return true;
	return false;
}

const char *match_any(const struct strlist *l, const char *s)
{
	size_t i;

	if (!l || !s)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (match_like(l->v[i], s))
			return l->v[i];
	return NULL;
}

void strlist_free(struct strlist *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
