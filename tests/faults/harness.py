"""What the fault tests share: running the refresh, reading its failure, and what "unchanged" means."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import dagster as dg

from orchestration.lib.config import Settings
from orchestration.lib.publish import current_publication_id
from orchestration.run import build_warehouse


@dataclass(frozen=True)
class PublishedState:
    """Everything a reader of the publication can observe; equal states mean nothing was published."""

    inode: int
    sha256: str
    publication_id: str | None
    parquet_target: str
    kept_publications: tuple[str, ...]

    @classmethod
    def of(cls, settings: Settings) -> PublishedState:
        published = settings.warehouse_path
        return cls(
            inode=published.stat().st_ino,
            sha256=hashlib.sha256(published.read_bytes()).hexdigest(),
            publication_id=current_publication_id(settings),
            parquet_target=os.readlink(settings.parquet_dir),
            kept_publications=tuple(sorted(path.name for path in settings.publications_dir.iterdir())),
        )


def refresh(
    settings: Settings, instance: dg.DagsterInstance | None = None, *, strict: bool = False
) -> dg.ExecuteInProcessResult:
    """One nightly refresh: the whole job, in this process, with these settings (on an ephemeral
    instance unless one is given; `strict`: no quarantine, a bad record fails the run)."""
    if instance is not None:
        return build_warehouse(instance, settings=settings, strict=strict)
    with dg.DagsterInstance.ephemeral() as ephemeral:
        return build_warehouse(ephemeral, settings=settings, strict=strict)


def pipeline_environment(settings: Settings) -> dict[str, str]:
    """The environment a `python -m orchestration.run` process needs to use these settings: the
    command line's interface is the environment."""
    return {"NUPES_SOURCES": str(settings.sources), "NUPES_WAREHOUSE": str(settings.warehouse_path)}


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Every step failure's message (with its cause chain), as an operator reads them."""
    return "\n".join(str(event.step_failure_data.error) for event in result.get_step_failure_events())
