// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule install-credential-read: a process of an install session opened a
 * credential file for reading (~/.npmrc, ~/.aws/credentials, an SSH key,
 * a browser's or a wallet's store). The kernel sends only opens by
 * processes of install sessions whose path has a component starting with
 * a read anchor (bpf/file.bpf.c); here the whole path is matched against
 * the configured patterns.
 *
 * The package manager reading its own configuration is what it does: a
 * process whose image is a package manager (the session's root, or a
 * nested one such as the `npm publish` install-payload-tool already
 * alerts) is not judged, nor the tools whose job is to read a credential
 * (git's credential store, ssh its keys: a git+ssh dependency). Everything
 * below them is: the node, python or sh of a hook, cat. One alert per
 * session and file (the gate folds the rest).
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"

bool creds_judge(const struct config *c, const struct proc *p, struct file_event *ev,
		 struct verdict *v)
{
	const char *m;

	memset(v, 0, sizeof(*v));
	if (!c->cred_enabled || ev->op != DS_FILE_OPEN || !ev->session || !ev->path)
		return false;
	m = match_any(&c->cred_paths, ev->path);
	if (!m)
		return false;
	if (rules_package_manager(c, p) || rules_proc_named(&c->cred_readers, p))
		return false;
	ev->rule = RULE_CRED;
	ev->pattern = m;
	ev->action = "open";
	ev->writer = WRITER_SESSION;
	ev->severity = c->cred_severity;
	ev->alert = true;
	v->rule = RULE_CRED;
	v->severity = c->cred_severity;
	v->reason = "credential file read from inside an install session";
	v->file = ev;
	v->matched = m;
	v->matched_field = "file.path";
	v->rules_matched = 1U << RULE_CRED;
	snprintf(v->fold_key, sizeof(v->fold_key), "%s/%016llx/%016llx", rule_id_name(RULE_CRED),
		 (unsigned long long)ev->session,
		 (unsigned long long)fnv1a64(FNV1A64_OFFSET, ev->path));
	return true;
}

void judge_cred(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	creds_judge(j->cfg, p, &e->file, v);
}
