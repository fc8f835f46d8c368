"""Virtual environments of their own, for what cannot share `.venv` (which pins DuckDB 2.0 and
SQLAlchemy 2): Superset (`make bi`), a DuckDB 1.x client reading the published file, DuckDB 1.5
with its DuckLake extension.

Each is made with the project's uv from a pinned requirements file, and made again only when that
file's content changes (a stamp holds its sha256, so a checkout that merely touches it costs
nothing). Bytecode is compiled at install, as the Makefile does for `.venv`: Superset imports
thousands of modules at every start.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SIDE_VENVS = PROJECT_ROOT / ".venvs"  # ignored by git
UV = Path(sys.executable).with_name("uv")  # the Makefile's install target puts it in .venv
STAMP = ".requirements-sha256"


def pinned_venv(venv: Path, requirements: Path, say: Callable[[str], None] = print) -> Path:
    """The Python of `venv`, with exactly `requirements` installed; (re)built if missing or stale."""
    python = venv / "bin" / "python"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = venv / STAMP
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    say(f"creating {venv} from {requirements} (a few minutes the first time)")
    _run([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)])
    _run([str(UV), "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), "-r", str(requirements)])
    stamp.write_text(wanted)
    return python


def side_venv(name: str, requirements: Path) -> Path:
    """The Python of `.venvs/<name>` (a test's side environment), built by pinned_venv."""
    return pinned_venv(SIDE_VENVS / name, requirements)


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
