"""A Dagster asset that republishes the dashboards after each serving swap (for the lead to register).

publish() imports the bundle, deletes objects removed from the specs and applies per-agency access.

    from pipelines.assets.superset import superset_dashboards_asset
    superset_dashboards = superset_dashboards_asset(serving_asset_key="serving")  # the swap's asset key

Skips (with a log line) when no Superset answers on LANTERN_SUPERSET_URL / the port file: the nightly
refresh must not fail because the dashboards server is down; publishing is idempotent, so the next run
catches up. Set LANTERN_SUPERSET_REQUIRED=1 to make a missing server an error instead.
"""

import os
import urllib.request

import dagster as dg


def superset_dashboards_asset(serving_asset_key: dg.AssetKey | str = "serving") -> dg.AssetsDefinition:
    serving_key = serving_asset_key if isinstance(serving_asset_key, dg.AssetKey) else dg.AssetKey(serving_asset_key)

    @dg.asset(key=["dashboards", "superset_dashboards"], deps=[serving_key], group_name="publish",
              description="Superset dashboards published from dashboards/superset/specs (assets import).")
    def superset_dashboards(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        from dashboards.superset.publish import default_url, publish

        url = default_url()
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:
                up = response.status == 200
        except OSError:
            up = False
        if not up:
            if os.environ.get("LANTERN_SUPERSET_REQUIRED") == "1":
                raise RuntimeError(f"Superset is not answering at {url}")
            context.log.warning(f"Superset not answering at {url}; dashboards not republished")
            return dg.MaterializeResult(metadata={"published": False, "url": url})
        summary = publish(url=url)
        return dg.MaterializeResult(metadata={
            "published": True, "url": url, "charts": summary["charts"], "dashboards": summary["dashboards"],
            "import_seconds": summary["import_s"], "access_seconds": summary["access_s"],
            "access": summary["access"], "removed": summary["removed"],  # roles/RLS applied, stale objects deleted
        })

    return superset_dashboards
