"""Is the production instance's PostgreSQL there? Asked before the services start.

Dagster itself, given an unreachable database, retries for a while and then dies with a long
traceback that quotes the connection URL. `make serve` asks first, with a short timeout, and says
in one line which database it could not reach: host, port, database and user, never the password.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg2
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

POSTGRES_URL_VARIABLE = "NUPES_DAGSTER_POSTGRES_URL"
CONNECT_TIMEOUT_SECONDS = 5


class PostgresUnavailable(RuntimeError):
    """The production instance's database is not configured or does not answer."""


@dataclass(frozen=True)
class PostgresTarget:
    """Where a PostgreSQL URL points, without its password."""

    host: str
    port: int
    database: str
    user: str

    def __str__(self) -> str:
        return f"database {self.database!r} on {self.host}:{self.port} as user {self.user!r}"


def parse_target(url: str | None) -> tuple[PostgresTarget, str | None]:
    """The target of an SQLAlchemy URL (`postgresql+psycopg2://user:password@host:port/db`) and its password."""
    if not url:
        raise PostgresUnavailable(f"{POSTGRES_URL_VARIABLE} is not set: the production instance keeps its runs there")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise PostgresUnavailable(
            f"{POSTGRES_URL_VARIABLE} is not a URL like postgresql+psycopg2://user:password@host:5432/database"
        ) from None
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        raise PostgresUnavailable(
            f"{POSTGRES_URL_VARIABLE} must name a PostgreSQL database (postgresql+psycopg2://…/database), "
            f"got scheme {parsed.drivername!r}"
        )
    target = PostgresTarget(parsed.host or "localhost", parsed.port or 5432, parsed.database, parsed.username or "")
    return target, parsed.password


def check_reachable(url: str | None) -> PostgresTarget:
    """The target, once it accepted a connection within the timeout; `PostgresUnavailable` otherwise.

    The error keeps only the server's first line (psycopg2 repeats the attempt per address) and
    is raised without its cause, whose text could hold the URL."""
    target, password = parse_target(url)
    try:
        connection = psycopg2.connect(
            host=target.host,
            port=target.port,
            dbname=target.database,
            user=target.user or None,
            password=password,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if password:
            reason = reason.replace(password, "***")
        raise PostgresUnavailable(f"cannot reach the Dagster instance's {target}: {reason}") from None
    connection.close()
    return target
