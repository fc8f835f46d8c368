#!/usr/bin/env bash
# PostgreSQL for the tests that start a throwaway cluster (support/postgres.py): Debian's
# `postgresql` package, installed only when no server is under /usr/lib/postgresql (needs root, or
# sudo without a password). The package's own system cluster is not used by the tests.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgresql already installed: $(ls -d /usr/lib/postgresql/*/bin/postgres | tail -1)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi

echo "Installing Debian's postgresql for the production and DuckLake tests..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql
ls -d /usr/lib/postgresql/*/bin/postgres
