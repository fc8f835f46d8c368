"""Reading a downloaded zip safely: verified whole, capped, members streamed into memory.

    iter_members(path, *, prefix=None, suffix=".json", names=None, limits=DEFAULT_LIMITS) -> Iterator[Member]
    member_crc32s(path, *, prefix=None, suffix=".json") -> dict[str, int]

Why each guard:
- The AN server is known to cut downloads short. Before the first member is yielded the central
  directory must be readable and every member's data must lie inside the file, so a truncated
  archive fails up front, naming the file. Every member's CRC-32 is checked as it is read; a
  corrupt member fails naming the archive and the member. A loader that collects all members
  before writing (one transaction) therefore never loads part of a broken archive.
- Zip bombs: the total and per-member uncompressed sizes and the compression ratio are checked
  from the central directory before anything is read, and enforced while reading (zipfile never
  inflates past a member's declared size, and a member that inflates to anything else fails its
  CRC check).
- Nothing is ever extracted: members are read as streams into memory, so a member name is only a
  label. Names that would be dangerous as paths (absolute, drive letters, `..` parts) or that
  appear twice still make the archive refused, as no honest dump contains them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

LOCAL_HEADER_BYTES = 30  # fixed part of a zip local file header, before the name and extra field


class ArchiveError(RuntimeError):
    """An archive is truncated, corrupt, unsafe or over a cap; the message names the file (and member)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps on what an archive may inflate to. The real AN dumps: 63 MB, 124 kB per member, ratio 26 at most."""

    max_total_bytes: int = 4 << 30
    max_member_bytes: int = 256 << 20
    max_ratio: float = 100.0
    # Below this size the ratio is not judged: tiny members compress erratically and are bounded anyway.
    ratio_floor_bytes: int = 1 << 20


DEFAULT_LIMITS = ArchiveLimits()


class Member(NamedTuple):
    name: str  # a label from the archive, never used as a path
    crc32: int  # as recorded in the archive (and verified while reading): a cheap per-file version
    content: bytes


def iter_members(
    path: Path,
    *,
    prefix: str | None = None,
    suffix: str | None = ".json",
    names: Container[str] | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Iterator[Member]:
    """Yield the archive's files whose names match `prefix`/`suffix` (and are in `names`, when
    given: an incremental load parses only new and changed files), in name order, CRC-checked.

    The matching files outside `names` are still read and CRC-checked (0.3 s for the largest
    dump): a changed archive with a corrupt member is refused whole, even when the corrupt member
    is one an incremental load would not parse.
    """
    with _open(path) as archive:
        _check_whole_and_safe(path, archive)
        selected = sorted(
            (info for info in archive.infolist() if _wanted(info, prefix, suffix)), key=lambda info: info.filename
        )
        _check_caps(path, selected, limits)
        for info in selected:
            content = _read(path, archive, info, limits)
            if names is None or info.filename in names:
                yield Member(info.filename, info.CRC, content)


def member_crc32s(path: Path, *, prefix: str | None = None, suffix: str | None = ".json") -> dict[str, int]:
    """Each matching file's CRC-32 as the central directory records it: a per-file version read
    without inflating anything, which an incremental load compares with the one it loaded."""
    with _open(path) as archive:
        _check_whole_and_safe(path, archive)
        return {info.filename: info.CRC for info in archive.infolist() if _wanted(info, prefix, suffix)}


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(f"{path}: not a readable zip archive (truncated or corrupt?): {exc}") from exc


def _wanted(info: zipfile.ZipInfo, prefix: str | None, suffix: str | None) -> bool:
    return (
        not info.is_dir()
        and (prefix is None or info.filename.startswith(prefix))
        and (suffix is None or info.filename.endswith(suffix))
    )


def _check_whole_and_safe(path: Path, archive: zipfile.ZipFile) -> None:
    """Every member's data inside the file, no encrypted member, no dangerous or repeated name."""
    file_size = path.stat().st_size
    seen: set[str] = set()
    for info in archive.infolist():
        data_end = info.header_offset + LOCAL_HEADER_BYTES + info.compress_size  # a lower bound: name not counted
        if data_end > file_size:
            raise ArchiveError(f"{path}: truncated: member {info.filename} ends past the end of the file")
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{path}: member {info.filename} is encrypted")
        if _dangerous_name(info.filename) or info.filename in seen:
            raise ArchiveError(f"{path}: refused: unsafe or repeated member name {info.filename!r}")
        seen.add(info.filename)


def _dangerous_name(name: str) -> bool:
    as_path = PurePosixPath(name.replace("\\", "/"))
    return as_path.is_absolute() or ".." in as_path.parts or "\x00" in name or bool(re.match(r"[A-Za-z]:", name))


def _check_caps(path: Path, members: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Refuse a zip bomb from what the central directory declares, before inflating anything."""
    total = sum(info.file_size for info in members)
    if total > limits.max_total_bytes:
        raise ArchiveError(f"{path}: refused: {total} bytes uncompressed, above the cap of {limits.max_total_bytes}")
    for info in members:
        if info.file_size > limits.max_member_bytes:
            raise ArchiveError(
                f"{path}: refused: member {info.filename} inflates to {info.file_size} bytes,"
                f" above the cap of {limits.max_member_bytes}"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise ArchiveError(
                f"{path}: refused: member {info.filename} has compression ratio {ratio:.0f},"
                f" above the cap of {limits.max_ratio:.0f} (zip bomb?)"
            )


def _read(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits) -> bytes:
    """One member into memory; zipfile checks its CRC-32 when the stream reaches its end."""
    try:
        with archive.open(info) as stream:
            content = stream.read(limits.max_member_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ArchiveError(f"{path}: member {info.filename} is corrupt: {exc}") from exc
    if len(content) != info.file_size:
        raise ArchiveError(
            f"{path}: member {info.filename} inflated to {len(content)} bytes, {info.file_size} declared"
        )
    return content
