// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * depsentry: command line. `run` loads the configuration (all of it or
 * nothing), opens the alert outputs, loads and attaches the BPF programs,
 * picks up running processes, says it is ready and serves until a signal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

struct options {
	const char *config;
	const char *pidfile;
	const char *outputs[MAX_OUTPUTS];
	size_t noutputs;
	const char *events;	/* -e: the events file, over the configuration's */
	int verbose;
};

static void usage(void)
{
	fprintf(stderr, "usage: depsentry run [-c FILE] [-o FILE|-]... [-e FILE|-] [-p PIDFILE] [-v]\n"
			"       depsentry exec [-c FILE] [-o FILE|-]... [-e FILE|-] [-v] [-u USER] "
			"[--fail-on SEVERITY] -- CMD [ARG...]\n"
			"       depsentry report [-i FILE|-] [--since TIME] "
			"[--format text|markdown|json] [--fail-on SEVERITY]\n"
			"       depsentry check-config [-c FILE]\n"
			"       depsentry status [-c FILE]\n"
			"       depsentry version\n"
			"exec exits with CMD's status when it failed, 3 when only --fail-on was "
			"crossed, 125 when the sensor could not run;\n"
			"report exits 3 when --fail-on was crossed, 1 when the log cannot be read\n");
	exit(2);
}

static int parse_options(int argc, char **argv, struct options *o, bool run)
{
	int ch;

	while ((ch = getopt(argc, argv, run ? "c:e:o:p:v" : "c:")) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			if (o->noutputs == MAX_OUTPUTS) {
				fprintf(stderr, "depsentry: at most %d -o options\n", MAX_OUTPUTS);
				return -1;
			}
			o->outputs[o->noutputs++] = optarg;
			break;
		case 'e':
			o->events = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* -c, else the system file when it exists, else the built-in default. */
static int load_config(const char *path, struct config **c)
{
	return config_load(config_path(path), c, stderr);
}

static int cmd_run(struct options *o)
{
	struct host_info host;
	struct daemon_ctx *d = NULL;
	struct sensor *s = NULL;
	struct config *c;
	int ret = 1;

	log_init(o->verbose, false);
	reload_setup(o->config, &c);	/* SIGHUP: c may be replaced (reload.c) */
	if (load_config(o->config, &c))
		return 1;
	if (o->noutputs == 0)
		o->outputs[o->noutputs++] = DEFAULT_ALERT_PATH;
	if (output_open(o->outputs, o->noutputs))
		goto out_config;
	if (events_open(o->events ? o->events : c->events_output, c->events_scope))
		goto out_output;
	host_info_load(&host);
	proctable_set_host(host.id);
	/* what the daemon before this one left, read before anything is
	 * rewritten: its state, its status file, its pinned signals */
	s = sensor_open(c, tamper_open(c));
	if (!s)
		goto out_output;
	d = loop_new(c, s, &host);
	if (!d) {
		log_warnx("cannot set up the event loop");
		goto out_sensor;
	}
	if (o->pidfile && pidfile_write(o->pidfile))
		goto out_loop;
	if (caps_drop())
		fatalx("cannot drop privileges");
	/* the last daemon's interruption, if any, is the first alert; from
	 * now on this one is running until it says it stopped */
	tamper_started(d, s, c);
	fprintf(stderr, "depsentry: ready\n");
	notify_systemd("READY=1", true);
	if (loop_run(d) == 0)
		ret = 0;
	notify_systemd("STOPPING=1", true);
	pidfile_remove(o->pidfile);
out_loop:
	loop_free(d);
	if (ret == 0)	/* drained and written: a clean stop */
		tamper_stopped();
out_sensor:
	sensor_close(s);
out_output:
	events_close();
	output_close();
out_config:
	config_free(c);
	return ret;
}

static int cmd_check(struct options *o)
{
	struct config *c;

	if (load_config(o->config, &c))
		return 1;
	config_free(c);
	printf("configuration OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc--;
	argv++;
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("depsentry %s (ECS %s)\n", DEPSENTRY_VERSION, ECS_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0) {
		if (parse_options(argc, argv, &o, true))
			usage();
		return cmd_run(&o);
	}
	if (strcmp(cmd, "exec") == 0)
		return agent_main(argc, argv);
	if (strcmp(cmd, "report") == 0)
		return report_main(argc, argv);
	if (strcmp(cmd, "status") == 0)
		return status_main(argc, argv);
	if (strcmp(cmd, "check-config") == 0) {
		if (parse_options(argc, argv, &o, false))
			usage();
		return cmd_check(&o);
	}
	usage();
}
