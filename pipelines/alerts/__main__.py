"""`python -m pipelines.alerts test`: send a harmless test alert through every configured channel.

Exit 0 only when every configured channel delivered, so it can prove an installation's alert settings.
"""

from __future__ import annotations

import logging
import sys

from pipelines.alerts.alert import Alert, AlertKind
from pipelines.alerts.delivery import send_alert
from pipelines.alerts.settings import dagster_url


def test_alert() -> Alert:
    return Alert(
        kind=AlertKind.RUN_FAILURE,
        title="Test alert (no action needed)",
        what_failed=("Nothing: this message checks that Lantern's alert settings work.",),
        where_to_look=(f"Dagster UI: {dagster_url()}",),
        what_to_do=("Nothing. If this arrived, alerts for failed runs, failed checks, stale feeds and "
                    "quarantined drops will arrive the same way.",),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["test"]:
        print("usage: python -m pipelines.alerts test", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    results = send_alert(test_alert())
    for result in results:
        print(f"{result.channel:<8} {result.target:<40} {'delivered' if result.delivered else 'FAILED'}"
              f" after {result.attempts} attempt(s)" + (f": {result.error}" if result.error else ""))
    return 0 if results and all(r.delivered for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
