"""Hotline signals for one month: Poisson counts per type x venue x county cell, then victim details."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sources.generator import mix
from sources.generator.calendar import Month
from sources.generator.context import Context
from sources.generator.orgs import SAME_COUNTY
from sources.generator.keys import linkage_keys, record_ids
from sources.generator.sampling import choose, choose_by_group, cumulative, gamma_days
from sources.generator.summary import PlantedRise
from sources.generator.text import codes, dates, ints, years_of
from sources.generator.volumes import REPEAT_SHARE

HOTLINE_SHARE = {"national": 0.62, "state": 0.28, "law_enforcement_state": 0.10}
LOCAL_POLICE_SHARE = 0.35  # in its own county, local police take a share of tips directly


@dataclass
class Situations:
    """One row per new situation (what referrals and outcomes are about)."""

    number: np.ndarray  # global situation number -> synthetic situation id -> linkage key
    key: list[str]
    day: np.ndarray  # day number of the first signal
    county: np.ndarray  # index into places.fips; places.unknown = no county
    ttype: np.ndarray  # index into ctx.types
    venue: np.ndarray  # index into ctx.venues
    is_case: np.ndarray
    people: np.ndarray  # -1 = unknown
    minors: np.ndarray  # -1 = unknown
    foreign: np.ndarray  # latent: foreign national (drives T/U visa outcomes)

    def __len__(self) -> int:
        return len(self.number)


def _cell_rates(ctx: Context, month: Month, expected: float, rise: PlantedRise | None) -> tuple[np.ndarray, np.ndarray]:
    """Expected situations per (type, venue, county) cell, with and without the planted rise."""
    venue_rate = ctx.type_venue * ctx.season[:, month.month - 1][None, :]  # (T, V)
    rates = expected * venue_rate[:, :, None] * ctx.county_prob[None, :, :]  # (T, V, C+1)
    baseline = rates
    if rise is not None and month.quarter == rise.quarter:
        v_mask = np.array([s == rise.sector_code for s in ctx.venue_sector])
        c_mask = np.append(np.array([r == rise.region for r in ctx.places.region]), False)
        rates = rates.copy()
        rates[:, v_mask[:, None] & c_mask[None, :]] *= rise.factor
    return rates, baseline


def new_situations(ctx: Context, month: Month, expected: float, first_number: int, rng: np.random.Generator,
                   rise: PlantedRise | None = None) -> tuple[Situations, dict[str, float]]:
    rates, baseline = _cell_rates(ctx, month, expected, rise)
    counts = rng.poisson(rates).ravel()
    cells = np.repeat(np.arange(counts.size), counts)
    n = len(cells)
    t, v, c = np.unravel_index(cells, rates.shape)
    # Shuffle, then order by day, so ids do not follow cell order.
    day = month.first_day + rng.integers(0, month.days, size=n)
    order = np.lexsort((rng.random(n), day))
    t, v, c, day = t[order], v[order], c[order], day[order]

    type_names = np.array(ctx.types)
    case_p = np.array([mix.CASE_SHARE[x] for x in ctx.types])[t]
    is_case = rng.random(n) < case_p
    people = np.array(list(mix.PEOPLE_COUNT))[choose(list(mix.PEOPLE_COUNT.values()), n, rng)]
    minor_p = np.array([mix.MINOR_SHARE[x] for x in ctx.types])[t]
    has_minor = rng.random(n) < minor_p
    # Mostly one minor; never more than the people in the situation.
    minors = np.where(has_minor, np.minimum(people, 1 + (rng.random(n) < 0.2) * rng.integers(1, 3, size=n)), 0)
    empty_factor = np.where(is_case, 1.0, 2.0)
    people_unknown = rng.random(n) < mix.EMPTY_SHARE["people_count"] * empty_factor
    people = np.where(people_unknown, -1, people)
    minors = np.where(people_unknown, -1, minors)
    labor_like = np.isin(type_names[t], ["labor", "sex_and_labor"])
    foreign = rng.random(n) < np.where(labor_like, 0.45, 0.12)

    numbers = np.arange(first_number, first_number + n, dtype=np.int64)
    truth = {}
    if rise is not None and month.quarter == rise.quarter:
        v_mask = np.array([s == rise.sector_code for s in ctx.venue_sector])
        c_mask = np.append(np.array([r == rise.region for r in ctx.places.region]), False)
        cell_mask = v_mask[:, None] & c_mask[None, :]
        truth = {
            "expected_without_rise": float(baseline[:, cell_mask].sum()),
            "expected_with_rise": float(rates[:, cell_mask].sum()),
            "actual_situations": int((v_mask[v] & c_mask[c]).sum()),
        }
    return Situations(
        number=numbers, key=linkage_keys(ctx.seed, numbers), day=day, county=c, ttype=t, venue=v,
        is_case=is_case, people=people, minors=minors, foreign=foreign,
    ), truth


def _sender_weights(ctx: Context) -> tuple[list[str], np.ndarray]:
    """(counties + unknown, senders) weights for who received the tip."""
    reg, places = ctx.registry, ctx.places
    senders = reg.senders("hotline_signals")
    w = np.zeros((places.unknown + 1, len(senders)))
    for j, org in enumerate(senders):
        i = reg.index(org)
        if reg.types[i] == "hotline":
            w[:, j] = HOTLINE_SHARE["national" if "national" in reg.names[i].lower() else "state"]
        elif reg.types[i] == "law_enforcement_state":
            w[:, j] = HOTLINE_SHARE["law_enforcement_state"]
        else:  # local police: only tips about their own county
            own = reg.proximity[:, i] == SAME_COUNTY
            w[:, j] = np.where(own, LOCAL_POLICE_SHARE, 0.0)
            w[places.unknown, j] = 0.0
    return senders, w


def signal_rows(ctx: Context, s: Situations, first_signal_number: int, rng: np.random.Generator) -> pl.DataFrame:
    """Signal rows for new situations (plus repeat contacts), with internal _agency and _day columns."""
    n = len(s)
    repeat = rng.random(n) < REPEAT_SHARE
    repeat_day = s.day + gamma_days(rng, n, 1.5, 5.0, minimum=1)
    rows = np.concatenate([np.arange(n), np.flatnonzero(repeat)])
    day = np.concatenate([s.day, repeat_day[repeat]])
    first = np.concatenate([np.ones(n, bool), np.zeros(int(repeat.sum()), bool)])
    order = np.lexsort((rows, day))
    rows, day, first = rows[order], day[order], first[order]
    m = len(rows)

    t, v, c = s.ttype[rows], s.venue[rows], s.county[rows]
    case = s.is_case[rows]
    empty_factor = np.where(case, 1.0, 2.0)

    senders, sw = _sender_weights(ctx)
    agency = np.array(senders)[choose_by_group(cumulative(sw), c, rng)]
    contact = choose(list(mix.CONTACT_METHODS.values()), m, rng)

    venue_idx = v.copy()
    not_spec = ctx.venues.index("not_specified")
    venue_empty = (v == not_spec) & (rng.random(m) < mix.EMPTY_SHARE["venue_not_specified_as_empty"])

    people, minors = s.people[rows], s.minors[rows]
    adult_bands, minor_bands = list(mix.ADULT_AGE_BANDS), list(mix.MINOR_AGE_BANDS)
    bands = adult_bands + minor_bands
    adult = choose(list(mix.ADULT_AGE_BANDS.values()), m, rng)
    young = len(adult_bands) + choose(list(mix.MINOR_AGE_BANDS.values()), m, rng)
    age = np.where(minors > 0, young, adult)
    age = np.where(rng.random(m) < mix.EMPTY_SHARE["age_band"] * empty_factor, -1, age)

    def by_type(table: dict, share_key: str) -> tuple[list[str], np.ndarray]:
        labels = sorted({k for d in table.values() for k in d})
        w = np.array([mix.type_weights(table, name, labels) for name in ctx.types])
        idx = choose_by_group(cumulative(w), t, rng)
        idx = np.where(rng.random(m) < mix.EMPTY_SHARE[share_key] * empty_factor, -1, idx)
        return labels, idx

    gender_codes, gender = by_type(mix.GENDER_BY_TYPE, "gender")
    recruit_codes, recruit = by_type(mix.RECRUITMENT_BY_TYPE, "recruitment")
    means_codes, means = by_type(mix.MEANS_BY_TYPE, "means_of_control")
    notes = np.where(first & (rng.random(m) < mix.NOTES_SHARE), choose([1] * len(mix.SIGNAL_NOTES), m, rng), -1)

    years = years_of(day)
    return pl.DataFrame(
        {
            "signal_id": record_ids("S", years, first_signal_number + np.arange(m)),
            "linkage_key": pl.Series(s.key, dtype=pl.Utf8).gather(rows),
            "received_date": dates(day),
            "contact_method": codes(list(mix.CONTACT_METHODS), contact),
            "county_fips": codes(ctx.places.fips, np.where(c == ctx.places.unknown, -1, c)),
            "trafficking_type": codes(ctx.types, t),
            "venue_type": codes(ctx.venues, np.where(venue_empty, -1, venue_idx)),
            "is_case": pl.Series(np.where(case, "true", "false")),
            "people_count": ints(people),
            "minors_count": ints(minors),
            "age_band": codes(bands, age),
            "gender": codes(gender_codes, gender),
            "recruitment": codes(recruit_codes, recruit),
            "means_of_control": codes(means_codes, means),
            "notes": codes(list(mix.SIGNAL_NOTES), notes),
            "_agency": pl.Series(agency),
            "_day": pl.Series(day.astype(np.int64)),
        }
    )
