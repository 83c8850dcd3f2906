"""Superset databases and datasets of the bundle: one dataset per published table and database, with its
columns, labels, formats, metrics and the SQL that guards protected sums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboards.superset.catalog import (CERTIFICATION, EXPORT_VERSION, OWNER, TEMPORAL_TYPES, Specs, notes_text,
                                       rls_clause, stable_uuid)


def database_config(specs: Specs, serving_path: Path, database: str = "release") -> dict[str, Any]:
    """A DuckDB file (the release or the internal database) as a read-only Superset database."""
    db = specs.databases[database]
    serving_path = Path(serving_path).resolve()
    return {
        "database_name": db["title"],
        # read-only: the pipeline swaps the file with os.replace; Superset uses short-lived connections
        "sqlalchemy_uri": f"duckdb:///{serving_path}?access_mode=read_only",
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "impersonate_user": False,
        "extra": {
            # enable_external_access=false: no read_csv('/etc/passwd'), no ATTACH, no COPY TO, no extensions
            "engine_params": {"connect_args": {"config": {"enable_external_access": False}}},
            "metadata_params": {},
            "metadata_cache_timeout": {},
            "schemas_allowed_for_csv_upload": [],
            "allows_virtual_table_explore": False,
            "disable_data_preview": False,
            "cost_estimate_enabled": False,
        },
        "uuid": stable_uuid("database", db["name"]),
        "version": EXPORT_VERSION,
    }


def dataset_config(specs: Specs, name: str) -> dict[str, Any]:
    ds = specs.datasets[name]
    columns = []
    for col_name, col in ds["columns"].items():
        columns.append({
            "column_name": col_name,
            "verbose_name": col.get("label"),
            "is_dttm": col["type"].upper() in TEMPORAL_TYPES,
            "is_active": True,
            "type": col["type"],
            "advanced_data_type": None,
            "groupby": True,
            "filterable": True,
            "expression": col.get("sql"),
            "description": col.get("description"),
            "python_date_format": None,
            "extra": None,
        })
    metrics = []
    for metric_name, metric in ds.get("metrics", {}).items():
        metrics.append({
            "metric_name": metric_name,
            "verbose_name": metric.get("label"),
            "metric_type": None,
            "expression": metric["sql"],
            "description": metric.get("description"),
            "d3format": metric.get("format"),
            "extra": None,
            "warning_text": notes_text(specs, ds.get("notes", [])) or None,
        })
    description = ds.get("description", "")
    if ds.get("notes"):
        description = f"{description} {notes_text(specs, ds['notes'])}".strip()
    audiences = dataset_audiences(specs, name)
    description = f"{description} Audience: {', '.join(audiences)} ({specs.databases[ds['database']]['title']}).".strip()
    return {
        "table_name": ds["superset_name"],
        "main_dttm_col": ds.get("main_dttm_col"),
        "description": description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "schema": "main",
        "catalog": None,
        "sql": ds.get("sql"),
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": {"lantern": {"operational": bool(ds.get("operational", False)), "database": ds["database"],
                              "audiences": audiences},
                  "certification": {"certified_by": OWNER, "details": CERTIFICATION}},
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": stable_uuid("dataset", name),
        "columns": columns,
        "metrics": metrics,
        "version": EXPORT_VERSION,
        "database_uuid": stable_uuid("database", specs.databases[ds["database"]]["name"]),
    }


def dataset_audiences(specs: Specs, key: str) -> list[str]:
    """Who may read a dataset instance (stated on the dataset in Superset); an agency only its own rows."""
    out = []
    for audience in specs.audiences:
        if specs.readable(audience, key):
            out.append(f"{audience} (own rows)" if rls_clause(specs, audience, key) else audience)
    return out


def dataset_source_sql(specs: Specs, name: str) -> str:
    """What the dataset reads, as a FROM item (for reference queries against the serving file)."""
    ds = specs.datasets[name]
    if ds.get("sql"):
        return f"({ds['sql']}) AS {ds.get('table', name)}"
    return ds.get("table", name)


# ---------------------------------------------------------------- charts
