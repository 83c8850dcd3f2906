"""Read the contract YAML files into typed objects. The YAML is the single source of truth."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACTS_DIR = Path(__file__).parent
REFERENCE_DIR = CONTRACTS_DIR.parent / "reference"
FEEDS = ("hotline_signals", "referrals", "case_outcomes")
# The optional column by which an agency corrects (upsert) or withdraws a record it sent before.
RECORD_ACTION = "record_action"
WITHDRAW = "withdraw"

COLUMN_TYPES = {
    "identifier",  # an agency's own record id: 1-64 of A-Z a-z 0-9 _ - .
    "linkage_key",  # 64 lowercase hex characters (HMAC-SHA256)
    "linkage_token",  # Base64 of a 1024-bit keyed Bloom filter (sources/linkage/tokens.py)
    "linkage_blocks",  # 1 to 6 keyed 16-hex blocking keys joined by '.'
    "date",  # YYYY-MM-DD
    "code",  # one of a code list
    "county_fips",  # a county of this state
    "org_id",  # an organisation in the registry
    "boolean",  # true/false (also 1/0, yes/no, t/f)
    "integer",
    "decimal",
    "text",  # free text: scanned for identifiers, never published
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    example: str | None = None
    code_list: str | None = None
    default: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    not_above: str | None = None  # numeric: value <= that column
    not_before: str | None = None  # date: value >= that column
    not_after: str | None = None  # date: value <= that column


@dataclass(frozen=True)
class Contract:
    feed: str
    title: str
    description: str
    sent_by: str
    cadence: str
    expected_every_days: int
    primary_key: tuple[str, ...]
    linkage_key: str
    event_date: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def record_columns(self) -> list[str]:
        """The record's own columns: all but record_action, which says what a re-sent record is for."""
        return [name for name in self.column_names if name != RECORD_ACTION]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.feed} has no column {name!r}")

    def allowed_codes(self, column: Column) -> dict[str, str]:
        if column.code_list is None:
            raise ValueError(f"{self.feed}.{column.name} is not a coded column")
        return code_lists()[column.code_list]["codes"]


def _column(raw: dict, feed: str) -> Column:
    if raw["type"] not in COLUMN_TYPES:
        raise ValueError(f"{feed}.{raw['name']}: unknown type {raw['type']!r}")
    if raw["type"] == "code" and raw.get("code_list") not in code_lists():
        raise ValueError(f"{feed}.{raw['name']}: unknown code list {raw.get('code_list')!r}")
    fields = {k: (str(v) if k in ("example", "default") and v is not None else v) for k, v in raw.items()}
    return Column(**fields)


@cache
def load_contract(feed: str) -> Contract:
    raw = yaml.safe_load((CONTRACTS_DIR / f"{feed}.yaml").read_text(encoding="utf-8"))
    columns = tuple(_column(c, feed) for c in raw.pop("columns"))
    raw["primary_key"] = tuple(raw["primary_key"])
    contract = Contract(columns=columns, **raw)
    names = contract.column_names
    for key in (*contract.primary_key, contract.linkage_key, contract.event_date):
        if key not in names:
            raise ValueError(f"{feed}: key column {key!r} is not declared")
    return contract


def all_contracts() -> dict[str, Contract]:
    return {feed: load_contract(feed) for feed in FEEDS}


@cache
def code_lists() -> dict[str, dict]:
    """Code lists with their codes; lists kept in a reference table are read from it."""
    lists = yaml.safe_load((CONTRACTS_DIR / "code_lists.yaml").read_text(encoding="utf-8"))
    for name, spec in lists.items():
        if "from_reference" in spec:
            file_name, column = spec["from_reference"].split("#")
            with open(REFERENCE_DIR / file_name, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            label_column = column.replace("_code", "_name")
            spec["codes"] = {row[column]: row.get(label_column, row[column]) for row in rows}
        spec["codes"] = {str(k): str(v) for k, v in spec["codes"].items()}
    return lists


@cache
def forbidden_name_parts() -> tuple[str, ...]:
    raw = yaml.safe_load((CONTRACTS_DIR / "forbidden_columns.yaml").read_text(encoding="utf-8"))
    return tuple(raw["forbidden_name_parts"])
