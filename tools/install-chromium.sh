#!/bin/sh
# Install Debian's Chromium and chromedriver, which the HTML report's browser tests drive
# (tests/output/test_report_browser.py). Does nothing when both are there already, so it can run
# before every test run. Exits non-zero, saying why, when they cannot be installed or do not run:
# CI (.ci/run) stops there rather than running the suite without its browser tests.
set -eu

check() {
    # Both present and executable, and each answers --version (a broken install does not).
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
        && /usr/bin/chromium --headless --no-sandbox --version >/dev/null 2>&1 \
        && /usr/bin/chromedriver --version >/dev/null 2>&1
}

if check; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get here: install Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-chromium: installing Chromium needs root or sudo: apt-get install chromium chromium-driver" >&2
    exit 1
fi
if ! $as_root apt-get update -qq; then
    echo "install-chromium: apt-get update failed" >&2
    exit 1
fi
if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; then
    echo "install-chromium: apt-get install chromium chromium-driver failed" >&2
    exit 1
fi
if ! check; then
    echo "install-chromium: chromium and chromium-driver were installed, but /usr/bin/chromium or /usr/bin/chromedriver does not run" >&2
    exit 1
fi
