"""The one refresh path (lib/refresh.py) and the change probe (lib/sources.py), without Dagster.

The sources are the declared ones, on a directory mirror holding a copy of one real poll file,
so every step runs for real: the file:// download, the comparison of hashes, the parse, the
transaction, the versions. Counts are the file's own, counted here.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.an_dumps import DOSSIERS_DUMP, SCRUTINS_DUMP
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.poll_feeds import POLL_FEEDS, PollFeedSource, poll_feed
from orchestration.lib.refresh import ParsedUnit, RefreshFailed, RefreshOptions, refresh_source
from orchestration.lib.sources import SOURCES, has_changed

FEED = "eliasorphelin_legislatives2022"
POLL_FILE = "polls/github/EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv"


@dataclass
class CountingParses:
    """A declared source, counting how often the refresh asks it to parse."""

    source: PollFeedSource
    parses: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> object:
        return getattr(self.source, name)

    def parse(self, con, unit, fetched, options, log) -> ParsedUnit:  # noqa: ANN001 - the Source protocol's
        self.parses.append(unit.label)
        return self.source.parse(con, unit, fetched, options, log)


@pytest.fixture
def mirror_dir(shared_data: Path, tmp_path: Path) -> Path:
    """A directory mirror holding only the 2022 legislative poll file."""
    root = tmp_path / "mirror"
    (root / POLL_FILE).parent.mkdir(parents=True)
    shutil.copyfile(shared_data / POLL_FILE, root / POLL_FILE)
    return root


@pytest.fixture
def settings(mirror_dir: Path, tmp_path: Path) -> Settings:
    return load_settings({"NUPES_SOURCES": str(mirror_dir), "NUPES_WAREHOUSE": str(tmp_path / "w" / "nupes.duckdb")})


def data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in csv.reader(handle) if row) - 1


def quiet(message: str) -> None:
    return None


def test_a_changed_file_is_loaded_an_unchanged_one_is_not_parsed_and_a_forced_reload_parses_again(
    settings: Settings, mirror_dir: Path, tmp_path: Path
) -> None:
    source = CountingParses(poll_feed(FEED))
    with duckdb.connect(str(tmp_path / "loaded.duckdb")) as con:
        (first,) = refresh_source(con, source, settings, RefreshOptions(), quiet, quiet)
        (second,) = refresh_source(con, source, settings, RefreshOptions(), quiet, quiet)
        (forced,) = refresh_source(con, source, settings, RefreshOptions(force_reload=True), quiet, quiet)
        versions = con.execute("SELECT source_key, sha256 FROM raw.source_versions").fetchall()
    expected = {"polls_legislative_2022": data_rows(mirror_dir / POLL_FILE)}
    assert [first.status, second.status, forced.status] == ["loaded", "unchanged", "loaded"]
    assert first.rows_by_table == second.rows_by_table == forced.rows_by_table == expected
    assert source.parses == [FEED, FEED]
    assert versions == [(f"polls/{FEED}/SondagesLegislatives2022.csv", first.fetched[0].sha256)]


def test_a_missing_optional_dump_is_a_missing_unit_and_a_missing_required_one_fails_naming_its_url(
    settings: Settings, tmp_path: Path
) -> None:
    warnings: list[str] = []
    only_17 = Settings(sources=settings.sources, warehouse_path=settings.warehouse_path, legislatures=(17,))
    with duckdb.connect(str(tmp_path / "loaded.duckdb")) as con:
        (missing,) = refresh_source(con, DOSSIERS_DUMP, only_17, RefreshOptions(), quiet, warnings.append)
        with pytest.raises(RefreshFailed) as failure:
            refresh_source(con, SCRUTINS_DUMP, only_17, RefreshOptions(), quiet, quiet)
    assert (missing.status, missing.rows_by_table) == ("missing", dict.fromkeys(DOSSIERS_DUMP.tables, 0))
    (warning,) = warnings
    assert warning.startswith("dossiers_legislatifs of the 17th legislature: not found upstream")
    assert warning.endswith("rows already loaded kept") and missing.unit.urls() in warning
    url = SCRUTINS_DUMP.url(only_17, 17)
    assert str(failure.value).startswith(f"scrutins of the 17th legislature ({url}) not loaded, previous rows kept:")
    assert "no such file" in str(failure.value)


def test_a_curated_feed_without_a_url_is_not_configured(settings: Settings, tmp_path: Path) -> None:
    curated = next(source for source in POLL_FEEDS if source.feed.curated)
    without_mirror = Settings(warehouse_path=settings.warehouse_path)
    with duckdb.connect(str(tmp_path / "loaded.duckdb")) as con:
        (outcome,) = refresh_source(con, curated, without_mirror, RefreshOptions(), quiet, quiet)
    assert outcome.status == "not configured" and set(outcome.rows_by_table.values()) == {0}


def test_the_change_probe_sees_a_new_version_of_a_loaded_file_only(
    settings: Settings, mirror_dir: Path, tmp_path: Path
) -> None:
    source = poll_feed(FEED)
    with duckdb.connect(str(tmp_path / "loaded.duckdb")) as con:
        refresh_source(con, source, settings, RefreshOptions(), quiet, quiet)
    assert not has_changed(source, settings, quiet)
    path = mirror_dir / POLL_FILE
    path.write_bytes(path.read_bytes() + b"\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert has_changed(source, settings, quiet)


def test_every_source_is_declared_once_with_its_own_tables() -> None:
    names = [source.asset_name for source in SOURCES]
    tables = [table for source in SOURCES for table in source.tables]
    assert len(names) == len(set(names)) and len(tables) == len(set(tables))
