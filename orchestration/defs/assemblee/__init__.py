"""Definitions of the assemblee part of the graph: the AN dumps loaded into raw, and their checks."""

import dagster as dg

from orchestration.defs.assemblee import dossiers
from orchestration.defs.assemblee.assets import assemblee_people, assemblee_votes
from orchestration.defs.assemblee.checks import dossier_checks, people_checks, vote_checks

defs = dg.Definitions.merge(
    dg.Definitions(
        assets=[assemblee_votes, assemblee_people], asset_checks=[*vote_checks, *people_checks, *dossier_checks]
    ),
    dossiers.defs,
)
