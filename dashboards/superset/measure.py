"""Measure: up + publish against $LANTERN_HOME/serving.duckdb, then chart data latency (5 rounds over every chart).

    LANTERN_HOME=... LANTERN_SUPERSET_ADMIN_PASSWORD=... .venv/bin/python -m dashboards.superset.measure 8199
"""
import json, os, sys, time, statistics

import requests
from dashboards.superset import environment
from dashboards.superset.publish import publish
port = int(sys.argv[1]) if len(sys.argv) > 1 else environment.DEFAULT_PORT
t = time.monotonic(); timings = environment.up(port=port); up_s = time.monotonic() - t
url = environment.base_url(port)
t = time.monotonic(); summary = publish(url=url); pub_s = time.monotonic() - t
s = requests.Session()
r = s.post(url + "/api/v1/security/login", json={"username": "admin", "password": os.environ["LANTERN_SUPERSET_ADMIN_PASSWORD"], "provider": "db", "refresh": True})
s.headers["Authorization"] = "Bearer " + r.json()["access_token"]
ids = [c["id"] for c in s.get(url + "/api/v1/chart/?q=(page_size:100)").json()["result"]]
lat = []
for _ in range(5):
    for i in ids:
        t = time.monotonic(); resp = s.get(f"{url}/api/v1/chart/{i}/data/"); lat.append(time.monotonic() - t)
        assert resp.status_code == 200, resp.text[:300]
lat.sort()
print(json.dumps({"up": {k: round(v, 1) for k, v in timings.items()}, "up_s": round(up_s, 1), "publish_s": round(pub_s, 1),
                  "import_s": summary["import_s"], "access_s": summary["access_s"], "charts": len(ids), "requests": len(lat),
                  "p50_ms": round(1000 * statistics.median(lat)), "p95_ms": round(1000 * lat[int(0.95 * len(lat)) - 1]),
                  "max_ms": round(1000 * lat[-1])}))
