"""The one place environment variables are read.

Defaults serve a user on the internet with no configuration at all; `NUPES_SOURCES` swaps every
source base for a mirror laid out like ../shared/data (a directory or an http URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

AN_LIVE_BASE = "https://data.assemblee-nationale.fr/static/openData/repository/"
GITHUB_RAW_LIVE_BASE = "https://raw.githubusercontent.com/"
DEFAULT_LEGISLATURES = (16, 17)
# 04:30 Paris time: after the Assemblée's nightly dump, before readers arrive.
NIGHTLY_CRON = "30 4 * * *"


def _as_base_url(location: str) -> str:
    """A mirror root given as a directory becomes a file:// URL; URLs keep one trailing slash."""
    if "://" not in location:
        location = Path(location).resolve().as_uri()
    return location.rstrip("/") + "/"


def _parse_legislatures(raw: str | None) -> tuple[int, ...]:
    if not raw:
        return DEFAULT_LEGISLATURES
    try:
        return tuple(sorted({int(part) for part in raw.replace(",", " ").split()}))
    except ValueError as exc:
        raise ValueError(f"NUPES_LEGISLATURES must list legislature numbers, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Where sources come from and where the warehouse goes."""

    sources: str | None = None
    warehouse_path: Path = PROJECT_ROOT / "warehouse" / "nupes.duckdb"
    legislatures: tuple[int, ...] = DEFAULT_LEGISLATURES
    alert_webhook: str | None = None
    keep_publications: int = 3
    curated_urls: dict[str, str] = field(default_factory=dict)

    @property
    def mirror_base(self) -> str | None:
        return _as_base_url(self.sources) if self.sources else None

    @property
    def an_base_url(self) -> str:
        return self.mirror_base + "an/" if self.mirror_base else AN_LIVE_BASE

    @property
    def github_raw_base_url(self) -> str:
        return self.mirror_base + "polls/github/" if self.mirror_base else GITHUB_RAW_LIVE_BASE

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse_path.parent

    @property
    def build_path(self) -> Path:
        """The database the pipeline writes; readers never open it (see lib/publish.py)."""
        return self.warehouse_dir / "build" / self.warehouse_path.name

    @property
    def writer_lock_path(self) -> Path:
        """Held by a refresh from start to end (lib/locking.py)."""
        return self.build_path.with_suffix(".lock")

    @property
    def publications_dir(self) -> Path:
        """Earlier publications kept for rollback."""
        return self.warehouse_dir / "publications"

    @property
    def parquet_dir(self) -> Path:
        """A symlink to the Parquet export of the current publication, swapped atomically."""
        return self.warehouse_dir / "parquet"

    @property
    def download_dir(self) -> Path:
        """Downloaded files and their HTTP validators live beside the warehouse, never in git."""
        return self.warehouse_dir / "downloads"

    def curated_url(self, file_name: str) -> str | None:
        """URL of a hand-maintained poll feed: `NUPES_CURATED_<NAME>` wins, else the mirror's copy."""
        if file_name in self.curated_urls:
            return self.curated_urls[file_name]
        return self.mirror_base + "polls/curated/" + file_name if self.mirror_base else None


def _curated_overrides(environ: dict[str, str]) -> dict[str, str]:
    """`NUPES_CURATED_URL__<file name>=<url>` sets the URL of one hand-maintained feed."""
    prefix = "NUPES_CURATED_URL__"
    return {key[len(prefix) :]: value for key, value in environ.items() if key.startswith(prefix)}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    warehouse = env.get("NUPES_WAREHOUSE")
    return Settings(
        sources=env.get("NUPES_SOURCES") or None,
        warehouse_path=Path(warehouse).resolve() if warehouse else Settings.warehouse_path,
        legislatures=_parse_legislatures(env.get("NUPES_LEGISLATURES")),
        alert_webhook=env.get("NUPES_ALERT_WEBHOOK") or None,
        keep_publications=int(env.get("NUPES_KEEP_PUBLICATIONS", "3")),
        curated_urls=_curated_overrides(env),
    )


def nightly_cron(environ: dict[str, str] | None = None) -> str:
    """When the nightly refresh runs (Europe/Paris), read when the definitions load:
    `NUPES_NIGHTLY_CRON` moves it, e.g. for a test that needs the daemon to tick it now."""
    env = os.environ if environ is None else environ
    return env.get("NUPES_NIGHTLY_CRON") or NIGHTLY_CRON
