"""Render the briefing document as a print-ready PDF (US Letter) with fpdf2 and the bundled DejaVu Sans.

Text stays text (extractable, searchable); charts are embedded as 2x PNGs rendered by vl-convert.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from . import charts
from .document import Bullets, Chart, Document, Paragraph, Section, Table

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
MARGIN = 16  # mm
GREY_FILL = (230, 230, 230)
STYLES = {"body": ("", 9.5, (0, 0, 0)), "lead": ("B", 10.5, (0, 0, 0)), "note": ("I", 8.5, (60, 60, 60)),
          "missing": ("I", 9.5, (0, 0, 0))}


class _Briefing(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.doc = doc
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
            self.add_font(FAMILY, style, str(FONTS / name))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)  # room for the footer
        self.set_title(doc.title + " " + doc.quarter_label)
        self.set_creator("Lantern")

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font(FAMILY, "I", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.doc.suppressed_note, align="L")
        self.set_y(-10)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.doc.title}, {self.doc.quarter_label}", align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")


def _paragraph(pdf: _Briefing, block: Paragraph) -> None:
    style, size, colour = STYLES[block.style]
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_color(*colour)
    if block.style == "lead":
        pdf.ln(2)
    if block.style == "missing":
        pdf.set_fill_color(*GREY_FILL)
    pdf.multi_cell(0, size * 0.5, block.text, new_x="LMARGIN", new_y="NEXT", fill=block.style == "missing",
                   align="L")
    pdf.ln(1.5)
    pdf.set_text_color(0, 0, 0)


def _bullets(pdf: _Briefing, block: Bullets) -> None:
    pdf.set_font(FAMILY, "", 9.5)
    for item in block.items:
        pdf.set_x(MARGIN + 2)
        pdf.cell(4, 4.8, "•")
        pdf.multi_cell(0, 4.6, item, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(0.6)
    pdf.ln(1.5)


def _table(pdf: _Briefing, block: Table) -> None:
    if block.caption:
        pdf.set_font(FAMILY, "I", 8.5)
        pdf.multi_cell(0, 4.3, block.caption, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(FAMILY, "", 7.8)
    pdf.set_fill_color(255, 255, 255)  # a "missing" box before must not tint the rows
    heading = FontFace(family=FAMILY, emphasis="BOLD", fill_color=GREY_FILL)
    aligns = ("LEFT",) * block.text_columns + ("RIGHT",) * (len(block.columns) - block.text_columns)
    with pdf.table(col_widths=block.widths, text_align=aligns, headings_style=heading, line_height=3.9,
                   borders_layout="HORIZONTAL_LINES", padding=(0.7, 1.2), repeat_headings=1,
                   cell_fill_mode="NONE") as table:
        table.row(block.columns)
        for row in block.rows:
            table.row(row)
    pdf.ln(3)


def _chart(pdf: _Briefing, block: Chart) -> None:
    image = charts.png(block.spec)
    with Image.open(io.BytesIO(image)) as probe:
        ratio = probe.height / probe.width
    width = (pdf.w - 2 * MARGIN) * block.width_share
    height = width * ratio
    if pdf.get_y() + height > pdf.h - MARGIN - 4:
        pdf.add_page()
    pdf.image(io.BytesIO(image), x=MARGIN + (pdf.w - 2 * MARGIN - width) / 2, w=width, h=height,
              alt_text=block.alt)
    pdf.ln(3)


RENDER = {Paragraph: _paragraph, Bullets: _bullets, Table: _table, Chart: _chart}


def _cover(pdf: _Briefing, doc: Document, section: Section) -> None:
    pdf.add_page()
    pdf.set_y(48)
    pdf.set_font(FAMILY, "B", 24)
    pdf.multi_cell(0, 11, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.8)
    pdf.line(MARGIN, pdf.get_y() + 3, pdf.w - MARGIN, pdf.get_y() + 3)
    pdf.ln(8)
    for block in section.blocks:
        RENDER[type(block)](pdf, block)


def render_pdf(doc: Document) -> tuple[bytes, int]:
    """The PDF file and its number of pages."""
    pdf = _Briefing(doc)
    _cover(pdf, doc, doc.sections[0])
    for section in doc.sections[1:]:
        pdf.add_page()
        pdf.set_font(FAMILY, "B", 15)
        pdf.cell(0, 9, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_line_width(0.3)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
        pdf.ln(3)
        for block in section.blocks:
            RENDER[type(block)](pdf, block)
    return bytes(pdf.output()), pdf.page_no()
