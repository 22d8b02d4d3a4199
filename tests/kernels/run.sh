#!/bin/bash
# tests/kernels/run.sh: the BPF programs on the kernels users run, not only
# on the host's (which the end-to-end suite covers).
#
# For each kernel in KERNELS: take the newest Debian cloud image of that
# series (fetched with apt-get download, cached outside the tree), boot it
# under qemu (TCG) with an initramfs of busybox, the statically linked
# daemon, kt-tool and the guest scripts (tests/kernels/guest/), and a fresh
# ext4 disk for the watched files. The guest exercises every hook and
# writes what it saw to its second serial port; verify.py checks it. A boot
# that does not finish within KERNELS_BOOT_TIMEOUT seconds is a failure.
#
# Prints PASS or FAIL per kernel, then `kernels: N passed, N failed`; exit
# 1 if any failed. Artifacts per kernel in build/kernels/KVER/ (console.log,
# results.log, alerts.json, daemon.log).
#
# Knobs (environment):
#   KERNELS               series:suite pairs ("5.10:bullseye 6.1:bookworm")
#   KERNELS_CACHE         kernel images and apt state (/var/cache/depsentry/kernels)
#   KERNELS_MIRROR        Debian mirror (http://deb.debian.org)
#   KERNELS_REFRESH=1     update the package lists even when they are recent
#   KERNELS_BOOT_TIMEOUT  seconds per boot (300); the guest stops itself, with
#                         what it has, 30 s before
set -euo pipefail

cd "$(dirname "$0")/../.."
SRC_ROOT=$PWD
HERE=$SRC_ROOT/tests/kernels
OUT=$SRC_ROOT/build/kernels
CACHE=${KERNELS_CACHE:-/var/cache/depsentry/kernels}
MIRROR=${KERNELS_MIRROR:-http://deb.debian.org}
BOOT_TIMEOUT=${KERNELS_BOOT_TIMEOUT:-300}
KERNELS=${KERNELS:-5.10:bullseye 6.1:bookworm}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
LISTS_MAX_AGE=720		# minutes before the package lists are updated again
PY=/usr/bin/python3

fail()
{
	echo "run.sh: $*" >&2
	exit 1
}

need_cmd()
{
	command -v "$1" >/dev/null 2>&1 ||
		fail "needs '$1': apt-get install $2 (make deps installs it)"
}

need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd mke2fs e2fsprogs
need_cmd cpio cpio
need_cmd busybox busybox-static
need_cmd apt-get apt
need_cmd dpkg-deb dpkg
need_cmd flock util-linux
[ -x "$PY" ] || fail "needs $PY: apt-get install python3"
[ -f "$KEYRING" ] || fail "needs $KEYRING: apt-get install debian-archive-keyring"
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	fail "$BUSYBOX is linked dynamically: apt-get install busybox-static"
fi
for f in "$OUT/depsentry" "$OUT/kt-tool"; do
	[ -x "$f" ] || fail "no $f: run make test-kernels"
done

# ---------------------------------------------------------------- kernels

# apt_setup SUITE: APT, the options of a private apt for SUITE and its
# security updates; nothing of the host's apt configuration is read or
# changed.
apt_setup()
{
	local d=$CACHE/apt-$1

	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/prefs"
	cat >"$d/sources.list" <<-EOF
		deb [signed-by=$KEYRING] $MIRROR/debian $1 main
		deb [signed-by=$KEYRING] $MIRROR/debian-security $1-security main
	EOF
	APT=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
	     -o "Dir::Etc::PreferencesParts=$d/prefs" -o "Dir::Etc::Preferences=$d/prefs/none"
	     -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
	     -o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root"
	     -o "Acquire::Languages=none")
	if [ "${KERNELS_REFRESH:-0}" = 1 ] ||
	   [ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin "-$LISTS_MAX_AGE")" ]; then
		echo "   apt-get update ($1)" >&2
		apt-get "${APT[@]}" -qq update >&2 ||
			echo "   apt-get update failed for $1: using what is cached" >&2
	fi
}

# fetch_kernel SERIES SUITE: print the release of the newest cloud image
# of SERIES (5.10, 6.1) that SUITE has, after making sure that
# $CACHE/RELEASE/vmlinuz is there; older releases of the series go.
fetch_kernel()
{
	local series=$1 suite=$2 pkg kver tmp old
	local re="^linux-image-${series//./\\.}\\.0-[0-9]+-cloud-amd64\$"

	apt_setup "$suite"
	pkg=$(apt-cache "${APT[@]}" pkgnames "linux-image-$series.0-" 2>/dev/null |
		grep -E "$re" | sort -V | tail -n 1) || true
	if [ -z "$pkg" ]; then
		kver=$(cd "$CACHE" && ls -d "$series".0-*-cloud-amd64 2>/dev/null |
			sort -V | tail -n 1) || true
		[ -n "$kver" ] && [ -f "$CACHE/$kver/vmlinuz" ] ||
			fail "no linux-image-$series.0-*-cloud-amd64 in $suite, and none cached in $CACHE"
		echo "   $suite: no package list; using the cached $kver" >&2
		echo "$kver"
		return
	fi
	kver=${pkg#linux-image-}
	if [ ! -f "$CACHE/$kver/vmlinuz" ]; then
		echo "   apt-get download $pkg" >&2
		tmp=$(mktemp -d "$CACHE/download.XXXXXX")
		(cd "$tmp" && apt-get "${APT[@]}" -qq download "$pkg" >&2) ||
			fail "apt-get download $pkg failed"
		dpkg-deb --fsys-tarfile "$tmp"/*.deb |
			tar -x -C "$tmp" "./boot/vmlinuz-$kver" "./boot/config-$kver"
		mkdir -p "$CACHE/$kver"
		mv "$tmp/boot/config-$kver" "$CACHE/$kver/config"
		mv "$tmp/boot/vmlinuz-$kver" "$CACHE/$kver/vmlinuz"
		rm -rf "$tmp"
	fi
	for old in "$CACHE/$series".0-*-cloud-amd64; do
		[ "$old" = "$CACHE/$kver" ] || rm -rf "$old"
	done
	echo "$kver"
}

# ---------------------------------------------------------------- the guest

# The test configuration: the shipped one, and kpm as a package manager.
make_config()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$OUT/depsentry.json" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))
		c["package_managers"].append(
		    {"name": "kpm", "package_type": "kpm", "executables": ["kpm"]})
		json.dump(c, open(sys.argv[2], "w"), indent="\t")
	EOF
	"$OUT/depsentry" check-config -c "$OUT/depsentry.json" >/dev/null
}

make_initrd()
{
	local root=$OUT/root a

	rm -rf "$root"
	mkdir -p "$root"/{bin,lib/kt,etc,proc,sys,dev,tmp,run,mnt}
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp "$OUT/depsentry" "$OUT/kt-tool" "$root/bin/"
	install -m 0755 "$HERE/guest/init" "$root/init"
	install -m 0755 "$HERE/guest/kpm" "$root/bin/kpm"
	install -m 0644 "$HERE/guest/lib.sh" "$HERE/guest/detached" "$root/lib/kt/"
	cp "$OUT/depsentry.json" "$root/etc/depsentry.json"
	echo "nameserver 127.0.0.53" >"$root/etc/resolv.conf"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$OUT/initrd.gz"
}

# make_disk IMG: an ext4 filesystem with a project to watch. The Makefile is
# old, so that appending to it is an overwrite, not a creation.
make_disk()
{
	local src=$OUT/disk

	rm -rf "$src"
	mkdir -p "$src/proj/.github/workflows"
	echo "all:" >"$src/proj/Makefile"
	touch -d "2020-01-01 00:00:00" "$src/proj/Makefile"
	# orphan_file (e2fsprogs 1.47) is unknown to Linux before 5.15
	mke2fs -q -F -t ext4 -O ^orphan_file -L kt -d "$src" "$1" 16M >/dev/null
}

# boot KVER: boot it, check what it reports; 0 if every check passed
boot()
{
	local kver=$1 dir=$OUT/$1 rc=0
	local limit=$((BOOT_TIMEOUT > 60 ? BOOT_TIMEOUT - 30 : BOOT_TIMEOUT / 2))

	rm -rf "$dir"
	mkdir -p "$dir"
	make_disk "$dir/disk.img"
	timeout -k 10 "$BOOT_TIMEOUT" qemu-system-x86_64 \
		-nodefaults -no-user-config -accel tcg -cpu max -m 512 -smp 1 \
		-display none -monitor none -no-reboot \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		-kernel "$CACHE/$kver/vmlinuz" -initrd "$OUT/initrd.gz" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 kt_limit=$limit" \
		-drive "file=$dir/disk.img,if=none,format=raw,id=disk" \
		-device nvme,drive=disk,serial=kt >"$dir/qemu.log" 2>&1 || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "  FAIL  the guest did not finish within $BOOT_TIMEOUT s (a hang)"
	elif [ "$rc" -ne 0 ]; then
		echo "  FAIL  qemu exited with $rc:"
		sed 's/^/  | /' "$dir/qemu.log"
	fi
	"$PY" "$HERE/verify.py" "$dir/results.log" "$dir" || rc=1
	if [ "$rc" -ne 0 ]; then
		echo "== console ($dir/console.log, last 40 lines)"
		tr -d '\r' <"$dir/console.log" | tail -n 40 | sed 's/^/  | /'
	fi
	return "$rc"
}

# ---------------------------------------------------------------- main

mkdir -p "$OUT" "$CACHE"
make_config
make_initrd

kvers=()
exec 8>"$CACHE/.lock"
flock 8
for k in $KERNELS; do
	kver=$(fetch_kernel "${k%%:*}" "${k#*:}") || exit 1
	kvers+=("$kver")
done
flock -u 8

pass=0
failed=()
for kver in "${kvers[@]}"; do
	start=$SECONDS
	if boot "$kver" >"$OUT/$kver.log" 2>&1; then
		printf 'PASS  %-26s %3ds\n' "$kver" $((SECONDS - start))
		pass=$((pass + 1))
	else
		printf 'FAIL  %-26s %3ds  (log: %s)\n' "$kver" $((SECONDS - start)) \
			"$OUT/$kver.log"
		sed 's/^/    /' "$OUT/$kver.log"
		failed+=("$kver")
	fi
done

echo "kernels: ${pass} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
