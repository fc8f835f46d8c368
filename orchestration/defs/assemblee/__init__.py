"""Definitions of the assemblee part of the graph: the AN dumps loaded into raw, and their checks."""

import dagster as dg

from orchestration.defs.assemblee.assets import assemblee_dossiers, assemblee_people, assemblee_votes
from orchestration.defs.assemblee.checks import people_checks, vote_checks

defs = dg.Definitions(
    assets=[assemblee_votes, assemblee_people, assemblee_dossiers], asset_checks=[*vote_checks, *people_checks]
)
