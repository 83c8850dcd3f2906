"""The deployment's reference tables: counties, regions, industry sectors, organisations.

Another state adopts Lantern by replacing the files in this folder, not code.
"""

from sources.reference.tables import (
    REFERENCE_DIR,
    Deployment,
    code_labels,
    counties,
    deployment,
    industry_sectors,
    organisations,
    reference_tables,
)

__all__ = [
    "REFERENCE_DIR", "Deployment", "code_labels", "counties", "deployment", "industry_sectors", "organisations",
    "reference_tables",
]
