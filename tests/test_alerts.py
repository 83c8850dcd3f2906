"""Alerts delivered for real: an SMTP sink and an HTTP sink on 127.0.0.1, each in a thread, free ports."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import logging
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster import AssetKey, MetadataValue

from pipelines.alerts import (
    AlertKind,
    alert_for_failed_check,
    alert_for_quarantined_file,
    alert_for_run_failure,
    alert_for_stale_feed,
    send_alert,
)
from pipelines.alerts import delivery

LOOPBACK = "127.0.0.1"
FAST = {"backoff_seconds": 0.01}  # the retry schedule itself is not what these tests wait for
RUN_ID = "5f1c2d3e-aaaa-bbbb-cccc-0123456789ab"
# Values that would be record-level data if they reached an alert.
PERSON = "Jane Roe"
PHONE = "573-555-0199"
EMAIL_ADDRESS = "jane.roe@example.org"


# --- sinks -------------------------------------------------------------------------------------------------

class SmtpSink:
    """A minimal ESMTP server: EHLO, optional STARTTLS, AUTH PLAIN, MAIL/RCPT/DATA. Records what arrives."""

    def __init__(self, tls_context: ssl.SSLContext | None = None, transient_failures: int = 0):
        self.tls_context = tls_context
        self.transient_failures = transient_failures  # answer MAIL FROM with 451 this many times first
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[str, str, bool]] = []  # user, password, over TLS
        sink = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sink._converse(self.request)

        self.server = socketserver.ThreadingTCPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def _converse(self, conn: socket.socket) -> None:
        reader, tls, sender, recipients = conn.makefile("rb"), False, "", []

        def reply(*lines: str) -> None:
            conn.sendall("".join(f"{line}\r\n" for line in lines).encode())

        reply("220 sink ESMTP")
        while raw := reader.readline():
            command, _, argument = raw.decode().rstrip("\r\n").partition(" ")
            command = command.upper()
            if command in ("EHLO", "HELO"):
                starttls = ["250-STARTTLS"] if self.tls_context and not tls else []
                reply("250-sink", *starttls, "250 AUTH PLAIN")
            elif command == "STARTTLS" and self.tls_context:
                reply("220 ready")
                conn = self.tls_context.wrap_socket(conn, server_side=True)
                reader, tls = conn.makefile("rb"), True
            elif command == "AUTH":
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                self.logins.append((user, password, tls))
                reply("235 ok")
            elif command == "MAIL":
                if self.transient_failures:
                    self.transient_failures -= 1
                    reply("451 try again later")
                    continue
                sender, recipients = argument, []
                reply("250 ok")
            elif command == "RCPT":
                recipients.append(argument)
                reply("250 ok")
            elif command == "DATA":
                reply("354 end with .")
                body = b"".join(iter(lambda: reader.readline(), b".\r\n"))
                body = b"\n".join(line[1:] if line.startswith(b".") else line for line in body.split(b"\n"))
                self.messages.append((sender, recipients, email.message_from_bytes(body, policy=email.policy.default)))
                reply("250 queued")
            elif command == "QUIT":
                reply("221 bye")
                return
            elif command in ("RSET", "NOOP"):
                reply("250 ok")
            else:
                reply("502 not implemented")

    def __enter__(self) -> "SmtpSink":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class HttpSink:
    """Answers POSTs with the given statuses in turn (then 200) and records path, headers and JSON body."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[tuple[str, dict[str, str], dict]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.requests.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(sink.statuses.pop(0) if sink.statuses else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # keep pytest output quiet
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def bodies(self) -> list[dict]:
        return [body for _, _, body in self.requests]

    def __enter__(self) -> "HttpSink":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@pytest.fixture
def alert_env(monkeypatch: pytest.MonkeyPatch):
    """Start from no alert configuration at all, then set exactly what a test asks for."""
    monkeypatch.setattr(delivery, "_recent_failures", {})  # each test starts with no channel known to be down
    for name in ("LANTERN_ALERT_SMTP_HOST", "LANTERN_ALERT_SMTP_PORT", "LANTERN_ALERT_SMTP_USER",
                 "LANTERN_ALERT_SMTP_PASSWORD", "LANTERN_ALERT_SMTP_FROM", "LANTERN_ALERT_EMAIL_TO",
                 "LANTERN_ALERT_SMTP_STARTTLS", "LANTERN_ALERT_SMTP_CA_FILE", "LANTERN_ALERT_WEBHOOK_URL",
                 "LANTERN_ALERT_WEBHOOK_TOKEN", "LANTERN_DAGSTER_URL"):
        monkeypatch.delenv(name, raising=False)

    def configure(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return configure


def email_settings(port: int, **extra: str) -> dict[str, str]:
    return {"LANTERN_ALERT_SMTP_HOST": LOOPBACK, "LANTERN_ALERT_SMTP_PORT": str(port),
            "LANTERN_ALERT_SMTP_FROM": "lantern@taskforce.example",
            "LANTERN_ALERT_EMAIL_TO": "oncall@taskforce.example, steward@taskforce.example", **extra}


def run_failure_with_values_in_error():
    return alert_for_run_failure(
        RUN_ID, "refresh", ["inbox_drops"],
        f"ConversionException: Could not convert string '{PERSON}' to INT32 near {PHONE} / {EMAIL_ADDRESS}\n"
        f"  File ingest.py, line 12, value={PERSON}",
    )


def assert_no_record_values(text: str) -> None:
    for value in (PERSON, PHONE, EMAIL_ADDRESS, "Roe"):
        assert value not in text


# --- delivery ----------------------------------------------------------------------------------------------

def test_email_reaches_every_recipient_with_subject_and_all_three_sections(alert_env):
    with SmtpSink() as sink:
        alert_env(**email_settings(sink.port), LANTERN_DAGSTER_URL="https://dagster.taskforce.example/")
        results = send_alert(run_failure_with_values_in_error(), **FAST)

    assert [(r.channel, r.delivered, r.attempts) for r in results] == [("email", True, 1)]
    sender, recipients, message = sink.messages[0]
    assert sender == "FROM:<lantern@taskforce.example>"
    assert recipients == ["TO:<oncall@taskforce.example>", "TO:<steward@taskforce.example>"]
    assert message["Subject"] == "[Lantern] Run failed: job refresh (run 5f1c2d3e)"
    assert message["X-Lantern-Alert-Kind"] == "run_failure"
    body = message.get_content().replace("\r\n", "\n")
    assert "What failed:\n- Dagster job refresh, run " + RUN_ID in body
    assert "Failed step(s): inbox_drops" in body
    assert "ConversionException: Could not convert string '…' to INT32" in body
    assert f"Where to look:\n- Dagster run (full error and logs): https://dagster.taskforce.example/runs/{RUN_ID}" in body
    assert "What to do:\n1. Open the Dagster run" in body
    assert_no_record_values(body)  # decoded: the wire form may be base64 and would hide a leak


def test_webhook_posts_slack_compatible_text_structured_fields_and_bearer_token(alert_env):
    alert = alert_for_quarantined_file("hotline_signals__HL-NATL__2025-03.csv", "hotline_signals", "HL-NATL",
                                       1200, {"date_format": 12, "identifier_detected": 3})
    with HttpSink() as sink:
        alert_env(LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{sink.port}/services/T000/B000/secretpath",
                  LANTERN_ALERT_WEBHOOK_TOKEN="token-123")
        results = send_alert(alert, **FAST)

    assert [(r.channel, r.delivered) for r in results] == [("webhook", True)]
    assert results[0].target == f"http://{LOOPBACK}:{sink.port}"  # the secret path is not reported or logged
    path, headers, body = sink.requests[0]
    assert path == "/services/T000/B000/secretpath"
    assert headers["Authorization"] == "Bearer token-123"
    assert headers["Content-Type"].startswith("application/json")
    assert body["kind"] == "file_quarantined"
    assert body["text"].startswith("Drop hotline_signals__HL-NATL__2025-03.csv from HL-NATL: 15 problem(s)")
    assert "lantern status --file hotline_signals__HL-NATL__2025-03.csv" in body["text"]
    assert body["details"]["rule.date_format"] == 12 and body["details"]["rule.identifier_detected"] == 3
    assert body["details"]["rows_read"] == 1200
    assert body["what_to_do"] and body["where_to_look"] and body["what_failed"]


@pytest.mark.parametrize("down", ["email", "webhook"])
def test_one_channel_down_the_other_still_delivers_and_the_failure_is_reported(alert_env, down):
    with SmtpSink() as smtp, HttpSink(statuses=[503] * 10 if down == "webhook" else []) as http:
        alert_env(**email_settings(closed_port() if down == "email" else smtp.port),
                  LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        results = {r.channel: r for r in send_alert(run_failure_with_values_in_error(), attempts=3, **FAST)}

    failed, working = results[down], results["webhook" if down == "email" else "email"]
    assert not failed.delivered and failed.attempts == 3 and failed.error
    assert working.delivered
    assert len(smtp.messages) == (0 if down == "email" else 1)
    assert len(http.bodies) == (3 if down == "webhook" else 1)


def test_transient_failures_are_retried_and_then_delivered(alert_env):
    with SmtpSink(transient_failures=1) as smtp, HttpSink(statuses=[502]) as http:
        alert_env(**email_settings(smtp.port), LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        results = {r.channel: r for r in send_alert(run_failure_with_values_in_error(), **FAST)}

    assert (results["email"].delivered, results["email"].attempts) == (True, 2)
    assert (results["webhook"].delivered, results["webhook"].attempts) == (True, 2)
    assert len(smtp.messages) == 1 and len(http.bodies) == 2


def test_a_channel_that_just_failed_gets_one_attempt_until_it_works_again(alert_env):
    with HttpSink(statuses=[503] * 4) as http:
        alert_env(LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        attempts = [send_alert(run_failure_with_values_in_error(), **FAST)[0] for _ in range(3)]
        http.statuses = [503] * 3
        after_recovery = send_alert(run_failure_with_values_in_error(), **FAST)[0]
    assert [(r.delivered, r.attempts) for r in attempts] == [(False, 3), (False, 1), (True, 1)]
    assert (after_recovery.delivered, after_recovery.attempts) == (False, 3)


def test_a_rejected_webhook_is_not_retried(alert_env):
    with HttpSink(statuses=[403] * 5) as http:
        alert_env(LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        [result] = send_alert(run_failure_with_values_in_error(), **FAST)
    assert (result.delivered, result.attempts) == (False, 1)
    assert "403" in result.error


def test_not_configured_logs_and_returns_nothing(alert_env, caplog):
    with caplog.at_level(logging.WARNING, logger="lantern.alerts"):
        results = send_alert(run_failure_with_values_in_error())
    assert results == []
    assert "Alerts are not configured" in caplog.text


def test_half_configured_email_is_reported_and_does_not_block_the_webhook(alert_env):
    with HttpSink() as http:
        alert_env(LANTERN_ALERT_SMTP_HOST=LOOPBACK, LANTERN_ALERT_SMTP_FROM="lantern@taskforce.example",
                  LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        results = {r.channel: r for r in send_alert(run_failure_with_values_in_error(), **FAST)}
    assert not results["email"].delivered and "LANTERN_ALERT_EMAIL_TO" in results["email"].error
    assert results["webhook"].delivered


def test_starttls_required_but_not_offered_sends_nothing_in_clear(alert_env):
    with SmtpSink() as sink:
        alert_env(**email_settings(sink.port, LANTERN_ALERT_SMTP_STARTTLS="1", LANTERN_ALERT_SMTP_USER="relay",
                                   LANTERN_ALERT_SMTP_PASSWORD="relay-password"))
        [result] = send_alert(run_failure_with_values_in_error(), **FAST)
    assert (result.delivered, result.attempts) == (False, 1)
    assert "STARTTLS" in result.error
    assert sink.messages == [] and sink.logins == []


@pytest.fixture(scope="module")
def loopback_certificate(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate for the TLS sink")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_login_and_delivery_over_tls(alert_env, loopback_certificate):
    cert, key = loopback_certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    with SmtpSink(tls_context=server_tls) as sink:
        alert_env(**email_settings(sink.port, LANTERN_ALERT_SMTP_STARTTLS="1", LANTERN_ALERT_SMTP_USER="relay",
                                   LANTERN_ALERT_SMTP_PASSWORD="relay-password",
                                   LANTERN_ALERT_SMTP_CA_FILE=str(cert)))
        [result] = send_alert(run_failure_with_values_in_error(), **FAST)
    assert result.delivered, result.error
    assert sink.logins == [("relay", "relay-password", True)]
    assert len(sink.messages) == 1


def test_password_over_plain_smtp_is_refused(alert_env):
    with SmtpSink() as sink:
        alert_env(**email_settings(sink.port, LANTERN_ALERT_SMTP_USER="relay", LANTERN_ALERT_SMTP_PASSWORD="pw"))
        [result] = send_alert(run_failure_with_values_in_error(), **FAST)
    assert not result.delivered and "STARTTLS" in result.error
    assert sink.logins == [] and sink.messages == []


# --- content -----------------------------------------------------------------------------------------------

def test_failed_check_sends_numbers_and_withholds_text_metadata(alert_env):
    alert = alert_for_failed_check(
        AssetKey(["raw", "file_manifest"]), "every_row_accounted_for",
        {"files": MetadataValue.int(4), "rows_read": 1200, "files_not_reconciled": 1,
         "first_problems": MetadataValue.text(f"[('{PERSON}', {PHONE})]"), "share": 0.25})
    with HttpSink() as http:
        alert_env(LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        send_alert(alert, **FAST)

    [body] = http.bodies
    assert body["title"] == "Check failed: every_row_accounted_for on raw/file_manifest"
    assert {"files": 4, "rows_read": 1200, "files_not_reconciled": 1, "share": 0.25}.items() <= body["details"].items()
    assert "first_problems" not in body["details"]
    assert "Not copied into this alert (may hold record details): first_problems" in body["what_failed"]
    assert body["links"]["dagster_asset_checks"] == "http://127.0.0.1:3000/assets/raw/file_manifest?view=checks"
    assert any("do not publish" in step for step in body["what_to_do"])
    assert_no_record_values(json.dumps(body))


def test_stale_feed_says_how_old_the_data_are_and_where_drops_wait():
    alert = alert_for_stale_feed("referrals", date(2025, 3, 1), 7, datetime(2025, 3, 20, 6, 0))
    assert alert.kind is AlertKind.STALE_FEED
    assert alert.title == "Feed referrals is stale: newest data 2025-03-01 (19 days old)"
    assert alert.details["days_since_data"] == 19 and alert.details["expected_every_days"] == 7
    assert "$LANTERN_HOME/inbox/referrals__*" in alert.text()
    assert any("dagster-daemon" in step for step in alert.what_to_do)


def test_stale_feed_judged_by_file_arrival_says_so():
    alert = alert_for_stale_feed("referrals", date(2025, 2, 28), 7, datetime(2025, 3, 20, 6, 0),
                                 last_file_at=datetime(2025, 3, 9, 23, 0))
    assert alert.title == "Feed referrals is stale: no new file for 10 days"
    assert "Last file loaded 2025-03-09 23:00, 10 days ago" in alert.what_failed
    assert alert.details["days_since_last_file"] == 10 and alert.details["days_since_data"] == 20


def test_stale_feed_that_never_delivered():
    alert = alert_for_stale_feed("case_outcomes", None, 30, datetime(2025, 3, 20))
    assert "never" in alert.title and "no data received yet" in alert.text()


def test_each_kind_has_its_own_next_steps():
    steps = {
        "run": run_failure_with_values_in_error().what_to_do,
        "check": alert_for_failed_check("serving/serving_database", "no_small_counts_published", {}).what_to_do,
        "stale": alert_for_stale_feed("referrals", date(2025, 3, 1), 7, datetime(2025, 3, 20)).what_to_do,
        "file": alert_for_quarantined_file("f.csv", "referrals", "A", 10, {"empty_file": 1}).what_to_do,
    }
    assert len({tuple(s) for s in steps.values()}) == 4
    assert any("disclosure incident" in s for s in steps["check"])
    assert any("refused whole" in s for s in steps["file"])


def test_identifiers_in_a_drop_are_escalated_as_a_privacy_matter():
    alert = alert_for_quarantined_file("referrals__A__2025-03.csv", "referrals", "A", 50, {"identifier_detected": 2})
    assert any("sent direct identifiers" in step for step in alert.what_to_do)
    assert not any("sent direct identifiers" in step for step in
                   alert_for_quarantined_file("f.csv", "referrals", "A", 50, {"date_format": 2}).what_to_do)


def test_the_install_check_command_exits_zero_only_when_every_channel_delivered(alert_env):
    from pipelines.alerts.__main__ import main

    assert main(["test"]) == 1  # nothing configured yet
    with HttpSink() as http, SmtpSink() as smtp:
        alert_env(LANTERN_ALERT_WEBHOOK_URL=f"http://{LOOPBACK}:{http.port}/hook")
        assert main(["test"]) == 0
        alert_env(**email_settings(smtp.port, LANTERN_ALERT_EMAIL_TO=""))
        assert main(["test"]) == 1  # the webhook still works, the e-mail (no recipients) does not
    assert [body["title"] for body in http.bodies] == ["Test alert (no action needed)"] * 2
    assert smtp.messages == []
