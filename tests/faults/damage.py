"""Damaged copies of the real source files, built in memory for the mirror to serve.

Each function takes the bytes of a real file and returns the bytes of a copy with one defect, so
a fault test exercises the pipeline on real data everywhere but at the one place it breaks.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Collection, Mapping
from typing import Any

from tests.lib.test_archive import LOCAL_HEADER_LENGTHS

# A member inflating to this many spaces compresses about 1000:1: far above the archive ratio cap.
BOMB_MEMBER_BYTES = 64 << 20


def rewrite_zip(
    original: bytes,
    replaced: Mapping[str, bytes] = {},
    added: Mapping[str, bytes] = {},
    removed: Collection[str] = (),
) -> bytes:
    """The archive with some members' contents replaced, some removed and new members appended (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in removed:
                continue
            content = replaced[info.filename] if info.filename in replaced else source.read(info)
            target.writestr(info.filename, content)
        for name, content in added.items():
            target.writestr(name, content)
    return out.getvalue()


def read_member(archive: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return opened.read(member)


def edit_member_json(original: bytes, member: str, edit: Callable[[dict[str, Any]], None]) -> bytes:
    """The archive with one JSON member decoded, changed in place by `edit`, and encoded again."""
    document = json.loads(read_member(original, member))
    edit(document)
    return rewrite_zip(original, replaced={member: json.dumps(document, ensure_ascii=False).encode()})


def corrupt_member(original: bytes, member: str) -> bytes:
    """The archive with bytes in the middle of one member's compressed data inverted (its CRC now lies)."""
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        info = archive.getinfo(member)
    name_length, extra_length = LOCAL_HEADER_LENGTHS.unpack_from(original, info.header_offset + 26)
    middle = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    damaged = bytearray(original)
    damaged[middle : middle + 8] = bytes(byte ^ 0xFF for byte in damaged[middle : middle + 8])
    return bytes(damaged)


def touch_every_member(original: bytes, replaced: Mapping[str, bytes] = {}, added: Mapping[str, bytes] = {}) -> bytes:
    """Every member's JSON followed by a newline: the same records, but every file's CRC is new,
    so even an incremental load parses and rewrites the whole dump (and a refresh publishes);
    `replaced` and `added` members as given."""
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        touched = {info.filename: source.read(info) + b"\n" for info in source.infolist()}
    return rewrite_zip(original, replaced=touched | dict(replaced), added=added)


def first_half(original: bytes) -> bytes:
    """A file cut in the middle but served as complete (the right Content-Length for what is sent)."""
    return original[: len(original) // 2]


def zip_bomb(original: bytes, member: str) -> bytes:
    """The archive plus one more member of spaces, tiny compressed, huge inflated."""
    return rewrite_zip(original, added={member: b" " * BOMB_MEMBER_BYTES})


def rename_csv_column(original: bytes, column: str, new_name: str) -> bytes:
    """A CSV whose header calls `column` (quoted, as the real files write it) by another name."""
    header, rest = original.split(b"\n", 1)
    renamed = header.replace(f'"{column}"'.encode(), f'"{new_name}"'.encode(), 1)
    if renamed == header:
        raise ValueError(f"column {column!r} is not in the header {header!r}")
    return renamed + b"\n" + rest
