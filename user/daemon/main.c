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
	struct daemon dm;
	const char *pidfile;
	int verbose;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: depsentry run [-c FILE] [-o FILE|-]... [-e FILE|-] [-p PIDFILE] [-v]\n"
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
		case 'e':
		case 'o':
			if (daemon_option(&o->dm, ch, optarg))
				return -1;
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

static int cmd_run(struct options *o)
{
	struct daemon *dm = &o->dm;
	int ret = 1;

	log_init(o->verbose);
	dm->keep_state = true;
	if (daemon_config(dm))
		return 1;
	if (daemon_open(dm))
		goto out;
	if (o->pidfile && pidfile_write(o->pidfile))
		goto out;
	if (caps_drop()) {
		log_warnx("cannot drop privileges");
		goto out;
	}
	/* the last daemon's interruption, if any, is the first alert; from
	 * now on this one is running until it says it stopped */
	tamper_started(&dm->state, dm->loop, dm->sensor, dm->cfg);
	fprintf(stderr, "depsentry: ready\n");
	notify_systemd("READY=1", true);
	if (loop_run(dm->loop) == 0)
		ret = 0;
	notify_systemd("STOPPING=1", true);
	pidfile_remove(o->pidfile);
	daemon_close_loop(dm);
	if (ret == 0) /* drained and written: a clean stop */
		tamper_stopped(&dm->state);
out:
	daemon_close(dm);
	return ret;
}

static int cmd_check(struct options *o)
{
	if (daemon_config(&o->dm))
		return 1;
	config_free(o->dm.cfg);
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
