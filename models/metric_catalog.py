"""The metric catalog (models/metrics.yaml): the one definition of every published metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).parent / "metrics.yaml"
KINDS = ("count", "derived")
RISES = ("bad", "good", "mixed")
REQUIRED = ("name", "group", "label", "definition", "numerator", "unit", "kind", "rise", "grain", "dimensions",
            "published_in")


@dataclass(frozen=True)
class Placement:
    """Where a metric is published: a serving table and column (plus interval / p-value columns)."""

    table: str
    column: str
    low: str | None = None
    high: str | None = None
    p_value: str | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in (self.column, self.low, self.high, self.p_value) if c]


@dataclass(frozen=True)
class Metric:
    name: str
    group: str
    label: str
    definition: str
    numerator: str
    unit: str
    kind: str
    rise: str
    grain: str
    dimensions: tuple[str, ...]
    published_in: tuple[Placement, ...]
    denominator: str | None = None
    built_on: tuple[str, ...] = ()
    built_on_by_column: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def counts_behind(self, column: str) -> list[str]:
        """The same-row counts a derived column is computed from (NULL + 'suppressed' when one is hidden)."""
        return list(self.built_on_by_column.get(column, self.built_on))

    @property
    def disclosure_rule(self) -> str:
        if self.kind == "count":
            return "count: 1 to k-1 suppressed, plus complementary suppression across all tables and grains"
        if not self.built_on and not self.built_on_by_column:
            return "derived only from published counts: shown only when every count it uses is published"
        return "derived: NULL where a count it is built on is suppressed; flagged unreliable at <= 20 events"


@dataclass(frozen=True)
class Catalog:
    metrics: tuple[Metric, ...]
    groups: dict[str, str]
    measure_parts: dict[str, list[str]]

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    def counts_of(self, table: str) -> list[str]:
        """Count columns of a table, in catalog order."""
        return [p.column for m in self.metrics if m.kind == "count" for p in m.published_in if p.table == table]

    def derived_of(self, table: str) -> dict[str, tuple[Metric, Placement]]:
        """Derived columns (main value column) of a table -> its metric and placement."""
        return {p.column: (m, p) for m in self.metrics if m.kind == "derived" for p in m.published_in
                if p.table == table}

    def placements(self) -> list[tuple[Metric, Placement]]:
        return [(m, p) for m in self.metrics for p in m.published_in]


def _metric(raw: dict) -> Metric:
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"metrics.yaml: {raw.get('name', '?')} lacks {missing}")
    if raw["kind"] not in KINDS or raw["rise"] not in RISES:
        raise ValueError(f"metrics.yaml: {raw['name']}: kind must be one of {KINDS}, rise one of {RISES}")
    return Metric(
        name=raw["name"], group=raw["group"], label=raw["label"], definition=raw["definition"],
        numerator=raw["numerator"], unit=raw["unit"], kind=raw["kind"], rise=raw["rise"], grain=raw["grain"],
        dimensions=tuple(raw["dimensions"]), denominator=raw.get("denominator"),
        built_on=tuple(raw.get("built_on") or ()),
        built_on_by_column={k: tuple(v) for k, v in (raw.get("built_on_by_column") or {}).items()},
        published_in=tuple(Placement(**p) for p in raw["published_in"]),
    )


@cache
def load_catalog() -> Catalog:
    raw = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    metrics = tuple(_metric(m) for m in raw["metrics"])
    names = [m.name for m in metrics]
    if len(names) != len(set(names)):
        raise ValueError("metrics.yaml: metric names must be unique")
    seen: dict[tuple[str, str], str] = {}
    for m in metrics:
        if m.group not in raw["groups"]:
            raise ValueError(f"metrics.yaml: {m.name}: unknown group {m.group!r}")
        for p in m.published_in:
            for c in p.columns:
                if seen.setdefault((p.table, c), m.name) != m.name:
                    raise ValueError(f"metrics.yaml: {p.table}.{c} is claimed by {seen[(p.table, c)]} and {m.name}")
    return Catalog(metrics, dict(raw["groups"]), dict(raw.get("measure_parts") or {}))
