"""Public context files (national hotline state table, FBI CDE human trafficking) from the inbox.

sources.inbox.list_inbox tells these files from agency drops by their header; this asset loads them into
raw.context_<feed>, records them in raw.file_manifest / raw.quarantine, and writes the two small tables
the context models need from configuration: the deployment's state and the FBI offense subcategories.
"""

from dagster import (AssetCheckResult, AssetCheckSeverity, AssetExecutionContext, AssetSpec, MaterializeResult,
                     asset_check, multi_asset)

import polars as pl

from models import query_sql
from pipelines.assets.keys import table_key
from pipelines.resources import PathsResource, WarehouseResource
from sources.context import CONTEXT_FEEDS, context_contracts, context_raw_table, load_context_contract
from sources.context.load import ingest_context_files
from sources.inbox import list_inbox
from sources.landing import replace_table
from sources.reference import deployment

SETTINGS_TABLES = ("reference.context_deployment_state", "reference.context_offense_subcategories")


@multi_asset(
    specs=[
        *[AssetSpec(table_key(context_raw_table(feed)), group_name="context", deps=[table_key("reference.counties")],
                    description=f"{context_raw_table(feed)}: {load_context_contract(feed).contract.title}")
          for feed in CONTEXT_FEEDS],
        *[AssetSpec(table_key(name), group_name="context", description=f"{name}: from deployment.yaml and the context contracts")
          for name in SETTINGS_TABLES],
    ],
)
def context_drops(context: AssetExecutionContext, warehouse: WarehouseResource, lantern_home: PathsResource):
    paths = lantern_home.paths.ensure()
    candidates = list(list_inbox(paths.inbox).context_files)
    settings = deployment()
    with warehouse.session() as con:
        outcomes = ingest_context_files(con, candidates, settings, run_id=context.run.run_id)
        for outcome in outcomes:
            context.log.info(f"{outcome.file_name}: {outcome.rows_loaded}/{outcome.rows_read} loaded, "
                             f"{outcome.rows_quarantined} quarantined ({outcome.message})")
            if outcome.status == "partial":
                context.log.warning(f"{outcome.file_name}: PARTIAL public context file, {outcome.rows_quarantined} of "
                                    f"{outcome.rows_read} rows quarantined")
                _alert_partial_file(con, outcome)
        _write_settings(con, settings)
        totals = {feed: con.execute(query_sql("queries/common", "row_count", table=context_raw_table(feed))).fetchone()[0]
                  for feed in CONTEXT_FEEDS}
    for feed in CONTEXT_FEEDS:
        new = [o for o in outcomes if o.feed == feed]
        yield MaterializeResult(asset_key=table_key(context_raw_table(feed)), metadata={
            "files_processed": len(new), "rows_read": sum(o.rows_read for o in new),
            "rows_loaded": sum(o.rows_loaded for o in new), "rows_quarantined": sum(o.rows_quarantined for o in new),
            "rows_total": totals[feed]})
    for name in SETTINGS_TABLES:
        yield MaterializeResult(asset_key=table_key(name))


def _alert_partial_file(con, outcome) -> None:
    """A public file only partly loaded: its figures no longer match the publisher's; tell someone."""
    from pipelines.alerts import alert_for_partial_context_file, send_alert

    rule_counts = dict(con.execute(query_sql("queries/pipeline", "quarantine_rules_of_file"),
                                   [outcome.file_name, outcome.file_hash]).fetchall())
    send_alert(alert_for_partial_context_file(outcome.file_name, outcome.feed, outcome.agency, outcome.rows_read,
                                              rule_counts))


def _write_settings(con, settings) -> None:
    state = pl.DataFrame({"state_code": [settings.state_code], "state_name": [settings.state_name],
                          "fips_prefix": [settings.fips_prefix]})
    offenses = pl.DataFrame(
        [{"name_part": part, "offense_code": code}
         for cc in context_contracts().values() for part, code in cc.offense_subcategories.items()],
        schema={"name_part": pl.Utf8, "offense_code": pl.Utf8})
    con.execute(query_sql("queries/common", "create_schema", schema="reference"))
    for name, frame in zip(SETTINGS_TABLES, (state, offenses)):
        replace_table(con, name, frame)


def _accounting_check(feed: str):
    table = context_raw_table(feed)

    @asset_check(asset=table_key(table), name=f"{feed}_rows_accounted_for", blocking=True,
                 description=f"Per {feed} file: rows loaded + quarantined == rows read, and {table} and "
                             "raw.quarantine hold exactly those rows.")
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.session() as con:
            loaded_by_file = _sql("loaded_by_file", table=table)
            broken = con.execute(_sql("context_rows_accounted_for", loaded_by_file=loaded_by_file),
                                 [feed, feed]).fetchall()
            files, rows = con.execute(_sql("manifest_totals_of_feed"), [feed]).fetchone()
        return AssetCheckResult(passed=not broken, metadata={
            "files": files, "rows_read": int(rows), "files_not_reconciled": len(broken), "first_problems": str(broken[:5])})

    return _check


@asset_check(asset=table_key("marts.mart_context_fbi_region_year"), blocking=True,
             description="Every FBI row of the deployment's state (in the file standing for its year) is in exactly one "
                         "region (a county's or 'unallocated'), and the regional offense and clearance totals equal "
                         "the sums of those raw rows and staging's.")
def fbi_rows_all_allocated(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.session() as con:
        expected_rows, expected_offenses, expected_cleared = con.execute(_sql("fbi_standing_rows")).fetchone()
        staged_rows, staged_offenses, staged_cleared, without_region = con.execute(_sql("fbi_staged_sums")).fetchone()
        mart_rows, mart_offenses, mart_cleared = con.execute(_sql("fbi_mart_sums")).fetchone()
    passed = (expected_rows == staged_rows == mart_rows and expected_offenses == staged_offenses == mart_offenses
              and expected_cleared == staged_cleared == mart_cleared and without_region == 0)
    return AssetCheckResult(passed=passed, metadata={
        "raw_rows": int(expected_rows), "staged_rows": int(staged_rows), "mart_rows": int(mart_rows),
        "raw_offenses": int(expected_offenses), "staged_offenses": int(staged_offenses), "mart_offenses": int(mart_offenses),
        "rows_without_region": without_region})


def _sql(name: str, **identifiers: str) -> str:
    return query_sql("checks", name, **identifiers)


@asset_check(asset=table_key("staging.stg_context_standing_files"), name="context_files_complete",
             description="No public context figure rests on a partial file: every file standing for a feed's year "
                         "was loaded whole (none of its rows quarantined). Fails, without blocking, while one does, "
                         "so the refresh does not report success and the failed-check alert names it.")
def context_files_complete(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.session() as con:
        partial = con.execute(_sql("context_partial_standing_files")).fetchall()
    return AssetCheckResult(passed=not partial, severity=AssetCheckSeverity.WARN, metadata={
        "partial_files": len(partial), "rows_quarantined": int(sum(r[3] for r in partial)),
        "files": "; ".join(f"{feed} {years}: {name} ({q} of {read} rows quarantined)"
                           for feed, name, years, q, read in partial)})


context_checks = [*[_accounting_check(feed) for feed in CONTEXT_FEEDS], fbi_rows_all_allocated, context_files_complete]
