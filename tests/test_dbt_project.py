"""The dbt project from the outside: its documentation, its place in the Dagster graph, and what it
builds from the real files.

Unit tests read the manifest `make manifest` prepares; integration tests read the warehouse the
whole Dagster graph built (`built_warehouse`) and recount from the zips with plain zipfile + json.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.defs.transform.project import DbtManifestMissing, dbt_project, require_manifest
from orchestration.defs.transform.translator import WarehouseDbtTranslator

AN_VOTES_16 = Path("an/16/loi/scrutins/Scrutins.json.zip")
AN_AMO_DUMPS = (
    Path("an/16/amo/deputes_senateurs_ministres_legislature/AMO20_dep_sen_min_tous_mandats_et_organes.json.zip"),
    Path("an/17/amo/deputes_actifs_mandats_actifs_organes/AMO10_deputes_actifs_mandats_actifs_organes.json.zip"),
)
# Staging model -> the raw table (Dagster asset raw/<table>) it reads.
ASSEMBLEE_STAGING = {
    "stg_assemblee__scrutins": "an_scrutins",
    "stg_assemblee__group_tallies": "an_group_tallies",
    "stg_assemblee__votes": "an_votes",
    "stg_assemblee__vote_corrections": "an_vote_corrections",
    "stg_assemblee__deputies": "an_acteurs",
    "stg_assemblee__mandates": "an_mandats",
    "stg_assemblee__organes": "an_organes",
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(require_manifest(dbt_project.manifest_path).read_text())


@pytest.fixture(scope="module")
def asset_graph() -> dg.AssetGraph:
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def nodes_of_type(manifest: dict[str, Any], *resource_types: str) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] in resource_types]


def staging_key(model: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", model])


# Manifest ------------------------------------------------------------------------------------


def test_a_missing_manifest_names_the_command_that_prepares_it(tmp_path: Path) -> None:
    with pytest.raises(DbtManifestMissing, match="make manifest"):
        require_manifest(tmp_path / "target" / "manifest.json")


def test_every_model_and_seed_and_each_of_their_columns_is_described(manifest: dict[str, Any]) -> None:
    undocumented = []
    for node in nodes_of_type(manifest, "model", "seed"):
        if not node["description"].strip():
            undocumented.append(node["name"])
        if not node["columns"]:
            undocumented.append(f"{node['name']} (no column listed in YAML)")
        undocumented += [
            f"{node['name']}.{name}" for name, column in node["columns"].items() if not column["description"].strip()
        ]
    assert not undocumented, f"describe these in the models' YAML: {undocumented}"


# Dagster graph -------------------------------------------------------------------------------


def test_models_are_keyed_by_schema_and_grouped_by_layer(manifest: dict[str, Any]) -> None:
    translator = WarehouseDbtTranslator()
    votes = manifest["nodes"]["model.nupes_warehouse.stg_assemblee__votes"]
    assert translator.get_asset_key(votes) == staging_key("stg_assemblee__votes")
    assert translator.get_group_name(votes) == "staging"


def test_every_dbt_source_is_a_raw_asset_the_loaders_materialize(
    manifest: dict[str, Any], asset_graph: dg.AssetGraph
) -> None:
    translator = WarehouseDbtTranslator()
    source_keys = {translator.get_asset_key(source) for source in manifest["sources"].values()}
    assert source_keys, "the manifest declares no dbt source"
    unloaded = sorted(
        key.to_user_string()
        for key in source_keys
        if key.path[0] != "raw" or not asset_graph.has(key) or not asset_graph.get(key).is_materializable
    )
    assert not unloaded, f"dbt sources that no Python loader asset writes: {unloaded}"


@pytest.mark.parametrize(("model", "raw_table"), ASSEMBLEE_STAGING.items())
def test_staging_hangs_under_its_raw_table(asset_graph: dg.AssetGraph, model: str, raw_table: str) -> None:
    assert asset_graph.get(staging_key(model)).parent_keys == {dg.AssetKey(["raw", raw_table])}


@pytest.mark.parametrize("model", ASSEMBLEE_STAGING)
def test_staging_key_tests_are_asset_checks(asset_graph: dg.AssetGraph, model: str) -> None:
    assert asset_graph.get_check_keys_for_assets({staging_key(model)}), f"{model} has no dbt test as asset check"


# Built warehouse -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        yield con


def count_nominative_votes(archive: Path) -> int:
    """Voters listed in the nominative records of the Assemblée's scrutins (VTAN), non-voters included."""
    voters = 0
    with zipfile.ZipFile(archive) as scrutins:
        for name in scrutins.namelist():
            if not Path(name).name.startswith("VTAN"):
                continue
            groups = json.loads(scrutins.read(name))["scrutin"]["ventilationVotes"]["organe"]["groupes"]["groupe"]
            for group in as_list(groups):
                for category in (group["vote"]["decompteNominatif"] or {}).values():
                    voters += len(as_list(category["votant"])) if category else 0
    return voters


def acteur_uids(archive: Path) -> set[str]:
    with zipfile.ZipFile(archive) as dump:
        return {
            json.loads(dump.read(name))["acteur"]["uid"]["#text"]
            for name in dump.namelist()
            if name.startswith("json/acteur/")
        }


def as_list(value: Any) -> list[Any]:
    """The source writes one item as an object and several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.mark.integration
def test_schemas_are_exactly_raw_staging_and_marts(warehouse: duckdb.DuckDBPyConnection) -> None:
    schemas = warehouse.sql(
        "select distinct table_schema from information_schema.tables where table_catalog = current_database()"
    ).fetchall()
    assert {schema for (schema,) in schemas} == {"raw", "staging", "marts"}


@pytest.mark.integration
def test_every_built_column_is_in_the_yaml(warehouse: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    undeclared = []
    for node in nodes_of_type(manifest, "model", "seed"):
        if node["config"]["materialized"] == "ephemeral":
            continue
        built = warehouse.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [node["schema"], node["alias"]],
        ).fetchall()
        assert built, f"{node['schema']}.{node['alias']} was not built"
        undeclared += [f"{node['name']}.{column}" for (column,) in built if column not in node["columns"]]
    assert not undeclared, f"columns built but missing from the YAML: {undeclared}"


def declared_value_rules(node: dict[str, Any]) -> tuple[set[str], int]:
    """The columns a model's contract declares NOT NULL, and how many CHECK constraints it declares
    (model-level and column-level): the value rules that replaced dbt tests on the marts."""
    not_null = {
        name for name, column in node["columns"].items() if any(c["type"] == "not_null" for c in column["constraints"])
    }
    column_checks = [c for column in node["columns"].values() for c in column["constraints"] if c["type"] == "check"]
    model_checks = [c for c in node["constraints"] if c["type"] == "check"]
    return not_null, len(column_checks) + len(model_checks)


def built_value_rules(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[set[str], int]:
    """The same, as DuckDB's catalog holds them for the built table."""
    not_null = con.execute(
        "select column_name from duckdb_columns() where database_name = current_database()"
        " and schema_name = ? and table_name = ? and not is_nullable",
        [schema, table],
    ).fetchall()
    [(checks,)] = con.execute(
        "select count(*) from duckdb_constraints() where database_name = current_database()"
        " and schema_name = ? and table_name = ? and constraint_type = 'CHECK'",
        [schema, table],
    ).fetchall()
    return {column for (column,) in not_null}, checks


@pytest.mark.integration
def test_marts_enforce_their_value_rules_as_constraints(
    warehouse: duckdb.DuckDBPyConnection, manifest: dict[str, Any], built_warehouse: Path, tmp_path: Path
) -> None:
    """Value rules of the marts are contract constraints, not dbt tests: they must reach DuckDB's catalog
    as declared, and DuckDB must refuse a row that breaks one, or nothing guards them any more."""
    declared: dict[str, tuple[set[str], int]] = {}
    built: dict[str, tuple[set[str], int]] = {}
    for node in nodes_of_type(manifest, "model"):
        if node["config"]["materialized"] in ("table", "incremental") and node["config"]["contract"]["enforced"]:
            declared[node["name"]] = declared_value_rules(node)
            built[node["name"]] = built_value_rules(warehouse, node["schema"], node["alias"])
    assert any(not_null for not_null, _ in declared.values()), "no mart declares a not_null constraint"
    assert any(checks for _, checks in declared.values()), "no mart declares a check constraint"
    assert built == declared

    scratch = tmp_path / "nupes.duckdb"
    shutil.copyfile(built_warehouse, scratch)
    with duckdb.connect(str(scratch)) as con:
        with pytest.raises(duckdb.ConstraintException, match="close_vote_weight"):
            con.execute("insert into marts.dim_scrutins by name select 'VTANR5L16V0' scrutin_uid, 2 close_vote_weight")
        with pytest.raises(duckdb.ConstraintException, match="scrutin_uid"):
            con.execute("insert into marts.dim_scrutins by name select null scrutin_uid")


@pytest.mark.integration
def test_votes_of_the_16th_are_every_nominative_voter(warehouse: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    [(staged,)] = warehouse.execute(
        "select count(*) from staging.stg_assemblee__votes where legislature = 16"
    ).fetchall()
    assert staged == count_nominative_votes(shared_data / AN_VOTES_16)


@pytest.mark.integration
def test_one_deputy_row_per_acteur_across_both_dumps(warehouse: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    expected = set().union(*(acteur_uids(shared_data / dump) for dump in AN_AMO_DUMPS))
    staged = {uid for (uid,) in warehouse.sql("select deputy_uid from staging.stg_assemblee__deputies").fetchall()}
    assert staged == expected
