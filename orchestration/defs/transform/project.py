"""The dbt project as Dagster reads it: its directory and the manifest `make manifest` prepares.

dagster-dbt builds the asset graph from `target/manifest.json` when the code location is
imported, so the manifest must exist before pytest, CI, `make run` or `make dev` import it.
`dg dev` re-parses the project on start (`prepare_if_dev`), so edits show up without a rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.lib.config import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

# The dbt installed beside this interpreter: `make run` and pytest call .venv/bin/python without
# activating the environment, so `dbt` is not on PATH.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


class DbtManifestMissing(FileNotFoundError):
    """The dbt manifest has not been prepared: the dbt models cannot join the asset graph."""


def require_manifest(manifest_path: Path) -> Path:
    """The manifest's path, or an error that says which command prepares it."""
    if not manifest_path.is_file():
        raise DbtManifestMissing(
            f"dbt manifest not found at {manifest_path}: run `make manifest` "
            "(dbt parse in dbt_project/) before loading the Dagster definitions."
        )
    return manifest_path
