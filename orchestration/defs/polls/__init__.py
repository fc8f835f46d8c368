"""Definitions of the polls part of the graph: one asset per poll feed, with its raw-table checks."""

import dagster as dg

from orchestration.defs.polls.assets import poll_feed_assets

defs = dg.Definitions(assets=poll_feed_assets)
