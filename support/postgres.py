"""A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, listening on 127.0.0.1.

The tests that need PostgreSQL (Dagster's production storage, the DuckLake catalog) start their own
server from the machine's `postgresql` package (`scripts/install_postgres.sh` installs it where it
is missing) rather than relying on a service someone configured by hand. Nothing listens beyond
loopback and the socket lives in the cluster's folder, so a test never touches a system cluster.

PostgreSQL refuses to run as root: when the tests run as root the server runs as the package's
`postgres` user. Its folder is therefore made directly under the system's temporary folder (pytest's
own are private to the user running the tests) and handed to that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pytest

POSTGRES_INSTALL_HINT = "run scripts/install_postgres.sh (Debian's postgresql package) first"
SUPERUSER = "nupes"
START_TIMEOUT_SECONDS = 60


def postgres_bin_dir() -> Path:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda path: int(path.parts[-3]))
    if not versions:
        pytest.fail(f"no PostgreSQL server under /usr/lib/postgresql: {POSTGRES_INSTALL_HINT}")
    return versions[-1].parent


def free_port() -> int:
    """A port nobody listens on now, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str | None:
    """The unprivileged user to run the server as, or None to run it as ourselves."""
    return "postgres" if os.geteuid() == 0 else None


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL server in a folder of its own.

    As a context manager it starts, then stops and deletes the cluster; `stop()` and `start()` in
    between restart the same cluster, as a service restart would.
    """

    port: int = 0
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nupes-postgres-")))

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.bin_dir = postgres_bin_dir()
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        user = _server_user()
        prefix = ["runuser", "-u", user, "--"] if user else []
        completed = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
        return completed

    def _initdb(self) -> None:
        user = _server_user()
        if user:
            shutil.chown(self.root, user=user)
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--no-sync",
        )  # fmt: skip

    def start(self) -> ThrowawayPostgres:
        """Create the cluster if it does not exist yet, then start it and wait until it answers."""
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
            "-o", options, "-w", "-t", str(START_TIMEOUT_SECONDS), "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop the server at once (open sessions are cut); the cluster's files stay for a restart."""
        if (self.data_dir / "postmaster.pid").exists():
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        """Create `name` and return its SQLAlchemy URL."""
        self._run(str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)

    def psql(self, database: str, sql: str) -> str:
        """Run `sql` with psql and return its unaligned, tuples-only output."""
        return self._run(
            str(self.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
            "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql,
        ).stdout  # fmt: skip

    def url(self, database: str) -> str:
        """SQLAlchemy 2 needs the explicit `postgresql+psycopg2` scheme for dagster-postgres."""
        return f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def libpq_dsn(self, database: str) -> str:
        """The key=value connection string libpq clients (DuckDB's postgres extension) take."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
