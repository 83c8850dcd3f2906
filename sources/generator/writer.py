"""Write drop files into the inbox as agencies would: one file per feed x sending agency x month.

Rows are buffered by the month of the file they belong to and written once that month is complete, so
memory is bounded by how far ahead events fall, not by the length of the run.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

from sources.contracts.model import FEEDS, load_contract
from sources.drops import drop_file_name
from sources.generator.calendar import Month
from sources.generator.summary import GenerationSummary

# How agencies send: a few export Parquet from their case systems, some CSV exports carry a UTF-8 BOM.
PARQUET_SENDERS = ("LE-MSHP", "LE-FBIKC", "LE-HSISTL", "PR-USAWD", "PR-USAED")
BOM_SENDERS = ("HL-STATE", "LE-SLMPD", "CW-DSS", "GV-AGO", "SH-SEMO")
RESENT_TAG = "_resent"


class DropWriter:
    def __init__(self, inbox: Path, months: list[Month], senders: dict[str, list[str]],
                 defect_rate: float, rng: np.random.Generator, summary: GenerationSummary):
        self.inbox = inbox
        self.months = months
        self.senders = senders
        self.defect_rate = defect_rate
        self.rng = rng
        self.summary = summary
        self.pending: dict[str, dict[int, list[pl.DataFrame]]] = {feed: {} for feed in FEEDS}
        # first sends only: the corrections column (record_action) is left out, as most agencies will
        self.columns = {feed: load_contract(feed).record_columns for feed in FEEDS}
        self.id_column = {feed: load_contract(feed).primary_key[0] for feed in FEEDS}
        self.rows: Counter = Counter()
        self.resent_rows: Counter = Counter()
        self.last_written: tuple[str, Path, int] | None = None
        self._empty: dict[tuple[str, str, bool], bytes] = {}  # header-only files, rendered once per form

    def add(self, feed: str, frame: pl.DataFrame) -> None:
        """Queue rows (with _agency, _day, _month) for the files of their month."""
        for (month,), part in sorted(frame.partition_by("_month", as_dict=True).items()):
            self.pending[feed].setdefault(int(month), []).append(part)

    def flush(self, month_index: int) -> None:
        period = self.months[month_index].period
        for feed in FEEDS:
            parts = self.pending[feed].pop(month_index, [])
            frame = pl.concat(parts) if parts else None
            by_agency = {}
            if frame is not None and frame.height:
                by_agency = {k[0]: v for k, v in frame.partition_by("_agency", as_dict=True).items()}
            for agency in self.senders[feed]:
                rows = by_agency.get(agency)
                if rows is None:  # a scheduled sender with nothing to report still sends its (empty) file
                    self._write_empty(feed, agency, period)
                else:
                    rows = rows.sort(["_day", self.id_column[feed]], maintain_order=True).select(self.columns[feed])
                    self._write(feed, agency, period, rows)

    def finish(self) -> None:
        leftover = sum(len(v) for feed in FEEDS for v in self.pending[feed].values())
        if leftover:
            raise RuntimeError(f"{leftover} row batches were never written: their month was not flushed")
        # With defects on, at least one file is sent twice, so tests always have one to find.
        if self.defect_rate > 0 and not self.summary.resent_files and self.last_written is not None:
            self._resend(*self.last_written)
        self.summary.rows_per_feed = {feed: self.rows[feed] for feed in FEEDS}
        self.summary.resent_rows_per_feed = {feed: self.resent_rows[feed] for feed in FEEDS}

    def _write_empty(self, feed: str, agency: str, period: str) -> None:
        fmt = "parquet" if agency in PARQUET_SENDERS else "csv"
        form = (feed, fmt, agency in BOM_SENDERS)
        if form not in self._empty:
            scratch = self.inbox / f".empty-{feed}.{fmt}"
            _render(pl.DataFrame(schema={c: pl.Utf8 for c in self.columns[feed]}), scratch, fmt, form[2])
            self._empty[form] = scratch.read_bytes()
            scratch.unlink()
        (self.inbox / drop_file_name(feed, agency, period, fmt)).write_bytes(self._empty[form])
        self.summary.files_written += 1
        self.summary.empty_files += 1

    def _write(self, feed: str, agency: str, period: str, rows: pl.DataFrame) -> None:
        fmt = "parquet" if agency in PARQUET_SENDERS else "csv"
        path = self.inbox / drop_file_name(feed, agency, period, fmt)
        _render(rows, path, fmt, agency in BOM_SENDERS)
        self.summary.files_written += 1
        self.rows[feed] += rows.height
        self.last_written = (feed, path, rows.height)
        if self.defect_rate > 0 and self.rng.random() < self.defect_rate:
            self._resend(feed, path, rows.height)

    def _resend(self, feed: str, path: Path, height: int) -> None:
        name = path.name
        stem_period = name.rsplit(".", 1)[0].split("__")
        copy = self.inbox / drop_file_name(feed, stem_period[1], stem_period[2], path.suffix[1:], tag=RESENT_TAG)
        shutil.copyfile(path, copy)
        self.summary.files_written += 1
        self.summary.resent_files.append((name, copy.name))
        self.resent_rows[feed] += height
        self.summary.defects["resent_file"] = self.summary.defects.get("resent_file", 0) + 1
        by_feed = self.summary.defects_by_feed.setdefault(feed, {})
        by_feed["resent_file"] = by_feed.get("resent_file", 0) + 1


def _render(rows: pl.DataFrame, path: Path, fmt: str, bom: bool) -> None:
    """All columns as text, exactly as the contracts spell values; empty values are empty fields / nulls."""
    if fmt == "parquet":
        rows.write_parquet(path, compression="zstd", statistics=False)
    else:
        rows.write_csv(path, include_bom=bom, null_value="", line_terminator="\n")
