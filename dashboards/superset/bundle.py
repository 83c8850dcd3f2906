"""Dashboard specs (YAML in specs/) -> a Superset assets bundle (ZIP of YAML, import format v1.0.0).

The bundle holds metadata.yaml, databases/, datasets/, charts/ and dashboards/ as Superset's own export
does. Every object's UUID is uuid5(NAMESPACE, "<kind>:<spec name>"), so publishing the same specs again
updates the same objects in place. Every chart carries `params` (the form data the UI renders from) and a
saved `query_context` (what the chart data API and CSV export run).

Runs in the pipeline's Python (needs only PyYAML). Adding a chart is adding YAML: see specs/README.md.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sources.reference.paths import lantern_paths

SPEC_DIR = Path(__file__).resolve().parent / "specs"
NAMESPACE = uuid.UUID("6c1f1b9e-3f0a-5b8e-9a57-1a7e2a4c0d11")  # fixed forever: changing it duplicates everything
ROOT = "lantern_assets"
EXPORT_VERSION = "1.0.0"
FIXED_TIMESTAMP = "2025-01-01T00:00:00+00:00"  # deterministic bytes: same specs -> same ZIP
TEMPORAL_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATETIME"}
ROW_LIMIT = 10000
OWNER = "Lantern"  # certified_by on every chart and dashboard we publish: with a uuid5 UUID, marks what cleanup may delete
CERTIFICATION = "Published from dashboards/superset/specs; edits here are overwritten by the next publish."
AUDIENCES = {"analyst", "agencies", "partners"}  # a dashboard spec's `access:` (audience keys: analyst, agency, partner)
ACCESS_AUDIENCE = {"analyst": "analyst", "agencies": "agency", "partners": "partner"}
NON_DASHBOARD_SPECS = {"notes.yaml", "serving.yaml", "access.yaml"}
AUDIENCES_FILE = Path(__file__).resolve().parents[2] / "sources" / "reference" / "audiences.yaml"
DATABASES = ("internal", "release")
INTERNAL_PREFIX = "internal__"  # dataset key of a table's instance on the internal (exact) database
EXACT_PREFIX = "exact__"  # chart and dashboard key of the analysts' exact edition
TIME_GRAIN_SQL = {"P1D": "day", "P1W": "week", "P1M": "month", "P3M": "quarter", "P1Y": "year"}


def stable_uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


class SpecError(ValueError):
    pass


@dataclass
class Specs:
    """After load_specs, `datasets` holds one entry per dataset *instance*: `<name>` on the release database and
    `internal__<name>` on the internal one (each with `database` and `table`), and `dashboards` one entry per
    *edition*: `exact__<name>` for analysts (every chart on internal datasets) and `<name>` for agencies and
    partners (the release, plus internal datasets an agency reads through row-level security), each with
    `dashboard.roles`, the audiences (audiences.yaml) that may open it."""

    notes: dict[str, str]
    databases: dict[str, dict[str, Any]]  # internal / release -> name, title, file
    datasets: dict[str, dict[str, Any]]
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    audiences: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def database(self) -> dict[str, Any]:
        """The release database (the one Superset database there was before the internal one)."""
        return self.databases["release"]

    def readable(self, audience: str, key: str) -> bool:
        """May `audience` (analyst, agency, partner) read dataset instance `key`?"""
        return readable(self.audiences, audience, self.datasets[key])

    def chart_items(self) -> list[tuple[str, dict[str, Any], str]]:
        """(chart name, chart spec, dashboard name) for every chart, in spec order."""
        return [(name, chart, d) for d, dash in self.dashboards.items() for name, chart in dash["charts"].items()]


def load_audiences(path: Path = AUDIENCES_FILE) -> dict[str, Any]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if set(doc["databases"]) != set(DATABASES) or set(doc["audiences"]) != set(ACCESS_AUDIENCE.values()):
        raise SpecError(f"{path}: databases must be {DATABASES}, audiences {sorted(ACCESS_AUDIENCE.values())}")
    for key, audience in doc["audiences"].items():
        if not set(audience["reads"]) <= set(DATABASES):
            raise SpecError(f"{path}: audience {key} reads an unknown database {audience['reads']}")
    return doc


def readable(audiences: dict[str, Any], audience: str, ds: dict[str, Any]) -> bool:
    """The whole read model. Analysts read every instance of the databases they read. An agency reads an
    internal dataset only when audiences.yaml gives it a row-level security clause (`own_rows`); everyone
    else reads the release only, and never an operational dataset (one that can single out an organisation)."""
    spec = audiences[audience]
    if ds["database"] not in spec["reads"] and ds["table"] not in spec.get("own_rows", {}):
        return False
    if audience == "analyst":
        return True
    if ds["database"] == "internal":
        return ds["table"] in spec.get("own_rows", {})
    return not ds.get("operational")


def rls_clause(specs: Specs, audience: str, key: str) -> str | None:
    """The row-level security clause template of an audience on a dataset instance (internal instances only)."""
    ds = specs.datasets[key]
    if ds["database"] != "internal":
        return None
    return specs.audiences[audience].get("own_rows", {}).get(ds["table"])


def load_specs(spec_dir: Path = SPEC_DIR, serving: Path | None = None, internal: Path | None = None) -> Specs:
    """Read the specs and expand them into dataset instances and dashboard editions (see Specs). With
    `serving` (the release DuckDB file) and `internal` (the internal one; default: internal.duckdb beside
    `serving`), instances of datasets marked `optional` whose tables a database lacks are left out, with their
    charts, and editions left without data charts."""
    spec_dir = Path(spec_dir)
    notes = yaml.safe_load((spec_dir / "notes.yaml").read_text(encoding="utf-8"))["notes"]
    serving_doc = yaml.safe_load((spec_dir / "serving.yaml").read_text(encoding="utf-8"))
    audiences = load_audiences()
    specs = Specs(notes=notes, databases=audiences["databases"], datasets=_shorthands(serving_doc["datasets"]),
                  audiences=audiences["audiences"])
    for path in sorted(spec_dir.glob("*.yaml")):
        if path.name in NON_DASHBOARD_SPECS:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = doc["dashboard"]["name"]
        if name in specs.dashboards:
            raise SpecError(f"{path.name}: dashboard {name!r} defined twice")
        specs.dashboards[name] = doc
    _validate(specs)
    _expand(specs)
    if serving is not None:
        files = {"release": Path(serving), "internal": Path(internal) if internal else Path(serving).with_name(
            audiences["databases"]["internal"]["file"])}
        for database, path in files.items():
            _drop_unpublished(specs, path, database)
    _check_editions(specs)
    return specs


# One vocabulary on every output (dashboards/vocabulary.py): a hidden cell reads "suppressed", a cell with
# nothing to report "no data"; never a blank that reads as zero.
from dashboards.vocabulary import NO_DATA, SUPPRESSED  # noqa: E402


def guarded_sum_sql(column: str) -> str:
    """SUM of a protected count that is NULL (suppressed) as soon as one cell it adds is hidden: a total with a
    hidden part is never shown as a number (a lower bound dressed as a total). On the internal database no
    cell is hidden and this is the plain sum."""
    return f"CASE WHEN bool_or(coalesce({column}_suppressed, false)) THEN NULL ELSE SUM({column}) END"


def count_text_sql(column: str) -> str:
    """A protected count as the text a reader sees: 1,234 / suppressed / no data."""
    return (f"CASE WHEN coalesce({column}_suppressed, false) THEN '{SUPPRESSED}' WHEN {column} IS NULL "
            f"THEN '{NO_DATA}' ELSE format('{{:,}}', {column}) END")


def _shorthands(datasets: dict[str, Any]) -> dict[str, Any]:
    """Expand `sum_of: <count>` metrics (guarded_sum_sql) and `text_of: <count>` columns (count_text_sql)."""
    for ds in datasets.values():
        for col in ds.get("columns", {}).values():
            if "text_of" in col:
                col.setdefault("sql", count_text_sql(col["text_of"]))
                col.setdefault("type", "VARCHAR")
        for metric in ds.get("metrics", {}).values():
            if "sum_of" in metric:
                metric.setdefault("sql", guarded_sum_sql(metric["sum_of"]))
    return datasets


def instance_key(name: str, database: str) -> str:
    return INTERNAL_PREFIX + name if database == "internal" else name


def _expand(specs: Specs) -> None:
    """Dataset specs -> one instance per database; dashboard specs -> editions (see Specs)."""
    own_rows = set(specs.audiences["agency"].get("own_rows", {}))
    instances = {}
    for name, ds in specs.datasets.items():
        databases = ds.get("databases", list(DATABASES))
        if not set(databases) <= set(DATABASES):
            raise SpecError(f"dataset {name}: unknown databases {databases}")
        for database in DATABASES:
            if database in databases:
                key = instance_key(name, database)
                # `superset_name`: Superset's metadata (SQLite) keeps table names unique across databases, so
                # an internal instance is a virtual dataset named by its key, reading the table of its name
                instance = dict(ds, database=database, table=name, superset_name=key, whole_table=not ds.get("sql"))
                if database == "internal":  # exact: the suppression note does not apply, the exact one does
                    instance["notes"] = ["exact"] + [n for n in ds.get("notes", []) if n != "suppression"]
                    if not ds.get("sql"):
                        instance.update(sql=f"SELECT * FROM {name}", requires=[name])
                instances[key] = instance
    specs.datasets = instances

    editions = {}
    for dash_name, doc in specs.dashboards.items():
        access = doc["dashboard"].get("access", ["analyst"])
        if "analyst" in access:
            editions[EXACT_PREFIX + dash_name] = _edition(
                specs, doc, EXACT_PREFIX, ["analyst"], lambda ds: instance_key(ds, "internal"))
        shared = [ACCESS_AUDIENCE[a] for a in access if a != "analyst"]
        if shared:
            def bind(ds: str, shared: list[str] = shared) -> str:
                if "agency" in shared and ds in own_rows:
                    return instance_key(ds, "internal")
                return instance_key(ds, "release")
            editions[dash_name] = _edition(specs, doc, "", ["analyst", *shared], bind)
    specs.dashboards = editions


def _edition(specs: Specs, doc: dict[str, Any], prefix: str, roles: list[str], bind) -> dict[str, Any]:
    """A copy of a dashboard spec with each chart bound to a dataset instance (charts whose instance does not
    exist, e.g. an internal-only table in a release edition, are left out of this edition)."""
    meta = dict(doc["dashboard"], roles=roles)
    if prefix:
        meta["title"] = f"{meta['title']} (exact)"
        meta["notes"] = ["exact"] + [n for n in meta.get("notes", []) if n != "suppression"]
        if meta.get("slug"):
            meta["slug"] = f"{meta['slug']}-exact"
    charts = {}
    for name, chart in doc["charts"].items():
        key = bind(chart["dataset"])
        if key in specs.datasets:
            chart = dict(chart, dataset=key)
            if prefix:
                chart["notes"] = [n for n in chart.get("notes", []) if n != "suppression"]
            charts[prefix + name] = chart
    layout = [[{prefix + n if n != "caveats" else n: w for n, w in cell.items()} for cell in row]
              for row in doc["layout"]]
    layout = [row for row in ([c for c in row if next(iter(c)) == "caveats" or next(iter(c)) in charts]
                              for row in layout) if row]
    filters = []
    for flt in doc.get("filters", []):
        if flt["type"] != "select":
            filters.append(flt)
        elif bind(flt["dataset"]) in specs.datasets:
            filters.append(dict(flt, dataset=bind(flt["dataset"])))
    return dict(doc, dashboard=meta, charts=charts, layout=layout, filters=filters)


def _check_editions(specs: Specs) -> None:
    """With DASHBOARD_RBAC a dashboard's roles may read every dataset on it: each chart's dataset instance must be
    readable by every audience the edition is for."""
    for dash_name, dash in specs.dashboards.items():
        for audience in dash["dashboard"]["roles"]:
            for name, chart in dash["charts"].items():
                if not specs.readable(audience, chart["dataset"]):
                    raise SpecError(f"dashboard {dash_name} is for {audience} but chart {name} reads dataset "
                                    f"{chart['dataset']}, which that audience may not read (audiences.yaml)")


def required_tables(ds_name: str, ds: dict[str, Any]) -> list[str]:
    """Serving tables a dataset reads: its own table, or `requires:` for a virtual (SQL) dataset."""
    return list(ds.get("requires", [])) if ds.get("sql") else [ds.get("table", ds_name)]


def serving_columns(serving: Path) -> dict[str, set[str]]:
    import duckdb

    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    finally:
        con.close()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def _drop_unpublished(specs: Specs, serving: Path, database: str = "release") -> None:
    if not serving.exists():
        return  # building a bundle without a serving file (tests, `bundle --out`): keep everything
    tables = serving_columns(serving)
    dropped = []
    for ds_name, ds in list(specs.datasets.items()):
        if ds.get("database", database) != database:
            continue
        missing = [t for t in required_tables(ds_name, ds) if t not in tables]
        if not missing:
            if ds.get("whole_table", not ds.get("sql")):  # a table that is there must have the declared columns
                table = ds.get("table", ds_name)
                absent = [c for c, col in ds["columns"].items() if not col.get("sql") and c not in tables[table]]
                if absent:
                    raise SpecError(f"dataset {ds_name}: {database} table lacks columns {absent}")
            continue
        if not ds.get("optional"):
            raise SpecError(f"dataset {ds_name}: {database} database ({serving.name}) has no table {missing} "
                            "(mark it optional?)")
        dropped.append(ds_name)
        del specs.datasets[ds_name]
    for dash_name, dash in list(specs.dashboards.items()):
        gone = {n for n, c in dash["charts"].items() if c["dataset"] in dropped}
        if not gone:
            continue
        dash["charts"] = {n: c for n, c in dash["charts"].items() if n not in gone}
        dash["layout"] = [row for row in ([cell for cell in row if next(iter(cell)) not in gone]
                                          for row in dash["layout"]) if row]
        dash["filters"] = [f for f in dash.get("filters", []) if f.get("dataset") not in dropped]
        if all(specs.datasets[c["dataset"]].get("supporting") for c in dash["charts"].values()):
            del specs.dashboards[dash_name]


def _validate(specs: Specs) -> None:
    seen: dict[str, str] = {}
    for ds_name, ds in specs.datasets.items():
        for key in ds.get("notes", []):
            if key not in specs.notes:
                raise SpecError(f"dataset {ds_name}: unknown note {key!r}")
        for metric in ds.get("metrics", {}):
            if metric in ds["columns"]:
                raise SpecError(f"dataset {ds_name}: metric {metric!r} shadows a column")
    for chart_name, chart, dash in specs.chart_items():
        if chart_name in seen:
            raise SpecError(f"chart {chart_name!r} in both {seen[chart_name]} and {dash} (chart names are global)")
        seen[chart_name] = dash
        if chart["dataset"] not in specs.datasets:
            raise SpecError(f"chart {chart_name}: unknown dataset {chart['dataset']!r}")
        if chart["viz"] not in VIZ_BUILDERS:
            raise SpecError(f"chart {chart_name}: unknown viz {chart['viz']!r} (known: {sorted(VIZ_BUILDERS)})")
        ds = specs.datasets[chart["dataset"]]
        for key in chart.get("notes", []):
            if key not in specs.notes:
                raise SpecError(f"chart {chart_name}: unknown note {key!r}")
        for metric in chart.get("metrics", []):
            if metric not in ds.get("metrics", {}):
                raise SpecError(f"chart {chart_name}: dataset {chart['dataset']} has no metric {metric!r}")
        for col in _chart_columns(chart):
            if col not in ds["columns"]:
                raise SpecError(f"chart {chart_name}: dataset {chart['dataset']} has no column {col!r}")
    for dash_name, dash in specs.dashboards.items():
        access = set(dash["dashboard"].get("access", ["analyst"]))
        if not access <= AUDIENCES:
            raise SpecError(f"dashboard {dash_name}: unknown access {sorted(access - AUDIENCES)}")
        placed = [name for row in dash["layout"] for cell in row for name in cell]
        for name in placed:
            if name != "caveats" and name not in dash["charts"]:
                raise SpecError(f"dashboard {dash_name}: layout names unknown chart {name!r}")
        missing = set(dash["charts"]) - set(placed)
        if missing:
            raise SpecError(f"dashboard {dash_name}: charts not in layout: {sorted(missing)}")
        for flt in dash.get("filters", []):
            if flt["type"] == "select":
                ds = specs.datasets.get(flt["dataset"])
                if ds is None or flt["column"] not in ds["columns"]:
                    raise SpecError(f"dashboard {dash_name}: filter {flt['name']} targets unknown column")


def _chart_columns(chart: dict[str, Any]) -> list[str]:
    cols = list(chart.get("columns", [])) + list(chart.get("groupby", []))
    for key in ("x", "y", "source", "target"):
        if key in chart:
            cols.append(chart[key])
    return cols


# ---------------------------------------------------------------- notes


def notes_text(specs: Specs, keys: list[str]) -> str:
    return " ".join(specs.notes[k].strip() for k in keys)


def caveat_markdown(specs: Specs, dash: dict[str, Any]) -> str:
    lines = ["### About these numbers", ""]
    lines += [f"- {specs.notes[k].strip()}" for k in dash["dashboard"].get("notes", [])]
    lines += ["", "The caveats and data freshness panels below come from the serving database of the latest refresh."]
    return "\n".join(lines)


# ---------------------------------------------------------------- database and datasets


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


@dataclass
class BuiltChart:
    params: dict[str, Any]
    query: dict[str, Any]  # one query object of the query_context
    reference_select: list[str]  # SELECT items of the equivalent direct SQL
    reference_group: list[str]  # GROUP BY items ([] for raw)
    reference_order: list[str]
    reference_limit: int | None = None  # a ranked chart's top rows (ORDER BY its first metric, descending)


def _temporal(specs: Specs, chart: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Adhoc TEMPORAL_RANGE filter on the dataset's time column, so the dashboard time filter applies."""
    main_dttm = specs.datasets[chart["dataset"]].get("main_dttm_col")
    if not main_dttm:
        return [], []
    adhoc = [{"clause": "WHERE", "comparator": "No filter", "expressionType": "SIMPLE",
              "operator": "TEMPORAL_RANGE", "subject": main_dttm}]
    return adhoc, [{"col": main_dttm, "op": "TEMPORAL_RANGE", "val": "No filter"}]


def _col_sql(specs: Specs, chart: dict[str, Any], col: str) -> str:
    expr = specs.datasets[chart["dataset"]]["columns"][col].get("sql")
    return f"{expr} AS {col}" if expr else col


def _metric_sql(specs: Specs, chart: dict[str, Any], metric: str) -> str:
    return f"{specs.datasets[chart['dataset']]['metrics'][metric]['sql']} AS {metric}"


def _query(columns: list[Any], metrics: list[str] | None, orderby: list[list[Any]], filters: list[dict[str, Any]],
           **extra: Any) -> dict[str, Any]:
    query = {
        "filters": filters,
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": columns,
        "metrics": metrics,
        "orderby": orderby,
        "annotation_layers": [],
        "row_limit": ROW_LIMIT,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    query.update(extra)
    return query


def _base_params(viz_type: str, adhoc: list[dict[str, Any]]) -> dict[str, Any]:
    return {"viz_type": viz_type, "adhoc_filters": adhoc, "row_limit": ROW_LIMIT, "extra_form_data": {},
            "annotation_layers": [], "dashboards": []}


def _metric_format(specs: Specs, c: dict[str, Any], metric: str) -> str:
    """The d3 format of a metric (its dataset's `format`): counts with thousands separators, rates to 1 decimal."""
    return specs.datasets[c["dataset"]]["metrics"][metric].get("format") or ",d"


def column_format(col: dict[str, Any]) -> str | None:
    """The d3 format a table shows a column in: its `format`, else rates and shares to 1 decimal, counts with
    thousands separators (never 12.483847653255657)."""
    if col.get("format"):
        return col["format"]
    kind = col["type"].upper()
    if kind in ("DOUBLE", "FLOAT", "REAL", "DECIMAL"):
        return ",.1f"
    if kind in ("BIGINT", "HUGEINT"):
        return ",d"
    return None


def _axis_titles(specs: Specs, c: dict[str, Any], x: str, metrics: list[str]) -> dict[str, Any]:
    """Human axis titles (the spec's, else the dataset labels) with room for them (no clipped labels)."""
    ds = specs.datasets[c["dataset"]]
    x_title = c.get("x_title", ds["columns"].get(x, {}).get("label") or "")
    y_title = c.get("y_title", ds["metrics"][metrics[0]].get("label") if len(metrics) == 1 else "")
    return {"x_axis_title": x_title, "x_axis_title_margin": 30 if x_title else 0,
            "y_axis_title": y_title, "y_axis_title_margin": 40 if y_title else 0, "y_axis_title_position": "Left"}


def _line(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, grain, metrics, groupby = c["x"], c.get("time_grain", "P1M"), c["metrics"], c.get("groupby", [])
    params = _base_params("echarts_timeseries_line", adhoc) | {
        "x_axis": x, "time_grain_sqla": grain, "metrics": metrics, "groupby": groupby,
        "order_desc": True, "rich_tooltip": True, "show_legend": True, "legendType": "scroll",
        "legendOrientation": "top", "x_axis_time_format": "smart_date", "tooltipTimeFormat": "smart_date",
        "y_axis_format": _metric_format(specs, c, metrics[0]), "truncate_metric": True, "comparison_type": "values",
        "seriesType": "line", "markerEnabled": True, "markerSize": 4, "zoomable": False,
    } | _axis_titles(specs, c, x, metrics) | {"x_axis_title": c.get("x_title", "")}
    axis = {"columnType": "BASE_AXIS", "sqlExpression": x, "label": x, "expressionType": "SQL", "timeGrain": grain}
    query = _query([axis, *groupby], metrics, [[metrics[0], False]], filters, series_columns=groupby,
                   extras={"having": "", "where": "", "time_grain_sqla": grain})
    trunc = f"CAST(date_trunc('{TIME_GRAIN_SQL[grain]}', {x}) AS TIMESTAMP) AS {x}"
    return BuiltChart(params, query, [trunc, *groupby, *(_metric_sql(specs, c, m) for m in metrics)],
                      ["1", *(str(i + 2) for i in range(len(groupby)))], [])


def _bar(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, metrics, groupby = c["x"], c["metrics"], c.get("groupby", [])
    params = _base_params("echarts_timeseries_bar", adhoc) | {
        "x_axis": x, "metrics": metrics, "groupby": groupby,
        "orientation": "horizontal" if c.get("horizontal") else "vertical",  # horizontal: long category labels
        "xAxisLabelRotation": 0 if c.get("horizontal") else 45,
        "stack": "Stack" if c.get("stack") else None, "show_legend": len(metrics) > 1 or bool(groupby),
        "legendType": "scroll", "legendOrientation": "top", "rich_tooltip": True,
        "y_axis_format": _metric_format(specs, c, metrics[0]), "truncate_metric": True,
        "show_value": not c.get("stack"), "order_desc": True, "x_axis_sort_asc": not c.get("sort_by_metric", False),
        "x_axis_sort_series": "name", "x_axis_sort_series_ascending": True, "comparison_type": "values",
        "truncateXAxis": True, "x_axis_time_format": "smart_date",
    } | _axis_titles(specs, c, x, metrics)
    if c.get("horizontal"):  # the category labels need the room (a title there overprints them): no axis titles,
        params |= {"x_axis_title": "", "x_axis_title_margin": 0,  # the chart's title names the measure
                   "y_axis_title_margin": 0, "y_axis_title": "", "show_value": True}
    if c.get("sort_by_metric"):
        params["x_axis_sort"] = metrics[0]
    row_limit = c.get("limit", ROW_LIMIT)
    params["row_limit"] = row_limit
    orderby = [[metrics[0], False]] if c.get("sort_by_metric") else [[x, True]]
    query = _query([x, *groupby], metrics, orderby, filters, series_columns=groupby)
    query["row_limit"] = row_limit
    select = [_col_sql(specs, c, x), *(_col_sql(specs, c, g) for g in groupby), *(_metric_sql(specs, c, m) for m in metrics)]
    return BuiltChart(params, query, select, [str(i + 1) for i in range(1 + len(groupby))], [],
                      c.get("limit"))


def _table(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    columns, order_by = c["columns"], c.get("order_by", [])
    params = _base_params("table", adhoc) | {
        "query_mode": "raw", "all_columns": columns, "groupby": [], "metrics": [],
        "order_by_cols": [json.dumps([col, bool(asc)]) for col, asc in order_by],
        "allow_render_html": False,  # labels are data, never markup
        "server_pagination": False, "server_page_length": 10, "include_search": False,
        "show_cell_bars": False, "table_timestamp_format": "smart_date", "percent_metrics": [],
        "column_config": _column_config(specs, c),
    }
    # metrics None (not []) is what makes Superset run a raw query without GROUP BY
    query = _query(columns, None, [[col, bool(asc)] for col, asc in order_by], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, col) for col in columns], [], [])


def _column_config(specs: Specs, c: dict[str, Any]) -> dict[str, Any]:
    columns = specs.datasets[c["dataset"]]["columns"]
    formats = {col: column_format(columns[col]) for col in c["columns"]}
    formats.update(c.get("formats", {}))
    return {col: {"d3NumberFormat": fmt} for col, fmt in formats.items() if fmt}


def _heatmap(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    x, y, metric = c["x"], c["y"], c["metrics"][0]
    params = _base_params("heatmap_v2", adhoc) | {
        "x_axis": x, "groupby": y, "metric": metric, "normalize_across": "heatmap", "show_values": True,
        "show_legend": True, "legend_type": "continuous", "linear_color_scheme": "superset_seq_1",
        "sort_x_axis": "alpha_asc", "sort_y_axis": "alpha_asc", "value_bounds": [None, None],
        "y_axis_format": _metric_format(specs, c, metric), "xscale_interval": -1, "yscale_interval": -1,
        # left_margin in px (with echarts' containLabel): "auto" centred the grid and clipped long sector names
        "left_margin": 10, "bottom_margin": "auto", "show_percentage": False,
    }
    query = _query([x, y], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, x), _col_sql(specs, c, y), _metric_sql(specs, c, metric)],
                      ["1", "2"], [])


def _sankey(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    adhoc, filters = _temporal(specs, c)
    source, target, metric = c["source"], c["target"], c["metrics"][0]
    params = _base_params("sankey_v2", adhoc) | {"source": source, "target": target, "metric": metric,
                                                   "color_scheme": "supersetColors"}
    query = _query([source, target], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, source), _col_sql(specs, c, target), _metric_sql(specs, c, metric)],
                      ["1", "2"], [])


def _kpi(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    """One big number (big_number_total), e.g. the latest quarter's count."""
    adhoc, filters = _temporal(specs, c)
    metric = c["metrics"][0]
    params = _base_params("big_number_total", adhoc) | {
        "metric": metric, "header_font_size": 0.4, "subheader_font_size": 0.15,
        "y_axis_format": specs.datasets[c["dataset"]]["metrics"][metric].get("format") or "SMART_NUMBER",
        "subheader": c.get("subheader", ""), "time_format": "smart_date",
    }
    query = _query([], [metric], [], filters)
    return BuiltChart(params, query, [_metric_sql(specs, c, metric)], [], [])


def _funnel(specs: Specs, c: dict[str, Any]) -> BuiltChart:
    """Stages (a column) with one metric, widest first; percentages against the first stage."""
    adhoc, filters = _temporal(specs, c)
    stage, metric = c["x"], c["metrics"][0]
    params = _base_params("funnel", adhoc) | {
        "groupby": [stage], "metric": metric, "sort_by_metric": True, "percent_calculation_type": "first_step",
        "show_labels": True, "show_legend": False, "label_type": "key_value_percent", "number_format": "SMART_NUMBER",
        "show_tooltip_labels": True, "tooltip_label_type": "key_value_percent", "color_scheme": "supersetColors",
    }
    query = _query([stage], [metric], [[metric, False]], filters)
    return BuiltChart(params, query, [_col_sql(specs, c, stage), _metric_sql(specs, c, metric)], ["1"], [])


VIZ_BUILDERS = {"line": _line, "bar": _bar, "table": _table, "heatmap": _heatmap, "sankey": _sankey,
                "kpi": _kpi, "funnel": _funnel}


def build_chart(specs: Specs, name: str, chart: dict[str, Any]) -> BuiltChart:
    return VIZ_BUILDERS[chart["viz"]](specs, chart)


def chart_config(specs: Specs, name: str, chart: dict[str, Any]) -> dict[str, Any]:
    built = build_chart(specs, name, chart)
    params = dict(built.params)
    # placeholder datasource; Superset's importer rewrites it to the imported dataset's id
    params["datasource"] = "0__table"
    query_context = {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [built.query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    return {
        "slice_name": chart["title"],
        "description": notes_text(specs, chart.get("notes", [])) or None,
        "certified_by": OWNER,
        "certification_details": CERTIFICATION,
        "viz_type": params["viz_type"],
        "params": params,
        "query_context": json.dumps(query_context, sort_keys=True),
        "cache_timeout": None,
        "uuid": stable_uuid("chart", name),
        "version": EXPORT_VERSION,
        "dataset_uuid": stable_uuid("dataset", chart["dataset"]),
    }


def reference_sql(specs: Specs, name: str, chart: dict[str, Any]) -> str:
    """The direct DuckDB query whose rows the chart data API must return (tests compare the two)."""
    built = build_chart(specs, name, chart)
    sql = f"SELECT {', '.join(built.reference_select)} FROM {dataset_source_sql(specs, chart['dataset'])}"
    if built.reference_group:
        sql += f" GROUP BY {', '.join(built.reference_group)}"
    if built.reference_limit:
        sql += f" ORDER BY {len(built.reference_group) + 1} DESC NULLS LAST LIMIT {int(built.reference_limit)}"
    return sql


# ---------------------------------------------------------------- dashboards


def _chart_ids(dash: dict[str, Any]) -> dict[str, int]:
    """Placeholder chart ids inside the bundle (the importer maps them to real ids through the uuids)."""
    return {name: i + 1 for i, name in enumerate(dash["charts"])}


def dashboard_config(specs: Specs, dash_name: str) -> dict[str, Any]:
    doc = specs.dashboards[dash_name]
    meta = doc["dashboard"]
    ids = _chart_ids(doc)
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
        "HEADER_ID": {"id": "HEADER_ID", "meta": {"text": meta["title"]}, "type": "HEADER"},
        "GRID_ID": {"children": [], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
    }
    for r, row in enumerate(doc["layout"]):
        row_id = f"ROW-{r + 1}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"children": [], "id": row_id, "meta": {"background": "BACKGROUND_TRANSPARENT"},
                            "parents": ["ROOT_ID", "GRID_ID"], "type": "ROW"}
        for cell in row:
            (name, width), = cell.items()
            parents = ["ROOT_ID", "GRID_ID", row_id]
            if name == "caveats":
                item_id = "MARKDOWN-caveats"
                position[item_id] = {"children": [], "id": item_id, "parents": parents, "type": "MARKDOWN",
                                     "meta": {"code": caveat_markdown(specs, doc), "height": 50, "width": width}}
            else:
                chart = doc["charts"][name]
                item_id = f"CHART-{name}"
                position[item_id] = {"children": [], "id": item_id, "parents": parents, "type": "CHART",
                                     "meta": {"chartId": ids[name], "height": chart.get("height", 50), "width": width,
                                              "sliceName": chart["title"], "uuid": stable_uuid("chart", name)}}
            position[row_id]["children"].append(item_id)

    filters = []
    for flt in doc.get("filters", []):
        if flt["type"] == "time":
            in_scope = {n for n, c in doc["charts"].items() if specs.datasets[c["dataset"]].get("main_dttm_col")}
            targets: list[dict[str, Any]] = [{}]
            control = {"enableEmptyFilter": False}
            filter_type = "filter_time"
        else:
            in_scope = {n for n, c in doc["charts"].items() if flt["column"] in specs.datasets[c["dataset"]]["columns"]}
            targets = [{"column": {"name": flt["column"]}, "datasetUuid": stable_uuid("dataset", flt["dataset"])}]
            control = {"enableEmptyFilter": False, "defaultToFirstItem": False, "inverseSelection": False,
                       "multiSelect": True, "searchAllOptions": False}
            filter_type = "filter_select"
        filters.append({
            "id": f"NATIVE_FILTER-{flt['name']}",
            "name": flt["title"],
            "filterType": filter_type,
            "targets": targets,
            "controlValues": control,
            "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
            "cascadeParentIds": [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": sorted(ids[n] for n in doc["charts"] if n not in in_scope)},
            "type": "NATIVE_FILTER",
            "description": flt.get("description", ""),
        })
    description = notes_text(specs, meta.get("notes", []))
    return {
        "dashboard_title": meta["title"],
        "description": description or None,
        "css": "",
        "slug": meta.get("slug"),
        "certified_by": OWNER,
        "certification_details": CERTIFICATION,
        "published": True,
        "uuid": stable_uuid("dashboard", dash_name),
        "position": position,
        "metadata": {
            "native_filter_configuration": filters,
            # show every chart's description (its suppression/caveat notes) under its title
            "expanded_slices": {str(ids[n]): True for n, c in doc["charts"].items() if c.get("notes")},
            "timed_refresh_immune_slices": [],
            "default_filters": "{}",
            "color_scheme": "supersetColors",
            "label_colors": {},
            "shared_label_colors": [],
            "color_scheme_domain": [],
            "cross_filters_enabled": False,
            "refresh_frequency": 0,
            "chart_configuration": {},
            "global_chart_configuration": {},
        },
        "version": EXPORT_VERSION,
    }


# ---------------------------------------------------------------- bundle


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def database_paths(specs: Specs, serving_path: Path, internal_path: Path | None = None) -> dict[str, Path]:
    """The DuckDB file of each Superset database: the release at `serving_path`, the internal one beside it."""
    serving_path = Path(serving_path)
    return {"release": serving_path,
            "internal": Path(internal_path) if internal_path else serving_path.with_name(
                specs.databases["internal"]["file"])}


def bundle_files(specs: Specs, serving_path: Path, internal_path: Path | None = None) -> dict[str, str]:
    """Relative path inside the bundle -> YAML text."""
    dump = lambda obj: yaml.safe_dump(obj, sort_keys=True, allow_unicode=True, width=100)  # noqa: E731
    files = {"metadata.yaml": dump({"version": EXPORT_VERSION, "type": "assets", "timestamp": FIXED_TIMESTAMP})}
    for database, path in database_paths(specs, serving_path, internal_path).items():
        files[f"databases/{_safe_name(specs.databases[database]['name'])}.yaml"] = dump(
            database_config(specs, path, database))
    for name, ds in specs.datasets.items():
        folder = _safe_name(specs.databases[ds["database"]]["name"])
        files[f"datasets/{folder}/{_safe_name(ds['superset_name'])}.yaml"] = dump(dataset_config(specs, name))
    for name, chart, _dash in specs.chart_items():
        files[f"charts/{_safe_name(name)}.yaml"] = dump(chart_config(specs, name, chart))
    for name in specs.dashboards:
        files[f"dashboards/{_safe_name(name)}.yaml"] = dump(dashboard_config(specs, name))
    return files


def build_zip(specs: Specs, serving_path: Path, internal_path: Path | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, text in sorted(bundle_files(specs, serving_path, internal_path).items()):
            info = zipfile.ZipInfo(f"{ROOT}/{rel}", date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Build the Superset assets bundle from dashboards/superset/specs")
    parser.add_argument("--serving", type=Path,
                        default=lantern_paths().serving)
    parser.add_argument("--out", type=Path, default=Path("superset_assets.zip"))
    args = parser.parse_args(argv)
    args.out.write_bytes(build_zip(load_specs(), args.serving))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
