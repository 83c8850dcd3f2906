"""Superset dashboards of the bundle: the layout of each edition's charts, notes and caveat panel."""

from __future__ import annotations

from typing import Any

from dashboards.superset.catalog import CERTIFICATION, EXPORT_VERSION, OWNER, Specs, caveat_markdown, notes_text, stable_uuid


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
