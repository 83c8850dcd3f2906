"""Realistic mistakes agencies make, planted in a known share of rows so quarantine counts can be checked.

Each planted row gets exactly one defect; the kinds and their exact forms are listed here and counted in
the GenerationSummary. A whole file sent twice (`resent_file`) is planted by the writer.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from sources.generator.sampling import choose

ROW_DEFECTS = {  # kind -> relative weight, per feed
    "hotline_signals": {"duplicate_row": 20, "late_arrival": 15, "unknown_code": 20, "invalid_date": 10,
                        "future_date": 10, "phone_in_notes": 15, "empty_required": 10},
    "referrals": {"duplicate_row": 20, "late_arrival": 15, "unknown_code": 15, "invalid_date": 8,
                  "future_date": 7, "date_order": 10, "phone_in_notes": 15, "empty_required": 10},
    "case_outcomes": {"duplicate_row": 20, "late_arrival": 15, "unknown_code": 20, "invalid_date": 10,
                      "future_date": 10, "phone_in_notes": 15, "empty_required": 10},
}
EVENT_DATE = {"hotline_signals": "received_date", "referrals": "referral_date", "case_outcomes": "event_date"}
# Codes that look right to a person but are not in code_lists.yaml.
UNKNOWN_CODES = {
    "hotline_signals": (("trafficking_type", "sex trafficking"), ("venue_type", "motel")),
    "referrals": (("service", "counseling"), ("status", "approved")),
    "case_outcomes": (("event_type", "convicted"), ("event_type", "plea deal")),
}
EMPTY_REQUIRED = {
    "hotline_signals": ("contact_method", "trafficking_type", "is_case", "received_date"),
    "referrals": ("service", "status", "referring_org_id", "referral_date"),
    "case_outcomes": ("event_type", "event_date"),
}
IMPOSSIBLE_DAYS = ("02-30", "02-31", "04-31", "06-31", "09-31", "11-31")
FUTURE_YEARS = (5, 30)  # typed years this far past the run's end are in the future whenever ingest runs
AREA_CODES = ("816", "314", "417", "573", "636", "660")
PHONE_FORMS = ("call her at {a}-555-01{n}", "reached him at ({a}) 555-01{n}", "text {a}.555.01{n} after work")
LATE_BY_MONTHS = (1, 3)


def plant(feed: str, frame: pl.DataFrame, rate: float, last_month: int, end_year: int,
          rng: np.random.Generator) -> tuple[pl.DataFrame, Counter]:
    """Return the frame with defects planted in ~rate of its rows, and the count per kind."""
    counts: Counter = Counter()
    n = frame.height
    if rate <= 0 or n == 0:
        return frame, counts
    k = int(rng.binomial(n, min(rate, 1.0)))
    if k == 0:
        return frame, counts
    rows = np.sort(rng.choice(n, size=k, replace=False))
    table = ROW_DEFECTS[feed]
    kinds = np.array(list(table))[choose(list(table.values()), k, rng)]
    month = frame["_month"].to_numpy()
    # A row already in the last month's file cannot arrive later: duplicate it instead.
    kinds = np.where((kinds == "late_arrival") & (month[rows] >= last_month), "duplicate_row", kinds)

    edits: dict[str, tuple[list[int], list]] = {}

    def edit(column: str, at: int, value) -> None:
        edits.setdefault(column, ([], []))
        edits[column][0].append(at)
        edits[column][1].append(value)

    date_col = EVENT_DATE[feed]
    dates = frame[date_col].to_list()
    duplicates = []
    for at, kind in zip(rows.tolist(), kinds.tolist()):
        counts[kind] += 1
        if kind == "duplicate_row":
            duplicates.append(at)
        elif kind == "late_arrival":
            edit("_month", at, int(min(month[at] + rng.integers(LATE_BY_MONTHS[0], LATE_BY_MONTHS[1] + 1), last_month)))
        elif kind == "unknown_code":
            column, value = UNKNOWN_CODES[feed][rng.integers(len(UNKNOWN_CODES[feed]))]
            edit(column, at, value)
        elif kind == "invalid_date":
            edit(date_col, at, f"{dates[at][:4]}-{IMPOSSIBLE_DAYS[rng.integers(len(IMPOSSIBLE_DAYS))]}")
        elif kind == "future_date":
            year = end_year + int(rng.integers(FUTURE_YEARS[0], FUTURE_YEARS[1] + 1))
            month_day = dates[at][5:].replace("02-29", "02-28")
            edit(date_col, at, f"{year}-{month_day}")
        elif kind == "date_order":  # service started before the referral was made
            day = np.datetime64(dates[at]) - np.timedelta64(int(rng.integers(1, 15)), "D")
            edit("service_start_date", at, str(day))
        elif kind == "phone_in_notes":
            form = PHONE_FORMS[rng.integers(len(PHONE_FORMS))]
            edit("notes", at, form.format(a=AREA_CODES[rng.integers(len(AREA_CODES))], n=f"{rng.integers(100):02d}"))
        elif kind == "empty_required":
            edit(EMPTY_REQUIRED[feed][rng.integers(len(EMPTY_REQUIRED[feed]))], at, None)

    columns = []
    for name in frame.columns:
        series = frame[name]
        if name in edits:
            at, values = edits[name]
            series = series.scatter(at, pl.Series(values, dtype=series.dtype))
        columns.append(series)
    frame = pl.DataFrame(columns)
    if duplicates:
        frame = pl.concat([frame, frame[duplicates]])
    return frame, counts
