"""python -m dashboards.site [SERVING_DB] [SITE_DIR]  (defaults: data/serving.duckdb data/site)"""

import sys
from pathlib import Path

from .build import build_site

args = sys.argv[1:]
report = build_site(Path(args[0] if args else "data/serving.duckdb"), Path(args[1] if len(args) > 1 else "data/site"))
print(f"{report.path}: {report.bytes:,} bytes, {report.charts} charts, {report.build_seconds:.2f}s")
