"""Alerts for the four things that need a person: a failed run, a failed check, a quiet feed, a quarantined drop.

The Dagster sensors call these; each returns an `Alert` for `send_alert`. Inputs are names and counts;
free text (error messages, check metadata) is reduced to what cannot hold a record value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from urllib.parse import quote

from pipelines.alerts import guidance
from pipelines.alerts.alert import Alert, AlertKind
from pipelines.alerts.redact import numeric_metadata, safe_error_summary
from pipelines.alerts.settings import dagster_url
from sources.ingest.problems import RULES


def alert_for_run_failure(run_id: str, job_name: str, step_keys: Sequence[str], error_message: str) -> Alert:
    run_url = f"{dagster_url()}/runs/{quote(run_id)}"
    steps = ", ".join(step_keys) if step_keys else "none recorded (the run failed outside a step)"
    return Alert(
        kind=AlertKind.RUN_FAILURE,
        title=f"Run failed: job {job_name} (run {run_id[:8]})",
        what_failed=(
            f"Dagster job {job_name}, run {run_id}",
            f"Failed step(s): {steps}",
            f"Error (values removed): {safe_error_summary(error_message) or 'no message'}",
        ),
        where_to_look=(
            f"Dagster run (full error and logs): {run_url}",
            "Files and rows loaded or quarantined per feed: lantern status",
        ),
        what_to_do=guidance.for_run_failure(step_keys, error_message),
        details={"run_id": run_id, "job_name": job_name, "failed_steps": ", ".join(step_keys),
                 "failed_step_count": len(step_keys)},
        links={"dagster_run": run_url},
    )


def alert_for_failed_check(asset_key: object, check_name: str, metadata: Mapping[str, object]) -> Alert:
    """`asset_key`: a Dagster AssetKey, a path list, or "schema/table"."""
    path = _asset_path(asset_key)
    asset = "/".join(path)
    check_url = f"{_asset_url(path)}?view=checks"
    numbers, withheld = numeric_metadata(metadata)
    what_failed = [f"Check {check_name} on asset {asset} did not pass"]
    what_failed += [f"{key}: {value}" for key, value in numbers.items()]
    if withheld:
        what_failed.append(f"Not copied into this alert (may hold record details): {', '.join(withheld)}")
    return Alert(
        kind=AlertKind.CHECK_FAILURE,
        title=f"Check failed: {check_name} on {asset}",
        what_failed=tuple(what_failed),
        where_to_look=(f"Dagster asset checks (full metadata): {check_url}",
                       "Files and rows loaded or quarantined per feed: lantern status"),
        what_to_do=guidance.for_failed_check(check_name),
        details={"asset_key": asset, "check_name": check_name, **numbers},
        links={"dagster_asset_checks": check_url},
    )


def alert_for_stale_feed(feed: str, data_as_of: date | datetime | None, expected_every_days: int,
                         now: datetime, *, last_file_at: datetime | None = None) -> Alert:
    """`data_as_of`: the newest event date in the feed. `last_file_at` (optional): when its last file was
    loaded; give it when staleness is judged by file arrival, so the alert says what the check measured."""
    newest = data_as_of.date() if isinstance(data_as_of, datetime) else data_as_of
    data_age = f"{(now.date() - newest).days} days old" if newest else "no data received yet"
    file_days = (now - last_file_at).days if last_file_at else None
    headline = f"no new file for {file_days} days" if file_days is not None else f"newest data {newest or 'never'} ({data_age})"
    what_failed = [f"Feed {feed}: newest data as of {newest or 'never'} ({data_age}), checked {now:%Y-%m-%d %H:%M}"]
    if last_file_at:
        what_failed.append(f"Last file loaded {last_file_at:%Y-%m-%d %H:%M}, {file_days} days ago")
    what_failed.append(f"Expected new data at least every {expected_every_days} day(s)")
    asset_url = _asset_url(["raw", feed])
    return Alert(
        kind=AlertKind.STALE_FEED,
        title=f"Feed {feed} is stale: {headline}",
        what_failed=tuple(what_failed),
        where_to_look=(
            f"Dagster asset raw/{feed}: {asset_url}",
            "Files per feed and status: lantern status",
            f"Waiting drops: $LANTERN_HOME/inbox/{feed}__*",
        ),
        what_to_do=guidance.for_stale_feed(feed),
        details={"feed": feed, "data_as_of": str(newest or ""), "expected_every_days": expected_every_days,
                 "days_since_data": (now.date() - newest).days if newest else -1,
                 "days_since_last_file": file_days if file_days is not None else -1},
        links={"dagster_asset": asset_url},
    )


def alert_for_quarantined_file(file_name: str, feed: str, agency: str, rows_read: int | None,
                               rule_counts: Mapping[str, int]) -> Alert:
    counts = {rule: int(n) for rule, n in sorted(rule_counts.items(), key=lambda item: (-int(item[1]), item[0]))}
    problems = sum(counts.values())
    return Alert(
        kind=AlertKind.FILE_QUARANTINED,
        title=f"Drop {file_name} from {agency}: {problems} problem(s) quarantined",
        what_failed=(
            f"File {file_name} (feed {feed}, agency {agency}): "
            f"{'rows unknown (the file could not be read)' if rows_read is None else f'{rows_read} rows read'}",
            *(f"{rule}: {n} — {RULES.get(rule, 'see the data contracts')}" for rule, n in counts.items()),
        ),
        where_to_look=(
            f"Per-file report (row, column, rule, masked excerpt): lantern status --file {file_name}",
            f"Dagster quarantine table: {_asset_url(['raw', 'quarantine'])}",
            "What each rule means: docs/data-contracts.md",
        ),
        what_to_do=guidance.for_quarantined_file(file_name, agency, counts),
        details={"file_name": file_name, "feed": feed, "agency": agency, "rows_read": -1 if rows_read is None else int(rows_read),
                 "problems": problems, **{f"rule.{rule}": n for rule, n in counts.items()}},
        links={"dagster_quarantine": _asset_url(["raw", "quarantine"])},
    )


def alert_for_partial_context_file(file_name: str, feed: str, publisher: str, rows_read: int,
                                   rule_counts: Mapping[str, int]) -> Alert:
    """A public context file with rows quarantined: its published figures are sums over its rows, so every
    figure of its years is now incomplete (docs/public-context.md, "A partial file")."""
    counts = {rule: int(n) for rule, n in sorted(rule_counts.items(), key=lambda item: (-int(item[1]), item[0]))}
    quarantined = sum(counts.values())
    return Alert(
        kind=AlertKind.FILE_QUARANTINED,
        title=f"Public file {file_name} ({publisher}) only partly loaded: {quarantined} of {rows_read} rows quarantined",
        what_failed=(
            f"File {file_name} (public context feed {feed}): {rows_read} rows read, {quarantined} quarantined",
            *(f"{rule}: {n} — {RULES.get(rule, 'see docs/public-context.md')}" for rule, n in counts.items()),
            "The figures of its years are sums over its rows: they differ from what the publisher published.",
        ),
        where_to_look=(
            f"Per-file report (row, column, rule, masked excerpt): lantern status --file {file_name}",
            "What each rule means and how real files are read: docs/public-context.md",
        ),
        what_to_do=guidance.for_partial_context_file(file_name),
        details={"file_name": file_name, "feed": feed, "agency": publisher, "rows_read": int(rows_read),
                 "problems": quarantined, **{f"rule.{rule}": n for rule, n in counts.items()}},
        links={"dagster_quarantine": _asset_url(["raw", "quarantine"])},
    )


def _asset_path(asset_key: object) -> list[str]:
    if hasattr(asset_key, "path"):
        return list(asset_key.path)
    if isinstance(asset_key, str):
        return [part for part in asset_key.replace(".", "/").split("/") if part]
    return [str(part) for part in asset_key]


def _asset_url(path: Sequence[str]) -> str:
    return f"{dagster_url()}/assets/" + "/".join(quote(part) for part in path)
