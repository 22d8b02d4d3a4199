// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The registry allowlist: entries parsed from the configuration, and DNS names matched against them. */
#include <ctype.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

bool dns_name_normalize(char *s)
{
	size_t len = strlen(s), i;

	if (len && s[len - 1] == '.')
		s[--len] = '\0';
	if (!len || len >= DNS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return false;
		if (c == '.' && (i == 0 || s[i - 1] == '.'))
			return false; /* an empty label */
		s[i] = (char)tolower(c);
	}
	return true;
}

/* Split "host:port" or "[v6]:port": *port is 0 when none. */
static int split_port(char *s, char **host, uint16_t *port, const char **why)
{
	char *colon, *end;
	unsigned long n;

	*port = 0;
	*host = s;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':')) {
			*why = "a bracketed address must be \"[address]\" or \"[address]:port\"";
			return -EINVAL;
		}
		*end = '\0';
		*host = s + 1;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* a bare IPv6 address has no port */
	}
	if (!colon)
		return 0;
	*colon = '\0';
	errno = 0;
	n = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || n == 0 || n > 65535 ||
	    !isdigit((unsigned char)colon[1])) {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	*port = (uint16_t)n;
	return 0;
}

static int parse_cidr(char *host, struct allow_entry *e, const char **why)
{
	char *slash = strchr(host, '/'), *end;
	unsigned long n;
	size_t i, max;

	if (slash)
		*slash = '\0';
	if (ipaddr_parse(host, &e->net)) {
		if (slash)
			*slash = '/';
		return 1; /* not an address: maybe a name */
	}
	max = e->net.family == AF_INET ? 32 : 128;
	n = max;
	if (slash) {
		errno = 0;
		n = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || n > max || !isdigit((unsigned char)slash[1])) {
			*why = "the prefix length must be 0-32 (IPv4) or 0-128 (IPv6)";
			return -EINVAL;
		}
	}
	e->prefix = (uint8_t)n;
	for (i = 0; i < 16; i++) {
		size_t bits = i * 8;

		if (bits >= n)
			e->net.bytes[i] = 0;
		else if (bits + 8 > n)
			e->net.bytes[i] &= (uint8_t)(0xff << (bits + 8 - n));
	}
	e->kind = ALLOW_CIDR;
	return 0;
}

int allow_parse(const char *s, struct allow_entry *e, const char **why)
{
	char *copy = strdup(s), *host;
	int err;

	memset(e, 0, sizeof(*e));
	*why = "out of memory";
	if (!copy)
		return -ENOMEM;
	err = split_port(copy, &host, &e->port, why);
	if (err)
		goto fail;
	err = parse_cidr(host, e, why);
	if (err < 0)
		goto fail;
	if (err > 0) {
		e->kind = ALLOW_NAME;
		if (strncmp(host, "*.", 2) == 0) {
			e->kind = ALLOW_SUFFIX;
			host += 2;
		}
		if (strchr(host, '/') || !dns_name_normalize(host)) {
			*why = "expected a host name, *.suffix, address or CIDR, with an optional "
			       ":port";
			err = -EINVAL;
			goto fail;
		}
		e->name = strdup(host);
	}
	e->text = strdup(s);
	if (!e->text || (e->kind != ALLOW_CIDR && !e->name)) {
		err = -ENOMEM;
		goto fail;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	allow_free(e);
	return err ? err : -EINVAL;
}

void allow_free(struct allow_entry *e)
{
	free(e->text);
	free(e->name);
	memset(e, 0, sizeof(*e));
}

bool dns_suffix_match(const char *suffix, const char *name)
{
	size_t ls = strlen(suffix), ln = strlen(name);

	return ln > ls + 1 && name[ln - ls - 1] == '.' && strcmp(name + ln - ls, suffix) == 0;
}

const struct allow_entry *allow_match(const struct allow_entry *v, size_t n, const char *domain,
				      const struct ipaddr *addr, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct allow_entry *e = &v[i];
		bool hit = false;

		if (e->port && port && e->port != port)
			continue;
		if (e->kind == ALLOW_CIDR)
			hit = addr && ipaddr_in(addr, &e->net, e->prefix);
		else if (domain && e->kind == ALLOW_NAME)
			hit = strcmp(e->name, domain) == 0;
		else if (domain)
			hit = dns_suffix_match(e->name, domain);
		if (hit)
			return e;
	}
	return NULL;
}

const char *dns_site(const char *name)
{
	const char *labels[3] = { NULL, NULL, NULL }, *p;
	size_t n = 0;

	/* the starts of the last three labels, nearest the root first */
	for (p = name + strlen(name); p > name && n < 3; p--)
		if (p[-1] == '.')
			labels[n++] = p;
	if (n < 3 && p == name)
		labels[n++] = name;
	if (n < 2)
		return name;
	/* "co.uk", "com.au": a short second-level label under a country code */
	if (n == 3 && strlen(labels[0]) == 2 && labels[0] - labels[1] - 1 <= 3)
		return labels[2];
	return labels[1];
}

bool dns_is_reverse(const char *name)
{
	return dns_suffix_match("in-addr.arpa", name) || dns_suffix_match("ip6.arpa", name);
}
