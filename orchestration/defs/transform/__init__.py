"""The transform part of the graph: the dbt project's models, seeds and tests (see assets.py)."""

import dagster as dg

from orchestration.defs.transform.assets import warehouse_dbt_models
from orchestration.defs.transform.project import DBT_EXECUTABLE, dbt_project
from orchestration.defs.transform.resources import WarehouseDbtCli

defs = dg.Definitions(
    assets=[warehouse_dbt_models],
    resources={"dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))},
)
