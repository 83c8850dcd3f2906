"""Static dashboard: one self-contained `index.html` built from the serving database."""

from .build import SiteReport, build_site

__all__ = ["SiteReport", "build_site"]
