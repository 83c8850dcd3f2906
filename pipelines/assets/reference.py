"""Reference tables (counties and regions, sectors, organisations, code labels, victim-profile categories) into the warehouse."""

from dagster import AssetSpec, MaterializeResult, multi_asset

from models import query_sql
from pipelines.assets.keys import table_key
from pipelines.resources import WarehouseResource
from sources.landing import replace_table
from sources.reference import reference_tables

REFERENCE_TABLES = ("counties", "industry_sectors", "organisations", "code_labels", "profile_categories", "feeds")


@multi_asset(
    specs=[
        AssetSpec(table_key(f"reference.{name}"), group_name="reference",
                  description=f"Reference table {name}, from sources/reference (swap the files to deploy elsewhere).")
        for name in REFERENCE_TABLES
    ],
)
def reference_data(warehouse: WarehouseResource):
    frames = reference_tables()
    with warehouse.session() as con:
        con.execute(query_sql("queries/common", "create_schema", schema="reference"))
        for name in REFERENCE_TABLES:
            replace_table(con, f"reference.{name}", frames[name])
    for name in REFERENCE_TABLES:
        yield MaterializeResult(asset_key=table_key(f"reference.{name}"), metadata={"rows": frames[name].height})
