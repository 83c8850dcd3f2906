"""What the ingest checks drops against, from the reference data: known counties and organisations, the
deployment's first day, and which feeds each organisation is registered to send."""

from __future__ import annotations

from datetime import date

from sources.ingest.validator import ValidationContext
from sources.reference import counties, deployment, organisations


def validation_context(processed_on: date | None = None) -> ValidationContext:
    return ValidationContext(
        processed_on=processed_on or date.today(),
        county_fips=frozenset(counties()["fips"].to_list()),
        org_ids=frozenset(organisations()["org_id"].to_list()),
        earliest_date=deployment().history_start,
    )


def agency_feeds() -> dict[str, set[str]]:
    """Organisation id -> the feeds it is registered to send (a drop of any other feed is refused)."""
    return {row["org_id"]: set(row["sends_feeds"].split(";")) for row in organisations().iter_rows(named=True)}
