#!/bin/bash
# Start-up files planted by install sessions, re-enacted with a fake HOME
# and a root the test owns ($VT/root: never the machine's /etc). npm
# installs a package whose postinstall, like Nx "s1ngularity", appends
# `sudo shutdown -h 0` to ~/.bashrc (node, then a shell: one alert) and
# ~/.zshrc, writes $ROOT/etc/profile.d/ds-e2e.sh, authorizes an SSH key and
# moves the project's git hooks (git config core.hooksPath): one
# install-persistence alert per file, critical for the shell files, high
# for the others, with the package and the npm session. In a virtual
# environment (Debian's python3), pip installs an sdist whose setup.py
# drops a .pth that runs code into site-packages: high, the pip session.
# Outside any install, a .pth that runs code and $ROOT/etc/ld.so.preload
# are alerted too. Quiet: npm unpacking the package's own .profile, pip
# installing a wheel that ships a .pth with an import line, the test
# itself appending to ~/.bashrc and writing a .pth that only adds a path,
# and `python3 -m venv` (ensurepip's pip writing setuptools' .pth).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

P=install-persistence
files_scratch
tgz=$(npm_pack persist-write)
sdist=$(pip_sdist pth-drop)
home=$VT/home root=$VT/root venv=$VT/venv
mkdir -p "$home/.ssh" "$root/etc"
echo '# bashrc' >"$home/.bashrc"
echo '# zshrc' >"$home/.zshrc"
proj=$(repo_init proj)
step "a virtual environment of Debian's python3, and a wheel that ships a .pth"
"$PY" -m venv "$venv" >"$T/venv.log" 2>&1 || fail "python3 -m venv failed: $(cat "$T/venv.log")"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
wheel=$T/pkgs/ds_e2e_legit_pth-1.0-py3-none-any.whl
"$PY" - "$wheel" <<'PYEOF'
import sys, zipfile
info = "ds_e2e_legit_pth-1.0.dist-info"
files = {
    "ds_e2e_legit_pth.pth": "import sys; sys.flags\n",
    "ds_e2e_legit_pth/__init__.py": "",
    f"{info}/METADATA": "Metadata-Version: 2.1\nName: ds-e2e-legit-pth\nVersion: 1.0\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: ds-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
PYEOF
canary_prepare
ds_start

step "outside any install: the test appends to ~/.bashrc, adds a path .pth, makes a venv"
echo '# mine' >>"$home/.bashrc"
echo "$VT/extra" >"$site/ds_e2e_path.pth"
"$PY" -m venv "$VT/venv2" >"$T/venv2.log" 2>&1 || fail "python3 -m venv failed: $(cat "$T/venv2.log")"

step "outside any install: a .pth that runs code, and ld.so.preload under $root"
sh_in "$VT" "echo 'import os' >'$site/ds_e2e_outside.pth'"
out_pth_pid=$RUN_PID
sh_in "$VT" "echo /lib/ds-e2e.so >'$root/etc/ld.so.preload'"
out_preload_pid=$RUN_PID

saved_home=$HOME
export HOME=$home DS_E2E_ROOT=$root
npm_install "$proj" "$tgz"
export HOME=$saved_home
npm_pid=$NPM_PID
require_file "$(installed "$proj" ds-e2e-persist postinstall.ran)" "the postinstall did not run"
require_file "$(installed "$proj" ds-e2e-persist dotfiles/.profile)" "npm did not unpack the package's .profile"

venv_pip() # ARG...: the venv's pip, offline; PIP_PID is its pid
{
	local rc=0

	step "pip install $* (the venv's)"
	"$venv/bin/python" -m pip install --no-index --no-cache-dir "$@" >>"$T/pip.log" 2>&1 &
	PIP_PID=$!
	wait "$PIP_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "pip install exited with status $rc: $(tail -n 20 "$T/pip.log")"
}
venv_pip --no-build-isolation "$sdist"
evil_pip=$PIP_PID
require_file "$site/ds_e2e_evil.pth" "setup.py did not drop its .pth"
venv_pip "$wheel"
require_file "$site/ds_e2e_legit_pth.pth" "pip did not install the wheel's .pth"

persist_alert() # PATH SEVERITY ACTION COND...: the alert for PATH, checked
{
	local path=$1 sev=$2 action=$3 a

	shift 3
	step "the install-persistence alert for $path"
	a=$(wait_alert rule.id=$P "file.path=$path")
	check_alert "$a" "the alert for $path is incomplete" \
		event.kind=alert "event.action=$action" \
		--expr 'f("event.category") == ["file", "intrusion_detection"]' \
		"file.name=${path##*/}" "file.directory=${path%/*}" file.type=file \
		"depsentry.severity=$sev" depsentry.file.pattern? event.reason? \
		rule.ruleset=T1546.004 threat.tactic.id.0=TA0003 "$@"
}

npm=(package.name=ds-e2e-persist package.version=1.4.0 depsentry.lifecycle_event=postinstall
	depsentry.session.package_manager=npm "depsentry.session.pid=$npm_pid"
	depsentry.file.writer=install-session)
# node's append is held while node lives: the shell's, out first, is the one
persist_alert "$home/.bashrc" critical overwrite "${npm[@]}" 'process.name~^(node|dash)$' \
	'event.reason=shell start-up file'
persist_alert "$home/.zshrc" critical overwrite "${npm[@]}" process.name=node
persist_alert "$root/etc/profile.d/ds-e2e.sh" critical creation "${npm[@]}" process.name=node \
	'depsentry.file.pattern=*/etc/profile.d/*'
persist_alert "$home/.ssh/authorized_keys" high creation "${npm[@]}" \
	'event.reason=SSH authorized key'
persist_alert "$proj/.git/config" high rename "${npm[@]}" process.name=git \
	'event.reason~core.hooksPath'
persist_alert "$site/ds_e2e_evil.pth" high creation depsentry.session.package_manager=pip \
	"depsentry.session.pid=$evil_pip" "process.pid!=$evil_pip" process.name~'^python' \
	depsentry.file.writer=install-session 'event.reason=Python start-up file'
persist_alert "$site/ds_e2e_outside.pth" high creation "process.pid=$out_pth_pid" \
	'!depsentry.session.pid?' 'event.reason=Python start-up file that runs code'
persist_alert "$root/etc/ld.so.preload" critical creation "process.pid=$out_preload_pid" \
	'!depsentry.session.pid?' 'event.reason=dynamic linker preload'

barrier
step "one alert per session and file; nothing for the benign writes"
n=$(alert_count rule.id=$P "file.path=$home/.bashrc")
[ "$n" -eq 1 ] || fail "the fake .bashrc: $n alerts, expected 1 (the session's; node and sh folded, the test's quiet)"
for quiet in "$site/ds_e2e_path.pth" "$site/ds_e2e_legit_pth.pth"; do
	assert_none "$quiet was alerted" rule.id=$P "file.path=$quiet"
done
assert_none "npm unpacking the package's .profile was alerted" rule.id=$P 'file.path~/node_modules/'
assert_none "python3 -m venv was alerted" rule.id=$P "file.path~^$VT/venv2/"
assert_none "pip itself was alerted" rule.id=$P "process.pid=$PIP_PID"
n=$(alert_count rule.id=$P --expr "$MINE")
[ "$n" -eq 8 ] || fail "$n install-persistence alerts, expected 8"
ds_finish
