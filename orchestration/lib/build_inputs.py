"""What a dbt build must redo for readers to see the current inputs: nothing, some raw tables' part, or all.

What a dbt build reads:
- the raw layer: each table's content, fingerprinted by its row count and the sum of its rows'
  hashes (one scan, ~50 ms for the whole layer; a reload of the same rows leaves it unchanged);
- the dbt project: models, macros, seeds, tests, vars (dbt_project.yml), profile, dbt's version.
The inputs of every publication are recorded beside the build database with its id. The next
refresh compares the current inputs with them, as long as that publication is still the one
readers see (a rollback, or a deleted warehouse, makes it rebuild everything):
- nothing changed: dbt and publication are skipped;
- only some raw tables changed: dbt builds what is downstream of them (lib/dbt_scope.py);
- the project changed, or no publication to compare with: dbt builds everything.

    current_inputs(con, dbt_project_dir) -> BuildInputs
    record_published_inputs(settings, inputs, publication_id)
    build_scope(settings, inputs) -> BuildScope
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
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


@dataclass(frozen=True)
class BuildInputs:
    """Fingerprints of what a dbt build reads."""

    project: str  # sha256 of the dbt project's files and of dbt's version
    tables: dict[str, str]  # raw table name -> "<rows>:<sum of row hashes>"


@dataclass(frozen=True)
class BuildScope:
    """The part of the dbt project to build, against the publication readers see."""

    changed_tables: frozenset[str] | None  # None: build everything
    reason: str  # a sentence for the run's log


def current_inputs(con: duckdb.DuckDBPyConnection, dbt_project_dir: Path) -> BuildInputs:
    """The fingerprints of every raw table and of the dbt project, now."""
    ensure_raw_schema(con)  # a build of dbt alone on a new database reads an empty raw layer
    return BuildInputs(project=_project_fingerprint(dbt_project_dir), tables=_table_fingerprints(con))


def _table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY table_name", [RAW_SCHEMA]
        ).fetchall()
    ]
    fingerprints = {}
    for table in tables:
        rows, hash_sum = con.execute(
            f'SELECT count(*), coalesce(sum(hash(t)), 0)::HUGEINT FROM {RAW_SCHEMA}."{table}" AS t'
        ).fetchone()
        fingerprints[table] = f"{rows}:{hash_sum}"
    return fingerprints


def _project_fingerprint(dbt_project_dir: Path) -> str:
    digest = hashlib.sha256()
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


def record_published_inputs(settings: Settings, inputs: BuildInputs, publication_id: str) -> None:
    path = stamp_path(settings)
    staged = path.with_name(path.name + ".tmp")
    staged.write_text(json.dumps({"publication_id": publication_id, **asdict(inputs)}))
    staged.replace(path)


def build_scope(settings: Settings, inputs: BuildInputs) -> BuildScope:
    """What to rebuild so that readers see `inputs`, compared with the inputs of their publication."""
    published = current_publication_id(settings)
    try:
        stamp = json.loads(stamp_path(settings).read_text())
    except (OSError, ValueError):
        stamp = {}
    if published is None or stamp.get("publication_id") != published:
        return BuildScope(None, "No record of what the published warehouse was built from")
    if stamp.get("project") != inputs.project:
        return BuildScope(None, f"The dbt project changed since publication {published}")
    recorded: dict[str, str] = stamp.get("tables", {})
    changed = frozenset(
        table for table in inputs.tables.keys() | recorded.keys() if inputs.tables.get(table) != recorded.get(table)
    )
    if not changed:
        return BuildScope(changed, f"Raw sources and dbt project unchanged since publication {published}")
    listed = ", ".join(sorted(changed))
    return BuildScope(changed, f"Raw tables changed since publication {published}: {listed}")
