"""Refresh as soon as a source changes, and only what depends on it.

Every few hours the sensor asks each source cheaply whether it changed since the copy the
warehouse was built from (a conditional HEAD, or size and mtime for a mirror directory; see
`lib/http.probe`). It then requests one run of the assets fed by the changed sources and
everything downstream of them: dbt models, publication, dashboard. Nothing changed, no run.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.assemblee.assets import AMO_DUMP, SCRUTINS_DUMP, assemblee_people, assemblee_votes
from orchestration.defs.assemblee.dossiers import DOSSIERS_DUMP, assemblee_dossiers
from orchestration.defs.assemblee.dumps import AnDump
from orchestration.defs.operations.schedules import refresh_warehouse
from orchestration.defs.polls.assets import feed_cache_dir, file_url, poll_feed_assets
from orchestration.lib.config import Settings, load_settings
from orchestration.lib.http import DownloadError, probe
from orchestration.lib.polls import FEEDS

PROBE_INTERVAL_SECONDS = 3 * 60 * 60


@dataclass(frozen=True)
class WatchedSource:
    """An asset that downloads, and the (url, cache dir) pairs whose change it must reload."""

    asset: dg.AssetsDefinition
    locations: Callable[[Settings], list[tuple[str, Path]]]


def _dump_locations(dump: AnDump) -> Callable[[Settings], list[tuple[str, Path]]]:
    return lambda settings: [
        (dump.url(settings, legislature), dump.cache_dir(settings, legislature))
        for legislature in settings.legislatures
    ]


def _feed_locations(feed_index: int) -> Callable[[Settings], list[tuple[str, Path]]]:
    feed = FEEDS[feed_index]
    return lambda settings: [
        (url, feed_cache_dir(feed, settings))
        for url in (file_url(feed, spec, settings) for spec in feed.files)
        if url is not None
    ]


WATCHED_SOURCES: tuple[WatchedSource, ...] = (
    WatchedSource(assemblee_votes, _dump_locations(SCRUTINS_DUMP)),
    WatchedSource(assemblee_people, _dump_locations(AMO_DUMP)),
    WatchedSource(assemblee_dossiers, _dump_locations(DOSSIERS_DUMP)),
    *(WatchedSource(asset, _feed_locations(index)) for index, asset in enumerate(poll_feed_assets)),
)


def has_changed(locations: Iterable[tuple[str, Path]], log: Callable[[str], None]) -> bool:
    """True when any location changed or cannot be compared. A source that is absent (an optional
    one missing from a mirror) or cannot be reached now is left to the nightly run, which reports
    it, rather than triggering a run of its own."""
    for url, cache_dir in locations:
        try:
            changed = probe(url, cache_dir)
        except DownloadError as exc:
            log(f"cannot probe {url}: {exc}")
            continue
        if changed is not False:
            log(f"{url}: {'changed' if changed else 'no comparable cached copy'}")
            return True
    return False


@dg.sensor(
    name="source_change_sensor",
    job=refresh_warehouse,
    minimum_interval_seconds=PROBE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Probes every source cheaply and refreshes only the part of the graph downstream of what changed.",
)
def source_change_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    changed = [
        watched.asset for watched in WATCHED_SOURCES if has_changed(watched.locations(settings), context.log.info)
    ]
    if not changed:
        return dg.SkipReason("no source changed since the last download")
    selection = dg.AssetSelection.assets(*changed).downstream()
    asset_keys = sorted(selection.resolve(context.repository_def.asset_graph), key=lambda key: key.to_string())
    names = ", ".join(sorted(asset.node_def.name for asset in changed))
    return dg.SensorResult(run_requests=[dg.RunRequest(asset_selection=asset_keys, tags={"nupes/changed": names})])
