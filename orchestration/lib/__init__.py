"""Pure code with no Dagster import: configuration, HTTP, archives, parsers, DuckDB loading.

Everything here is unit-tested on its own; orchestration/defs wraps it in assets.
"""
