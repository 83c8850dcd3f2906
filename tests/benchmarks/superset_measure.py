"""Start, publish and time a Superset over $LANTERN_HOME/serving.duckdb (issue #4's figures):

    LANTERN_HOME=... LANTERN_SUPERSET_ADMIN_PASSWORD=... PYTHONPATH=tests .venv/bin/python -m benchmarks.superset_measure [PORT]

prints one JSON line: install/start timings, publish time, and chart data latency (superset_latency.py).
"""

from __future__ import annotations

import json
import sys
import time

from dashboards.superset import environment
from benchmarks.superset_latency import chart_data_latency
from dashboards.superset.publish import publish


def main(port: int) -> dict:
    started = time.monotonic()
    timings = environment.up(port=port)
    up_seconds = time.monotonic() - started
    url = environment.base_url(port)
    started = time.monotonic()
    summary = publish(url=url)
    publish_seconds = time.monotonic() - started
    return {"up": {k: round(v, 1) for k, v in timings.items()}, "up_s": round(up_seconds, 1),
            "publish_s": round(publish_seconds, 1), "import_s": summary.get("import_s"),
            "access_s": summary.get("access_s"), "chart_data": chart_data_latency(url)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else environment.DEFAULT_PORT)))
