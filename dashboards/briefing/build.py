"""Build one quarter's briefing: `briefings/<quarter>.pdf` and the site page `site/briefing/<quarter>.html`."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .content import build_document
from .data import latest_complete_quarter, load
from .html import render_html
from .pdf import render_pdf
from .quarters import Quarter


@dataclass(frozen=True)
class BriefingReport:
    quarter: Quarter
    pdf_path: Path
    html_path: Path
    pages: int
    pdf_bytes: int
    seconds: float
    missing_tables: tuple[str, ...]


def _write_atomically(target: Path, payload: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_briefing(serving_db: Path, briefings_dir: Path, site_dir: Path,
                   quarter: Quarter | str | None = None) -> BriefingReport:
    """Write the PDF and the site page for `quarter` (default: the latest complete quarter)."""
    started = time.perf_counter()
    if isinstance(quarter, str):
        quarter = Quarter.parse(quarter)
    quarter = quarter or latest_complete_quarter(Path(serving_db))
    if quarter is None:
        raise ValueError(f"{serving_db} holds no complete quarter to brief on")
    data = load(Path(serving_db), quarter)
    doc = build_document(data)
    pdf, pages = render_pdf(doc)
    pdf_path = Path(briefings_dir) / f"{quarter.label}.pdf"
    _write_atomically(pdf_path, pdf)
    html_path = Path(site_dir) / "briefing" / f"{quarter.label}.html"
    # The site page links a copy of the PDF beside it, so the site folder stays self-contained.
    _write_atomically(html_path, render_html(doc, pdf_name=f"{quarter.label}.pdf").encode("utf-8"))
    shutil.copyfile(pdf_path, html_path.with_suffix(".pdf"))
    return BriefingReport(quarter=quarter, pdf_path=pdf_path, html_path=html_path, pages=pages, pdf_bytes=len(pdf),
                          seconds=round(time.perf_counter() - started, 2),
                          missing_tables=tuple(sorted(set(data.missing.values()))))
