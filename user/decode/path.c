// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Paths as the kernel walks them: components joined, then normalised. */
#include <errno.h>
#include <string.h>

#include "decode.h"

int file_path_join(const char *comps, size_t len, char *out, size_t outlen)
{
	const char *ends[DS_PATH_DEPTH + 1];
	size_t n = 0, off = 0, i;
	const char *p = comps, *end = comps + len;

	if (outlen < 2)
		return -EINVAL;
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul || nul == p || n >= ARRAY_SIZE(ends))
			return -EINVAL;
		ends[n++] = p;
		p = nul + 1;
	}
	for (i = n; i-- > 0;) {
		size_t cl = strlen(ends[i]);

		if (off + 1 + cl + 1 > outlen)
			return -EINVAL;
		out[off++] = '/';
		memcpy(out + off, ends[i], cl);
		off += cl;
	}
	if (!n)
		out[off++] = '/';
	out[off] = '\0';
	return 0;
}

void file_path_normalize(char *path)
{
	char *r = path, *w = path;

	if (*r != '/')
		return;
	while (*r) {
		char *next;
		size_t len;

		while (*r == '/')
			r++;
		if (!*r)
			break;
		next = strchr(r, '/');
		len = next ? (size_t)(next - r) : strlen(r);
		if (len == 1 && r[0] == '.') {
			/* nothing */
		} else if (len == 2 && r[0] == '.' && r[1] == '.') {
			while (w > path && *--w != '/')
				;
		} else {
			*w++ = '/';
			memmove(w, r, len);
			w += len;
		}
		r += len;
	}
	if (w == path)
		*w++ = '/';
	*w = '\0';
}
