"""Disclosure control for everything Lantern publishes: suppression and the blocking audit.

    spec = PublishedSet(tables=[...], hierarchies=[geo, time_hierarchy(...)], min_cell_count=11)
    result = suppress(true_frames, spec)       # frames with NULL + <count>_suppressed
    audit(result.frames, spec).raise_if_failed()

See docs/disclosure-control.md.
"""

from dashboards.disclosure.audit import AuditReport, DisclosureError, audit
from dashboards.disclosure.rates import protect_derived, rate
from dashboards.disclosure.spec import Hierarchy, PublishedSet, TableSpec, time_hierarchy
from dashboards.disclosure.suppress import SuppressionResult, suppress

__all__ = [
    "Hierarchy", "TableSpec", "PublishedSet", "time_hierarchy",
    "suppress", "SuppressionResult", "audit", "AuditReport", "DisclosureError",
    "protect_derived", "rate",
]
