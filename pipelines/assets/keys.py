"""Asset keys mirror warehouse tables: `schema/table`, so SQL reads map straight onto graph edges."""

from dagster import AssetKey


def table_key(table: str) -> AssetKey:
    schema, name = table.split(".")
    return AssetKey([schema, name])
