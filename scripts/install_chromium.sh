#!/usr/bin/env bash
# Headless Chromium for tests/test_dashboard_browser.py: Debian's `chromium` package, installed
# only when /usr/bin/chromium is missing (needs root, or sudo without a password).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi

echo "Installing Debian's chromium for the dashboard browser test..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
