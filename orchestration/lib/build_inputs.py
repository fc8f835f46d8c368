"""Whether readers already see a warehouse built from exactly the current inputs.

A refresh where no source changed loads nothing; rebuilding every dbt model and test and
publishing again would take most of the run and give the same rows. What a dbt build reads:
- the raw layer, whose every load records a row in `raw.source_versions` (a new `loaded_at` even
  for a forced reload of the same file, so a parser change reloaded with `force_reload` counts);
- the dbt project: models, macros, seeds, tests, vars (dbt_project.yml), profile, dbt's version.
Their fingerprint is recorded beside the build database with the id of the publication built
from them. The next refresh skips dbt and publication when the fingerprint is unchanged AND that
publication is still the one readers see: a rollback, or a deleted warehouse, makes it rebuild.

    inputs_fingerprint(con, dbt_project_dir) -> str
    record_published_inputs(settings, fingerprint, publication_id)
    publication_with_same_inputs(settings, fingerprint) -> str | None
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.lib.config import Settings
from orchestration.lib.publish import current_publication_id
from orchestration.lib.raw_schema import RAW_SCHEMA
from orchestration.lib.warehouse import ensure_raw_schema

DBT_INPUT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
DBT_INPUT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")
DBT_PACKAGES = ("dbt-core", "dbt-duckdb")


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, dbt_project_dir: Path) -> str:
    """sha256 of every source version loaded and every file of the dbt project that dbt reads."""
    ensure_raw_schema(con)  # a build of dbt alone on a new database reads an empty raw layer
    digest = hashlib.sha256()
    for row in con.execute(f"SELECT * FROM {RAW_SCHEMA}.source_versions ORDER BY ALL").fetchall():
        digest.update(repr(row).encode())
    for path in _dbt_input_files(dbt_project_dir):
        digest.update(path.relative_to(dbt_project_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for package in DBT_PACKAGES:
        digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()


def _dbt_input_files(dbt_project_dir: Path) -> list[Path]:
    files = [dbt_project_dir / name for name in DBT_INPUT_FILES]
    files += [path for folder in DBT_INPUT_FOLDERS for path in (dbt_project_dir / folder).rglob("*")]
    return sorted(path for path in files if path.is_file())


def stamp_path(settings: Settings) -> Path:
    """Beside the build database, which the published warehouse was copied from."""
    return settings.build_path.with_name(settings.build_path.stem + ".inputs.json")


def record_published_inputs(settings: Settings, fingerprint: str, publication_id: str) -> None:
    path = stamp_path(settings)
    staged = path.with_name(path.name + ".tmp")
    staged.write_text(json.dumps({"fingerprint": fingerprint, "publication_id": publication_id}))
    staged.replace(path)


def publication_with_same_inputs(settings: Settings, fingerprint: str) -> str | None:
    """The id of the publication readers see, if it was built from inputs with this fingerprint."""
    try:
        stamp = json.loads(stamp_path(settings).read_text())
    except (OSError, ValueError):
        return None
    if stamp.get("fingerprint") != fingerprint:
        return None
    published = current_publication_id(settings)
    return published if published is not None and published == stamp.get("publication_id") else None
