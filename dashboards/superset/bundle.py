"""Dashboard specs (YAML in specs/) -> a Superset assets bundle (ZIP of YAML, import format v1.0.0).

The bundle holds metadata.yaml, databases/, datasets/, charts/ and dashboards/ as Superset's own export
does. Every object's UUID is uuid5(NAMESPACE, "<kind>:<spec name>"), so publishing the same specs again
updates the same objects in place. Every chart carries `params` (the form data the UI renders from) and a
saved `query_context` (what the chart data API and CSV export run).

Runs in the pipeline's Python (needs only PyYAML). Adding a chart is adding YAML: see specs/README.md.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

from dashboards.superset.charts import chart_config
from dashboards.superset.datasets import database_config, dataset_config
from dashboards.superset.layout import dashboard_config
from dashboards.superset.catalog import EXPORT_VERSION, FIXED_TIMESTAMP, ROOT, Specs, load_specs


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


def write_bundle(out: Path, serving: Path) -> Path:
    """The assets bundle of the specs over `serving`, written to `out` (to inspect or import by hand)."""
    out.write_bytes(build_zip(load_specs(), serving))
    return out
