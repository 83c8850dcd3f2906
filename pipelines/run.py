"""Run the pipeline in this process, as the nightly chain does: ingest -> touched months -> publish.

Used by `lantern refresh` / `lantern backfill`, `make demo` and the tests. The daemon does the same
through the schedule and sensors in pipelines/automation.py.
"""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date

import duckdb
from dagster import AssetCheckSeverity, DagsterInstance, Definitions

from dashboards.release import kept_releases, release_cutoff, release_due, release_id
from dashboards.serving import forget_disclosure_memory
from pipelines.definitions import build_definitions
from pipelines.jobs import release_config
from models import query_sql
from models.modelled_months import pending_months
from pipelines.partitions import contiguous_ranges, range_tags
from pipelines.writer_lock import warehouse_writer_lock
from sources.reference.paths import Paths, lantern_paths
from sources.contracts import FEEDS, load_contract


@dataclass
class RefreshResult:
    success: bool
    run_ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    months: list[tuple[str, str]] = field(default_factory=list)
    release_note: str = ""
    warnings: list[str] = field(default_factory=list)  # failed checks of warning severity: published anyway
    what: str = "Refresh"

    @property
    def run_id(self) -> str:
        return self.run_ids[-1] if self.run_ids else ""

    def summary(self) -> str:
        ranges = ", ".join(f"{a[:7]}..{b[:7]}" if a != b else a[:7] for a, b in self.months) or "none"
        outcome = "FAILED" if not self.success else "succeeded WITH WARNINGS" if self.warnings else "succeeded"
        lines = [f"{self.what} {outcome}: {len(self.run_ids)} run(s)"
                 + (f"; months recomputed: {ranges}" if self.what == "Refresh" else "")]
        lines += [f"  {failure}" for failure in self.failures]
        lines += [f"  WARNING {warning}" for warning in self.warnings]
        if self.release_note:
            lines.append(f"Protected release: {self.release_note}")
        return "\n".join(lines)


def dagster_instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def _run(definitions: Definitions, job_name: str, instance: DagsterInstance, result: RefreshResult,
         log_level: str, tags: dict | None = None):
    job = definitions.resolve_job_def(job_name)
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    outcome = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config, tags=tags or {})
    return _collect(outcome, job_name, result)


def _collect(outcome, job_name: str, result: RefreshResult):
    result.run_ids.append(outcome.run_id)
    for event in outcome.all_events:
        if event.is_step_failure:
            result.failures.append(f"{job_name}: step {event.step_key} failed: "
                                   f"{event.event_specific_data.error.message.strip().splitlines()[-1]}")
    for evaluation in outcome.get_asset_check_evaluations():
        if not evaluation.passed:
            # a warning-severity check (a partial public file) is reported loudly but publishing goes on
            found = result.warnings if evaluation.severity == AssetCheckSeverity.WARN else result.failures
            found.append(f"{job_name}: check {evaluation.check_name} on "
                         f"{evaluation.asset_key.to_user_string()} failed")
    result.success = result.success and outcome.success and not result.failures
    return outcome


@contextmanager
def _reading(paths: Paths):
    """A short read of the warehouse between runs; takes the writer lock, since DuckDB refuses a reader
    while another process (a second refresh) holds the file for writing."""
    with warehouse_writer_lock(paths.warehouse), duckdb.connect(str(paths.warehouse), read_only=True) as con:
        yield con


def _all_months(paths: Paths) -> list[str]:
    """Every month with loaded records: a full rebuild's window."""
    feed_spans = " UNION ".join(
        query_sql("queries/pipeline", "feed_event_span", event_date=load_contract(f).event_date, feed=f) for f in FEEDS)
    with _reading(paths) as con:
        first, last = con.execute(query_sql("queries/pipeline", "event_span", feed_spans=feed_spans)).fetchone()
    return [] if first is None else [first.strftime("%Y-%m-01"), last.strftime("%Y-%m-01")]


def _models_built(paths: Paths) -> bool:
    with _reading(paths) as con:
        return bool(con.execute(query_sql("queries/pipeline", "marts_tables")).fetchone()[0])


def _pending_months(paths: Paths) -> list[str]:
    with _reading(paths) as con:
        return pending_months(con)


def run_refresh(instance: DagsterInstance | None = None, definitions: Definitions | None = None,
                log_level: str = "WARNING", full: bool = False, months: tuple[str, str] | None = None,
                paths: Paths | None = None, release: bool | date = True) -> RefreshResult:
    """Ingest new drops, recompute the months they touched (all months with `full`, or the `months`
    range for a backfill), then publish the internal database. Stops before publishing if anything failed.
    Then, as the release schedule would, cut the protected release the calendar has due (today, or on the
    `release` date given); `release=False` leaves releases alone."""
    paths = paths or lantern_paths()
    definitions = definitions or build_definitions(paths)
    result = RefreshResult(success=True)
    # An instance the caller passes stays the caller's to close (it may read the runs' events afterwards).
    with (nullcontext(instance) if instance is not None else dagster_instance()) as active:
        _run(definitions, "ingest", active, result, log_level)
        if not result.success:
            return result
        pending = _pending_months(paths)
        if months:
            ranges = [months, *contiguous_ranges(pending)]
        elif full or not _models_built(paths):
            ranges = [tuple(_all_months(paths))] if _all_months(paths) else []
        else:
            ranges = contiguous_ranges(pending)
        result.months = ranges
        if full:  # a full rebuild also suppresses and proves from nothing, not from the last build's memory
            with warehouse_writer_lock(paths.warehouse), duckdb.connect(str(paths.warehouse)) as con:
                forget_disclosure_memory(con)
        for start, end in ranges:
            _run(definitions, "models", active, result, log_level, tags=range_tags(start, end))
            if not result.success:
                return result
        _run(definitions, "publish", active, result, log_level)
        if result.success and release is not False:
            run_release(active, definitions, log_level, as_of=release if isinstance(release, date) else None,
                        paths=paths, result=result)
    return result


def run_release(instance: DagsterInstance | None = None, definitions: Definitions | None = None,
                log_level: str = "WARNING", as_of: date | None = None, paths: Paths | None = None,
                result: RefreshResult | None = None) -> RefreshResult:
    """Cut the protected release the calendar has due on `as_of` (today by default); nothing when none is."""
    paths = paths or lantern_paths()
    definitions = definitions or build_definitions(paths)
    result = result or RefreshResult(success=True, what="Release")
    as_of = as_of or date.today()
    # one release at a time (two refreshes at once would both find it due): decided and cut under one lock
    with warehouse_writer_lock(paths.releases / "cutting"):
        kept = kept_releases(paths.home)
        if not release_due(as_of, kept[-1].cutoff if kept else None):
            result.release_note = f"no release due on {as_of}: release {kept[-1].release_id} is the latest"
            return result
        with (nullcontext(instance) if instance is not None else dagster_instance()) as active:
            job = definitions.resolve_job_def("release")
            outcome = job.execute_in_process(instance=active, raise_on_error=False, run_config={
                **release_config(as_of), "loggers": {"console": {"config": {"log_level": log_level}}}})
            _collect(outcome, "release", result)
    if result.success:
        result.release_note = f"release {release_id(release_cutoff(as_of))} cut (months through " \
                              f"{release_cutoff(as_of):%Y-%m})"
    return result
