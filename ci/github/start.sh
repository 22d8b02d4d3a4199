#!/bin/bash
# ci/github/start.sh: the main step of the depsentry action (action.yml), run
# by main.js. It reads the inputs as the runner passes them to a JavaScript
# action, INPUT_<NAME> with the name upper-cased and its dashes kept
# (INPUT_FAIL-ON), trimmed as @actions/core's getInput trims them; installs
# depsentry and starts the daemon for the rest of the job (ci/agent.sh);
# saves the agent's directory for the post step through $GITHUB_STATE (it
# arrives there as STATE_dir) and sets the output alerts-file.
set -euo pipefail

AGENT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/agent.sh

# input NAME: the value of input NAME, as getInput reads it.
input()
{
	local v

	v=$(printenv "INPUT_${1^^}") || v=
	v=${v#"${v%%[![:space:]]*}"}
	v=${v%"${v##*[![:space:]]}"}
	printf '%s' "$v"
}

# gh_set FILE NAME VALUE: NAME=VALUE in a runner's file command (heredoc
# form, so that no value can add a line of its own).
gh_set()
{
	local delim

	delim=ghadelimiter_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s<<%s\n%s\n%s\n' "$2" "$delim" "$3" "$delim" >>"$1"
}

: "${RUNNER_TEMP:?is set by the runner}" "${GITHUB_STATE:?is set by the runner}"
: "${GITHUB_OUTPUT:?is set by the runner}"

export DEPSENTRY_STATE=$RUNNER_TEMP/depsentry
DEPSENTRY_FAIL_ON=$(input fail-on)
DEPSENTRY_CONFIG=$(input config)
DEPSENTRY_PACKAGE=$(input package)
DEPSENTRY_BINARY=$(input binary)
DEPSENTRY_BUILD_DEPS=$(input build-deps)
DEPSENTRY_ALERTS=$(input alerts)
export DEPSENTRY_FAIL_ON=${DEPSENTRY_FAIL_ON:-high}
export DEPSENTRY_BUILD_DEPS=${DEPSENTRY_BUILD_DEPS:-true}
export DEPSENTRY_ALERTS=${DEPSENTRY_ALERTS:-$DEPSENTRY_STATE/alerts.json}
export DEPSENTRY_CONFIG DEPSENTRY_PACKAGE DEPSENTRY_BINARY
export DEPSENTRY_SRC=${GITHUB_ACTION_PATH:-$(dirname "$AGENT")/..}

# first: the post step must find the agent even if this step fails half-way
gh_set "$GITHUB_STATE" dir "$DEPSENTRY_STATE"
"$AGENT" install
"$AGENT" start
gh_set "$GITHUB_OUTPUT" alerts-file "$("$AGENT" log-path)"
