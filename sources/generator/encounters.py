"""Missouri § 566.223 encounters: law enforcement meets a person who reasonably appears to be a trafficking
victim (adults and minors) and must notify the Department of Social Services, and for a minor the juvenile
office, as soon as possible. The generator plants realistic gaps: most minors are notified the same or next
day, adults less reliably and later, and some people are never notified at all.

Each person met is a case-outcome event victim_encountered (with the minor flag) from the police agency; each
notification is a referral from that agency with the encounter date and the same minor flag
(sources/generator/referrals.py writes them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sources.generator.keys import record_ids
from sources.generator.sampling import choose, choose_by_group, cumulative, gamma_days
from sources.generator.signals import Situations
from sources.generator.text import codes, dates, years_of

LE_MEETS_SHARE = 0.45  # cases in which law enforcement meets someone who appears to be a victim
PEOPLE_MET = {1: 70, 2: 22, 3: 8}
# Share never notified: DSS for minors (rare), for adults (common: the duty is less known); juvenile office.
DSS_NEVER = {True: 0.06, False: 0.30}
JUVENILE_NEVER = 0.15
DSS_DELAY = {  # days from encounter to notification
    True: {0: 55, 1: 25, 2: 7, 3: 5, 4: 2, 5: 1.5, 6: 1.2, 7: 1.1, 8: 0.8, 9: 0.7, 10: 0.7},
    False: {0: 22, 1: 20, 2: 12, 3: 10, 4: 8, 5: 6, 7: 6, 10: 5, 14: 5, 21: 3, 30: 3},
}
JUVENILE_DELAY = {0: 40, 1: 25, 2: 10, 3: 8, 5: 6, 7: 5, 14: 4, 21: 2}
UNREPORTED_ENCOUNTER = 0.05  # people notified whose encounter event the police never sent: the notification links to nothing
LAW_ENFORCEMENT = {"law_enforcement_local": 0.8, "law_enforcement_state": 0.15, "law_enforcement_federal": 0.05}


@dataclass(frozen=True)
class Encounters:
    """One row per person met: situation index, day met, minor, police agency (registry index), and the
    delays of the DSS and juvenile-office notifications (-1: never notified; juvenile -1 for adults)."""

    sit: np.ndarray
    day: np.ndarray
    minor: np.ndarray
    police: np.ndarray
    dss_delay: np.ndarray
    juvenile_delay: np.ndarray

    def __len__(self) -> int:
        return len(self.sit)


class EncounterModel:
    def __init__(self, registry):
        # agencies that send both feeds: the encounter is an outcome event, the notification a referral
        self.police_cum = cumulative(registry.weights(LAW_ENFORCEMENT, feed="case_outcomes")
                                     * registry.weights(LAW_ENFORCEMENT, feed="referrals").astype(bool))

    def draw(self, s: Situations, rng: np.random.Generator) -> Encounters:
        met_sits = np.flatnonzero(s.is_case & (rng.random(len(s)) < LE_MEETS_SHARE))
        people = np.array(list(PEOPLE_MET))[choose(list(PEOPLE_MET.values()), len(met_sits), rng)]
        known = s.people[met_sits]
        people = np.where(known > 0, np.minimum(people, known), people)
        sit = np.repeat(met_sits, people)
        rank = np.arange(len(sit)) - np.repeat(np.cumsum(people) - people, people)
        minor = rank < np.maximum(s.minors[sit], 0)  # the first people met are the situation's minors
        day = s.day[sit] + gamma_days(rng, len(sit), 1.0, 4.0, minimum=1)
        police = np.repeat(choose_by_group(self.police_cum, s.county[met_sits], rng), people)  # one agency met them
        dss = np.full(len(sit), -1)
        juvenile = np.full(len(sit), -1)
        for group in (True, False):
            rows = np.flatnonzero(minor == group)
            table = DSS_DELAY[group]
            delays = np.array(list(table))[choose(list(table.values()), len(rows), rng)]
            dss[rows] = np.where(rng.random(len(rows)) < DSS_NEVER[group], -1, delays)
        minors = np.flatnonzero(minor)
        delays = np.array(list(JUVENILE_DELAY))[choose(list(JUVENILE_DELAY.values()), len(minors), rng)]
        juvenile[minors] = np.where(rng.random(len(minors)) < JUVENILE_NEVER, -1, delays)
        return Encounters(sit, day, minor, police, dss, juvenile)

    @staticmethod
    def events(met: Encounters, s: Situations, places, org_ids: list[str], end_day: int,
               first_number: int, rng: np.random.Generator) -> pl.DataFrame:
        """The victim_encountered case-outcome rows (encounters after the run's end are not known yet; a few
        are never reported, though their notification is)."""
        keep = np.flatnonzero((met.day <= end_day) & (rng.random(len(met)) >= UNREPORTED_ENCOUNTER))
        day, sit = met.day[keep], met.sit[keep]
        county = s.county[sit]
        m = len(keep)
        return pl.DataFrame({
            "event_id": record_ids("V", years_of(day), first_number + np.arange(m)),
            "linkage_key": pl.Series(s.key, dtype=pl.Utf8).gather(sit),
            "event_date": dates(day),
            "event_type": pl.Series(["victim_encountered"] * m, dtype=pl.Utf8),
            "county_fips": codes(places.fips, np.where(county == places.unknown, -1, county)),
            "minor": pl.Series(np.where(met.minor[keep], "true", "false"), dtype=pl.Utf8),
            "amount_usd": pl.Series([None] * m, dtype=pl.Utf8),
            "notes": pl.Series([None] * m, dtype=pl.Utf8),
            "_agency": codes(org_ids, met.police[keep]),
            "_day": pl.Series(day.astype(np.int64)),
        })
