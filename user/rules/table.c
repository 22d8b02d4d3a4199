// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rules: what each one is, for the alerts and the documentation. */
#include "rules.h"

/* A package's code run by an install: the supply chain. */
static const struct threat supply_chain = {
	.tactic_id = "TA0001",
	.tactic_name = "Initial Access",
	.tactic_ref = "https://attack.mitre.org/tactics/TA0001/",
	.technique_id = "T1195",
	.technique_name = "Supply Chain Compromise",
	.technique_ref = "https://attack.mitre.org/techniques/T1195/",
	.subtechnique_id = "T1195.001",
	.subtechnique_name = "Compromise Software Dependencies and Development Tools",
	.subtechnique_ref = "https://attack.mitre.org/techniques/T1195/001/",
};

/* The sensor's own integrity: a package disabling it. */
static const struct threat impair_defenses = {
	.tactic_id = "TA0005",
	.tactic_name = "Defense Evasion",
	.tactic_ref = "https://attack.mitre.org/tactics/TA0005/",
	.technique_id = "T1562",
	.technique_name = "Impair Defenses",
	.technique_ref = "https://attack.mitre.org/techniques/T1562/",
	.subtechnique_id = "T1562.001",
	.subtechnique_name = "Disable or Modify Tools",
	.subtechnique_ref = "https://attack.mitre.org/techniques/T1562/001/",
};

/* A package's code collecting the secrets on disk. */
static const struct threat credentials_in_files = {
	.tactic_id = "TA0006",
	.tactic_name = "Credential Access",
	.tactic_ref = "https://attack.mitre.org/tactics/TA0006/",
	.technique_id = "T1552",
	.technique_name = "Unsecured Credentials",
	.technique_ref = "https://attack.mitre.org/techniques/T1552/",
	.subtechnique_id = "T1552.001",
	.subtechnique_name = "Credentials In Files",
	.subtechnique_ref = "https://attack.mitre.org/techniques/T1552/001/",
};

/* A package's code planting itself where it runs again later. */
static const struct threat startup_files = {
	.tactic_id = "TA0003",
	.tactic_name = "Persistence",
	.tactic_ref = "https://attack.mitre.org/tactics/TA0003/",
	.technique_id = "T1546",
	.technique_name = "Event Triggered Execution",
	.technique_ref = "https://attack.mitre.org/techniques/T1546/",
	.subtechnique_id = "T1546.004",
	.subtechnique_name = "Unix Shell Configuration Modification",
	.subtechnique_ref = "https://attack.mitre.org/techniques/T1546/004/",
};

static const struct rule_info rule_table[RULE_MAX] = {
	[RULE_PM_CHILD] = {
		.name = "Package manager spawned a suspicious child process",
		.description = "A process started below a package manager (npm, pip, cargo...) "
			       "is a network tool, a reconnaissance command, a reverse shell, "
			       "a download-and-execute command line, or a shell reading its "
			       "commands from stdin or a terminal. Installing a dependency "
			       "should not need any of these; a compromised package's install "
			       "hook does.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "process",
		.kinds = (1U << DS_EV_EXEC),
		.judge = judge_exec,
		.fold = FOLD_NONE,
	},
	[RULE_LIFECYCLE] = {
		.name = "Install hook spawned a suspicious child process",
		.description = "A suspicious process runs below a package install hook (npm "
			       "preinstall/postinstall, install.js, setup.py, node-pre-gyp) or "
			       "inside an npm lifecycle event, even when the hook was started "
			       "by hand rather than by a package manager.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "process",
		.kinds = (1U << DS_EV_EXEC),
		.judge = judge_exec,
		.fold = FOLD_NONE,
	},
	[RULE_EGRESS] = {
		.name = "Package manager connected to a host that is not a package registry",
		.description = "A package manager, or a process inside an install session, "
			       "connected to or looked up a destination outside the registry "
			       "allowlist. A destination with no DNS name seen for it is never "
			       "allowlisted by name: raw-IP exfiltration is a classic. "
			       "Equivalent to QRadar's PackageManagerUnexpectedExternalConnection.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "network",
		.kinds = (1U << DS_EV_CONNECT) | (1U << DS_EV_DNS),
		.judge = judge_net,
		.fold = FOLD_FOLLOWUP,
	},
	[RULE_CICD] = {
		.name = "CI/CD pipeline or build file created or modified",
		.description = "A process wrote, renamed or linked a file onto a CI/CD "
			       "pipeline or build definition (.github/workflows, .gitlab-ci.yml, "
			       "Jenkinsfile, git hooks, Makefile, ...). Worms and compromised "
			       "packages poison workflows to steal the pipeline's secrets. The "
			       "writer decides the severity: an install hook is critical, a "
			       "shell or one-liner high, git and editors low. Equivalent to "
			       "QRadar's CICDPipelineFileModified.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "file",
		.kinds = (1U << DS_EV_FILE),
		.judge = judge_file,
		.fold = FOLD_NONE,
	},
	[RULE_SENSOR_SIGNAL] = {
		.name = "An install session sent a signal to the sensor",
		.description = "A process of an install session sent the depsentry daemon a "
			       "signal (kill, tgkill, sigqueue, pidfd_send_signal): a package "
			       "that stops, kills or pokes the sensor watching it is trying to "
			       "blind it. Seen in the kernel as the signal is sent, SIGKILL and "
			       "SIGSTOP included.",
		.reference = "https://attack.mitre.org/techniques/T1562/001/",
		.threat = &impair_defenses,
		.category = "process",
		.kinds = (1U << DS_EV_SIGNAL),
		.judge = judge_signal,
		.fold = FOLD_SILENT,
	},
	[RULE_SENSOR_INTERRUPTED] = {
		.name = "The sensor stopped without a clean shutdown",
		.description = "The depsentry daemon that ran before this one ended without "
			       "its clean shutdown (killed, crashed, out of memory, or the "
			       "machine went down): nothing was watched from its last heartbeat "
			       "until this start. High when a process of an install session had "
			       "sent it a signal that it did not get to alert.",
		.reference = "https://attack.mitre.org/techniques/T1562/001/",
		.threat = &impair_defenses,
		.category = "process",
		.kinds = 0,	/* judged at start, from what the last daemon left */
		.fold = FOLD_NONE,
	},
	[RULE_PAYLOAD] = {
		.name = "Install hook ran a compromise's payload tool",
		.description = "A process in an install hook's context (below a preinstall, "
			       "postinstall, setup.py or the like, or carrying an install "
			       "lifecycle event) ran what a compromised package's payload "
			       "runs: a package publication or registry identity check (a "
			       "worm spreading itself), a CI runner registration, an AI "
			       "coding agent told to skip its permission checks, a secret "
			       "scanner, or a read of a cloud or forge token.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "process",
		.kinds = (1U << DS_EV_EXEC),
		.judge = judge_payload,
		.fold = FOLD_NONE,
	},
	[RULE_DROPPED] = {
		.name = "Install session ran a file dropped for it",
		.description = "A process of an install session ran a file from a "
			       "world-writable directory (/tmp, /var/tmp, /dev/shm), or a file "
			       "written or made executable after the session began outside "
			       "the trees package managers install into and the project "
			       "being installed: a payload downloaded by the hook and run "
			       "(ua-parser-js, Shai-Hulud's bun). The executable itself, the "
			       "script its #! line names, or the script an interpreter is "
			       "given.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "process",
		.kinds = (1U << DS_EV_EXEC),
		.judge = judge_dropped,
		.fold = FOLD_NONE,
	},
	[RULE_DNS_EXFIL] = {
		.name = "Install session sent DNS to its own nameserver or data in DNS names",
		.description = "A process of an install session sent a DNS question, connected "
			       "or not (sendto and sendmsg on unconnected UDP sockets included), "
			       "straight to a nameserver that is not one of its resolvers, or "
			       "asked for a name that carries data: long runs of hex, base32 or "
			       "base64, more labels or characters than host names have. DNS "
			       "exfiltration as in the torchtriton compromise (PyPI, 2022), "
			       "whose install code sent hex-encoded secrets to the attacker's "
			       "own nameserver.",
		.reference = "https://attack.mitre.org/techniques/T1195/001/",
		.threat = &supply_chain,
		.category = "network",
		.kinds = (1U << DS_EV_DNS),
		.judge = judge_dns_exfil,
		.fold = FOLD_FOLLOWUP,
	},
	[RULE_CRED] = {
		.name = "Install session read a credential file",
		.description = "A process of an install session (below the package manager: a "
			       "hook's node, python or shell, cat...) opened a credential file "
			       "for reading: a registry token (.npmrc, .pypirc), a cloud or "
			       "forge credential (~/.aws/credentials, gh's hosts.yml, "
			       ".docker/config.json, .kube/config), an SSH key, a .env file, "
			       "a browser's saved logins or a wallet. Compromised packages "
			       "collect these to send them away. The package manager reading "
			       "its own configuration is not reported.",
		.reference = "https://attack.mitre.org/techniques/T1552/001/",
		.threat = &credentials_in_files,
		.category = "file",
		.kinds = (1U << DS_EV_FILE),
		.judge = judge_cred,
		.fold = FOLD_SILENT,
	},
	[RULE_PERSIST] = {
		.name = "Install session planted a start-up file",
		.description = "A process wrote, renamed or linked a file that makes code run "
			       "later: a shell start-up file (~/.bashrc, ~/.zshrc, ~/.profile, "
			       "/etc/profile.d), the dynamic linker's /etc/ld.so.preload, a "
			       "Python .pth or sitecustomize, a git configuration that moves "
			       "the hooks (core.hooksPath), a systemd unit, a crontab, "
			       "~/.ssh/authorized_keys. From an install session (but the package "
			       "manager installing a wheel's .pth); outside sessions only "
			       "ld.so.preload and Python start-up files that run code.",
		.reference = "https://attack.mitre.org/techniques/T1546/",
		.threat = &startup_files,
		.category = "file",
		.kinds = (1U << DS_EV_FILE),
		.judge = judge_file,
		.fold = FOLD_SILENT,
	},
};

const struct rule_info *rule_info(enum rule_id r)
{
	if (r <= RULE_NONE || r >= RULE_MAX)
		return NULL;
	return &rule_table[r];
}
