#!/bin/bash
# make install and make uninstall, into a DESTDIR.
# (a) PREFIX=/usr: the binary (0755, the one built), the unit with its
#     paths under /usr, the man page, the documentation and the default
#     configuration as /etc/depsentry/depsentry.json (0644); the logrotate
#     file exactly when config/depsentry.logrotate exists. The installed
#     binary accepts the installed configuration. The man page renders
#     without a warning, has every section, and every figure of its
#     OVERHEAD section is in docs/PERFORMANCE.md.
# (b) An edited configuration survives a second install (which says it
#     kept it).
# (c) The default PREFIX (/usr/local) and LOGROTATE=FILE: the unit names
#     /usr/local/sbin/depsentry, the logrotate file is that FILE.
# (d) make uninstall removes what install put, and keeps the configuration.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"

need_cmd make make
need_cmd groff groff-base
unset MAKEFLAGS MAKELEVEL MFLAGS

# mk LOG ARG...: make -C the source tree ARG..., its output in $T/LOG.
mk()
{
	local log=$T/$1

	shift
	make -s -C "$SRC_ROOT" "$@" >"$log" 2>&1 || fail "make $* failed: $(tail -n 20 "$log")"
}

# installed PATH MODE [SOURCE]: PATH is a file of mode MODE (and a copy of
# SOURCE).
installed()
{
	[ -f "$1" ] || fail "not installed: $1"
	[ "$(stat -c %a "$1")" = "$2" ] || fail "$1 has mode $(stat -c %a "$1"), expected $2"
	[ -z "${3:-}" ] || cmp -s "$1" "$3" || fail "$1 is not a copy of $3"
}

root=$T/root
step "(a) make install PREFIX=/usr DESTDIR=$root"
mk install.log install PREFIX=/usr DESTDIR="$root"
installed "$root/usr/sbin/depsentry" 755 "$DEPSENTRY"
installed "$root/etc/depsentry/depsentry.json" 644 "$SRC_ROOT/config/depsentry.json"
installed "$root/usr/share/man/man8/depsentry.8" 644 "$MAN_SRC"
installed "$root/usr/share/doc/depsentry/README.md" 644 "$SRC_ROOT/README.md"
installed "$root/usr/share/doc/depsentry/depsentry.json" 644 "$SRC_ROOT/config/depsentry.json"
for doc in "$SRC_ROOT"/docs/*.md; do
	installed "$root/usr/share/doc/depsentry/docs/${doc##*/}" 644 "$doc"
done
unit=$root/usr/lib/systemd/system/depsentry.service
installed "$unit" 644
sed -e 's|/usr/local/sbin/|/usr/sbin/|g' -e 's|/usr/local/share/|/usr/share/|g' "$UNIT_SRC" |
	cmp -s - "$unit" || fail "the installed unit is not the source with /usr paths: $(diff "$UNIT_SRC" "$unit")"
grep -qx 'ExecStart=/usr/sbin/depsentry run' "$unit" || fail "ExecStart= does not follow PREFIX"
grep -q /usr/local "$unit" && fail "the installed unit still names /usr/local: $(grep /usr/local "$unit")"
docurl=$(sed -n 's|^Documentation=.*file://\([^ ]*\).*|\1|p' "$unit")
[ -f "$root$docurl" ] || fail "Documentation= names $docurl, which was not installed"
if [ -f "$SRC_ROOT/config/depsentry.logrotate" ]; then
	installed "$root/etc/logrotate.d/depsentry" 644 "$SRC_ROOT/config/depsentry.logrotate"
else
	[ ! -e "$root/etc/logrotate.d/depsentry" ] || fail "a logrotate file was installed from nowhere"
fi
out=$("$root/usr/sbin/depsentry" check-config -c "$root/etc/depsentry/depsentry.json" 2>&1) ||
	fail "the installed binary refuses the installed configuration: $out"

step "the man page: no warning, every section, figures from docs/PERFORMANCE.md"
out=$(groff -man -ww -z "$root/usr/share/man/man8/depsentry.8" 2>&1)
[ -z "$out" ] || fail "groff warns about depsentry.8: $out"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES SIGNALS "EXIT STATUS" \
	OVERHEAD SECURITY "SEE ALSO"; do
	grep -qx "\.SH \"*$section\"*" "$MAN_SRC" || fail "depsentry.8 has no $section section"
done
figures=$(sed -n '/^\.SH OVERHEAD/,/^\.SH /p' "$MAN_SRC" | grep -oE '[0-9]+\.[0-9]+' | sort -u)
[ -n "$figures" ] || fail "the OVERHEAD section states no figure"
for n in $figures; do
	grep -qF "$n" "$SRC_ROOT/docs/PERFORMANCE.md" ||
		fail "OVERHEAD in depsentry.8 states $n, which docs/PERFORMANCE.md does not"
done

step "(b) an edited configuration survives a second install"
"$PY" - "$root/etc/depsentry/depsentry.json" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["min_severity"] = "high"
json.dump(cfg, open(sys.argv[1], "w"), indent="\t")
EOF
cp "$root/etc/depsentry/depsentry.json" "$T/edited.json"
cmp -s "$T/edited.json" "$SRC_ROOT/config/depsentry.json" && fail "the edit changed nothing"
mk install2.log install PREFIX=/usr DESTDIR="$root"
cmp -s "$root/etc/depsentry/depsentry.json" "$T/edited.json" ||
	fail "a second make install replaced the edited configuration"
grep -q "KEEP .*/etc/depsentry/depsentry.json" "$T/install2.log" ||
	fail "the second make install did not say it kept the configuration: $(cat "$T/install2.log")"
installed "$root/usr/sbin/depsentry" 755 "$DEPSENTRY"

step "(c) the default PREFIX, and LOGROTATE=FILE"
printf '/var/log/depsentry/alerts.json {\n\tweekly\n}\n' >"$T/test.logrotate"
mk install3.log install DESTDIR="$T/root2" LOGROTATE="$T/test.logrotate"
installed "$T/root2/usr/local/sbin/depsentry" 755 "$DEPSENTRY"
installed "$T/root2/usr/local/lib/systemd/system/depsentry.service" 644 "$UNIT_SRC"
installed "$T/root2/usr/local/share/man/man8/depsentry.8" 644 "$MAN_SRC"
installed "$T/root2/etc/logrotate.d/depsentry" 644 "$T/test.logrotate"

step "(d) make uninstall keeps only the configuration"
mk uninstall.log uninstall PREFIX=/usr DESTDIR="$root"
left=$(cd "$root" && find . -type f | sort)
[ "$left" = "./etc/depsentry/depsentry.json" ] || fail "make uninstall left: $left"
cmp -s "$root/etc/depsentry/depsentry.json" "$T/edited.json" ||
	fail "make uninstall changed the configuration"
mk uninstall2.log uninstall DESTDIR="$T/root2"
left=$(cd "$T/root2" && find . -type f | sort)
[ "$left" = "./etc/depsentry/depsentry.json" ] || fail "make uninstall (PREFIX /usr/local) left: $left"
echo "PASS $SCENARIO"
