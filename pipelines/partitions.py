"""Monthly partitions of the event-dated models, from the deployment's history start to this month."""

from __future__ import annotations

from dagster import MonthlyPartitionsDefinition

from sources.reference import deployment


def monthly_partitions() -> MonthlyPartitionsDefinition:
    settings = deployment()
    # end_offset=1 keeps the current (incomplete) month as a partition: tonight's drops belong to it.
    return MonthlyPartitionsDefinition(start_date=settings.history_start.strftime("%Y-%m-%d"),
                                       timezone=settings.timezone, end_offset=1)


def contiguous_ranges(months: list[str]) -> list[tuple[str, str]]:
    """Group partition keys (YYYY-MM-01) into runs of consecutive months: one run per range."""
    ordered = sorted(set(months))
    ranges: list[tuple[str, str]] = []
    for key in ordered:
        year, month = int(key[:4]), int(key[5:7])
        if ranges:
            start, end = ranges[-1]
            end_year, end_month = int(end[:4]), int(end[5:7])
            if (end_year * 12 + end_month) + 1 == year * 12 + month:
                ranges[-1] = (start, key)
                continue
        ranges.append((key, key))
    return ranges


def range_tags(start: str, end: str) -> dict[str, str]:
    """Run tags that make one run cover a partition range (single-run backfill)."""
    return {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}
