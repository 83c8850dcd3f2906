"""Composition root: the whole asset graph, its checks, jobs, schedule, sensors and the warehouse resource.

All warehouse writes run in one process (in-process executor): DuckDB allows one writer at a time.
"""

from dagster import Definitions, in_process_executor

from pipelines.assets.superset import superset_dashboards_asset
from pipelines.assets.briefing import briefing_job, quarterly_briefing
from pipelines.assets.context import context_checks, context_drops
from pipelines.assets.ingest import inbox_drops
from pipelines.assets.models import model_assets, modelled_months
from pipelines.assets.publish import (internal_database, internal_published, serving_database, serving_published,
                                     static_dashboard)
from pipelines.assets.reference import reference_data
from pipelines.automation import all_sensors, nightly_schedule, release_schedule
from pipelines.checks import all_checks, internal_holds_aggregates_only, serving_holds_aggregates_only
from pipelines.freshness import freshness_checks
from pipelines.jobs import all_jobs
from pipelines.resources import pipeline_resources
from sources.reference.paths import Paths, lantern_paths

superset_dashboards = superset_dashboards_asset(internal_published.key)

all_assets = [reference_data, inbox_drops, context_drops, *model_assets, modelled_months, internal_database,
              internal_published, serving_database, serving_published, static_dashboard, superset_dashboards,
              quarterly_briefing]

def build_definitions(paths: Paths) -> Definitions:
    return Definitions(
        assets=all_assets,
        asset_checks=[*all_checks, serving_holds_aggregates_only, internal_holds_aggregates_only, *freshness_checks,
                      *context_checks],
        jobs=[*all_jobs, briefing_job],
        schedules=[nightly_schedule(), release_schedule()],
        sensors=all_sensors,
        resources=pipeline_resources(paths),
        executor=in_process_executor,
    )


defs = build_definitions(lantern_paths())
