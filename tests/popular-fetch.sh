#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/popular-fetch.sh DEST: fetch the npm tree of tests/fixtures/popular
# (about 450 packages) from registry.npmjs.org into DEST, once per fixture
# version: its package.json, package-lock.json and an npm cache complete
# enough for `npm ci --offline --cache DEST/cache`. Nothing is run (no
# install script). Used by tests/e2e/t_64_popular_quiet.sh and by the
# install storm of bench/run.sh; npm is the one on PATH.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
DEST=$1
REGISTRY=https://registry.npmjs.org/
LOCK_WAIT=600 # seconds for another fetch to finish

mkdir -p "$(dirname "$DEST")"
exec 7>"$DEST.lock"
flock -w "$LOCK_WAIT" 7 || { echo "popular-fetch.sh: $DEST.lock still held after ${LOCK_WAIT}s" >&2; exit 1; }
if cmp -s "$SRC/tests/fixtures/popular/package.json" "$DEST/package.json" &&
	[ -f "$DEST/package-lock.json" ]; then
	exit 0
fi
rm -rf "$DEST" "$DEST.tmp"
mkdir -p "$DEST.tmp"
cp "$SRC/tests/fixtures/popular/package.json" "$DEST.tmp/"
cd "$DEST.tmp"
# the lockfile, then a clean install from it: the cache then holds every
# tarball the lockfile names
npm install --registry "$REGISTRY" --cache "$DEST.tmp/cache" --ignore-scripts --no-audit --no-fund
rm -rf node_modules
npm ci --registry "$REGISTRY" --cache "$DEST.tmp/cache" --ignore-scripts --no-audit --no-fund
rm -rf node_modules
cd /
mv "$DEST.tmp" "$DEST"
