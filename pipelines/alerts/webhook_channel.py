"""Webhook: one JSON POST (Slack/Teams-compatible `text` plus structured fields), optional bearer token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from pipelines.alerts.alert import Alert
from pipelines.alerts.settings import WebhookSettings

TIMEOUT_SECONDS = 10  # x 3 attempts + backoff stays inside a sensor's 60 s evaluation timeout


def describe(settings: WebhookSettings) -> str:
    """Scheme and host only: Slack/Teams webhook paths are themselves secrets."""
    parts = urlsplit(settings.url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def post_webhook(alert: Alert, settings: WebhookSettings) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "lantern-alerts"}
    if settings.token:
        headers["Authorization"] = f"Bearer {settings.token}"
    request = urllib.request.Request(
        settings.url, data=json.dumps(alert.payload()).encode("utf-8"), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()  # urlopen raises HTTPError for any status >= 400


def retryable(error: Exception) -> bool:
    """Server errors, rate limits and network trouble may pass; other 4xx (bad URL or token) will not."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    return isinstance(error, OSError)  # URLError, timeouts, refused connections
