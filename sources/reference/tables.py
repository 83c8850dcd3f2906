"""Load and check the reference files. Each loader returns a Polars frame with a fixed schema."""

from __future__ import annotations

import os
from dataclasses import dataclass
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
    region_label: str
    min_cell_count: int
    unreliable_at_or_below: int


def reference_dir() -> Path:
    """The folder holding this deployment's reference files (LANTERN_REFERENCE_DIR overrides)."""
    return Path(os.environ.get("LANTERN_REFERENCE_DIR", REFERENCE_DIR))


@cache
def _deployment(folder: Path) -> Deployment:
    raw = yaml.safe_load((folder / "deployment.yaml").read_text(encoding="utf-8"))
    scheme = raw["region_scheme"]
    if scheme not in REGION_SCHEMES:
        raise ValueError(f"deployment.yaml: region_scheme must be one of {REGION_SCHEMES}, not {scheme!r}")
    return Deployment(
        state_code=raw["state"]["code"],
        state_name=raw["state"]["name"],
        fips_prefix=str(raw["state"]["fips_prefix"]),
        timezone=raw["state"]["timezone"],
        region_scheme=scheme,
        region_label=raw.get("region_label", scheme),
        min_cell_count=int(raw["disclosure"]["min_cell_count"]),
        unreliable_at_or_below=int(raw["disclosure"]["unreliable_at_or_below"]),
    )


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
    scheme = deployment().region_scheme
    return frame.with_columns(pl.col(scheme).alias("region"))


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
