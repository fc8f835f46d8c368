"""A refresh that changed some raw tables builds exactly what dbt's own graph puts downstream of them.

Checked on the real project's manifest against dbt itself: `dbt ls --select source:...+` walks the
graph independently of lib/dbt_scope.py, and `dbt ls` with the exclusions the refresh passes must
list the very nodes the scope keeps (a test between a rebuilt model and an unchanged one included).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import orjson
import pytest

from orchestration.defs.transform.assets import PUBLICATION_GATE_MODEL, scoped_build_args
from orchestration.defs.transform.project import DBT_EXECUTABLE, dbt_project
from orchestration.lib.dbt_scope import changed_sources, models_fed_by, nodes_to_build

VOTE_TABLES = frozenset({"an_scrutins", "an_votes", "an_group_tallies", "an_vote_corrections"})
BUILT_TYPES = ("model", "seed", "test", "unit_test")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return orjson.loads(dbt_project.manifest_path.read_bytes())


def dbt_ls(tmp_path: Path, *args: str) -> set[str]:
    """Unique ids of the nodes `dbt ls` lists with these selection arguments."""
    listed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "ls",
            "--quiet",
            "--resource-type",
            *BUILT_TYPES,
            "--output",
            "json",
            "--output-keys",
            "unique_id",
            *args,
        ],
        cwd=dbt_project.project_dir,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")},
    ).stdout
    return {json.loads(line)["unique_id"] for line in listed.splitlines() if line.startswith("{")}


def built(unique_ids: set[str]) -> set[str]:
    return {unique_id for unique_id in unique_ids if unique_id.split(".")[0] in BUILT_TYPES}


def test_new_votes_build_what_dbt_puts_downstream_of_the_vote_tables(manifest: dict, tmp_path: Path) -> None:
    keep = nodes_to_build(manifest, VOTE_TABLES, always=[PUBLICATION_GATE_MODEL])
    sources = " ".join(f"source:assemblee.{table}+" for table in sorted(VOTE_TABLES))
    downstream = dbt_ls(tmp_path, "--select", f"{sources} {PUBLICATION_GATE_MODEL}+")
    models = {unique_id for unique_id in keep if unique_id.startswith("model.")}
    assert models == {unique_id for unique_id in downstream if unique_id.startswith("model.")}
    fed = {manifest["nodes"][unique_id]["name"] for unique_id in models}
    assert models_fed_by(manifest, VOTE_TABLES) == fed
    assert "model.nupes_warehouse.fct_poll_results" not in keep  # fed by polls only
    assert "model.nupes_warehouse.mart_nupes_monthly" in keep  # fed by votes and polls

    args = scoped_build_args(manifest, VOTE_TABLES, log=lambda message: None)
    assert args is not None and args[:2] == ["--indirect-selection", "empty"]
    assert dbt_ls(tmp_path, "--select", "fqn:*", *args) == built(keep)
    assert not any(unique_id.startswith("unit_test.") for unique_id in keep)  # the SQL did not change
    # Tests that read a rebuilt model and an unchanged one (votes against deputies, a seed) still run.
    assert any(
        unique_id in keep
        and len(manifest["nodes"][unique_id]["depends_on"]["nodes"]) > 1
        and not set(manifest["nodes"][unique_id]["depends_on"]["nodes"]) <= keep
        for unique_id in manifest["nodes"]
        if unique_id.startswith("test.")
    )


def test_a_raw_table_no_dbt_source_reads_builds_nothing(manifest: dict) -> None:
    assert changed_sources(manifest, {"source_versions"}) == []
    assert scoped_build_args(manifest, frozenset({"source_versions"}), log=lambda message: None) is None


def test_every_mart_feeds_the_catalogue_the_publication_waits_for(manifest: dict) -> None:
    gate = f"model.nupes_warehouse.{PUBLICATION_GATE_MODEL}"
    marts = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["schema"] == "marts" and unique_id != gate
    }
    assert marts and marts == set(manifest["nodes"][gate]["depends_on"]["nodes"])
