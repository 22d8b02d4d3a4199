// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DNS as seen on the wire: the sensor reads DNS datagrams (captured at
 * the network layer, or sent by a process as the kernel saw them) and
 * keeps the question and the A and AAAA records reachable from it through
 * its CNAME chain. model/names.c remembers what they name; which answers
 * get there is model/dnsq.c's business.
 *
 * Every byte here comes from the network and may be hostile: all reads are
 * bounded by the captured length, compression pointers may only go
 * backwards, and names are decoded into escaped, lower-case printable
 * text no longer than DNS_NAME_MAX - 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "decode.h"

#define IP4_HDR_MIN   20
#define IP6_HDR_LEN   40
#define IP4_FRAG_MASK 0x3fff /* MF and fragment offset */
#define UDP_HDR_LEN   8
#define DNS_PORT      53

#define DNS_HDR_LEN    12
#define DNS_QFIXED     4  /* qtype, qclass */
#define DNS_RRFIXED    10 /* type, class, ttl, rdlength */
#define DNS_FLAG_QR    0x8000
#define DNS_RCODE_MASK 0x000f
#define DNS_CLASS_IN   1
#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA  28
#define DNS_LABEL_TYPE 0xc0	   /* top bits of a length byte */
#define DNS_LABEL_PTR  0xc0	   /* ... when they make a compression pointer */
#define DNS_PTR_MASK   0x3fff	   /* the offset a pointer holds */
#define DNS_JUMPS_MAX  128	   /* a name has at most 127 labels */
#define DNS_TTL_MAX    0x7fffffffU /* RFC 2181 section 8: above is 0 */
#define DNS_TTL_NONE   0xffffffffU

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* The transport part of an IP packet. */
struct l4_span {
	size_t off;	 /* first byte after the IP header */
	size_t end;	 /* end of what was both captured and declared */
	size_t declared; /* end the IP header declares */
};

static int ip4_parse(const uint8_t *pkt, size_t len, struct dns_packet *out, struct l4_span *s)
{
	size_t ihl, total;

	if (len < IP4_HDR_MIN)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = get16(pkt + 2);
	if (ihl < IP4_HDR_MIN || ihl > len || total < ihl)
		return -EINVAL;
	/* only whole datagrams: a first fragment has no complete message */
	if (get16(pkt + 6) & IP4_FRAG_MASK)
		return -EINVAL;
	if (pkt[9] != IPPROTO_UDP)
		return -EINVAL;
	ipaddr_set(&out->src, AF_INET, pkt + 12);
	ipaddr_set(&out->dst, AF_INET, pkt + 16);
	s->off = ihl;
	s->declared = total;
	s->end = min_size(total, len);
	return 0;
}

static int ip6_parse(const uint8_t *pkt, size_t len, struct dns_packet *out, struct l4_span *s)
{
	if (len < IP6_HDR_LEN)
		return -EINVAL;
	/* extension headers are not walked: DNS datagrams do not carry them */
	if (pkt[6] != IPPROTO_UDP)
		return -EINVAL;
	ipaddr_set(&out->src, AF_INET6, pkt + 8);
	ipaddr_set(&out->dst, AF_INET6, pkt + 24);
	s->off = IP6_HDR_LEN;
	s->declared = IP6_HDR_LEN + get16(pkt + 4);
	s->end = min_size(s->declared, len);
	return 0;
}

static int udp_parse(const uint8_t *pkt, const struct l4_span *s, struct dns_packet *out)
{
	const uint8_t *udp = pkt + s->off;
	size_t ulen;

	if (s->end - s->off < UDP_HDR_LEN)
		return -EINVAL;
	/* the UDP length must fit what IP declares; capture may cut it short */
	ulen = get16(udp + 4);
	if (ulen < UDP_HDR_LEN || ulen > s->declared - s->off)
		return -EINVAL;
	out->sport = get16(udp);
	out->dport = get16(udp + 2);
	if (out->sport != DNS_PORT && out->dport != DNS_PORT)
		return -EINVAL;
	out->payload = udp + UDP_HDR_LEN;
	out->payload_len = min_size(ulen, s->end - s->off) - UDP_HDR_LEN;
	return 0;
}

int dns_packet_parse(const uint8_t *pkt, size_t len, struct dns_packet *out)
{
	struct l4_span s;
	int err = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!pkt || len == 0)
		return -EINVAL;
	if (pkt[0] >> 4 == 4)
		err = ip4_parse(pkt, len, out, &s);
	else if (pkt[0] >> 4 == 6)
		err = ip6_parse(pkt, len, out, &s);
	if (!err)
		err = udp_parse(pkt, &s, out);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

/* Bytes shown as \DDD: anything not printable, and the two that would make
 * the text ambiguous (a dot inside a label, the escape itself). */
static bool label_byte_escaped(uint8_t c)
{
	return c <= ' ' || c >= 0x7f || c == '.' || c == '\\';
}

/* Append one label to the name of length *n; -EINVAL if it gets too long. */
static int label_append(char *name, size_t *n, const uint8_t *label, size_t len)
{
	size_t i, k = *n;

	if (k > 0) {
		if (k + 1 > DNS_NAME_LEN)
			return -EINVAL;
		name[k++] = '.';
	}
	for (i = 0; i < len; i++) {
		uint8_t c = label[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!label_byte_escaped(c)) {
			if (k + 1 > DNS_NAME_LEN)
				return -EINVAL;
			name[k++] = (char)c;
			continue;
		}
		if (k + 4 > DNS_NAME_LEN)
			return -EINVAL;
		name[k++] = '\\';
		name[k++] = (char)('0' + c / 100);
		name[k++] = (char)('0' + c / 10 % 10);
		name[k++] = (char)('0' + c % 10);
	}
	name[k] = '\0';
	*n = k;
	return 0;
}

/*
 * Decode the name at *off into name and move *off past it (past the first
 * pointer when compressed). A pointer must lead strictly before the start
 * of the run of labels it ends, so every jump goes backwards and a loop
 * is impossible; the jump count is capped as well, so a chain of pointers
 * costs little.
 */
static int name_read(const uint8_t *msg, size_t len, size_t *off, char *name)
{
	size_t pos = *off, run = *off, end = 0, n = 0;
	unsigned int jumps = 0;
	uint8_t c;

	name[0] = '\0';
	for (;;) {
		if (pos >= len)
			return -EINVAL;
		c = msg[pos];
		if (c == 0)
			break;
		if ((c & DNS_LABEL_TYPE) == DNS_LABEL_PTR) {
			if (pos + 1 >= len)
				return -EINVAL;
			if (!end)
				end = pos + 2;
			pos = get16(msg + pos) & DNS_PTR_MASK;
			if (pos >= run || ++jumps > DNS_JUMPS_MAX)
				return -EINVAL;
			run = pos;
			continue;
		}
		/* 0x40 and 0x80 are reserved label types; else c is at most 63 */
		if ((c & DNS_LABEL_TYPE) || c >= len - pos)
			return -EINVAL;
		if (label_append(name, &n, msg + pos + 1, c))
			return -EINVAL;
		pos += 1 + c;
	}
	*off = end ? end : pos + 1;
	return 0;
}

/* A message being read: the bytes, and where the answers start. */
struct dns_reader {
	const uint8_t *msg;
	size_t len;
	size_t answers; /* offset of the answer section */
	uint16_t ancount;
};

/* One resource record of the answer section. */
struct dns_rr {
	char owner[DNS_NAME_MAX];
	char target[DNS_NAME_MAX]; /* CNAME rdata, class IN only */
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	size_t rdata; /* offset of the rdata in the message */
	size_t rdlength;
};

static int question_read(const struct dns_reader *r, size_t *off, char *name, uint16_t *type,
			 uint16_t *class)
{
	if (name_read(r->msg, r->len, off, name) || r->len - *off < DNS_QFIXED)
		return -EINVAL;
	*type = get16(r->msg + *off);
	*class = get16(r->msg + *off + 2);
	*off += DNS_QFIXED;
	return 0;
}

/* The first question is kept; the others are only stepped over. */
static int questions_read(struct dns_reader *r, uint16_t qdcount, struct dns_msg *out)
{
	char name[DNS_NAME_MAX];
	size_t off = DNS_HDR_LEN;
	uint16_t i, type, class;

	if (qdcount == 0)
		return -EINVAL;
	if (question_read(r, &off, out->qname, &out->qtype, &out->qclass))
		return -EINVAL;
	for (i = 1; i < qdcount; i++)
		if (question_read(r, &off, name, &type, &class))
			return -EINVAL;
	r->answers = off;
	return 0;
}

/* Check the rdata of the types used here, in class IN; others are opaque. */
static int rr_check(const struct dns_reader *r, struct dns_rr *rr)
{
	size_t end = rr->rdata;

	if (rr->class != DNS_CLASS_IN)
		return 0;
	switch (rr->type) {
	case DNS_TYPE_A:
		return rr->rdlength == 4 ? 0 : -EINVAL;
	case DNS_TYPE_AAAA:
		return rr->rdlength == 16 ? 0 : -EINVAL;
	case DNS_TYPE_CNAME:
		if (name_read(r->msg, r->len, &end, rr->target))
			return -EINVAL;
		return end == rr->rdata + rr->rdlength ? 0 : -EINVAL;
	}
	return 0;
}

static int rr_read(const struct dns_reader *r, size_t *off, struct dns_rr *rr)
{
	const uint8_t *p;

	if (name_read(r->msg, r->len, off, rr->owner) || r->len - *off < DNS_RRFIXED)
		return -EINVAL;
	p = r->msg + *off;
	rr->type = get16(p);
	rr->class = get16(p + 2);
	rr->ttl = get32(p + 4);
	if (rr->ttl > DNS_TTL_MAX)
		rr->ttl = 0;
	rr->rdlength = get16(p + 8);
	rr->rdata = *off + DNS_RRFIXED;
	if (r->len - rr->rdata < rr->rdlength)
		return -EINVAL;
	*off = rr->rdata + rr->rdlength;
	return rr_check(r, rr);
}

/* 0 for the question name, i + 1 for chain[i], -1 for any other name. */
static int name_index(const struct dns_msg *m, const char *name)
{
	size_t i;

	if (!strcmp(m->qname, name))
		return 0;
	for (i = 0; i < m->nchain; i++)
		if (!strcmp(m->chain[i], name))
			return (int)i + 1;
	return -1;
}

static bool chain_extends(const struct dns_msg *m, const struct dns_rr *rr)
{
	const char *last = m->nchain ? m->chain[m->nchain - 1] : m->qname;

	if (rr->class != DNS_CLASS_IN || rr->type != DNS_TYPE_CNAME)
		return false;
	if (m->nchain == DNS_CHAIN_MAX || strcmp(rr->owner, last))
		return false;
	return name_index(m, rr->target) < 0; /* a loop ends the chain */
}

/*
 * One pass over the answers, extending the chain by every CNAME whose
 * owner is its current end. reach[i] is the smallest link TTL on the way
 * to name i (see name_index). Returns the links added, or -EINVAL.
 */
static int chain_pass(const struct dns_reader *r, struct dns_msg *out, uint32_t *reach)
{
	struct dns_rr rr;
	size_t off = r->answers;
	uint16_t i;
	int added = 0;

	for (i = 0; i < r->ancount; i++) {
		if (rr_read(r, &off, &rr))
			return -EINVAL;
		if (!chain_extends(out, &rr))
			continue;
		memcpy(out->chain[out->nchain], rr.target, sizeof(rr.target));
		reach[out->nchain + 1] = min_u32(reach[out->nchain], rr.ttl);
		out->nchain++;
		added++;
	}
	return added;
}

/* Records may come in any order: pass again while the chain grows. The
 * first pass also checks every record, so later ones cannot fail. */
static int chain_follow(const struct dns_reader *r, struct dns_msg *out, uint32_t *reach)
{
	int added;

	reach[0] = DNS_TTL_NONE;
	do {
		added = chain_pass(r, out, reach);
		if (added < 0)
			return added;
	} while (added > 0 && out->nchain < DNS_CHAIN_MAX);
	return 0;
}

static void addr_add(struct dns_msg *out, const struct dns_rr *rr, const uint8_t *rdata,
		     uint32_t ttl)
{
	struct dns_answer *a;

	if (out->naddrs == DNS_ADDRS_MAX) {
		out->addrs_truncated = true;
		return;
	}
	a = &out->addrs[out->naddrs++];
	ipaddr_set(&a->addr, rr->type == DNS_TYPE_A ? AF_INET : AF_INET6, rdata);
	a->ttl = ttl;
}

static int addrs_collect(const struct dns_reader *r, struct dns_msg *out, const uint32_t *reach)
{
	struct dns_rr rr;
	size_t off = r->answers;
	uint16_t i;
	int idx;

	for (i = 0; i < r->ancount; i++) {
		if (rr_read(r, &off, &rr))
			return -EINVAL;
		if (rr.class != DNS_CLASS_IN)
			continue;
		if (rr.type != DNS_TYPE_A && rr.type != DNS_TYPE_AAAA)
			continue;
		idx = name_index(out, rr.owner);
		if (idx >= 0)
			addr_add(out, &rr, r->msg + rr.rdata, min_u32(rr.ttl, reach[idx]));
	}
	return 0;
}

static int answers_read(const struct dns_reader *r, struct dns_msg *out)
{
	uint32_t reach[DNS_CHAIN_MAX + 1];

	if (chain_follow(r, out, reach))
		return -EINVAL;
	return addrs_collect(r, out, reach);
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct dns_reader r = { .msg = msg, .len = len };
	uint16_t flags;
	int err;

	memset(out, 0, sizeof(*out));
	if (!msg || len < DNS_HDR_LEN)
		return -EINVAL;
	out->id = get16(msg);
	flags = get16(msg + 2);
	out->response = flags & DNS_FLAG_QR;
	out->rcode = flags & DNS_RCODE_MASK;
	r.ancount = get16(msg + 6);
	/* authority and additional records are not read: nothing here uses them */
	err = questions_read(&r, get16(msg + 4), out);
	if (!err && out->response)
		err = answers_read(&r, out);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

/* clang-format off */
/* clang-format off */
static const struct {
	uint16_t type;
	const char *name;
} qtype_names[] = {
	{ 1, "A" },		{ 2, "NS" },		{ 5, "CNAME" },		{ 6, "SOA" },
	{ 12, "PTR" },		{ 13, "HINFO" },	{ 15, "MX" },		{ 16, "TXT" },
	{ 28, "AAAA" },		{ 33, "SRV" },		{ 35, "NAPTR" },	{ 39, "DNAME" },
	{ 41, "OPT" },		{ 43, "DS" },		{ 44, "SSHFP" },	{ 46, "RRSIG" },
	{ 47, "NSEC" },		{ 48, "DNSKEY" },	{ 50, "NSEC3" },	{ 52, "TLSA" },
	{ 64, "SVCB" },		{ 65, "HTTPS" },	{ 99, "SPF" },		{ 251, "IXFR" },
	{ 252, "AXFR" },	{ 255, "ANY" },		{ 256, "URI" },		{ 257, "CAA" },
};
/* clang-format on */
/* clang-format on */

const char *dns_qtype_name(uint16_t qtype)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(qtype_names); i++)
		if (qtype_names[i].type == qtype)
			return qtype_names[i].name;
	return NULL;
}

void dns_sent_decode(const uint8_t *pkt, size_t len, uint32_t netns, struct dns_sent *out)
{
	struct dns_packet *pk = &out->pk;

	out->kind = DNS_SENT_MALFORMED;
	out->netns = netns;
	out->id = 0;
	if (dns_packet_parse(pkt, len, pk) || pk->payload_len < DNS_HDR_LEN)
		return;
	out->id = get16(pk->payload);
	if (get16(pk->payload + 2) & DNS_FLAG_QR)
		out->kind = DNS_SENT_RESPONSE;
	else if (pk->dport != DNS_PORT)
		out->kind = DNS_SENT_OTHER;
	else if (dns_parse(pk->payload, pk->payload_len, &out->m) == 0)
		out->kind = DNS_SENT_QUESTION;
}
