"""The Assemblée's dumps as Dagster assets, one per declared dump (lib/an_dumps.py).

- `assemblee_votes`: raw/an_scrutins, an_group_tallies, an_votes, an_vote_corrections;
- `assemblee_people`: raw/an_acteurs, an_mandats, an_organes;
- `assemblee_dossiers`: raw/an_dossiers, an_dossier_acts, an_documents (a 404 is a warning).
"""

from orchestration.defs.sources import build_source_asset
from orchestration.lib.an_dumps import AMO_DUMP, DOSSIERS_DUMP, SCRUTINS_DUMP

assemblee_votes = build_source_asset(SCRUTINS_DUMP)
assemblee_people = build_source_asset(AMO_DUMP)
assemblee_dossiers = build_source_asset(DOSSIERS_DUMP)
