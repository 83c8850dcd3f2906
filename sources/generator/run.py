"""`generate`: the whole synthetic run, month by month, writing each month's drops as soon as it is complete."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from numpy.random import PCG64, Generator, SeedSequence
from tqdm import tqdm

from sources.contracts.model import FEEDS
from sources.generator import defects
from sources.generator.calendar import month_index_of, months_covering, previous_month_end
from sources.generator.context import build_context
from sources.generator.encounters import EncounterModel
from sources.generator.identities import AgencyIdentities
from sources.generator.keys import DEMO_TOKEN_SECRET
from sources.generator.outcomes import OutcomeModel
from sources.generator.referrals import ReferralModel
from sources.generator.signals import new_situations, signal_rows
from sources.generator.summary import GenerationSummary, PlantedRise
from sources.generator.volumes import SIGNALS_PER_YEAR, TREND_PER_YEAR, season, situations_per_month
from sources.generator.writer import DropWriter


def generate(inbox: Path, scale: str = "mo", years: int = 3, seed: int = 7, end_date: date | None = None,
             defect_rate: float = 0.01, progress: bool = False,
             planted_rise: PlantedRise | None = None, linkage_noise: float = 1.0,
             token_secret: bytes | None = None) -> GenerationSummary:
    """Write `years` of synthetic drops ending at end_date (default: end of the last complete month).

    Each agency keys situations with its own ids and sends linkage tokens of the identifiers it holds
    (sources/generator/identities.py), made with `token_secret` (the agencies' shared secret; a fixed demo
    value by default), with `linkage_noise` times the usual identifier noise. The truth of which agency key
    is which situation is `summary.linkage_truth`, never in a drop."""
    if scale not in SIGNALS_PER_YEAR:
        raise ValueError(f"scale must be one of {sorted(SIGNALS_PER_YEAR)}, not {scale!r}")
    if not 0 <= defect_rate < 1:
        raise ValueError("defect_rate must be in [0, 1)")
    if linkage_noise < 0:
        raise ValueError("linkage_noise must be >= 0")
    end_date = end_date or previous_month_end(date.today())
    months = months_covering(end_date, years)
    ctx = build_context(scale, seed)
    _check_rise(planted_rise, ctx, months)
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)

    # Independent streams: the clean data do not change when the defect rate does.
    rng_signals, rng_referrals, rng_outcomes, rng_defects, rng_people = (
        Generator(PCG64(s)) for s in SeedSequence(seed).spawn(5))
    summary = GenerationSummary(
        inbox=inbox, scale=scale, years=years, seed=seed, end_date=end_date, defect_rate=defect_rate,
        start_date=date.fromordinal(date(1970, 1, 1).toordinal() + months[0].first_day),
        planted_rise=planted_rise, trend_per_year=TREND_PER_YEAR,
        season_by_sector={sector: season(sector).round(4).tolist() for sector in sorted(set(ctx.venue_sector))},
    )
    senders = {feed: ctx.registry.senders(feed) for feed in FEEDS}
    writer = DropWriter(inbox, months, senders, defect_rate, rng_defects, summary)
    referral_model, outcome_model, encounter_model = ReferralModel(ctx), OutcomeModel(ctx), EncounterModel(ctx.registry)
    agencies = AgencyIdentities(ctx, token_secret or DEMO_TOKEN_SECRET, linkage_noise, rng_people)
    last_days = np.array([m.last_day for m in months], dtype=np.int64)
    end_day, last = months[-1].last_day, len(months) - 1

    def export_day_of(days: np.ndarray) -> np.ndarray:
        return last_days[month_index_of(days, months)]

    next_situation = next_signal = next_referral = next_event = 1
    by_kind: dict[str, Counter] = {feed: Counter() for feed in FEEDS}
    signals_year, cases_year = Counter(), Counter()
    truth: Counter = Counter()
    bar = tqdm(months, disable=not progress, desc=f"generating {scale}", unit="month")
    for month in bar:
        expected = situations_per_month(scale, last - month.index, month.days, month.full_days)
        sits, rise_truth = new_situations(ctx, month, expected, next_situation, rng_signals, planted_rise)
        truth.update(rise_truth)
        next_situation += len(sits)
        signals = signal_rows(ctx, sits, next_signal, rng_signals)
        next_signal += signals.height
        signals = signals.filter(pl.col("_day") <= end_day)  # repeat contacts after the end are not in yet
        met = encounter_model.draw(sits, rng_referrals)  # § 566.223: people police met, who is notified when
        referrals = referral_model.rows(sits, export_day_of, end_day, next_referral, rng_referrals, met)
        next_referral += referrals.height
        outcomes = outcome_model.rows(sits, end_day, next_event, rng_outcomes)
        next_event += outcomes.height
        encountered = encounter_model.events(met, sits, ctx.places, ctx.registry.org_ids, end_day, next_event,
                                              rng_outcomes)
        next_event += encountered.height
        outcomes = pl.concat([outcomes, encountered.select(outcomes.columns)])
        _count_years(signals, signals_year, cases_year)
        keyed = agencies.apply(sits, agencies.people(sits),
                               {"hotline_signals": signals, "referrals": referrals, "case_outcomes": outcomes})

        for feed, frame in keyed.items():
            frame = frame.with_columns(pl.Series("_month", month_index_of(frame["_day"].to_numpy(), months)))
            frame, counts = defects.plant(feed, frame, defect_rate, last, end_date.year, rng_defects)
            by_kind[feed].update(counts)
            writer.add(feed, frame)
        writer.flush(month.index)
        if progress:
            bar.set_postfix(situations=next_situation - 1, refresh=False)
    writer.finish()

    summary.situations = next_situation - 1
    summary.linkage_noise = linkage_noise
    summary.linkage_truth = agencies.truth_frame()
    summary.signals_per_year = dict(sorted(signals_year.items()))
    summary.cases_per_year = dict(sorted(cases_year.items()))
    for feed in FEEDS:
        merged = summary.defects_by_feed.setdefault(feed, {})
        for kind, count in sorted(by_kind[feed].items()):
            merged[kind] = merged.get(kind, 0) + count
            summary.defects[kind] = summary.defects.get(kind, 0) + count
        summary.defects_by_feed[feed] = dict(sorted(merged.items()))
    summary.defects = dict(sorted(summary.defects.items()))
    if planted_rise is not None:
        summary.planted_rise_truth = {k: truth[k] for k in ("expected_without_rise", "expected_with_rise",
                                                            "actual_situations")}
    return summary


def _count_years(signals: pl.DataFrame, signals_year: Counter, cases_year: Counter) -> None:
    years = signals["received_date"].str.slice(0, 4).cast(pl.Int32).to_numpy()
    case = (signals["is_case"] == "true").to_numpy()
    for y, c in zip(*np.unique(years, return_counts=True)):
        signals_year[int(y)] += int(c)
    for y, c in zip(*np.unique(years[case], return_counts=True)):
        cases_year[int(y)] += int(c)


def _check_rise(rise: PlantedRise | None, ctx, months) -> None:
    if rise is None:
        return
    if rise.region not in set(ctx.places.region):
        raise ValueError(f"planted rise: region {rise.region!r} is not in the region column")
    if rise.sector_code not in set(ctx.venue_sector):
        raise ValueError(f"planted rise: unknown sector_code {rise.sector_code!r}")
    if rise.quarter not in {m.quarter for m in months}:
        raise ValueError(f"planted rise: quarter {rise.quarter} is outside the generated months")
