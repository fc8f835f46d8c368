"""A copy of a scrutins dump with its newest scrutins held back: yesterday's dump, made from today's.

The incremental refresh is tested and benchmarked on a realistic change: a dump first served
without its last scrutins, then whole again, as when the Assemblée publishes the night's votes.

    write_partial_scrutins_zip(source_zip, target_zip, keep_fraction) -> list[str]

writes `target_zip` with the first `keep_fraction` of the scrutin files (ordered by scrutin
number, so the held-back ones are the newest) and returns the names of the members held back.
Kept members have the same content, hence the same CRC-32, as in the source: an incremental load
of the source after the copy sees exactly the held-back members as new.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from orchestration.lib.assemblee_votes import SCRUTIN_MEMBER

_SCRUTIN_NUMBER = re.compile(r"V(\d+)\.json$")


def write_partial_scrutins_zip(source_zip: Path, target_zip: Path, keep_fraction: float) -> list[str]:
    """Copy `source_zip` to `target_zip` without its newest scrutins; return the held-back members.

    keep_fraction: 0.99 keeps the first 99 % of the scrutin files (rounded to the nearest file)
    and holds back the last 1 %. Members that are not scrutin files are copied as they are.
    """
    if not 0.0 <= keep_fraction <= 1.0:
        raise ValueError(f"keep_fraction must be between 0 and 1, got {keep_fraction}")
    with zipfile.ZipFile(source_zip) as source:
        scrutins = sorted(
            (info.filename for info in source.infolist() if SCRUTIN_MEMBER.fullmatch(info.filename)),
            key=_scrutin_order,
        )
        held_back = scrutins[round(len(scrutins) * keep_fraction) :]
        _copy_members(source, target_zip, excluded=set(held_back))
    return held_back


def _scrutin_order(member: str) -> tuple[int, str]:
    """By scrutin number (V999 before V1000), then name (a Congrès file numbers on its own)."""
    match = _SCRUTIN_NUMBER.search(member)
    return (int(match.group(1)) if match else 0, member)


def _copy_members(source: zipfile.ZipFile, target_zip: Path, excluded: set[str]) -> None:
    with zipfile.ZipFile(target_zip, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in excluded:
                copied = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                target.writestr(copied, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
