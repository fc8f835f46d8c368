"""Which dbt nodes a build can leave alone when only some raw tables changed.

A refresh where 1 % of the votes are new changes four raw tables; the polls, the dossiers and the
seeds, and every model and test fed only by them, hold the same rows as in the last publication.
From dbt's manifest: the nodes downstream of the changed raw tables (`child_map`, which lists
data tests beside models) and the nodes that are always built (the catalogue of marts the
publication waits for, see models/marts/mart_catalogue.sql). Every other node is excluded, by
name, from `dbt build`, and so is every unit test: a scope is only used when the dbt project is
the one of the last publication, and a unit test checks the project's SQL on its own fixed rows,
not the data, so it would pass as it did then (dbt's advice too: unit tests in CI, not in
production builds).

    changed_sources(manifest, changed_tables) -> list[str]             (unique ids)
    nodes_to_build(manifest, changed_tables, always=...) -> set[str]  (unique ids)
    models_fed_by(manifest, changed_tables) -> set[str]               (model names)
    exclusion_selectors(manifest, keep) -> list[str]                     (dbt `--exclude` values)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

RAW_SCHEMA = "raw"
BUILDABLE = ("model", "seed", "snapshot", "test")  # what `dbt build` runs besides unit tests


def nodes_to_build(manifest: Mapping[str, Any], changed_tables: Iterable[str], always: Iterable[str]) -> set[str]:
    """Unique ids of the nodes whose result may differ: downstream of a changed raw table, or in `always`."""
    sources = changed_sources(manifest, changed_tables)
    always_ids = {_model_id(manifest, name) for name in always}
    scope = _descendants(manifest["child_map"], [*sources, *always_ids]) | always_ids
    return scope - manifest.get("unit_tests", {}).keys()


def changed_sources(manifest: Mapping[str, Any], changed_tables: Iterable[str]) -> list[str]:
    """Unique ids of the dbt sources that read one of the changed raw tables."""
    changed = set(changed_tables)
    return [
        unique_id
        for unique_id, source in manifest["sources"].items()
        if source["schema"] == RAW_SCHEMA and source["identifier"] in changed
    ]


def models_fed_by(manifest: Mapping[str, Any], changed_tables: Iterable[str]) -> set[str]:
    """Names of the models downstream of a changed raw table."""
    downstream = _descendants(manifest["child_map"], changed_sources(manifest, changed_tables))
    return {manifest["nodes"][unique_id]["name"] for unique_id in downstream if unique_id.startswith("model.")}


def exclusion_selectors(manifest: Mapping[str, Any], keep: set[str]) -> list[str]:
    """dbt `--exclude` values naming every buildable node not in `keep`."""
    selectors = [
        node["name"]
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in BUILDABLE and unique_id not in keep
    ]
    selectors += [
        f"unit_test:{unit_test['name']}"
        for unique_id, unit_test in manifest.get("unit_tests", {}).items()
        if unique_id not in keep
    ]
    return sorted(selectors)


def _model_id(manifest: Mapping[str, Any], name: str) -> str:
    matches = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["name"] == name
    ]
    if len(matches) != 1:
        raise KeyError(f"dbt manifest: expected one model named {name!r}, found {len(matches)}")
    return matches[0]


def _descendants(child_map: Mapping[str, list[str]], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        for child in child_map.get(pending.pop(), ()):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen
