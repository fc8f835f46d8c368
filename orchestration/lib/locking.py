"""One writer at a time on the build database, across processes.

DuckDB refuses a second writing process, but only once it tries to open the file, possibly in
the middle of a run. A refresh takes this lock for its whole duration instead, so a second
refresh started meanwhile is refused at once with a message saying who holds the lock.

The lock is re-entrant within a process: `make run` takes it before it even opens the Dagster
instance (so a refused run touches nothing, not even the run history), and the run's writer
resource, which takes it for runs the daemon launches, then finds it already held.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another refresh is writing the warehouse."""


_held_here: dict[Path, int] = {}
_held_here_guard = threading.Lock()


@contextmanager
def writer_lock(lock_path: Path) -> Iterator[None]:
    key = lock_path.resolve()
    with _held_here_guard:
        if key in _held_here:
            _held_here[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_here_guard:
                _held_here[key] -= 1
        return
    with _exclusive_flock(lock_path):
        with _held_here_guard:
            _held_here[key] = 1
        try:
            yield
        finally:
            with _held_here_guard:
                del _held_here[key]


@contextmanager
def _exclusive_flock(lock_path: Path) -> Iterator[None]:
    """The cross-process lock itself: released by the kernel if the process dies."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown holder"
            raise WarehouseBusy(f"another refresh is writing the warehouse ({holder}); lock file {lock_path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
