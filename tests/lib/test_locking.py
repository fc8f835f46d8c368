"""The writer lock: re-entrant within a process, exclusive across processes, gone with its holder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lib.locking import WarehouseBusy, writer_lock

HOLD_LOCK = (
    "import sys; from pathlib import Path; from orchestration.lib.locking import writer_lock\n"
    "with writer_lock(Path(sys.argv[1])):\n    print('locked', flush=True); sys.stdin.read()"
)


def test_the_same_process_may_take_the_lock_again(tmp_path: Path) -> None:
    lock = tmp_path / "build.lock"
    with writer_lock(lock), writer_lock(lock):
        pass
    with writer_lock(lock):  # released by the outer exit
        pass


def test_another_process_is_refused_while_one_holds_it_and_admitted_once_it_dies(tmp_path: Path) -> None:
    lock = tmp_path / "build.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy, match=f"pid {holder.pid} since .*lock file {lock}"), writer_lock(lock):
            pass
    finally:
        holder.kill()
        holder.wait()
    with writer_lock(lock):
        pass
