"""Superset for Lantern: its own cached environment, dashboards as code (specs/), publishing, access.

Entry point for `lantern superset ...`: dashboards.superset.cli.main(argv).
"""
