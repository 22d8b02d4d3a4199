#!/bin/bash
# tests/node.sh: the Node.js and npm the end-to-end tests drive.
#
# The scenarios need node >= 20 and npm >= 11 (npm 11 gates dependency
# install scripts behind allowScripts, and the tests prove the sensor
# through that gate). Debian 12 ships node 18 and npm 9. So:
#
#   node.sh provision   (make deps) when the machine's node or npm is older,
#                       install node-linux-ARCH@20 (the Node.js binary, as
#                       an npm package, no install script) and npm@11 from
#                       the npm registry into build/node/, with the
#                       machine's own npm; bin/node and bin/npm there.
#                       With no node at all, Debian's nodejs and npm are
#                       installed first (apt-get).
#   node.sh bindir      print the directory whose node and npm the tests
#                       use: build/node/bin when provisioned, else /usr/bin
#   node.sh pnpm        print pnpm's own executable (@pnpm/exe, a native
#                       binary, not node), installed by provision into
#                       build/pm/ from the npm registry
#
# NODE_PROVISION=1 provisions even when the machine's versions suffice.
set -euo pipefail

cd "$(dirname "$0")/.."
PREFIX=$PWD/build/node
NODE_MAJOR=20
NPM_MAJOR=11

major()
{
	"$@" --version 2>/dev/null | sed -e 's/^v//' -e 's/\..*//'
}

recent()
{
	local n m

	n=$(major "$1/node") || return 1
	m=$(PATH="$1:$PATH" major "$1/npm") || return 1
	[ -n "$n" ] && [ -n "$m" ] && [ "$n" -ge "$NODE_MAJOR" ] && [ "$m" -ge "$NPM_MAJOR" ]
}

bindir()
{
	if [ -x "$PREFIX/bin/node" ] && recent "$PREFIX/bin"; then
		echo "$PREFIX/bin"
	else
		echo /usr/bin
	fi
}

provision()
{
	local arch

	if ! [ -x /usr/bin/node ] || ! [ -x /usr/bin/npm ]; then
		echo "  APT      nodejs npm"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
	fi
	if [ "${NODE_PROVISION:-0}" != 1 ] && recent /usr/bin; then
		return 0
	fi
	if [ -x "$PREFIX/bin/node" ] && recent "$PREFIX/bin"; then
		return 0
	fi
	case $(uname -m) in
	x86_64) arch=x64 ;;
	aarch64) arch=arm64 ;;
	*) echo "node.sh: no Node.js package for $(uname -m)" >&2; exit 1 ;;
	esac
	echo "  NPM      node-linux-$arch@$NODE_MAJOR npm@$NPM_MAJOR -> $PREFIX" \
		"(the machine has node $(major /usr/bin/node), npm $(major /usr/bin/npm))"
	rm -rf "$PREFIX"
	mkdir -p "$PREFIX/bin"
	echo '{"name": "depsentry-test-node", "private": true}' >"$PREFIX/package.json"
	/usr/bin/npm install --prefix "$PREFIX" --no-audit --no-fund --ignore-scripts \
		--no-update-notifier --loglevel=error \
		"node-linux-$arch@$NODE_MAJOR" "npm@$NPM_MAJOR"
	ln -s ../node_modules/node-linux-$arch/bin/node "$PREFIX/bin/node"
	ln -s ../node_modules/npm/bin/npm-cli.js "$PREFIX/bin/npm"
	ln -s ../node_modules/npm/bin/npx-cli.js "$PREFIX/bin/npx"
	recent "$PREFIX/bin" || {
		echo "node.sh: $PREFIX/bin has node $(major "$PREFIX/bin/node"), not $NODE_MAJOR" >&2
		exit 1
	}
	echo "  NODE     $("$PREFIX/bin/node" --version), npm $(PATH="$PREFIX/bin:$PATH" \
		"$PREFIX/bin/npm" --version) in $PREFIX/bin"
}

PM_PREFIX=$PWD/build/pm
PNPM_MAJOR=10

pnpm_path()
{
	case $(uname -m) in
	x86_64) echo "$PM_PREFIX/node_modules/@pnpm/linux-x64/pnpm" ;;
	aarch64) echo "$PM_PREFIX/node_modules/@pnpm/linux-arm64/pnpm" ;;
	*) echo "node.sh: no pnpm executable for $(uname -m)" >&2; exit 1 ;;
	esac
}

# pnpm's native executable: its platform package holds the binary, so no
# install script is needed (npm gates @pnpm/exe's own).
provision_pm()
{
	local pnpm

	pnpm=$(pnpm_path)
	[ -x "$pnpm" ] && "$pnpm" --version >/dev/null 2>&1 && return 0
	echo "  NPM      @pnpm/exe@$PNPM_MAJOR -> $PM_PREFIX"
	rm -rf "$PM_PREFIX"
	mkdir -p "$PM_PREFIX"
	echo '{"name": "depsentry-test-pm", "private": true}' >"$PM_PREFIX/package.json"
	PATH="$(bindir):$PATH" npm install --prefix "$PM_PREFIX" --no-audit --no-fund \
		--ignore-scripts --no-update-notifier --loglevel=error "@pnpm/exe@$PNPM_MAJOR"
	"$pnpm" --version >/dev/null || {
		echo "node.sh: $pnpm does not run" >&2
		exit 1
	}
}

case ${1:-} in
provision) provision && provision_pm ;;
bindir) bindir ;;
pnpm) pnpm_path ;;
*) echo "usage: node.sh provision|bindir|pnpm" >&2; exit 2 ;;
esac
