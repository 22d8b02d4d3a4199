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

size_t resolv_conf_read(const char *path, struct ipaddr *out, size_t max)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return 0;
	n = resolv_conf_nameservers(f, out, max);
	fclose(f);
	return n;
}

size_t resolv_conf_of(uint32_t pid, struct ipaddr *out, size_t max)
{
	char path[64];

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/root/etc/resolv.conf", pid);
	return resolv_conf_read(path, out, max);
}
