"""The two public context files' contracts, read from sources/contracts/<feed>.yaml.

Each column's `header` is the exact published column name (the file is recognised by it); `name` is the
snake_case name used in the warehouse. The agency ingest's `Contract` type is reused so validation,
quarantine records and raw DDL are the same code as for the agency feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from sources.contracts import Column, Contract

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "contracts"
CONTEXT_FEEDS = ("national_hotline_state_statistics", "fbi_cde_human_trafficking")
_COLUMN_FIELDS = set(Column.__dataclass_fields__)


@dataclass(frozen=True)
class ContextContract:
    contract: Contract
    publisher: str  # stands in for the sending agency in lineage and quarantine rows
    header: tuple[str, ...]  # exact published header, in order
    name_of: dict[str, str]  # published header -> warehouse column name
    percent_columns: tuple[str, ...]  # values written `2.15%`
    offense_subcategories: dict[str, str]  # lower-case subcategory name part -> code
    descriptive_columns: tuple[str, ...] = ()  # kept as published: a long value never quarantines the row
    repeated_keys: str = "quarantine"  # `sum`: rows repeating a key are loaded and summed per key in staging

    @property
    def validation_contract(self) -> Contract:
        """The contract rows are checked against: descriptive columns without a length limit, and no
        duplicate-key rule where the publisher's totals are the sum of rows repeating a key."""
        columns = tuple(replace(c, max_length=None) if c.name in self.descriptive_columns else c
                        for c in self.contract.columns)
        primary_key = () if self.repeated_keys == "sum" else self.contract.primary_key
        return replace(self.contract, columns=columns, primary_key=primary_key)

    @property
    def feed(self) -> str:
        return self.contract.feed

    @property
    def raw_table(self) -> str:
        return context_raw_table(self.feed)


def context_raw_table(feed: str) -> str:
    """raw.context_<feed>: the prefix keeps public files apart from agency feeds in the raw schema."""
    return f"raw.context_{feed}"


@cache
def load_context_contract(feed: str) -> ContextContract:
    if feed not in CONTEXT_FEEDS:
        raise ValueError(f"unknown context feed {feed!r}; expected one of {', '.join(CONTEXT_FEEDS)}")
    raw = yaml.safe_load((CONTRACTS_DIR / f"{feed}.yaml").read_text(encoding="utf-8"))
    columns, header, percent, descriptive = [], [], [], []
    for spec in raw.pop("columns"):
        header.append(spec.pop("header"))
        if spec.pop("percent", False):
            percent.append(spec["name"])
        if spec.pop("descriptive", False):
            descriptive.append(spec["name"])
        unknown = set(spec) - _COLUMN_FIELDS
        if unknown:
            raise ValueError(f"{feed}.{spec['name']}: unknown column field(s) {sorted(unknown)}")
        fields = {k: (str(v) if k in ("example", "default") and v is not None else v) for k, v in spec.items()}
        columns.append(Column(**fields))
    contract = Contract(
        feed=raw["feed"], title=raw["title"], description=raw["description"], sent_by=raw["sent_by"],
        cadence=raw["cadence"], expected_every_days=int(raw["expected_every_days"]),
        primary_key=tuple(raw["primary_key"]), linkage_key=raw["linkage_key"], event_date=raw["event_date"],
        columns=tuple(columns),
    )
    missing_keys = set(contract.primary_key) - set(contract.column_names)
    if missing_keys or contract.feed != feed:
        raise ValueError(f"{feed}.yaml: feed name or primary key does not match its columns")
    repeated_keys = raw.get("repeated_keys", "quarantine")
    if repeated_keys not in ("quarantine", "sum"):
        raise ValueError(f"{feed}.yaml: repeated_keys must be quarantine or sum, not {repeated_keys!r}")
    return ContextContract(
        contract=contract,
        publisher=raw["publisher"],
        header=tuple(header),
        name_of=dict(zip(header, contract.column_names)),
        percent_columns=tuple(percent),
        offense_subcategories=dict(raw.get("offense_subcategories", {})),
        descriptive_columns=tuple(descriptive),
        repeated_keys=repeated_keys,
    )


def context_contracts() -> dict[str, ContextContract]:
    return {feed: load_context_contract(feed) for feed in CONTEXT_FEEDS}
