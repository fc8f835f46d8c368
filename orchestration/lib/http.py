"""Downloading source files: streamed, capped, retried, conditional, hashed.

INTERFACE (implemented by the foundation issue; callers code against this):

    fetch(url, cache_dir, *, max_bytes, log=None) -> FetchResult

- http(s):// with requests; file:// for a mirror given as a directory (same caps and hashing).
- Streams to a temporary file in cache_dir, then renames over the cached copy: a cut download
  never replaces a good file.
- Sends If-None-Match / If-Modified-Since from the cached copy's validators; on 304 returns the
  cached copy with not_modified=True.
- Retries connection errors, timeouts and 5xx with exponential backoff; raises DownloadError
  naming the URL and the cause otherwise (4xx, size cap, length mismatch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
