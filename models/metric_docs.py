"""docs/metrics.md, generated from the metric catalog (models/metrics.yaml). Never edit the page by hand."""

from __future__ import annotations

from pathlib import Path

from models.metric_catalog import Catalog, load_catalog

DOCS_PAGE = Path(__file__).parent.parent / "docs" / "metrics.md"
RISE_TEXT = {"bad": "bad", "good": "good", "mixed": "ambiguous (more awareness or more activity)"}


def _cell(text: str | None) -> str:
    return (text or "—").replace("|", "\\|").replace("\n", " ")


def render_metrics_page(catalog: Catalog | None = None) -> str:
    catalog = catalog or load_catalog()
    lines = [
        "# Metrics",
        "",
        "<!-- Generated from models/metrics.yaml by models.metric_docs.write_metrics_page(); do not edit. -->",
        "",
        f"{len(catalog.metrics)} metrics, each defined once in `models/metrics.yaml`. Every metric is published in the",
        "serving database at the table and column listed; counts are protected by primary and complementary",
        "suppression, derived values are computed from the protected counts only (see",
        "[disclosure-control.md](disclosure-control.md)). A derived value has a `<column>_flag`: `suppressed`",
        "(value NULL: a count it rests on is hidden) or `unreliable` (it rests on 20 or fewer events).",
        "",
    ]
    if catalog.measure_parts:
        parts = "; ".join(f"`{w}` = {' + '.join(f'`{p}`' for p in ps)}" for w, ps in catalog.measure_parts.items())
        lines += [f"Measures that add up: {parts}.", ""]
    for group, title in catalog.groups.items():
        metrics = [m for m in catalog.metrics if m.group == group]
        lines += [f"## {title}", "", "| metric | definition | numerator / denominator | unit | grain | dimensions | a rise is | disclosure | published in |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for m in metrics:
            ratio = m.numerator + (f" / {m.denominator}" if m.denominator else "")
            where = "<br>".join(f"`{p.table}.{p.column}`" + (f" ({', '.join(c for c in p.columns[1:])})" if len(p.columns) > 1 else "")
                                for p in m.published_in)
            lines.append(f"| **{_cell(m.label)}** (`{m.name}`) | {_cell(m.definition)} | {_cell(ratio)} | {_cell(m.unit)} | "
                         f"{_cell(m.grain)} | {_cell(', '.join(m.dimensions))} | {RISE_TEXT[m.rise]} | "
                         f"{_cell(m.disclosure_rule)} | {where} |")
        lines.append("")
    return "\n".join(lines)


def write_metrics_page(path: Path = DOCS_PAGE) -> Path:
    """Regenerate docs/metrics.md (the lead wires this into `lantern docs`)."""
    path.write_text(render_metrics_page(), encoding="utf-8")
    return path
