"""Chart data latency of a running Superset: every published chart's data API, cold and warm.

Cold: `force=true`, so Superset runs the query on the serving database (what a user waits for after a
refresh). Warm: the same request again, answered from Superset's cache. `make bench` calls
`chart_data_latency` (bench.py, and superset_measure.py on a Superset of its own).
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from dashboards.superset.publish import credentials, default_url, login


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _summary(seconds: list[float]) -> dict[str, float]:
    return {"p50_ms": round(1000 * statistics.median(seconds)), "p95_ms": round(1000 * _percentile(seconds, 0.95)),
            "max_ms": round(1000 * max(seconds))}


def chart_data_latency(base_url: str | None = None, rounds: int = 5) -> dict[str, Any]:
    """Time GET /api/v1/chart/<id>/data/ for every chart, `rounds` times cold and `rounds` times warm."""
    url = (base_url or default_url()).rstrip("/")
    session = login(url, *credentials()).session
    charts, page = [], 0
    while True:
        query = json.dumps({"columns": ["id", "slice_name"], "page": page, "page_size": 100})
        batch = session.get(f"{url}/api/v1/chart/", params={"q": query}, timeout=60).json()["result"]
        charts += batch
        if len(batch) < 100:
            break
        page += 1
    if not charts:
        raise RuntimeError(f"no charts at {url}: publish first (`lantern superset publish`)")
    timings: dict[str, list[float]] = {"cold": [], "warm": []}
    slowest: dict[str, float] = {}
    for _ in range(rounds):
        for chart in charts:
            for kind, params in (("cold", {"force": "true"}), ("warm", {})):
                started = time.perf_counter()
                response = session.get(f"{url}/api/v1/chart/{chart['id']}/data/", params=params, timeout=300)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"chart {chart['slice_name']!r}: HTTP {response.status_code} "
                                       f"{response.text[:200]}")
                timings[kind].append(elapsed)
                if kind == "cold":
                    slowest[chart["slice_name"]] = max(slowest.get(chart["slice_name"], 0.0), elapsed)
    worst = max(slowest, key=slowest.get)
    return {"charts": len(charts), "rounds": rounds, "cold": _summary(timings["cold"]),
            "warm": _summary(timings["warm"]), "slowest_chart": worst, "slowest_chart_ms": round(1000 * slowest[worst])}

