"""Render the briefing document as one self-contained page of the static site (`briefing/<quarter>.html`).

No script, no network: charts are inline SVG rendered by vl-convert, CSS is inline, text is escaped.
"""

from __future__ import annotations

import html

from . import charts
from .document import Bullets, Chart, Document, Paragraph, Table

CSS = """
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#111;
max-width:60rem;margin:0 auto;padding:1.5rem;line-height:1.45}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:1px solid #333;margin-top:2.2rem}
.lead{font-weight:700;margin-top:1.2rem}.note{font-style:italic;color:#444;font-size:.9rem}
.missing{background:#eee;padding:.5rem;font-style:italic}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0 1rem}caption{text-align:left;font-style:italic}
th,td{padding:.2rem .5rem;border-bottom:1px solid #bbb;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#e6e6e6}figure{margin:.8rem 0}figure svg{max-width:100%;height:auto}
nav a{margin-right:.8rem}@media print{nav{display:none}h2{break-before:page}}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _block(block: object) -> str:
    if isinstance(block, Paragraph):
        return f'<p class="{_e(block.style)}">{_e(block.text)}</p>'
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{_e(c)}</th>' for c in block.columns)
        body = "".join("<tr>" + "".join((f'<th scope="row">{_e(v)}</th>' if i == 0 and block.first_column_header
                                         else f"<td>{_e(v)}</td>") for i, v in enumerate(row)) + "</tr>"
                       for row in block.rows)
        caption = f"<caption>{_e(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Chart):
        # vl-convert's SVG is static markup built from our own spec; its text content is escaped by Vega.
        return f'<figure role="img" aria-label="{_e(block.alt)}">{charts.svg(block.spec)}</figure>'
    raise TypeError(f"unknown block {type(block).__name__}")


def render_html(doc: Document, pdf_name: str | None = None) -> str:
    nav = "".join(f'<a href="#{_e(s.id)}">{_e(s.title)}</a>' for s in doc.sections[1:])
    pdf_link = f' <a href="{_e(pdf_name)}">PDF</a>' if pdf_name else ""
    sections = []
    for i, section in enumerate(doc.sections):
        heading = "" if i == 0 else f"<h2>{_e(section.title)}</h2>"
        sections.append(f'<section id="{_e(section.id)}">{heading}{"".join(_block(b) for b in section.blocks)}</section>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(doc.title)} {_e(doc.quarter_label)}</title><style>{CSS}</style></head><body>"
        f'<p><a href="../index.html">Dashboard</a>{pdf_link}</p>'
        f"<h1>{_e(doc.title)}</h1><p class=\"lead\">{_e(doc.subtitle)}</p><nav>{nav}</nav>"
        f"<p class=\"note\">In the tables, {_e(doc.suppressed_note)}.</p>"
        + "".join(sections) + "</body></html>"
    )
