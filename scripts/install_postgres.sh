#!/usr/bin/env bash
# PostgreSQL for the tests that start a throwaway cluster (support/postgres.py): Debian's
# `postgresql`. The package's own system cluster is not used by the tests.
exec bash "$(dirname "$0")/apt_install.sh" postgresql "the production and DuckLake tests" \
    bash -c 'ls /usr/lib/postgresql/*/bin/postgres'
