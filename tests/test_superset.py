"""Superset on the session's warehouse, set up by the same code as `make bi` (scripts/bi.py).

The server runs from .venv-bi (installed on the first run of a clean clone), with its metadata in
a temporary folder, on a free loopback port. The tests log in through the REST API and ask every
chart of the imported dashboard for its data, comparing the rows with a count made here from the
mart itself; then they open the dashboard in headless Chromium, where every chart must draw (an
ECharts canvas or a table) without an error box; then they publish again, which replaces the
warehouse file under the running server, and ask again.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import requests
from playwright.sync_api import Response, Route, sync_playwright

from orchestration.lib.config import Settings
from orchestration.lib.publish import current_publication_id, publish
from scripts import bi
from support.chromium import OFFLINE_HEADLESS_FLAGS, require_chromium

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Kept out of the temporary folders for people to look at after a run (warehouse/ is out of git).
ARTIFACTS = PROJECT_ROOT / "warehouse" / "superset"
PASSWORD = secrets.token_urlsafe(12)  # made per run: no credential is kept in git
STARTUP_SECONDS = 300
# Playwright drives Chromium itself: only the flags that keep it off the network carry over.
PLAYWRIGHT_FLAGS = [
    flag
    for flag in OFFLINE_HEADLESS_FLAGS
    if flag not in ("--headless", "--enable-logging=stderr", "--v=0") and not flag.startswith("--virtual-time")
]

# The rows each chart's query returns, counted from the marts: one per point, cell or table row.
EXPECTED_ROWS_SQL = {
    "Agreement Index by month, alliance groups": """
        select count(*) from (
            select distinct vote_month, group_code from marts.mart_group_cohesion_monthly where bloc is not null
        )
    """,
    "Agreement between groups, 16th legislature": (
        "select count(*) from marts.mart_bloc_pairwise_agreement where legislature = 16"
    ),
    "Agreement between groups, 17th legislature": (
        "select count(*) from marts.mart_bloc_pairwise_agreement where legislature = 17"
    ),
    "Alliance unanimity by month": (
        "select count(*) from (select distinct vote_month, bloc from marts.mart_bloc_unity_monthly)"
    ),
    "Fault-line votes of the alliance": "select count(*) from marts.mart_bloc_fault_lines",
    "Censure motions: share of each alliance group voting for": (
        "select count(*) from marts.mart_censure_motions where bloc is not null"
    ),
    "Polling average of the alliance's joint list, with its band": """
        select count(*) from marts.mart_poll_average_daily
        where question = 'legislative_first_round' and subject_code in ('nupes', 'nfp')
    """,
    "Left leaders' barometers": """
        select count(*) from (
            select distinct poll_date, subject_name, pollster_name, metric from marts.mart_leader_popularity
            where subject_bloc is not null and value_pct is not null
        )
    """,
    "Groups' median ideal points (whole legislature)": (
        "select count(*) from marts.mart_group_ideal_points where period = 'legislature'"
    ),
    "Groups' success rates (whole legislature)": (
        "select count(*) from marts.mart_group_success where grain = 'legislature'"
    ),
}


@dataclass(frozen=True)
class RunningSuperset:
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Superset answers /health once the app is loaded; a server that died says why in its log."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Superset exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/health", timeout=30).text == "OK":
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or still loading the app on a busy machine
        time.sleep(2)
    pytest.fail(f"Superset did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def superset(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSuperset]:
    require_chromium()
    server = bi.prepare(tmp_path_factory.mktemp("superset-home"), built_warehouse, PASSWORD)
    port = free_port()
    log = server.home / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            server.serve_command(port), env=server.environment(), stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield RunningSuperset(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def api(superset: RunningSuperset) -> requests.Session:
    """A session logged in through the REST API: the JWT for reading, a CSRF token for POSTs."""
    session = requests.Session()
    login = session.post(
        f"{superset.url}/api/v1/security/login",
        json={"username": bi.ADMIN, "password": PASSWORD, "provider": "db", "refresh": False},
        timeout=60,
    )
    assert login.status_code == 200, login.text
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = session.get(f"{superset.url}/api/v1/security/csrf_token/", timeout=60)
    assert csrf.status_code == 200, csrf.text
    session.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": superset.url})
    return session


@pytest.fixture(scope="module")
def expected_rows(built_warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        return {chart: con.execute(sql).fetchone()[0] for chart, sql in EXPECTED_ROWS_SQL.items()}


def dashboard_charts(api: requests.Session, url: str) -> dict[str, int]:
    """The imported dashboard's charts, by name, with their ids."""
    response = api.get(f"{url}/api/v1/dashboard/{bi.DASHBOARD_SLUG}/charts", timeout=60)
    assert response.status_code == 200, response.text
    return {chart["slice_name"]: chart["id"] for chart in response.json()["result"]}


def chart_rows(api: requests.Session, url: str, chart_id: int) -> int:
    """Rows the chart's saved query returns now, through the chart data API."""
    response = api.get(f"{url}/api/v1/chart/{chart_id}/data/", timeout=120)
    assert response.status_code == 200, f"chart {chart_id}: {response.text[:2000]}"
    (result,) = response.json()["result"]
    return result["rowcount"]


def assert_every_chart_answers(api: requests.Session, url: str, expected_rows: dict[str, int]) -> None:
    charts = dashboard_charts(api, url)
    assert set(charts) == set(EXPECTED_ROWS_SQL)
    for name, chart_id in charts.items():
        assert expected_rows[name] > 0, f"the mart behind {name!r} is empty"
        assert chart_rows(api, url, chart_id) == expected_rows[name], name


def test_every_chart_query_returns_the_marts_rows(
    superset: RunningSuperset, api: requests.Session, expected_rows: dict[str, int]
) -> None:
    assert_every_chart_answers(api, superset.url, expected_rows)


def test_the_database_is_registered_read_only(superset: RunningSuperset, api: requests.Session) -> None:
    response = api.get(f"{superset.url}/api/v1/database/", timeout=60)
    assert response.status_code == 200, response.text
    (database,) = response.json()["result"]
    details = api.get(f"{superset.url}/api/v1/database/{database['id']}/connection", timeout=60).json()["result"]
    assert details["sqlalchemy_uri"].endswith("nupes.duckdb?access_mode=read_only")
    assert not details["allow_dml"]


def open_dashboard(superset: RunningSuperset, screenshot: Path) -> tuple[float, list[dict[str, object]], list[str]]:
    """Log in through the form, open the dashboard, wait for every chart; time it from navigation.

    Returns the load time, what each chart holder contains, and what went wrong on the way: a
    chart data request that did not answer 200, or any request for another origin (aborted here,
    so the page must work offline; Superset's configuration already forbids them by its CSP).
    """
    problems: list[str] = []

    def refuse_other_origins(route: Route) -> None:
        problems.append(f"request outside the server: {route.request.url}")
        route.abort("blockedbyclient")

    def check_chart_data(response: Response) -> None:
        if "/api/v1/chart/data" in response.url and response.status != 200:
            problems.append(f"{response.url}: {response.status} {response.text()[:500]}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(require_chromium()), headless=True, args=PLAYWRIGHT_FLAGS
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.route(lambda address: not address.startswith(superset.url), refuse_other_origins)
        page.on("response", check_chart_data)
        page.goto(f"{superset.url}/login/")
        page.fill("#username", bi.ADMIN)
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/superset/welcome/**", timeout=120_000)

        started = time.monotonic()
        page.goto(f"{superset.url}/superset/dashboard/{bi.DASHBOARD_SLUG}/")
        page.wait_for_function(
            """count => {
                const charts = [...document.querySelectorAll('[data-test="chart-grid-component"]')];
                return charts.length === count && charts.every(chart => chart.querySelector(
                    '[data-test="slice-container"] canvas, [data-test="slice-container"] table, [role="alert"]'));
            }""",
            arg=len(EXPECTED_ROWS_SQL),
            timeout=180_000,
        )
        load_seconds = time.monotonic() - started
        charts = page.eval_on_selector_all(
            '[data-test="chart-grid-component"]',
            """charts => charts.map(chart => ({
                name: chart.dataset.testChartName,
                drawn: !!chart.querySelector('[data-test="slice-container"] canvas, [data-test="slice-container"] table'),
                alerts: [...chart.querySelectorAll('[role="alert"], .ant-alert')].map(alert => alert.innerText),
            }))""",
        )
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return load_seconds, charts, problems


def test_dashboard_renders_every_chart_in_chromium(superset: RunningSuperset, tmp_path: Path) -> None:
    screenshot = tmp_path / "screenshot.png"
    load_seconds, charts, problems = open_dashboard(superset, screenshot)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACTS / "screenshot.png")
    (ARTIFACTS / "browser_test.json").write_text(json.dumps({"load_seconds": round(load_seconds, 2), "charts": charts}))
    print(f"dashboard loaded in {load_seconds:.1f} s; screenshot: {ARTIFACTS / 'screenshot.png'}")

    assert sorted(chart["name"] for chart in charts) == sorted(EXPECTED_ROWS_SQL)
    for chart in charts:
        assert chart["drawn"], f"{chart['name']} drew nothing"
        assert not chart["alerts"], f"{chart['name']} shows an error: {chart['alerts']}"
    assert not problems, problems
    # A dashboard of ten drawn charts weighs far more than a blank or error page of its size.
    assert screenshot.stat().st_size > 150_000, f"{screenshot} looks blank"


def test_charts_answer_after_a_new_publication(
    superset: RunningSuperset, api: requests.Session, expected_rows: dict[str, int], built_settings: Settings
) -> None:
    before = current_publication_id(built_settings)
    publication = publish(built_settings)
    assert publication.publication_id != before

    assert_every_chart_answers(api, superset.url, expected_rows)
    assert latest_publication_seen_by_superset(api, superset.url) == publication.publication_id


def latest_publication_seen_by_superset(api: requests.Session, url: str) -> str:
    """The newest publication id in marts.publication, read through Superset's SQL Lab API."""
    (database,) = api.get(f"{url}/api/v1/database/", timeout=60).json()["result"]
    response = api.post(
        f"{url}/api/v1/sqllab/execute/",
        json={
            "database_id": database["id"],
            "sql": "select publication_id from marts.publication order by published_at desc limit 1",
            "runAsync": False,
            "schema": "marts",
        },
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"][0]["publication_id"]
