"""One asset per SQL model.

A model whose SQL filters with `in_partition(<date>)` is partitioned by month: a run covering a window
of months deletes that window from the table and inserts it again (idempotent, and a late record for an
old month recomputes that month only). Other models are rebuilt whole with CREATE OR REPLACE TABLE.
"""


from datetime import datetime, timezone

from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, MaterializeResult, asset

from models import ModelSpec, discover_models
from pipelines.assets.keys import table_key
from pipelines.modelled_months import record_modelled
from pipelines.partitions import monthly_partitions
from pipelines.resources import WarehouseResource

PARTITION_COLUMN = "month"


def is_partitioned(model: ModelSpec) -> bool:
    return "in_partition(" in model.sql


def _columns(con, sql: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {sql}").fetchall()]


def materialize_window(con, model: ModelSpec, start, end) -> int:
    """Replace the rows of months [start, end) in the model's table; returns rows written."""
    con.execute(f"SET VARIABLE partition_start = DATE '{start:%Y-%m-%d}'")
    con.execute(f"SET VARIABLE partition_end = DATE '{end:%Y-%m-%d}'")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [model.layer, model.name]).fetchone()[0]
    if not exists:
        con.execute(f"CREATE TABLE {model.table} AS SELECT * FROM ({model.sql}) WHERE false")
    elif _columns(con, f"SELECT * FROM {model.table}") != _columns(con, model.sql):
        raise RuntimeError(
            f"{model.table}: the model's columns changed; rebuild every month with `lantern refresh --full`")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {model.table} WHERE {PARTITION_COLUMN} >= getvariable('partition_start') "
                    f"AND {PARTITION_COLUMN} < getvariable('partition_end')")
        written = con.execute(f"INSERT INTO {model.table} BY NAME {model.sql}").fetchone()[0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return written


def model_asset(model: ModelSpec) -> AssetsDefinition:
    common = dict(
        key=table_key(model.table),
        deps=[table_key(t) for t in model.reads],
        group_name=model.layer,
        description=model.description,
        metadata={"sql_file": f"models/{model.layer}/{model.name}.sql"},
    )
    if is_partitioned(model):
        @asset(**common, partitions_def=monthly_partitions(), backfill_policy=BackfillPolicy.single_run())
        def _partitioned(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
            window = context.partition_time_window
            with warehouse.session() as con:
                written = materialize_window(con, model, window.start.date(), window.end.date())
                total = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
            return MaterializeResult(metadata={"window_start": str(window.start.date()),
                                               "window_end": str(window.end.date()),
                                               "rows_written": written, "rows_total": total})

        return _partitioned

    @asset(**common)
    def _whole(warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.session() as con:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
            con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
            rows = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
        return MaterializeResult(metadata={"rows": rows})

    return _whole


model_assets = [model_asset(m) for m in discover_models()]
partitioned_model_keys = [table_key(m.table) for m in discover_models() if is_partitioned(m)]


@asset(key=["meta", "modelled_months"], deps=partitioned_model_keys, group_name="marts",
       partitions_def=monthly_partitions(), backfill_policy=BackfillPolicy.single_run(),
       description="meta.modelled_months: per month, the newest raw row the models have taken in. Last in the "
                   "models job, so a month whose recompute failed stays pending (pipelines/modelled_months.py).")
def modelled_months(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    window = context.partition_time_window
    stats = context.instance.get_run_stats(context.run.run_id)
    if stats.start_time is None:
        raise RuntimeError(f"run {context.run.run_id} has no start time: cannot tell which loads it modelled")
    run_started = datetime.fromtimestamp(stats.start_time, tz=timezone.utc).replace(tzinfo=None)
    with warehouse.session() as con:
        months = record_modelled(con, window.start.date(), window.end.date(), run_started)
    return MaterializeResult(metadata={"window_start": str(window.start.date()), "window_end": str(window.end.date()),
                                       "months_recorded": months, "loaded_before": run_started.isoformat()})


MODELLED_MONTHS_KEY = modelled_months.key
