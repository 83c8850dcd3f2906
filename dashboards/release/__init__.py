"""Protected releases: what partners and the public see, cut on a calendar and kept for good.

A release covers closed periods only (release_calendar), is computed from the warehouse as it stood when
each period was first released (as_released), keeps every cell an earlier release published exactly as it
was (carried), protects its new cells together with all of those (build), and is kept under
$LANTERN_HOME/releases/<id>/ (store). docs/disclosure-control.md, "Releases", explains why.
"""

from dashboards.release.build import ReleaseReport, build_release
from dashboards.release.calendar import release_cutoff, release_due, release_id
from dashboards.release.carried import earlier_cells_changed
from dashboards.release.store import KeptRelease, kept_releases, promote_release

__all__ = ["KeptRelease", "ReleaseReport", "build_release", "earlier_cells_changed", "kept_releases",
           "promote_release", "release_cutoff", "release_due", "release_id"]
