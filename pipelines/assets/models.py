"""One asset per SQL model: `CREATE OR REPLACE TABLE <layer>.<name> AS <the model's SELECT>`."""

from dagster import AssetsDefinition, MaterializeResult, asset

from models import ModelSpec, discover_models
from pipelines.assets.keys import table_key
from pipelines.resources import WarehouseResource


def model_asset(model: ModelSpec) -> AssetsDefinition:
    @asset(
        key=table_key(model.table),
        deps=[table_key(t) for t in model.reads],
        group_name=model.layer,
        description=model.description,
        metadata={"sql_file": f"models/{model.layer}/{model.name}.sql"},
        name=None,
    )
    def _materialize(warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.session() as con:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {model.layer}")
            con.execute(f"CREATE OR REPLACE TABLE {model.table} AS\n{model.sql}")
            rows = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()[0]
        return MaterializeResult(metadata={"rows": rows})

    return _materialize


model_assets = [model_asset(m) for m in discover_models()]
