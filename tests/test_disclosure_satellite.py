"""Satellite tables (Polaris venue type within sector): protected on their own against the parent totals the
main set shows; the audit catches a hidden venue cell recoverable from a shown total and a venue cell shown
under a total the main set hides."""

from __future__ import annotations

import polars as pl

from dashboards.disclosure.satellite import Satellite, audit_satellite, protect

K = 11
NESTING = pl.DataFrame({"venue_type": ["a1", "a2", "a3", "b1", "b2"], "sector_code": ["A", "A", "A", "B", "B"]})
VENUES = Satellite("venue_yearly", child="venue_type", parent="sector_code", keys=("year",), counts=("signals",),
                   nesting=NESTING)


def true_detail() -> pl.DataFrame:
    return pl.DataFrame({
        "year": [2024] * 5 + [2025] * 5,
        "venue_type": ["a1", "a2", "a3", "b1", "b2"] * 2,
        "venue_name": [f"Venue {v}" for v in ["a1", "a2", "a3", "b1", "b2"] * 2],
        "signals": [40, 25, 3, 30, 22, 50, 0, 14, 6, 12],
    })


def parents(detail: pl.DataFrame) -> pl.DataFrame:
    return (detail.join(NESTING, on="venue_type").group_by("year", "sector_code").agg(pl.col("signals").sum())
            .sort("year", "sector_code"))


def shown_by_main(detail: pl.DataFrame) -> pl.DataFrame:
    """The main set hides sector B in 2025 (say one of its quarters is suppressed there)."""
    shown = parents(detail)
    hidden = (pl.col("year") == 2025) & (pl.col("sector_code") == "B")
    return shown.with_columns(pl.when(hidden).then(None).otherwise(pl.col("signals")).alias("signals"))


def protected() -> pl.DataFrame:
    detail = true_detail()
    return protect(VENUES, detail, parents(detail), shown_by_main(detail), K)


def test_protected_satellite_shows_no_small_count_hides_all_under_an_unknown_parent_and_passes():
    out = protected()
    assert out.columns[:5] == ["year", "venue_type", "venue_name", "signals", "signals_suppressed"]
    assert out.filter(pl.col("signals").is_between(1, K - 1)).height == 0
    under_hidden = out.filter((pl.col("year") == 2025) & pl.col("venue_type").is_in(["b1", "b2"]))
    assert under_hidden["signals_suppressed"].all()
    a3_2024 = out.filter((pl.col("year") == 2024) & (pl.col("venue_type") == "a3"))
    assert a3_2024["signals_suppressed"].item()  # primary
    # ... and a partner, or a3 = total - a1 - a2
    assert out.filter((pl.col("year") == 2024) & pl.col("venue_type").is_in(["a1", "a2"]))["signals_suppressed"].any()
    report = audit_satellite(VENUES, out, shown_by_main(true_detail()), K)
    assert report.passed, report.summary()


def test_audit_catches_a_hidden_venue_recoverable_from_its_shown_sector_total():
    out = protected().with_columns(  # publish every venue of sector A in 2024 but a3
        pl.when((pl.col("year") == 2024) & pl.col("venue_type").is_in(["a1", "a2"]))
        .then(true_detail()["signals"]).otherwise(pl.col("signals")).alias("signals"))
    out = out.with_columns(pl.col("signals").is_null().alias("signals_suppressed"))
    report = audit_satellite(VENUES, out, shown_by_main(true_detail()), K)
    assert not report.passed
    assert any("venue_type=a3" in key and "2024" in key for key in report.failures["key"].to_list())


def test_audit_catches_a_venue_shown_under_a_sector_total_the_main_set_hides():
    b2_2025 = (pl.col("year") == 2025) & (pl.col("venue_type") == "b2")
    out = protected().with_columns(pl.when(b2_2025).then(12).otherwise(pl.col("signals")).alias("signals"))
    out = out.with_columns(pl.col("signals").is_null().alias("signals_suppressed"))
    report = audit_satellite(VENUES, out, shown_by_main(true_detail()), K)
    assert not report.passed
    assert "shown under a parent total the main set does not give" in report.failures["reason"].to_list()


def test_a_satellite_that_does_not_add_up_to_its_parents_is_refused():
    detail = true_detail()
    wrong = parents(detail).with_columns(pl.col("signals") + 1)
    try:
        protect(VENUES, detail, wrong, wrong, K)
    except ValueError as error:
        assert "does not add up" in str(error)
    else:
        raise AssertionError("an inconsistent satellite was protected")
