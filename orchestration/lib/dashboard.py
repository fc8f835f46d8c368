"""The dashboard: one self-contained static HTML page rendered from the published warehouse.

Why a static page: it opens offline with one click, can be mailed or served by anything, and
cannot go stale against the data it shows because it is re-rendered after every publication.
The page holds its data as embedded JSON and draws it with the inlined script of
`dashboard_assets/` (plain SVG, no library, no network resource at all).

Reads the published warehouse READ-ONLY: publication swaps the file in with a rename, so
rendering never blocks a refresh and never sees half of one. `make site` runs `main()`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from string import Template

import duckdb

from orchestration.lib.config import load_settings

ASSETS_DIR = Path(__file__).with_name("dashboard_assets")

# One query per dataset the page draws. The dashboard's dependence on the marts is exactly the
# `marts.<name>` mentioned here (dbt_project/models/exposures.yml declares the same list, a test
# keeps the two equal). Dates come out as ISO strings, rates as shares in [0, 1], polls in %.
# Groups are those with a cohesion row: the Assemblée's, without the Senate's met at the Congrès.
DATASET_QUERIES: dict[str, str] = {
    "groups": """
        select groups.legislature, groups.group_code, groups.group_name, groups.bloc
        from marts.dim_groups as groups
        inner join marts.mart_group_cohesion as cohesion
            on groups.legislature = cohesion.legislature
            and groups.group_code = cohesion.group_code
        order by groups.legislature, groups.group_code
    """,
    "cohesion_monthly": """
        select legislature, vote_month as month, group_code, bloc, n_votes, mean_agreement_index
        from marts.mart_group_cohesion_monthly
        where bloc is not null and n_votes > 0
        order by legislature, group_code, month
    """,
    "pairwise_agreement": """
        select legislature, group_code_a, group_code_b, n_votes, n_agree, agreement_rate
        from marts.mart_bloc_pairwise_agreement
        where n_votes > 0
        order by legislature, group_code_a, group_code_b
    """,
    "unanimity_monthly": """
        select legislature, bloc, vote_month as month, n_votes, n_unanimous, unanimity_rate
        from marts.mart_bloc_unity_monthly
        where n_votes > 0
        order by legislature, bloc, month
    """,
    "fault_lines": """
        select
            legislature, bloc, date_trunc('month', vote_date)::date as month, vote_date, scrutin_uid,
            vote_kind, title, groups_for, groups_against, groups_abstain
        from marts.mart_bloc_fault_lines
        order by vote_date, scrutin_uid
    """,
    "censure_motions": """
        select legislature, scrutin_uid, vote_date, title, group_code, members, n_for, share_for
        from marts.mart_censure_motions
        where not is_unknown_group
        order by vote_date, scrutin_uid, group_code
    """,
    # The alliances' joint lists are poll subjects of type alliance_list, coded as the alliance in
    # lower case (dbt seed ref_poll_subjects); each poll is placed at its fieldwork midpoint.
    "poll_average": """
        select
            upper(averages.subject_code) as alliance,
            averages.day,
            averages.average_pct,
            averages.band_low_pct as low_pct,
            averages.band_high_pct as high_pct,
            averages.n_polls
        from marts.mart_poll_average_daily as averages
        inner join marts.dim_poll_subjects as subjects
            on averages.subject_code = subjects.subject_code
        where averages.question = 'legislative_first_round' and subjects.subject_type = 'alliance_list'
        order by alliance, averages.day
    """,
    # The state-space level of the same joint lists with its 90 % interval (one series per election).
    "poll_model": """
        select
            upper(model.subject_code) as alliance,
            model.election,
            model.day,
            model.level_pct,
            model.low_90,
            model.high_90,
            model.n_polls_used
        from marts.mart_poll_model_daily as model
        inner join marts.dim_poll_subjects as subjects
            on model.subject_code = subjects.subject_code
        where model.question = 'legislative_first_round' and subjects.subject_type = 'alliance_list'
        order by alliance, model.election, model.day
    """,
    # The 2027 candidates of the left alliances' parties, from the live feed.
    "left_2027": """
        select
            subjects.subject_name as candidate,
            model.day,
            model.level_pct,
            model.low_90,
            model.high_90,
            model.n_polls_used
        from marts.mart_poll_model_daily as model
        inner join marts.dim_poll_subjects as subjects
            on model.subject_code = subjects.subject_code
        where model.election = 'presidential_2027' and len(subjects.left_alliances) > 0
        order by candidate, model.day
    """,
    "house_effects": """
        select
            house_effects.election,
            upper(house_effects.subject_code) as alliance,
            house_effects.pollster_name as pollster,
            house_effects.n_polls,
            house_effects.house_effect_pts,
            house_effects.house_effect_low_90 as low_90,
            house_effects.house_effect_high_90 as high_90
        from marts.mart_poll_model_house_effects as house_effects
        inner join marts.dim_poll_subjects as subjects
            on house_effects.subject_code = subjects.subject_code
        where house_effects.question = 'legislative_first_round' and subjects.subject_type = 'alliance_list'
        order by house_effects.election, alliance, house_effects.house_effect_pts desc
    """,
    "poll_points": """
        select
            alliance_code as alliance,
            share_method,
            coalesce(fieldwork_start, fieldwork_end)
                + ((fieldwork_end - coalesce(fieldwork_start, fieldwork_end)) // 2)::integer as date,
            alliance_share_pct as value_pct,
            pollster_name as pollster,
            hypothesis
        from marts.mart_left_bloc_voting_intention
        where is_headline_hypothesis and alliance_share_pct is not null
        order by date, pollster
    """,
    "leader_barometers": """
        select
            subject_name as leader,
            pollster_name as pollster,
            metric,
            population,
            poll_date as date,
            value_pct
        from marts.mart_leader_popularity
        where subject_bloc is not null and poll_date is not null and value_pct is not null
        order by pollster, metric, population, leader, date
    """,
    "ideal_points": """
        select
            points.legislature, points.deputy_uid, deputies.full_name, points.group_code, points.bloc,
            points.dim1, points.dim1_low, points.dim1_high, points.dim2, points.dim2_low, points.dim2_high,
            points.n_votes
        from marts.mart_deputy_ideal_points as points
        left join marts.dim_deputies as deputies
            on points.deputy_uid = deputies.deputy_uid
        order by points.legislature, points.dim1
    """,
    "ideal_point_drift": """
        select
            legislature, period, period_start, group_code, n_deputies,
            dim1_median, dim1_median_low, dim1_median_high, dim2_median, dim2_median_low, dim2_median_high
        from marts.mart_group_ideal_points
        where bloc is not null and period <> 'legislature'
        order by legislature, group_code, period_start
    """,
    # Who makes majorities: each group's success rate per month, the legislatures' ten most frequent
    # winning coalitions, and every deputy's proximity to each group (the page picks one).
    "group_success_monthly": """
        select legislature, group_code, bloc, grain_value::date as month, n_votes, n_won, success_rate
        from marts.mart_group_success
        where grain = 'month'
        order by legislature, group_code, month
    """,
    "winning_coalitions": """
        select legislature, winning_coalition, government_won, alliance_won, n_votes, share
        from marts.mart_coalition_patterns
        where vote_kind = 'all'
        qualify row_number() over (partition by legislature order by n_votes desc, winning_coalition) <= 10
        order by legislature, n_votes desc, winning_coalition
    """,
    # Deputies in the order the page lists them; the first is the one it opens on.
    "proximity_deputies": """
        select distinct
            proximity.legislature,
            proximity.deputy_uid,
            coalesce(deputies.full_name, proximity.deputy_uid) as full_name,
            proximity.deputy_group_code
        from marts.mart_deputy_group_proximity as proximity
        left join marts.dim_deputies as deputies
            on proximity.deputy_uid = deputies.deputy_uid
        order by proximity.legislature, full_name, proximity.deputy_uid
    """,
    "deputy_proximity": """
        select legislature, deputy_uid, group_code, n_votes, n_agree, proximity_rate
        from marts.mart_deputy_group_proximity
        order by legislature, deputy_uid, group_code
    """,
    # What the sources got wrong and the rule applied, shown with the publication it describes.
    "source_anomalies": """
        select legislature, anomaly, counted, n_occurrences, example_keys, rule_applied
        from marts.mart_source_anomalies
        order by legislature nulls last, anomaly
    """,
}
PUBLICATION_QUERY = "select * from marts.publication order by published_at desc limit 1"
PUBLICATION_JSON_COLUMNS = ("source_versions", "newest_vote_dates", "mart_row_counts")


class DashboardError(RuntimeError):
    """The dashboard could not be rendered; the message names the dataset and the reason."""


@dataclass(frozen=True)
class RenderedSite:
    path: Path
    publication_id: str | None
    dataset_rows: dict[str, int]


def _json_value(value: object) -> object:
    """JSON for what DuckDB returns beyond JSON's types: dates as ISO strings, decimals as floats."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot put a {type(value).__name__} in the dashboard's data: {value!r}")


def _fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _load_publication(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The newest publication's row with its JSON columns parsed; None on an unpublished build."""
    try:
        rows = _fetch_dicts(con, PUBLICATION_QUERY)
    except duckdb.CatalogException:
        return None
    if not rows:
        return None
    publication = rows[0]
    for column in PUBLICATION_JSON_COLUMNS:
        publication[column] = json.loads(publication[column])
    return publication


def load_dashboard_data(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Every dataset of the page, plus the publication it shows."""
    data: dict[str, object] = {}
    for name, sql in DATASET_QUERIES.items():
        try:
            data[name] = _fetch_dicts(con, sql)
        except duckdb.Error as exc:
            raise DashboardError(f"dashboard dataset {name!r} failed: {exc}") from exc
    data["publication"] = _load_publication(con)
    return data


def _script_safe_json(data: dict[str, object]) -> str:
    """JSON that cannot close the <script> element holding it (`<` is escaped)."""
    text = json.dumps(data, default=_json_value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def render_html(data: dict[str, object], generated_at: datetime) -> str:
    """The whole page, with its style, script and data inlined."""
    template = Template((ASSETS_DIR / "template.html").read_text(encoding="utf-8"))
    return template.substitute(
        style=(ASSETS_DIR / "dashboard.css").read_text(encoding="utf-8"),
        script=(ASSETS_DIR / "dashboard.js").read_text(encoding="utf-8"),
        data=_script_safe_json(data),
        generated_at=escape(generated_at.strftime("%Y-%m-%d %H:%M UTC")),
    )


def write_atomically(path: Path, text: str) -> None:
    """Write beside, then rename: a reader or web server never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def render_site(warehouse: Path, site_dir: Path) -> RenderedSite:
    """Render `site_dir/index.html` from the warehouse file, opened read-only."""
    if not warehouse.exists():
        raise DashboardError(f"no warehouse at {warehouse}: run `make run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = load_dashboard_data(con)
    page = site_dir / "index.html"
    write_atomically(page, render_html(data, datetime.now(UTC)))
    publication = data["publication"]
    return RenderedSite(
        path=page,
        publication_id=publication["publication_id"] if publication else None,
        dataset_rows={name: len(data[name]) for name in DATASET_QUERIES},
    )


def site_dir_for(warehouse: Path) -> Path:
    return warehouse.parent / "site"


def main() -> int:
    warehouse = load_settings().warehouse_path
    try:
        site = render_site(warehouse, site_dir_for(warehouse))
    except DashboardError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Dashboard written to {site.path} (publication {site.publication_id}); open it in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
