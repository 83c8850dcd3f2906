"""Referrals about new situations: services for cases (days to weeks after the signal), and the § 566.223
notifications law enforcement sends after meeting a person who appears to be a victim: of the Department of
Social Services (Children's Division), adults and minors, and of the juvenile office for minors
(sources/generator/encounters.py draws who is met and who is notified when)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sources.generator import mix
from sources.generator.context import Context
from sources.generator.encounters import Encounters
from sources.generator.keys import record_ids
from sources.generator.sampling import choose, choose_by_group, cumulative, gamma_days
from sources.generator.signals import Situations
from sources.generator.text import codes, dates, years_of

SERVICES_BY_TYPE = {
    "sex": {"case_management": 20, "housing": 18, "mental_health": 14, "health_care": 10, "substance_use": 7,
            "legal_family": 6, "victim_advocacy": 10, "legal_benefits": 4, "job_training": 3, "investigation": 5,
            "interpretation": 1, "legal_immigration": 2},
    "labor": {"case_management": 15, "legal_employment": 15, "legal_immigration": 14, "interpretation": 10,
              "housing": 10, "english_instruction": 5, "job_training": 8, "health_care": 6, "mental_health": 5,
              "victim_advocacy": 5, "investigation": 7},
}
# Who provides each service (org types from the registry).
RECEIVER_TYPES = {
    "case_management": {"victim_services": 1.0},
    "housing": {"shelter": 0.7, "victim_services": 0.3},
    "health_care": {"health_care": 1.0},
    "mental_health": {"mental_health": 0.6, "health_care": 0.4},
    "substance_use": {"mental_health": 0.5, "health_care": 0.5},
    "interpretation": {"victim_services": 1.0},
    "english_instruction": {"victim_services": 1.0},
    "job_training": {"victim_services": 1.0},
    "legal_immigration": {"immigration_legal": 0.7, "legal_aid": 0.3},
    "legal_employment": {"legal_aid": 1.0},
    "legal_family": {"legal_aid": 1.0},
    "legal_benefits": {"legal_aid": 1.0},
    "victim_advocacy": {"victim_services": 0.6, "legal_aid": 0.4},
    "investigation": {"law_enforcement_local": 0.6, "law_enforcement_state": 0.2, "law_enforcement_federal": 0.2},
    "child_welfare_notification": {"child_welfare": 1.0},
    "juvenile_office_notification": {"juvenile_office": 1.0},
}
REFERRER_TYPES = {
    "law_enforcement_local": 0.30, "law_enforcement_state": 0.06, "law_enforcement_federal": 0.04,
    "victim_services": 0.33, "shelter": 0.07, "child_welfare": 0.03, "juvenile_office": 0.02, "legal_aid": 0.06,
    "immigration_legal": 0.03, "health_care": 0.04, "mental_health": 0.02,
}
LAW_ENFORCEMENT = {"law_enforcement_local": 0.8, "law_enforcement_state": 0.15, "law_enforcement_federal": 0.05}
REFERRALS_PER_CASE = {1: 35, 2: 30, 3: 20, 4: 15}
NON_CASE_REFERRAL_SHARE = 0.06
# Final answer, before export-time truncation turns undecided ones into pending (target ~70/12/13/5).
FINAL_STATUS = {"accepted": 0.75, "declined": 0.135, "withdrawn": 0.055, "pending": 0.06}
DECISION_DAYS = (1.0, 2.2)  # gamma shape, scale: most answered within days
SERVICE_STARTED_SHARE = 0.75
CASE_STATUS = {"Active": 60, "FollowUp": 20, "Closed": 10, "ClosedReferred": 10}
NOTES_SHARE = 0.25


class ReferralModel:
    def __init__(self, ctx: Context):
        reg = ctx.registry
        self.ctx = ctx
        self.services = sorted(RECEIVER_TYPES)
        self.service_cum = cumulative(
            np.array([mix.type_weights(SERVICES_BY_TYPE, name, self.services) for name in ctx.types])
        )
        self.referrer_cum = cumulative(reg.weights(REFERRER_TYPES, feed="referrals"))
        self.le_cum = cumulative(reg.weights(LAW_ENFORCEMENT, feed="referrals"))
        receiver = np.concatenate([reg.weights(RECEIVER_TYPES[s]) for s in self.services])
        self.receiver_cum = cumulative(receiver)  # (services x (counties + unknown), orgs)
        self.cw_notification = self.services.index("child_welfare_notification")
        self.juvenile_notification = self.services.index("juvenile_office_notification")
        self.child_welfare = reg.index(next(o for o, t in zip(reg.org_ids, reg.types) if t == "child_welfare"))
        self.juvenile_office_cum = cumulative(reg.weights({"juvenile_office": 1.0}))  # the nearest juvenile office
        self.notice_services = (self.cw_notification, self.juvenile_notification)

    def rows(self, s: Situations, export_day_of, end_day: int, first_number: int,
             rng: np.random.Generator, met: Encounters) -> pl.DataFrame:
        ctx, n_counties = self.ctx, self.ctx.places.unknown + 1
        counts = np.where(
            s.is_case,
            np.array(list(REFERRALS_PER_CASE))[choose(list(REFERRALS_PER_CASE.values()), len(s), rng)],
            (rng.random(len(s)) < NON_CASE_REFERRAL_SHARE).astype(np.int64),
        )
        sit = np.repeat(np.arange(len(s)), counts)
        rank = np.arange(len(sit)) - np.repeat(np.cumsum(counts) - counts, counts)
        day = s.day[sit] + gamma_days(rng, len(sit), 1.5, 8.0, minimum=1) + gamma_days(rng, len(sit), 1.0, 6.0) * rank
        service = choose_by_group(self.service_cum, s.ttype[sit], rng)
        county = s.county[sit]
        referrer = choose_by_group(self.referrer_cum, county, rng)
        receiver = choose_by_group(self.receiver_cum, service * n_counties + county, rng)
        for _ in range(5):  # nobody refers to themselves: draw again
            clash = np.flatnonzero(receiver == referrer)
            if not len(clash):
                break
            receiver[clash] = choose_by_group(self.receiver_cum, service[clash] * n_counties + county[clash], rng)
        keep = receiver != referrer
        sit, day, service, referrer, receiver = sit[keep], day[keep], service[keep], referrer[keep], receiver[keep]
        minor = (s.minors[sit] > 0) & (rng.random(len(sit)) < 0.8)
        le_types = ("law_enforcement_local", "law_enforcement_state", "law_enforcement_federal")
        from_police = np.isin(np.array(ctx.registry.types)[referrer], le_types)
        encounter = np.where(from_police & (rng.random(len(sit)) < 0.5),
                             np.maximum(day - gamma_days(rng, len(sit), 1.0, 2.0), s.day[sit]), -1)

        # § 566.223: the police agency that met a person notifies DSS (the Children's Division) and, for a
        # minor, the juvenile office; some never do (met.dss_delay / met.juvenile_delay = -1).
        n_before = len(sit)
        for delays, service_index in ((met.dss_delay, self.cw_notification),
                                      (met.juvenile_delay, self.juvenile_notification)):
            rows = np.flatnonzero(delays >= 0)
            sit = np.concatenate([sit, met.sit[rows]])
            day = np.concatenate([day, met.day[rows] + delays[rows]])
            service = np.concatenate([service, np.full(len(rows), service_index)])
            referrer = np.concatenate([referrer, met.police[rows]])
            if service_index == self.cw_notification:
                to = np.full(len(rows), self.child_welfare)
            else:
                to = choose_by_group(self.juvenile_office_cum, s.county[met.sit[rows]], rng)
            receiver = np.concatenate([receiver, to])
            minor = np.concatenate([minor, met.minor[rows]])
            encounter = np.concatenate([encounter, met.day[rows]])
        is_cw = np.arange(len(sit)) >= n_before  # notifications: answered at once, no service start

        known = day <= end_day  # later referrals are not made yet
        order = np.lexsort((sit[known], day[known]))
        sit, day, service, referrer, receiver, minor, encounter, is_cw = (
            a[known][order] for a in (sit, day, service, referrer, receiver, minor, encounter, is_cw)
        )
        m = len(sit)

        export = export_day_of(day)  # each monthly file reports status as of its month's end
        final = choose(list(FINAL_STATUS.values()), m, rng)
        final = np.where(is_cw, np.where(rng.random(m) < 0.95, 0, 3), final)
        decided_day = day + np.where(is_cw, rng.integers(0, 2, m), gamma_days(rng, m, *DECISION_DAYS))
        statuses = list(FINAL_STATUS)
        pending = statuses.index("pending")
        undecided = (final != pending) & (decided_day > export)
        status = np.where(undecided, pending, final)
        status_day = np.where(status == pending, day, decided_day)
        started = (status == 0) & (rng.random(m) < SERVICE_STARTED_SHARE) & ~is_cw
        start_day = status_day + gamma_days(rng, m, 1.0, 4.0)
        started &= start_day <= export
        case_status = choose(list(CASE_STATUS.values()), m, rng)
        case_status = np.where(rng.random(m) < 0.10, -1, case_status)
        notes = np.where(rng.random(m) < NOTES_SHARE, choose([1] * len(mix.REFERRAL_NOTES), m, rng), -1)

        years = years_of(day)
        org_ids = ctx.registry.org_ids
        return pl.DataFrame(
            {
                "referral_id": record_ids("R", years, first_number + np.arange(m)),
                # the situation's key here; each agency's own key and token: sources/generator/identities.py
                "linkage_key": pl.Series(s.key, dtype=pl.Utf8).gather(sit),
                "referral_date": dates(day),
                "encounter_date": dates(np.maximum(encounter, 0), missing=encounter < 0),
                "referring_org_id": codes(org_ids, referrer),
                "receiving_org_id": codes(org_ids, receiver),
                "service": codes(self.services, service),
                "status": codes(statuses, status),
                "status_date": dates(status_day),
                "service_start_date": dates(start_day, missing=~started),
                "case_status": codes(list(CASE_STATUS), case_status),
                "minor": pl.Series(np.where(minor, "true", "false")),
                "notes": codes(list(mix.REFERRAL_NOTES), notes),
                "_agency": codes(org_ids, referrer),
                "_day": pl.Series(day.astype(np.int64)),
            }
        )
