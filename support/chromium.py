"""Headless Chromium (Debian's `chromium` package) for the dashboard's browser test.

Every run gets a fresh profile and the flags that keep Chromium off the network (no component
updates, no sync, no background requests): the page must render from the file alone. Console
messages are read from Chromium's own log on stderr (`--enable-logging=stderr`), where each one is
a line with `:CONSOLE` in it.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "run scripts/install_chromium.sh (Debian's chromium package) first"
OFFLINE_HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    # Lets timers and rendering settle before the DOM is dumped or the screenshot taken.
    "--virtual-time-budget=10000",
)


@dataclass(frozen=True)
class BrowserRun:
    stdout: str
    console_messages: list[str]


def require_chromium() -> Path:
    """Fail (not skip): a browser test that silently does not run proves nothing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    return CHROMIUM


def run_chromium(url: str, *action_flags: str, timeout_seconds: int = 180) -> BrowserRun:
    """Open `url` headless with a throw-away profile and run one action (dump DOM, screenshot)."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [str(require_chromium()), *OFFLINE_HEADLESS_FLAGS, f"--user-data-dir={profile}", *action_flags, url]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_seconds, check=False)
    if completed.returncode != 0:
        raise AssertionError(f"chromium exited with {completed.returncode}:\n{completed.stderr[-3000:]}")
    console = [line for line in completed.stderr.splitlines() if ":CONSOLE" in line]
    return BrowserRun(completed.stdout, console)


def dump_dom(url: str) -> BrowserRun:
    """The DOM after the page's scripts ran, as HTML on stdout."""
    return run_chromium(url, "--dump-dom")


def screenshot(url: str, target: Path, width: int, height: int) -> BrowserRun:
    target.parent.mkdir(parents=True, exist_ok=True)
    return run_chromium(url, f"--screenshot={target}", f"--window-size={width},{height}")
