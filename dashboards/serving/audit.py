"""The disclosure audit of a serving database file, from what it publishes alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from dashboards import published
from dashboards.disclosure import AuditReport, audit
from dashboards.disclosure.proofs import ProofCache
from dashboards.disclosure.satellite import audit_satellite
from dashboards.serving.published_set import published_set
from dashboards.disclosure.profile import audit_profile
from models import query_sql
from dashboards.serving.satellites import profile_parents, profiles, satellite_parents, satellites, year_parent_table


def published_tables(serving_db: Path) -> tuple[dict[str, pl.DataFrame], dt.date, dt.date]:
    """Every table under disclosure control (the main set and the satellites), as published."""
    with duckdb.connect(str(serving_db), read_only=True) as con:
        period = published.publication(con)
        spec = published_set(dt.date.fromisoformat(period["period_start"]), dt.date.fromisoformat(period["period_end"]))
        names = [t.name for t in spec.tables] + list(satellites()) + list(profiles())
        present = published.tables(con)
        names += [d[0] for d in map(year_parent_table, satellites()) if d and d[0] not in names and d[0] in present]
        frames = {name: con.execute(query_sql("queries/common", "whole_table", table=name)).pl() for name in names}
    return frames, dt.date.fromisoformat(period["period_start"]), dt.date.fromisoformat(period["period_end"])


def audit_serving_database(serving_db: Path, proofs: ProofCache | None = None) -> AuditReport:
    """Attack every published table together (every margin, every grain pair, every measure relation), and
    each satellite against its parent totals as the main set shows them. The attack is built from the file
    alone; `proofs` only answers component LPs identical to ones solved before (disclosure/proofs.py)."""
    frames, first, last = published_tables(serving_db)
    spec = published_set(first, last)
    report = audit(frames, spec, proofs=proofs)
    for name, (sat, parent_table) in satellites().items():
        found = audit_satellite(sat, frames[name], satellite_parents(name, sat, parent_table, frames[name], frames),
                                spec.min_cell_count)
        report = merged(report, found, cells=frames[name].height * len(sat.counts),
                        suppressed=sum(int(frames[name][c].is_null().sum()) for c in sat.counts))
    for name, (prof, _) in profiles().items():
        found = audit_profile(prof, frames[name], profile_parents(name, frames), spec.min_cell_count)
        report = merged(report, found, cells=frames[name].height * len(prof.counts),
                        suppressed=sum(int(frames[name][c].is_null().sum()) for c in prof.counts))
    return report


def merged(main: AuditReport, satellite: AuditReport, *, cells: int, suppressed: int) -> AuditReport:
    """One report. The satellite's own cells are added; its parent totals are the main set's already."""
    return AuditReport(
        passed=main.passed and satellite.passed,
        failures=pl.concat([main.failures, satellite.failures]),
        n_cells=main.n_cells + cells,
        n_suppressed=main.n_suppressed + suppressed,
        n_lp=main.n_lp + satellite.n_lp,
        seconds=main.seconds + satellite.seconds,
        exactly_recovered=main.exactly_recovered + satellite.exactly_recovered,
        notes=[*main.notes, *satellite.notes],
        components=main.components + satellite.components,
        components_proven_before=main.components_proven_before + satellite.components_proven_before,
    )
