"""One asset per SQL model: partitioned models through the window engine (models/materialize.py), others
rebuilt whole with CREATE OR REPLACE TABLE."""

from datetime import datetime, timezone

from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, MaterializeResult, asset

from models import ModelSpec, discover_models, query_sql
from models.materialize import is_partitioned, materialize_window
from models.modelled_months import record_modelled
from pipelines.assets.keys import table_key
from pipelines.partitions import monthly_partitions
from pipelines.resources import WarehouseResource


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
                total = con.execute(query_sql("queries/common", "row_count", table=model.table)).fetchone()[0]
            return MaterializeResult(metadata={"window_start": str(window.start.date()),
                                               "window_end": str(window.end.date()),
                                               "rows_written": written, "rows_total": total})

        return _partitioned

    @asset(**common)
    def _whole(warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.session() as con:
            con.execute(query_sql("queries/common", "create_schema", schema=model.layer))
            con.execute(query_sql("queries/pipeline", "replace_model_table", table=model.table, model_sql=model.sql))
            rows = con.execute(query_sql("queries/common", "row_count", table=model.table)).fetchone()[0]
        return MaterializeResult(metadata={"rows": rows})

    return _whole


model_assets = [model_asset(m) for m in discover_models()]
partitioned_model_keys = [table_key(m.table) for m in discover_models() if is_partitioned(m)]


@asset(key=["meta", "modelled_months"], deps=partitioned_model_keys, group_name="marts",
       partitions_def=monthly_partitions(), backfill_policy=BackfillPolicy.single_run(),
       description="meta.modelled_months: per month, the newest raw row the models have taken in. Last in the "
                   "models job, so a month whose recompute failed stays pending (models/modelled_months.py).")
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
