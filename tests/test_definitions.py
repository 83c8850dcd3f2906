"""The Dagster graph as reviewed: a snapshot of every asset, its group and its parents, so an accidental
graph change shows up in review. Regenerate with LANTERN_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

import duckdb

from models.session import hmac_pads
from pipelines.definitions import build_definitions
from pipelines.resources import prepare_session
from sources.reference.paths import Paths

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def current_graph(tmp_path: Path) -> dict:
    graph = build_definitions(Paths(tmp_path)).resolve_asset_graph()
    nodes = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        nodes[key.to_user_string()] = {
            "group": node.group_name,
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
        }
    checks = sorted(k.to_user_string() for k in graph.asset_check_keys)
    return {"assets": nodes, "checks": checks}


def test_asset_graph_matches_snapshot(tmp_path):
    graph = current_graph(tmp_path)
    if os.environ.get("LANTERN_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(graph, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "The asset graph changed. If intended, run LANTERN_UPDATE_SNAPSHOTS=1 pytest tests/test_definitions.py "
        "and commit the snapshot.")


def test_jobs_split_the_graph_without_gaps(tmp_path):
    """ingest + models + publish + release cover every asset but the quarterly briefing (its own job), each once;
    the nightly (refresh) never touches a protected release."""
    definitions = build_definitions(Paths(tmp_path))
    keys = {name: {k.to_user_string() for k in definitions.resolve_job_def(name).asset_layer.executable_asset_keys}
            for name in ("ingest", "models", "publish", "release", "refresh", "briefing")}
    everything = set(current_graph(tmp_path)["assets"])
    assert keys["ingest"] | keys["models"] | keys["publish"] | keys["release"] == everything - keys["briefing"]
    assert not (keys["ingest"] & keys["models"]) and not (keys["models"] & keys["publish"])
    assert not keys["publish"] & keys["release"] and not keys["refresh"] & keys["release"]
    assert keys["release"] == {"serving/serving_database", "serving/serving_published", "site/static_dashboard"}
    assert keys["refresh"] == everything - keys["briefing"] - keys["release"]
    # the monthly models, and last the record of which months they have taken in
    assert keys["models"] and all(k.startswith(("staging/", "marts/")) for k in keys["models"] - {"meta/modelled_months"})
    assert "meta/modelled_months" in keys["models"]


def test_sql_rekey_is_hmac_sha256(tmp_path, monkeypatch):
    monkeypatch.setenv("LANTERN_LINKAGE_SECRET", "s3cret")
    con = duckdb.connect()
    prepare_session(con, tmp_path)
    agency_key = "ab" * 32
    got = con.execute("SELECT lantern_rekey(?)", [agency_key]).fetchone()[0]
    assert got == hmac.new(b"s3cret", agency_key.encode(), hashlib.sha256).hexdigest()
    long_secret = b"k" * 100  # longer than a SHA-256 block: hashed first, per RFC 2104
    inner, outer = hmac_pads(long_secret)
    con.execute(f"SET VARIABLE lantern_ipad = '{inner}'")
    con.execute(f"SET VARIABLE lantern_opad = '{outer}'")
    got = con.execute("SELECT lantern_rekey(?)", [agency_key]).fetchone()[0]
    assert got == hmac.new(long_secret, agency_key.encode(), hashlib.sha256).hexdigest()
