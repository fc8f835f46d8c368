"""The transform part of the graph: the dbt project's models, seeds and tests (see assets.py).

Its `dbt` resource (transform/resources.py) is bound with the others in orchestration/definitions.py.
"""

import dagster as dg

from orchestration.defs.transform.assets import warehouse_dbt_models

defs = dg.Definitions(assets=[warehouse_dbt_models])
