/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The default configuration, config/depsentry.json, embedded at build time. */
__asm__(".section .rodata\n"
	".global config_builtin\n"
	".type config_builtin, @object\n"
	"config_builtin:\n"
	".incbin \"config/depsentry.json\"\n"
	".byte 0\n"
	".size config_builtin, . - config_builtin\n"
	".previous\n");
