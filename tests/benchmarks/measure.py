"""Run a command as a child process and measure it: wall time and peak resident memory of its process tree."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_POLL_SECONDS = 0.2


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float  # the larger of: the child's own peak (kernel), the peak sum over its process tree (polled)
    exit_code: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid: int) -> float:
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += _rss_mb(current)
        stack += _children(current)
    return total


def run_measured(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    started = time.perf_counter()
    process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            done.wait(_POLL_SECONDS)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(stream, buffer), daemon=True)
               for stream, buffer in ((process.stdout, out_chunks), (process.stderr, err_chunks))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    poller.join()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    own_peak = usage.ru_maxrss / 1024  # kilobytes on Linux
    return Measured(seconds, round(max(own_peak, peak[0]), 1), process.returncode,
                    "".join(out_chunks), "".join(err_chunks))
