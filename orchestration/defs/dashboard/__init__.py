"""The dashboard part of the graph: the static page re-rendered after every publication.

It depends on `published_warehouse` (not on the marts) because it must show what readers see:
it opens the published file read-only, never the build database, so it holds no writer pool.
"""

import dagster as dg

from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.dashboard import DashboardError, render_site, site_dir_for


@dg.asset(
    group_name="analytics",
    deps=[dg.AssetKey("published_warehouse")],
    kinds={"html"},
    description="warehouse/site/index.html: one offline page of charts (FR/EN) drawn from the published marts.",
)
def dashboard_site(context: dg.AssetExecutionContext, settings: WarehouseSettings) -> dg.MaterializeResult:
    warehouse = settings.resolve().warehouse_path
    try:
        site = render_site(warehouse, site_dir_for(warehouse))
    except DashboardError as exc:
        raise dg.Failure(description=str(exc)) from exc
    context.log.info(f"Dashboard written to {site.path} for publication {site.publication_id}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(site.path)),
            "publication_id": site.publication_id or "unpublished",
            "dataset_rows": dg.MetadataValue.json(site.dataset_rows),
        }
    )


defs = dg.Definitions(assets=[dashboard_site])
