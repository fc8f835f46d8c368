"""Shared fixtures: the real source files, a loopback mirror of them, and a built warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.lib.config import Settings
from support.mirror import LoopbackMirror
from tests.resources import settings_for

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("NUPES_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real source mirror is missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def mirror(shared_data: Path) -> Iterator[LoopbackMirror]:
    """../shared/data over real HTTP on 127.0.0.1 for the whole session."""
    with LoopbackMirror(shared_data) as server:
        yield server


@pytest.fixture
def clean_mirror(mirror: LoopbackMirror) -> Iterator[LoopbackMirror]:
    """The session mirror, with any fault a test switched on removed afterwards."""
    yield mirror
    mirror.clear_faults()


@pytest.fixture(scope="session")
def built_settings(mirror: LoopbackMirror, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of the session's warehouse: the loopback mirror, a warehouse of its own."""
    return settings_for(mirror.base_url, tmp_path_factory.mktemp("warehouse") / "nupes.duckdb")


@pytest.fixture(scope="session")
def built_warehouse(built_settings: Settings) -> Path:
    """The whole Dagster graph run once in process against the loopback mirror.

    Returns the DuckDB file; the run must succeed with every asset check passing.
    """
    import dagster as dg

    from orchestration.run import build_warehouse, failed_steps

    with dg.DagsterInstance.ephemeral() as instance:
        result = build_warehouse(instance, settings=built_settings)
    assert result.success, f"pipeline failed at {failed_steps(result)}"
    failed_checks = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert not failed_checks, f"asset checks failed: {failed_checks}"
    return built_settings.warehouse_path
