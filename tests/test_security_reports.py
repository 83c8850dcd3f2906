"""Per-file reports for the sending agency: counts, plain rule text, masked rows, never an identifier.

Real ingest into a real DuckDB file, then the reports written from its manifest and quarantine.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sources.contracts import all_contracts, load_contract
from sources.ingest.agency_reports import UNROUTED, report_path, write_agency_reports
from sources.inbox import list_inbox
from sources.ingest import ingest_files
from sources.ingest.problems import RULES
from sources.ingest.validator import ValidationContext
from sources.ingest.warehouse_tables import ensure_raw_schema
from sources.reference import counties, organisations

CONTRACT = load_contract("hotline_signals")
KEY = "ab" * 32
FILE = "hotline_signals__HL-NATL__2025-03.csv"
# Identifiers planted in the drop; none may appear in the report in any spelling.
PHONE, EMAIL, SSN = "816-555-0142", "jane.doe@example.org", "900-12-3456"


def _row(n: int, **overrides) -> dict:
    row = {
        "signal_id": f"S-{n:05d}", "linkage_key": KEY, "received_date": "2025-03-14", "contact_method": "phone",
        "county_fips": "29095", "trafficking_type": "sex", "venue_type": "hotels_hospitality", "is_case": "true",
        "people_count": "1", "minors_count": "0", "age_band": "18-20", "gender": "female",
        "recruitment": "intimate_partner", "means_of_control": "threats", "notes": "caller concerned",
    }
    row.update(overrides)
    return row


def _write(path: Path, rows: list[dict], header: list[str] | None = None) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or CONTRACT.column_names, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.fixture
def ingested(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [_row(i) for i in range(1, 11)]
    rows[1]["notes"] = f"victim texted from {PHONE} asking for help"  # row 2
    rows[3]["notes"] = f"contact {EMAIL} | <script>alert(1)</script> `code` **bold**"  # row 4: hostile markup too
    rows[5]["received_date"] = PHONE  # row 6: a phone in a date column is quoted in the message
    rows[7]["gender"] = SSN  # row 8: an SSN in a coded column
    rows[8]["county_fips"] = "99999"  # row 9
    _write(inbox / FILE, rows)
    _write(inbox / "hotline_signals__HL-NATL__2025-04.csv", [_row(i + 100) for i in range(3)])
    _write(inbox / "hotline_signals__HL-NATL__2025-05.csv", [_row(i + 200, **{"Victim Phone": PHONE}) for i in range(2)],
           header=[*CONTRACT.column_names, "Victim Phone"])
    (inbox / "notes about <b>drop.csv").write_text("a,b\n1,2\n")  # unroutable, hostile name
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con, list(all_contracts().values()))
    context = ValidationContext(date(2025, 12, 31), frozenset(counties()["fips"]), frozenset(organisations()["org_id"]))
    feeds = {r["org_id"]: set(r["sends_feeds"].split(";")) for r in organisations().iter_rows(named=True)}
    outcomes = ingest_files(con, list(list_inbox(inbox).agency_drops), context, feeds, run_id="test")
    yield con, tmp_path / "reports", [o.file_name for o in outcomes]
    con.close()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_report_counts_rules_and_rows(ingested) -> None:
    con, report_dir, names = ingested
    paths = write_agency_reports(con, report_dir, names)
    report = report_dir / "HL-NATL" / f"{FILE}.report.md"
    assert report in paths
    text = html.unescape(report.read_text(encoding="utf-8"))
    assert "| 10 | 5 | 5 |" in text  # read, loaded, quarantined
    assert f"| identifier_detected | 2 | {RULES['identifier_detected']} |" in text
    for rule in ("date_format", "code_list", "unknown_county"):
        assert f"| {rule} | 1 | {RULES[rule]} |" in text, rule
    rows = re.findall(r"^\| (\d+) \| ([a-z_]+) \| ([a-z_]+) \|", text, re.M)
    assert [(int(r), c, k) for r, c, k in rows] == [
        (2, "notes", "identifier_detected"), (4, "notes", "identifier_detected"), (6, "received_date", "date_format"),
        (8, "gender", "code_list"), (9, "county_fips", "unknown_county")]
    raw = report.read_text(encoding="utf-8")  # the masked records are there, masked and escaped
    assert '"notes": "victim texted from \\[phone\\] asking for help"' in raw
    assert '"notes": "contact \\[email\\] \\| &lt;script&gt;alert(1)&lt;/script&gt; \\`code\\` \\*\\*bold\\*\\*"' in raw


def test_report_never_holds_an_identifier_or_live_markup(ingested) -> None:
    con, report_dir, names = ingested
    paths = write_agency_reports(con, report_dir, names)
    # A message quoting a bad date value that holds a phone number is masked in the quarantine itself
    # (and again in the report).
    held = str(con.execute("SELECT message FROM raw.quarantine WHERE column_name = 'received_date'").fetchall())
    assert PHONE not in held and "[phone]" in held
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for secret in (PHONE, EMAIL, SSN):
            assert secret not in text, (path.name, secret)
            assert not _digits(secret) or _digits(secret) not in _digits(text), (path.name, secret)
        assert "jane.doe" not in text
        assert "<script" not in text and "<b>" not in text
        assert re.search(r"(?<!\\)[`*\[]", text.replace("**", "", 2).replace("[phone]", "").replace("[email]", "")
                         .replace("[ssn]", "")) is None, "unescaped Markdown from the drop"
        assert "\n\n\n" not in text


def test_refused_file_and_clean_file_reports(ingested) -> None:
    con, report_dir, names = ingested
    write_agency_reports(con, report_dir, names)
    refused = html.unescape(
        (report_dir / "HL-NATL" / "hotline_signals__HL-NATL__2025-05.csv.report.md").read_text(encoding="utf-8"))
    assert "rejected" in refused and "Victim Phone" in refused and "not kept" in refused
    assert f"| forbidden_column | 2 | {RULES['forbidden_column']} |" in refused
    clean = (report_dir / "HL-NATL" / "hotline_signals__HL-NATL__2025-04.csv.report.md").read_text(encoding="utf-8")
    assert "| 3 | 3 | 0 |" in clean and "Nothing to fix" in clean


def test_unroutable_names_cannot_escape_the_report_folder(ingested) -> None:
    con, report_dir, names = ingested
    paths = write_agency_reports(con, report_dir, names)
    for path in paths:
        assert path.resolve().is_relative_to(report_dir.resolve())
    odd = report_dir / UNROUTED / "notes_about__b_drop.csv.report.md"
    assert odd in paths and "<b>" not in odd.read_text(encoding="utf-8")
    assert report_path(report_dir, "../../etc", "../passwd") == report_dir / UNROUTED / "passwd.report.md"
    assert report_path(report_dir, "HL-NATL", "..").parent == report_dir / "HL-NATL"
