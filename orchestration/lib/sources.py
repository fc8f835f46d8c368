"""Every source the warehouse loads, in one list, and the cheap question "did any of it change?".

The Dagster assets (one per source) are built from this list by orchestration/defs/sources.py,
and the change sensor probes the files the same declarations fetch: a source added here is
downloaded, loaded, checked and watched with nothing else to write.
"""

from __future__ import annotations

from orchestration.lib.an_dumps import AN_DUMPS
from orchestration.lib.config import Settings
from orchestration.lib.http import DownloadError, probe
from orchestration.lib.poll_feeds import POLL_FEEDS
from orchestration.lib.refresh import Log, Source

SOURCES: tuple[Source, ...] = (*AN_DUMPS, *POLL_FEEDS)


def has_changed(source: Source, settings: Settings, log: Log) -> bool:
    """True when any file of the source changed or cannot be compared with its cached copy. A file
    that is absent (an optional one missing from a mirror), has no URL or cannot be reached now is
    left to the nightly run, which reports it, rather than triggering a run of its own."""
    for unit in source.units(settings):
        for spec in unit.files:
            if spec.url is None:
                continue
            try:
                changed = probe(spec.url, spec.cache_dir)
            except DownloadError as exc:
                log(f"cannot probe {spec.url}: {exc}")
                continue
            if changed is not False:
                log(f"{spec.url}: {'changed' if changed else 'no comparable cached copy'}")
                return True
    return False


def changed_sources(settings: Settings, log: Log) -> list[Source]:
    """The sources a refresh would find changed."""
    return [source for source in SOURCES if has_changed(source, settings, log)]
