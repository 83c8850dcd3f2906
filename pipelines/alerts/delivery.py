"""Send an alert through every configured channel; one channel failing never stops the others."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.alerts import email_channel, webhook_channel
from pipelines.alerts.alert import Alert
from pipelines.alerts.settings import AlertSettings

log = logging.getLogger("lantern.alerts")

ATTEMPTS = 3
BACKOFF_SECONDS = 2.0  # doubled after each failed attempt: at most 2 + 4 s of waiting per channel


@dataclass(frozen=True)
class DeliveryResult:
    channel: str  # "email" or "webhook"
    target: str  # host (and port) only, never a secret URL path or a password
    delivered: bool
    attempts: int
    error: str | None = None


def send_alert(alert: Alert, settings: AlertSettings | None = None, *, attempts: int = ATTEMPTS,
               backoff_seconds: float = BACKOFF_SECONDS) -> list[DeliveryResult]:
    """Deliver through e-mail and/or webhook. Never raises: failures come back as results and log lines."""
    settings = settings or AlertSettings.from_env()
    if not settings.configured:
        log.warning("Alerts are not configured (set LANTERN_ALERT_SMTP_HOST or LANTERN_ALERT_WEBHOOK_URL); "
                    "not sent: %s", alert.title)
        return []
    results = []
    if settings.smtp is not None:
        results.append(_deliver("email", email_channel.describe(settings.smtp), settings.smtp.problems(),
                                lambda: email_channel.send_email(alert, settings.smtp),
                                email_channel.retryable, attempts, backoff_seconds))
    if settings.webhook is not None:
        results.append(_deliver("webhook", webhook_channel.describe(settings.webhook), settings.webhook.problems(),
                                lambda: webhook_channel.post_webhook(alert, settings.webhook),
                                webhook_channel.retryable, attempts, backoff_seconds))
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
    delay = backoff_seconds
    for attempt in range(1, max(1, attempts) + 1):
        try:
            send()
            return DeliveryResult(channel, target, True, attempt)
        except Exception as error:  # noqa: BLE001 - an alert channel must never take the pipeline down
            reason = f"{type(error).__name__}: {error}"
            if attempt >= attempts or not retryable(error):
                return DeliveryResult(channel, target, False, attempt, reason)
            log.warning("Alert by %s to %s failed (attempt %d of %d, retrying in %.1f s): %s",
                        channel, target, attempt, attempts, delay, reason)
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
