// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The rules' ids, as the configuration and the alerts name them. */
#include <string.h>

#include "config.h"

/* clang-format off */
static const char *const rule_ids[RULE_MAX] = {
	[RULE_PM_CHILD] = "pm-suspicious-child",
	[RULE_LIFECYCLE] = "lifecycle-hook-suspicious-child",
	[RULE_EGRESS] = "pm-unexpected-egress",
	[RULE_CICD] = "cicd-file-modified",
	[RULE_SENSOR_SIGNAL] = "sensor-signal",
	[RULE_SENSOR_INTERRUPTED] = "sensor-interrupted",
	[RULE_PAYLOAD] = "install-payload-tool",
	[RULE_DROPPED] = "install-dropped-exec",
	[RULE_DNS_EXFIL] = "install-dns-exfiltration",
	[RULE_CRED] = "install-credential-read",
	[RULE_PERSIST] = "install-persistence",
};
/* clang-format on */

const char *rule_id_name(enum rule_id r)
{
	return r > RULE_NONE && r < RULE_MAX ? rule_ids[r] : "none";
}

enum rule_id rule_id_find(const char *id)
{
	enum rule_id r;

	for (r = RULE_NONE + 1; r < RULE_MAX; r++)
		if (strcmp(rule_ids[r], id) == 0)
			return r;
	return RULE_NONE;
}

bool rule_id_excludable(enum rule_id r)
{
	return r != RULE_SENSOR_SIGNAL && r != RULE_SENSOR_INTERRUPTED;
}
