"""Resources shared by every part of the graph.

The warehouse path is resolved when a run starts (`EnvVar`), not when this module is imported,
so tests and the Makefile can point the same definitions at another file.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.lib.config import load_settings

# The one pool every asset writing the DuckDB file runs in: DuckDB allows a single writer.
WAREHOUSE_WRITER_POOL = "warehouse_writer"


def shared_resources() -> dict[str, object]:
    os.environ.setdefault("NUPES_WAREHOUSE", str(load_settings().warehouse_path))
    return {"duckdb": DuckDBResource(database=dg.EnvVar("NUPES_WAREHOUSE"))}
