"""The spec catalog: the dashboard specs (YAML in specs/) loaded, expanded into audience editions and validated against the
published databases; the names, UUIDs and notes every other part of the bundle uses."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashboards.vocabulary import NO_DATA, SUPPRESSED
from models import query_sql
from sources.reference import deployment


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
CHART_KINDS = ("line", "bar", "table", "heatmap", "sankey", "kpi", "funnel", "map")  # charts.py builds each
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
    threshold = {"max_suppressed": deployment().min_cell_count - 1}  # the one source of the threshold
    notes = {key: text.replace("{max_suppressed}", str(threshold["max_suppressed"]))
             for key, text in yaml.safe_load((spec_dir / "notes.yaml").read_text(encoding="utf-8"))["notes"].items()}
    serving_doc = yaml.safe_load((spec_dir / "serving.yaml").read_text(encoding="utf-8"))
    audiences = load_audiences()
    specs = Specs(notes=notes, databases=audiences["databases"],
                  datasets=_grain_labels(_panel_at_grain(_region_shapes(_shorthands(serving_doc["datasets"])))),
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


def guarded_sum_sql(column: str) -> str:
    """SUM of a protected count that is NULL (suppressed) as soon as one cell it adds is hidden: a total with a
    hidden part is never shown as a number (a lower bound dressed as a total). On the internal database no
    cell is hidden and this is the plain sum."""
    return f"CASE WHEN bool_or(coalesce({column}_suppressed, false)) THEN NULL ELSE SUM({column}) END"


def count_text_sql(column: str) -> str:
    """A protected count as the text a reader sees: 1,234 / suppressed / no data."""
    return (f"CASE WHEN coalesce({column}_suppressed, false) THEN '{SUPPRESSED}' WHEN {column} IS NULL "
            f"THEN '{NO_DATA}' ELSE format('{{:,}}', {column}) END")


def value_text_sql(column: str, fmt: str, scale: float | None = None, flag: str | None = None,
                   hidden: str | None = None) -> str:
    """Any number as the text a table shows (Superset prints a NULL as "N/A"): formatted with DuckDB's format()
    (`fmt`, e.g. "{:.1f}", "{:.0f}%" with `scale` 100), "suppressed" where its `flag` says so, "no data" where it
    is NULL, and " (unreliable)" after a number its flag marks unreliable. `hidden`: a count flag (`<count>_suppressed`)
    that makes it "suppressed" too."""
    value = f"{scale} * {column}" if scale else column
    text = f"format('{fmt}', {value})"
    if flag:
        text += f" || CASE WHEN {flag} = 'unreliable' THEN ' (unreliable)' ELSE '' END"
    conditions = ([f"{flag} = 'suppressed'"] if flag else []) + ([f"coalesce({hidden}, false)"] if hidden else [])
    when_hidden = f"WHEN {' OR '.join(conditions)} THEN '{SUPPRESSED}' " if conditions else ""
    return f"CASE {when_hidden}WHEN {column} IS NULL THEN '{NO_DATA}' ELSE {text} END"


def _shorthands(datasets: dict[str, Any]) -> dict[str, Any]:
    """Expand `sum_of: <count>` metrics (guarded_sum_sql), `text_of: <count>` columns (count_text_sql) and
    `text_of_value: <number>` columns (value_text_sql, with `fmt`, `scale`, `flag`, `hidden`)."""
    for ds in datasets.values():
        for col in ds.get("columns", {}).values():
            if "text_of" in col:
                col.setdefault("sql", count_text_sql(col["text_of"]))
                col.setdefault("type", "VARCHAR")
            if "text_of_value" in col:
                col.setdefault("sql", value_text_sql(col["text_of_value"], col["fmt"], col.get("scale"), col.get("flag"),
                                                     col.get("hidden")))
                col.setdefault("type", "VARCHAR")
        for metric in ds.get("metrics", {}).values():
            if "sum_of" in metric:
                metric.setdefault("sql", guarded_sum_sql(metric["sum_of"]))
    return datasets


REGION_SHAPES = "{region_shapes}"  # in a dataset's SQL: the region outlines as a literal table (geo.shapes_sql)


def _region_shapes(datasets: dict[str, Any]) -> dict[str, Any]:
    """Put the region outlines (public geometry from sources/reference) into the SQL of the datasets that ask for
    them: DuckDB reads no file (enable_external_access=false) and the release need not carry geometry."""
    for ds in datasets.values():
        if REGION_SHAPES in ds.get("sql", ""):
            from dashboards.superset.geo import shapes_sql

            ds["sql"] = ds["sql"].replace(REGION_SHAPES, shapes_sql())
    return datasets


GRAIN_LABELS = "{grain_labels}"  # in a dataset's SQL: each panel grain as a reader says it (release/panels.yaml)


def _grain_labels(datasets: dict[str, Any]) -> dict[str, Any]:
    """Put the grains' words (panels.yaml `label`, else the period: "year, by receiving organisation type", not
    `year_by_receiving_type`) into the SQL of the datasets that ask for them, as a literal table
    `grain_labels(panel, grain, label)`: the words live in one place, and a release needs no column for them."""
    from dashboards.release.grain import grain_label, panels

    rows = [(name, spec["grain"], grain_label(spec)) for name, panel in panels().items() for spec in panel["grains"]]
    values = ", ".join("({})".format(", ".join("'" + v.replace("'", "''") + "'" for v in row)) for row in rows)
    table = f"(VALUES {values}) AS grain_labels(panel, grain, label)"
    for ds in datasets.values():
        if GRAIN_LABELS in ds.get("sql", ""):
            ds["sql"] = ds["sql"].replace(GRAIN_LABELS, table)
    return datasets


PANEL_AT_GRAIN = re.compile(r"\{panel_at_grain\|([^{}]+)\}")  # in a dataset's SQL: specs/panel_at_grain.sql


def _panel_at_grain(datasets: dict[str, Any]) -> dict[str, Any]:
    """Put the shared tail of the headline-panel datasets (the chosen grain, "Other", the last line of defence) into
    the SQL of the datasets that ask for it, with what their "Other" holds in words: one definition, not a copy per
    panel."""
    fragment = (SPEC_DIR / "panel_at_grain.sql").read_text(encoding="utf-8")
    for ds in datasets.values():
        if "sql" in ds:
            ds["sql"] = PANEL_AT_GRAIN.sub(lambda m: fragment.replace("{others}", m.group(1).replace("'", "''")),
                                           ds["sql"])
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
                        instance.update(sql=_virtual_dataset_sql(name), requires=[name])
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


def edition_chart(chart: dict[str, Any], exact: bool) -> dict[str, Any]:
    """A chart as one edition draws it: the exact edition applies the chart's `exact:` keys (a headline panel is
    drawn at the grain its release chose, from a release-only dataset; the exact database hides nothing, has no
    choice and keeps the finest series)."""
    override = chart.get("exact", {}) if exact else {}
    return {key: value for key, value in (chart | override).items() if key != "exact"}


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
        chart = edition_chart(chart, exact=bool(prefix))
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


def _virtual_dataset_sql(table: str) -> str:
    """The query file without its comment: Superset shows and stores this SQL as the dataset's."""
    sql = query_sql("queries/superset", "virtual_dataset", table=table)
    return "\n".join(line for line in sql.splitlines() if not line.startswith("--")).strip()


def serving_columns(serving: Path) -> dict[str, set[str]]:
    import duckdb

    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(query_sql("queries/superset", "serving_columns")).fetchall()
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


COLUMN_KEYS = {"type", "label", "sql", "format", "description", "text_of", "text_of_value", "fmt", "scale", "flag",
               "hidden", "not_null"}
METRIC_KEYS = {"sql", "label", "format", "sum_of", "description"}


def _validate(specs: Specs) -> None:
    seen: dict[str, str] = {}
    for ds_name, ds in specs.datasets.items():
        # an unquoted comma in a YAML flow mapping ({label: Signals per 100,000, ...}) cuts the label and adds a
        # stray key (the header read "Signals per 100"): refuse any key a column or metric does not have
        for kind, items, keys in (("column", ds["columns"], COLUMN_KEYS), ("metric", ds.get("metrics", {}), METRIC_KEYS)):
            for item, spec in items.items():
                stray = sorted(map(str, set(spec) - keys))
                if stray:
                    raise SpecError(f"dataset {ds_name}: {kind} {item} has unknown keys {stray} (label "
                                    f"{spec.get('label')!r}: quote a label with a comma)")
        for key in ds.get("notes", []):
            if key not in specs.notes:
                raise SpecError(f"dataset {ds_name}: unknown note {key!r}")
        for metric in ds.get("metrics", {}):
            if metric in ds["columns"]:
                raise SpecError(f"dataset {ds_name}: metric {metric!r} shadows a column")
    for chart_name, spec, dash in specs.chart_items():
        if chart_name in seen:
            raise SpecError(f"chart {chart_name!r} in both {seen[chart_name]} and {dash} (chart names are global)")
        seen[chart_name] = dash
        for exact in (False, True) if "exact" in spec else (False,):  # each edition's chart must hold
            _validate_chart(specs, chart_name, edition_chart(spec, exact))
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


def _validate_chart(specs: Specs, chart_name: str, chart: dict[str, Any]) -> None:
    if chart["dataset"] not in specs.datasets:
        raise SpecError(f"chart {chart_name}: unknown dataset {chart['dataset']!r}")
    if chart["viz"] not in CHART_KINDS:
        raise SpecError(f"chart {chart_name}: unknown viz {chart['viz']!r} (known: {sorted(CHART_KINDS)})")
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


def _chart_columns(chart: dict[str, Any]) -> list[str]:
    cols = list(chart.get("columns", [])) + list(chart.get("groupby", []))
    cols += list(chart.get("tooltip", []))
    for key in ("x", "y", "source", "target", "polygon"):
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
