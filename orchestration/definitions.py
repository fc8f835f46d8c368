"""The code location's one entry point: the definitions of every part of the graph, merged.

Each folder under defs/ owns one part of the graph and exposes a `defs` object; this file only
merges them and applies the freshness promise, so a newcomer reads the pipeline's shape here.
"""

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.defs import assemblee, dashboard, operations, polls, transform
from orchestration.defs.resources import WarehouseSettings, WarehouseWriter
from orchestration.defs.transform.resources import dbt_cli

# Raw tables and marts refresh nightly: one missed night is tolerated, a second is flagged in the UI.
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=36), warn_window=timedelta(hours=26))
FRESHNESS_SELECTION = dg.AssetSelection.key_prefixes(["raw"], ["marts"])


def with_nightly_freshness(definitions: dg.Definitions) -> dg.Definitions:
    """The one way to set a policy on dbt's and the loaders' specs together; it is marked "preview"."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return definitions.map_resolved_asset_specs(
            func=lambda spec: spec.replace_attributes(freshness_policy=NIGHTLY_FRESHNESS),
            selection=FRESHNESS_SELECTION,
        )


def resources_for(settings: WarehouseSettings) -> dict[str, dg.ConfigurableResource]:
    """The resources of every part of the graph, all reading the same settings."""
    return {"settings": settings, "duckdb": WarehouseWriter(settings=settings), "dbt": dbt_cli(settings)}


def build_definitions(settings: WarehouseSettings) -> dg.Definitions:
    """The whole graph with its resources reading `settings` (a test's mirror and warehouse, or
    the environment's when the fields are unset)."""
    return with_nightly_freshness(
        dg.Definitions.merge(
            assemblee.defs,
            polls.defs,
            transform.defs,
            operations.defs,
            dashboard.defs,
            dg.Definitions(resources=resources_for(settings)),
        )
    )


# The only Definitions object at module scope: Dagster refuses a module that holds two. Its
# settings are the environment's, read when each run starts.
defs = build_definitions(WarehouseSettings())
