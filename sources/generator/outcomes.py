"""Case outcomes months after the signal: the criminal-justice funnel and victim outcomes.

Most cases never reach charges: ~40% see an investigation, fewer an arrest, fewer charges. Events past
the run's end date are not known yet and are left out.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sources.contracts.model import code_lists
from sources.generator import mix
from sources.generator.context import Context
from sources.generator.keys import record_ids
from sources.generator.sampling import choose, choose_by_group, cumulative, gamma_days
from sources.generator.signals import Situations
from sources.generator.text import codes, dates, money, years_of

INVESTIGATED, ARRESTED, CHARGED, FEDERAL, DISPOSED, SENTENCED, RESTITUTION = 0.40, 0.45, 0.75, 0.2, 0.8, 0.9, 0.3
DISPOSITIONS = {"disposition_plea": 60, "disposition_conviction": 20, "disposition_dismissal": 15,
                "disposition_acquittal": 5}
SERVICES_STARTED, SERVICES_COMPLETED = 0.50, 0.55
COMP_CLAIMED, COMP_AWARDED = 0.14, 0.6
T_VISA_REQUESTED, U_VISA_REQUESTED, VISA_SIGNED = 0.5, 0.4, 0.6
EXPUNGED = 0.03
NOTES_SHARE = 0.3

POLICE = {"law_enforcement_local": 0.75, "law_enforcement_state": 0.15, "law_enforcement_federal": 0.10}
SERVICE_PROVIDERS = {"victim_services": 0.75, "shelter": 0.25}


class OutcomeModel:
    def __init__(self, ctx: Context):
        reg = ctx.registry
        self.ctx = ctx
        self.events = sorted(code_lists()["outcome_event"]["codes"])
        feed = "case_outcomes"
        self.police = cumulative(reg.weights(POLICE, feed=feed))
        self.federal_police = cumulative(reg.weights({"law_enforcement_federal": 1.0}, feed=feed))
        state_pr = reg.weights({"prosecutor": 1.0}, feed=feed, federal=False)
        state_pr += reg.weights({"government_other": 0.15}, feed=feed)  # the AG prosecutes some cases itself
        self.state_prosecutor = cumulative(state_pr)
        self.federal_prosecutor = cumulative(reg.weights({"prosecutor": 1.0}, feed=feed, federal=True))
        self.provider = cumulative(reg.weights(SERVICE_PROVIDERS, feed=feed))
        self.legal_aid = cumulative(reg.weights({"legal_aid": 1.0}, feed=feed))
        self.immigration = cumulative(reg.weights({"immigration_legal": 1.0}, feed=feed))
        self.compensation = cumulative(reg.weights({"government_other": 1.0}, feed=feed))
        self.child_welfare = cumulative(reg.weights({"child_welfare": 1.0}, feed=feed))

    def rows(self, s: Situations, end_day: int, first_number: int, rng: np.random.Generator) -> pl.DataFrame:
        ctx, n = self.ctx, len(s)
        c = s.county
        pick = lambda cum: choose_by_group(cum, c, rng)  # noqa: E731 - one agency per situation and role
        police, fed_police = pick(self.police), pick(self.federal_police)
        state_pr, fed_pr = pick(self.state_prosecutor), pick(self.federal_prosecutor)
        provider, legal, immig, comp, cw = (pick(self.provider), pick(self.legal_aid), pick(self.immigration),
                                            pick(self.compensation), pick(self.child_welfare))
        r = lambda: rng.random(n)  # noqa: E731
        g = lambda shape, scale, minimum=0: gamma_days(rng, n, shape, scale, minimum)  # noqa: E731
        types = np.array(ctx.types)[s.ttype]
        labor_like = np.isin(types, ["labor", "sex_and_labor"])
        sex_like = np.isin(types, ["sex", "sex_and_labor"])
        case = s.is_case

        events: list[tuple[str | np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []

        def add(kind, mask, day, agency, amount=None):
            events.append((kind, mask, day, agency, amount))

        inv = case & (r() < INVESTIGATED)
        inv_day = s.day + g(2.0, 20.0, 5)
        add("investigation_opened", inv, inv_day, police)
        arr = inv & (r() < ARRESTED)
        arr_day = inv_day + g(2.0, 40.0, 10)
        add("arrest", arr, arr_day, police)
        chg = arr & (r() < CHARGED)
        federal = r() < FEDERAL
        chg_day = arr_day + g(1.5, 10.0, 1)
        prosecutor = np.where(federal, fed_pr, state_pr)
        add("charges_filed_state", chg & ~federal, chg_day, state_pr)
        add("charges_filed_federal", chg & federal, chg_day, fed_pr)
        disp = chg & (r() < DISPOSED)
        disp_kind = choose(list(DISPOSITIONS.values()), n, rng)
        disp_day = chg_day + g(2.0, 120.0, 60)
        disp_names = list(DISPOSITIONS)
        for k, name in enumerate(disp_names):
            add(name, disp & (disp_kind == k), disp_day, prosecutor)
        guilty = disp & np.isin(disp_kind, [disp_names.index("disposition_plea"),
                                             disp_names.index("disposition_conviction")])
        sent = guilty & (r() < SENTENCED)
        sent_day = disp_day + g(2.0, 20.0, 20)
        add("sentence", sent, sent_day, prosecutor)
        rest = sent & (r() < RESTITUTION)
        add("restitution_ordered", rest, sent_day + g(1.0, 5.0), prosecutor, _amount(rng, n, 9000, 1.0))

        minor = s.minors > 0
        started = case & (r() < SERVICES_STARTED)
        start_day = s.day + g(2.0, 12.0, 7)
        start_agency = np.where(minor & (r() < 0.4), cw, provider)
        add("services_started", started, start_day, start_agency)
        add("services_completed", started & (r() < SERVICES_COMPLETED), start_day + g(2.0, 60.0, 60), start_agency)
        claimed = case & (r() < COMP_CLAIMED)
        claim_day = s.day + g(2.0, 40.0, 30)
        claim_amount = _amount(rng, n, 4000, 0.6)
        add("compensation_claimed", claimed, claim_day, legal, claim_amount)
        awarded_amount = np.round(claim_amount * rng.uniform(0.4, 1.0, n), 2)
        add("compensation_awarded", claimed & (r() < COMP_AWARDED), claim_day + g(2.0, 45.0, 60), comp, awarded_amount)
        # Certifications: T visas for labor cases with foreign nationals, U visas for other crime victims.
        t_req = case & labor_like & s.foreign & (r() < T_VISA_REQUESTED)
        u_req = case & ~labor_like & s.foreign & (r() < U_VISA_REQUESTED)
        visa_day = s.day + g(2.0, 40.0, 60)
        signer = np.where(r() < 0.5, fed_police, police)
        signed_day = visa_day + g(2.0, 30.0, 30)
        add("t_visa_requested", t_req, visa_day, immig)
        add("t_visa_signed", t_req & (r() < VISA_SIGNED), signed_day, signer)
        add("u_visa_requested", u_req, visa_day, immig)
        add("u_visa_signed", u_req & (r() < VISA_SIGNED), signed_day, signer)
        add("expungement_granted", case & sex_like & (r() < EXPUNGED), s.day + g(2.0, 120.0, 180), legal)

        parts = []
        for kind, mask, day, agency, amount in events:
            idx = np.flatnonzero(mask & (day <= end_day))
            parts.append((np.full(len(idx), self.events.index(kind)), idx, day[idx], agency[idx],
                          amount[idx] if amount is not None else np.full(len(idx), np.nan)))
        kind, sit, day, agency, amount = (np.concatenate([p[i] for p in parts]) for i in range(5))
        order = np.lexsort((kind, sit, day))
        kind, sit, day, agency, amount = kind[order], sit[order], day[order], agency[order], amount[order]
        m = len(sit)
        phrases = sorted({p for ps in mix.OUTCOME_NOTES.values() for p in ps})
        notes = np.full(m, -1)
        wants_note = rng.random(m) < NOTES_SHARE
        for k, name in enumerate(self.events):
            fitting = [phrases.index(p) for p in mix.OUTCOME_NOTES.get(name, ())]
            rows = np.flatnonzero(wants_note & (kind == k))
            if fitting and len(rows):
                notes[rows] = np.array(fitting)[rng.integers(0, len(fitting), len(rows))]
        county = s.county[sit]
        years = years_of(day)
        org_ids = ctx.registry.org_ids
        return pl.DataFrame(
            {
                "event_id": record_ids("E", years, first_number + np.arange(m)),
                "linkage_key": pl.Series(s.key, dtype=pl.Utf8).gather(sit),  # each agency's own: identities.py
                "event_date": dates(day),
                "event_type": codes(self.events, kind),
                "county_fips": codes(ctx.places.fips, np.where(county == ctx.places.unknown, -1, county)),
                "minor": pl.Series([None] * m, dtype=pl.Utf8),  # only victim_encountered carries it (encounters.py)
                "amount_usd": money(amount),
                "notes": codes(phrases, notes),
                "_agency": codes(org_ids, agency),
                "_day": pl.Series(day.astype(np.int64)),
            }
        )


def _amount(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return np.round(np.minimum(rng.lognormal(np.log(median), sigma, n), 9_999_999.0), 2)
