"""The code location's one entry point: the definitions of every source and of dbt, merged.

Each folder under defs/ owns one part of the graph and exposes a `defs` object; this file only
merges them, so a newcomer reads the whole pipeline's shape here in one glance.
"""

import dagster as dg

from orchestration.defs import assemblee, operations, polls, transform
from orchestration.defs.resources import shared_resources

defs = dg.Definitions.merge(
    assemblee.defs,
    polls.defs,
    transform.defs,
    operations.defs,
    dg.Definitions(resources=shared_resources()),
)
