// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * resolv.conf as the network arm reads it (user/egress.c): the host's,
 * and each process's own through /proc/PID/root, which a process in a
 * mount namespace of its own writes as it likes. The input is the file;
 * every address read must be an IPv4 or IPv6 address, at most as many
 * as asked for.
 */
#include <sys/socket.h>

#include "fuzz.h"

#define MAX_NS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipaddr ns[MAX_NS + 1];
	size_t n, i;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	memset(ns, 0xa5, sizeof(ns));
	n = resolv_conf_nameservers(f, ns, MAX_NS);
	fclose(f);
	if (n > MAX_NS || ns[MAX_NS].family != 0xa5)
		fuzz_fail("more nameservers than asked for", "", 0);
	for (i = 0; i < n; i++)
		if (ns[i].family != AF_INET && ns[i].family != AF_INET6)
			fuzz_fail("a nameserver of no address family", "", 0);
	return 0;
}
