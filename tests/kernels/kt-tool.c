// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kt-tool: the guest side's small helpers for the kernel test
 * (tests/kernels/), linked statically into the guest's initramfs, where
 * busybox is the only other userland.
 *
 *   kt-tool dns-server ADDR NAME=IPV4...
 *	Answer DNS questions on ADDR:53 (UDP): an A question for a NAME gets
 *	its address, any other type for a NAME an empty answer, any other
 *	name NXDOMAIN. Returns once the socket is bound; a child serves.
 *   kt-tool resolve SERVER NAME
 *	Ask SERVER (a connected UDP socket, as a C library does) for NAME's
 *	A record; print the address, or NXDOMAIN (an answer, not a failure).
 *   kt-tool connect ADDR PORT
 *	One TCP connect(2) to an IPv4 or IPv6 address; print its result.
 *	A refused connection is a result, not a failure.
 *   kt-tool creat PATH TEXT	creat(2) PATH and write TEXT and a newline.
 *   kt-tool append PATH TEXT	open(2) an existing PATH for writing, append.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define DNS_PORT	53
#define DNS_MAX		512
#define NAMES_MAX	8
#define TTL		300
#define RESOLVE_SECS	5

struct mapping {
	const char *name;
	struct in_addr addr;
};

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "kt-tool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: kt-tool dns-server ADDR NAME=IPV4...\n"
			"       kt-tool resolve SERVER NAME\n"
			"       kt-tool connect ADDR PORT\n"
			"       kt-tool creat|append PATH TEXT\n");
	exit(2);
}

/* An IPv4 or IPv6 address and port as a sockaddr; its length, 0 if bad. */
static socklen_t sockaddr_of(const char *addr, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	return 0;
}

/* Read the question name at msg[off] (no compression in a question) into
 * name as dotted text; returns the offset after it, or -1. */
static int read_qname(const uint8_t *msg, int len, int off, char *name, size_t size)
{
	size_t out = 0;

	while (off < len && msg[off]) {
		int l = msg[off++];

		if (l > 63 || off + l > len || out + l + 2 > size)
			return -1;
		if (out)
			name[out++] = '.';
		memcpy(name + out, msg + off, l);
		out += l;
		off += l;
	}
	if (off >= len)
		return -1;
	name[out] = '\0';
	return off + 1;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Turn the query in msg (len bytes, question ending at qend) into its
 * answer in place; returns the answer's length. */
static int answer(uint8_t *msg, int qend, const struct mapping *m, size_t nm, const char *qname,
		  uint16_t qtype)
{
	const struct mapping *hit = NULL;
	uint8_t *rr = msg + qend;
	size_t i;

	for (i = 0; i < nm; i++)
		if (strcasecmp(m[i].name, qname) == 0)
			hit = &m[i];
	msg[2] = 0x84 | (msg[2] & 0x01);	/* response, authoritative, RD kept */
	msg[3] = hit ? 0 : 3;			/* NOERROR or NXDOMAIN */
	put16(msg + 4, 1);
	put16(msg + 6, 0);
	put16(msg + 8, 0);
	put16(msg + 10, 0);
	if (!hit || qtype != 1)
		return qend;
	put16(msg + 6, 1);
	put16(rr, 0xc00c);		/* the question's name */
	put16(rr + 2, 1);		/* A */
	put16(rr + 4, 1);		/* IN */
	put16(rr + 6, 0);
	put16(rr + 8, TTL);
	put16(rr + 10, 4);
	memcpy(rr + 12, &hit->addr, 4);
	return qend + 16;
}

static void __attribute__((noreturn)) serve(int fd, const struct mapping *m, size_t nm)
{
	uint8_t msg[DNS_MAX + 16];
	char qname[256];
	struct sockaddr_storage peer;
	socklen_t plen;
	int n, qend;

	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, msg, DNS_MAX, 0, (struct sockaddr *)&peer, &plen);
		if (n < 12 || (msg[2] & 0x80) || get16(msg + 4) != 1)
			continue;
		qend = read_qname(msg, n, 12, qname, sizeof(qname));
		if (qend < 0 || qend + 4 > n)
			continue;
		n = answer(msg, qend + 4, m, nm, qname, get16(msg + qend));
		sendto(fd, msg, n, 0, (struct sockaddr *)&peer, plen);
	}
}

static int cmd_dns_server(int argc, char **argv)
{
	struct mapping m[NAMES_MAX];
	struct sockaddr_storage ss;
	socklen_t len;
	size_t nm = 0;
	int i, fd;

	if (argc < 1 || argc - 1 > NAMES_MAX)
		usage();
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || inet_pton(AF_INET, eq + 1, &m[nm].addr) != 1)
			usage();
		*eq = '\0';
		m[nm++].name = argv[i];
	}
	len = sockaddr_of(argv[0], DNS_PORT, &ss);
	if (!len)
		usage();
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		die("dns-server: bind");
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		serve(fd, m, nm);
	}
	return 0;
}

/* A standard query for name's A record; returns its length, or -1. */
static int make_query(uint8_t *msg, size_t size, const char *name)
{
	size_t off = 12;
	const char *p = name;

	memset(msg, 0, 12);
	put16(msg, (uint16_t)getpid());
	msg[2] = 0x01;			/* recursion desired */
	put16(msg + 4, 1);
	while (*p) {
		size_t l = strcspn(p, ".");

		if (l == 0 || l > 63 || off + l + 6 > size)
			return -1;
		msg[off++] = l;
		memcpy(msg + off, p, l);
		off += l;
		p += l + (p[l] == '.');
	}
	msg[off++] = 0;
	put16(msg + off, 1);		/* A */
	put16(msg + off + 2, 1);	/* IN */
	return off + 4;
}

/* Skip a possibly compressed name at off; returns the offset after it. */
static int skip_name(const uint8_t *msg, int len, int off)
{
	while (off < len) {
		if ((msg[off] & 0xc0) == 0xc0)
			return off + 2;
		if (!msg[off])
			return off + 1;
		off += msg[off] + 1;
	}
	return -1;
}

static int cmd_resolve(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = RESOLVE_SECS };
	uint8_t q[DNS_MAX], r[DNS_MAX];
	struct sockaddr_storage ss;
	char text[INET_ADDRSTRLEN];
	int fd, qlen, n, off, i, an;
	socklen_t len;

	if (argc != 2 || !(len = sockaddr_of(argv[0], DNS_PORT, &ss)))
		usage();
	qlen = make_query(q, sizeof(q), argv[1]);
	if (qlen < 0)
		usage();
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&ss, len))
		die("resolve: connect");
	if (send(fd, q, qlen, 0) != qlen)
		die("resolve: send");
	n = recv(fd, r, sizeof(r), 0);
	if (n < 12)
		die("resolve: no answer");
	if ((r[3] & 0x0f) == 3) {
		printf("NXDOMAIN\n");
		return 0;
	}
	an = get16(r + 6);
	off = skip_name(r, n, 12);
	if (off >= 0)
		off += 4;		/* the question's type and class */
	for (i = 0; i < an && off >= 0; i++) {
		off = skip_name(r, n, off);
		if (off < 0 || off + 10 > n)
			break;
		if (get16(r + off) == 1 && get16(r + off + 8) == 4 && off + 14 <= n) {
			printf("%s\n", inet_ntop(AF_INET, r + off + 10, text, sizeof(text)));
			return 0;
		}
		off += 10 + get16(r + off + 8);
	}
	fprintf(stderr, "kt-tool: resolve: no A record for %s\n", argv[1]);
	return 1;
}

static int cmd_connect(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (argc != 2 || !(len = sockaddr_of(argv[0], atoi(argv[1]), &ss)))
		usage();
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("connect: socket");
	if (connect(fd, (struct sockaddr *)&ss, len))
		printf("connect %s %s: %s\n", argv[0], argv[1], strerror(errno));
	else
		printf("connect %s %s: connected\n", argv[0], argv[1]);
	close(fd);
	return 0;
}

static int cmd_write(int argc, char **argv, bool create)
{
	int fd;

	if (argc != 2)
		usage();
	fd = create ? creat(argv[0], 0644) : open(argv[0], O_WRONLY | O_APPEND);
	if (fd < 0)
		die(argv[0]);
	if (dprintf(fd, "%s\n", argv[1]) < 0 || close(fd))
		die(argv[0]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "dns-server") == 0)
		return cmd_dns_server(argc - 2, argv + 2);
	if (strcmp(argv[1], "resolve") == 0)
		return cmd_resolve(argc - 2, argv + 2);
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 2, argv + 2);
	if (strcmp(argv[1], "creat") == 0)
		return cmd_write(argc - 2, argv + 2, true);
	if (strcmp(argv[1], "append") == 0)
		return cmd_write(argc - 2, argv + 2, false);
	usage();
}
