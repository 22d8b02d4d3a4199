#!/bin/bash
# The Debian package (debian/, `make deb`), installed, run, removed and
# purged on this machine.
# (a) make deb refuses a debian/changelog at another version than
#     DEPSENTRY_VERSION, saying both; then builds
#     build/deb/depsentry_VERSION-1_ARCH.deb, and lintian finds no error and
#     no warning that debian/ does not override.
# (b) apt-get install of that file, offline: dpkg lists every file where it
#     belongs, the two files in /etc are its conffiles, the unit names
#     /usr/sbin/depsentry and its documentation (uncompressed), and the unit
#     is enabled (the multi-user.target.wants link).
# (c) The installed unit under systemd, run as PID 1 of namespaces of its
#     own (service.sh) that see the machine's /etc/systemd/system,
#     /etc/depsentry and /var/log: the package's postinst, run there as dpkg
#     runs it on a systemd machine, starts it (returning at READY=1): the
#     unit file is /usr/lib/systemd/system/depsentry.service, enabled, the
#     process /usr/sbin/depsentry; an npm install whose postinstall runs
#     `whoami` is alerted into the machine's /var/log/depsentry/alerts.json;
#     the prerm, run for a removal, stops it cleanly (exit 0).
# (d) apt-get remove: the binary, unit, man page and documentation go; the
#     conffiles stay, unchanged and still dpkg's, and so do the logs and the
#     unit's enablement (until purge).
# (e) apt-get purge: dpkg knows nothing of depsentry, and nothing of it is
#     left: /etc/depsentry, the logrotate file, /var/log/depsentry,
#     /run/depsentry, the binary, the unit, the wants link and
#     deb-systemd-helper's state.
# The test refuses to run where depsentry is already installed, or where
# its files are (a `make install`, a `make run`'s log): it would overwrite
# or purge someone's. Whatever happens, what it installed is purged at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"

need_cmd make make
need_cmd dpkg-buildpackage dpkg-dev
need_cmd dh debhelper
need_cmd lintian lintian
need_cmd apt-get apt
need_cmd findmnt util-linux
unset MAKEFLAGS MAKELEVEL MFLAGS

APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120)
UNIT=/usr/lib/systemd/system/depsentry.service
WANTS=/etc/systemd/system/multi-user.target.wants/depsentry.service
DSH=/var/lib/systemd/deb-systemd-helper-enabled
ver=$(sed -n 's/^#define[[:space:]]*DEPSENTRY_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
	"$SRC_ROOT/user/lib/lib.h")
[ -n "$ver" ] || fail "no DEPSENTRY_VERSION in user/lib/lib.h"
arch=$(dpkg --print-architecture)
deb=$SRC_ROOT/build/deb/depsentry_${ver}-1_${arch}.deb

# ---------------------------------------------------------------- the machine

step "the machine has no depsentry of its own"
st=$(dpkg-query -W -f='${db:Status-Status}' depsentry 2>/dev/null || true)
case $st in
"" | not-installed) ;;
*) fail "the depsentry package is on this machine (dpkg status '$st'): this test installs and purges one of its own; purge it first (apt-get purge depsentry)" ;;
esac
# what the package, its unit and its purge create or remove (/run/depsentry
# aside: every daemon run makes it)
FOOTPRINT=(/etc/depsentry /etc/logrotate.d/depsentry /var/log/depsentry /usr/sbin/depsentry
	"$UNIT" "$WANTS" /etc/systemd/system/depsentry.service /etc/systemd/system/depsentry.service.d
	"$DSH/depsentry.service.dsh-also" "$DSH/multi-user.target.wants/depsentry.service")
for p in "${FOOTPRINT[@]}"; do
	[ ! -e "$p" ] && [ ! -L "$p" ] ||
		fail "$p exists but no package owns it: installing the package would overwrite it, or purging it remove it; move it away first"
done

# Every exit, failed or not, ends in lib.sh's cleanup (through sd_cleanup,
# once systemd is down, when it was booted): purge the package if this
# test installed it and has not purged it yet; after a failure, remove
# what is left of it (none of it was there before).
DEB_INSTALLED=0
eval "lib_$(declare -f cleanup)"
cleanup()
{
	local rc=$?

	if [ "$DEB_INSTALLED" = 1 ] && [ "$rc" -ne 0 ] && [ -f /var/log/depsentry/alerts.json ]; then
		cp /var/log/depsentry/alerts.json "$T/unit-alerts.json"
		ALERTS=$T/unit-alerts.json
	fi
	if [ "$DEB_INSTALLED" = 1 ] && dpkg-query -W depsentry >/dev/null 2>&1; then
		echo "-- at exit: apt-get purge depsentry (installed by this test)" >&2
		"${APT[@]}" purge depsentry >"$T/apt-purge-at-exit.log" 2>&1 ||
			echo "apt-get purge depsentry failed: see $T/apt-purge-at-exit.log" >&2
	fi
	if [ "$DEB_INSTALLED" = 1 ] && [ "$rc" -ne 0 ]; then
		rm -rf "${FOOTPRINT[@]}"
	fi
	set +e	# the (exit) hands lib_cleanup the status: it must not end the shell
	(exit "$rc")
	lib_cleanup
}

# ---------------------------------------------------------------- (a) build

step "(a) make deb refuses a debian/changelog that is not at DEPSENTRY_VERSION"
vt=$T/version-tree
mkdir -p "$vt/user/lib" "$vt/debian"
cp "$SRC_ROOT/Makefile" "$vt/"
cp "$SRC_ROOT/user/lib/lib.h" "$vt/user/lib/"
sed "1s/([^)]*)/(9.9.9-1)/" "$SRC_ROOT/debian/changelog" >"$vt/debian/changelog"
head -n 1 "$vt/debian/changelog" | grep -q '(9\.9\.9-1)' || fail "could not change the copied changelog"
rc=0
out=$(make -s -C "$vt" deb 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "make deb accepted a changelog at 9.9.9-1 for version $ver"
grep -q "debian/changelog is at 9.9.9-1" <<<"$out" && grep -q "DEPSENTRY_VERSION is $ver" <<<"$out" ||
	fail "make deb failed without saying which versions disagree: $out"
[ ! -e "$vt/build" ] || fail "make deb started building although the versions disagree"

step "(a) make deb"
rm -f "$deb"
make -s -C "$SRC_ROOT" deb >"$T/make-deb.log" 2>&1 ||
	fail "make deb failed: $(tail -n 30 "$T/make-deb.log")"
[ -f "$deb" ] || fail "make deb made no $deb: $(ls "$SRC_ROOT/build/deb")"
[ "$(dpkg-deb -f "$deb" Package)" = depsentry ] || fail "$deb is not the depsentry package"
[ "$(dpkg-deb -f "$deb" Version)" = "$ver-1" ] || fail "$deb is not version $ver-1"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "$deb is not for $arch"

step "(a) lintian $deb"
# (lintian 2.116 counts overridden tags towards --fail-on when it shows
# them: the overrides are listed by a second run, for the record)
rc=0
lintian --fail-on error,warning -I "$deb" >"$T/lintian.log" 2>&1 || rc=$?
sed 's/^/   /' "$T/lintian.log"
[ "$rc" -eq 0 ] || fail "lintian: status $rc (2: an error, or a warning not overridden in debian/)"
grep -q '^[EW]: ' "$T/lintian.log" && fail "lintian reports an error or a warning"
lintian --fail-on none --show-overrides -I "$deb" 2>&1 | grep '^O: ' | sed 's/^/   /' || true

# ---------------------------------------------------------------- (b) install

step "(b) apt-get install $deb (offline)"
# offline: apt plans to install the package alone, nothing to download
# (apt-get's --no-download refuses a local .deb)
"${APT[@]}" -s install "$deb" >"$T/apt-plan.log" 2>&1 ||
	fail "apt-get -s install failed: $(tail -n 30 "$T/apt-plan.log")"
[ "$(grep '^Inst ' "$T/apt-plan.log" | cut -d' ' -f2)" = depsentry ] ||
	fail "installing the package needs more than the package: $(grep '^Inst ' "$T/apt-plan.log")"
DEB_INSTALLED=1
"${APT[@]}" install "$deb" >"$T/apt-install.log" 2>&1 ||
	fail "apt-get install failed: $(tail -n 30 "$T/apt-install.log")"
[ "$(dpkg-query -W -f='${Status} ${Version}' depsentry)" = "install ok installed $ver-1" ] ||
	fail "dpkg does not have depsentry $ver-1 installed: $(dpkg-query -W -f='${Status} ${Version}' depsentry)"

step "(b) the installed files"
dpkg -L depsentry >"$T/dpkg-L"
for f in /usr/sbin/depsentry "$UNIT" /etc/depsentry/depsentry.json /etc/logrotate.d/depsentry \
	/usr/share/man/man8/depsentry.8.gz /usr/share/doc/depsentry/README.md \
	/usr/share/doc/depsentry/copyright /usr/share/doc/depsentry/changelog.Debian.gz \
	/usr/share/doc/depsentry/depsentry.json /usr/share/doc/depsentry/docs/deployment.md; do
	grep -qx "$f" "$T/dpkg-L" || fail "dpkg -L depsentry does not list $f"
	[ -f "$f" ] || fail "dpkg lists $f, which is not on disk"
done
grep -q '^/usr/local' "$T/dpkg-L" && fail "the package installs under /usr/local: $(grep '^/usr/local' "$T/dpkg-L")"
[ "$(stat -c %a /usr/sbin/depsentry)" = 755 ] || fail "/usr/sbin/depsentry is not 0755"
out=$(/usr/sbin/depsentry version) || fail "/usr/sbin/depsentry version failed"
grep -q "^depsentry $ver " <<<"$out" || fail "/usr/sbin/depsentry says '$out', not version $ver"
cmp -s /etc/depsentry/depsentry.json "$SRC_ROOT/config/depsentry.json" ||
	fail "/etc/depsentry/depsentry.json is not config/depsentry.json"
cmp -s /etc/logrotate.d/depsentry "$SRC_ROOT/config/depsentry.logrotate" ||
	fail "/etc/logrotate.d/depsentry is not config/depsentry.logrotate"
out=$(/usr/sbin/depsentry check-config 2>&1) ||
	fail "the installed binary refuses the installed configuration: $out"
grep -qx 'ExecStart=/usr/sbin/depsentry run' "$UNIT" || fail "the unit does not run /usr/sbin/depsentry"
grep -q /usr/local "$UNIT" && fail "the installed unit names /usr/local: $(grep /usr/local "$UNIT")"
docurl=$(sed -n 's|^Documentation=.*file://\([^ ]*\).*|\1|p' "$UNIT")
[ -n "$docurl" ] && [ -f "$docurl" ] || fail "the unit's Documentation= names '$docurl', which is not installed"
man_page=$(man -M /usr/share/man -w 8 depsentry 2>/dev/null) || fail "man finds no depsentry(8)"
[ "$man_page" = /usr/share/man/man8/depsentry.8.gz ] || fail "man finds $man_page"

step "(b) the conffiles"
dpkg-query -W -f='${Conffiles}\n' depsentry >"$T/conffiles"
cat "$T/conffiles"
for f in /etc/depsentry/depsentry.json /etc/logrotate.d/depsentry; do
	sum=$(awk -v f="$f" '$1 == f && NF == 2 { print $2 }' "$T/conffiles")
	[ -n "$sum" ] || fail "$f is not one of the package's conffiles"
	[ "$sum" = "$(md5sum <"$f" | cut -d' ' -f1)" ] || fail "dpkg's checksum of $f is not the file's"
done
[ "$(grep -c . "$T/conffiles")" -eq 2 ] || fail "expected exactly two conffiles"

step "(b) the unit is enabled"
[ -L "$WANTS" ] || fail "no $WANTS: the unit was not enabled"
# (deb-systemd-helper names /lib/systemd/system, the same directory on a
# merged /usr)
[ "$(readlink -f "$WANTS")" = "$(readlink -f "$UNIT")" ] ||
	fail "$WANTS points to $(readlink "$WANTS"), not the unit $UNIT"
[ -f "$DSH/depsentry.service.dsh-also" ] && [ -f "$DSH/multi-user.target.wants/depsentry.service" ] ||
	fail "deb-systemd-helper keeps no state of the enabled unit in $DSH"

# ---------------------------------------------------------------- (c) run

step "(c) the installed unit, under systemd"
cat >"$T/e2e.conf" <<'EOF'
# the machine's sysinit.target is not for a test to start
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:/run/e2e/daemon.log
StandardError=append:/run/e2e/daemon.log
EOF
tgz=$(npm_pack recon)
sd_boot "$UNIT" "$T/e2e.conf"
sd_installed
R=$(sd_root)
DS_LOG=$R/run/e2e/daemon.log
ALERTS=/var/log/depsentry/alerts.json

# (systemd 252 looks in /lib/systemd/system first: on a merged /usr, the
# same directory)
frag=$(unit_state FragmentPath)
[ -n "$frag" ] && [ "$(readlink -f "$frag")" = "$(readlink -f "$UNIT")" ] ||
	unit_fail "systemd reads the unit from '$frag', not $UNIT"
dropins=$(unit_state DropInPaths)
[ "$(tr ' ' '\n' <<<"$dropins" | grep /depsentry.service.d/)" = \
	/run/systemd/system/depsentry.service.d/e2e.conf ] ||
	unit_fail "the unit's own drop-ins are not the test's alone: $dropins"
[ "$(sd_ctl is-enabled depsentry.service)" = enabled ] ||
	unit_fail "systemd does not see the unit enabled: $(sd_ctl is-enabled depsentry.service)"
[ "$(unit_state ActiveState)" = inactive ] || unit_fail "the unit runs before the postinst started it"

# maintscript SCRIPT ARG...: the package's maintainer script, run inside
# as dpkg runs it on a machine whose PID 1 is systemd.
maintscript()
{
	local script=/var/lib/dpkg/info/depsentry.$1

	shift
	[ -x "$script" ] || fail "no maintainer script $script"
	sd_in env DPKG_MAINTSCRIPT_PACKAGE=depsentry DPKG_MAINTSCRIPT_NAME="${script##*.}" \
		"$script" "$@" || fail "$script $* failed"
}

# A container's /usr/sbin/policy-rc.d forbids maintainer scripts to start
# services; inside systemd's namespace only, one that allows them.
sd_in sh -c '[ ! -e /usr/sbin/policy-rc.d ] || mount --bind /bin/true /usr/sbin/policy-rc.d' ||
	fail "cannot set policy-rc.d aside in systemd's namespace"

step "(c) the postinst (configure) starts the unit"
maintscript postinst configure
[ "$(unit_state ActiveState)/$(unit_state SubState)" = active/running ] ||
	unit_fail "the unit is not active/running after the postinst"
grep -q '^depsentry: ready$' "$DS_LOG" || unit_fail "the daemon never said it was ready"
pid=$(sd_host_pids depsentry.service) || fail "no process in the unit's cgroup"
[ "$(wc -w <<<"$pid")" -eq 1 ] || fail "the unit has more than one process: $pid"
[ "$(readlink "/proc/$pid/exe")" = /usr/sbin/depsentry ] ||
	fail "the unit runs $(readlink "/proc/$pid/exe"), not /usr/sbin/depsentry"
[ "$(stat -c %a /var/log/depsentry)" = 750 ] || fail "/var/log/depsentry is not 0750"
DS_PID=$pid

step "(c) an npm install whose postinstall runs whoami, alerted by the installed unit"
npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-recon postinstall.ran)" "the postinstall did not run"
a=$(wait_alert process.name=whoami package.name=ds-e2e-recon)
check_alert "$a" "the whoami alert is incomplete" \
	rule.id=pm-suspicious-child process.executable=/usr/bin/whoami \
	depsentry.lifecycle_event=postinstall depsentry.session.package_manager=npm \
	"depsentry.session.pid=$NPM_PID"
[ "$(stat -c %a "$ALERTS")" = 640 ] || fail "$ALERTS is not 0640"

step "(c) the prerm (remove) stops the unit cleanly"
DS_PID=
maintscript prerm remove
unit_stopped_clean "the prerm"
validate_alerts "$ALERTS"

# ---------------------------------------------------------------- (d) remove

step "(d) apt-get remove depsentry"
"${APT[@]}" remove depsentry >"$T/apt-remove.log" 2>&1 ||
	fail "apt-get remove failed: $(tail -n 30 "$T/apt-remove.log")"
[ "$(dpkg-query -W -f='${Status}' depsentry)" = "deinstall ok config-files" ] ||
	fail "after remove dpkg says '$(dpkg-query -W -f='${Status}' depsentry)'"
for f in /usr/sbin/depsentry "$UNIT" /usr/share/man/man8/depsentry.8.gz /usr/share/doc/depsentry; do
	[ ! -e "$f" ] || fail "$f is still there after remove"
done
cmp -s /etc/depsentry/depsentry.json "$SRC_ROOT/config/depsentry.json" ||
	fail "/etc/depsentry/depsentry.json did not stay, unchanged, after remove"
cmp -s /etc/logrotate.d/depsentry "$SRC_ROOT/config/depsentry.logrotate" ||
	fail "/etc/logrotate.d/depsentry did not stay, unchanged, after remove"
dpkg-query -W -f='${Conffiles}\n' depsentry | grep -q '^ /etc/depsentry/depsentry.json ' ||
	fail "after remove dpkg no longer lists /etc/depsentry/depsentry.json as a conffile"
[ -s /var/log/depsentry/alerts.json ] || fail "remove took the logs (Debian keeps them until purge)"
[ -L "$WANTS" ] || fail "remove took the unit's enablement (kept until purge)"

# ---------------------------------------------------------------- (e) purge

step "(e) apt-get purge depsentry"
# the status directory a daemon started by hand leaves (systemd removes
# the unit's own at stop)
mkdir -p /run/depsentry /var/lib/depsentry
"${APT[@]}" purge depsentry >"$T/apt-purge.log" 2>&1 ||
	fail "apt-get purge failed: $(tail -n 30 "$T/apt-purge.log")"
st=$(dpkg-query -W -f='${db:Status-Status}' depsentry 2>/dev/null || true)
[ -z "$st" ] || [ "$st" = not-installed ] || fail "after purge dpkg still has depsentry ($st)"
ls /var/lib/dpkg/info/depsentry.* >/dev/null 2>&1 &&
	fail "dpkg's files of depsentry are left: $(ls /var/lib/dpkg/info/depsentry.*)"
for f in "${FOOTPRINT[@]}" /run/depsentry /var/lib/depsentry; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is still there after purge"
done
echo "PASS $SCENARIO"
