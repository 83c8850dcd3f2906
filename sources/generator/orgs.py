"""Which registry organisation sends, refers, receives or reports: by type, preferring ones near the case."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.generator.places import Places
from sources.reference.tables import organisations

# Proximity of an organisation to a case county: same county > same region > statewide agency > elsewhere.
SAME_COUNTY, SAME_REGION, STATEWIDE, ELSEWHERE = 8.0, 3.0, 1.5, 0.3
STATEWIDE_TYPES = ("law_enforcement_state", "child_welfare", "immigration_legal", "government_other")


@dataclass(frozen=True)
class Registry:
    org_ids: list[str]
    types: list[str]
    names: list[str]
    feeds: list[tuple[str, ...]]
    proximity: np.ndarray  # (counties + unknown, orgs)

    def senders(self, feed: str) -> list[str]:
        return sorted(o for o, f in zip(self.org_ids, self.feeds) if feed in f)

    def index(self, org_id: str) -> int:
        return self.org_ids.index(org_id)

    def is_federal(self, i: int) -> bool:
        return self.types[i] == "law_enforcement_federal" or "federal" in self.names[i].lower()

    def weights(self, type_weights: dict[str, float], feed: str | None = None, federal: bool | None = None) -> np.ndarray:
        """(counties + unknown, orgs) weights: a type's share split among its orgs by proximity."""
        w = np.zeros_like(self.proximity)
        for org_type, share in type_weights.items():
            cols = [
                i for i, t in enumerate(self.types)
                if t == org_type
                and (feed is None or feed in self.feeds[i])
                and (federal is None or self.is_federal(i) == federal)
            ]
            if not cols or share <= 0:
                continue
            block = self.proximity[:, cols]
            w[:, cols] = share * block / block.sum(axis=1, keepdims=True)
        return w


def load_registry(places: Places) -> Registry:
    frame = organisations().sort("org_id")
    ids = frame["org_id"].to_list()
    types = frame["org_type"].to_list()
    org_county = frame["county_fips"].to_list()
    region_of = dict(zip(places.fips, places.region))
    prox = np.full((len(places.fips) + 1, len(ids)), ELSEWHERE)
    for c, fips in enumerate(places.fips):
        for o, oc in enumerate(org_county):
            if oc == fips:
                prox[c, o] = SAME_COUNTY
            elif region_of.get(oc) == places.region[c]:
                prox[c, o] = SAME_REGION
            elif types[o] in STATEWIDE_TYPES:
                prox[c, o] = STATEWIDE
    prox[places.unknown, :] = 1.0  # no county: any organisation of the type is as likely
    return Registry(
        org_ids=ids,
        types=types,
        names=frame["org_name"].to_list(),
        feeds=[tuple(str(f).split(";")) for f in frame["sends_feeds"].to_list()],
        proximity=prox,
    )
