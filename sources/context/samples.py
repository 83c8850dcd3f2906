"""Synthetic context files in exactly the published formats, for tests and the demo.

The content is invented except the deployment state's hotline figures where domain.md gives them
(Missouri, 2015-2024). The FBI file deliberately holds the awkward cases: agencies spanning several
counties (`; `-separated), agencies with no county, `ST LOUIS` next to `ST LOUIS CITY`, county names
of other states that also exist in the deployment's state, quoted fields with commas.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sources.context.contracts import load_context_contract
from sources.reference import Deployment

# State, DC and territory names with their USPS codes: the rows of the hotline table.
STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}
# Published national-hotline figures (signals, cases) by state code and year, from /work/shared/domain.md.
PUBLISHED_HOTLINE = {
    "MO": {2015: (499, 72), 2016: (512, 141), 2017: (543, 147), 2018: (595, 177), 2019: (641, 233),
           2020: (948, 270), 2021: (1093, 240), 2022: (851, 238), 2023: (686, 247), 2024: (696, 272)},
}
UNKNOWN_STATE_SHARE = 0.08  # signals naming no state: why the rows do not sum to the national total
# Other states' agencies whose county names also exist in Missouri: must never map to a Missouri county.
OTHER_STATE_AGENCIES = [
    ("KS0460000", "Johnson County", "Sheriff's Office", "County", "KS", "JOHNSON"),
    ("KS0440100", "Jackson County", "Sheriff's Office", "County", "KS", "JACKSON"),
    ("IL0820000", "St. Clair County", "Sheriff's Office", "County", "IL", "ST CLAIR"),
    ("IL0840200", "Springfield", "Police Department", "City", "IL", "SANGAMON"),
]
OFFENSES = [(40, "Commercial Sex Acts"), (41, "Involuntary Servitude")]


@dataclass(frozen=True)
class FbiSample:
    path: Path
    rows: int
    in_state_rows: int
    other_state_rows: int


def national_totals(year: int) -> tuple[int, int]:
    """Invented national signals and cases for a year (about 32,000 and 12,000, growing)."""
    return 26_000 + 800 * (year - 2015), 9_000 + 350 * (year - 2015)


def write_hotline_state_statistics(path: Path, deployment: Deployment, years: range = range(2015, 2025),
                                   seed: int = 7) -> Path:
    """The national hotline's per-state table: one row per state, DC and territory per year."""
    rng = np.random.default_rng(seed)
    header = load_context_contract("national_hotline_state_statistics").header
    codes = list(STATES)
    weights = rng.gamma(1.2, 1.0, len(codes))
    rows = []
    for year in years:
        national_signals, national_cases = national_totals(year)
        named = national_signals * (1 - UNKNOWN_STATE_SHARE)
        signals = np.floor(named * weights / weights.sum()).astype(int)
        cases = np.minimum(signals, np.floor(signals * rng.uniform(0.2, 0.45, len(codes)))).astype(int)
        own = PUBLISHED_HOTLINE.get(deployment.state_code, {}).get(year)
        for i, code in enumerate(codes):
            s, c = (own if own and code == deployment.state_code else (int(signals[i]), int(cases[i])))
            rows.append([STATES[code], f"{s:,}", f"{100 * s / national_signals:.2f}%", f"{c:,}",
                         f"{100 * c / national_cases:.2f}%", str(year)])
    return _write(path, header, rows)


def fbi_county_name(official: str) -> str:
    """How the FBI file spells a county: `Ste. Genevieve County` -> `STE GENEVIEVE`, `St. Louis city` -> `ST LOUIS CITY`."""
    name = re.sub(r"\s+COUNTY$", "", official.upper())
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9 ]", "", name)).strip()


def write_fbi_human_trafficking(path: Path, deployment: Deployment, counties: pl.DataFrame,
                                years: range = range(2021, 2024), seed: int = 7) -> FbiSample:
    """The FBI CDE human-trafficking file: agency x year x subcategory rows for this and other states."""
    rng = np.random.default_rng(seed)
    header = load_context_contract("fbi_cde_human_trafficking").header
    agencies = _deployment_agencies(deployment, counties) + [
        (ori, name, unit, kind, state, county) for ori, name, unit, kind, state, county in OTHER_STATE_AGENCIES
        if state != deployment.state_code]
    rows, in_state = [], 0
    for year in years:
        for ori, name, unit, kind, state, county in agencies:
            for subcat_id, subcat in OFFENSES:
                actual = int(rng.integers(0, 9))
                cleared = int(rng.integers(0, actual + 2))  # now and then above actual: an earlier year's offense
                juvenile = int(rng.integers(0, cleared + 1)) if cleared else 0
                rows.append([str(year), ori, name, unit, kind, state, STATES.get(state, state), "West North Central",
                             county, "Midwest", "8B", "MSA counties 100,000 or over", str(subcat_id),
                             "Human Trafficking", subcat, str(actual), str(int(rng.integers(0, 2))), str(cleared),
                             str(juvenile)])
                in_state += state == deployment.state_code
    _write(path, header, rows)
    return FbiSample(path, len(rows), in_state, len(rows) - in_state)


def _deployment_agencies(deployment: Deployment, counties: pl.DataFrame) -> list[tuple[str, ...]]:
    """A few agencies of the deployment's state: single counties (every `ST`/`STE`/`DE` spelling among
    them), one agency over four counties of different regions, one with no county, one unrecognised."""
    code = deployment.state_code
    names = {row["fips"]: fbi_county_name(row["county_name"]) for row in counties.iter_rows(named=True)}
    awkward = [f for f, n in names.items() if re.match(r"^(ST|STE|DE ?KALB)\b|\bCITY$", n)]
    every_tenth = list(names)[::10]
    singles = list(dict.fromkeys(awkward + every_tenth))
    agencies = [(f"{code}{fips[2:]}0000", f"{names[fips].title()}", "Sheriff's Office", "County", code, names[fips])
                for fips in singles]
    first_of_region = counties.unique("region", keep="first", maintain_order=True).head(4)["fips"].to_list()
    agencies.append((f"{code}0480100", "Metro Area Police Department, Central Division", "Police Department", "City",
                     code, "; ".join(names[f] for f in first_of_region)))
    agencies.append((f"{code}0990000", f"{deployment.state_name} State Police", "", "State Police", code, ""))
    agencies.append((f"{code}0990100", "Riverfront Levee District", "Police", "Other", code, "LEVEE DISTRICT"))
    return agencies


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
