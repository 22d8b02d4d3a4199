#!/bin/bash
# tests/kernels/run.sh: the BPF programs on the kernels users run, not only
# on the host's (which the end-to-end suite covers).
#
# For each kernel in KERNELS: take the newest Debian cloud image of that
# series (fetched with apt-get download by fetch.sh, cached outside the
# tree; a kernel that can be neither fetched nor found in the cache fails
# the test with the package's name and how to provide it), boot it
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
#   KERNELS               series:suite pairs
#                         ("5.10:bullseye 6.1:bookworm 6.12:bookworm-backports")
#   KERNELS_CACHE         kernel images and apt state (/var/cache/depsentry/kernels)
#   KERNELS_MIRROR        Debian mirror (http://deb.debian.org); a release
#                         that left it is on http://archive.debian.org
#   KERNELS_REFRESH=1     update the package lists even when they are recent
#   KERNELS_BOOT_TIMEOUT  seconds per boot (600); the guest stops itself, with
#                         what it has, 30 s before
#   KERNELS_QEMU_CPU      qemu's -cpu (max,-cx16: see below)
set -euo pipefail

cd "$(dirname "$0")/../.."
SRC_ROOT=$PWD
HERE=$SRC_ROOT/tests/kernels
ARCH=${KERNELS_ARCH:-amd64}
case $ARCH in
amd64)	OUT=$SRC_ROOT/build/kernels
	QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 TTY=ttyS0 KT_OUT=/dev/ttyS1
	KERNELS=${KERNELS:-5.10:bullseye 6.1:bookworm 6.12:bookworm-backports} ;;
arm64)	OUT=$SRC_ROOT/build/arm64/kernels
	QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm TTY=ttyAMA0 KT_OUT=/dev/ttyS0
	KERNELS=${KERNELS:-6.1:bookworm 6.12:bookworm-backports} ;;
*)	echo "run.sh: KERNELS_ARCH is amd64 or arm64, not '$ARCH'" >&2; exit 1 ;;
esac
CACHE=${KERNELS_CACHE:-/var/cache/depsentry/kernels}
BOOT_TIMEOUT=${KERNELS_BOOT_TIMEOUT:-600}
# QEMU 7.2's TCG (Debian 12's) mangles the flags after a cmpxchg16b with a
# segment prefix, which 6.12's SLUB runs in its allocation fast path: an
# idle 6.12 guest with nothing of ours in it panics within seconds (4 boots
# of 4). Without CX16 the kernel takes its locked path.
QEMU_CPU=${KERNELS_QEMU_CPU:-max,-cx16}
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

need_cmd "$QEMU" "$QEMU_PKG"
need_cmd mke2fs e2fsprogs
need_cmd cpio cpio
need_cmd busybox busybox-static
need_cmd apt-get apt
need_cmd dpkg-deb dpkg
need_cmd flock util-linux
[ -x "$PY" ] || fail "needs $PY: apt-get install python3"
for f in "$OUT/depsentry" "$OUT/kt-tool"; do
	[ -x "$f" ] || fail "no $f: run make test-kernels (test-kernels-arm64 for arm64)"
done

# ---------------------------------------------------------------- kernels

. "$HERE/fetch.sh"

# the guest's busybox: the host's for amd64, Debian's busybox-static for
# the other architecture (fetched like the kernels)
if [ "$ARCH" = amd64 ]; then
	BUSYBOX=$(command -v busybox)
	if ldd "$BUSYBOX" >/dev/null 2>&1; then
		fail "$BUSYBOX is linked dynamically: apt-get install busybox-static"
	fi
else
	BUSYBOX=$(busybox_fetch bookworm "$ARCH")
fi

# ---------------------------------------------------------------- the guest

# The test configuration: the shipped one, kpm as a package manager, and
# the response in detect mode (its programs load and judge; nothing the
# other checks look at is refused or stopped).
make_config()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$OUT/depsentry.json" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))
		c["package_managers"].append(
		    {"name": "kpm", "package_type": "kpm", "executables": ["kpm"]})
		c["response"]["mode"] = "detect"
		json.dump(c, open(sys.argv[2], "w"), indent="\t")
	EOF
	"$SRC_ROOT/build/kernels/depsentry" check-config -c "$OUT/depsentry.json" >/dev/null 2>&1 ||
		"$SRC_ROOT/build/depsentry" check-config -c "$OUT/depsentry.json" >/dev/null
}

make_initrd()
{
	local root=$OUT/root a

	rm -rf "$root"
	mkdir -p "$root"/{bin,lib/kt,etc,proc,sys,dev,tmp,run,mnt,var/lib}
	cp "$BUSYBOX" "$root/bin/busybox"
	# the applets of the host's busybox-static, which is the same release
	for a in $(busybox --list); do
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
# old, so that appending to it is an overwrite, not a creation. A registry
# token to read, and a site-packages to drop a .pth into.
make_disk()
{
	local src=$OUT/disk

	rm -rf "$src"
	mkdir -p "$src/proj/.github/workflows" "$src/proj/site-packages"
	echo "//registry.invalid/:_authToken=kt" >"$src/proj/.npmrc"
	echo "all:" >"$src/proj/Makefile"
	touch -d "2020-01-01 00:00:00" "$src/proj/Makefile"
	# orphan_file (e2fsprogs 1.47) is unknown to Linux before 5.15
	mke2fs -q -F -t ext4 -O ^orphan_file -L kt -d "$src" "$1" 16M >/dev/null
}

# boot KVER: boot it, check what it reports; 0 if every check passed
boot()
{
	local kver=$1 dir=$OUT/$1 rc=0 machine results
	local limit=$((BOOT_TIMEOUT > 60 ? BOOT_TIMEOUT - 30 : BOOT_TIMEOUT / 2))

	rm -rf "$dir"
	mkdir -p "$dir"
	make_disk "$dir/disk.img"
	if [ "$ARCH" = amd64 ]; then
		# the console is ttyS0, the results leave through ttyS1
		machine=(-cpu "$QEMU_CPU")
		results=(-serial "file:$dir/results.log")
	else
		# virt has one UART (the console): the results leave through a
		# PCI 16550, the guest's ttyS0
		machine=(-M virt -cpu max)
		results=(-chardev "file,id=kt,path=$dir/results.log" -device pci-serial,chardev=kt)
	fi
	timeout -k 10 "$BOOT_TIMEOUT" "$QEMU" "${machine[@]}" \
		-nodefaults -no-user-config -accel tcg -m 512 -smp 1 \
		-display none -monitor none -no-reboot \
		-serial "file:$dir/console.log" "${results[@]}" \
		-kernel "$CACHE/$kver/vmlinuz" -initrd "$OUT/initrd.gz" \
		-append "console=$TTY quiet loglevel=3 panic=-1 kt_limit=$limit kt_out=$KT_OUT" \
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
	kver=$(kernel_fetch "${k%%:*}" "${k#*:}" "$ARCH") || exit 1
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
