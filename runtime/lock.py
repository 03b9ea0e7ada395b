"""One writer per warehouse: an exclusive lock on ``<warehouse>.lock``, taken by a refresh for its
whole run and by the fetcher for each write of its log. The refresh's job runs in a child process
that inherits the held lock (``HELD_ENV`` names it): there, taking it again goes straight through."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

HELD_ENV = "OGI_WAREHOUSE_LOCK_HELD"  # set by a refresh for its child process: the lock is held for it


class LockTimeout(Exception):
    """The lock was still held by another process after the wait."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_suffix(warehouse.suffix + ".lock")


@contextmanager
def warehouse_lock(warehouse: Path, wait: float, on_wait: Callable[[], None] | None = None):
    """Hold the warehouse's lock, yielding its open file (None where the lock is held for this
    process by its supervisor); waits up to ``wait`` seconds (``on_wait`` is called once when it
    has to), then raises ``LockTimeout``."""
    path = lock_path(warehouse)
    if os.environ.get(HELD_ENV) == str(path):
        yield None
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
        try:
            yield f
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
