// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lines of /proc/PID/mountinfo: a mount's device, its root inside its
 * filesystem, where it is mounted (as that process sees it), its type. */
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "lib.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
bool mountinfo_parse(char *line, struct mountinfo_line *m)
{
	unsigned int maj, min;
	char *save, *tok, *sep;
	int i;

	sep = strstr(line, " - ");
	if (!sep)
		return false;
	*sep = '\0';
	tok = strtok_r(line, " ", &save);
	for (i = 0; tok && i < 2; i++)
		tok = strtok_r(NULL, " ", &save);
	if (!tok || sscanf(tok, "%u:%u", &maj, &min) != 2)
		return false;
	m->dev = makedev(maj, min);
	m->root = strtok_r(NULL, " ", &save);
	m->mnt = strtok_r(NULL, " ", &save);
	m->type = strtok_r(sep + 3, " ", &save);
	if (!m->root || !m->mnt || !m->type)
		return false;
	unescape(m->root);
	unescape(m->mnt);
	return true;
}
