"""The jobs: ingest (new drops), models (monthly partitions), publish (serving, site, Superset), and
`refresh`, the whole graph for one partition range. All run in process: one warehouse writer."""

from dagster import AssetSelection, define_asset_job

from pipelines.assets.briefing import BRIEFING_KEY
from pipelines.assets.models import MODELLED_MONTHS_KEY, partitioned_model_keys

INGEST = AssetSelection.key_prefixes(["reference"], ["raw"])
PARTITIONED_MODELS = AssetSelection.assets(*partitioned_model_keys, MODELLED_MONTHS_KEY)
BRIEFING = AssetSelection.assets(BRIEFING_KEY)  # quarterly-partitioned: its own job
RELEASE = AssetSelection.groups("release")  # on the release calendar, not every night

ingest_job = define_asset_job(
    "ingest", selection=INGEST,
    description="Load reference data and every new drop in the inbox (rows loaded or quarantined).")

models_job = define_asset_job(
    "models", selection=PARTITIONED_MODELS,
    description="Recompute the month-partitioned staging and mart tables for a month or a range of months.")

publish_job = define_asset_job(
    "publish", selection=AssetSelection.all() - INGEST - PARTITIONED_MODELS - BRIEFING - RELEASE,
    description="Rebuild whole-history models, the internal database (exact, swapped in) and the Superset "
                "dashboards. Protected releases are not touched.")

release_job = define_asset_job(
    "release", selection=RELEASE,
    description="Cut a protected release (closed months), audit it with every kept release, keep it, point "
                "serving.duckdb and the static site to it.")

refresh_job = define_asset_job(
    "refresh", selection=AssetSelection.all() - BRIEFING - RELEASE,
    description="Everything for a range of months: ingest, models, publish (use for a full rebuild).")

all_jobs = [ingest_job, models_job, publish_job, release_job, refresh_job]


def release_config(as_of) -> dict:
    """Run config of the release job: the day it is cut (its months are those closed by then)."""
    return {"ops": {"serving__serving_database": {"config": {"as_of": as_of.isoformat()}}}}
