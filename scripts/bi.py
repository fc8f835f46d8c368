"""`make bi`: Apache Superset on the published warehouse, with the dashboard kept in bi/superset/.

Superset pins SQLAlchemy < 2, pandas < 2.2 and numpy < 2.3, so it cannot share .venv: it runs from
its own environment, .venv-bi, installed from bi/superset/requirements.lock (compiled from
requirements.in with uv) and reinstalled only when that lock changes. This script runs from .venv
and drives Superset's own command line in .venv-bi, step by step:

1. the environment (`ensure_venv`);
2. the local folder Superset writes (NUPES_BI_HOME, default warehouse/superset/, out of git): its
   SQLite metadata, a secret key generated once, the admin's password (NUPES_BI_PASSWORD, else
   generated once and kept there);
3. `superset db upgrade`, `superset init`, the admin user;
4. the dashboard, imported from its YAML export in bi/superset/dashboard/ (zipped here, with the
   warehouse's real path put into the database's URI);
5. the server, gunicorn on 127.0.0.1 (NUPES_BI_PORT, default 8088).

The warehouse is registered read-only (`?access_mode=read_only`, which duckdb-engine passes to
`duckdb.connect` as configuration), and Superset opens a connection per query (its engines use
SQLAlchemy's NullPool): it never holds the lock a writer would need, and a publication, which
replaces the file by a rename, is seen by the next query.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from support.venvs import pinned_venv

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BI_DIR = PROJECT_ROOT / "bi" / "superset"
LOCK = BI_DIR / "requirements.lock"
CONFIG = BI_DIR / "superset_config.py"
DASHBOARD_EXPORT = BI_DIR / "dashboard"
VENV = PROJECT_ROOT / ".venv-bi"
DEFAULT_HOME = PROJECT_ROOT / "warehouse" / "superset"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "nupes.duckdb"
DEFAULT_PORT = 8088
ADMIN = "admin"
DATABASE_NAME = "nupes warehouse"
# The database export's URI names this placeholder; the bundle carries the real path instead.
URI_PLACEHOLDER = "__NUPES_WAREHOUSE_URI__"
DASHBOARD_SLUG = "nupes"


def say(message: str) -> None:
    """Progress for the person running `make bi`: each step is slow enough to want a word."""
    print(f"[bi] {message}", flush=True)


def ensure_venv(venv: Path = VENV, lock: Path = LOCK) -> Path:
    """.venv-bi with exactly the lock installed (support/venvs.pinned_venv: rebuilt when it changes)."""
    pinned_venv(venv, lock, say)
    return venv


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """A value generated once and kept in a file only its owner reads (key, password)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make() + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def warehouse_uri(warehouse: Path) -> str:
    """duckdb-engine's URL for the published file, read-only (the query string is DuckDB config)."""
    return f"duckdb:///{warehouse.resolve()}?access_mode=read_only"


def dashboard_bundle(warehouse: Path, target: Path, export: Path = DASHBOARD_EXPORT) -> Path:
    """Zip the YAML export as Superset's import expects it (one root folder), URI filled in."""
    uri = warehouse_uri(warehouse)
    with zipfile.ZipFile(target, "w") as bundle:
        for path in sorted(export.rglob("*.yaml")):
            text = path.read_text(encoding="utf-8").replace(URI_PLACEHOLDER, uri)
            bundle.writestr(f"nupes_dashboard/{path.relative_to(export)}", text)
    return target


@dataclass(frozen=True)
class BiServer:
    """One Superset installation: its environment, its metadata folder, the warehouse it reads."""

    home: Path
    warehouse: Path
    venv: Path = VENV

    def environment(self) -> dict[str, str]:
        """Superset's configuration file and home; nothing of the pipeline's own environment leaks in."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
        env.update(
            SUPERSET_CONFIG_PATH=str(CONFIG),
            NUPES_BI_HOME=str(self.home),
            FLASK_APP="superset",
            PATH=f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        )
        return env

    def superset(self, *args: str) -> None:
        """Run one `superset` command in .venv-bi; a failure stops the set-up with its output."""
        subprocess.run([str(self.venv / "bin" / "superset"), *args], env=self.environment(), check=True)

    def serve_command(self, port: int) -> list[str]:
        """gunicorn, as Superset's documentation runs it in production, bound to loopback only.

        One worker with threads: the server is one analyst's, on a shared two-core machine, and a
        second process would double Superset's half-gigabyte of memory for nothing. No control
        socket: gunicorn puts it in $HOME by default, where a second server (the test's beside
        `make bi`) would take it over.
        """
        return [
            str(self.venv / "bin" / "gunicorn"),
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--worker-class=gthread",
            "--threads=8",
            "--timeout=120",
            "--no-control-socket",
            "superset.app:create_app()",
        ]


def prepare(home: Path, warehouse: Path, password: str) -> BiServer:
    """Everything before serving: environment, metadata, admin, dashboard. Safe to run again."""
    if not warehouse.exists():
        raise SystemExit(f"no published warehouse at {warehouse}: run `make run` first")
    server = BiServer(home=home.resolve(), warehouse=warehouse.resolve(), venv=ensure_venv())
    read_or_create_secret(server.home / "secret_key", lambda: secrets.token_urlsafe(42))
    say(f"Superset metadata in {server.home} (migrations, then roles and permissions)")
    server.superset("db", "upgrade")
    server.superset("init")
    say(f"admin user `{ADMIN}`")
    server.superset(
        "fab", "create-admin", f"--username={ADMIN}", "--firstname=Warehouse", "--lastname=Admin",
        "--email=admin@localhost", f"--password={password}",
    )  # fmt: skip
    say(f"importing the dashboard from {DASHBOARD_EXPORT.relative_to(PROJECT_ROOT)} on {server.warehouse}")
    bundle = dashboard_bundle(server.warehouse, server.home / "dashboard_import.zip")
    server.superset("import-dashboards", f"--path={bundle}", f"--username={ADMIN}")
    # The import creates the database but never rewrites one it finds: point it at this warehouse.
    server.superset("set-database-uri", f"--database_name={DATABASE_NAME}", f"--uri={warehouse_uri(server.warehouse)}")
    return server


def admin_password(home: Path) -> str:
    """NUPES_BI_PASSWORD when set, else one generated on the first run and kept in the home."""
    if password := os.environ.get("NUPES_BI_PASSWORD"):
        return password
    return read_or_create_secret(home / "admin_password", lambda: secrets.token_urlsafe(12))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("NUPES_BI_HOME", DEFAULT_HOME)))
    parser.add_argument("--warehouse", type=Path, default=Path(os.environ.get("NUPES_WAREHOUSE", DEFAULT_WAREHOUSE)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("NUPES_BI_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    password = admin_password(args.home)
    server = prepare(args.home, args.warehouse, password)
    say(f"serving on http://127.0.0.1:{args.port}/ (log in as `{ADMIN}`, password: {password}); Ctrl-C stops")
    say(f"the dashboard: http://127.0.0.1:{args.port}/superset/dashboard/{DASHBOARD_SLUG}/")
    os.execve(server.serve_command(args.port)[0], server.serve_command(args.port), server.environment())
    return 0


if __name__ == "__main__":
    sys.exit(main())
