"""Which files of a changed dump an incremental load must read.

A dump is a zip of one JSON file per record (a scrutin). The zip's central directory gives every
member's CRC-32 without inflating anything, and the raw layer keeps, per loaded record, the
member it came from and that member's CRC-32. Comparing the two tells which members are new,
which changed, which vanished, and which can be left alone: only new and changed members are
parsed, and the rows of changed and vanished ones are deleted.

A CRC-32 is a checksum, not a cryptographic hash: two versions of one file could in principle
share it (about one chance in four billion per changed file). `force_reload` (a full reload)
covers that case, and any doubt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberChanges:
    """How a dump's members compare with the ones whose rows are loaded."""

    new: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    unchanged: int

    @property
    def to_parse(self) -> frozenset[str]:
        """Members whose rows must be (re)built."""
        return self.new | self.changed

    @property
    def to_delete(self) -> frozenset[str]:
        """Members whose loaded rows are stale."""
        return self.changed | self.removed

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }

    def summary(self) -> str:
        return ", ".join(f"{count:,} {state}" for state, count in self.counts().items()) + " members"


def diff_members(in_archive: Mapping[str, int], loaded: Mapping[str, int]) -> MemberChanges:
    """Compare member -> CRC-32 of the archive with member -> CRC-32 of the loaded rows."""
    new = frozenset(name for name in in_archive if name not in loaded)
    changed = frozenset(name for name, crc in in_archive.items() if name in loaded and loaded[name] != crc)
    removed = frozenset(name for name in loaded if name not in in_archive)
    return MemberChanges(new, changed, removed, unchanged=len(in_archive) - len(new) - len(changed))
