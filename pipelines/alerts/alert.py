"""The alert itself: what failed, where to look, what to do, rendered once for every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class AlertKind(str, Enum):
    RUN_FAILURE = "run_failure"
    CHECK_FAILURE = "check_failure"
    STALE_FEED = "stale_feed"
    FILE_QUARANTINED = "file_quarantined"


@dataclass(frozen=True)
class Alert:
    """One alert. Every field must already be safe to send: counts, file names, rule names, links.

    `details` are the same facts as structured values (for webhooks that route or chart them);
    `links` are URLs a reader can open (the Dagster run or asset page).
    """

    kind: AlertKind
    title: str
    what_failed: tuple[str, ...]
    where_to_look: tuple[str, ...]
    what_to_do: tuple[str, ...]
    details: dict[str, str | int | float] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"[Lantern] {self.title}"

    def text(self) -> str:
        """Plain text for an e-mail body or a chat message; readable without any markup support."""
        lines = [self.title, "", "What failed:"]
        lines += [f"- {line}" for line in self.what_failed]
        lines += ["", "Where to look:"]
        lines += [f"- {line}" for line in self.where_to_look]
        lines += ["", "What to do:"]
        lines += [f"{n}. {line}" for n, line in enumerate(self.what_to_do, start=1)]
        return "\n".join(lines) + "\n"

    def payload(self) -> dict:
        """Webhook JSON: `text` is what Slack and Teams incoming webhooks display; the rest is for machines."""
        return {
            "text": self.text(),
            "source": "lantern",
            "kind": self.kind.value,
            "title": self.title,
            "what_failed": list(self.what_failed),
            "where_to_look": list(self.where_to_look),
            "what_to_do": list(self.what_to_do),
            "details": dict(self.details),
            "links": dict(self.links),
        }
