"""The identifier guard measured through real ingest: false positives on clean Missouri-scale drops, and
detection of a leak corpus planted into every text-bearing contract field of real drop files."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from sources.contracts import all_contracts
from sources.generator import generate
from sources.inbox import list_inbox
from sources.ingest import ingest_files
from sources.ingest.validator import ValidationContext
from sources.ingest.warehouse_tables import ensure_raw_schema
from sources.pii.normalize import normalize
from sources.reference import counties, organisations

PIPELINE_FIXTURES = {'planted', 'clean_mo'}  # they run the real pipeline: tests using them are in the slow tier

LEAKS = yaml.safe_load((Path(__file__).parent / "fixtures" / "pii_leaks.yaml").read_text(encoding="utf-8"))
TEXT_BEARING = ("text", "identifier", "linkage_key")  # contract column types an agency writes free-form into
# Ceiling for the measured false-positive rate on clean data (rows with text); today it is 0.
MAX_FALSE_POSITIVE_RATE = 0.001
# Record ids are checked by shape (sources/ingest/validator.py `_ID_SHAPED_LIKE`: formatted phone, SSN, or
# a number glued to a cue word). Misses that remain are written down here and in docs/security.md
# (residual risks); a change to the id check makes this test fail until the list is updated.
KNOWN_ID_GAPS: list[tuple[str, str, str]] = []


def _context() -> tuple[ValidationContext, dict[str, set[str]]]:
    context = ValidationContext(date.today(), frozenset(counties()["fips"]), frozenset(organisations()["org_id"]))
    feeds = {r["org_id"]: set(r["sends_feeds"].split(";")) for r in organisations().iter_rows(named=True)}
    return context, feeds


def _ingest(inbox: Path, warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con, list(all_contracts().values()))
    context, feeds = _context()
    ingest_files(con, list(list_inbox(inbox).agency_drops), context, feeds, run_id="security-test")
    return con


# --- variants: the corpus as sent, in mixed case, with unicode digits, with zero-width splits ----------
_FULLWIDTH = {ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}
_ARABIC_INDIC = {ord(d): chr(0x0660 + int(d)) for d in "0123456789"}


def _alternating_case(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


VARIANTS = {
    "as_sent": lambda t: t,
    "mixed_case": _alternating_case,
    "fullwidth_digits": lambda t: t.translate(_FULLWIDTH),
    "arabic_indic_digits": lambda t: t.translate(_ARABIC_INDIC),
    "zero_width_split": lambda t: re.sub(r"(\d)(?=\d)", "\\1\u200b", t),
}


def _cases() -> list[dict]:
    cases = []
    for variant, change in VARIANTS.items():
        for leak in LEAKS:
            if variant != "as_sent" and change(leak["text"]) == leak["text"]:
                continue  # the variant does not apply (no digits to replace, case already mixed)
            cases.append({"variant": variant, "rule": leak["rule"], "text": change(leak["text"]),
                          "pii": change(leak["pii"])})
    return cases


CASES = _cases()


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]", "", normalize(text)[0]).lower()


@pytest.fixture(scope="module")
def clean_mo(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("clean_mo")
    generate(root / "inbox", scale="mo", years=3, seed=7, defect_rate=0.0)
    con = _ingest(root / "inbox", root / "warehouse.duckdb")
    yield con, root
    con.close()


def test_false_positive_rate_on_clean_missouri_scale_drops(clean_mo) -> None:
    con, _ = clean_mo
    rows_with_text = 0
    rows = 0
    for feed, contract in all_contracts().items():
        if feed not in ("hotline_signals", "referrals", "case_outcomes"):
            continue
        scanned = [c.name for c in contract.columns if c.type in ("text", "identifier")]
        rows += con.execute(f"SELECT count(*) FROM raw.{feed}").fetchone()[0]
        rows_with_text += con.execute(
            f"SELECT count(*) FROM raw.{feed} WHERE " + " OR ".join(f"{c} IS NOT NULL" for c in scanned)).fetchone()[0]
    held = con.execute("SELECT column_name, count(*) FROM raw.quarantine WHERE rule = 'identifier_detected' "
                       "GROUP BY ALL").fetchall()
    flagged = sum(n for _, n in held)
    notes = con.execute("SELECT " + " + ".join(
        f"(SELECT count(notes) FROM raw.{feed})" for feed in ("hotline_signals", "referrals", "case_outcomes"))).fetchone()[0]
    total = rows + con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
    rate = flagged / (rows_with_text + flagged)
    print(f"\nclean mo x3y seed 7: {total} rows, {notes} non-empty notes, {flagged} flagged as identifiers "
          f"({dict(held)}), false-positive rate {rate:.4%}")
    assert notes > 1000, "premise: the generator writes free-text notes"
    assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0] == flagged, "clean data: only the guard may hold rows"
    assert rate <= MAX_FALSE_POSITIVE_RATE


def _plant(source: pl.DataFrame, field: str, id_column: str, feed: str) -> pl.DataFrame:
    """One row per corpus case: a real row of the drop, `field` replaced by the case's text, ids unique."""
    rows = pl.concat([source] * (len(CASES) // source.height + 1)).head(len(CASES))
    replaced = rows.with_columns(pl.Series(field, [c["text"] for c in CASES], dtype=pl.Utf8))
    if field != id_column:
        replaced = replaced.with_columns(pl.format("LEAK-{}-{}", pl.lit(feed), pl.int_range(pl.len())).alias(id_column))
    return replaced


@pytest.fixture(scope="module")
def planted(clean_mo):
    """Every text-bearing field of every feed, as CSV and as Parquet drops, holding the whole corpus."""
    _, root = clean_mo
    inbox = root / "planted"
    inbox.mkdir()
    plan = {}  # file name -> (feed, field)
    for feed in ("hotline_signals", "referrals", "case_outcomes"):
        contract = all_contracts()[feed]
        source_file = sorted((root / "inbox").glob(f"{feed}__*.csv"))[0]
        agency = source_file.name.split("__")[1]
        source = pl.read_csv(source_file, infer_schema=False)
        for column in (c for c in contract.columns if c.type in TEXT_BEARING):
            frame = _plant(source, column.name, contract.primary_key[0], feed)
            for n, suffix in enumerate(("csv", "parquet")):
                name = f"{feed}__{agency}__2020-0{n + 1}_{column.name}.{suffix}"
                frame.write_csv(inbox / name) if suffix == "csv" else frame.write_parquet(inbox / name)
                plan[name] = (feed, column.name)
    con = _ingest(inbox, root / "planted.duckdb")
    yield con, plan
    con.close()


def test_leak_corpus_is_caught_in_every_text_bearing_field_and_format(planted) -> None:
    con, plan = planted
    misses, total = [], 0
    per_field: dict[str, list[int]] = {}
    for file_name, (feed, field) in plan.items():
        held = {row: (problems, record) for row, problems, record in con.execute(
            "SELECT row_number, problems, masked_record FROM raw.quarantine WHERE file_name = ?", [file_name]).fetchall()}
        assert held or con.execute("SELECT count(*) FROM raw.file_manifest WHERE file_name = ?", [file_name]).fetchone()[0]
        counts = per_field.setdefault(f"{feed}.{field}", [0, 0])
        for index, case in enumerate(CASES):
            total += 1
            counts[1] += 1
            problems, record = held.get(index + 1, (None, None))
            # Free text must be refused by the identifier guard itself; a record id or linkage key with an
            # identifier in it is refused by the guard or by its strict format, either way kept masked.
            # (Other rules, e.g. the CSV and Parquet plants repeating each other's keys, do not count.)
            rules = ("identifier_detected",) if field == "notes" else ("identifier_detected", "format")
            caught = problems is not None and any(f"{field}: {rule}" in problems for rule in rules)
            leaked = record is not None and _alnum(case["pii"]) in _alnum(json.loads(record)[field] or "")
            if caught and not leaked:
                counts[0] += 1
            else:
                misses.append((feed, field, case["text"]))
    rate = 1 - len(misses) / total
    print(f"\nleak corpus: {len(LEAKS)} leaks x {len(VARIANTS)} variants = {len(CASES)} cases, planted in "
          f"{len(per_field)} fields x 2 formats = {total} planted values; detection rate {rate:.2%}")
    for field, (caught, n) in sorted(per_field.items()):
        print(f"  {field}: {caught}/{n} ({caught / n:.1%})")
    assert sorted(misses) == sorted(KNOWN_ID_GAPS), "\n".join(map(str, sorted(set(misses) ^ set(KNOWN_ID_GAPS))))
