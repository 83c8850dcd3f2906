"""`python -m benchmarks.bench --only CASE` adds to earlier results instead of replacing the table."""

from __future__ import annotations

import json

from benchmarks.bench import END_MARK, START_MARK, Bench, Result, previous_results, write_report


def test_a_partial_run_keeps_the_other_cases_results(tmp_path):
    markdown = tmp_path / "BENCHMARKS.md"
    markdown.write_text(f"# Benchmarks\n\nprose before\n\n{START_MARK}\nold table\n{END_MARK}\n\nprose after\n")
    first = Bench(tmp_path)
    first.results = {
        "stress_floor": Result("stress DuckDB read floor", 40.0, 206, 13_976_456, measured_at="2026-11-01T10:00:00+00:00"),
        "demo_mo": Result("make demo pipeline part (mo, 3 years)", 34.6, 900, 5_106, measured_at="2026-11-01T10:05:00+00:00"),
    }
    write_report(first, "2026-11-01T09:59:00+00:00", markdown)

    second = Bench(tmp_path)  # `--only stress_full_refresh`
    second.results = previous_results(tmp_path / "results.json")
    second.results["stress_full_refresh"] = Result("stress full refresh", 70.0, 2_000, 13_976_456,
                                                   measured_at="2026-11-22T12:00:00+00:00")
    report = write_report(second, "2026-11-22T11:58:00+00:00", markdown)

    saved = json.loads((tmp_path / "results.json").read_text())
    assert [(r["name"], r["measured_at"]) for r in saved["results"]] == [
        ("demo_mo", "2026-11-01T10:05:00+00:00"),
        ("stress_floor", "2026-11-01T10:00:00+00:00"),
        ("stress_full_refresh", "2026-11-22T12:00:00+00:00"),
    ]
    assert report["targets"][0]["measured"] == "1.8x (70 s / 40.0 s)"  # the ratio uses the kept floor
    assert report["targets"][0]["met"] is True
    text = markdown.read_text()
    assert "old table" not in text and text.startswith("# Benchmarks\n\nprose before") and "prose after" in text
    table = text.split(START_MARK)[1].split(END_MARK)[0]
    assert "| stress DuckDB read floor | ok | 2026-11-01 10:00:00 | 40.0 |" in table
    assert "| stress full refresh | ok | 2026-11-22 12:00:00 | 70.0 |" in table
    assert "| make demo pipeline part (mo, 3 years) | ok | 2026-11-01 10:05:00 |" in table


def test_results_written_before_cases_carried_names_are_kept_under_their_label(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({
        "finished_at": "2026-10-01T08:00:00+00:00",
        "results": [{"case": "stress DuckDB read floor", "seconds": 41.0, "peak_rss_mb": 200, "rows": 10,
                     "detail": {}, "status": "ok", "rows_per_second": 0}],
    }))
    kept = previous_results(tmp_path / "results.json")
    assert list(kept) == ["stress DuckDB read floor"]
    assert kept["stress DuckDB read floor"].measured_at == "2026-10-01T08:00:00+00:00"

    bench = Bench(tmp_path)
    bench.results = {**kept, "stress_floor": Result("stress DuckDB read floor", 39.0, 190, 10,
                                                    measured_at="2026-11-22T12:00:00+00:00")}
    report = write_report(bench, "2026-11-22T11:59:00+00:00", tmp_path / "BENCHMARKS.md")
    assert [(r["name"], r["seconds"]) for r in report["results"]] == [("stress_floor", 39.0)]  # replaced, not doubled
