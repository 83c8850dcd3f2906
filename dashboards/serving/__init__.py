"""The serving database: aggregate-only tables, disclosure-controlled, built aside and swapped in."""

from dashboards.serving.build import ServingReport, build_serving

__all__ = ["ServingReport", "build_serving"]
