#!/bin/sh
# Install Debian's Chromium and chromedriver, which the HTML report's browser tests drive
# (tests/test_report_browser.py). Does nothing when both are there already.
set -eu
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-chromium: installing Chromium needs root or sudo: apt-get install chromium chromium-driver" >&2
    exit 1
fi
$as_root apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver
