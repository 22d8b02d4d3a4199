# tests/kernels/fetch.sh: Debian's cloud kernels, fetched with a private
# apt (nothing of the host's apt configuration is read or changed) and
# cached outside the tree. Sourced by run.sh (the boot matrix), btf.sh (the
# compile check against every kernel's types) and the Makefile's vmlinux
# target (the pinned headers).
#
# Knobs (environment):
#   KERNELS_CACHE    kernel images and apt state (/var/cache/depsentry/kernels)
#   KERNELS_MIRROR   Debian mirror (http://deb.debian.org); when a release
#                    leaves it, http://archive.debian.org keeps it
#   KERNELS_REFRESH=1  update the package lists even when they are recent
#
# A kernel that cannot be fetched, and is not cached, is an error naming
# the package and how to provide it: never a silent skip.

KF_CACHE=${KERNELS_CACHE:-/var/cache/depsentry/kernels}
KF_MIRROR=${KERNELS_MIRROR:-http://deb.debian.org}
KF_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
KF_LISTS_MAX_AGE=720		# minutes before the package lists are updated again

kf_fail()
{
	echo "kernels: $*" >&2
	exit 1
}

# kf_apt SUITE ARCH: KF_APT, the options of a private apt for SUITE (and
# its security updates, for a release) on ARCH.
kf_apt()
{
	local suite=$1 arch=$2 d=$KF_CACHE/apt-$1-$2

	[ -f "$KF_KEYRING" ] || kf_fail "needs $KF_KEYRING: apt-get install debian-archive-keyring"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/prefs"
	echo "deb [signed-by=$KF_KEYRING] $KF_MIRROR/debian $suite main" >"$d/sources.list"
	case $suite in
	*-*) ;;		# backports: no security suite of its own
	*) echo "deb [signed-by=$KF_KEYRING] $KF_MIRROR/debian-security $suite-security main" \
		>>"$d/sources.list" ;;
	esac
	KF_APT=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::Etc::PreferencesParts=$d/prefs" -o "Dir::Etc::Preferences=$d/prefs/none"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root"
		-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
		-o "Acquire::Languages=none")
	if [ "${KERNELS_REFRESH:-0}" = 1 ] ||
	   [ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin "-$KF_LISTS_MAX_AGE")" ]; then
		echo "   apt-get update ($suite, $arch, $KF_MIRROR)" >&2
		apt-get "${KF_APT[@]}" -qq update >&2 ||
			echo "   apt-get update failed for $suite: using what is cached" >&2
	fi
}

# kf_cached SERIES ARCH: the newest cached release of SERIES for ARCH
kf_cached()
{
	(cd "$KF_CACHE" && ls -d "$1".*-cloud-"$2" 2>/dev/null | sort -V | tail -n 1) || true
}

# kf_fallback SERIES ARCH WHY: print the newest cached release of SERIES
# when there is one; else fail with WHY and the two ways to provide it
kf_fallback()
{
	local kver

	kver=$(kf_cached "$1" "$2")
	[ -n "$kver" ] && [ -f "$KF_CACHE/$kver/vmlinuz" ] ||
		kf_fail "$3 Provide it: KERNELS_MIRROR=URL of a Debian mirror that still has it" \
			"(http://archive.debian.org once its release left the main mirror), or" \
			"unpack the package's boot/vmlinuz-KVER and boot/config-KVER (KVER: the" \
			"package name after linux-image-) as $KF_CACHE/KVER/vmlinuz and" \
			"$KF_CACHE/KVER/config"
	echo "   using the cached $kver" >&2
	echo "$kver"
}

# kernel_fetch SERIES SUITE [ARCH]: print the release (KVER) of the newest
# cloud kernel of SERIES (5.10, 6.1, 6.12) that SUITE has for ARCH (amd64),
# after making sure that $KF_CACHE/KVER/vmlinuz and config are there; older
# releases of the series go.
kernel_fetch()
{
	local series=$1 suite=$2 arch=${3:-amd64} pkg kver tmp old
	local re="^linux-image-${series//./\\.}\\.[0-9]+(-[0-9]+)?(\\+bpo|\\+deb[0-9]+)?-cloud-$arch\$"
	local want="linux-image-$series.*-cloud-$arch"

	mkdir -p "$KF_CACHE"
	kf_apt "$suite" "$arch"
	pkg=$(apt-cache "${KF_APT[@]}" pkgnames "linux-image-$series." 2>/dev/null |
		grep -E "$re" | sort -V | tail -n 1) || true
	if [ -z "$pkg" ]; then
		kf_fallback "$series" "$arch" \
			"no $want in '$suite' at $KF_MIRROR, and none cached in $KF_CACHE."
		return
	fi
	kver=${pkg#linux-image-}
	if [ ! -f "$KF_CACHE/$kver/vmlinuz" ]; then
		echo "   apt-get download $pkg ($arch)" >&2
		tmp=$(mktemp -d "$KF_CACHE/download.XXXXXX")
		if ! (cd "$tmp" && apt-get "${KF_APT[@]}" -qq download "$pkg:$arch" >&2); then
			rm -rf "$tmp"
			kf_fallback "$series" "$arch" \
				"apt-get download $pkg from $KF_MIRROR failed and no $want is cached in $KF_CACHE."
			return
		fi
		dpkg-deb --fsys-tarfile "$tmp"/*.deb |
			tar -x -C "$tmp" "./boot/vmlinuz-$kver" "./boot/config-$kver"
		mkdir -p "$KF_CACHE/$kver"
		mv "$tmp/boot/config-$kver" "$KF_CACHE/$kver/config"
		mv "$tmp/boot/vmlinuz-$kver" "$KF_CACHE/$kver/vmlinuz"
		rm -rf "$tmp"
	fi
	for old in "$KF_CACHE/$series".*-cloud-"$arch"; do
		[ "$old" = "$KF_CACHE/$kver" ] || rm -rf "$old"
	done
	echo "$kver"
}

# busybox_fetch SUITE ARCH: print the path of Debian's statically linked
# busybox for ARCH (from SUITE's busybox-static), fetched once
busybox_fetch()
{
	local suite=$1 arch=$2 dir=$KF_CACHE/busybox-$1-$2 tmp

	if [ ! -x "$dir/busybox" ]; then
		kf_apt "$suite" "$arch"
		tmp=$(mktemp -d "$KF_CACHE/download.XXXXXX")
		(cd "$tmp" && apt-get "${KF_APT[@]}" -qq download "busybox-static:$arch" >&2) ||
			kf_fail "apt-get download busybox-static:$arch from $KF_MIRROR failed." \
				"Provide it: KERNELS_MIRROR=URL of a mirror that has '$suite', or put" \
				"the package's bin/busybox as $dir/busybox"
		dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" ./bin/busybox
		mkdir -p "$dir"
		mv "$tmp/bin/busybox" "$dir/busybox"
		rm -rf "$tmp"
	fi
	echo "$dir/busybox"
}
