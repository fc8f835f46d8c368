"""How a test points the pipeline at its own mirror and warehouse: through the resources, never
through environment variables (orchestration.definitions.resources_for)."""

from __future__ import annotations

from pathlib import Path

from orchestration.defs.resources import WarehouseSettings, WarehouseWriter
from orchestration.lib.config import Settings, load_settings


def settings_for(sources: str, warehouse: Path, **variables: str) -> Settings:
    """Settings from these values alone (`variables`: more NUPES_* values), whatever the shell's environment."""
    return load_settings({"NUPES_SOURCES": sources, "NUPES_WAREHOUSE": str(warehouse), **variables})


def loader_resources(settings: Settings, database: Path | None = None) -> dict[str, object]:
    """The resources a loader asset needs; `database`: write that file instead of the build database."""
    resource = WarehouseSettings.of(settings)
    return {"settings": resource, "duckdb": WarehouseWriter(settings=resource, database=str(database or ""))}
