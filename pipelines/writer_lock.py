"""One writer at a time: an OS file lock held while a warehouse connection is open for writing.

DuckDB lets one process write a database file; a second writer fails at once. Runs, backfills, the
daemon and `lantern` by hand all open the warehouse through this lock, so a second writer waits its
turn instead of failing.
"""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path

DEFAULT_WAIT_SECONDS = 4 * 60 * 60  # a nightly run at stress scale fits well inside this


class WriterLockTimeout(TimeoutError):
    pass


@contextmanager
def warehouse_writer_lock(warehouse: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS, on_wait=None):
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterLockTimeout(f"another process has been writing {warehouse} for over "
                                            f"{wait_seconds:.0f} s") from None
                if on_wait and not told:
                    on_wait(f"waiting for another writer of {warehouse} to finish")
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
