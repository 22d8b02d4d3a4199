# tests/e2e/events.sh: the events file (depsentry run -e) and the SIEM rule
# run over it; sourced by the events scenarios after lib.sh.
#
#   EVENTS                 the scenario's events file: ds_start -e "$EVENTS"
#   wait_event COND...     the first event line matching (alerts.py wait)
#   event_count COND...    how many event lines match now
#   expect_events N|+ WHAT COND...   exactly N event lines match (+: one or more)
#   validate_events FILE   strict JSON, UTF-8 and ECS events (ecs_check --events)
#   siem_match [FILE]      run tests/siem's rule over FILE (default EVENTS)
#                          with tests/siem/eql.py; the matching lines go to
#                          $MATCHES, their count is printed
#   expect_matches N|+ WHAT COND...  exactly N matches (+: one or more) match
#
# Conditions are those of alerts.py (PATH=VALUE, PATH?, --expr ...).

SIEM_DIR=$SRC_ROOT/tests/siem
SIEM_RULE=$SIEM_DIR/package-manager-supply-chain.eql
EVENTS=$T/events.json
MATCHES=$T/siem-matches.json

# wait_event [--file F] COND...: like wait_alert, on the events file.
wait_event()
{
	local file=$EVENTS line

	if [ "$1" = --file ]; then
		file=$2
		shift 2
	fi
	line=$("$PY" "$ALERTS_PY" wait "$file" --timeout "$ALERT_TIMEOUT" \
		--alive-pid "${DS_PID:-0}" "$@") || fail "expected event did not arrive in $file: $*"
	printf '%s\n' "$line"
}

event_count()
{
	"$PY" "$ALERTS_PY" count "$EVENTS" "$@"
}

# _expect FILE WHAT N|+ WHAT COND...: the count of lines of FILE matching.
_expect()
{
	local file=$1 kind=$2 want=$3 what=$4 n

	shift 4
	n=$("$PY" "$ALERTS_PY" count "$file" "$@")
	if { [ "$want" = + ] && [ "$n" -lt 1 ]; } || { [ "$want" != + ] && [ "$n" -ne "$want" ]; }; then
		"$PY" "$ALERTS_PY" none "$file" "$@" || true
		fail "$what: $n $kind match [$*], expected $want"
	fi
	echo "   $n $kind: $what"
}

expect_events()
{
	_expect "$EVENTS" "event(s)" "$@"
}

expect_matches()
{
	_expect "$MATCHES" "rule match(es)" "$@"
}

validate_events()
{
	step "validate $1 (strict JSON, UTF-8, ECS events)"
	"$PY" "$ALERTS_PY" validate --events "$1" || fail "invalid events file $1"
}

siem_match()
{
	local file=${1:-$EVENTS}

	step "run the SIEM rule ($(basename "$SIEM_RULE")) over $file"
	"$PY" "$SIEM_DIR/eql.py" "$SIEM_RULE" "$file" >"$MATCHES" ||
		fail "tests/siem/eql.py failed on $file"
	echo "   $("$PY" "$ALERTS_PY" count "$MATCHES") of $("$PY" "$ALERTS_PY" count "$file") events match"
}
