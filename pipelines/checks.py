"""Asset checks: the invariants a run must prove before anything is published."""

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check

from dashboards.release import earlier_cells_changed, kept_releases
from dashboards.serving import audit_serving_database, candidate_path, earlier_proofs
from dashboards.serving.guard import serving_violations
from models import MODELS_DIR, query_sql
from models.declared_tests import declarations, run_tests
from pipelines.assets.keys import table_key
from pipelines.resources import PathsResource, WarehouseResource
from sources.context import CONTEXT_FEEDS  # public context files have their own accounting checks
from sources.contracts import FEEDS
from sources.reference import deployment

CHECKS = MODELS_DIR / "checks"  # the checks' SQL


@asset_check(asset=table_key("raw.file_manifest"), blocking=True,
             description="Per file: rows loaded + rows quarantined == rows read, and the raw and quarantine "
                         "tables hold exactly those rows. Nothing is lost.")
def every_row_accounted_for(warehouse: WarehouseResource) -> AssetCheckResult:
    loaded_by_file = " UNION ALL ".join(query_sql("checks", "loaded_by_file", table=f"raw.{feed}") for feed in FEEDS)
    sql = (CHECKS / "every_row_accounted_for.sql").read_text(encoding="utf-8").format(
        loaded_by_file=loaded_by_file, context_feeds=", ".join(f"'{f}'" for f in CONTEXT_FEEDS))
    with warehouse.session() as con:
        broken = con.execute(sql).fetchall()
        files = con.execute((CHECKS / "manifest_totals.sql").read_text(encoding="utf-8")).fetchone()
    return AssetCheckResult(
        passed=not broken,
        metadata={"files": files[0], "rows_read": int(files[1]), "files_not_reconciled": len(broken),
                  "first_problems": str(broken[:5])},
    )


def declared_tests_check(model: str):
    """The tests a model's layer YAML declares for it (models/declared_tests.py), as one blocking check."""

    @asset_check(asset=table_key(model), name="declared_tests", blocking=True,
                 description=f"{model}: the grain, not-null, accepted-values, expect and equal-totals tests declared "
                             f"in models/{model.split('.')[0]}/_{model.split('.')[0]}.yml.")
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.session() as con:
            results = run_tests(con, model)
        failed = [str(r) for r in results if not r.passed]
        return AssetCheckResult(passed=not failed, metadata={
            "tests": len(results), "failed": len(failed), "first_failures": "\n".join(failed[:10])})

    return _check


@asset_check(asset=["serving", "serving_database"], blocking=True,
             description="Disclosure audit of the candidate serving database, before it is swapped in: an "
                         "attacker with every published table (every margin, every grain pair, every measure "
                         "relation) and a linear-programming solver must not narrow any suppressed count to "
                         "1..k-1; no published count is 1..k-1; no derived value is shown over a hidden count.")
def disclosure_audit(warehouse: WarehouseResource, lantern_home: PathsResource) -> AssetCheckResult:
    with warehouse.session() as con:
        proofs = earlier_proofs(con)  # answers to component LPs the build already solved exactly as posed here
    paths = lantern_home.paths
    candidate = candidate_path(paths.serving)
    report = audit_serving_database(candidate, proofs)
    # Across releases: the attacker holds every kept release. Each must be carried in the candidate exactly,
    # so the candidate publishes all they did and the attack on it is the attack on all of them together.
    changed = earlier_cells_changed(candidate, [r.serving for r in kept_releases(paths.home)])
    return AssetCheckResult(passed=report.passed and changed.is_empty(), severity=AssetCheckSeverity.ERROR, metadata={
        "releases_attacked_together": len(kept_releases(paths.home)) + 1,
        "earlier_cells_changed": changed.height, "first_earlier_cells_changed": str(changed.head(10).rows()),
        "threshold": deployment().min_cell_count, "cells": report.n_cells, "cells_suppressed": report.n_suppressed,
        "linear_programs": report.n_lp, "components": report.components,
        "components_proven_before": report.components_proven_before, "seconds": round(report.seconds, 2),
        "failures": report.failures.height, "first_failures": str(report.failures.head(10).rows())})


all_checks = [every_row_accounted_for, disclosure_audit,
              *[declared_tests_check(model) for model in declarations()]]


@asset_check(asset=["serving", "serving_database"], blocking=True,
             description="The candidate serving database holds aggregates only: declared tables, one row per "
                         "cell, no record-level column, no linkage key, no identifier, no free text (every text "
                         "value is reference data, a code-list label or the serving SQL's own words).")
def serving_holds_aggregates_only(lantern_home: PathsResource) -> AssetCheckResult:
    return _aggregates_only(candidate_path(lantern_home.paths.serving))


@asset_check(asset=["serving", "internal_database"], blocking=True,
             description="The candidate internal database holds aggregates only, by the same rules as a release: "
                         "exact numbers, but no record, id or free text.")
def internal_holds_aggregates_only(lantern_home: PathsResource) -> AssetCheckResult:
    return _aggregates_only(candidate_path(lantern_home.paths.internal))


def _aggregates_only(path) -> AssetCheckResult:
    violations = serving_violations(path)
    # Messages name tables and columns, never a value: a failed check must not leak what it found.
    return AssetCheckResult(passed=not violations, severity=AssetCheckSeverity.ERROR, metadata={
        "path": str(path), "violations": len(violations), "first_violations": "\n".join(violations[:20])})
