"""Plain next steps for the person on call, per alert kind (and per check or rule where it matters)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RERUN = ("When the cause is fixed, run `lantern refresh` (or re-execute the run from the Dagster UI); files "
         "already loaded are skipped, so a re-run is safe.")

_CHECK_HINTS = {
    "every_row_accounted_for": "Rows were lost or doubled between a drop and raw/quarantine: do not publish; "
                               "compare the per-file counts in `lantern status` with the check's metadata.",
    "declared_tests": "A model broke a test its layer's YAML declares (grain, totals between layers, codes): "
                      "the check's metadata names the test; look at the latest change to models/ before re-running.",
    "no_small_counts_published": "A count between 1 and the disclosure threshold reached the serving database. "
                                 "Treat it as a disclosure incident: tell the data steward, do not share "
                                 "dashboard exports, and stop Superset until a clean run has replaced serving.duckdb.",
}
# Rules that mean an agency sent direct identifiers: a privacy matter, not only a data-quality one.
_IDENTIFIER_RULES = {"forbidden_column", "identifier_detected"}
_WHOLE_FILE_RULES = {"empty_file", "unreadable_file", "missing_column", "duplicate_column", "forbidden_column"}


def for_run_failure(step_keys: Sequence[str], error_message: str) -> tuple[str, ...]:
    steps = ["Open the Dagster run and read the first failed step's error (the full text stays in Dagster)."]
    if "lock" in (error_message or "").lower():
        steps.append("The DuckDB warehouse was locked: another process had it open (one writer at a time). "
                     "Check for a second refresh, a manual `lantern` command or the nightly backup still running.")
    if any(key.startswith("inbox_drops") for key in step_keys):
        steps.append("Ingest failed: run `lantern status` and look at the newest files in $LANTERN_HOME/inbox; "
                     "move a file that breaks ingest out of the inbox and tell its agency.")
    steps.append("Dashboards still show the last successful run's numbers until a run succeeds.")
    steps.append(RERUN)
    return tuple(steps)


def for_failed_check(check_name: str) -> tuple[str, ...]:
    steps = ["Open the check in Dagster and read its metadata (counts, and the details left out of this alert)."]
    if check_name in _CHECK_HINTS:
        steps.append(_CHECK_HINTS[check_name])
    steps.append("Blocking checks stop the assets downstream of the checked asset in this run; "
                 "what was published before stays as it was.")
    steps.append(RERUN)
    return tuple(steps)


def for_stale_feed(feed: str) -> tuple[str, ...]:
    return (
        f"Look in $LANTERN_HOME/inbox for {feed} files that were not picked up: names must be "
        "<feed>__<agency>__<period>.csv|parquet; files ending .part or starting with '.' wait until renamed.",
        "Check that dagster-daemon is running and the new-drop sensor and nightly schedule are on "
        "(Dagster UI, Automation).",
        f"If nothing arrived, contact the agencies that send {feed} (their cadence is in docs/data-contracts.md).",
    )


def for_quarantined_file(file_name: str, agency: str, rule_counts: Mapping[str, int]) -> tuple[str, ...]:
    steps = [f"Run `lantern status --file {file_name}` for the row, column, rule and masked excerpt of each problem."]
    if _IDENTIFIER_RULES & set(rule_counts):
        steps.append(f"{agency} sent direct identifiers: follow the data-sharing agreement's incident steps, ask "
                     "them to delete the file on their side and send it again anonymized. Lantern kept only masked excerpts.")
    if _WHOLE_FILE_RULES & set(rule_counts):
        steps.append("The file was refused whole: none of its rows were loaded.")
    steps.append(f"Send the per-file report to {agency}'s data manager and ask for a corrected file; rows already "
                 "loaded are not loaded twice, so they can send the whole period again.")
    return tuple(steps)


def for_partial_context_file(file_name: str) -> tuple[str, ...]:
    return (
        f"Run `lantern status --file {file_name}` for the row, column and rule of each quarantined row.",
        "The site's Public context panel says the figures of these years are incomplete until a complete file stands.",
        "If the rows are real published rows the contract does not yet accept, change the contract "
        "(sources/contracts/) and drop the file again under a new name; otherwise download the file again "
        "(the same years) and drop it into the inbox: the newest file stands for its years.",
    )
