"""One writer per warehouse: an exclusive lock on ``<warehouse>.lock``, taken by a refresh for its
whole run and by the fetcher for each write of its log. Re-entrant within a process, so a refresh
that runs the fetch step does not wait on itself."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

HELD_ENV = "OGI_WAREHOUSE_LOCK_HELD"  # set by a refresh for its child process: the lock is held for it
_held: dict[str, int] = {p: 1 for p in [os.environ.get(HELD_ENV)] if p}  # lock path -> depth, this process
_guard = threading.RLock()


class LockTimeout(Exception):
    """The lock was still held by another process after the wait."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_suffix(warehouse.suffix + ".lock")


@contextmanager
def warehouse_lock(warehouse: Path, wait: float, on_wait: Callable[[], None] | None = None):
    """Hold the warehouse's lock; waits up to ``wait`` seconds (``on_wait`` is called once when
    it has to), then raises ``LockTimeout``."""
    path = lock_path(warehouse)
    key = str(path)
    with _guard:
        reentered = bool(_held.get(key))
        if reentered:
            _held[key] += 1
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as f:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another process still holds {path} after {wait:g} s") from None
                if on_wait and not told:
                    on_wait()
                    told = True
                time.sleep(0.2)
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        with _guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _guard:
                _held[key] = 0
            fcntl.flock(f, fcntl.LOCK_UN)
