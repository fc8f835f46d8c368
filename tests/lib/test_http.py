"""The download client against a real HTTP server on 127.0.0.1 and a file:// mirror of the real files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from orchestration.lib.config import _as_base_url
from orchestration.lib.http import DownloadError, FetchResult, SourceNotFound, fetch, probe
from support.mirror import (
    LoopbackMirror,
    connection_reset,
    fail_first,
    server_error,
    stall,
    truncated,
    unannounced_length,
)

SCRUTINS_16 = "an/16/loi/scrutins/Scrutins.json.zip"
MAX_BYTES = 100_000_000
FAST_RETRIES = {"timeout": (2.0, 2.0), "retries": 2, "backoff": 0.01}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_fast(url: str, cache_dir: Path, **overrides: object) -> FetchResult:
    options = {"max_bytes": MAX_BYTES, **FAST_RETRIES, **overrides}
    return fetch(url, cache_dir, **options)


def new_requests(mirror: LoopbackMirror, since: int, rel_path: str) -> list[dict[str, str]]:
    """Headers of the requests for `rel_path` the mirror received after index `since`."""
    pairs = zip(mirror.state.requests[since:], mirror.state.request_headers[since:])
    return [headers for (_, path), headers in pairs if path == rel_path]


def partial_files(cache_dir: Path) -> list[Path]:
    return [path for path in cache_dir.iterdir() if ".partial" in path.name]


@pytest.fixture
def scrutins_url(clean_mirror: LoopbackMirror) -> str:
    return clean_mirror.base_url + SCRUTINS_16


@pytest.fixture
def scrutins_sha256(shared_data: Path) -> str:
    return sha256_of(shared_data / SCRUTINS_16)


def test_download_gives_the_bytes_of_the_file_on_disk(scrutins_url, scrutins_sha256, shared_data, tmp_path):
    messages: list[str] = []
    result = fetch_fast(scrutins_url, tmp_path, log=messages.append)

    assert result.sha256 == scrutins_sha256
    assert sha256_of(result.path) == scrutins_sha256
    assert result.size_bytes == (shared_data / SCRUTINS_16).stat().st_size
    assert result.etag and result.last_modified and not result.not_modified
    assert result.path.parent == tmp_path
    assert "downloading 8.9 MB" in messages[0]
    assert any("%" in message for message in messages[1:-1]), messages
    assert re.search(r"done, 8\.9 MB in [\d.]+ s \([\d.]+ [kMG]?B/s\)", messages[-1])


def test_second_fetch_is_conditional_and_keeps_the_cached_copy(clean_mirror, scrutins_url, tmp_path):
    first = fetch_fast(scrutins_url, tmp_path)
    since = len(clean_mirror.state.requests)
    messages: list[str] = []
    second = fetch_fast(scrutins_url, tmp_path, log=messages.append)

    [headers] = new_requests(clean_mirror, since, SCRUTINS_16)
    assert headers["If-None-Match"] == first.etag
    assert headers["If-Modified-Since"] == first.last_modified
    assert second.not_modified
    assert (second.path, second.sha256, second.etag) == (first.path, first.sha256, first.etag)
    assert messages == [f"{scrutins_url}: not modified, keeping the cached copy (8.9 MB, sha256 {first.sha256[:12]})"]


def test_a_damaged_cached_copy_is_not_trusted_and_is_downloaded_again(
    clean_mirror, scrutins_url, scrutins_sha256, tmp_path
):
    first = fetch_fast(scrutins_url, tmp_path)
    with first.path.open("r+b") as cached:
        cached.write(b"XX")
    since = len(clean_mirror.state.requests)
    again = fetch_fast(scrutins_url, tmp_path)

    [headers] = new_requests(clean_mirror, since, SCRUTINS_16)
    assert "If-None-Match" not in headers and "If-Modified-Since" not in headers
    assert not again.not_modified
    assert sha256_of(again.path) == scrutins_sha256


def test_a_transient_server_error_is_retried(clean_mirror, scrutins_url, scrutins_sha256, tmp_path):
    clean_mirror.state.faults[SCRUTINS_16] = fail_first(2)
    since = len(clean_mirror.state.requests)
    messages: list[str] = []
    result = fetch_fast(scrutins_url, tmp_path, retries=2, log=messages.append)

    assert len(new_requests(clean_mirror, since, SCRUTINS_16)) == 3
    assert result.sha256 == scrutins_sha256
    assert sum("retrying" in message for message in messages) == 2


def test_giving_up_after_the_last_retry_names_the_url_and_cause(clean_mirror, scrutins_url, tmp_path):
    clean_mirror.state.faults[SCRUTINS_16] = server_error
    since = len(clean_mirror.state.requests)
    with pytest.raises(DownloadError, match=re.escape(scrutins_url) + r".*HTTP 500.*3 attempts"):
        fetch_fast(scrutins_url, tmp_path, retries=2)
    assert len(new_requests(clean_mirror, since, SCRUTINS_16)) == 3


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (server_error, r"HTTP 500"),
        (truncated, r"cut short"),
        (stall(1.0), r"[Tt]imed out"),
        (connection_reset, r"Connection"),
    ],
    ids=["server_error", "truncated", "stall", "connection_reset"],
)
def test_a_failed_download_raises_and_leaves_the_last_good_copy(
    clean_mirror, scrutins_url, scrutins_sha256, tmp_path, fault, cause
):
    good = fetch_fast(scrutins_url, tmp_path)
    record_before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path != good.path}
    clean_mirror.state.faults[SCRUTINS_16] = fault

    with pytest.raises(DownloadError, match=re.escape(scrutins_url) + ".*" + cause):
        fetch_fast(scrutins_url, tmp_path, timeout=(2.0, 0.2), retries=1)

    assert sha256_of(good.path) == scrutins_sha256
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path != good.path} == record_before
    assert partial_files(tmp_path) == []


def test_an_announced_size_above_the_cap_is_refused_before_downloading(
    clean_mirror, scrutins_url, shared_data, tmp_path
):
    size = (shared_data / SCRUTINS_16).stat().st_size
    since = len(clean_mirror.state.requests)
    with pytest.raises(DownloadError, match=re.escape(scrutins_url) + ".*above the .* download cap"):
        fetch_fast(scrutins_url, tmp_path, max_bytes=size - 1)
    assert len(new_requests(clean_mirror, since, SCRUTINS_16)) == 1  # a cap is not retried
    assert list(tmp_path.iterdir()) == []


def test_a_streamed_body_above_the_cap_is_aborted(clean_mirror, scrutins_url, shared_data, tmp_path):
    clean_mirror.state.faults[SCRUTINS_16] = unannounced_length
    size = (shared_data / SCRUTINS_16).stat().st_size
    with pytest.raises(DownloadError, match=re.escape(scrutins_url) + ".*more than the .* download cap"):
        fetch_fast(scrutins_url, tmp_path, max_bytes=size // 2)
    assert list(tmp_path.iterdir()) == []


def test_a_body_without_announced_length_still_downloads(clean_mirror, scrutins_url, scrutins_sha256, tmp_path):
    clean_mirror.state.faults[SCRUTINS_16] = unannounced_length
    assert fetch_fast(scrutins_url, tmp_path).sha256 == scrutins_sha256


def test_a_missing_source_raises_source_not_found_without_retrying(clean_mirror, tmp_path):
    url = clean_mirror.base_url + "an/99/absent.json.zip"
    since = len(clean_mirror.state.requests)
    with pytest.raises(SourceNotFound, match=re.escape(url) + ".*404"):
        fetch_fast(url, tmp_path)
    assert len(new_requests(clean_mirror, since, "an/99/absent.json.zip")) == 1


def test_a_file_mirror_is_copied_hashed_and_not_copied_twice(shared_data, scrutins_sha256, tmp_path):
    url = _as_base_url(str(shared_data)) + SCRUTINS_16
    first = fetch_fast(url, tmp_path)
    second = fetch_fast(url, tmp_path)

    assert first.sha256 == scrutins_sha256 == sha256_of(first.path)
    assert not first.not_modified and second.not_modified
    assert second.path == first.path and first.last_modified


def test_a_file_mirror_applies_the_cap_and_reports_missing_files(shared_data, tmp_path):
    base = _as_base_url(str(shared_data))
    with pytest.raises(DownloadError, match=re.escape(base + SCRUTINS_16) + ".*download cap"):
        fetch_fast(base + SCRUTINS_16, tmp_path, max_bytes=1000)
    with pytest.raises(SourceNotFound, match=re.escape(base + "an/absent.zip")):
        fetch_fast(base + "an/absent.zip", tmp_path)


def test_probe_tells_whether_the_source_changed(clean_mirror, scrutins_url, tmp_path):
    assert probe(scrutins_url, tmp_path) is None  # nothing cached to compare with
    first = fetch_fast(scrutins_url, tmp_path)
    since = len(clean_mirror.state.requests)
    assert probe(scrutins_url, tmp_path) is False
    [(method, _)] = clean_mirror.state.requests[since:]
    assert method == "HEAD"
    assert clean_mirror.state.request_headers[since]["If-None-Match"] == first.etag

    clean_mirror.state.overrides[SCRUTINS_16] = b"a newer dump"
    assert probe(scrutins_url, tmp_path) is True


def test_probe_of_an_absent_source_says_not_found_even_with_nothing_cached(mirror, shared_data, tmp_path):
    with pytest.raises(SourceNotFound):
        probe(mirror.base_url + "an/17/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip", tmp_path)
    with pytest.raises(SourceNotFound):
        probe(_as_base_url(str(shared_data)) + "an/17/loi/dossiers_legislatifs/Dossiers_Legislatifs.json.zip", tmp_path)


def test_probe_of_a_file_mirror_compares_size_and_mtime(shared_data, tmp_path):
    url = _as_base_url(str(shared_data)) + SCRUTINS_16
    fetch_fast(url, tmp_path)
    assert probe(url, tmp_path) is False
