"""The bundle builder, without a server: stable UUIDs, deterministic bytes, import-format basics, notes."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from dashboards.superset.bundle import build_zip, bundle_files
from dashboards.superset.catalog import ROOT, SPEC_DIR, SpecError, load_specs, stable_uuid

SERVING = Path("/srv/lantern/serving.duckdb")


def test_uuids_are_derived_from_spec_names():
    assert stable_uuid("chart", "x") == stable_uuid("chart", "x")
    assert stable_uuid("chart", "x") != stable_uuid("dataset", "x")
    files = bundle_files(load_specs(), SERVING)
    chart = yaml.safe_load(files["charts/signals_by_type_trend.yaml"])
    assert chart["uuid"] == stable_uuid("chart", "signals_by_type_trend")
    assert chart["dataset_uuid"] == stable_uuid("dataset", "signals_by_type_at_grain")  # the release's grain
    exact = yaml.safe_load(files["charts/exact__signals_by_type_trend.yaml"])
    assert exact["dataset_uuid"] == stable_uuid("dataset", "internal__monthly_by_type_marked")  # nothing hidden


def test_zip_is_deterministic_and_in_assets_format():
    first, second = build_zip(load_specs(), SERVING), build_zip(load_specs(), SERVING)
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert f"{ROOT}/metadata.yaml" in names
    for folder in ("databases/", "datasets/", "charts/", "dashboards/"):
        assert any(n.startswith(f"{ROOT}/{folder}") for n in names), folder
    meta = yaml.safe_load(zipfile.ZipFile(io.BytesIO(first)).read(f"{ROOT}/metadata.yaml"))
    assert meta["type"] == "assets" and meta["version"] == "1.0.0"


@pytest.mark.parametrize("name,path", [("lantern_serving", SERVING),
                                       ("lantern_internal", SERVING.with_name("internal.duckdb"))])
def test_database_is_read_only_without_external_access(name, path):
    db = yaml.safe_load(bundle_files(load_specs(), SERVING)[f"databases/{name}.yaml"])
    assert db["sqlalchemy_uri"] == f"duckdb:///{path}?access_mode=read_only"
    assert db["extra"]["engine_params"]["connect_args"]["config"] == {"enable_external_access": False}
    assert db["allow_dml"] is False and db["allow_csv_upload"] is False and db["allow_ctas"] is False


def test_editions_bind_each_chart_to_a_database_its_audiences_may_read():
    specs = load_specs()
    for name, dash in specs.dashboards.items():
        roles = dash["dashboard"]["roles"]
        for chart in dash["charts"].values():
            database = specs.datasets[chart["dataset"]]["database"]
            if name.startswith("exact__"):
                assert roles == ["analyst"] and database == "internal", name
            elif database == "internal":  # only an agency's own rows, and then never for partners
                assert "partner" not in roles and chart["dataset"].removeprefix("internal__") in \
                    specs.audiences["agency"]["own_rows"], (name, chart["dataset"])
    assert specs.dashboards["exact__trends_explorer"]["dashboard"]["title"] == "Trends explorer (exact)"
    assert "feed_freshness" not in specs.dashboards["trends_explorer"]["charts"]  # exact only: analysts' edition
    assert "exact__feed_freshness" in specs.dashboards["exact__trends_explorer"]["charts"]


def test_a_partner_edition_with_an_agency_own_rows_dataset_is_refused(tmp_path):
    """With DASHBOARD_RBAC a partner on the agency dashboard could read its internal datasets without RLS."""
    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    path = spec_dir / "agency_referrals.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["dashboard"]["access"] = ["analyst", "agencies", "partners"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(SpecError, match="partner"):
        load_specs(spec_dir)


def test_every_chart_has_params_query_context_and_notes():
    specs = load_specs()
    files = bundle_files(specs, SERVING)
    for name, chart_spec, _ in specs.chart_items():
        chart = yaml.safe_load(files[f"charts/{name}.yaml"])
        assert chart["params"]["viz_type"] == chart["viz_type"]
        context = json.loads(chart["query_context"])
        assert context["queries"] and context["form_data"]["viz_type"] == chart["viz_type"]
        if chart_spec.get("notes"):
            assert chart["description"], name
        if chart["viz_type"] == "table":
            assert chart["params"]["allow_render_html"] is False  # hostile labels stay text


def test_every_dashboard_has_a_caveat_panel_and_shows_chart_notes():
    specs = load_specs()
    files = bundle_files(specs, SERVING)
    for name in specs.dashboards:
        dash = yaml.safe_load(files[f"dashboards/{name}.yaml"])
        panel = dash["position"]["MARKDOWN-caveats"]["meta"]["code"]
        assert "not prevalence" in panel or "suppressed" in panel
        charts = [v for v in dash["position"].values() if isinstance(v, dict) and v.get("type") == "CHART"]
        assert len(charts) == len(specs.dashboards[name]["charts"])
        assert dash["metadata"]["expanded_slices"]  # descriptions (notes) shown under the charts
        assert dash["published"] is True


def test_adding_a_chart_is_adding_yaml(tmp_path):
    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    path = spec_dir / "trends_explorer.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["charts"]["cases_by_type_monthly"] = {
        "title": "Cases by trafficking type", "dataset": "monthly_statewide_by_type", "viz": "line",
        "x": "month", "metrics": ["cases_total"], "groupby": ["trafficking_type_label"], "notes": ["suppression"],
    }
    doc["layout"].append([{"cases_by_type_monthly": 12}])
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    files = bundle_files(load_specs(spec_dir), SERVING)
    assert "charts/cases_by_type_monthly.yaml" in files


def test_unknown_note_or_metric_is_refused(tmp_path):
    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    path = spec_dir / "trends_explorer.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["charts"]["signals_by_type_trend"]["metrics"] = ["no_such_metric"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(SpecError):
        load_specs(spec_dir)


def test_a_label_cut_by_an_unquoted_comma_is_refused(tmp_path):
    """`{label: Signals per 100,000, ...}` in a YAML flow mapping is the label "Signals per 100" and a key 0: Superset
    showed the cut label. load_specs refuses a column or metric with a key it does not know."""
    from dashboards.superset.catalog import SPEC_DIR, SpecError, load_specs

    spec_dir = tmp_path / "specs"
    shutil.copytree(SPEC_DIR, spec_dir)
    serving = spec_dir / "serving.yaml"
    text = serving.read_text(encoding="utf-8")
    quoted = 'label: "Signals per 100,000",'
    assert quoted in text
    serving.write_text(text.replace(quoted, "label: Signals per 100,000,", 1), encoding="utf-8")
    with pytest.raises(SpecError, match="unknown keys"):
        load_specs(spec_dir)
    assert load_specs(SPEC_DIR).datasets["yearly_region_summary"]["columns"]["rate_text"]["label"] == (
        "Signals per 100,000")
