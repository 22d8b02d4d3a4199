// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rules as data: for a record of one kind, every rule of the table
 * (table.c) that takes that kind is judged, each distinct judge once (the
 * two process rules share one). What a judge decides goes back as a
 * verdict; the gate (gate.c) then lets it through or not.
 */
#include <string.h>

#include "rules.h"

size_t rules_judge(struct judges *j, struct event *e, const struct proc *p, struct verdict *out,
		   size_t max)
{
	judge_fn done[RULE_MAX];
	size_t ndone = 0, n = 0, k;
	enum rule_id r;

	j->net = NULL;
	for (r = RULE_NONE + 1; r < RULE_MAX && n < max; r++) {
		const struct rule_info *ri = rule_info(r);

		if (!ri->judge || !(ri->kinds & (1U << e->type)))
			continue;
		for (k = 0; k < ndone && done[k] != ri->judge; k++)
			;
		if (k < ndone)
			continue;
		done[ndone++] = ri->judge;
		memset(&out[n], 0, sizeof(out[n]));
		ri->judge(j, e, p, &out[n]);
		if (out[n].rule != RULE_NONE)
			n++;
	}
	return n;
}
