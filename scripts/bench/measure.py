"""Running one measurement in a fresh process: wall time, peak memory, and the child's own figures.

Each measurement is a new Python process, so nothing is warm but the OS page cache, and its peak
memory is its own. Two peaks are kept:
- `peak_rss`: the largest single process (the child, or a process it waited for, like dbt), as
  the child reports it (child.peak_rss_bytes: not `wait4`'s figure, which starts from the bench
  process's own peak);
- `peak_tree_rss`: the sum over the child and all its descendants, sampled every 50 ms from
  /proc, since the Dagster process and dbt hold memory at the same time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 0.05
KIB = 1024


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: what it took, and what it reported about itself."""

    seconds: float
    cpu_seconds: float  # user + system, of the child and the processes it waited for
    peak_rss_bytes: int
    peak_tree_rss_bytes: int
    report: dict[str, Any]


@dataclass
class CaseFigures:
    """Repeated measurements of one case, summarized as median and spread."""

    name: str
    runs: list[ChildRun] = field(default_factory=list)

    def add(self, run: ChildRun) -> None:
        self.runs.append(run)

    def seconds(self, pick: str = "wall") -> list[float]:
        """Wall time of each run, or a figure the child reported (`parse_load` times its stage)."""
        return [run.seconds if pick == "wall" else float(run.report[pick]) for run in self.runs]

    def summary(self, pick: str = "wall") -> dict[str, Any]:
        values = self.seconds(pick)
        return {
            "runs": len(values),
            "median_s": round(statistics.median(values), 3),
            "min_s": round(min(values), 3),
            "max_s": round(max(values), 3),
            "spread_s": round(max(values) - min(values), 3),
            "cpu_median_s": round(statistics.median(run.cpu_seconds for run in self.runs), 3),
            "peak_rss_mib": mebibytes(max(run.peak_rss_bytes for run in self.runs)),
            "peak_tree_rss_mib": mebibytes(max(run.peak_tree_rss_bytes for run in self.runs)),
        }


def mebibytes(size: int) -> float:
    return round(size / (1 << 20), 1)


def run_child(module_args: Sequence[str], env: Mapping[str, str], cwd: Path) -> ChildRun:
    """`python -m <module_args>` with `--result FILE` appended; fails loudly if the child fails."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    command = [sys.executable, "-m", *module_args, "--result", str(result_path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = TreeRssSampler(process.pid)
    sampler.start()
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    try:
        if process.returncode != 0:
            tail = output.decode(errors="replace")[-4000:]
            raise RuntimeError(f"{' '.join(module_args)} exited with {process.returncode}:\n{tail}")
        report = json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)
    cpu_seconds = usage.ru_utime + usage.ru_stime
    return ChildRun(seconds, cpu_seconds, report.pop("peak_rss_bytes"), sampler.peak_bytes, report)


class TreeRssSampler:
    """Samples the resident memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_bytes = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stopped.is_set():
            self.peak_bytes = max(self.peak_bytes, sum(_rss_bytes(pid) for pid in _process_tree(self.pid)))
            self._stopped.wait(SAMPLE_SECONDS)


def _process_tree(root: int) -> list[int]:
    """The process and its descendants, from /proc/<pid>/task/<tid>/children."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:  # the task ended meanwhile
                continue
    return found


def _rss_bytes(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * KIB
    return 0
