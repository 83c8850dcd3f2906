"""E-mail through an SMTP relay, with STARTTLS when asked for (never falling back to plain text)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipelines.alerts.alert import Alert
from pipelines.alerts.settings import SmtpSettings

TIMEOUT_SECONDS = 10  # x 3 attempts + backoff stays inside a sensor's 60 s evaluation timeout


def describe(settings: SmtpSettings) -> str:
    return f"smtp://{settings.host}:{settings.port}"


def build_message(alert: Alert, settings: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="lantern.local")
    message["X-Lantern-Alert-Kind"] = alert.kind.value
    message.set_content(alert.text())
    return message


def send_email(alert: Alert, settings: SmtpSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.ehlo()
        if settings.starttls:
            # starttls() raises SMTPNotSupportedError when the relay does not offer it: better no alert
            # than credentials and alert text in clear over the network.
            smtp.starttls(context=ssl.create_default_context(cafile=settings.ca_file))
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(build_message(alert, settings))


def retryable(error: Exception) -> bool:
    """Network trouble and 4xx replies are worth another try; 5xx (bad address, auth refused) are not."""
    if isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, ssl.SSLError)):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (OSError, smtplib.SMTPServerDisconnected))
