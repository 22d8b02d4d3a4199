// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel's file filter key of a watched path pattern: the literal text
 * it keys on, at the start of a path component (an anchor) or at the end
 * of the file's own name (a suffix). */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "config.h"

int file_anchor(const char *pattern, char *out, size_t outlen)
{
	const char *comp = pattern, *best = NULL;
	size_t bestlen = 0;
	bool bestexact = false;

	while (comp && *comp) {
		const char *end = strchr(comp, '/');
		size_t len = end ? (size_t)(end - comp) : strlen(comp);
		size_t lit = strcspn(comp, "*?/");
		bool exact = lit >= len;

		if (lit > len)
			lit = len;
		/* the longest literal start; a later one wins a tie, being
		 * nearer the file */
		if (lit && lit + exact >= bestlen + bestexact) {
			best = comp;
			bestlen = lit;
			bestexact = exact;
		}
		comp = end ? end + 1 : NULL;
	}
	if (!best)
		return -EINVAL;
	if (bestlen > DS_ANCHOR_LEN - 1) {
		bestlen = DS_ANCHOR_LEN - 1; /* the kernel keys on that much */
		bestexact = false;
	}
	if (out && outlen >= DS_ANCHOR_LEN) {
		size_t i;

		memset(out, 0, outlen);
		for (i = 0; i < bestlen; i++)
			out[i] = (char)(best[i] >= 'A' && best[i] <= 'Z' ? best[i] + 32 : best[i]);
	}
	return (int)(bestlen + bestexact);
}

int file_suffix(const char *pattern, char *out, size_t outlen)
{
	const char *leaf = strrchr(pattern, '/');
	size_t len, i;

	leaf = leaf ? leaf + 1 : pattern;
	if (leaf[0] != '*' || !leaf[1] || strpbrk(leaf + 1, "*?"))
		return -EINVAL;
	leaf++;
	len = strlen(leaf);
	if (len > DS_SUFFIX_LEN) {
		leaf += len - DS_SUFFIX_LEN; /* the kernel keys on the last bytes */
		len = DS_SUFFIX_LEN;
	}
	if (out && outlen >= DS_SUFFIX_LEN) {
		memset(out, 0, outlen);
		for (i = 0; i < len; i++)
			out[i] = (char)(leaf[i] >= 'A' && leaf[i] <= 'Z' ? leaf[i] + 32 : leaf[i]);
	}
	return (int)len;
}
