"""Publish the dashboard specs to a running Superset: build the assets bundle, POST it to /api/v1/assets/import/.

Idempotent: every object has a UUID derived from its spec name, and the assets import overwrites objects
with the same UUID in place, so publishing unchanged specs creates nothing new and a changed spec updates
the existing object.

Logs in with superset-client (module `supersetapiclient`: JWT login + CSRF token on one session) and uses
only its session: its add/update calls are broken on Superset 6.1 and its assets import opens the file by
bare name. If `supersetapiclient` is not importable here (the pipeline environment does not have it yet),
`publish()` runs itself with the Superset venv's Python, which has it.

Credentials: LANTERN_SUPERSET_ADMIN_USER (default admin) and LANTERN_SUPERSET_ADMIN_PASSWORD, or the demo
password file in $LANTERN_HOME/superset/ written by `lantern superset up` in a local demo.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sources.reference.paths import lantern_paths

REPO_ROOT = Path(__file__).resolve().parents[2]


def _lantern_home() -> Path:
    return lantern_paths().home


def default_url() -> str:
    port_file = _lantern_home() / "superset" / "superset.port"
    port = os.environ.get("LANTERN_SUPERSET_PORT") or (port_file.read_text().strip() if port_file.exists() else "8088")
    return os.environ.get("LANTERN_SUPERSET_URL", f"http://127.0.0.1:{port}")


def credentials() -> tuple[str, str]:
    user = os.environ.get("LANTERN_SUPERSET_ADMIN_USER", "admin")
    password = os.environ.get("LANTERN_SUPERSET_ADMIN_PASSWORD")
    if not password:
        stored = _lantern_home() / "superset" / "admin_password"
        if stored.exists():
            password = stored.read_text(encoding="utf-8").strip()
    if not password:
        raise RuntimeError("set LANTERN_SUPERSET_ADMIN_PASSWORD (or run `lantern superset up` in a local demo)")
    return user, password


def have_client() -> bool:
    try:
        import supersetapiclient  # noqa: F401
    except ImportError:
        return False
    return True


def login(url: str, user: str, password: str):  # -> supersetapiclient.client.SupersetClient
    from urllib.parse import urlparse

    from supersetapiclient.client import SupersetClient

    if urlparse(url).hostname in ("127.0.0.1", "localhost", "::1"):
        # requests-oauthlib refuses plain http; Superset here listens on loopback only.
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = SupersetClient(host=url, username=user, password=password)
    client.session  # noqa: B018  (logs in and fetches the CSRF token now, so errors surface here)
    return client


def import_bundle(client: Any, url: str, bundle: bytes, passwords: dict[str, str] | None = None) -> dict[str, Any]:
    response = client.session.post(
        f"{url.rstrip('/')}/api/v1/assets/import/",
        files={"bundle": ("lantern_assets.zip", bundle, "application/zip")},
        data={"passwords": json.dumps(passwords or {}), "overwrite": "true"},
        timeout=300,
    )
    if response.status_code != 200:
        raise RuntimeError(f"assets import failed: HTTP {response.status_code}: {response.text[:2000]}")
    return response.json()


def _owned(row: dict[str, Any], certified_by: str | None) -> bool:
    """Ours: a uuid5 UUID (catalog.stable_uuid; the UI makes uuid4s) and certified by Lantern."""
    from dashboards.superset.catalog import OWNER

    try:
        version = uuid.UUID(row["uuid"]).version
    except (KeyError, TypeError, ValueError):
        return False
    return version == 5 and certified_by == OWNER


def remove_unlisted(client: Any, url: str, specs: Any) -> dict[str, list[str]]:
    """Delete Lantern-owned dashboards, charts and datasets whose spec is gone (dashboards first: they hold charts)."""
    from dashboards.superset.access import Rest
    from dashboards.superset.catalog import stable_uuid

    rest = Rest(client.session, url)
    keep = {
        "dashboard": {stable_uuid("dashboard", n) for n in specs.dashboards},
        "chart": {stable_uuid("chart", n) for n, _, _ in specs.chart_items()},
        "dataset": {stable_uuid("dataset", n) for n in specs.datasets},
    }
    removed: dict[str, list[str]] = {kind: [] for kind in keep}
    for kind, label in (("dashboard", "dashboard_title"), ("chart", "slice_name"), ("dataset", "table_name")):
        columns = ["id", "uuid", label] + (["certified_by"] if kind != "dataset" else ["extra"])
        for row in rest.list(f"/api/v1/{kind}/", columns):
            if row["uuid"] in keep[kind]:
                continue
            if kind == "dataset":
                extra = json.loads(row.get("extra") or "{}")
                certified_by = (extra.get("certification") or {}).get("certified_by")
            else:
                certified_by = row.get("certified_by")
            if _owned(row, certified_by):
                rest.call("DELETE", f"/api/v1/{kind}/{row['id']}")
                removed[kind].append(row[label])
    return removed


def _publish_here(url: str, serving: Path, spec_dir: Path | None, internal: Path | None = None) -> dict[str, Any]:
    from dashboards.superset.access import apply_access
    from dashboards.superset.bundle import build_zip
    from dashboards.superset.catalog import SPEC_DIR, load_specs

    started = time.monotonic()
    specs = load_specs(spec_dir or SPEC_DIR, serving=serving, internal=internal)
    data = build_zip(specs, serving, internal)
    built = time.monotonic()
    user, password = credentials()
    client = login(url, user, password)
    result = import_bundle(client, url, data)
    done = time.monotonic()
    removed = remove_unlisted(client, url, specs)
    access = apply_access(client.session, url, specs)
    finished = time.monotonic()
    return {
        "removed": removed,
        "access": access,
        "access_s": round(finished - done, 3),
        "url": url,
        "result": result,
        "charts": len(specs.chart_items()),
        "dashboards": len(specs.dashboards),
        "datasets": len(specs.datasets),
        "bundle_bytes": len(data),
        "build_s": round(built - started, 3),
        "import_s": round(done - built, 3),
    }


def publish(url: str | None = None, serving: Path | None = None, spec_dir: Path | None = None,
            internal: Path | None = None) -> dict[str, Any]:
    """Build and import the bundle; returns a summary (timings, counts). Runs in the Superset venv if needed.
    `serving` is the protected release (default $LANTERN_HOME/serving.duckdb), `internal` the exact internal
    database (default: internal.duckdb beside it)."""
    url = url or default_url()
    serving = Path(serving) if serving else _lantern_home() / "serving.duckdb"
    if have_client():
        return _publish_here(url, serving, spec_dir, internal)
    from dashboards.superset.environment import resolve

    env = resolve()
    if not env.python.exists():
        raise RuntimeError("superset-client is not installed here and the Superset venv is missing: run `superset up`")
    arguments = {"url": url, "serving": str(serving), "spec_dir": str(spec_dir) if spec_dir else None,
                 "internal": str(internal) if internal else None}
    args = [str(env.python), "-m", "dashboards.superset.publish", json.dumps(arguments)]
    process_env = dict(os.environ)
    process_env["PYTHONPATH"] = str(REPO_ROOT)
    out = subprocess.run(args, env=process_env, cwd=REPO_ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"publish failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _publish_in_superset_venv(arguments: str) -> None:
    """The other side of publish()'s re-run in the Superset venv: its arguments as JSON in, the summary out."""
    given = json.loads(arguments)
    paths = {key: Path(given[key]) if given[key] else None for key in ("serving", "spec_dir", "internal")}
    print(json.dumps(_publish_here(given["url"], paths["serving"], paths["spec_dir"], paths["internal"])))


if __name__ == "__main__":  # not a command: only publish() runs this module, with the Superset venv's Python
    _publish_in_superset_venv(sys.argv[1])
