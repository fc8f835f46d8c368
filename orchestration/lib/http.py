"""Downloading source files: streamed, capped, retried, conditional, hashed.

    fetch(url, cache_dir, *, max_bytes, log=None, timeout=(10, 60), retries=4, backoff=1.0) -> FetchResult
    probe(url, cache_dir, *, timeout=(10, 60)) -> bool | None

- http(s):// with requests (TLS verification always on); file:// for a mirror given as a directory,
  with the same caps and hashing.
- Streams to a temporary file in cache_dir while computing its sha256, then renames it over the
  cached copy only once it is complete and verified: a cut or failed download never damages the
  last good copy.
- The cached copy's validators (ETag, Last-Modified), size and sha256 live in a sidecar JSON
  beside it. If-None-Match / If-Modified-Since are sent only when the cached file still matches
  its recorded hash; a 304 returns the cached copy with not_modified=True. For file:// sources an
  unchanged size and mtime mean not modified.
- Retries connection errors, timeouts, cut-short bodies and 5xx with exponential backoff; raises
  DownloadError naming the URL and the cause otherwise (4xx, size cap), SourceNotFound on 404.
- Cache file names are derived from the URL (a hash plus a sanitised base name), never from
  anything the server sends.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar
from urllib.parse import urlsplit
from urllib.request import url2pathname

import requests

Log = Callable[[str], None]
T = TypeVar("T")

DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)  # (connect, read between two chunks), seconds
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubles at each further retry
CHUNK_BYTES = 1 << 20
PROGRESS_STEP_MAX_BYTES = 64 << 20  # big files report at least this often, small ones every 25 %


class DownloadError(RuntimeError):
    """A source could not be fetched; the message names the URL and the cause."""


class SourceNotFound(DownloadError):
    """The source answered 404 (an optional enrichment source may be absent from a mirror)."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    path: Path  # the complete local copy (cached copy when not_modified)
    sha256: str
    size_bytes: int
    etag: str | None
    last_modified: str | None
    not_modified: bool


class _Transient(Exception):
    """A failure worth retrying (5xx, body cut short); carries the cause, the URL is added later."""


@dataclass(frozen=True)
class _CacheRecord:
    """What the sidecar JSON holds about the cached copy of one URL."""

    url: str
    sha256: str
    size_bytes: int
    etag: str | None
    last_modified: str | None
    source_mtime_ns: int | None = None  # file:// sources only: with the size, says "unchanged"


@dataclass(frozen=True)
class _CacheSlot:
    """Where one URL's cached copy and its sidecar live."""

    data: Path
    record: Path


def fetch(
    url: str,
    cache_dir: Path,
    *,
    max_bytes: int,
    log: Log | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
) -> FetchResult:
    """Bring the cached copy of `url` up to date and return it (see the module docstring)."""
    log = log or _silent
    cache_dir.mkdir(parents=True, exist_ok=True)
    slot = _cache_slot(url, cache_dir)
    cached = _verified_record(slot)
    with requests.Session() as session:  # one session for every attempt: the connection is reused
        attempt = (
            partial(_file_attempt, url, slot, cached, max_bytes, log)
            if _is_file_url(url)
            else partial(_http_attempt, session, url, slot, cached, max_bytes, log, timeout)
        )
        return _with_retries(attempt, url=url, retries=retries, backoff=backoff, log=log)


def probe(url: str, cache_dir: Path, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> bool | None:
    """Has `url` changed since its cached copy? One cheap request (HEAD, conditional), no retry.

    True: changed; False: unchanged; None: cannot tell (no verified cached copy, or the server
    sends no validator to compare). A change-detection sensor fetches on True or None. A source
    that is absent raises SourceNotFound even with nothing cached, so an optional source missing
    from a mirror does not look "changed" forever.
    """
    cached = _verified_record(_cache_slot(url, cache_dir))
    if _is_file_url(url):
        source = _stat_source(url)
        return None if cached is None else not _same_file_version(cached, source)
    try:
        response = requests.head(
            url, headers=_request_headers(cached), timeout=timeout, allow_redirects=True, verify=True
        )
        _check_status(url, response)
    except _Transient as exc:
        raise DownloadError(f"{url}: {exc}") from exc
    except requests.RequestException as exc:
        raise DownloadError(f"{url}: {_describe(exc)}") from exc
    if cached is None:
        return None
    if response.status_code == 304:
        return False
    return _validators_differ(cached, response.headers)


# Retrying ------------------------------------------------------------------------------------

_RETRYABLE = (requests.ConnectionError, requests.Timeout, _Transient)


def _with_retries(attempt: Callable[[], T], *, url: str, retries: int, backoff: float, log: Log) -> T:
    """Run `attempt`, retrying transient failures with exponential backoff; wrap the last one."""
    attempts = retries + 1
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except requests.exceptions.SSLError as exc:  # a certificate problem does not heal by retrying
            raise DownloadError(f"{url}: TLS verification failed: {exc}") from exc
        except _RETRYABLE as exc:
            if number == attempts:
                raise DownloadError(f"{url}: {_describe(exc)} (gave up after {attempts} attempts)") from exc
            delay = backoff * 2 ** (number - 1)
            log(f"{url}: {_describe(exc)}; retrying in {delay:.3g} s (attempt {number + 1} of {attempts})")
            time.sleep(delay)
        except requests.RequestException as exc:
            raise DownloadError(f"{url}: {_describe(exc)}") from exc
    raise AssertionError("unreachable: the loop returns or raises")


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, _Transient) else f"{type(exc).__name__}: {exc}"


# One attempt per scheme ----------------------------------------------------------------------


def _http_attempt(
    session: requests.Session,
    url: str,
    slot: _CacheSlot,
    cached: _CacheRecord | None,
    max_bytes: int,
    log: Log,
    timeout: tuple[float, float],
) -> FetchResult:
    with session.get(url, headers=_request_headers(cached), stream=True, timeout=timeout, verify=True) as response:
        _check_status(url, response)
        if response.status_code == 304:
            if cached is None:
                raise DownloadError(f"{url}: answered 304 Not Modified to an unconditional request")
            return _not_modified(url, slot, cached, log)
        announced = _content_length(response)
        _check_cap(url, announced, max_bytes)
        progress = _Progress(log, url, announced)
        sha256, size = _write_verified(
            _body_chunks(response, announced),
            slot,
            url=url,
            expected_size=announced,
            max_bytes=max_bytes,
            progress=progress,
        )
        record = _CacheRecord(
            url=url,
            sha256=sha256,
            size_bytes=size,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
    return _stored(slot, record, progress)


def _file_attempt(url: str, slot: _CacheSlot, cached: _CacheRecord | None, max_bytes: int, log: Log) -> FetchResult:
    source = _stat_source(url)
    _check_cap(url, source.st_size, max_bytes)
    if cached is not None and _same_file_version(cached, source):
        return _not_modified(url, slot, cached, log)
    progress = _Progress(log, url, source.st_size)
    with open(_file_path(url), "rb") as handle:
        sha256, size = _write_verified(
            iter(lambda: handle.read(CHUNK_BYTES), b""),
            slot,
            url=url,
            expected_size=source.st_size,
            max_bytes=max_bytes,
            progress=progress,
        )
    record = _CacheRecord(
        url=url,
        sha256=sha256,
        size_bytes=size,
        etag=None,
        last_modified=email.utils.formatdate(source.st_mtime, usegmt=True),
        source_mtime_ns=source.st_mtime_ns,
    )
    return _stored(slot, record, progress)


# HTTP details --------------------------------------------------------------------------------


def _request_headers(cached: _CacheRecord | None) -> dict[str, str]:
    """Ask for the bytes as stored (so Content-Length and the hash are the file's), conditionally."""
    headers = {"Accept-Encoding": "identity"}
    if cached is not None and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached is not None and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _body_chunks(response: requests.Response, announced: int | None) -> Iterator[bytes]:
    """The body in chunks; a connection broken mid-body (the AN server does it) is a cut-short download."""
    received = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            received += len(chunk)
            yield chunk
    except requests.exceptions.ChunkedEncodingError as exc:
        expected = f" of {announced} announced" if announced is not None else ""
        raise _Transient(f"download cut short: connection broken after {received}{expected} bytes") from exc


def _check_status(url: str, response: requests.Response) -> None:
    status = response.status_code
    if status == 404:
        raise SourceNotFound(f"{url}: not found (HTTP 404)")
    if status >= 500:
        raise _Transient(f"server error HTTP {status} {response.reason}")
    if status not in (200, 304):
        raise DownloadError(f"{url}: unexpected answer HTTP {status} {response.reason}")


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _validators_differ(cached: _CacheRecord, headers: Mapping[str, str]) -> bool | None:
    for name, known in (("ETag", cached.etag), ("Last-Modified", cached.last_modified)):
        current = headers.get(name)
        if current and known:
            return current != known
    return None


# file:// details -----------------------------------------------------------------------------


def _is_file_url(url: str) -> bool:
    return urlsplit(url).scheme == "file"


def _file_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def _stat_source(url: str) -> os.stat_result:
    path = _file_path(url)
    if not path.is_file():
        raise SourceNotFound(f"{url}: no such file {path}")
    try:
        return path.stat()
    except OSError as exc:
        raise DownloadError(f"{url}: cannot read {path}: {exc}") from exc


def _same_file_version(cached: _CacheRecord, source: os.stat_result) -> bool:
    return cached.size_bytes == source.st_size and cached.source_mtime_ns == source.st_mtime_ns


# The cache -----------------------------------------------------------------------------------


def _cache_slot(url: str, cache_dir: Path) -> _CacheSlot:
    """A file name from the URL alone: a hash (unique) plus the sanitised base name (readable)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    base_name = re.sub(r"[^A-Za-z0-9._-]", "_", PurePosixPath(urlsplit(url).path).name)[-80:]
    stem = f"{digest}-{base_name}" if base_name else digest
    return _CacheSlot(data=cache_dir / stem, record=cache_dir / f"{stem}.fetch.json")


def _verified_record(slot: _CacheSlot) -> _CacheRecord | None:
    """The sidecar, only if the cached file is there and still has the recorded size and sha256."""
    try:
        record = _CacheRecord(**json.loads(slot.record.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not slot.data.is_file() or slot.data.stat().st_size != record.size_bytes:
        return None
    return record if _sha256_of(slot.data) == record.sha256 else None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_cap(url: str, size: int | None, max_bytes: int) -> None:
    if size is not None and size > max_bytes:
        raise DownloadError(f"{url}: {_human(size)} announced, above the {_human(max_bytes)} download cap")


def _write_verified(
    chunks: Iterable[bytes],
    slot: _CacheSlot,
    *,
    url: str,
    expected_size: int | None,
    max_bytes: int,
    progress: _Progress,
) -> tuple[str, int]:
    """Stream into a temporary file beside the cached copy; replace the copy only when complete.

    Returns (sha256, size). On any failure the temporary file is removed and the cached copy
    is left as it was.
    """
    # Closed by the `with` below; opened first so that the failure path knows its name.
    handle = tempfile.NamedTemporaryFile(dir=slot.data.parent, prefix=".partial-", delete=False)  # noqa: SIM115
    temporary = Path(handle.name)
    try:
        with handle:
            sha256, size = _copy_hashed(chunks, handle, url=url, max_bytes=max_bytes, progress=progress)
            os.fsync(handle.fileno())
        if expected_size is not None and size != expected_size:
            raise _Transient(f"download cut short: received {size} of {expected_size} announced bytes")
        os.replace(temporary, slot.data)
    finally:
        temporary.unlink(missing_ok=True)
    return sha256, size


def _copy_hashed(
    chunks: Iterable[bytes], out: BinaryIO, *, url: str, max_bytes: int, progress: _Progress
) -> tuple[str, int]:
    """Write and hash the chunks, aborting as soon as more than the cap has arrived."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError(f"{url}: more than the {_human(max_bytes)} download cap received, aborted")
        digest.update(chunk)
        out.write(chunk)
        progress.advance(size)
    out.flush()
    return digest.hexdigest(), size


def _stored(slot: _CacheSlot, record: _CacheRecord, progress: _Progress) -> FetchResult:
    """Write the sidecar beside the freshly replaced copy (atomically too) and report."""
    temporary = slot.record.with_name(slot.record.name + ".partial")
    temporary.write_text(json.dumps(asdict(record), indent=1))
    os.replace(temporary, slot.record)
    progress.finish(record.size_bytes)
    return _result(slot, record, not_modified=False)


def _not_modified(url: str, slot: _CacheSlot, cached: _CacheRecord, log: Log) -> FetchResult:
    log(f"{url}: not modified, keeping the cached copy ({_human(cached.size_bytes)}, sha256 {cached.sha256[:12]})")
    return _result(slot, cached, not_modified=True)


def _result(slot: _CacheSlot, record: _CacheRecord, *, not_modified: bool) -> FetchResult:
    return FetchResult(
        url=record.url,
        path=slot.data,
        sha256=record.sha256,
        size_bytes=record.size_bytes,
        etag=record.etag,
        last_modified=record.last_modified,
        not_modified=not_modified,
    )


# Progress for people -------------------------------------------------------------------------


class _Progress:
    """Logs start, every 25 % (at most every 64 MB for big files), and end with throughput."""

    def __init__(self, log: Log, url: str, total: int | None) -> None:
        self._log = log
        self._url = url
        self._total = total
        self._step = min(total // 4, PROGRESS_STEP_MAX_BYTES) if total else PROGRESS_STEP_MAX_BYTES
        self._next_report = self._step
        self._started = time.monotonic()
        log(f"{url}: downloading {_human(total) if total is not None else 'unknown size'}")

    def advance(self, done: int) -> None:
        if self._step <= 0 or done < self._next_report or done == self._total:
            return
        share = f" ({100 * done // self._total} %)" if self._total else ""
        self._log(f"{self._url}: {_human(done)} received{share}")
        self._next_report = (done // self._step + 1) * self._step

    def finish(self, size: int) -> None:
        seconds = max(time.monotonic() - self._started, 1e-6)
        self._log(f"{self._url}: done, {_human(size)} in {seconds:.2f} s ({_human(size / seconds)}/s)")


def _human(size: float) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.2f} GB"


def _silent(message: str) -> None:
    return None
