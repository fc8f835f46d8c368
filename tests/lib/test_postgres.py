"""The production check of orchestration/lib/postgres.py: which database it names, and what it never prints."""

from __future__ import annotations

import secrets

import pytest

from orchestration.lib.config import nightly_cron
from orchestration.lib.postgres import PostgresTarget, PostgresUnavailable, check_reachable, parse_target
from support.postgres import free_port

SECRET = secrets.token_urlsafe(12)  # made per run: no credential is kept in git


def test_the_target_is_read_from_the_url_without_its_password() -> None:
    target, password = parse_target(f"postgresql+psycopg2://dagster:{SECRET}@db.internal:6543/nupes_dagster")
    assert target == PostgresTarget("db.internal", 6543, "nupes_dagster", "dagster")
    assert password == SECRET
    assert SECRET not in str(target)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (None, "NUPES_DAGSTER_POSTGRES_URL is not set"),
        ("", "NUPES_DAGSTER_POSTGRES_URL is not set"),
        ("not a url", "is not a URL"),
        ("sqlite:///history.db", "must name a PostgreSQL database"),
        ("postgresql+psycopg2://dagster@127.0.0.1:5432", "must name a PostgreSQL database"),
    ],
)
def test_a_missing_or_wrong_url_is_refused_with_what_to_set(url: str | None, says: str) -> None:
    with pytest.raises(PostgresUnavailable, match=says):
        parse_target(url)


def test_a_server_that_does_not_answer_is_named_and_the_password_is_not() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(PostgresUnavailable) as raised:
        check_reachable(f"postgresql+psycopg2://dagster:{SECRET}@127.0.0.1:{port}/nupes_dagster")
    message = str(raised.value)
    assert f"database 'nupes_dagster' on 127.0.0.1:{port} as user 'dagster'" in message
    assert SECRET not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_the_nightly_cron_is_04_30_unless_the_environment_moves_it() -> None:
    assert nightly_cron({}) == "30 4 * * *"
    assert nightly_cron({"NUPES_NIGHTLY_CRON": "*/5 * * * *"}) == "*/5 * * * *"
