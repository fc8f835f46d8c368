#!/usr/bin/env bash
# Headless Chromium for the browser tests (the static dashboard, Superset): Debian's `chromium`.
exec bash "$(dirname "$0")/apt_install.sh" chromium "the browser tests" test -x /usr/bin/chromium
