"""Alert channels and links, read from LANTERN_* environment variables (see deploy/lantern.env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DAGSTER_URL = "http://127.0.0.1:3000"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ca_file: str | None = None  # a private relay's CA; None trusts the system store

    def problems(self) -> list[str]:
        """Why this half-configured channel cannot send (reported as a failed delivery, never silently skipped)."""
        missing = []
        if not self.recipients:
            missing.append("LANTERN_ALERT_EMAIL_TO is empty")
        if not self.sender:
            missing.append("LANTERN_ALERT_SMTP_FROM is empty")
        if self.password and not self.starttls:
            missing.append("a password over plain SMTP: set LANTERN_ALERT_SMTP_STARTTLS=1")
        return missing


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    token: str | None = None

    def problems(self) -> list[str]:
        return [] if self.url.startswith(("https://", "http://")) else ["LANTERN_ALERT_WEBHOOK_URL must be http(s)"]


@dataclass(frozen=True)
class AlertSettings:
    smtp: SmtpSettings | None
    webhook: WebhookSettings | None

    @property
    def configured(self) -> bool:
        return self.smtp is not None or self.webhook is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AlertSettings":
        env = os.environ if environ is None else environ
        return cls(smtp=_smtp_from(env), webhook=_webhook_from(env))


def _smtp_from(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("LANTERN_ALERT_SMTP_HOST", "").strip()
    if not host:
        return None
    starttls = env.get("LANTERN_ALERT_SMTP_STARTTLS", "").strip() == "1"
    return SmtpSettings(
        host=host,
        port=int(env.get("LANTERN_ALERT_SMTP_PORT") or (587 if starttls else 25)),
        sender=env.get("LANTERN_ALERT_SMTP_FROM", "").strip(),
        recipients=tuple(a.strip() for a in env.get("LANTERN_ALERT_EMAIL_TO", "").split(",") if a.strip()),
        user=env.get("LANTERN_ALERT_SMTP_USER") or None,
        password=env.get("LANTERN_ALERT_SMTP_PASSWORD") or None,
        starttls=starttls,
        ca_file=env.get("LANTERN_ALERT_SMTP_CA_FILE") or None,
    )


def _webhook_from(env: Mapping[str, str]) -> WebhookSettings | None:
    url = env.get("LANTERN_ALERT_WEBHOOK_URL", "").strip()
    return WebhookSettings(url, env.get("LANTERN_ALERT_WEBHOOK_TOKEN") or None) if url else None


def dagster_url(environ: Mapping[str, str] | None = None) -> str:
    """Base URL of the Dagster UI as people reach it (behind the TLS proxy in production)."""
    env = os.environ if environ is None else environ
    return (env.get("LANTERN_DAGSTER_URL") or DEFAULT_DAGSTER_URL).rstrip("/")
