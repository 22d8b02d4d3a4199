/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The library every layer uses: logging, EQL-style matching, addresses,
 * clocks, and the text rules for every string that leaves depsentry.
 */
#ifndef DEPSENTRY_LIB_H
#define DEPSENTRY_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "depsentry.h"

#define DEPSENTRY_VERSION "0.1.0"
#define ECS_VERSION	  "9.4.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* cgroup.c: the cgroup v2 hierarchy */
/* Its mount point opened (a directory fd), or -errno; where it is mounted
 * nowhere, mounted on fallback first (NULL: not). */
int cgroup2_open(const char *fallback);
/* The path of cgroup id (bpf_get_current_cgroup_id's) under the mount root
 * is on, as the daemon's mount namespace sees it: 0 or -errno (-ESTALE:
 * no such cgroup now). Needs CAP_DAC_READ_SEARCH (open_by_handle_at). */
int cgroup2_path(int root, uint64_t id, char *buf, size_t len);

/* ns.c: the inode number of a namespace file (/proc/self/ns/net), 0 if
 * it cannot be read */
uint32_t ns_inode(const char *path);
/* The host's namespace of that name ("mnt", "net", "pid"): PID 1's, which
 * a daemon in a mount sandbox of its own (the unit's PrivateMounts=) does
 * not share; the daemon's own where PID 1's cannot be read. */
uint32_t host_ns_inode(const char *name);

/* mountinfo.c: one line of /proc/PID/mountinfo, parsed in place
 * (escapes undone): false when it is not one */
struct mountinfo_line {
	dev_t dev;
	char *root, *mnt, *type;
};

bool mountinfo_parse(char *line, struct mountinfo_line *m);

/* log.c */
void log_init(int verbose); /* 1: log_debug too */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* match.c: EQL-style matching, always case-insensitive */
struct strlist {
	char **v;
	size_t n;
};

bool match_like(const char *pattern, const char *s);   /* like~: '*' any run, '?' one char */
bool match_in(const struct strlist *l, const char *s); /* in~: exact membership */
/* like~ over a list: returns the first pattern matching s, or NULL */
const char *match_any(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* net addresses, shared by the DNS cache, the allowlist and the alerts */
struct ipaddr {
	uint8_t family;	   /* AF_INET or AF_INET6, 0 if none */
	uint8_t bytes[16]; /* network order; an IPv4 address fills the first 4 */
};
#define IPADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

int ipaddr_parse(const char *s, struct ipaddr *a); /* 0 or -EINVAL */
void ipaddr_format(const struct ipaddr *a, char *buf, size_t len);
void ipaddr_unmap(struct ipaddr *a); /* ::ffff:a.b.c.d -> a.b.c.d */
bool ipaddr_in(const struct ipaddr *a, const struct ipaddr *net, uint8_t prefix);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b);
size_t ipaddr_len(uint8_t family); /* bytes of an address of family, 0 if unknown */
void ipaddr_set(struct ipaddr *a, uint8_t family, const uint8_t *bytes);

/* DNS names in presentation form, without the trailing dot */
#define DNS_NAME_MAX 254 /* plus NUL */
#define DNS_NAME_LEN (DNS_NAME_MAX - 1)

/* clock.c */
/* CLOCK_BOOTTIME now, in ns: the clock of every kernel record. */
uint64_t boot_now(void);
/* FNV-1a over a string, from hash (FNV1A64_OFFSET to start). */
#define FNV1A64_OFFSET 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t hash, const char *s);
/* A boot-time ns stamp on the wall clock, ns since the epoch. */
int64_t boot_to_wall_ns(uint64_t boot_ns);
/* Convert a boot-time ns stamp into an RFC 3339 UTC string with ms. */
void format_boot_time(uint64_t boot_ns, char *buf, size_t len);
/* The same for ns since the epoch. */
void format_wall_time(int64_t wall_ns, char *buf, size_t len);

/* FNV-1a over len bytes, from hash. */
uint64_t fnv1a64_bytes(uint64_t hash, const void *p, size_t len);

/* lru.c: the one bounded table, a hash on a byte key with the entries in
 * insertion order; values of a fixed size, zeroed when inserted. */
struct lru;

struct lru *lru_new(uint32_t max, size_t value_size); /* NULL: max 0, or no memory */
void lru_free(struct lru *l);
int lru_resize(struct lru *l, uint32_t max);		     /* 0, or -1 with l unchanged */
void *lru_find(struct lru *l, const void *key, size_t klen); /* the value, or NULL */
/* A new entry for key (the caller found none), newest; NULL if no memory.
 * Room is the caller's business: lru_full, then lru_drop(lru_oldest). */
void *lru_insert(struct lru *l, const void *key, size_t klen);
void lru_touch(struct lru *l, void *value); /* newest again */
void lru_drop(struct lru *l, void *value);
void *lru_oldest(const struct lru *l); /* NULL when empty */
void *lru_newer(const void *value);    /* the next in insertion order, or NULL */
uint32_t lru_count(const struct lru *l);
bool lru_full(const struct lru *l);

/* A decimal number of len bytes at s, no sign, no leading zero, at most
 * max: 0, or -EINVAL. */
int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* text.c: every string that leaves depsentry (docs/fields.md, docs/ci.md) */
struct json_object;

/* Length of the valid UTF-8 sequence at s, 0 if s starts an invalid one.
 * s is NUL-terminated, so a sequence cut by the end fails on the NUL. */
size_t utf8_seq_len(const unsigned char *s);
/* At an invalid sequence: the bytes one U+FFFD replaces (its maximal
 * subpart, at least 1). */
size_t utf8_bad_len(const unsigned char *s);
/* s as valid UTF-8 of at most cap bytes, each maximal invalid subsequence
 * replaced by U+FFFD, cut on a character boundary (*cut set when cut). */
char *utf8_clean(const char *s, size_t cap, bool *cut);
/* o serialised (json-c flags) as one line ending in '\n', made valid
 * UTF-8 and with U+2028 and U+2029 escaped; malloc'd, or NULL. */
char *json_line(struct json_object *o, int flags, size_t *len);

/* json.c: a field by its dotted ECS name. json_put adds val at path under
 * root, making the objects on the way (nothing when val is NULL, so no
 * empty object is left); json_get finds it, or NULL. */
void json_put(struct json_object *root, const char *path, struct json_object *val);
struct json_object *json_get(struct json_object *o, const char *path);

enum text_mode {
	TEXT_PLAIN,    /* controls, C1, bidi, line separators, bad bytes escaped */
	TEXT_MARKDOWN, /* also ASCII punctuation backslash-escaped */
};

void text_put(FILE *f, const char *s, enum text_mode mode);
char *text_escape(const char *s, enum text_mode mode); /* malloc'd, or NULL */
/* Where the line (len bytes) would start a CI workflow command (`::`,
 * `##[` or `##vso[` after white space): 1 + the offset of its first
 * character, else 0. */
size_t text_command_at(const char *line, size_t len);
/* Write buf, each line that would start a CI workflow command with its
 * first character escaped; 0 or -EIO. */
int text_write_guarded(FILE *f, const char *buf, size_t len, enum text_mode mode);

#endif /* DEPSENTRY_LIB_H */
