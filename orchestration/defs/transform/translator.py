"""How dbt nodes become Dagster assets: one naming rule for the whole warehouse.

- Models and seeds are keyed `[<schema>, <name>]` (`staging/stg_assemblee__votes`,
  `marts/fct_group_votes`), the relation an analyst queries, so a key says where the table is.
- Sources keep the key their YAML names in `meta.dagster.asset_key` (`raw/an_votes`): the asset of
  the Python loader that writes the table, which links dbt's graph to the loaders' in one lineage.
- Groups follow the models' top folder (staging, intermediate, marts); seeds, which live in the
  staging schema, join the group of their schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator


def is_source(dbt_resource_props: Mapping[str, Any]) -> bool:
    return dbt_resource_props["resource_type"] == "source"


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Keys by schema and name, groups by layer; sources defer to their `meta.dagster.asset_key`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if is_source(dbt_resource_props):
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if is_source(dbt_resource_props):
            return super().get_group_name(dbt_resource_props)
        if dbt_resource_props["resource_type"] == "model":
            # fqn: [project, <top folder>, ..., <model name>]
            return dbt_resource_props["fqn"][1]
        return dbt_resource_props["schema"]
