// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The nameservers a resolv.conf names. */
#include <string.h>

#include "decode.h"

size_t resolv_conf_nameservers(FILE *f, struct ipaddr *out, size_t max)
{
	char line[512], word[64], addr[64];
	size_t n = 0;

	while (n < max && fgets(line, sizeof(line), f)) {
		char *pct;

		if (sscanf(line, "%63s %63s", word, addr) != 2 || strcmp(word, "nameserver"))
			continue;
		pct = strchr(addr, '%'); /* fe80::1%eth0 */
		if (pct)
			*pct = '\0';
		if (ipaddr_parse(addr, &out[n]) == 0) {
			ipaddr_unmap(&out[n]);
			n++;
		}
	}
	return n;
}
