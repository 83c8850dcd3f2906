"""Everything a run needs that does not change month to month: reference tables turned into arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.contracts.model import code_lists
from sources.generator.mix import TRAFFICKING_TYPES, VENUES_BY_TYPE, weights
from sources.generator.orgs import Registry, load_registry
from sources.generator.places import Places, load_places
from sources.generator.volumes import season
from sources.reference.tables import industry_sectors


@dataclass(frozen=True)
class Context:
    scale: str
    seed: int
    places: Places
    registry: Registry
    types: list[str]
    venues: list[str]
    venue_sector: list[str]
    type_venue: np.ndarray  # (types, venues) joint probabilities
    county_prob: np.ndarray  # (venues, counties + unknown)
    season: np.ndarray  # (venues, 12)


def build_context(scale: str, seed: int) -> Context:
    places = load_places()
    sectors = industry_sectors().sort("venue_code")
    venues = sectors["venue_code"].to_list()
    venue_sector = sectors["sector_code"].to_list()
    codes = code_lists()
    types = list(TRAFFICKING_TYPES)
    assert set(types) == set(codes["trafficking_type"]["codes"]), "mix.py is out of step with code_lists.yaml"
    joint = np.zeros((len(types), len(venues)))
    for t, name in enumerate(types):
        table = VENUES_BY_TYPE[name]
        unknown = set(table) - set(venues)
        if unknown:
            raise ValueError(f"mix.py names venues not in industry_sectors.csv: {sorted(unknown)}")
        row = np.array(weights(table, venues))
        joint[t] = TRAFFICKING_TYPES[name] * row / row.sum()
    return Context(
        scale=scale,
        seed=seed,
        places=places,
        registry=load_registry(places),
        types=types,
        venues=venues,
        venue_sector=venue_sector,
        type_venue=joint,
        county_prob=np.stack([places.probabilities(s) for s in venue_sector]),
        season=np.stack([season(s) for s in venue_sector]),
    )
