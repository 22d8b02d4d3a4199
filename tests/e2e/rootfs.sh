#!/bin/bash
# tests/e2e/rootfs.sh: the root filesystem of the e2e containers, a Debian
# 12 (bookworm) made by debootstrap from Debian's own packages, with the
# package managers a container install runs: nodejs and npm (Debian's:
# node 18, npm 9), python3 with pip and venv, dash and coreutils.
#
# It is built once per checkout and cached in build/rootfs/:
#
#   build/rootfs/bookworm/        the root filesystem (read-only use: the
#                                 containers mount it as an overlay's
#                                 lower layer, see container.sh)
#   build/rootfs/bookworm.stamp   written last, after the build and its
#                                 checks passed: what was built. Without it
#                                 (an interrupted build) or with another
#                                 recipe in it, the tree is built again.
#   build/rootfs/bookworm.log     the last build's output
#   build/rootfs/.lock            flock: one build at a time, and no
#                                 scenario uses a tree half built
#
# Two ways to use it:
#
#   tests/e2e/rootfs.sh build     build if needed, print the root's path
#   tests/e2e/rootfs.sh path      print the path, fail if it is not built
#   tests/e2e/rootfs.sh clean     remove build/rootfs/
#
#   . tests/e2e/rootfs.sh; rootfs_ensure   (sourced: container.sh does)
#
# The packages come from the Debian mirror the machine's apt uses (its
# sources.list.d/*.sources or sources.list; E2E_ROOTFS_MIRROR overrides),
# the one mirror the test machines reach. A build takes a few minutes and
# a few hundred MB (npm alone is some 300 node-* packages in Debian).
#
# Knobs: E2E_ROOTFS_MIRROR (the mirror's URL), E2E_ROOTFS_LOCK_TIMEOUT
# (1800 s: how long to wait for another build to finish).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# run as a command: the little of lib.sh it needs
	set -euo pipefail
	shopt -s inherit_errexit
	SRC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	# shellcheck disable=SC2034 # lib.sh's name, for what rootfs.sh shares with it
	SCENARIO=rootfs
	fail()
	{
		echo "FAIL: rootfs.sh: $*" >&2
		exit 1
	}
	step()
	{
		echo "-- $*"
	}
fi

ROOTFS_SUITE=bookworm
ROOTFS_VARIANT=minbase
# Installed with apt inside the new root (apt resolves the dependencies,
# alternatives and virtual packages of npm's 300 node-* packages, which
# debootstrap --include does not do reliably), without recommends.
ROOTFS_PACKAGES="nodejs npm python3 python3-pip python3-venv dash coreutils procps"
# Bump when the tree's content changes in a way the package list does not
# show (a file written after the install): every checkout builds it again.
ROOTFS_RECIPE_VERSION=1
ROOTFS_CACHE=$SRC_ROOT/build/rootfs
ROOTFS=$ROOTFS_CACHE/$ROOTFS_SUITE
ROOTFS_STAMP=$ROOTFS.stamp
ROOTFS_LOG=$ROOTFS.log
ROOTFS_LOCK_TIMEOUT=${E2E_ROOTFS_LOCK_TIMEOUT:-1800}
ROOTFS_DEFAULT_MIRROR=http://deb.debian.org/debian

# _rootfs_recipe: what the stamp records; a tree whose stamp says something
# else is built again. The mirror is not in it: any Debian mirror gives the
# same suite.
_rootfs_recipe()
{
	printf 'recipe=%s suite=%s variant=%s arch=%s packages=%s\n' "$ROOTFS_RECIPE_VERSION" \
		"$ROOTFS_SUITE" "$ROOTFS_VARIANT" "$(dpkg --print-architecture)" "$ROOTFS_PACKAGES"
}

# rootfs_mirror: the URL of the Debian archive the machine's apt fetches
# $ROOTFS_SUITE from, so that the build reaches only what apt reaches.
rootfs_mirror()
{
	local f uri=''

	if [ -n "${E2E_ROOTFS_MIRROR:-}" ]; then
		printf '%s\n' "$E2E_ROOTFS_MIRROR"
		return 0
	fi
	# deb822 stanzas: the first enabled "Types: deb" one whose Suites has
	# the suite itself (not bookworm-security: another archive)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v suite="$ROOTFS_SUITE" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
				    tolower(enabled) != "no" && uris != "" && !found) {
					split(uris, u, " "); print u[1]; found = 1
				}
				types = suites = uris = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); sub(/:$/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types") types = val
				else if (key == "suites") suites = val
				else if (key == "uris") uris = val
				else if (key == "enabled") enabled = val
			}
			END { flush() }' "$f")
		[ -z "$uri" ] || break
	done
	# one-line style: deb [options] URI SUITE COMPONENT...
	if [ -z "$uri" ]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			uri=$(awk -v suite="$ROOTFS_SUITE" '
				$1 != "deb" { next }
				{ i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } }
				$(i + 1) == suite { print $i; exit }' "$f")
			[ -z "$uri" ] || break
		done
	fi
	printf '%s\n' "${uri:-$ROOTFS_DEFAULT_MIRROR}"
}

# _rootfs_umount_under DIR: unmount whatever is mounted at or below DIR,
# deepest first (left by a build killed in a way its mount namespace did
# not end with it), so that rm never walks into a /proc or a /dev.
_rootfs_umount_under()
{
	local m

	findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1 || $0 == d' | sort -r |
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" ||
				fail "cannot unmount $m (below $1)"
		done
}

# _rootfs_remove DIR: remove a (partial) tree, never leaving its file system.
_rootfs_remove()
{
	[ -e "$1" ] || return 0
	_rootfs_umount_under "$1"
	rm -rf --one-file-system "$1" || fail "cannot remove $1"
}

# _rootfs_in_root DIR CMD...: run CMD chrooted in DIR with /proc, /dev,
# /tmp and /run of its own, in private mount and pid namespaces: when CMD
# ends every mount is gone with them, whatever killed it, and apt's
# maintainer scripts see no process of the host.
_rootfs_in_root()
{
	local dir=$1

	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private --pid --fork --kill-child /bin/sh -c '
		set -e
		r=$1
		shift
		mount -t proc proc "$r/proc"
		mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
		mount -t tmpfs -o mode=755 tmpfs "$r/run"
		# debootstrap made the device nodes; a pts instance of its own for
		# the terminal apt gives dpkg
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
		exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"' rootfs-chroot "$dir" "$@"
}

# _rootfs_check DIR: the tree runs what the containers need: node, npm,
# python3 with pip and venv, and npm 9 runs a package's preinstall script
# when it installs a local tarball offline (Debian's npm has no
# allowScripts gate).
_rootfs_check()
{
	# shellcheck disable=SC2016 # expanded by the shell in the new root
	_rootfs_in_root "$1" /bin/sh -euc '
		node -v
		npm -v
		python3 -V
		python3 -m pip --version
		python3 -m venv --help >/dev/null
		mkdir -p /tmp/c/pkg /tmp/c/proj
		cd /tmp/c/pkg
		cat >package.json <<EOF
{ "name": "ds-rootfs-check", "version": "1.0.0",
  "scripts": { "preinstall": "id >preinstall.ran" } }
EOF
		export npm_config_cache=/tmp/c/cache npm_config_update_notifier=false
		npm pack --silent --pack-destination /tmp/c >/dev/null
		cd /tmp/c/proj
		npm install --offline --no-audit --no-fund /tmp/c/ds-rootfs-check-1.0.0.tgz
		ran=node_modules/ds-rootfs-check/preinstall.ran
		test -s "$ran" || { echo "npm did not run the preinstall script" >&2; exit 1; }
		echo "preinstall ran: $(cat "$ran")"'
}

# _rootfs_build: debootstrap into a new directory, install the packages,
# check, then move it in place and write the stamp. Called with the lock.
_rootfs_build()
{
	local new=$ROOTFS.new mirror start size

	need_cmd debootstrap debootstrap
	need_cmd chroot coreutils
	need_cmd findmnt util-linux
	mirror=$(rootfs_mirror)
	start=$SECONDS
	step "build the container root filesystem: debootstrap $ROOTFS_SUITE from $mirror (log: $ROOTFS_LOG)"
	rm -f "$ROOTFS_STAMP"
	_rootfs_remove "$new"
	_rootfs_remove "$ROOTFS"
	: >"$ROOTFS_LOG"
	# in a mount namespace of its own: the /proc and /sys debootstrap
	# mounts in the target die with it even if it is killed
	unshare --mount --propagation private debootstrap --variant="$ROOTFS_VARIANT" \
		"$ROOTFS_SUITE" "$new" "$mirror" >>"$ROOTFS_LOG" 2>&1 ||
		fail "debootstrap $ROOTFS_SUITE $mirror failed: $(tail -n 15 "$ROOTFS_LOG")"
	echo "   debootstrap done in $((SECONDS - start))s"
	# debootstrap copied the host's resolv.conf in: apt in the chroot uses it
	_rootfs_in_root "$new" /bin/sh -euc '
		apt-get -q update
		apt-get -q install -y --no-install-recommends '"$ROOTFS_PACKAGES"'
		apt-get clean
		rm -rf /var/lib/apt/lists/*' >>"$ROOTFS_LOG" 2>&1 ||
		fail "apt-get install $ROOTFS_PACKAGES in the new root failed: $(tail -n 15 "$ROOTFS_LOG")"
	# A container's files, not the host's: each container writes its own
	# resolv.conf and hostname in its upper layer too (container.sh).
	printf 'nameserver 127.0.0.1\n' >"$new/etc/resolv.conf"
	printf 'ds-e2e\n' >"$new/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$new/etc/hosts"
	_rootfs_check "$new" >>"$ROOTFS_LOG" 2>&1 ||
		fail "the new root does not work: $(tail -n 15 "$ROOTFS_LOG")"
	mv -T "$new" "$ROOTFS" || fail "cannot move $new to $ROOTFS"
	size=$(du -sm --one-file-system "$ROOTFS" | cut -f1)
	# last: the tree is complete and checked
	_rootfs_recipe >"$ROOTFS_STAMP.tmp"
	mv -f "$ROOTFS_STAMP.tmp" "$ROOTFS_STAMP"
	echo "   root filesystem built in $((SECONDS - start))s, ${size} MB: $ROOTFS" |
		tee -a "$ROOTFS_LOG"
	grep -E '^(v[0-9]|[0-9]+\.[0-9]|Python|pip|preinstall ran)' "$ROOTFS_LOG" | sed 's/^/   /'
}

# rootfs_built: the cached tree is complete and of this recipe.
rootfs_built()
{
	[ -d "$ROOTFS" ] && [ -f "$ROOTFS_STAMP" ] &&
		[ "$(cat "$ROOTFS_STAMP")" = "$(_rootfs_recipe)" ]
}

# rootfs_ensure: build the root filesystem unless it is cached, and print
# its path on stdout (progress goes to stderr). A build in progress in
# another scenario is waited for (flock), not started twice.
rootfs_ensure()
{
	local lockfd

	[ "$(id -u)" -eq 0 ] || fail "building the container root filesystem needs root"
	mkdir -p "$ROOTFS_CACHE"
	exec {lockfd}>"$ROOTFS_CACHE/.lock"
	if ! flock -n "$lockfd"; then
		echo "   waiting for another build of $ROOTFS (lock $ROOTFS_CACHE/.lock)" >&2
		flock -w "$ROOTFS_LOCK_TIMEOUT" "$lockfd" ||
			fail "another build of $ROOTFS held the lock for ${ROOTFS_LOCK_TIMEOUT}s"
	fi
	if ! rootfs_built; then
		_rootfs_build >&2
	fi
	exec {lockfd}>&-
	printf '%s\n' "$ROOTFS"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	need_cmd()
	{
		command -v "$1" >/dev/null 2>&1 ||
			fail "needs '$1': apt-get install $2 (and add it to DEBS in the Makefile)"
	}
	case ${1:-} in
	build) rootfs_ensure ;;
	path)
		rootfs_built || fail "$ROOTFS is not built (or not complete): tests/e2e/rootfs.sh build"
		printf '%s\n' "$ROOTFS"
		;;
	clean)
		[ -d "$ROOTFS_CACHE" ] || exit 0
		exec {lockfd}>"$ROOTFS_CACHE/.lock"
		flock -w "$ROOTFS_LOCK_TIMEOUT" "$lockfd" || fail "$ROOTFS_CACHE is locked"
		rm -f "$ROOTFS_STAMP"
		_rootfs_remove "$ROOTFS.new"
		_rootfs_remove "$ROOTFS"
		rm -rf "$ROOTFS_CACHE"
		;;
	*) fail "usage: $0 build|path|clean" ;;
	esac
fi
