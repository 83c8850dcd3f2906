"""The briefing as a renderer-neutral document: the PDF and the site page are drawn from the same blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | lead | note | missing


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] | None = None  # relative column widths
    first_column_header: bool = True
    text_columns: int = 1  # leading columns of text (left-aligned); the rest are numbers (right-aligned)


@dataclass(frozen=True)
class Chart:
    name: str
    spec: dict[str, Any]
    alt: str
    width_share: float = 1.0  # of the text width in the PDF


Block = Union[Paragraph, Bullets, Table, Chart]


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block | None) -> "Section":
        self.blocks.extend(b for b in blocks if b is not None)
        return self


@dataclass
class Document:
    title: str
    subtitle: str
    quarter_label: str
    sections: list[Section]
    suppressed_note: str = ""
