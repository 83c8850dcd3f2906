"""Where situations are: by county population, with extra weight on the metro areas and interstate corridors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.reference.tables import counties

METROS = {
    "kansas_city": ("29095", "29047", "29165", "29037"),  # Jackson, Clay, Platte, Cass
    "st_louis": ("29510", "29189", "29183", "29099"),  # St. Louis city and County, St. Charles, Jefferson
    "springfield": ("29077", "29043"),  # Greene, Christian
}
CORRIDORS = {
    "I-70": ("29095", "29107", "29195", "29053", "29019", "29027", "29139", "29219", "29183", "29189", "29510"),
    "I-44": ("29189", "29071", "29055", "29161", "29169", "29105", "29225", "29077", "29109", "29097", "29145"),
    "I-55": ("29510", "29189", "29099", "29186", "29157", "29031", "29201", "29143", "29155"),
    "I-35": ("29047", "29049", "29063", "29061", "29081", "29095", "29037"),
}
METRO_BOOST = 1.8  # tips concentrate where the hotels, clubs and advertising markets are
CORRIDOR_BOOST = 1.35  # truck stops and motels along the interstates
UNKNOWN_COUNTY_SHARE = 0.08
# Labor in agriculture and forestry is rural: weight by population ** RURAL_EXPONENT instead.
RURAL_SECTORS = ("agriculture",)
RURAL_EXPONENT = 0.55


@dataclass(frozen=True)
class Places:
    fips: list[str]  # index c; c == len(fips) means "county unknown"
    region: list[str]
    weights: dict[bool, np.ndarray]  # rural? -> probabilities over known counties (sum 1)

    @property
    def unknown(self) -> int:
        return len(self.fips)

    def probabilities(self, sector_code: str) -> np.ndarray:
        """Probabilities over counties plus a last "unknown" cell."""
        known = self.weights[sector_code in RURAL_SECTORS] * (1 - UNKNOWN_COUNTY_SHARE)
        return np.append(known, UNKNOWN_COUNTY_SHARE)


def load_places() -> Places:
    frame = counties().sort("fips")
    fips = frame["fips"].to_list()
    pop = frame["population_2020"].to_numpy().astype(float)
    boost = np.ones(len(fips))
    metro = {f for group in METROS.values() for f in group}
    corridor = {f for group in CORRIDORS.values() for f in group}
    for i, f in enumerate(fips):
        boost[i] *= METRO_BOOST if f in metro else 1.0
        boost[i] *= CORRIDOR_BOOST if f in corridor else 1.0
    urban = pop * boost
    rural = pop**RURAL_EXPONENT * np.where(boost > 1, CORRIDOR_BOOST, 1.0)
    return Places(
        fips=fips,
        region=[str(r) for r in frame["region"].to_list()],
        weights={False: urban / urban.sum(), True: rural / rural.sum()},
    )
