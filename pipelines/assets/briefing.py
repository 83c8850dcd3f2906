"""The quarterly briefing pack as a quarterly-partitioned asset: one partition per complete quarter.

A partition key is the quarter's first day ("2026-07-01" is 2026Q3). It reads the published serving
database only, so it runs after serving/serving_published, in its own job (`briefing`): Dagster runs one
partitions definition per job, and the publish and refresh jobs are monthly or unpartitioned.
"""

import datetime as dt
import shutil

from dagster import (AssetExecutionContext, AssetKey, AssetSelection, MaterializeResult, TimeWindowPartitionsDefinition,
                     asset, define_asset_job)

from dashboards.briefing import Quarter, build_briefing
from dashboards.release import kept_releases
from pipelines.resources import PathsResource
from sources.reference import deployment

BRIEFING_KEY = AssetKey(["briefing", "quarterly_briefing"])


def quarterly_partitions() -> TimeWindowPartitionsDefinition:
    settings = deployment()
    first = Quarter.of(settings.history_start).start
    # end_offset=0: only quarters that have ended are partitions (a briefing is on a complete quarter).
    return TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1,4,7,10 *", start=first.strftime("%Y-%m-%d"),
                                          fmt="%Y-%m-%d", timezone=settings.timezone, end_offset=0)


def quarter_of_partition(key: str) -> Quarter:
    return Quarter.of(dt.date.fromisoformat(key))


@asset(key=BRIEFING_KEY, deps=[AssetKey(["serving", "serving_published"])], partitions_def=quarterly_partitions(),
       group_name="publish",
       description="The quarterly briefing pack: data/briefings/<quarter>.pdf and site/briefing/<quarter>.html, "
                   "from the published (audited) serving database.")
def quarterly_briefing(context: AssetExecutionContext, lantern_home: PathsResource) -> MaterializeResult:
    paths = lantern_home.paths.ensure()
    quarter = quarter_of_partition(context.partition_key)
    report = build_briefing(paths.serving, paths.home / "briefings", paths.site, quarter)
    if report.missing_tables:
        context.log.warning(f"briefing {quarter.label}: serving tables missing: {', '.join(report.missing_tables)}")
    kept = kept_releases(paths.home)
    if kept:  # the briefing goes with the release it was built from, for good
        (kept[-1].folder / "briefings").mkdir(exist_ok=True)
        shutil.copy2(report.pdf_path, kept[-1].folder / "briefings" / report.pdf_path.name)
    return MaterializeResult(metadata={
        "quarter": quarter.label, "pdf": str(report.pdf_path), "page": str(report.html_path),
        "pages": report.pages, "bytes": report.pdf_bytes, "seconds": report.seconds,
        "missing_tables": ", ".join(report.missing_tables) or "none",
    })


briefing_job = define_asset_job(
    "briefing", selection=AssetSelection.assets(BRIEFING_KEY),
    description="Build the quarterly briefing pack for a quarter (partition) from the published serving database.")


def latest_briefing_partition(serving_db) -> str | None:
    """The partition key of the latest complete quarter in the serving database (None: none yet)."""
    from dashboards.briefing import latest_complete_quarter

    quarter = latest_complete_quarter(serving_db) if serving_db.exists() else None
    if quarter is None or quarter.start.isoformat() not in quarterly_partitions().get_partition_keys():
        return None
    return quarter.start.isoformat()
