"""What analysts are promised: every example question of docs/analysts.md answers on a freshly built
warehouse, dbt's documentation site covers every mart, the SQL shell cannot write, and the dbt
exposures name exactly the marts the dashboard and the questions read.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.lib.dashboard import DATASET_QUERIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ANALYSTS_DOC = PROJECT_ROOT / "docs" / "analysts.md"
EXPOSURES = PROJECT_ROOT / "dbt_project" / "models" / "exposures.yml"
SQL_SHELL = PROJECT_ROOT / "scripts" / "sql_shell.py"
# Written by lib/publish.py, not by dbt: no exposure can ref it.
NOT_DBT_MODELS = {"publication"}


def example_queries(doc: Path = ANALYSTS_DOC) -> list[tuple[str, str]]:
    """(heading, sql) for every ```sql block, named by the nearest heading above it."""
    heading, queries, block = "", [], None
    for line in doc.read_text(encoding="utf-8").splitlines():
        if block is not None:
            if line.startswith("```"):
                queries.append((heading, "\n".join(block)))
                block = None
            else:
                block.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```sql":
            block = []
    return queries


def marts_named(sql_texts: list[str]) -> set[str]:
    return {name for sql in sql_texts for name in re.findall(r"\bmarts\.(\w+)", sql)} - NOT_DBT_MODELS


def exposure_refs(exposure_name: str) -> set[str]:
    exposures = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    (exposure,) = [item for item in exposures if item["name"] == exposure_name]
    return {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]}


def question_params() -> list[pytest.param]:
    return [pytest.param(sql, id=re.sub(r"\W+", "-", heading).strip("-")[:60]) for heading, sql in example_queries()]


def load_script(name: str) -> object:
    """A module of scripts/ (not a package), imported from its file."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_shell(database: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SQL_SHELL), "--database", str(database)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_guide_asks_at_least_ten_numbered_questions_each_with_its_sql() -> None:
    queries = example_queries()
    numbered = [heading for heading, _ in queries if re.match(r"\d+\. .+\?$", heading)]
    assert len(numbered) >= 10
    assert len(numbered) == len(queries), f"SQL blocks outside a numbered question: {set(queries) - set(numbered)}"


def test_the_dashboard_exposure_names_exactly_the_marts_the_dashboard_reads() -> None:
    assert exposure_refs("nupes_dashboard") == marts_named(list(DATASET_QUERIES.values()))


def test_the_questions_exposure_names_exactly_the_marts_the_guide_reads() -> None:
    assert exposure_refs("analysts_example_questions") == marts_named([sql for _, sql in example_queries()])


def test_the_sql_shell_prints_csv_from_piped_sql_and_cannot_write(tmp_path: Path) -> None:
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.groups AS SELECT 'LFI' AS code, 75 AS seats")

    read = run_shell(database, "SELECT code, seats FROM marts.groups; SELECT 'a,b' AS quoted;")
    write = run_shell(database, "DELETE FROM marts.groups;")

    assert read.returncode == 0, read.stderr
    assert read.stdout == 'code,seats\nLFI,75\nquoted\n"a,b"\n'
    assert write.returncode == 1
    assert "read-only" in write.stderr
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.groups").fetchone() == (1,)


def test_the_sql_shell_names_the_missing_warehouse(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    result = run_shell(missing, "SELECT 1;")
    assert result.returncode != 0
    assert str(missing) in result.stderr and "make run" in result.stderr
    assert not missing.exists()


@pytest.mark.integration
@pytest.mark.parametrize("sql", question_params())
def test_every_example_question_returns_rows(built_warehouse: Path, sql: str) -> None:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, "the example query returned no rows"


@pytest.mark.integration
def test_the_sql_shell_reads_the_built_warehouse(built_warehouse: Path) -> None:
    result = run_shell(
        built_warehouse, "SELECT bloc, n_votes > 0 AS has_votes FROM marts.mart_bloc_unity ORDER BY bloc;"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["bloc,has_votes", "NFP,true", "NUPES,true"]


@pytest.mark.integration
def test_dbt_docs_cover_every_mart_of_the_warehouse(built_warehouse: Path, tmp_path: Path) -> None:
    dbt_docs = load_script("dbt_docs")

    dbt_docs.generate_docs(built_warehouse, tmp_path / "docs")

    assert all((tmp_path / "docs" / name).is_file() for name in dbt_docs.SITE_FILES)
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text(encoding="utf-8"))
    documented = {
        node["metadata"]["name"]: set(node["columns"])
        for node in catalog["nodes"].values()
        if node["metadata"]["schema"] == "marts"
    }
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name, list(column_name) FROM information_schema.columns "
            "WHERE table_schema = 'marts' GROUP BY table_name"
        ).fetchall()
    marts = {name: set(columns) for name, columns in tables if name not in NOT_DBT_MODELS}
    assert marts, "the built warehouse has no marts"
    assert documented == marts
