#!/bin/sh
# Install Azurite, Azure's Blob storage emulator, from the npm registry into tools/.azurite/
# (git-ignored), for the object-store tests (tests/whole/test_object_stores.py). Does nothing when
# it is there already, so it can run before every test run. Exits non-zero, saying why, when it
# cannot be installed: CI (.ci/run) stops there rather than skip the Azure tests.
# 3.35.0: the last release that runs on Node 20 (3.36 and later want Node 21 or 22).
set -eu
VERSION=3.35.0
here=$(cd "$(dirname "$0")" && pwd)
prefix="$here/.azurite"
bin="$prefix/node_modules/.bin/azurite-blob"

if [ -x "$bin" ] && [ "$(cat "$prefix/version" 2>/dev/null)" = "$VERSION" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-azurite: npm is not installed: install Node.js 20 or later with npm (apt-get install nodejs npm)" >&2
    exit 1
fi
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "azurite@$VERSION"
if ! [ -x "$bin" ]; then
    echo "install-azurite: npm finished but $bin is missing" >&2
    exit 1
fi
echo "$VERSION" > "$prefix/version"
