#!/bin/bash
# ci/gitlab/check.sh: the last command of the script of a job that extends
# .depsentry (ci/gitlab/depsentry.gitlab-ci.yml). GitLab ignores the status
# of after_script, so the job fails here or not at all: stop the sensor (a
# drain: every alert about what the job ran is written), print the report,
# and exit 3 when an alert is at or above DEPSENTRY_FAIL_ON; 1 when the
# sensor had stopped before (died or killed) or its log was replaced.
exec "$(dirname "${BASH_SOURCE[0]}")/../agent.sh" check
