"""`make bench`: time Lantern at national (us) and stress scale against its targets (issue #8).

One run generates (or reuses) the us and stress drops, then measures, each in its own process: DuckDB's
read floor, full refreshes, nightly refreshes (one day of us volume on the us and the stress warehouse; on
the us warehouse also a night with nothing new and one with a week), the static site, the briefing,
Superset chart data (a server the bench starts unless one is given), a 1 GB defective drop, and the
pipeline part of `make demo` at mo scale. Wall time, peak resident memory (process tree) and rows per
second go to $LANTERN_HOME/bench/results.json and to the table in BENCHMARKS.md. A partial run
(`--only CASE ...`) merges into the previous results.json: other cases keep their figures and the time
they were measured.

New cases are a function in CASES: it returns a Result, or NotAvailable("why") when what it measures
does not exist yet (so the bench records that instead of failing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from benchmarks.measure import Measured, run_measured
from sources.reference.paths import lantern_paths

REPO = Path(__file__).resolve().parents[2]
# workers run as `-m benchmarks.<module>`: the benchmarks live under tests/, beside the product, not in it
WORKER_PYTHONPATH = os.pathsep.join([str(REPO), str(REPO / "tests")])
BENCHMARKS_MD = REPO / "BENCHMARKS.md"
START_MARK, END_MARK = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
PYTHON = sys.executable
BENCH_SUPERSET_PORT = 8097  # not the default 8088: a Superset the user runs is left alone
# The re-keying secret for bench runs: the environment's, or one made for this run (children inherit it).
BENCH_SECRET = os.environ.get("LANTERN_LINKAGE_SECRET") or secrets.token_hex(32)
SCALES = {"us": 3, "stress": 3}  # years of history
SEED = 7
BIG_DROP_BYTES = 1024 ** 3
MEMORY_TARGET_MB = 4096
BAD_DROP_FILES, BAD_DROP_NIGHTS = 1200, 3  # issue #17: at least 1,000 bad files, several nights


@dataclass
class Result:
    case: str
    seconds: float | None = None
    peak_rss_mb: float | None = None
    rows: int | None = None
    detail: dict = field(default_factory=dict)
    status: str = "ok"  # ok | failed | not available yet
    measured_at: str | None = None  # UTC, when the case finished (results of several runs sit side by side)

    @property
    def rows_per_second(self) -> float | None:
        return round(self.rows / self.seconds) if self.rows and self.seconds else None


class NotAvailable(Exception):
    """What the case measures does not exist (yet) on this checkout or machine."""


@dataclass
class Bench:
    root: Path
    results: dict[str, Result] = field(default_factory=dict)

    def home(self, name: str) -> Path:
        return self.root / "homes" / name

    def drops(self, scale: str) -> Path:
        return self.root / "drops" / f"{scale}-{SCALES[scale]}y-seed{SEED}"

    def env(self, home: Path) -> dict[str, str]:
        return {"LANTERN_HOME": str(home), "LANTERN_LINKAGE_SECRET": BENCH_SECRET, "DAGSTER_HOME": "",
                "PYTHONPATH": WORKER_PYTHONPATH}


def _checked(measured: Measured, what: str) -> Measured:
    if measured.exit_code != 0:
        raise RuntimeError(f"{what} failed (exit {measured.exit_code}):\n{measured.stdout[-3000:]}\n"
                           f"{measured.stderr[-3000:]}")
    return measured


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def _cli(bench: Bench, home: Path, *args: str) -> Measured:
    env = bench.env(home)
    env.pop("DAGSTER_HOME")
    os.environ.pop("DAGSTER_HOME", None)  # an ephemeral Dagster instance: no run history to grow
    return run_measured([PYTHON, "-m", "pipelines.cli", *args], env=env, cwd=REPO)


def _link_drop(source: Path, inbox: Path) -> None:
    """Put a generated drop in an inbox without copying it: a hard link (the ingest refuses symbolic links,
    issue #17), or a copy where the two folders are on different file systems."""
    target = inbox / source.name
    target.unlink(missing_ok=True)
    try:
        os.link(source.resolve(), target)
    except OSError:
        shutil.copy2(source, target)


def _fresh_home(bench: Bench, name: str, inbox: Path) -> Path:
    """A new home whose inbox links every file of `inbox` (links: the drops are generated once)."""
    home = bench.home(name)
    shutil.rmtree(home, ignore_errors=True)
    (home / "inbox").mkdir(parents=True)
    for path in inbox.iterdir():
        if path.is_file() and not path.name.startswith("."):
            _link_drop(path, home / "inbox")
    return home


def _rows_read(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT coalesce(sum(rows_read), 0) FROM raw.file_manifest").fetchone()[0]


# ---- cases -------------------------------------------------------------------------------------------

def generate_drops(bench: Bench, scale: str) -> Result:
    target = bench.drops(scale)
    marker = target / ".generated.json"
    if marker.exists():
        return Result(f"generate {scale}", detail={**json.loads(marker.read_text()), "reused": True})
    shutil.rmtree(target, ignore_errors=True)
    code = (f"import json; from pathlib import Path; from sources.generator import generate; "
            f"s = generate(Path({str(target)!r}), scale={scale!r}, years={SCALES[scale]}, seed={SEED}); "
            f"print(json.dumps({{'files': s.files_written, 'rows': sum(s.rows_per_feed.values())}}))")
    measured = _checked(run_measured([PYTHON, "-c", code], env={"PYTHONPATH": WORKER_PYTHONPATH}, cwd=REPO), "generate")
    summary = _last_json(measured.stdout)
    marker.write_text(json.dumps(summary))
    return Result(f"generate {scale}", measured.seconds, measured.peak_rss_mb, summary["rows"], summary)


def read_floor(bench: Bench, scale: str) -> Result:
    measured = _checked(run_measured([PYTHON, "-m", "benchmarks.workers", "floor", str(bench.drops(scale))],
                                     env={"PYTHONPATH": WORKER_PYTHONPATH}, cwd=REPO), "read floor")
    found = _last_json(measured.stdout)
    return Result(f"{scale} DuckDB read floor", measured.seconds, measured.peak_rss_mb, found["rows"], found)


def full_refresh(bench: Bench, scale: str) -> Result:
    home = _fresh_home(bench, scale, bench.drops(scale))
    measured = _checked(_cli(bench, home, "refresh"), f"{scale} full refresh")
    return Result(f"{scale} full refresh", measured.seconds, measured.peak_rss_mb, _rows_read(home))


def incremental_refresh(bench: Bench, scale: str = "stress", days: int = 1) -> Result:
    """`days` days of us volume on top of the warehouse the `scale` full refresh left (the nightly case)."""
    home = bench.home(scale)
    if not (home / "warehouse.duckdb").exists():
        raise NotAvailable(f"needs the {scale} full refresh first")
    new = bench.root / "drops" / (f"us-one-day-for-{scale}" if days == 1 else f"us-{days}-days-for-{scale}")
    shutil.rmtree(new, ignore_errors=True)
    made = _last_json(_checked(run_measured(
        [PYTHON, "-m", "benchmarks.workers", "new-days", str(bench.drops("us")), str(new), str(days)],
        env={"PYTHONPATH": WORKER_PYTHONPATH}, cwd=REPO), "new-days drops").stdout)
    for path in new.iterdir():
        _link_drop(path, home / "inbox")
    before = _rows_read(home)
    measured = _checked(_cli(bench, home, "refresh"), "incremental refresh")
    what = "1 day" if days == 1 else f"{days} days"
    return Result(f"{scale} incremental refresh (+{what} of us)", measured.seconds, measured.peak_rss_mb,
                  _rows_read(home) - before, made)


def quiet_night(bench: Bench, scale: str = "us") -> Result:
    """A nightly refresh with nothing new in the inbox: what a night costs before any new data."""
    home = bench.home(scale)
    if not (home / "warehouse.duckdb").exists():
        raise NotAvailable(f"needs the {scale} full refresh first")
    measured = _checked(_cli(bench, home, "refresh"), "quiet night")
    return Result(f"{scale} nightly refresh, nothing new", measured.seconds, measured.peak_rss_mb, 0)


def next_release(bench: Bench, scale: str = "us") -> Result:
    """The next protected release on the warehouse the nightly cases left: the models rebuilt as released,
    suppression of the new month's cells with every earlier cell frozen, the audit with the kept release."""
    home = bench.home(scale)
    kept = sorted((home / "releases").glob("*/release.json")) if (home / "releases").exists() else []
    if not kept:
        raise NotAvailable(f"needs the {scale} full refresh (it cuts the first release) first")
    last = json.loads(kept[-1].read_text())["cutoff"]
    year, month = int(last[:4]), int(last[5:7])
    after_next = f"{year + (month + 1) // 12:04d}-{(month + 1) % 12 + 1:02d}-28"  # the month after next closed
    measured = _checked(_cli(bench, home, "release", "--as-of", after_next), f"{scale} release")
    return Result(f"{scale} next protected release (audited with the kept one)", measured.seconds,
                  measured.peak_rss_mb, 0, {"as_of": after_next, "releases_kept": len(kept) + 1})


def drop_to_dashboard(bench: Bench) -> Result:
    """Issue #5: a drop lands with the daemon running; seconds until the static dashboard lists it."""
    from benchmarks.drop_to_dashboard import measure

    home = bench.home("drop-to-dashboard")
    shutil.rmtree(home, ignore_errors=True)
    _checked(_cli(bench, home, "generate", "--scale", "mo", "--years", "3", "--seed", "7", "--quiet"), "mo generate")
    _checked(_cli(bench, home, "refresh"), "mo refresh")
    found = measure(home, bench.env(home))
    return Result("drop to updated static dashboard (mo, daemon)", found["seconds"], None, None, found)


def static_site(bench: Bench) -> Result:
    home = bench.home("stress")
    if not (home / "serving.duckdb").exists():
        raise NotAvailable("needs the stress serving database first")
    measured = _checked(_cli(bench, home, "site"), "static site")
    return Result("static site build (stress serving DB)", measured.seconds, measured.peak_rss_mb)


def briefing(bench: Bench) -> Result:
    from pipelines.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # the `lantern` subcommands
    if "briefing" not in commands:
        raise NotAvailable("`lantern briefing` does not exist yet (issue #6)")
    home = bench.home("stress")
    measured = _checked(_cli(bench, home, "briefing"), "briefing")
    return Result("briefing (stress serving DB)", measured.seconds, measured.peak_rss_mb)


def superset_chart_data(bench: Bench) -> Result:
    """Chart data latency (cold, no cache) of every published chart.

    A Superset already answering at $LANTERN_SUPERSET_URL is measured as it is. Otherwise the bench starts
    its own on loopback over the stress serving database (the venv the test suite caches; first install
    ~1 min), publishes the dashboards, measures, and stops it again."""
    base_url = os.environ.get("LANTERN_SUPERSET_URL")
    if base_url:
        try:
            urllib.request.urlopen(f"{base_url}/health", timeout=3).read()
        except OSError as error:
            raise NotAvailable(f"Superset is not up at {base_url} ({error})") from error
        from benchmarks.superset_latency import chart_data_latency

        started = time.perf_counter()
        found = chart_data_latency(base_url)
        return Result(_latency_label(found, base_url), time.perf_counter() - started, None, None, found)
    home = bench.home("stress")
    if not (home / "serving.duckdb").exists():
        raise NotAvailable("needs the stress serving database first")
    env = {**bench.env(home), "LANTERN_SUPERSET_ADMIN_PASSWORD": secrets.token_urlsafe(18)}
    env.pop("DAGSTER_HOME")
    try:
        measured = _checked(run_measured([PYTHON, "-m", "benchmarks.superset_measure", str(BENCH_SUPERSET_PORT)],
                                         env=env, cwd=REPO), "Superset start, publish and measure")
    finally:
        run_measured([PYTHON, "-m", "pipelines.cli", "superset", "down"], env=env, cwd=REPO)
    found = _last_json(measured.stdout)
    label = _latency_label(found["chart_data"], f"stress serving DB; up {found['up_s']} s, publish {found['publish_s']} s")
    return Result(label, measured.seconds, None, None, found)


def _latency_label(latency: dict, where: str) -> str:
    cold, warm = latency["cold"], latency["warm"]
    return (f"Superset chart data, {latency['charts']} charts x {latency['rounds']} ({where}): cold p50 "
            f"{cold['p50_ms']} / p95 {cold['p95_ms']} ms, warm p50 {warm['p50_ms']} ms")


def big_drop(bench: Bench) -> Result:
    home = bench.home("big-drop")
    shutil.rmtree(home, ignore_errors=True)
    measured = _checked(run_measured(
        [PYTHON, "-m", "benchmarks.workers", "big-drop", str(bench.drops("stress")), str(home),
         str(BIG_DROP_BYTES)], env=bench.env(home), cwd=REPO), "big drop")
    found = _last_json(measured.stdout)
    result = Result("1 GB drop, ~1% defective rows (ingest only)", measured.seconds, measured.peak_rss_mb,
                    found["rows"], found)
    if not found["conserved"]:
        result.status = "failed"
    return result


def bad_drops(bench: Bench) -> Result:
    """Issue #17: BAD_DROP_FILES entries of every defect class over BAD_DROP_NIGHTS refreshes beside a year of
    clean mo drops; failed unless no night crashed, every row is accounted for, no identifier is in clear
    and every night published."""
    home = bench.home("bad-drops")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    measured = _checked(run_measured(
        [PYTHON, "-m", "benchmarks.workers", "bad-drops", str(home), str(BAD_DROP_FILES),
         str(BAD_DROP_NIGHTS)], env=bench.env(home), cwd=REPO), "bad drops")
    found = _last_json(measured.stdout)
    result = Result(f"{found['files']} bad drop entries over {found['nights']} nights (mo, 1 year)",
                    measured.seconds, measured.peak_rss_mb, found["rows_read"], found)
    if (found["crashed_nights"] or found["rows_unaccounted"] or found["identifiers_in_clear"] or found["row_counts_wrong"]
            or found["entries_not_recorded"] or found["nights_published"] != found["nights"]):
        result.status = "failed"
    return result


def demo_mo(bench: Bench) -> Result:
    """The pipeline part of `make demo`: generate mo 3 years, then refresh, in a fresh home."""
    home = bench.home("demo-mo")
    shutil.rmtree(home, ignore_errors=True)
    generated = _checked(_cli(bench, home, "generate", "--scale", "mo", "--years", "3", "--seed", "7", "--quiet"),
                         "mo generate")
    refreshed = _checked(_cli(bench, home, "refresh"), "mo refresh")
    return Result("make demo pipeline part (mo, 3 years)", generated.seconds + refreshed.seconds,
                  max(generated.peak_rss_mb, refreshed.peak_rss_mb), _rows_read(home),
                  {"generate_seconds": round(generated.seconds, 1), "refresh_seconds": round(refreshed.seconds, 1)})


def _panel_utility(home: Path) -> list[dict] | None:
    """The headline panels of the latest release in `home`, at the grain each is shown (internal figures)."""
    from dashboards.release import kept_releases
    from dashboards.release.utility import release_panel_utility

    kept = kept_releases(home) if (home / "releases").exists() else []
    if not kept or not (home / "warehouse.duckdb").exists():
        return None
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        measured = release_panel_utility(con, kept[-1].release_id)
    if measured is None:
        return None
    return [{"release": kept[-1].release_id, **{k: row[k] for k in (
        "panel", "grain", "rollup", "cells", "cells_hidden_pct", "mass_hidden_pct", "other_pct", "reason")}}
        for row in measured.filter(measured["chosen"]).iter_rows(named=True)]


def utility(bench: Bench) -> Result:
    """Issue #15: per headline panel of the latest release, at the grain shown, the cells hidden and the share
    of the true count in hidden cells, at mo (the demo case's home) and us scale (the us homes)."""
    found = {scale: _panel_utility(bench.home(name)) for scale, name in (("mo", "demo-mo"), ("us", "us"))}
    if not any(found.values()):
        raise NotAvailable("needs the demo_mo or us_full_refresh case first")
    rows = sum(len(v) for v in found.values() if v)
    return Result("protected utility per headline panel (mo demo, us)", None, None, rows,
                  {scale: panels for scale, panels in found.items() if panels})


LINKAGE_RUNS = (("mo", 1.0), ("mo", 2.0), ("us", 1.0), ("us", 2.0))  # scale, identifier noise (x the usual)
LINKAGE_SWEEP = "0.6,0.65,0.7,0.75,0.8,0.85"  # thresholds measured on mo, usual noise (docs/linkage.md)
# Stated floors (tests/test_linkage.py holds the same for mo): usual noise / heavier noise.
LINKAGE_FLOORS = {1.0: {"precision": 0.93, "recall": 0.60, "f1": 0.75}, 2.0: {"precision": 0.90, "recall": 0.30,
                                                                              "f1": 0.45}}


def linkage_quality(bench: Bench, scale: str, noise: float) -> Result:
    """Issue #18: pairwise precision / recall / F1 of the situations linkage forms from tokens, against the
    generator's truth; the time is the linkage alone (generation is reported beside it)."""
    folder = bench.root / "linkage" / f"{scale}-x{noise:g}"
    args = [PYTHON, "-m", "benchmarks.linkage", scale, str(noise), str(folder)]
    if (scale, noise) == ("mo", 1.0):
        args.append(LINKAGE_SWEEP)
    measured = _checked(run_measured(args, env={"PYTHONPATH": WORKER_PYTHONPATH}, cwd=REPO), f"linkage {scale}")
    found = _last_json(measured.stdout)
    q = found["at_threshold"]
    label = (f"linkage quality {scale}, noise x{noise:g} (threshold {found['threshold']:.2f}): precision "
             f"{q['precision']:.3f}, recall {q['recall']:.3f}, F1 {q['f1']:.3f}; {q['linked_share']:.0%} of agency "
             f"situations joined across agencies (link {found['link_seconds']:.1f} s, generate "
             f"{found['generate_seconds']:.1f} s)")
    result = Result(label, found["link_seconds"], measured.peak_rss_mb, q["agency_situations"], found)
    floors = LINKAGE_FLOORS[noise]
    if any(q[k] < v for k, v in floors.items()):
        result.status = "failed"
    return result


CASES: list[tuple[str, Callable[[Bench], Result]]] = [
    ("generate_us", lambda b: generate_drops(b, "us")),
    ("generate_stress", lambda b: generate_drops(b, "stress")),
    ("demo_mo", demo_mo),
    ("us_full_refresh", lambda b: full_refresh(b, "us")),
    ("stress_floor", lambda b: read_floor(b, "stress")),
    ("stress_full_refresh", lambda b: full_refresh(b, "stress")),
    ("us_incremental", lambda b: incremental_refresh(b, "us")),
    ("us_quiet_night", quiet_night),
    ("us_week", lambda b: incremental_refresh(b, "us", days=7)),
    ("us_release", next_release),
    ("utility", utility),
    ("stress_incremental", incremental_refresh),
    ("drop_to_dashboard", drop_to_dashboard),
    ("static_site", static_site),
    ("briefing", briefing),
    ("superset_chart_data", superset_chart_data),
    ("big_drop", big_drop),
    ("bad_drops", bad_drops),
    *((f"linkage_{scale}_x{noise:g}", lambda b, s=scale, n=noise: linkage_quality(b, s, n))
      for scale, noise in LINKAGE_RUNS),
]


# ---- targets and report ------------------------------------------------------------------------------

def targets(results: dict[str, Result]) -> list[dict]:
    def seconds(name: str) -> float | None:
        found = results.get(name)
        return found.seconds if found and found.status == "ok" else None

    rows = []
    full, floor, incremental = seconds("stress_full_refresh"), seconds("stress_floor"), seconds("stress_incremental")
    rows.append({"target": "stress full refresh <= 2x DuckDB read floor",
                 "measured": f"{full / floor:.1f}x ({full:.0f} s / {floor:.1f} s)" if full and floor else "n/a",
                 "met": bool(full and floor and full <= 2 * floor)})
    us_full, us_night = seconds("us_full_refresh"), seconds("us_incremental")
    rows.append({"target": "us nightly run (+1 day) <= 3% of the us full rebuild (issue #5; #8's ratio; since #14 "
                           "the nightly suppresses nothing, the full rebuild cuts the first release)",
                 "measured": f"{100 * us_night / us_full:.1f}% ({us_night:.1f} s / {us_full:.0f} s)"
                 if us_full and us_night else "n/a",
                 "met": bool(us_full and us_night and us_night <= 0.03 * us_full)})
    quiet, week = seconds("us_quiet_night"), seconds("us_week")
    rows.append({"target": "us nightly cost follows the new data: nothing new / +1 day / +7 days (issue #5; no target)",
                 "measured": " / ".join(f"{v:.1f} s" if v else "n/a" for v in (quiet, us_night, week))
                 if quiet or us_night or week else "n/a",
                 "met": None})
    drop = seconds("drop_to_dashboard")
    rows.append({"target": "drop to updated dashboard at mo scale (issue #5 asks for the figure; no target)",
                 "measured": f"{drop:.0f} s" if drop else "n/a", "met": None})
    rows.append({"target": "incremental nightly <= 3% of full refresh",
                 "measured": f"{100 * incremental / full:.1f}% ({incremental:.1f} s / {full:.0f} s)"
                 if full and incremental else "n/a",
                 "met": bool(full and incremental and incremental <= 0.03 * full)})
    stress_cases = [r for k, r in results.items() if (k.startswith("stress_") or k in ("static_site", "big_drop"))
                    and r.status == "ok" and r.peak_rss_mb]
    peak = max((r.peak_rss_mb for r in stress_cases), default=None)
    rows.append({"target": "peak memory <= 4 GB at stress scale",
                 "measured": f"{peak:,.0f} MB (largest stress case)" if peak else "n/a",
                 "met": peak <= MEMORY_TARGET_MB if peak else None})
    demo = seconds("demo_mo")
    rows.append({"target": "make demo pipeline part < 60 s (mo)", "measured": f"{demo:.1f} s" if demo else "n/a",
                 "met": bool(demo and demo < 60)})
    panels = (results.get("utility").detail.get("mo") if results.get("utility") else None) or []
    worst = max(panels, key=lambda p: p["mass_hidden_pct"] if p["mass_hidden_pct"] is not None else 101, default=None)
    over = [p["panel"] for p in panels if p["mass_hidden_pct"] is None or p["mass_hidden_pct"] > 10]
    rows.append({"target": "every headline panel <= 10% of its count hidden at mo scale (issue #15)",
                 "measured": (f"{len(panels) - len(over)} of {len(panels)} panels; over: {', '.join(over) or 'none'}"
                              f" (worst {worst['mass_hidden_pct']}%)") if worst else "n/a",
                 "met": (not over) if panels else None})
    big = results.get("big_drop")
    rows.append({"target": "1 GB drop, 1% defective: bounded memory, every row loaded or quarantined",
                 "measured": f"{big.peak_rss_mb:,.0f} MB, conserved={big.detail.get('conserved')}" if big and
                 big.peak_rss_mb else "n/a",
                 "met": bool(big and big.status == "ok" and (big.peak_rss_mb or 0) <= MEMORY_TARGET_MB)})
    for scale, noise in LINKAGE_RUNS:
        found = results.get(f"linkage_{scale}_x{noise:g}")
        q = found.detail.get("at_threshold") if found and found.detail else None
        floors = LINKAGE_FLOORS[noise]
        rows.append({"target": f"linkage {scale}, noise x{noise:g}: precision >= {floors['precision']}, recall >= "
                               f"{floors['recall']}, F1 >= {floors['f1']} (issue #18)",
                     "measured": f"P {q['precision']:.3f} / R {q['recall']:.3f} / F1 {q['f1']:.3f}" if q else "n/a",
                     "met": bool(q and all(q[k] >= v for k, v in floors.items())) if q else None})
    return rows


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "duckdb_memory_limit": os.environ.get("LANTERN_DUCKDB_MEMORY_LIMIT", "2GB (default)")}


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"Last run finished {report['finished_at']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, "
             f"{m['os']}, Python {m['python']}, DuckDB {m['duckdb']} (memory_limit {m['duckdb_memory_limit']}); "
             "each case shows when it was measured (`--only` runs keep the other cases' results).", "",
             "| case | status | measured | wall s | peak RSS MB | rows | rows/s |", "|---|---|---|---:|---:|---:|---:|"]
    for r in report["results"]:
        def fmt(value, spec):
            return format(value, spec) if value is not None else ""
        measured = (r.get("measured_at") or "").replace("T", " ").removesuffix("+00:00")
        lines.append(f"| {r['case']} | {r['status']} | {measured} | {fmt(r['seconds'], '.1f')} "
                     f"| {fmt(r['peak_rss_mb'], ',.0f')} | {fmt(r['rows'], ',')} | {fmt(r['rows_per_second'], ',')} |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | "
              f"{'not measured' if t['measured'] == 'n/a' else 'no target' if t['met'] is None else 'yes' if t['met'] else 'NO'} |" for t in report["targets"]]
    found = next((r for r in report["results"] if r.get("name") == "utility" and r.get("status") == "ok"), None)
    for scale, panels in ((found or {}).get("detail") or {}).items():
        lines += ["", f"Headline panels, {scale} scale, release {panels[0]['release']}, at the grain shown "
                      "(docs/disclosure-control.md, \"Utility and the grain each panel shows\"):", "",
                  "| panel | grain | cells | cells hidden % | count hidden % | in \"other\" % | why |",
                  "|---|---|---:|---:|---:|---:|---|"]
        for p in panels:
            def pct(value):
                return "" if value is None else f"{value:.1f}"
            lines.append(f"| {p['panel']} | {p['grain']}{' (rolled up)' if p['rollup'] == 'other' else ''} "
                         f"| {p['cells']:,} | {pct(p['cells_hidden_pct'])} | {pct(p['mass_hidden_pct'])} "
                         f"| {pct(p['other_pct'])} | {p['reason']} |")
    return "\n".join(lines)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def previous_results(results_json: Path) -> dict[str, Result]:
    """The results an earlier run wrote, by case name, so a partial run replaces only its own cases."""
    if not results_json.exists():
        return {}
    report = json.loads(results_json.read_text(encoding="utf-8"))
    known = {f.name for f in fields(Result)}
    found: dict[str, Result] = {}
    for entry in report.get("results", []):
        result = Result(**{k: v for k, v in entry.items() if k in known})
        # files written before results carried these: the case label stands in for the name, the run's end
        # for the time
        result.measured_at = result.measured_at or report.get("finished_at")
        found[entry.get("name") or entry["case"]] = result
    return found


def _in_case_order(results: dict[str, Result]) -> list[tuple[str, Result]]:
    """CASES order, then older entries no current case replaced (a label-keyed result of the same case is)."""
    names = [name for name, _ in CASES]
    current = [(n, results[n]) for n in names if n in results]
    labels = {r.case for _, r in current}
    return current + [(n, r) for n, r in results.items() if n not in names and r.case not in labels]


def write_report(bench: Bench, started: str, benchmarks_md: Path = BENCHMARKS_MD) -> dict:
    ordered = _in_case_order(bench.results)
    report = {
        "started_at": started, "finished_at": _now(),
        "machine": machine(),
        "results": [{"name": name, **asdict(r), "rows_per_second": r.rows_per_second} for name, r in ordered],
        "targets": targets(bench.results),
    }
    (bench.root / "results.json").write_text(json.dumps(report, indent=2, default=str))
    text = benchmarks_md.read_text(encoding="utf-8") if benchmarks_md.exists() else f"# Benchmarks\n\n{START_MARK}\n{END_MARK}\n"
    head, rest = text.split(START_MARK, 1)
    tail = rest.split(END_MARK, 1)[1]
    benchmarks_md.write_text(f"{head}{START_MARK}\n{markdown(report)}\n{END_MARK}{tail}", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=[name for name, _ in CASES], help="run only these cases")
    args = parser.parse_args(argv)
    bench = Bench(lantern_paths().home / "bench")
    bench.root.mkdir(parents=True, exist_ok=True)
    bench.results = previous_results(bench.root / "results.json")
    started = _now()
    failures = 0
    for name, case in CASES:
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", flush=True)
        try:
            result = case(bench)
        except NotAvailable as reason:
            result = Result(name, status="not available yet", detail={"reason": str(reason)})
        except Exception as error:  # one broken case must not hide the others' figures
            result = Result(name, status="failed", detail={"error": str(error)[-2000:]})
            failures += 1
        result.measured_at = _now()
        bench.results[name] = result
        print(f"  {result.status}: {result.seconds and round(result.seconds, 1)} s, {result.peak_rss_mb} MB, "
              f"{result.rows} rows {result.detail if result.status != 'ok' else ''}", flush=True)
        write_report(bench, started)  # after each case: a long run interrupted still leaves its figures
    report = write_report(bench, started)
    print(markdown(report))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
