"""Load and check the reference files. Each loader returns a Polars frame with a fixed schema."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl
import yaml

REFERENCE_DIR = Path(__file__).parent
REGION_SCHEMES = ("mshp_troop", "planning_region")


@dataclass(frozen=True)
class Deployment:
    state_code: str
    state_name: str
    fips_prefix: str
    timezone: str
    region_scheme: str
    region_scheme_label: str
    region_name_template: str
    min_cell_count: int
    unreliable_at_or_below: int
    history_start: date
    nightly_cron: str
    release_cadence: str  # protected releases: "monthly" or "quarterly" (closed periods only)
    release_lag_days: int  # a period is released once it has been closed this many days
    release_cron: str  # when the schedule cuts a due release
    grain_max_hidden_mass_pct: float  # a panel's grain holds up with at most this share of its count hidden
    grain_max_hidden_cells_pct: float  # ... and at most this share of its cells hidden (no panel mostly hatching)
    grain_max_other_pct: float  # small categories rolled into "other" may hold at most this share of the count


RELEASE_CADENCES = ("monthly", "quarterly")
GRAIN_SETTINGS = ("max_hidden_mass_pct", "max_hidden_cells_pct", "max_other_pct")


def reference_dir() -> Path:
    """The folder holding this deployment's reference files (LANTERN_REFERENCE_DIR overrides)."""
    return Path(os.environ.get("LANTERN_REFERENCE_DIR", REFERENCE_DIR))


@cache
def _deployment(folder: Path) -> Deployment:
    raw = yaml.safe_load((folder / "deployment.yaml").read_text(encoding="utf-8"))
    scheme = raw["region_scheme"]
    if scheme not in REGION_SCHEMES or scheme not in raw["region_schemes"]:
        raise ValueError(f"deployment.yaml: region_scheme must be one of {REGION_SCHEMES}, not {scheme!r}")
    scheme_spec = raw["region_schemes"][scheme]
    return Deployment(
        state_code=raw["state"]["code"],
        state_name=raw["state"]["name"],
        fips_prefix=str(raw["state"]["fips_prefix"]),
        timezone=raw["state"]["timezone"],
        region_scheme=scheme,
        region_scheme_label=scheme_spec["label"],
        region_name_template=scheme_spec["name_template"],
        min_cell_count=int(raw["disclosure"]["min_cell_count"]),
        unreliable_at_or_below=int(raw["disclosure"]["unreliable_at_or_below"]),
        history_start=date.fromisoformat(str(raw["history_start"])),
        nightly_cron=os.environ.get("LANTERN_NIGHTLY_CRON", raw["nightly_cron"]),
        **_release_settings(raw),
        **_grain_settings(raw),
    )


def _grain_settings(raw: dict) -> dict:
    """When a panel's grain holds up (dashboards/release/grain.py). No default: a deployment that does not say
    fails, rather than showing panels at a grain nobody chose."""
    grain = (raw.get("disclosure") or {}).get("grain")
    if not isinstance(grain, dict) or not set(GRAIN_SETTINGS) <= set(grain):
        raise ValueError(f"deployment.yaml: disclosure.grain needs {', '.join(GRAIN_SETTINGS)}")
    values = {k: float(grain[k]) for k in GRAIN_SETTINGS}
    if not all(0 <= v <= 100 for v in values.values()):
        raise ValueError(f"deployment.yaml: disclosure.grain percentages must lie in 0..100, not {values}")
    return {f"grain_{k}": v for k, v in values.items()}


def _release_settings(raw: dict) -> dict:
    """The release calendar. No default: a deployment that does not say when it publishes publishes nothing."""
    releases = raw.get("releases")
    if not isinstance(releases, dict) or not {"cadence", "lag_days", "cron"} <= set(releases):
        raise ValueError("deployment.yaml: `releases:` must give cadence, lag_days and cron")
    if releases["cadence"] not in RELEASE_CADENCES:
        raise ValueError(f"deployment.yaml: releases.cadence must be one of {RELEASE_CADENCES}")
    lag = int(releases["lag_days"])
    if lag < 0:
        raise ValueError("deployment.yaml: releases.lag_days cannot be negative")
    return {"release_cadence": releases["cadence"], "release_lag_days": lag, "release_cron": str(releases["cron"])}


def deployment() -> Deployment:
    return _deployment(reference_dir())


def counties() -> pl.DataFrame:
    """One row per county-equivalent, with the configured region scheme resolved into `region`."""
    frame = pl.read_csv(
        reference_dir() / "counties.csv",
        schema_overrides={"fips": pl.Utf8, "population_2020": pl.Int64},
    )
    if frame["fips"].n_unique() != frame.height:
        raise ValueError("counties.csv: fips is not unique")
    settings = deployment()
    template = settings.region_name_template
    return frame.with_columns(pl.col(settings.region_scheme).alias("region")).with_columns(
        pl.col("region").map_elements(lambda r: template.format(region=r), return_dtype=pl.Utf8).alias("region_label")
    )


def industry_sectors() -> pl.DataFrame:
    frame = pl.read_csv(reference_dir() / "industry_sectors.csv")
    if frame["venue_code"].n_unique() != frame.height:
        raise ValueError("industry_sectors.csv: venue_code is not unique")
    return frame


def organisations() -> pl.DataFrame:
    frame = pl.read_csv(reference_dir() / "organisations.csv", schema_overrides={"county_fips": pl.Utf8})
    if frame["org_id"].n_unique() != frame.height:
        raise ValueError("organisations.csv: org_id is not unique")
    unknown = set(frame["county_fips"]) - set(counties()["fips"])
    if unknown:
        raise ValueError(f"organisations.csv: county_fips not in counties.csv: {sorted(unknown)}")
    return frame


def code_labels() -> pl.DataFrame:
    """Every code of every code list with its label, for joining readable names onto marts."""
    from sources.contracts import code_lists

    rows = [
        {"code_list": name, "code": code, "label": label, "code_order": position}
        for name, spec in code_lists().items()
        for position, (code, label) in enumerate(spec["codes"].items(), start=1)
    ]
    return pl.DataFrame(rows, schema={"code_list": pl.Utf8, "code": pl.Utf8, "label": pl.Utf8, "code_order": pl.Int32})


def profile_categories() -> pl.DataFrame:
    """How the victim profile publishes each code of its attributes (models/serving/victim_profile.sql): small
    codes grouped the way public profiles group them, 'unknown' and an empty field ('not_recorded') together and
    kept explicit. The project's choice, from the code lists (the same in every state): every code of every
    profile attribute's code list, and 'not_recorded' for an empty field, must have exactly one row."""
    from sources.contracts import code_lists

    frame = pl.read_csv(REFERENCE_DIR / "profile_categories.csv",
                        schema_overrides={"category_order": pl.Int32})
    lists = code_lists()
    for attribute in frame["attribute"].unique().to_list():
        expected = set(lists[attribute]["codes"]) | ({"not_recorded"} if attribute != "contact_method" else set())
        got = frame.filter(pl.col("attribute") == attribute)["code"].to_list()
        if sorted(got) != sorted(expected):
            raise ValueError(f"profile_categories.csv: {attribute} must map every code once: "
                             f"missing {sorted(expected - set(got))}, extra or repeated "
                             f"{sorted(c for c in set(got) if got.count(c) > 1 or c not in expected)}")
    return frame


def reference_tables() -> dict[str, pl.DataFrame]:
    """The reference tables as they are loaded into the warehouse's `reference` schema."""
    return {
        "counties": counties(),
        "industry_sectors": industry_sectors(),
        "organisations": organisations(),
        "code_labels": code_labels(),
        "profile_categories": profile_categories(),
        "feeds": feeds(),
    }


def feeds() -> pl.DataFrame:
    """The feeds with their titles and how often each is expected (freshness)."""
    from sources.contracts import all_contracts

    rows = [
        {"feed": c.feed, "title": c.title, "expected_every_days": c.expected_every_days}
        for c in all_contracts().values()
    ]
    return pl.DataFrame(rows, schema={"feed": pl.Utf8, "title": pl.Utf8, "expected_every_days": pl.Int64})
