"""The run manifest (issue #5): each published serving database says which run and code built it and from
which input files (with their SHA-256); the static site and the briefing show it."""

from __future__ import annotations

import csv
import hashlib
import subprocess
from pathlib import Path

import duckdb
import pytest

from dashboards.serving.audit import audit_serving_database
from sources.drops import DROP_SUFFIXES, DropNameError, parse_drop_name


def _agency_drops(inbox: Path) -> list[tuple[str, str]]:
    """(SHA-256, feed) of every agency drop in the inbox (public context files are not agency drops)."""
    drops = []
    for path in sorted(inbox.iterdir()):
        if path.suffix not in DROP_SUFFIXES:
            continue
        try:
            name = parse_drop_name(path)
        except DropNameError:
            continue
        drops.append((hashlib.sha256(path.read_bytes()).hexdigest(), name.feed))
    return drops


@pytest.fixture(scope="module")
def serving(clean_demo_run) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True)
    yield con
    con.close()


def test_manifest_lists_every_input_file_with_its_hash(clean_demo_run, serving):
    published = serving.execute("SELECT file_sha256, feed, file_status FROM run_inputs").fetchall()
    expected = _agency_drops(clean_demo_run.home / "inbox")
    assert sorted((h, f) for h, f, _ in published) == sorted(expected)
    assert {status for *_, status in published} == {"loaded"}


def test_manifest_names_the_run_and_the_code(clean_demo_run, serving):
    stamp = dict(serving.execute("SELECT key, value FROM publication").fetchall())
    assert stamp["run_id"] == clean_demo_run.result.run_id
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent, check=True).stdout.strip()
    assert stamp["code_version"].startswith(f"0.1.0+{commit}")
    assert int(stamp["input_files"]) == serving.execute("SELECT count(*) FROM run_inputs").fetchone()[0]
    ingest_runs = serving.execute("SELECT DISTINCT ingested_by_run FROM run_inputs").fetchall()
    assert stamp["ingest_runs"] == str(len(ingest_runs)) == "1"


def test_static_site_shows_the_manifest_and_ships_the_file_list(clean_demo_run, serving):
    site = clean_demo_run.home / "site"
    page = (site / "index.html").read_text(encoding="utf-8")
    stamp = dict(serving.execute("SELECT key, value FROM publication").fetchall())
    assert "Run manifest" in page and stamp["code_version"] in page and stamp["run_id"] in page
    with open(site / "run_manifest.csv", newline="", encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert sorted(r["file_sha256"] for r in listed) == sorted(
        h for (h,) in serving.execute("SELECT file_sha256 FROM run_inputs").fetchall())
    assert 'href="run_manifest.csv"' in page


def test_a_release_carries_no_running_totals_of_agencies_files(clean_demo_run, serving):
    """Files and rows per agency and feed grow with every release: the difference between two releases would
    be a count of records, so they are for the internal audiences only; the audit still passes without them."""
    tables = {r[0] for r in serving.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not {"agency_data_quality", "feed_freshness"} & tables
    assert audit_serving_database(clean_demo_run.home / "serving.duckdb").passed
