// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Signal records: the sender, the signal's name and where it came from. */
#include <stdio.h>
#include <string.h>

#include "decode.h"

/* clang-format off */
static const char *const sig_names[32] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",   [4] = "SIGILL",
	[5] = "SIGTRAP",    [6] = "SIGABRT",	[7] = "SIGBUS",	   [8] = "SIGFPE",
	[9] = "SIGKILL",    [10] = "SIGUSR1",	[11] = "SIGSEGV",  [12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM",  [16] = "SIGSTKFLT",
	[17] = "SIGCHLD",   [18] = "SIGCONT",	[19] = "SIGSTOP",  [20] = "SIGTSTP",
	[21] = "SIGTTIN",   [22] = "SIGTTOU",	[23] = "SIGURG",   [24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF",  [28] = "SIGWINCH",
	[29] = "SIGIO",	    [30] = "SIGPWR",	[31] = "SIGSYS",
};
/* clang-format on */

/* clang-format off */
static const char *const origin_names[] = {
	[ORIGIN_NONE] = "none",
	[ORIGIN_PROCESS] = "process",
	[ORIGIN_KERNEL] = "kernel",
	[ORIGIN_SELF] = "self",
};
/* clang-format on */

const char *tamper_signal_name(int sig, char *buf, size_t len)
{
	if (sig > 0 && sig < 32 && sig_names[sig])
		return sig_names[sig];
	snprintf(buf, len, "SIG%d", sig);
	return buf;
}

const char *tamper_origin_name(enum tamper_origin o)
{
	return o < ARRAY_SIZE(origin_names) ? origin_names[o] : "?";
}

void tamper_signal_from(const struct ds_signal *e, struct tamper_signal *out)
{
	const char *name;

	memset(out, 0, sizeof(*out));
	out->sig = e->sig;
	out->code = e->code;
	out->origin = e->hdr.pid == e->target_pid    ? ORIGIN_SELF
		      : DS_SIG_FROM_PROCESS(e->code) ? ORIGIN_PROCESS
						     : ORIGIN_KERNEL;
	out->pid = e->hdr.pid;
	out->start = e->hdr.start;
	out->uid = e->uid;
	out->session = e->hdr.flags & DS_F_TRACKED ? e->session : 0;
	memcpy(out->comm, e->comm, sizeof(out->comm) - 1);
	name = tamper_signal_name(e->sig, out->name, sizeof(out->name));
	if (name != out->name)
		snprintf(out->name, sizeof(out->name), "%s", name);
}
