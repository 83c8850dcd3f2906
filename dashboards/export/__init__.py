"""CSV export of the published tables, safe to open in a spreadsheet."""

from dashboards.export.csv_export import export_published_tables, neutralise_cell

__all__ = ["export_published_tables", "neutralise_cell"]
