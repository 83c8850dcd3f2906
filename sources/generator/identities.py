"""The agency side of linkage, simulated: each agency numbers situations itself and holds the person's
quasi-identifiers as it wrote them down; the agency key tool (sources/linkage/tokens.py) turns them into
tokens and only tokens reach the drops (docs/linkage.md).

Per situation one person (the victim the records are about) with a name, birth date, sex, phone and county.
Each agency that sends a record about the situation holds its own copy, with what that kind of agency
collects and the noise agencies make: typos, nicknames, swapped day and month, an age instead of a birth
date, missing fields, another phone, a phone shared with other victims (a trafficker's). A share of the
records an agency sends about a person referred to it carry the referring agency's key forward
(`referral_key`). The truth (which agency key is which situation) stays with the generator, for measurement.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from sources.generator.names import FEMALE, MALE, SURNAMES
from sources.linkage.normalise import NICKNAMES
from sources.linkage.tokens import Encoder

# What each kind of agency holds: the share of its records with each field.
HELD = {
    "hotline": {"first": 0.80, "last": 0.55, "dob": 0.30, "age": 0.75, "sex": 0.90, "phone": 0.65, "county": 0.90},
    "police": {"first": 0.97, "last": 0.95, "dob": 0.88, "age": 0.90, "sex": 0.98, "phone": 0.55, "county": 0.95},
    "prosecutor": {"first": 0.99, "last": 0.99, "dob": 0.97, "age": 0.90, "sex": 0.99, "phone": 0.30, "county": 0.95},
    "services": {"first": 0.97, "last": 0.90, "dob": 0.85, "age": 0.90, "sex": 0.95, "phone": 0.75, "county": 0.90},
}
KIND_OF = {"hotline": "hotline", "law_enforcement_local": "police", "law_enforcement_state": "police",
           "law_enforcement_federal": "police", "prosecutor": "prosecutor"}  # any other type: services
# Noise: the share of held values written down differently (scaled by the run's noise factor).
NOISE = {"nickname": 0.10, "first_typo": 0.06, "last_typo": 0.06, "last_changed": 0.02, "dob_swapped": 0.04,
         "dob_typo": 0.03, "age_off": 0.25, "sex_wrong": 0.01, "phone_other": 0.15, "county_other": 0.05}
SHARED_PHONE = 0.08  # people whose phone is one a trafficker gives several victims (same county)
CARRY_SHARE = 0.5  # records about a referred person that carry the referring agency's key forward
_DIMINUTIVES: dict[str, list[str]] = {}
for _short, _full in NICKNAMES.items():
    _DIMINUTIVES.setdefault(_full, []).append(_short)


def _zipf(n: int, s: float = 0.9) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


_P_FEMALE, _P_MALE, _P_SURNAME = _zipf(len(FEMALE), 0.6), _zipf(len(MALE), 0.6), _zipf(len(SURNAMES), 0.5)


@dataclass
class People:
    first: list[str]
    last: list[str]
    dob: np.ndarray  # day number
    sex: list[str]
    phone: list[str]
    county: list[str | None]


class AgencyIdentities:
    def __init__(self, ctx, secret: bytes, noise: float, rng: np.random.Generator):
        self.ctx, self.noise, self.rng = ctx, noise, rng
        self.encoder = Encoder(secret)
        reg = ctx.registry
        self.kind = {o: KIND_OF.get(t, "services") for o, t in zip(reg.org_ids, reg.types)}
        self.next_internal: dict[str, int] = {}
        self.truth: list[pl.DataFrame] = []

    # -- people -------------------------------------------------------------------------------------------
    def people(self, s) -> People:
        rng, n = self.rng, len(s)
        types = np.array(self.ctx.types)[s.ttype]
        female = rng.random(n) < np.where(types == "sex", 0.85, np.where(types == "labor", 0.4, 0.65))
        first = [FEMALE[i] if f else MALE[j] for f, i, j in
                 zip(female, rng.choice(len(FEMALE), n, p=_P_FEMALE), rng.choice(len(MALE), n, p=_P_MALE))]
        last = [SURNAMES[i] for i in rng.choice(len(SURNAMES), n, p=_P_SURNAME)]
        minor = s.minors > 0
        age = np.where(minor, rng.integers(12, 18, n), 18 + np.minimum(rng.gamma(2.0, 6.0, n), 50).astype(int))
        dob = s.day - age * 365 - rng.integers(0, 365, n)
        places = self.ctx.places
        county = [None if c == places.unknown else places.fips[c] for c in s.county]
        phone = []
        for c in county:
            if rng.random() < SHARED_PHONE:  # one of a few numbers per county a trafficker hands out
                phone.append(f"573555{zlib.crc32(f'{c}|{rng.integers(3)}'.encode()) % 10000:04d}")
            else:
                phone.append(f"{rng.choice(['314', '417', '573', '636', '660', '816'])}{rng.integers(2000000, 9999999)}")
        return People(first, last, dob, ["F" if f else "M" for f in female], phone, county)

    # -- one agency's copy --------------------------------------------------------------------------------
    def _p(self, name: str) -> float:
        return min(1.0, NOISE[name] * self.noise)

    def _held(self, kind: str, what: str) -> bool:
        missing = min(1.0, (1 - HELD[kind][what]) * self.noise)
        return self.rng.random() >= missing

    def _typo(self, word: str) -> str:
        rng = self.rng
        if len(word) < 3:
            return word
        i = int(rng.integers(1, len(word)))
        op = rng.integers(4)
        letter = "abcdefghijklmnopqrstuvwxyz"[rng.integers(26)]
        if op == 0:
            return word[:i] + letter + word[i + 1:]
        if op == 1:
            return word[:i] + word[i + 1:]
        if op == 2:
            return word[:i] + letter + word[i:]
        return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:] if i < len(word) else word[:-1]

    def view(self, p: People, i: int, agency: str, day: int) -> dict:
        """What `agency` wrote down about person i, on `day`."""
        rng, kind = self.rng, self.kind[agency]
        out: dict = {}
        if self._held(kind, "first"):
            first = p.first[i]
            if rng.random() < self._p("nickname") and first.lower() in _DIMINUTIVES:
                options = _DIMINUTIVES[first.lower()]
                first = options[rng.integers(len(options))].capitalize()
            if rng.random() < self._p("first_typo"):
                first = self._typo(first)
            out["first_name"] = first
        if self._held(kind, "last"):
            last = p.last[i]
            if rng.random() < self._p("last_changed"):
                last = SURNAMES[rng.choice(len(SURNAMES), p=_P_SURNAME)]
            elif rng.random() < self._p("last_typo"):
                last = self._typo(last)
            out["last_name"] = last
        dob = date.fromordinal(date(1970, 1, 1).toordinal() + int(p.dob[i]))
        if self._held(kind, "dob"):
            if rng.random() < self._p("dob_swapped") and dob.day <= 12:
                dob = dob.replace(month=dob.day, day=dob.month)
            elif rng.random() < self._p("dob_typo"):
                dob = dob.replace(day=min(28, max(1, dob.day + int(rng.choice([-1, 1, 10, -10])))))
            out["date_of_birth"] = dob
        elif self._held(kind, "age"):
            age = (int(day) - int(p.dob[i])) // 365
            if rng.random() < self._p("age_off"):
                age += int(rng.choice([-1, 1]))
            out["age"] = max(age, 0)
        if self._held(kind, "sex"):
            out["sex"] = p.sex[i] if rng.random() >= self._p("sex_wrong") else ("M" if p.sex[i] == "F" else "F")
        if self._held(kind, "phone"):
            other = rng.random() < self._p("phone_other")
            out["phone"] = f"816{rng.integers(2000000, 9999999)}" if other else p.phone[i]
        if p.county[i] is not None and self._held(kind, "county"):
            if rng.random() < self._p("county_other"):
                out["county_fips"] = self.ctx.places.fips[rng.integers(len(self.ctx.places.fips))]
            else:
                out["county_fips"] = p.county[i]
        return out

    # -- the drops ----------------------------------------------------------------------------------------
    def apply(self, s, people: People, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        """Replace the situation's global key in every frame by the sending agency's own key, add its token,
        blocking keys and (some) carried referral keys. Frames hold `linkage_key` = the global key."""
        number_of = {k: i for i, k in enumerate(s.key)}
        with_sit = {feed: f.with_columns(pl.col("linkage_key").replace_strict(number_of, return_dtype=pl.Int64)
                                          .alias("_sit")) for feed, f in frames.items()}
        first_day = pl.concat([f.select("_agency", "_sit", "_day") for f in with_sit.values()]) \
            .group_by("_agency", "_sit").agg(pl.col("_day").min()).sort("_sit", "_agency")
        keys, tokens, blocks = [], [], []
        for agency, sit, day in first_day.iter_rows():
            number = self.next_internal.get(agency, 0) + 1
            self.next_internal[agency] = number
            keys.append(self.encoder.agency_key(agency, f"{agency}-{number:07d}"))
            held = self.view(people, sit, agency, day)
            on = date.fromordinal(date(1970, 1, 1).toordinal() + int(day))
            token, block = self.encoder.encode(on=on, **held)
            tokens.append(token)
            blocks.append(block)
        units = first_day.select("_agency", "_sit").with_columns(
            pl.Series("_key", keys, dtype=pl.Utf8), pl.Series("linkage_token", tokens, dtype=pl.Utf8),
            pl.Series("linkage_blocks", blocks, dtype=pl.Utf8))
        self.truth.append(units.select(pl.col("_agency").alias("agency"), pl.col("_key").alias("linkage_key"),
                                       pl.Series("situation", s.number[units["_sit"].to_numpy()])))
        # who referred each situation to whom: (situation, receiver) -> the referrer's key
        referred = (with_sit["referrals"].select("_sit", pl.col("receiving_org_id").alias("_agency"),
                                                  pl.col("_agency").alias("_referrer"), "_day")
                    .sort("_day").unique(["_sit", "_agency"], keep="first")
                    .join(units.select(pl.col("_agency").alias("_referrer"), "_sit", pl.col("_key").alias("_carried")),
                          on=["_referrer", "_sit"]).select("_sit", "_agency", "_carried"))
        out = {}
        for feed, frame in with_sit.items():
            frame = frame.join(units, on=["_agency", "_sit"], how="left", maintain_order="left")
            frame = frame.with_columns(pl.col("_key").alias("linkage_key"))
            if feed != "hotline_signals":
                frame = frame.join(referred, on=["_sit", "_agency"], how="left", maintain_order="left")
                carry = self.rng.random(frame.height) < CARRY_SHARE
                frame = frame.with_columns(pl.when(pl.Series(carry)).then(pl.col("_carried")).otherwise(None)
                                           .alias("referral_key")).drop("_carried")
            out[feed] = frame.drop("_sit", "_key")
        return out

    def truth_frame(self) -> pl.DataFrame:
        """One row per agency key: (agency, linkage_key, situation). Never written into a drop."""
        if not self.truth:
            return pl.DataFrame(schema={"agency": pl.Utf8, "linkage_key": pl.Utf8, "situation": pl.Int64})
        return pl.concat(self.truth)
