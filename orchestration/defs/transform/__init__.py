"""The transform part of the graph: the dbt project's models, seeds and tests (see assets.py)."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.transform.assets import warehouse_dbt_models
from orchestration.defs.transform.project import DBT_EXECUTABLE, dbt_project

defs = dg.Definitions(
    assets=[warehouse_dbt_models],
    resources={"dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))},
)
