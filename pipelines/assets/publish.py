"""What goes out: the serving database (aggregates, disclosure-controlled, audited) and the static dashboard.

serving/serving_database builds a candidate file beside the live one; its blocking disclosure_audit
check attacks the candidate; only then does serving/serving_published swap it in, so nothing unaudited
is ever published and everything downstream (site, Superset) reads audited data.
"""

from dagster import AssetExecutionContext, MaterializeResult, asset

from dashboards.serving import build_serving, candidate_path, publish_candidate
from dashboards.site import build_site
from models import serving_models
from pipelines.assets.keys import table_key
from pipelines.resources import WarehouseResource
from pipelines.settings import lantern_paths


def _serving_reads() -> list:
    reads = {t for model, _ in serving_models().values() for t in model.reads}
    reads.add("intermediate.int_calendar_months")
    return [table_key(t) for t in sorted(reads)]


@asset(key=["serving", "serving_database"], deps=_serving_reads(), group_name="publish",
       description="The candidate serving database: aggregate-only tables, suppressed and derived; audited "
                   "by the blocking disclosure_audit check before it is swapped in.")
def serving_database(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    paths = lantern_paths().ensure()
    with warehouse.session() as con:
        report = build_serving(con, candidate_path(paths.serving), run_id=context.run.run_id)
    return MaterializeResult(metadata={
        "path": str(report.path), "cells_published": report.cells_published,
        "cells_suppressed": report.cells_suppressed, "cells_suppressed_primary": report.cells_primary,
        "cells_suppressed_complementary": report.cells_complementary,
        "cells_hidden_again": report.cells_hidden_again,
        "components_solved": report.components_solved,
        "components_proven_before": report.components_proven_before,
        "components_proven_by_last_build": report.components_proven_by_last_build,
        "suppressed_share": round(report.suppressed_share, 4), "suppress_seconds": round(report.suppress_seconds, 2),
        "seconds": round(report.seconds, 2), **{f"rows_{name}": rows for name, rows in report.tables.items()},
    })


@asset(key=["serving", "serving_published"], deps=[serving_database], group_name="publish",
       description="data/serving.duckdb: the audited candidate, swapped in atomically.")
def serving_published() -> MaterializeResult:
    paths = lantern_paths()
    publish_candidate(paths.serving)
    return MaterializeResult(metadata={"path": str(paths.serving)})


@asset(key=["site", "static_dashboard"], deps=[serving_published], group_name="publish",
       description="data/site/index.html: the offline dashboard (no server, no network).")
def static_dashboard() -> MaterializeResult:
    paths = lantern_paths().ensure()
    report = build_site(paths.serving, paths.site)
    return MaterializeResult(metadata={"path": str(report.path), "bytes": report.bytes,
                                       "seconds": round(report.build_seconds, 2)})
