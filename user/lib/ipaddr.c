// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Network addresses: parsed, printed, compared, matched against a prefix. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "lib.h"

int ipaddr_parse(const char *s, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

void ipaddr_format(const struct ipaddr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "%s", "");
}

void ipaddr_unmap(struct ipaddr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family != AF_INET6 || memcmp(a->bytes, mapped, sizeof(mapped)))
		return;
	memmove(a->bytes, a->bytes + 12, 4);
	memset(a->bytes + 4, 0, 12);
	a->family = AF_INET;
}

bool ipaddr_in(const struct ipaddr *a, const struct ipaddr *net, uint8_t prefix)
{
	size_t whole = prefix / 8;
	uint8_t mask;

	if (a->family != net->family)
		return false;
	if (memcmp(a->bytes, net->bytes, whole))
		return false;
	if (prefix % 8 == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - prefix % 8));
	return (a->bytes[whole] & mask) == (net->bytes[whole] & mask);
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

size_t ipaddr_len(uint8_t family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

void ipaddr_set(struct ipaddr *a, uint8_t family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, bytes, ipaddr_len(family));
}
