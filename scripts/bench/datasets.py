"""The inputs the bench makes from the real 16th votes dump.

- the members extracted to a directory, for the `read_json` baseline (which cannot read a zip);
- synthetic legislatures k times larger: every real scrutin file repeated k times, each copy
  under a new uid and member name, so the parser and the loader see k times the files and rows.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from orchestration.lib.assemblee_votes import SCRUTIN_MEMBER

_NUMBERED_UID = re.compile(r"(VT(?:AN|CG)R\d+L\d+V)(\d+)")
# Copy c of scrutin n is numbered c * COPY_STRIDE + n: above any real scrutin number.
COPY_STRIDE = 1_000_000


def extract_members(archive: Path, target: Path) -> Path:
    """Every member of `archive` written under `target` (names checked by the pipeline's own reader)."""
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            if SCRUTIN_MEMBER.fullmatch(info.filename):
                destination = target / info.filename
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(opened.read(info))
    return target


def write_scaled_dump(archive: Path, target: Path, factor: int) -> Path:
    """A dump with each scrutin file present `factor` times: copy 0 as is, copy c with its uid
    (in the name and everywhere in the file) renumbered. Other members are left out."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as scaled:
        for info in source.infolist():
            if not SCRUTIN_MEMBER.fullmatch(info.filename):
                continue
            content = source.read(info)
            for copy in range(factor):
                scaled.writestr(_renumbered(info.filename, copy), _renumbered_bytes(content, copy))
    return target


def _renumbered(text: str, copy: int) -> str:
    return _NUMBERED_UID.sub(lambda match: f"{match.group(1)}{copy * COPY_STRIDE + int(match.group(2))}", text)


def _renumbered_bytes(content: bytes, copy: int) -> bytes:
    return content if copy == 0 else _renumbered(content.decode("utf-8"), copy).encode("utf-8")
