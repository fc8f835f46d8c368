"""The production files that tests do not run as services: deploy/dagster.yaml against Dagster's
own schema, and the systemd units against what `orchestration.serve` accepts."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from dagster._core.instance.config import dagster_instance_config

from orchestration.lib.config import PROJECT_ROOT
from orchestration.serve import INSTANCE_CONFIG, service_commands

UNITS = PROJECT_ROOT / "deploy" / "systemd"


def test_the_production_instance_config_is_valid_and_keeps_everything_in_postgres() -> None:
    config, _ = dagster_instance_config(str(INSTANCE_CONFIG.parent))  # raises on a schema error
    assert config["storage"] == {"postgres": {"postgres_url": {"env": "NUPES_DAGSTER_POSTGRES_URL"}}}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"] == {
        "pools": {"granularity": "run", "default_limit": 1},
        "runs": {"max_concurrent_runs": 1},
    }
    assert config["run_retries"]["enabled"] is True and config["run_retries"]["max_retries"] >= 1
    assert config["compute_logs"]["class"] == "LocalComputeLogManager"
    assert config["telemetry"] == {"enabled": False}


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(path)
    return parser


@pytest.mark.parametrize("service", ["webserver", "daemon"])
def test_each_unit_runs_its_service_through_the_serve_entry_point(service: str) -> None:
    unit = _unit(UNITS / f"nupes-dagster-{service}.service")
    section = unit["Service"]
    assert section["Restart"] == "on-failure"
    assert section["User"] and section["EnvironmentFile"].startswith("/")
    command = shlex.split(section["ExecStart"])
    assert command[1:] == ["-m", "orchestration.serve", service]
    assert Path(command[0]).parent.parent == Path(section["WorkingDirectory"]) / ".venv"
    assert service in service_commands({})
    assert unit["Install"]["WantedBy"] == "multi-user.target"
