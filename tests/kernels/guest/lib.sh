# /lib/kt/lib.sh: shared by the guest's /init, kpm and the detached
# grandchild (tests/kernels/guest/). busybox sh.
#
# Results go to /tmp/kt-results, one "KIND TEXT" line each, which /init
# copies to the second serial port at the end; the host parses them
# (tests/kernels/verify.py). Progress goes to the console.

KT_RESULTS=/tmp/kt-results
KT_ALERTS=/tmp/alerts.json
KT_DAEMON_LOG=/tmp/daemon.log
KT_ALERT_WAIT=${KT_ALERT_WAIT:-30}

say()
{
	echo "kt: $*" >/dev/console
}

# fact NAME VALUE: a value the host checks alerts against
fact()
{
	echo "fact $1=$2" >>"$KT_RESULTS"
}

# note TEXT: something went wrong in the guest; the host fails on it
note()
{
	say "$*"
	echo "note $*" >>"$KT_RESULTS"
}

now()
{
	cut -d. -f1 /proc/uptime
}

# alive PID: the process exists and is not a zombie
alive()
{
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case $st in
	Z* | X*) return 1 ;;
	esac
	return 0
}

# wait_alert TEXT: until an alert line contains TEXT (KT_ALERT_WAIT s at
# most, less if the daemon, KT_DS_PID, dies). Only for order: the host
# checks every field once the daemon is done.
wait_alert()
{
	local end=$(($(now) + KT_ALERT_WAIT))

	while [ "$(now)" -le "$end" ]; do
		grep -qF -- "$1" "$KT_ALERTS" 2>/dev/null && return 0
		if ! alive "$KT_DS_PID"; then
			note "the daemon died before an alert containing \"$1\""
			return 1
		fi
		sleep 0.2
	done
	note "no alert containing \"$1\" within $KT_ALERT_WAIT s"
	return 1
}

# run NAME CMD...: run CMD as a child of its own and record its pid as the
# fact NAME_pid; returns CMD's status
run()
{
	local name=$1 pid rc

	shift
	"$@" &
	pid=$!
	wait "$pid"
	rc=$?
	fact "${name}_pid" "$pid"
	[ "$rc" -eq 0 ] || note "$name: $* exited with $rc"
	return "$rc"
}
