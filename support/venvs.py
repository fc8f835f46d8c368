"""Pinned side environments for tests that need another version of a package than the project's.

A DuckDB 1.x client reading the published file, DuckDB 1.5 with its DuckLake extension: each cannot
live in `.venv` (which pins DuckDB 2.0), so it gets a virtual environment of its own under
`.venvs/<name>` (ignored by git), made with the project's uv from a pinned requirements file and
made again only when that file changes.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SIDE_VENVS = PROJECT_ROOT / ".venvs"
UV = PROJECT_ROOT / ".venv" / "bin" / "uv"
STAMP = ".requirements-sha256"


def pinned_venv(name: str, requirements: Path) -> Path:
    """The Python of `.venvs/<name>`, with exactly `requirements` installed; built if missing or stale."""
    venv = SIDE_VENVS / name
    python = venv / "bin" / "python"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = venv / STAMP
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"creating {venv} from {requirements}", flush=True)
    _run([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)])
    _run([str(UV), "pip", "install", "--quiet", "--python", str(python), "-r", str(requirements)])
    stamp.write_text(wanted)
    return python


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
