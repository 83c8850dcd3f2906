"""Bad drop files, as a careless agency data manager would send them (issue #17): every defect class the
ingest must survive, each written with what the warehouse must then hold.

`write_bad_drops(inbox, count, seed)` writes `count` entries cycling through DEFECTS, each with fresh
record ids, and returns one Planted per entry: its name, its defect, how many rows the manifest must
report (None: unknown, the file is unreadable) and the identifiers it carries, which must never be found
in clear anywhere but the inbox. Synthetic values only (555-01xx phones, documentation IP ranges).
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from sources.contracts import load_contract

HOTLINE = load_contract("hotline_signals")
SENDERS = ("HL-NATL", "HL-STATE", "LE-MSHP", "LE-KCPD")  # registered for hotline_signals
COUNTIES = ("29095", "29510", "29189", "29077", "29019")


@dataclass
class Planted:
    name: str
    defect: str
    rows: int | None  # what rows_read must be; None: unknown (unreadable)
    loaded: int  # rows that must load
    identifiers: list[str] = field(default_factory=list)  # never in clear outside the inbox
    recorded: bool = True  # the entry gets a manifest row (a clean duplicate copy does as well)


class _Drops:
    def __init__(self, inbox: Path, outside: Path, seed: int):
        self.inbox, self.outside = inbox, outside
        self.rng = random.Random(seed)  # nosec B311: seeded synthetic test files, not a secret
        self.file_number = 0

    def name(self, agency: str | None = None, suffix: str = "csv") -> str:
        self.file_number += 1
        agency = agency or self.rng.choice(SENDERS)
        month = 1 + self.file_number % 12
        return f"hotline_signals__{agency}__2025-{month:02d}_b{self.file_number:05d}.{suffix}"

    def rows(self, n: int, **overrides) -> list[dict]:
        rows = []
        for i in range(n):
            row = {
                "signal_id": f"S-{self.file_number:05d}-{i:04d}", "linkage_key": "%064x" % self.rng.getrandbits(256),
                "received_date": f"2025-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "contact_method": self.rng.choice(("phone", "text", "webchat", "email")),
                "county_fips": self.rng.choice(COUNTIES), "trafficking_type": self.rng.choice(("sex", "labor")),
                "venue_type": "hotels_hospitality", "is_case": self.rng.choice(("true", "false")),
                "people_count": "2", "minors_count": "0", "age_band": "18-20", "gender": "female",
                "recruitment": "intimate_partner", "means_of_control": "threats",
                "notes": self.rng.choice(("caller concerned, workers on site", "referred to shelter", "")),
            }
            row.update(overrides)
            rows.append(row)
        return rows


def csv_bytes(rows: list[dict], header: list[str] | None = None, line_end: str = "\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or HOTLINE.column_names, extrasaction="ignore",
                            lineterminator=line_end)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame(rows).write_parquet(buffer)
    return buffer.getvalue()


# --- one function per defect: writes its entry, returns what must follow -------------------------------
def _clean(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 12)
    (d.inbox / name).write_bytes(csv_bytes(d.rows(n)))
    return Planted(name, "clean", n, n)


def _clean_parquet(d: _Drops) -> Planted:
    name, n = d.name(suffix="parquet"), d.rng.randint(3, 12)
    (d.inbox / name).write_bytes(parquet_bytes(d.rows(n)))
    return Planted(name, "clean_parquet", n, n)


def _cr_only(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    (d.inbox / name).write_bytes(csv_bytes(d.rows(n), line_end="\r"))
    return Planted(name, "cr_only_line_ends", n, n)


def _mixed_line_ends(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(4, 8)
    lines = csv_bytes(d.rows(n)).split(b"\n")
    data = b"".join(line + (b"\r", b"\n", b"\r\n")[i % 3] for i, line in enumerate(lines[:-1]))
    (d.inbox / name).write_bytes(data)
    return Planted(name, "mixed_line_ends", n, n)


def _bom_crlf(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    (d.inbox / name).write_bytes(b"\xef\xbb\xbf" + csv_bytes(d.rows(n), line_end="\r\n"))
    return Planted(name, "bom_crlf", n, n)


def _empty_column_name(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(2, 6)
    (d.inbox / name).write_bytes(csv_bytes(d.rows(n), [*HOTLINE.column_names, ""]))
    return Planted(name, "empty_column_name", n, 0)


def _unknown_agency(d: _Drops) -> Planted:
    name, n = d.name(agency=f"ZZ-NOBODY{d.rng.randint(1, 9)}"), d.rng.randint(2, 6)
    (d.inbox / name).write_bytes(csv_bytes(d.rows(n)))
    return Planted(name, "unknown_agency", n, 0)


def _unroutable_name(d: _Drops) -> Planted:
    d.file_number += 1
    name, n = f"signals export {d.file_number} FINAL.csv", d.rng.randint(2, 6)
    (d.inbox / name).write_bytes(csv_bytes(d.rows(n)))
    return Planted(name, "unroutable_name", n, 0)


def _quoted_line_breaks(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    rows = d.rows(n)
    for row in rows[::2]:
        row["notes"] = "caller hung up,\ncalled back later\r\nsame concern"
    (d.inbox / name).write_bytes(csv_bytes(rows))
    return Planted(name, "quoted_line_breaks", n, n)


def _corrupt_parquet(d: _Drops) -> Planted:
    name = d.name(suffix="parquet")
    good = parquet_bytes(d.rows(5))
    (d.inbox / name).write_bytes(good[: len(good) // 2])  # an interrupted upload
    return Planted(name, "corrupt_parquet", None, 0)


def _csv_named_parquet(d: _Drops) -> Planted:
    name = d.name(suffix="parquet")
    (d.inbox / name).write_bytes(csv_bytes(d.rows(4)))
    return Planted(name, "csv_named_parquet", None, 0)


def _gzip_named_csv(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).write_bytes(gzip.compress(csv_bytes(d.rows(6))))
    return Planted(name, "gzip_named_csv", None, 0)


def _parquet_named_csv(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).write_bytes(parquet_bytes(d.rows(6)))
    return Planted(name, "parquet_named_csv", None, 0)


def _trailing_fields(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    lines = csv_bytes(d.rows(n)).split(b"\n")
    lines[1] += b",,"  # first data row: fields the header does not have (shifted columns)
    (d.inbox / name).write_bytes(b"\n".join(lines))
    return Planted(name, "trailing_fields", n, n - 1)


def _unpadded_date(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    rows = d.rows(n)
    rows[0]["received_date"] = "2025-3-4"
    (d.inbox / name).write_bytes(csv_bytes(rows))
    return Planted(name, "unpadded_date", n, n - 1)


def _directory(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).mkdir()
    return Planted(name, "directory", 0, 0)


def _symlink_outside(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(2, 5)
    target = d.outside / f"elsewhere-{d.file_number}.csv"
    target.write_bytes(csv_bytes(d.rows(n, notes="outside the inbox: must never be read")))
    (d.inbox / name).symlink_to(target)
    return Planted(name, "symlink_outside", None, 0)


def _empty_file(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).write_bytes(b"")
    return Planted(name, "empty_file", 0, 0)


def _header_only(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).write_bytes(csv_bytes([]))
    return Planted(name, "header_only", 0, 0)


def _truncated(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    data = csv_bytes(d.rows(n))
    (d.inbox / name).write_bytes(data[: len(data) - 40])
    return Planted(name, "truncated_last_row", n, n - 1)


def _latin1_row(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 8)
    rows = d.rows(n)
    data = csv_bytes(rows)
    (d.inbox / name).write_bytes(data.replace(rows[1]["signal_id"].encode(), rows[1]["signal_id"].encode() + b"\xe9", 1))
    return Planted(name, "latin1_row", n, n - 1)


def _unterminated_quote(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(4, 8)
    rows = d.rows(n, notes="plain")
    lines = csv_bytes(rows).split(b"\n")
    lines[2] = lines[2].replace(b"plain", b'"never closed')
    (d.inbox / name).write_bytes(b"\n".join(lines))
    return Planted(name, "unterminated_quote_mid_file", n, n - 1)


def _stray_quote(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(3, 6)
    lines = csv_bytes(d.rows(n, notes="plain")).split(b"\n")
    lines[1] = lines[1].replace(b"plain", b'van 5" taller')
    (d.inbox / name).write_bytes(b"\n".join(lines))
    return Planted(name, "stray_quote_in_unquoted_value", n, None)  # loaded or refused: accounted either way


def _forbidden_column(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(2, 5)
    phone = f"816-555-01{d.rng.randint(10, 99)}"
    rows = [{**row, "Victim Phone": phone} for row in d.rows(n)]
    (d.inbox / name).write_bytes(csv_bytes(rows, [*HOTLINE.column_names, "Victim Phone"]))
    return Planted(name, "forbidden_column", n, 0, [phone])


def _nul_bytes(d: _Drops) -> Planted:
    name = d.name()
    (d.inbox / name).write_bytes(csv_bytes(d.rows(3)).replace(b"\n", b"\n\x00", 1))
    return Planted(name, "nul_bytes", None, 0)


def _long_field(d: _Drops) -> Planted:
    name, n = d.name(), d.rng.randint(2, 5)
    rows = d.rows(n)
    rows[0]["notes"] = "lorem ipsum " * 30_000  # 360 kB: far beyond the contract's 500 characters
    (d.inbox / name).write_bytes(csv_bytes(rows))
    return Planted(name, "huge_field", n, n - 1)


# Identifiers in free text, one per row: what a hotline note can hold.
NOTE_IDENTIFIERS = (
    ("MO DL A191820390", "A191820390"),
    ("KS driver's license K04-83-1947", "K04-83-1947"),
    ("IL DL S530-4218-6011", "S530-4218-6011"),
    ("sent from IP 203.0.113.77 at night", "203.0.113.77"),
    ("ip addr 198.51.100.23", "198.51.100.23"),
    ("logged in from 2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"),
    ("device fe80::1ff:fe23:4567:890a seen", "fe80::1ff:fe23:4567:890a"),
    ("call back 816-555-0177", "816-555-0177"),
    ("email jdoe1990@example.org", "jdoe1990@example.org"),
    ("SSN 900-12-3456 given", "900-12-3456"),
    ("plate MO 7AB-C123 white van", "7AB-C123"),
    ("passport no. X12345678", "X12345678"),
    ("A-number A 204-567-891", "204-567-891"),
)
# Record ids shaped like phone numbers.
ID_IDENTIFIERS = ("816555-0177-ext-12", "8165550142", "816.555.0191", "1-816-555-0123")


def _identifiers_in_notes(d: _Drops) -> Planted:
    name = d.name()
    picked = d.rng.sample(NOTE_IDENTIFIERS, 4)
    rows = d.rows(len(picked) + 2)
    for row, (note, _) in zip(rows, picked):
        row["notes"] = note
    (d.inbox / name).write_bytes(csv_bytes(rows))
    return Planted(name, "identifiers_in_notes", len(rows), 2, [core for _, core in picked])


def _phone_shaped_ids(d: _Drops) -> Planted:
    name = d.name()
    rows = d.rows(len(ID_IDENTIFIERS) + 2)
    for row, planted_id in zip(rows, ID_IDENTIFIERS):
        row["signal_id"] = planted_id
    (d.inbox / name).write_bytes(csv_bytes(rows))
    return Planted(name, "phone_shaped_ids", len(rows), 2, list(ID_IDENTIFIERS))


def _identifiers_in_parquet(d: _Drops) -> Planted:
    name = d.name(suffix="parquet")
    note, core = d.rng.choice(NOTE_IDENTIFIERS)
    rows = d.rows(3)
    rows[1]["notes"] = note
    (d.inbox / name).write_bytes(parquet_bytes(rows))
    return Planted(name, "identifier_in_parquet", 3, 2, [core])


DEFECTS: tuple[Callable[[_Drops], Planted], ...] = (
    _clean, _clean_parquet, _cr_only, _mixed_line_ends, _bom_crlf, _empty_column_name, _unknown_agency,
    _unroutable_name, _quoted_line_breaks, _corrupt_parquet, _csv_named_parquet, _gzip_named_csv,
    _parquet_named_csv, _trailing_fields, _unpadded_date, _directory, _symlink_outside, _empty_file,
    _header_only, _truncated, _latin1_row, _unterminated_quote, _stray_quote, _forbidden_column, _nul_bytes,
    _long_field, _identifiers_in_notes, _phone_shaped_ids, _identifiers_in_parquet,
)


def write_bad_drops(inbox: Path, count: int, seed: int = 17, first_number: int = 0) -> list[Planted]:
    """`count` inbox entries cycling through every defect (one of each per len(DEFECTS) entries); file
    numbers (and so record ids) start after `first_number`, so a later batch repeats no id."""
    inbox.mkdir(parents=True, exist_ok=True)
    outside = inbox.parent.parent / f"{inbox.parent.name}-outside"  # beside LANTERN_HOME, not in it
    outside.mkdir(parents=True, exist_ok=True)
    drops = _Drops(inbox, outside, seed)
    drops.file_number = first_number
    return [DEFECTS[i % len(DEFECTS)](drops) for i in range(count)]
