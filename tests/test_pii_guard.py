"""Identifier guard: leak corpus must be caught, clean notes must pass, masks must not leak."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import polars as pl
import pytest
import yaml

from sources.pii import RULES, PiiHit, mask_column, mask_text, scan_frame, scan_text
from sources.pii.normalize import normalize

FIXTURES = Path(__file__).parent / "fixtures"
LEAKS = yaml.safe_load((FIXTURES / "pii_leaks.yaml").read_text(encoding="utf-8"))
CLEAN = yaml.safe_load((FIXTURES / "pii_clean.yaml").read_text(encoding="utf-8"))


def _alnum(text: str) -> str:
    """Digits and letters only, folded like the scanner folds them (so '８１６' compares as '816')."""
    return re.sub(r"[\W_]", "", normalize(text)[0]).lower()


def _covering(case: dict) -> PiiHit | None:
    text = case["text"]
    start = text.index(case["pii"])
    end = start + len(case["pii"])
    hits = scan_text(text)
    return next((h for h in hits if h.rule == case["rule"] and h.start <= start and h.end >= end), None)


def test_leak_corpus_shape():
    assert len(LEAKS) >= 150
    assert {c["rule"] for c in LEAKS} == set(RULES)
    for case in LEAKS:
        assert case["pii"] in case["text"], case


def test_leak_corpus_detection_rate_is_100_percent():
    missed = [c for c in LEAKS if _covering(c) is None]
    rate = 1 - len(missed) / len(LEAKS)
    print(f"\nleak corpus: {len(LEAKS)} cases, detection rate {rate:.1%}")
    assert not missed, "\n".join(f"{c['rule']}: {c['text']!r} -> {scan_text(c['text'])}" for c in missed)


def test_clean_corpus_false_positive_rate_is_zero():
    assert len(CLEAN) >= 150
    flagged = {note: scan_text(note) for note in CLEAN if scan_text(note)}
    print(f"\nclean corpus: {len(CLEAN)} notes, false-positive rate {len(flagged) / len(CLEAN):.1%}")
    assert not flagged, "\n".join(
        f"{note!r}: {[(h.rule, note[h.start:h.end]) for h in hits]}" for note, hits in flagged.items()
    )


@pytest.mark.parametrize("case", LEAKS, ids=lambda c: f"{c['rule']}:{c['pii']}")
def test_mask_never_contains_the_identifier(case):
    masked = mask_text(case["text"])
    assert f"[{case['rule']}]" in masked
    assert _alnum(case["pii"]) not in _alnum(masked)
    assert len(masked) <= 82  # ~80 chars plus the ellipses


def test_mask_excerpt_centres_on_first_hit_and_masks_all_hits():
    text = "x" * 150 + " callback 816-555-0142 and jane.doe@example.org " + "y" * 150
    masked = mask_text(text)
    assert masked.startswith("…") and masked.endswith("…")
    assert "[phone]" in masked and "[email]" in masked
    assert "8165550142" not in _alnum(masked) and "example" not in masked


def test_mask_with_given_hits_and_no_hits():
    text = "call 816-555-0142"
    assert mask_text(text, [PiiHit("phone", 5, 17)]) == "call [phone]"
    assert mask_text("referred to shelter") == "referred to shelter"


def test_hits_point_into_the_original_string():
    text = "tel ８１６-５５５-０１４２ ok"
    (hit,) = scan_text(text)
    assert (hit.rule, text[hit.start : hit.end]) == ("phone", "８１６-５５５-０１４２")
    text = "zero\u200bwidth 816\u200b555\u200b0142!"
    (hit,) = scan_text(text)
    assert text[hit.start : hit.end] == "816\u200b555\u200b0142"


@pytest.mark.parametrize(
    "text",
    [
        "3f2a9c0e5b7d4e1f8a6c2b9d0e7f1a3c5b8d2e4f6a1c3e5b7d9f0a2c4e6b8d1f",  # linkage key
        "a8165550142b",  # digits inside a hex token
        "S-2025-000123",
        "R-2025004711",
        "2500.00",
        "29095",
        "123456789",  # unlabelled 9 digits: could be anything
        "2025-03-14",
        "",
    ],
)
def test_other_contract_values_are_clean(text):
    assert scan_text(text) == []


def test_scan_frame_small():
    frame = pl.DataFrame(
        {
            "notes": ["referred to shelter", None, "DOB 03/14/2007, cell 816-555-0142", "IG: jane_doe_99"],
            "signal_id": ["S-2025-000001", "S-2025-000002", "S-2025-000003", "jane@example.org"],
            "people_count": [1, 8165550142, 2, 3],
        }
    )
    got = scan_frame(frame, ["notes", "signal_id", "people_count"])
    assert got.schema == pl.Schema({"row_index": pl.UInt32, "column": pl.String, "rule": pl.String})
    assert got.rows() == [
        (1, "people_count", "phone"),
        (2, "notes", "date_of_birth"),  # first hit in the cell
        (3, "notes", "social_handle"),
        (3, "signal_id", "email"),
    ]
    empty = scan_frame(frame.head(2), ["notes", "signal_id"])
    assert empty.height == 0 and empty.schema == got.schema


def _hex_key(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


@pytest.mark.pipeline
def test_scan_frame_million_rows_finds_planted_hits_exactly():
    n = 1_000_000
    rng = random.Random(20250314)
    # Clean notes, made mostly distinct (as real free text is) so the per-value cache cannot hide cost.
    notes = [f"{CLEAN[i % len(CLEAN)]} (visit {i % 9973})" for i in range(n)]
    keys_pool = [_hex_key(rng) for _ in range(20_000)]
    keys = [keys_pool[i % len(keys_pool)] for i in range(n)]
    ids = [f"S-2025-{i % 1_000_000:06d}" for i in range(n)]
    expected = set()
    for row in rng.sample(range(n), 300):
        case = LEAKS[row % len(LEAKS)]
        column = "notes" if row % 5 else "signal_id"
        (notes if column == "notes" else ids)[row] = case["text"]
        expected.add((row, column, scan_text(case["text"])[0].rule))
    frame = pl.DataFrame({"notes": notes, "linkage_key": keys, "signal_id": ids})

    started = time.perf_counter()
    got = scan_frame(frame, ["notes", "linkage_key", "signal_id"])
    elapsed = time.perf_counter() - started
    cells = n * 3
    print(f"\nscan_frame: {n:,} rows x 3 columns in {elapsed:.2f}s ({cells / elapsed:,.0f} cells/s), {got.height} hits")

    assert set(got.iter_rows()) == expected
    assert got.get_column("row_index").dtype == pl.UInt32


def test_mask_column_masks_like_mask_text_value_by_value():
    # mask_column scans only what the Polars prefilters pass; the result must still be, value for value,
    # what masking each value on its own gives (every leak masked, clean text and nulls untouched).
    values = [c["text"] for c in LEAKS] + CLEAN + [None, "", "2025-03-14", "S-2025-000123"]
    values += [c["text"] for c in LEAKS[:20]]  # repeats: distinct values are scanned once
    got = mask_column(pl.Series("notes", values, dtype=pl.String))
    expected = [None if v is None else (mask_text(v) if scan_text(v) else v) for v in values]
    assert got.name == "notes"
    assert got.to_list() == expected
    assert sum(g != v for g, v in zip(got.to_list(), values)) >= len(LEAKS) + 20


def test_scan_frame_prefilter_loses_nothing_on_the_corpora():
    # The Polars prefilter must be a superset of the Python detectors: every leak row is found, with
    # the same first rule scan_text gives, and no clean row is.
    variants = [c["text"] for c in LEAKS]
    variants += [t.upper() for t in variants] + [t.replace(" ", "  ") for t in variants]
    variants += ["ssn900123456", "P.O.Box123", "POB 12", "d. o. b. 03/14/2007", "call8165550142"]
    frame = pl.DataFrame({"text": variants + CLEAN})
    got = scan_frame(frame, ["text"])
    expected = [(i, "text", hits[0].rule) for i, t in enumerate(variants + CLEAN) if (hits := scan_text(t))]
    assert got.rows() == expected
    assert {i for i, _, _ in expected} == set(range(len(variants)))
