"""Resources shared by every part of the graph: the run's settings, and the writer of the build database.

`WarehouseSettings` is lib/config.Settings as a resource: every asset, sensor and the dbt resource
get their paths, sources, legislatures and alert URL from it, never from the environment
themselves. A field left unset falls back to the environment (lib/config.load_settings) when the
run starts, so the same definitions serve `make run`, `dg dev` and a deployment configured by
environment variables; tests set the fields instead (orchestration.definitions.resources_for).

Writers never touch the published warehouse: they write the build database
(`Settings.build_path`), which lib/publish.py publishes once every check has passed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from orchestration.lib.config import Settings, load_settings
from orchestration.lib.locking import writer_lock

# The one pool every asset writing the DuckDB file runs in: DuckDB allows a single writer.
WAREHOUSE_WRITER_POOL = "warehouse_writer"


class WarehouseSettings(dg.ConfigurableResource):
    """Where sources come from and where the warehouse goes; unset fields: the environment's."""

    sources: str | None = None  # a mirror laid out like ../shared/data (directory or URL); NUPES_SOURCES
    warehouse: str | None = None  # the published DuckDB file; NUPES_WAREHOUSE
    legislatures: list[int] | None = None  # NUPES_LEGISLATURES
    alert_webhook: str | None = None  # NUPES_ALERT_WEBHOOK
    keep_publications: int | None = None  # NUPES_KEEP_PUBLICATIONS
    curated_urls: dict[str, str] | None = None  # NUPES_CURATED_URL__<file>

    @classmethod
    def of(cls, settings: Settings) -> WarehouseSettings:
        """Every field set from `settings`: the environment no longer matters."""
        return cls(
            sources=settings.sources,
            warehouse=str(settings.warehouse_path),
            legislatures=list(settings.legislatures),
            alert_webhook=settings.alert_webhook or "",  # "": no alerts, whatever the environment says
            keep_publications=settings.keep_publications,
            curated_urls=dict(settings.curated_urls),
        )

    def resolve(self) -> Settings:
        """The settings of this run: the environment's, read now, with the fields set here."""
        overrides = {
            "sources": self.sources,
            "warehouse_path": Path(self.warehouse).resolve() if self.warehouse else None,
            "legislatures": tuple(sorted(self.legislatures)) if self.legislatures else None,
            "alert_webhook": self.alert_webhook,
            "keep_publications": self.keep_publications,
            "curated_urls": self.curated_urls,
        }
        return dataclasses.replace(load_settings(), **{k: v for k, v in overrides.items() if v is not None})


class WarehouseWriter(DuckDBResource):
    """DuckDB connections to the build database, held under the cross-process writer lock.

    The lock is taken when a run sets the resource up and released at teardown: with the
    in-process executor that spans the whole run, so two refreshes never interleave.
    """

    settings: WarehouseSettings
    database: str = ""  # another database than the settings' build database (a scratch file)
    _run_scope: ExitStack = PrivateAttr(default_factory=ExitStack)

    def build_database(self) -> Path:
        path = Path(self.database) if self.database else self.settings.resolve().build_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        path = self.build_database()
        self._run_scope.enter_context(writer_lock(self.settings.resolve().writer_lock_path))
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
            with duckdb.connect(str(self.build_database()), config=self.connection_config) as con:
                yield con
        finally:
            pa.default_memory_pool().release_unused()
