// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one list of the fields depsentry writes (output/fields.c): sorted,
 * and each one ECS 9.4 (tests/data/ecs-fields.csv) or under depsentry.
 * That every field rendered is in it is checked where alerts are rendered
 * (unit_fields_known). */
#include <stdio.h>

#include "unit.h"

/* Is path a field of the ECS list (its Field column)? */
static bool ecs_has(const char *path)
{
	FILE *f = fopen("tests/data/ecs-fields.csv", "r");
	char line[4096], want[256];
	bool found = false;

	assert_non_null(f);
	snprintf(want, sizeof(want), ",%s,", path);
	while (!found && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ','), *b = a ? strchr(a + 1, ',') : NULL;

		/* ECS_Version,Indexed,Field_Set,Field,...: the fourth column */
		b = b ? strchr(b + 1, ',') : NULL;
		found = b && strncmp(b, want, strlen(want)) == 0;
	}
	fclose(f);
	return found;
}

static void test_sorted_and_ecs(void **state)
{
	size_t i;

	(void)state;
	assert_true(alert_nfields > 100);
	for (i = 0; i < alert_nfields; i++) {
		if (i && strcmp(alert_fields[i - 1], alert_fields[i]) >= 0)
			fail_msg("%s after %s: the list is not in byte order", alert_fields[i],
				 alert_fields[i - 1]);
		if (strncmp(alert_fields[i], "depsentry.", 10) && !ecs_has(alert_fields[i]))
			fail_msg("%s is neither ECS 9.4 nor under depsentry.", alert_fields[i]);
		assert_true(alert_field_known(alert_fields[i]));
	}
	assert_false(alert_field_known("process.pidx"));
	assert_false(alert_field_known("depsentry"));
	assert_false(alert_field_known(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_and_ecs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
