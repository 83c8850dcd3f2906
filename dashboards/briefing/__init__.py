"""The quarterly briefing pack: a print-ready PDF and the same content as a page of the static site.

data.py reads the serving database (models/queries/briefing/*.sql), narrative.py turns metrics into sentences, content.py
assembles one document model, charts.py draws it (Vega-Lite via vl-convert), pdf.py and html.py render it.
"""

from .build import BriefingReport, build_briefing
from .data import briefing_data_quality, latest_complete_quarter
from .quarters import Quarter

__all__ = ["BriefingReport", "Quarter", "briefing_data_quality", "build_briefing", "latest_complete_quarter"]
