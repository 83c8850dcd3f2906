"""Alerts: tell people when a run or a check fails, a feed goes quiet, or a drop is quarantined.

Builders (`alert_for_*`) turn what Dagster knows into an `Alert`; `send_alert` delivers it through every
channel configured in the environment (SMTP e-mail, webhook). Alerts carry counts, file names and rule
names only: never a value from a record.
"""

from pipelines.alerts.alert import Alert, AlertKind
from pipelines.alerts.builders import (
    alert_for_failed_check,
    alert_for_partial_context_file,
    alert_for_quarantined_file,
    alert_for_run_failure,
    alert_for_stale_feed,
)
from pipelines.alerts.delivery import DeliveryResult, send_alert
from pipelines.alerts.settings import AlertSettings, dagster_url

__all__ = [
    "Alert",
    "AlertKind",
    "AlertSettings",
    "DeliveryResult",
    "alert_for_failed_check",
    "alert_for_partial_context_file",
    "alert_for_quarantined_file",
    "alert_for_run_failure",
    "alert_for_stale_feed",
    "dagster_url",
    "send_alert",
]
