"""The dashboard renderer on its own: an offline page whose embedded data survives any text."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.dashboard import DATASET_QUERIES, DashboardError, load_dashboard_data, render_html

DATA_ELEMENT = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)
HOSTILE_TITLE = "l'amendement </script><script>alert('x')</script> & <b>"


def render(data: dict[str, object]) -> str:
    return render_html(data, datetime(2025, 1, 2, 3, 4, tzinfo=UTC))


def sample_data() -> dict[str, object]:
    data: dict[str, object] = {name: [] for name in DATASET_QUERIES}
    data["fault_lines"] = [{"title": HOSTILE_TITLE, "vote_date": date(2023, 3, 16), "share": Decimal("0.25")}]
    data["publication"] = None
    return data


def test_the_page_requests_nothing_from_the_network() -> None:
    page = render(sample_data())

    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|<script[^>]*\bsrc=|@import|url\(", page, re.I)


def test_embedded_data_survives_text_that_would_close_its_script() -> None:
    page = render(sample_data())

    (embedded,) = DATA_ELEMENT.findall(page)
    assert json.loads(embedded)["fault_lines"] == [{"title": HOSTILE_TITLE, "vote_date": "2023-03-16", "share": 0.25}]
    assert "<script>alert" not in page


def test_a_missing_mart_names_the_dataset_and_the_table(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        with pytest.raises(DashboardError, match=r"dataset 'groups'.*dim_groups"):
            load_dashboard_data(con)
