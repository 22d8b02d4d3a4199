#!/bin/bash
# Privileges after attach. The running daemon's effective, permitted and
# bounding capability sets are exactly the set the SECURITY section of
# docs/depsentry.8 documents, which is also the unit's
# CapabilityBoundingSet=; its inheritable and ambient sets are empty and
# no_new_privs is set. With only those it still does what it does after
# start-up:
# (a) an npm install session: the connect hooks are attached and the DNS
#     capture sockets opened then (no failure logged), and a postinstall's
#     connect to 127.0.0.5 is alerted;
# (b) a Makefile written beside a CMake build marker, by a shell of uid
#     65534 in a mount namespace of its own, inside a 0700 directory of that
#     uid, is recognised as generated: the daemon looked through
#     /proc/PID/root (CAP_SYS_PTRACE) into that directory
#     (CAP_DAC_READ_SEARCH). The same write with no marker is alerted.
# First, a daemon that cannot drop what it means to (no CAP_SETPCAP in its
# bounding set) stops with an error and never says it is ready.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/service.sh"

need_cmd setpriv util-linux
need_cmd unshare util-linux
NOBODY=65534

documented=$(doc_caps)
[ -n "$documented" ] || fail "no capability listed in the SECURITY section of $MAN_SRC"
step "documented: $(echo $documented)"
same_caps "the unit's CapabilityBoundingSet= against the documented set" \
	"$documented" "$(unit_caps)"

files_scratch
tgz=$(npm_pack raw-connect)
# a directory only uid 65534 may enter, on disk (the kernel reports no
# writes on tmpfs); $VT itself must let that uid through
chmod 0711 "$VT"
priv=$VT/private
mkdir -p "$priv/cmake/build" "$priv/plain"
echo 'CMAKE_HOME_DIRECTORY:INTERNAL=..' >"$priv/cmake/build/CMakeCache.txt"
chown -R "$NOBODY:$NOBODY" "$priv"
chmod 0700 "$priv"

step "a daemon without CAP_SETPCAP cannot drop its bounding set: it must not run"
rc=0
timeout 60 setpriv --bounding-set=-setpcap "$DEPSENTRY" run -o "$T/never.json" \
	>"$T/nodrop.out" 2>"$T/nodrop.log" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "without CAP_SETPCAP: exit status $rc, expected a failure"
grep -q 'cannot drop privileges' "$T/nodrop.log" ||
	fail "without CAP_SETPCAP the daemon did not say it cannot drop privileges: $(cat "$T/nodrop.log")"
grep -q 'depsentry: ready' "$T/nodrop.log" && fail "without CAP_SETPCAP the daemon said it was ready"

ds_start

step "the capability sets of the running daemon (pid $DS_PID)"
for set in CapEff CapPrm CapBnd; do
	same_caps "$set of the running daemon against the documented set" \
		"$documented" "$(proc_caps "$DS_PID" "$set")"
done
for set in CapInh CapAmb; do
	got=$(proc_caps "$DS_PID" "$set")
	[ -z "$got" ] || fail "$set of the running daemon is not empty: $(echo $got)"
done
grep -qx 'NoNewPrivs:[[:space:]]*1' "/proc/$DS_PID/status" ||
	fail "no_new_privs is not set: $(grep NoNewPrivs "/proc/$DS_PID/status")"
grep -q '^depsentry: privileges dropped: keeping ' "$DS_LOG" ||
	fail "the daemon did not log the privileges it kept"

step "(a) an install session after the drop: connect hooks and DNS capture"
npm_install "$T/proj" "$tgz"
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	destination.ip=127.0.0.5 event.action=connect)
: "$a"
if grep -E 'cannot attach the connect hooks|DNS capture failed|dns capture' "$DS_LOG"; then
	fail "the network hooks could not be set up after the drop"
fi

# writer_start DIR: a shell of uid 65534, in a mount namespace of its own,
# writes DIR/Makefile and lives until DIR/release exists; WRITER_PID is its
# pid (unshare and setpriv exec it in place).
writer_start()
{
	unshare --mount --propagation private \
		setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups --inh-caps=-all \
		sh -c 'cd "$1" && echo all: >Makefile && : >written &&
			while [ ! -e release ]; do sleep 0.1; done' sh "$1" &
	WRITER_PID=$!
	BG_PIDS+=("$WRITER_PID")
	wait_for "the writer in $1 did not write" 10 test -e "$1/written"
}

step "(b) uid $NOBODY writes Makefiles in a 0700 directory, from its own mount namespace"
writer_start "$priv/cmake/build"
quiet_pid=$WRITER_PID
writer_start "$priv/plain"
loud_pid=$WRITER_PID
[ "$(readlink "/proc/$quiet_pid/ns/mnt")" != "$(readlink "/proc/$DS_PID/ns/mnt")" ] ||
	fail "the writer shares the daemon's mount namespace"
# both records are judged while their writers live; the writes are held
# until the writers exit, and the barrier comes after both exits
barrier
touch "$priv/cmake/build/release" "$priv/plain/release"
wait "$quiet_pid" "$loud_pid" || fail "a writer failed"
barrier
a=$(wait_file "$priv/plain/Makefile" "process.pid=$loud_pid")
check_alert "$a" "the control write is not described as uid $NOBODY's" \
	"user.id=$NOBODY" depsentry.file.writer=suspicious
assert_none "a Makefile beside a CMake build marker was alerted: the daemon could not look through /proc/$quiet_pid/root" \
	rule.id=$RULE "file.path=$priv/cmake/build/Makefile"
ds_finish

