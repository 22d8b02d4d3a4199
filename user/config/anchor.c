// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The anchor of a watched path pattern: the literal text the kernel's file filter keys on. */
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
