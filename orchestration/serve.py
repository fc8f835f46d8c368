"""`make serve`: the production services, the Dagster webserver and daemon, on PostgreSQL storage.

Both load the same code location (`-m orchestration.definitions`) and the production instance in
`$NUPES_DAGSTER_HOME`, whose `dagster.yaml` is deploy/dagster.yaml: runs, events and ticks in the
PostgreSQL database of `NUPES_DAGSTER_POSTGRES_URL`, runs queued and started one at a time by the
daemon. The database is asked first, so an unreachable one is named in a line of its own instead
of a traceback. With no argument both services run under this process, which forwards SIGTERM and
SIGINT to them and stops the other when one dies; `webserver` or `daemon` runs one only, in its
place (the systemd units in deploy/systemd, one per service).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import FrameType

from orchestration.lib.config import PROJECT_ROOT
from orchestration.lib.postgres import POSTGRES_URL_VARIABLE, PostgresUnavailable, check_reachable

INSTANCE_CONFIG = PROJECT_ROOT / "deploy" / "dagster.yaml"
DEFAULT_HOME = PROJECT_ROOT / ".dagster-production"
DEFAULT_PORT = "3000"
CODE_LOCATION = ["-m", "orchestration.definitions"]
STOP_TIMEOUT_SECONDS = 30
VENV_BIN = Path(sys.executable).parent


def production_home(environ: Mapping[str, str]) -> Path:
    """The production Dagster home, with deploy/dagster.yaml linked in unless it holds its own."""
    home = Path(environ.get("NUPES_DAGSTER_HOME") or DEFAULT_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if config.is_symlink() or not config.exists():
        config.unlink(missing_ok=True)
        config.symlink_to(INSTANCE_CONFIG)
    return home


def service_environment(environ: Mapping[str, str], home: Path) -> dict[str, str]:
    """The services' environment: the production home (never the development one `make` exports),
    its compute logs folder unless one is set, and this venv first on PATH (dagster-dbt runs `dbt`)."""
    return {
        **environ,
        "DAGSTER_HOME": str(home),
        "NUPES_DAGSTER_COMPUTE_LOGS": environ.get("NUPES_DAGSTER_COMPUTE_LOGS") or str(home / "compute_logs"),
        "PATH": f"{VENV_BIN}{os.pathsep}{environ.get('PATH', '')}",
    }


def service_commands(environ: Mapping[str, str]) -> dict[str, list[str]]:
    """Each service's command line; the webserver listens on loopback only (a reverse proxy, if
    any, publishes it), on `NUPES_DAGSTER_PORT`."""
    port = environ.get("NUPES_DAGSTER_PORT") or DEFAULT_PORT
    return {
        "webserver": [str(VENV_BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", port, *CODE_LOCATION],
        "daemon": [str(VENV_BIN / "dagster-daemon"), "run", *CODE_LOCATION],
    }


def supervise(commands: Mapping[str, list[str]], env: Mapping[str, str]) -> int:
    """Run the services until one exits or a signal asks them all to stop. A service that exits on
    its own is a failure (exit code 1 if it said 0): a supervisor must start the pair again."""
    stopping: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):  # before the services start: none is orphaned
        signal.signal(signum, request_stop)
    processes = {name: subprocess.Popen(command, env=env, cwd=PROJECT_ROOT) for name, command in commands.items()}
    exited: tuple[str, int] | None = None
    while exited is None and not stopping:
        exited = next(((name, code) for name, p in processes.items() if (code := p.poll()) is not None), None)
        time.sleep(0.2)
    if exited and not stopping:
        print(f"serve: the {exited[0]} exited with code {exited[1]}; stopping the others", file=sys.stderr)
    _stop(processes.values())
    return (exited[1] or 1) if exited and not stopping else 0


def _stop(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every running service (a SIGINT may be ignored by a service started in the
    background), then wait for them, killing the ones that hang."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service", nargs="?", choices=["webserver", "daemon"], help="run this service only")
    args = parser.parse_args(argv)
    try:
        target = check_reachable(os.environ.get(POSTGRES_URL_VARIABLE))
    except PostgresUnavailable as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    env = service_environment(os.environ, production_home(os.environ))
    commands = service_commands(env)
    print(f"serve: Dagster instance {env['DAGSTER_HOME']} on the {target}", file=sys.stderr, flush=True)
    if args.service:
        os.chdir(PROJECT_ROOT)
        os.execve(commands[args.service][0], commands[args.service], env)
    return supervise(commands, env)


if __name__ == "__main__":
    sys.exit(main())
