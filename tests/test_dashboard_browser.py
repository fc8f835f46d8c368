"""The dashboard opened in a real browser: every chart drew its data, in French and in English,
with no console error, and a screenshot is kept for people to look at.

The expected number of marks of each chart is counted here from the marts themselves, so a chart
that drops rows (a filter, a join, a parsing slip in the page's script) fails the test.
"""

from __future__ import annotations

import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.dashboard import render_site
from support.chromium import BrowserRun, dump_dom, require_chromium, screenshot

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KEPT_SCREENSHOT = PROJECT_ROOT / "warehouse" / "site" / "screenshot.png"
SCREENSHOT_SIZE = (1400, 6000)
CHARTS = (
    "cohesion-monthly",
    "pairwise-agreement",
    "unanimity-monthly",
    "fault-lines",
    "censure-motions",
    "poll-average",
    "poll-house-effects",
    "left-2027",
    "leader-barometers",
    "ideal-points-line",
    "ideal-points-plane",
    "ideal-point-drift",
    "group-success-monthly",
    "winning-coalitions",
    "deputy-proximity",
    "publication",
    "source-anomalies",
)

# Marks each chart must draw, counted straight from the marts (one point, cell or row per record).
EXPECTED_MARKS_SQL = {
    "cohesion-monthly": """
        select count(*) from marts.mart_group_cohesion_monthly
        where bloc is not null and n_votes > 0 and mean_agreement_index is not null
    """,
    # Each pair fills two symmetric cells, between groups of the Assemblée's in-scope votes.
    "pairwise-agreement": """
        select 2 * count(*) from marts.mart_bloc_pairwise_agreement
        where n_votes > 0
          and group_code_a in (select group_code from marts.mart_group_cohesion)
          and group_code_b in (select group_code from marts.mart_group_cohesion)
    """,
    "unanimity-monthly": "select count(*) from marts.mart_bloc_unity_monthly where n_votes > 0",
    # The list opens on the month with the most fault-line votes.
    "fault-lines": """
        select max(n) from (
            select count(*) as n from marts.mart_bloc_fault_lines
            group by legislature, bloc, date_trunc('month', vote_date)
        )
    """,
    "censure-motions": """
        select count(*) from marts.mart_censure_motions as motions
        where not is_unknown_group and share_for is not null
          and exists (
              select 1 from marts.mart_group_cohesion as cohesion
              where cohesion.legislature = motions.legislature and cohesion.group_code = motions.group_code
          )
    """,
    # One point per deputy, on the line and in the plane; one per alliance group and half-year on
    # each of the drift chart's two dimensions.
    "ideal-points-line": "select count(*) from marts.mart_deputy_ideal_points",
    "ideal-points-plane": "select count(*) from marts.mart_deputy_ideal_points",
    "ideal-point-drift": """
        select 2 * count(*) from marts.mart_group_ideal_points where bloc is not null and period <> 'legislature'
    """,
    "group-success-monthly": "select count(*) from marts.mart_group_success where grain = 'month'",
    # Ten per legislature at most.
    "winning-coalitions": """
        select sum(least(n, 10)) from (
            select count(*) as n from marts.mart_coalition_patterns where vote_kind = 'all' group by legislature
        )
    """,
    # One cell per group the deputy the page opens on (the first of the 16th by name) is compared with.
    "deputy-proximity": """
        select count(*) from marts.mart_deputy_group_proximity
        where (legislature, deputy_uid) = (
            select (proximity.legislature, proximity.deputy_uid)
            from marts.mart_deputy_group_proximity as proximity
            left join marts.dim_deputies as deputies on proximity.deputy_uid = deputies.deputy_uid
            order by proximity.legislature, coalesce(deputies.full_name, proximity.deputy_uid), proximity.deputy_uid
            limit 1
        )
    """,
    "publication": """
        select json_array_length(source_versions) from marts.publication order by published_at desc limit 1
    """,
    # One line per legislature and kind of anomaly, zero counts included.
    "source-anomalies": "select count(*) from marts.mart_source_anomalies",
    # One dot per pollster and fitted series of an alliance's joint list.
    "poll-house-effects": """
        select count(*) from marts.mart_poll_model_house_effects
        where question = 'legislative_first_round' and subject_code in ('nupes', 'nfp')
    """,
}


class DashboardDom(HTMLParser):
    """The attributes the page's script sets: per chart, and on the error list, html and body."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, str]] = {}
        self.error_count: str | None = None
        self.errors: list[str] = []
        self.language: str | None = None
        self.rendered: str | None = None
        self._in_error_list = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "data-chart" in attributes:
            self.charts[attributes["data-chart"]] = attributes
        if attributes.get("id") == "console-errors":
            self.error_count = attributes.get("data-count")
            self._in_error_list = True
        if tag == "html":
            self.language = attributes.get("lang")
        if tag == "body":
            self.rendered = attributes.get("data-rendered")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self._in_error_list = False

    def handle_data(self, data: str) -> None:
        if self._in_error_list and data.strip():
            self.errors.append(data.strip())


def parse_dom(run: BrowserRun) -> DashboardDom:
    dom = DashboardDom()
    dom.feed(run.stdout)
    return dom


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.fixture(scope="module")
def dashboard_page(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    return render_site(built_warehouse, tmp_path_factory.mktemp("site")).path


@pytest.fixture(scope="module")
def expected_marks(built_warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        return {chart: con.execute(sql).fetchone()[0] for chart, sql in EXPECTED_MARKS_SQL.items()}


@pytest.mark.parametrize(("fragment", "language"), [("", "fr"), ("#en", "en")])
def test_every_chart_renders_its_data_without_console_errors(
    dashboard_page: Path, expected_marks: dict[str, int], fragment: str, language: str
) -> None:
    run = dump_dom(dashboard_page.as_uri() + fragment)
    dom = parse_dom(run)

    assert dom.language == language
    assert dom.rendered == "true", "the page's script did not finish rendering"
    assert not run.console_messages, f"console messages: {run.console_messages}"
    assert dom.error_count == "0", f"the page collected errors: {dom.errors}"
    assert set(dom.charts) == set(CHARTS)
    for chart in CHARTS:
        attributes = dom.charts[chart]
        assert attributes["data-status"] == "ok", f"{chart}: {attributes}"
        assert int(attributes["data-marks"]) > 0, f"{chart} drew nothing"
    for chart, count in expected_marks.items():
        assert count > 0, f"the marts behind {chart} are empty"
        assert int(dom.charts[chart]["data-marks"]) == count, (
            f"{chart}: drew {dom.charts[chart]['data-marks']}, expected {count}"
        )


def test_screenshot_of_the_dashboard(dashboard_page: Path) -> None:
    shot = dashboard_page.with_name("screenshot.png")
    run = screenshot(dashboard_page.as_uri(), shot, *SCREENSHOT_SIZE)

    assert not run.console_messages, f"console messages: {run.console_messages}"
    assert png_size(shot) == SCREENSHOT_SIZE
    # A blank page of this size compresses to a few kilobytes; charts and tables weigh far more.
    assert shot.stat().st_size > 200_000, f"{shot} looks blank ({shot.stat().st_size} bytes)"
    KEPT_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, KEPT_SCREENSHOT)
    print(f"dashboard screenshot: {KEPT_SCREENSHOT}")
