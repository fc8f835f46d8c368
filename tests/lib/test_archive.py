"""Safe archive reading, on the real 16th-legislature votes zip and on broken zips built here."""

from __future__ import annotations

import re
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from orchestration.lib.archive import ArchiveError, ArchiveLimits, iter_members

SCRUTINS_16 = "an/16/loi/scrutins/Scrutins.json.zip"
CENTRAL_HEADER_SIGNATURE = b"PK\x01\x02"
CENTRAL_COMPRESSED_SIZE_OFFSET = 20  # fields of a central directory header, from its signature
CENTRAL_UNCOMPRESSED_SIZE_OFFSET = 24
LOCAL_HEADER_LENGTHS = struct.Struct("<HH")  # name and extra field lengths, at byte 26 of a local header


@pytest.fixture
def scrutins_zip(shared_data: Path) -> Path:
    return shared_data / SCRUTINS_16


def build_zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return path


def member_data_offset(path: Path, name: str) -> tuple[int, int]:
    """(start, length) of a member's compressed bytes, read from its local header."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    name_length, extra_length = LOCAL_HEADER_LENGTHS.unpack_from(raw, info.header_offset + 26)
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def patch_first_central_header(path: Path, field_offset: int, value: int) -> None:
    """Rewrite one 32-bit field of the first member's central directory entry: a lying archive."""
    raw = bytearray(path.read_bytes())
    struct.pack_into("<I", raw, raw.index(CENTRAL_HEADER_SIGNATURE) + field_offset, value)
    path.write_bytes(raw)


def flip_bytes(path: Path, offset: int, count: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + count] = bytes(byte ^ 0xFF for byte in raw[offset : offset + count])
    path.write_bytes(raw)


def small_json_members() -> dict[str, bytes]:
    return {f"json/VT{number}.json": (b'{"vote": %d, "text": "%s"}' % (number, b"pour " * 400)) for number in range(3)}


def test_every_member_of_the_real_zip_is_read_in_name_order_with_its_crc(scrutins_zip):
    with zipfile.ZipFile(scrutins_zip) as archive:
        expected_names = sorted(name for name in archive.namelist() if not name.endswith("/"))
        sample_name = expected_names[len(expected_names) // 2]
        sample_content = archive.read(sample_name)

    members = list(iter_members(scrutins_zip))

    assert [member.name for member in members] == expected_names
    assert all(member.crc32 == zlib.crc32(member.content) for member in members)
    assert dict((member.name, member.content) for member in members)[sample_name] == sample_content


def test_prefix_and_suffix_select_members(scrutins_zip):
    with zipfile.ZipFile(scrutins_zip) as archive:
        expected = sorted(name for name in archive.namelist() if name.startswith("json/VTCG"))
    assert [member.name for member in iter_members(scrutins_zip, prefix="json/VTCG")] == expected
    assert list(iter_members(scrutins_zip, suffix=".xml")) == []


def test_reading_the_whole_real_zip_is_fast(scrutins_zip):
    started = time.perf_counter()
    count = sum(1 for _ in iter_members(scrutins_zip))
    assert count > 3000
    assert time.perf_counter() - started < 3.0  # about 0.15 s here: fails only on a gross regression


def test_directories_are_skipped(tmp_path):
    path = build_zip(tmp_path / "dirs.zip", {"json/": b"", "json/a.json": b"{}"})
    assert [member.name for member in iter_members(path)] == ["json/a.json"]


def test_a_truncated_zip_is_refused_naming_the_file(scrutins_zip, tmp_path):
    half = tmp_path / "Scrutins.half.zip"
    raw = scrutins_zip.read_bytes()
    half.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ArchiveError, match=re.escape(str(half)) + ".*truncated or corrupt"):
        next(iter_members(half))


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED], ids=["deflated", "stored"])
def test_a_corrupt_member_is_refused_naming_archive_and_member(tmp_path, compression):
    path = build_zip(tmp_path / "corrupt.zip", small_json_members(), compression)
    start, length = member_data_offset(path, "json/VT1.json")
    flip_bytes(path, start + length // 2, count=4)

    members = iter_members(path)
    assert next(members).name == "json/VT0.json"
    with pytest.raises(ArchiveError, match=re.escape(str(path)) + r".*member json/VT1\.json is corrupt"):
        next(members)


def test_a_corrupt_member_fails_even_when_only_other_members_are_asked_for(tmp_path):
    """An incremental load parses only changed members; a damaged archive must still be refused whole."""
    path = build_zip(tmp_path / "corrupt.zip", small_json_members())
    start, length = member_data_offset(path, "json/VT1.json")
    flip_bytes(path, start + length // 2, count=4)

    with pytest.raises(ArchiveError, match=r"member json/VT1\.json is corrupt"):
        list(iter_members(path, names={"json/VT0.json", "json/VT2.json"}))


def test_a_member_inflating_past_its_declared_size_fails(tmp_path):
    """A lying central directory: zipfile stops at the declared size, and the CRC check catches it."""
    path = build_zip(tmp_path / "liar.zip", {"json/a.json": b"x" * 10_000})
    patch_first_central_header(path, CENTRAL_UNCOMPRESSED_SIZE_OFFSET, 100)
    with pytest.raises(ArchiveError, match=r"member json/a\.json is corrupt"):
        list(iter_members(path))


def test_a_member_whose_data_would_end_past_the_file_is_refused_before_reading(tmp_path):
    path = build_zip(tmp_path / "short.zip", {"json/a.json": b"{}", "json/b.json": b"{}"})
    patch_first_central_header(path, CENTRAL_COMPRESSED_SIZE_OFFSET, 1 << 30)
    with pytest.raises(ArchiveError, match=re.escape(str(path)) + r": truncated: member json/a\.json ends past"):
        next(iter_members(path))


def test_a_zip_bomb_is_refused_by_the_ratio_cap(tmp_path):
    path = build_zip(tmp_path / "bomb.zip", {"json/bomb.json": b"\0" * (16 << 20)})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("json/bomb.json")
    assert info.file_size / info.compress_size > ArchiveLimits().max_ratio  # the test builds a real bomb
    with pytest.raises(ArchiveError, match=re.escape(str(path)) + r".*json/bomb\.json has compression ratio"):
        next(iter_members(path))


def test_size_caps_are_checked_before_reading(scrutins_zip):
    with zipfile.ZipFile(scrutins_zip) as archive:
        largest = max(info.file_size for info in archive.infolist())
    with pytest.raises(ArchiveError, match=r"member json/\S+ inflates to \d+ bytes, above the cap"):
        next(iter_members(scrutins_zip, limits=ArchiveLimits(max_member_bytes=largest - 1)))
    with pytest.raises(ArchiveError, match=r"bytes uncompressed, above the cap of 1000000"):
        next(iter_members(scrutins_zip, limits=ArchiveLimits(max_total_bytes=1_000_000)))


@pytest.mark.parametrize("name", ["../evil.json", "json/../../evil.json", "/etc/evil.json", "C:/evil.json"])
def test_member_names_unsafe_as_paths_are_refused(tmp_path, name):
    path = build_zip(tmp_path / "unsafe.zip", {"json/fine.json": b"{}", name: b"{}"})
    with pytest.raises(ArchiveError, match="unsafe or repeated member name"):
        next(iter_members(path))
