"""What runs without anyone watching: the nightly schedule and the sensors that chain
new drop -> ingest -> touched months -> models -> publish, and tell someone when a run fails.

Sensors never open the warehouse (one writer; a reader would collide with it): they read the inbox
folder and Dagster's own event log.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster import (AssetKey, DefaultScheduleStatus, DefaultSensorStatus, DagsterRunStatus, RunFailureSensorContext,
                     RunRequest, ScheduleDefinition, SensorEvaluationContext, SkipReason, asset_sensor,
                     run_failure_sensor, run_status_sensor, schedule, sensor)

from pipelines.assets.ingest import MONTHS_TOUCHED
from pipelines.jobs import ingest_job, models_job, publish_job, release_config, release_job
from pipelines.partitions import contiguous_ranges, range_tags
from pipelines.resources import PathsResource
from sources.ingest.inbox_entries import entry_sha256
from sources.inbox import list_inbox
from sources.reference import deployment

NEW_DROP_INTERVAL_SECONDS = 30  # a landed file starts ingesting within a minute


def nightly_schedule() -> ScheduleDefinition:
    settings = deployment()
    return ScheduleDefinition(
        name="nightly_refresh", job=ingest_job, cron_schedule=settings.nightly_cron,
        execution_timezone=settings.timezone, default_status=DefaultScheduleStatus.RUNNING,
        description="Every night: ingest whatever arrived; the sensors then recompute the touched months and "
                    "publish (serving database, static site, Superset).",
    )


def release_schedule() -> ScheduleDefinition:
    """Cuts a protected release when the calendar has closed a month no kept release covers yet."""
    settings = deployment()

    @schedule(name="release_calendar", job=release_job, cron_schedule=settings.release_cron,
              execution_timezone=settings.timezone, default_status=DefaultScheduleStatus.RUNNING,
              description="Protected releases on the calendar (deployment.yaml `releases:`): closed months only, "
                          "kept for good; the nightly refresh never changes what partners and the public see.")
    def release_calendar(context, lantern_home: PathsResource) -> RunRequest | SkipReason:
        from dashboards.release import kept_releases, release_due

        as_of = context.scheduled_execution_time.date() if context.scheduled_execution_time else None
        kept = kept_releases(lantern_home.paths.home)
        if as_of is None or not release_due(as_of, kept[-1].cutoff if kept else None):
            return SkipReason(f"no release due on {as_of}")
        return RunRequest(run_key=f"release:{as_of}", run_config=release_config(as_of))

    return release_calendar


def new_files(inbox: Path, inbox_listing: dict[str, tuple[int, int]], cursor: dict) -> tuple[dict[str, str], dict]:
    """Files that are new or changed since the cursor, with their hashes; and the next cursor.

    The cursor remembers (size, mtime, sha256) per file name, so an unchanged file is hashed once,
    and a file whose content was already seen (same hash) never starts a run again."""
    seen_files = cursor.get("files", {})
    seen_hashes = set(cursor.get("hashes", []))
    fresh: dict[str, str] = {}
    next_files = {}
    for name, (size, mtime_ns) in sorted(inbox_listing.items()):
        known = seen_files.get(name)
        if known and known[0] == size and known[1] == mtime_ns:
            next_files[name] = known
            continue
        digest = entry_sha256(inbox / name)  # a link or directory is hashed, never opened
        next_files[name] = [size, mtime_ns, digest]
        if digest not in seen_hashes:
            fresh[name] = digest
            seen_hashes.add(digest)
    return fresh, {"files": next_files, "hashes": sorted(seen_hashes)}


@sensor(job=ingest_job, minimum_interval_seconds=NEW_DROP_INTERVAL_SECONDS, default_status=DefaultSensorStatus.RUNNING,
        description="A file landing in the inbox starts its ingestion (run key = the file's SHA-256).")
def new_drop_sensor(context: SensorEvaluationContext, lantern_home: PathsResource):
    inbox = lantern_home.paths.inbox
    if not inbox.exists():
        return SkipReason(f"no inbox at {inbox}")
    listing = {}
    for path in list_inbox(inbox).ready:
        stat = path.lstat()  # a link is recorded and refused by the ingest, never followed
        listing[path.name] = (stat.st_size, stat.st_mtime_ns)
    fresh, next_cursor = new_files(inbox, listing, json.loads(context.cursor) if context.cursor else {})
    context.update_cursor(json.dumps(next_cursor))
    if not fresh:
        return SkipReason("no new drops")
    digests = sorted(fresh.values())
    run_key = digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()
    return RunRequest(
        run_key=run_key,
        run_config={"ops": {"inbox_drops": {"config": {"files": sorted(fresh)}}}},
        tags={"lantern/trigger": "new_drop", "lantern/files": ", ".join(sorted(fresh))[:1000]},
    )


@asset_sensor(asset_key=AssetKey(["raw", "file_manifest"]), jobs=[models_job, publish_job],
              default_status=DefaultSensorStatus.RUNNING,
              description="After an ingest, recompute only the months its records touched, then publish.")
def touched_months_sensor(context: SensorEvaluationContext, asset_event):
    materialization = asset_event.asset_materialization
    value = materialization.metadata.get(MONTHS_TOUCHED) if materialization else None
    months = list(value.value) if value is not None else []
    ingest_run = asset_event.run_id
    if not months:  # nothing new to model; publish anyway so "data as of" and the manifest are current
        return RunRequest(run_key=f"{ingest_run}:publish", job_name=publish_job.name,
                          tags={"lantern/after_ingest": ingest_run})
    return [
        RunRequest(run_key=f"{ingest_run}:{start}:{end}", job_name=models_job.name,
                   tags={**range_tags(start, end), "lantern/after_ingest": ingest_run})
        for start, end in contiguous_ranges(months)
    ]


@run_status_sensor(run_status=DagsterRunStatus.SUCCESS, monitored_jobs=[models_job], request_job=publish_job,
                   default_status=DefaultSensorStatus.RUNNING,
                   description="Publish after the touched months are recomputed.")
def publish_after_models_sensor(context):
    return RunRequest(run_key=f"{context.dagster_run.run_id}:publish",
                      tags={"lantern/after_models": context.dagster_run.run_id})


@run_failure_sensor(default_status=DefaultSensorStatus.RUNNING,
                    description="Tell someone (e-mail and/or webhook) when any run fails.")
def run_failure_alert_sensor(context: RunFailureSensorContext):
    from pipelines.alerts import alert_for_run_failure, send_alert

    failures = context.get_step_failure_events()
    failed_steps = [event.step_key for event in failures]
    # the step's own error says what went wrong; the run-level message only lists the failed steps
    message = next((e.step_failure_data.error.message for e in failures if e.step_failure_data.error),
                   context.failure_event.message or "the run failed")
    send_alert(alert_for_run_failure(context.dagster_run.run_id, context.dagster_run.job_name, failed_steps, message))


@run_status_sensor(run_status=DagsterRunStatus.SUCCESS, default_status=DefaultSensorStatus.RUNNING,
                   monitor_all_code_locations=False,
                   description="Tell someone when a check failed in a run that otherwise finished.")
def failed_check_alert_sensor(context):
    from dagster import DagsterEventType

    from pipelines.alerts import alert_for_failed_check, send_alert

    run_id = context.dagster_run.run_id
    for record in context.instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data
        # stale feeds alert on their own, once per change (pipelines/freshness.py)
        if not evaluation.passed and evaluation.check_name != "feed_is_fresh":
            send_alert(alert_for_failed_check(evaluation.asset_key, evaluation.check_name, evaluation.metadata))


all_sensors = [new_drop_sensor, touched_months_sensor, publish_after_models_sensor, run_failure_alert_sensor,
               failed_check_alert_sensor]
