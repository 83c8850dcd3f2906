"""Send an alert through every configured channel; one channel failing never stops or delays the others."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pipelines.alerts import email_channel, webhook_channel
from pipelines.alerts.alert import Alert
from pipelines.alerts.settings import AlertSettings

log = logging.getLogger("lantern.alerts")

ATTEMPTS = 3
BACKOFF_SECONDS = 1.0  # doubled after each failed attempt: at most 1 + 2 s of waiting per channel
# Alerts are sent from sensors (evaluation timeout 60 s) and from inside ingest (one per quarantined file):
# a channel that just failed gets one attempt, not three, until it has worked again or this time passed.
RECENT_FAILURE_SECONDS = 600
_recent_failures: dict[str, float] = {}
_recent_lock = threading.Lock()


@dataclass(frozen=True)
class DeliveryResult:
    channel: str  # "email" or "webhook"
    target: str  # host (and port) only, never a secret URL path or a password
    delivered: bool
    attempts: int
    error: str | None = None


def send_alert(alert: Alert, settings: AlertSettings | None = None, *, attempts: int = ATTEMPTS,
               backoff_seconds: float = BACKOFF_SECONDS) -> list[DeliveryResult]:
    """Deliver through e-mail and/or webhook, in parallel. Never raises: failures come back as results and logs."""
    settings = settings or AlertSettings.from_env()
    if not settings.configured:
        log.warning("Alerts are not configured (set LANTERN_ALERT_SMTP_HOST or LANTERN_ALERT_WEBHOOK_URL); "
                    "not sent: %s", alert.title)
        return []
    jobs = []
    if settings.smtp is not None:
        jobs.append(("email", email_channel.describe(settings.smtp), settings.smtp.problems(),
                     lambda: email_channel.send_email(alert, settings.smtp), email_channel.retryable))
    if settings.webhook is not None:
        jobs.append(("webhook", webhook_channel.describe(settings.webhook), settings.webhook.problems(),
                     lambda: webhook_channel.post_webhook(alert, settings.webhook), webhook_channel.retryable))
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="lantern-alert") as pool:
        futures = [pool.submit(_deliver, *job, attempts, backoff_seconds) for job in jobs]
        results = [future.result() for future in futures]
    for result in results:
        if result.delivered:
            log.info("Alert sent by %s to %s: %s", result.channel, result.target, alert.title)
        else:
            log.error("Alert NOT sent by %s to %s after %d attempt(s): %s", result.channel, result.target,
                      result.attempts, result.error)
    return results


def _deliver(channel: str, target: str, problems: list[str], send: Callable[[], None],
             retryable: Callable[[Exception], bool], attempts: int, backoff_seconds: float) -> DeliveryResult:
    if problems:
        return DeliveryResult(channel, target, False, 0, "misconfigured: " + "; ".join(problems))
    key = f"{channel}:{target}"
    with _recent_lock:
        failed_at = _recent_failures.get(key)
    if failed_at is not None and time.monotonic() - failed_at < RECENT_FAILURE_SECONDS:
        attempts = 1
    delay = backoff_seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            send()
        except Exception as error:  # noqa: BLE001 - an alert channel must never take the pipeline down
            reason = f"{type(error).__name__}: {error}"
            if attempt >= attempts or not retryable(error):
                with _recent_lock:
                    _recent_failures[key] = time.monotonic()
                return DeliveryResult(channel, target, False, attempt, reason)
            log.warning("Alert by %s to %s failed (attempt %d of %d, retrying in %.1f s): %s",
                        channel, target, attempt, attempts, delay, reason)
            time.sleep(delay)
            delay *= 2
        else:
            with _recent_lock:
                _recent_failures.pop(key, None)
            return DeliveryResult(channel, target, True, attempt)
