// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Ring-buffer records as the kernel sends them, through the daemon's own
 * record handler (dispatch_record): exec (image.c decodes its five
 * sections), fork, exit, connect and file (files.c joins and judges its
 * paths), then the process table, the rules and the rendering of every
 * alert and event line.
 *
 * Input: records one after the other, each as a 16-bit little-endian
 * length and that many bytes (the record, its header's size included).
 * Each record is copied into a buffer of exactly its length, aligned as
 * the ring buffer aligns records, so reading past it is caught. Every
 * input starts from an empty process table (the built-in configuration,
 * its tables at the smallest sizes allowed); what is held back at the end
 * (file writes, repeated sightings) is flushed, and every line written,
 * alerts and events, must be one strict JSON object with no null.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static struct outputs out; /* no destination: the tap sees every alert */
static struct events evf;

static int events_fd = -1;

static void check_alert(const char *line, size_t len, void *arg)
{
	(void)arg;
	fuzz_check_line(line, len);
}

/* The events file is a memory file: its lines are checked, then dropped. */
static void events_setup(void)
{
	char path[64];

	events_fd = memfd_create("events", MFD_CLOEXEC);
	if (events_fd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", events_fd);
	if (events_open(&evf, path, EVENTS_ALL))
		abort();
}

static void events_check(void)
{
	off_t end = lseek(events_fd, 0, SEEK_END);
	char *buf, *line, *nl;

	if (end <= 0)
		return;
	buf = malloc((size_t)end);
	if (!buf || pread(events_fd, buf, (size_t)end, 0) != end)
		abort();
	for (line = buf; line < buf + end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + end - line));
		if (!nl)
			fuzz_fail("event line without its newline", line,
				  (size_t)(buf + end - line));
		fuzz_check_line(line, (size_t)(nl - line + 1));
	}
	free(buf);
	if (ftruncate(events_fd, 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config *c;
	struct daemon_ctx *d;
	size_t off = 0;

	if (events_fd < 0) {
		fuzz_quiet();
		events_setup();
		output_set_tap(&out, check_alert, NULL);
		/* the built-in configuration with the smallest process table
		 * and DNS cache it allows: tables made and scanned per input
		 * cost their size */
		if (config_load(NULL, &c, stderr))
			abort();
		c->proctable_max = 1024;
		c->dns_cache_max = 256;
	}
	d = loop_new(c, NULL, fuzz_host(), &out, &evf);
	if (!d)
		abort();
	while (off + 2 <= size) {
		size_t len = data[off] | (size_t)data[off + 1] << 8;
		void *rec;

		off += 2;
		if (len > size - off)
			len = size - off;
		rec = malloc(len ? len : 1);
		if (!rec)
			abort();
		memcpy(rec, data + off, len);
		dispatch_record(d, rec, len);
		free(rec);
		off += len;
	}
	loop_flush(d);
	loop_free(d);
	events_check();
	return 0;
}
