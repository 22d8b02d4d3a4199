// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one start-up of `run` and `exec`: the configuration (all of it or
 * nothing), the alert outputs and the events file, the host, the BPF
 * object, and the loop with its process table; and the one shut-down.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>

#include "daemon.h"

int daemon_option(struct daemon *dm, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		dm->config_opt = arg;
		return 0;
	case 'e':
		dm->events_opt = arg;
		return 0;
	case 'o':
		if (dm->noutputs == MAX_OUTPUTS) {
			fprintf(stderr, "depsentry: at most %d -o options\n", MAX_OUTPUTS);
			return -EINVAL;
		}
		dm->outputs[dm->noutputs++] = arg;
		return 0;
	}
	return -ENOENT;
}

int daemon_config(struct daemon *dm)
{
	return config_load(config_path(dm->config_opt), &dm->cfg, stderr) ? -EINVAL : 0;
}

/*
 * The daemon runs SCHED_FIFO at a low priority (realtime_priority): on a
 * machine whose CPUs are all busy, a record that can alert is read within a
 * millisecond of its wake-up instead of after the time slices of whatever
 * runs (a p99 of 5 to 33 ms under an exec storm, docs/PERFORMANCE.md). It
 * takes no more CPU than before, only sooner; the kernel's real-time
 * throttling leaves the others 5 % whatever happens, and what the daemon
 * forks (exec's CMD) is back to normal (SCHED_RESET_ON_FORK). Under
 * systemd the unit sets it (CPUSchedulingPolicy=), and this finds it done.
 */
static void realtime(const struct config *c)
{
	struct sched_param sp = { .sched_priority = (int)c->realtime_priority }, now;

	if (c->realtime_priority && sched_getscheduler(0) == (SCHED_FIFO | SCHED_RESET_ON_FORK) &&
	    sched_getparam(0, &now) == 0 && now.sched_priority == sp.sched_priority)
		return;		     /* the unit did it */
	if (!c->realtime_priority) { /* not even if the unit made it so */
		if (sched_getscheduler(0) != SCHED_OTHER)
			sched_setscheduler(0, SCHED_OTHER, &sp);
		return;
	}
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
		log_warn("cannot run SCHED_FIFO at priority %u: alerts may wait for busy CPUs",
			 c->realtime_priority);
}

int daemon_open(struct daemon *dm)
{
	const char *pin = NULL;

	realtime(dm->cfg);
	if (dm->noutputs == 0)
		dm->outputs[dm->noutputs++] = DEFAULT_ALERT_PATH;
	if (output_open(&dm->out, dm->outputs, dm->noutputs))
		return -EIO;
	if (events_open(&dm->events, dm->events_opt ? dm->events_opt : dm->cfg->events_output,
			dm->cfg->events_scope))
		return -EIO;
	host_info_load(&dm->host);
	/* what the daemon before this one left, read before anything is
	 * rewritten: its state, its status file, its pinned signals; an
	 * exec's sensor is its own, with nothing to outlive it */
	if (dm->keep_state)
		pin = tamper_open(&dm->state, dm->cfg);
	dm->sensor = sensor_open(dm->cfg, pin);
	if (!dm->sensor)
		return -EIO;
	if (dm->cfg->response_mode != RESPONSE_OFF)
		log_info("response: %s; egress %s; processes %s",
			 response_mode_name(dm->cfg->response_mode),
			 !dm->cfg->response_egress	       ? "not judged"
			 : sensor_egress_in_kernel(dm->sensor) ? "judged in the kernel"
							       : "judged by stopping the process "
								 "(this kernel's socket programs "
								 "cannot name it)",
			 dm->cfg->response_kill ? "stopped at or above the kill severity"
						: "never stopped");
	dm->loop = loop_new(dm->cfg, dm->sensor, &dm->host, &dm->out, &dm->events);
	if (!dm->loop) {
		log_warnx("cannot set up the event loop");
		return -EIO;
	}
	loop_set_reload(dm->loop, dm->config_opt, &dm->cfg);
	if (dm->keep_state)
		dm->loop->state = &dm->state;
	return 0;
}

void daemon_close_loop(struct daemon *dm)
{
	loop_free(dm->loop);
	dm->loop = NULL;
}

void daemon_close(struct daemon *dm)
{
	daemon_close_loop(dm);
	sensor_close(dm->sensor);
	dm->sensor = NULL;
	events_close(&dm->events);
	output_close(&dm->out);
	config_free(dm->cfg);
	dm->cfg = NULL;
}
