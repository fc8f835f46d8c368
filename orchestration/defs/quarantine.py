"""The check every loader that quarantines carries: a WARN listing each member it left out.

A quarantined member does not stop the refresh (lib/quarantine.py), so it must not pass unseen:
the check fails at WARN severity, non-blocking, with every member, its error and whether it kept
its previous rows in its metadata, which the success alert (defs/operations/alerts.py) posts.
"""

import dagster as dg

from orchestration.lib.quarantine import MAX_QUARANTINED_SHARE, OnError

QUARANTINE_CHECK = "no_quarantined_members"
QUARANTINED_METADATA = "quarantined"


class QuarantineConfig(dg.Config):
    """Run configuration of every loader that quarantines (the AN dumps, the poll feeds)."""

    # "quarantine" (the nightly default): a member (a dump's file, a poll file's row) that cannot be
    # parsed or used is listed in raw.quarantine and the rest loads. "fail" (strict, for tests and
    # investigations): the first such member fails the load, naming it.
    on_bad_member: str = "quarantine"
    # Above this share of a dump's members (a poll file's rows) quarantined, the file is bad, not a
    # record, and nothing of it loads.
    max_quarantined_share: float = MAX_QUARANTINED_SHARE

    def error_mode(self) -> OnError:
        if self.on_bad_member not in ("fail", "quarantine"):
            raise ValueError(f"on_bad_member must be 'fail' or 'quarantine', not {self.on_bad_member!r}")
        return self.on_bad_member  # type: ignore[return-value]


def quarantine_check_result(
    quarantined: list[dict[str, object]], asset_key: dg.AssetKey | None = None
) -> dg.AssetCheckResult:
    """Passed when nothing is quarantined; otherwise a WARN naming every member."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=QUARANTINE_CHECK,
        passed=not quarantined,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined_members": len(quarantined),
            "kept_previous_rows": sum(bool(item["kept_previous_rows"]) for item in quarantined),
            QUARANTINED_METADATA: dg.MetadataValue.json(quarantined),
        },
    )
