"""Time from a file landing in the inbox to the static dashboard that includes it, through the real daemon.

A home with a refreshed Missouri demo; `dagster-daemon` started on it (its first ticks settle: the
sensor sees every file once, ingest skips them, a publish follows); then one new drop (a late record
for an old month) lands, and the clock runs until `site/run_manifest.csv` lists the new file's SHA-256,
i.e. the sensor started ingest, the touched month was modelled, and the publish swapped in a new serving
database and rebuilt the site. Used by `make bench` (case drop_to_dashboard) and runnable alone:

    python -m benchmarks.drop_to_dashboard HOME
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[2]
DAEMON = Path(sys.executable).parent / "dagster-daemon"


def _published_hashes(home: Path) -> set[str]:
    manifest = home / "site" / "run_manifest.csv"
    if not manifest.exists():
        return set()
    return set(pl.read_csv(manifest, infer_schema=False)["file_sha256"].to_list())


def _late_drop(home: Path) -> Path:
    """A new file holding one record of an old month under a new id (the same shape as a real late record)."""
    source = sorted((home / "inbox").glob("hotline_signals__HL-STATE__*.csv"))[len(
        list((home / "inbox").glob("hotline_signals__HL-STATE__*.csv"))) // 2]
    rows = pl.read_csv(source, infer_schema=False).head(1).with_columns(pl.lit("S-BENCH-LATE-1").alias("signal_id"))
    period = rows["received_date"][0][:7]
    target = home / "inbox" / f"hotline_signals__HL-STATE__{period}_late.csv"
    rows.write_csv(target.with_suffix(".tmp"))
    return target


def measure(home: Path, env: dict[str, str] | None = None, timeout_s: float = 900.0, settle_s: float = 90.0) -> dict:
    """`env`: extra environment for the daemon (the linkage secret); LANTERN_HOME and DAGSTER_HOME are set here."""
    dagster_home = home / "dagster-daemon-home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **(env or {}), "LANTERN_HOME": str(home), "DAGSTER_HOME": str(dagster_home)}
    daemon = subprocess.Popen([str(DAEMON), "run", "-w", str(REPO / "workspace.yaml")], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(settle_s)  # first ticks: every existing file seen once, nothing new to load
        staged = _late_drop(home)
        digest = hashlib.sha256(staged.with_suffix(".tmp").read_bytes()).hexdigest()
        started = time.monotonic()
        staged.with_suffix(".tmp").rename(staged)  # lands atomically, as an agency's upload would
        while time.monotonic() - started < timeout_s:
            if digest in _published_hashes(home):
                return {"seconds": round(time.monotonic() - started, 1), "file": staged.name}
            time.sleep(2)
        raise TimeoutError(f"{staged.name} not on the dashboard after {timeout_s:.0f} s")
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
