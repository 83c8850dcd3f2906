"""What goes out, to whom.

Every night (publish job): serving/internal_database builds the exact aggregates for the internal audiences
(analysts; each agency its own rows) beside the live file; the aggregates-only guard checks it; then
serving/internal_published swaps it in.

On the release calendar (release job): serving/serving_database cuts a protected release candidate (closed
periods, earlier releases carried); the blocking disclosure audit attacks it together with every kept
release; only then serving/serving_published keeps it under releases/<id>/ and swaps it in as
serving.duckdb, and site/static_dashboard rebuilds the static site (for partners and the public) from it.
"""

import shutil
from datetime import date, datetime

from dagster import AssetExecutionContext, Config, MaterializeResult, asset

from dashboards import published
from dashboards.release import build_release, kept_releases, promote_release, release_cutoff, release_due
from dashboards.serving import candidate_path, publish_candidate
from dashboards.serving.internal import build_internal
from dashboards.site import build_site
from models import serving_models
from pipelines.assets.keys import table_key
from pipelines.resources import PathsResource, WarehouseResource


def _serving_reads() -> list:
    reads = {t for model, _ in serving_models().values() for t in model.reads}
    reads.add("intermediate.int_calendar_months")
    return [table_key(t) for t in sorted(reads)]


@asset(key=["serving", "internal_database"], deps=_serving_reads(), group_name="publish",
       description="The candidate internal database: exact aggregates (no record, id or free text) for task-force "
                   "analysts and, through row-level security, each agency's own rows. Never forwarded.")
def internal_database(context: AssetExecutionContext, warehouse: WarehouseResource,
                      lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths.ensure()
    with warehouse.session() as con:
        report = build_internal(con, candidate_path(paths.internal), run_id=context.run.run_id)
    return MaterializeResult(metadata={"path": str(report.path), "seconds": round(report.seconds, 2),
                                       **{f"rows_{name}": rows for name, rows in report.tables.items()}})


@asset(key=["serving", "internal_published"], deps=[internal_database], group_name="publish",
       description="data/internal.duckdb: the checked candidate, swapped in atomically.")
def internal_published(lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths
    publish_candidate(paths.internal)
    return MaterializeResult(metadata={"path": str(paths.internal)})


class ReleaseConfig(Config):
    as_of: str = ""  # YYYY-MM-DD; empty: today. The release covers the months closed by then.


@asset(key=["serving", "serving_database"], deps=[internal_published], group_name="release",
       description="A protected release candidate: closed periods only, every cell of earlier releases shown "
                   "again exactly, new cells suppressed together with them; attacked by the blocking "
                   "disclosure_audit with every kept release before it is kept.")
def serving_database(context: AssetExecutionContext, config: ReleaseConfig,
                     warehouse: WarehouseResource, lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths.ensure()
    as_of = date.fromisoformat(config.as_of) if config.as_of else date.today()
    kept = kept_releases(paths.home)
    if not release_due(as_of, kept[-1].cutoff if kept else None):
        raise RuntimeError(f"no release due on {as_of}: release {kept[-1].release_id} covers every closed month")
    with warehouse.session() as con:
        report = build_release(con, paths.home, release_cutoff(as_of), candidate_path(paths.serving),
                               run_id=context.run.run_id)
    return MaterializeResult(metadata={
        "release_id": report.release_id, "released_through": str(report.cutoff),
        "snapshot_at": report.snapshot_at.isoformat(), "path": str(report.path),
        "cells_published": report.cells_published, "cells_suppressed_primary": report.cells_primary,
        "cells_suppressed_complementary": report.cells_complementary, "cells_carried": report.cells_carried,
        "seconds": round(report.seconds, 2)})


@asset(key=["serving", "serving_published"], deps=[serving_database], group_name="release",
       description="releases/<id>/serving.duckdb, kept for good, and data/serving.duckdb (the latest release), "
                   "swapped in atomically.")
def serving_published(lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths
    candidate = candidate_path(paths.serving)
    with published.connect(candidate) as con:
        stamp = published.publication(con)
    kept = promote_release(paths.home, candidate, stamp["release_id"], date.fromisoformat(stamp["released_through"]),
                           datetime.fromisoformat(stamp["data_loaded_before"]))
    return MaterializeResult(metadata={"release_id": kept.release_id, "path": str(kept.serving)})


@asset(key=["site", "static_dashboard"], deps=[serving_published], group_name="release",
       description="data/site/index.html: the offline dashboard of the latest release (no server, no network); "
                   "also kept with the release.")
def static_dashboard(lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths.ensure()
    report = build_site(paths.serving, paths.site)
    latest = kept_releases(paths.home)[-1]
    shutil.copytree(paths.site, latest.folder / "site", dirs_exist_ok=True)
    return MaterializeResult(metadata={"path": str(report.path), "bytes": report.bytes,
                                       "release_id": latest.release_id, "seconds": round(report.build_seconds, 2)})
