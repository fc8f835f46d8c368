#!/usr/bin/env bash
# Install one Debian package the tests need, only when it is missing (needs root, or sudo without a
# password). Usage: scripts/apt_install.sh PACKAGE PURPOSE PROBE... (PROBE: a command that succeeds
# when the package is already there).
set -euo pipefail

package="$1"
purpose="$2"
shift 2

if "$@" >/dev/null 2>&1; then
    echo "$package already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi

echo "Installing Debian's $package for $purpose..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$package"
"$@"
