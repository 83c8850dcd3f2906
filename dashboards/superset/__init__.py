"""Superset for Lantern: its own cached environment, dashboards as code (specs/), publishing, access.

Plain functions only; the command is `lantern superset ...` (pipelines/cli.py).
"""
