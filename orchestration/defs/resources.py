"""Resources shared by every part of the graph.

Writers never touch the published warehouse: they write the build database
(`Settings.build_path`), which lib/publish.py publishes once every check has passed. The path is
resolved when a run starts, not at import, so tests and the Makefile can point the same
definitions at another warehouse through NUPES_WAREHOUSE.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg
import duckdb
import pyarrow as pa
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from orchestration.lib.config import load_settings
from orchestration.lib.locking import writer_lock

# The one pool every asset writing the DuckDB file runs in: DuckDB allows a single writer.
WAREHOUSE_WRITER_POOL = "warehouse_writer"
BUILD_DATABASE_ENV = "NUPES_BUILD_DATABASE"


def export_build_database() -> str:
    """Point dbt's profile (env var NUPES_BUILD_DATABASE) at the build database; returns its path."""
    build_path = load_settings().build_path
    build_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ[BUILD_DATABASE_ENV] = str(build_path)
    return str(build_path)


class WarehouseWriter(DuckDBResource):
    """DuckDB connections to the build database, held under the cross-process writer lock.

    The lock is taken when a run sets the resource up and released at teardown: with the
    in-process executor that spans the whole run, so two refreshes never interleave.
    """

    database: str = ""
    _run_scope: ExitStack = PrivateAttr(default_factory=ExitStack)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        path = export_build_database()
        self._run_scope.enter_context(writer_lock(load_settings().writer_lock_path))
        if context.log:
            context.log.info(f"Writing the build database {path}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._run_scope.close()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one step's writes. When it closes, the Arrow memory the step's parse
        freed goes back to the system: Arrow's allocator keeps it otherwise, and the dbt process
        that follows runs beside this one (a full build's peak is the two together)."""
        try:
            with duckdb.connect(self.database or export_build_database(), config=self.connection_config) as con:
                yield con
        finally:
            pa.default_memory_pool().release_unused()


def shared_resources() -> dict[str, object]:
    return {"duckdb": WarehouseWriter()}
