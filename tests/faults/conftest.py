"""The fault suite's fixtures: a published warehouse to break, and quick downloads.

Every test starts from its own copy of one baseline (the warehouse the whole graph published in
`built_warehouse`, copied with its build database, download cache and earlier publications): a
fault never leaks into the next test, and no test pays for a first full load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.lib import http
from orchestration.lib.config import Settings
from support.mirror import LoopbackMirror
from tests.resources import settings_for

# The download client's own retry loop, timeouts and backoff, at loopback scale: a fault costs
# seconds, not the minutes the production values (4 retries, 60 s read timeout) would take.
QUICK_DOWNLOADS = {"retries": 1, "backoff": 0.05, "timeout": (2.0, 1.0)}


@pytest.fixture(scope="session")
def baseline(built_warehouse: Path) -> Path:
    """The directory of a published warehouse, never written to: tests work on copies."""
    return built_warehouse.parent


@pytest.fixture
def warehouse(baseline: Path, clean_mirror: LoopbackMirror, tmp_path: Path) -> Settings:
    """A copy of the baseline, and the settings of a refresh of it from the mirror."""
    directory = tmp_path / "warehouse"
    shutil.copytree(baseline, directory, symlinks=True)
    return settings_for(clean_mirror.base_url, directory / "nupes.duckdb")


@pytest.fixture(autouse=True)
def quick_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patched as defaults, so every caller of `fetch` gets them however it imported the function."""
    for name, value in QUICK_DOWNLOADS.items():
        monkeypatch.setitem(http.fetch.__kwdefaults__, name, value)
