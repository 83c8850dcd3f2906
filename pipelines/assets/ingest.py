"""Ingest every new drop in the inbox: each row loaded into raw.<feed> or quarantined with its reason."""

from dagster import AssetExecutionContext, AssetSpec, Config, MaterializeResult, MetadataValue, multi_asset

from models import query_sql
from models.modelled_months import pending_months
from pipelines.assets.keys import table_key
from pipelines.resources import PathsResource, WarehouseResource
from sources.contracts import FEEDS, all_contracts
from sources.inbox import list_inbox
from sources.ingest import agency_feeds, ensure_raw_schema, ingest_files, validation_context, write_agency_reports

RAW_TABLES = (*FEEDS, "file_manifest", "quarantine", "files_in_progress")
MONTHS_TOUCHED = "months_touched"  # metadata key the touched-months sensor reads


class IngestConfig(Config):
    """Which inbox files to ingest: all pending ones (default), or the named ones (the new-drop sensor)."""

    files: list[str] = []


@multi_asset(
    specs=[
        AssetSpec(table_key(f"raw.{name}"), group_name="ingest",
                  deps=[table_key("reference.counties"), table_key("reference.organisations")],
                  description=f"raw.{name}: rows from agency drops (see docs/data-contracts.md)")
        for name in RAW_TABLES
    ],
)
def inbox_drops(context: AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource,
                lantern_home: PathsResource):
    paths = lantern_home.paths.ensure()
    candidates = list(list_inbox(paths.inbox, only=set(config.files) or None).agency_drops)
    validation = validation_context()
    registered = agency_feeds()
    with warehouse.session() as con:
        ensure_raw_schema(con, list(all_contracts().values()))
        outcomes = ingest_files(con, candidates, validation, registered, run_id=context.run.run_id,
                                scratch_dir=paths.home / "tmp")
        write_agency_reports(con, paths.home / "reports", [o.file_name for o in outcomes])
        for outcome in outcomes:
            # A refused or wholly quarantined file needs the sending agency's attention; single bad rows
            # are in the quarantine report (`lantern status --file NAME`).
            if outcome.status == "rejected" or (outcome.rows_read and not outcome.rows_loaded):
                held = ("rows unknown (unreadable)" if outcome.rows_read is None
                        else f"{outcome.rows_quarantined} of {outcome.rows_read} rows quarantined")
                context.log.warning(f"{outcome.file_name}: {outcome.status}, {held}: {outcome.message}")
                _alert_quarantined_file(con, outcome)
        totals = {name: con.execute(query_sql("queries/common", "row_count", table=f"raw.{name}")).fetchone()[0]
                  for name in RAW_TABLES}
        # this run's months and any a failed or killed models run left behind
        months = pending_months(con)
    for name in FEEDS:
        new = [o for o in outcomes if o.feed == name]
        yield MaterializeResult(
            asset_key=table_key(f"raw.{name}"),
            metadata={
                "files_processed": len(new),
                "rows_loaded": sum(o.rows_loaded for o in new),
                "rows_quarantined": sum(o.rows_quarantined or 0 for o in new),
                "files_rows_unknown": sum(o.rows_read is None for o in new),
                "rows_total": totals[name],
            },
        )
    yield MaterializeResult(
        asset_key=table_key("raw.file_manifest"),
        metadata={"files_processed": len(outcomes), "files_total": totals["file_manifest"],
                  MONTHS_TOUCHED: MetadataValue.json(months),
                  "files_rejected": sum(o.status == "rejected" for o in outcomes),
                  "files": MetadataValue.md("\n".join(
                      f"- `{o.file_name}`: {o.status}, {o.rows_loaded}/{'unknown' if o.rows_read is None else o.rows_read} loaded" for o in outcomes[:200]))},
    )
    yield MaterializeResult(
        asset_key=table_key("raw.quarantine"),
        metadata={"rows_quarantined_now": sum(o.rows_quarantined or 0 for o in outcomes), "rows_total": totals["quarantine"]},
    )
    yield MaterializeResult(  # big files loaded piece by piece and not finished: none after a good run
        asset_key=table_key("raw.files_in_progress"), metadata={"files_unfinished": totals["files_in_progress"]})


def _alert_quarantined_file(con, outcome) -> None:
    """A file refused or quarantined whole needs its agency's attention: tell someone."""
    from pipelines.alerts import alert_for_quarantined_file, send_alert

    rule_counts = dict(con.execute(query_sql("queries/pipeline", "quarantine_rules_of_file"),
                                   [outcome.file_name, outcome.file_hash]).fetchall())
    send_alert(alert_for_quarantined_file(outcome.file_name, outcome.feed or "unknown feed",
                                          outcome.agency or "unknown agency", outcome.rows_read, rule_counts))
