"""Find direct identifiers in strings: scan_text for one value, scan_frame for Polars columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import polars as pl

from . import patterns as P
from .normalize import normalize, to_original

# When hits overlap they are merged (masking must cover the union); the merged hit keeps the rule
# listed first here, the most specific one.
RULES = ("email", "social_url", "ssn", "drivers_license", "passport", "alien_number", "card_number", "phone",
         "ip_address", "license_plate", "date_of_birth", "street_address", "social_handle")
_PRIORITY = {rule: i for i, rule in enumerate(RULES)}
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PiiHit:
    rule: str
    start: int  # offsets in the original string, end exclusive
    end: int


Span = tuple[str, int, int]


# --- phone -------------------------------------------------------------------------------------------
def _phone_window(text: str, groups: list[tuple[int, int]], i: int, j: int, first: bool) -> str | None:
    """'phone' when groups i..j form a phone number, 'allowed' for a public service number, else None."""
    lens = [e - s for s, e in groups[i : j + 1]]
    digits = "".join(text[s:e] for s, e in groups[i : j + 1])
    seps = [text[groups[k][1] : groups[k + 1][0]] for k in range(i, j)]
    total = len(digits)
    start = groups[i][0]
    if any("," in s for s in seps) and lens not in ([3, 3, 4], [1, 3, 3, 4]):
        return None  # "12, 14, 16" lists
    before = text[max(0, start - 8) : start].rstrip(" (+")
    if before.endswith("$"):
        return None
    if total == 7:
        ok = first and lens in ([3, 4], [7]) and digits[0] in "23456789"
        return "phone" if ok and P.LOCAL_CUE.search(text[max(0, start - 40) : start]) else None
    if total == 11:
        if digits[0] != "1":
            return None
        national, nat_lens = digits[1:], (lens[1:] if lens[0] == 1 else [lens[0] - 1, *lens[1:]])
    else:
        national, nat_lens = digits, lens
    # NANP: area code and exchange never start with 0 or 1 (rules out most ids, counts and timestamps).
    if national[0] not in "23456789" or national[3] not in "23456789":
        return None
    if all(n <= 2 for n in lens) and len(lens) >= 5:
        shaped = True  # "8 1 6 5 5 5 0 1 4 2": deliberately spaced digits
    else:
        # Area code and exchange must each be one unbroken group; "2025-03-14 12" is a date, not a phone.
        shaped = not any(b in (1, 2, 4, 5) for b in accumulate(nat_lens[:-1]))
    if not shaped:
        return None
    return "allowed" if national in P.ALLOWED_PHONES else "phone"


def _phones(text: str) -> list[Span]:
    hits: list[Span] = []
    for run in P.DIGIT_RUN.finditer(text):
        groups = [(run.start() + g.start(), run.start() + g.end()) for g in _DIGITS.finditer(run.group())]
        lo, hi = 0, len(groups)
        s0, e0 = run.start(), run.end()
        if s0 and text[s0 - 1].isalpha():
            k = s0
            while k and text[k - 1].isalpha():
                k -= 1
            if text[k:s0].lower() not in P.GLUE_CUES:
                lo = 1  # glued to a token (hex key, record id): that group is not a phone start
        elif (prefix := P.ID_PREFIX.search(text[max(0, s0 - 6) : s0])) and prefix.group(1).lower() not in P.GLUE_CUES:
            lo = 1  # "R-2025004711": a record id, not a phone
        if e0 < len(text) and text[e0].isalpha() and not P.PHONE_EXT.match(text, e0):
            hi -= 1
        i = lo
        while i < hi:
            best, kind = None, None
            total = 0
            for j in range(i, hi):
                total += groups[j][1] - groups[j][0]
                if total > 11:
                    break
                verdict = _phone_window(text, groups, i, j, i == lo) if total in (7, 10, 11) else None
                if verdict:
                    best, kind = j, verdict
            if best is None:
                i += 1
                continue
            if kind == "allowed":
                i = best + 1
                continue
            start, end = groups[i][0], groups[best][1]
            while start and text[start - 1] in "+(":
                start -= 1
            ext = P.PHONE_EXT.match(text, end)
            hits.append(("phone", start, ext.end() if ext else end))
            i = best + 1
    return hits


# --- the others --------------------------------------------------------------------------------------
def _emails(text: str) -> list[Span]:
    return [("email", m.start(), m.end()) for rx in (P.EMAIL, P.EMAIL_OBF) for m in rx.finditer(text)]


def _ssns(text: str) -> list[Span]:
    hits = [("ssn", m.start(), m.end()) for m in P.SSN.finditer(text)]
    hits += [("ssn", m.start(), m.end()) for m in P.SSN_LABELLED.finditer(text)]
    return hits


def _addresses(text: str) -> list[Span]:
    hits = [("street_address", m.start(), m.end()) for m in P.PO_BOX.finditer(text)]
    for num in P.HOUSE_NUMBER.finditer(text):
        prev = text[max(0, num.start() - 40) : num.start()].split()[-1:]
        if prev and prev[0].lower().strip(".:#,") in P.ADDRESS_NOT_AFTER:
            continue  # "exit 28 Hwy 63", "room 214 ..."
        route = P.ADDRESS_ROUTE_TAIL.match(text, num.end())
        if route:
            hits.append(("street_address", num.start(), route.end()))
            continue
        tail = P.ADDRESS_TAIL.match(text, num.end())
        if not tail:
            continue
        words = [w.strip(".'-").lower() for w in tail.group(2).split()]
        # Every name word has a letter ("5th" yes, "12" no) and none is a stop word or count noun.
        if words and all(w not in P.ADDRESS_STOPWORDS and any(c.isalpha() for c in w) for w in words):
            hits.append(("street_address", num.start(), tail.end()))
    return hits


def _dobs(text: str) -> list[Span]:
    return [("date_of_birth", m.start(), m.end()) for m in P.DOB.finditer(text)]


def _social(text: str) -> list[Span]:
    hits = [("social_url", m.start(), m.end()) for m in P.SOCIAL_URL.finditer(text)]
    for m in P.HANDLE_AT.finditer(text):
        handle = m.group(1)
        if any(c.isalpha() for c in handle) and not P.TIME_LIKE.match(handle) and handle.lower() not in P.HANDLE_NOT:
            hits.append(("social_handle", m.start(), m.end()))
    for m in P.HANDLE_LABELLED.finditer(text):
        g = 1 if m.group(1) is not None else 2
        handle = m.group(g)
        if handle.lower() in P.HANDLE_NOT or not any(c.isalpha() for c in handle):
            continue
        prefix = text[m.start() : m.start(g)].lower()
        # "instagram account is private": with a bare "is", only handle-looking words count.
        if re.search(r"\bis\s*@?$", prefix) and not re.search(r"handle|user|acct|account|profile|name|id\b", prefix) and handle.isalpha():
            continue
        hits.append(("social_handle", m.start(), m.end()))
    return hits


def _drivers_licenses(text: str) -> list[Span]:
    return [("drivers_license", m.start(), m.end()) for m in P.DRIVERS_LICENSE.finditer(text)
            if _digit_count(m.group(1)) >= 5]


def _ips(text: str) -> list[Span]:
    hits = [("ip_address", m.start(), m.end()) for m in P.IPV4.finditer(text)]
    for m in P.IPV6.finditer(text):
        groups = [g for g in m.group().split(":") if g]
        # "::" shortens at least one group: at most 7 written; two or more, so "a::b" prose stays clean
        if 2 <= len(groups) <= (7 if "::" in m.group() else 8) and any(c.isdigit() for c in m.group()):
            hits.append(("ip_address", m.start(), m.end()))
    return hits


def _plates(text: str) -> list[Span]:
    hits = []
    for m in P.PLATE.finditer(text):
        value = re.sub(r"[\s-]", "", m.group(1))
        if len(value) >= 4 and any(c.isdigit() for c in value):
            hits.append(("license_plate", m.start(), m.end()))
    return hits


def _passports(text: str) -> list[Span]:
    return [("passport", m.start(), m.end()) for m in P.PASSPORT.finditer(text)]


def _alien_numbers(text: str) -> list[Span]:
    return [("alien_number", m.start(), m.end()) for m in P.A_NUMBER.finditer(text)]


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _cards(text: str) -> list[Span]:
    hits = []
    for m in P.CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        # issuers' first digits (Amex 3, Visa 4, Mastercard 2/5, Discover 6) and the Luhn check digit:
        # timestamps and long counts are neither
        if digits[0] in "3456" and 13 <= len(digits) <= 19 and _luhn(digits):
            hits.append(("card_number", m.start(), m.end()))
    return hits


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[list] = []
    for rule, s, e in sorted(spans, key=lambda h: (h[1], -h[2])):
        if merged and s < merged[-1][2]:
            last = merged[-1]
            last[2] = max(last[2], e)
            if _PRIORITY[rule] < _PRIORITY[last[0]]:
                last[0] = rule
        else:
            merged.append([rule, s, e])
    return [tuple(m) for m in merged]


_DETECTORS = {"phone": _phones, "ssn": _ssns, "dob": _dobs, "address": _addresses, "email": _emails, "social": _social,
              "drivers_license": _drivers_licenses, "ip": _ips, "plate": _plates, "passport": _passports,
              "a_number": _alien_numbers, "card": _cards}


def _digit_count(text: str) -> int:
    if text.isascii():  # ten C-level counts; str.isdigit per character costs a Python call each
        return sum(map(text.count, "0123456789"))
    return sum(map(str.isdigit, text))


# Each detector's cheap necessary condition, given the text and its digit count.
_GATES = {
    "phone": lambda text, digits: digits >= 7,
    "ssn": lambda text, digits: digits >= 9,
    "dob": lambda text, digits: digits >= 4 and P.DOB_GATE.search(text) is not None,
    "address": lambda text, digits: digits > 0 and P.ADDRESS_GATE.search(text) is not None,
    "email": lambda text, digits: P.EMAIL_GATE.search(text) is not None,
    "social": lambda text, digits: any(map(text.lower().__contains__, P.SOCIAL_KEYS)),
    "drivers_license": lambda text, digits: digits >= 5 and P.DL_GATE.search(text) is not None,
    "ip": lambda text, digits: digits >= 2 and ("." in text or ":" in text),
    "plate": lambda text, digits: digits >= 1 and P.PLATE_GATE.search(text) is not None,
    "passport": lambda text, digits: digits >= 6 and "passport" in text.lower(),
    "a_number": lambda text, digits: digits >= 8 and P.A_NUMBER_GATE.search(text) is not None,
    "card": lambda text, digits: digits >= 13,
}


def _gates(text: str, wanted: set[str] | None) -> list[str]:
    """Detectors (of wanted, default all) whose cheap necessary condition holds for text."""
    names = _DETECTORS if wanted is None else wanted
    digits = _digit_count(text)
    return [name for name in names if _GATES[name](text, digits)]


def _scan(value: str, wanted: set[str] | None = None) -> list[PiiHit]:
    if not value:
        return []
    text, offsets = normalize(value)
    spans = [span for name in _gates(text, wanted) for span in _DETECTORS[name](text)]
    return [PiiHit(rule, *to_original(offsets, s, e)) for rule, s, e in _merge(spans)]


def scan_text(value: str) -> list[PiiHit]:
    """All identifier hits in value, in order, non-overlapping, with offsets into value itself."""
    return _scan(value)


@lru_cache(maxsize=None)
def _wanted(mask: int) -> frozenset[str] | None:
    names = {n for k, (_, ns) in enumerate(P.PREFILTERS) if mask >> k & 1 for n in ns}
    return None if "*" in names else frozenset(names)


def _prefilter_bits(value: pl.Expr) -> pl.Expr:
    """Bit k set where PREFILTERS[k] matches; 0 means no detector can match the value."""
    return pl.sum_horizontal(
        value.str.contains(rx).fill_null(False).cast(pl.UInt32) * (1 << k) for k, (rx, _) in enumerate(P.PREFILTERS)
    )


def scan_values(values: pl.Series) -> dict[str, list[PiiHit]]:
    """The hits of each distinct value of `values` that has any (as scan_text would give them).

    As in scan_frame, Python runs only on values a prefilter passes, and only the detectors it wakes.
    """
    candidates = (
        values.cast(pl.String).to_frame("value").unique()
        .with_columns(_prefilter_bits(pl.col("value")).alias("bits"))
        .filter(pl.col("bits") > 0)
    )
    found = {}
    for value, mask in candidates.iter_rows():
        hits = _scan(value, _wanted(mask))
        if hits:
            found[value] = hits
    return found


def scan_frame(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """One row (row_index, column, rule) per cell holding an identifier; rule is the cell's first hit.

    Polars regexes (a superset of the Python detectors) mark candidate cells and which detectors each
    needs; Python then runs only those detectors, once per distinct (value, detectors) pair.
    """
    empty = pl.DataFrame(schema={"row_index": pl.UInt32, "column": pl.String, "rule": pl.String})
    bits = _prefilter_bits(pl.col("value"))
    parts = []
    for column in columns:
        values = frame.get_column(column)
        if values.dtype != pl.String:
            values = values.cast(pl.String, strict=False)
        cand = (
            pl.DataFrame({"value": values})
            .with_row_index("row_index")
            .with_columns(bits.alias("bits"))
            .filter(pl.col("bits") > 0)
        )
        found = []
        for value, mask in cand.select("value", "bits").unique().iter_rows():
            hits = _scan(value, _wanted(mask))
            if hits:
                found.append((value, mask, hits[0].rule))
        if found:
            rules = pl.DataFrame(found, schema={"value": pl.String, "bits": pl.UInt32, "rule": pl.String}, orient="row")
            parts.append(
                cand.join(rules, on=["value", "bits"]).select(
                    pl.col("row_index").cast(pl.UInt32), pl.lit(column).alias("column"), "rule"
                )
            )
    if not parts:
        return empty
    order = {c: i for i, c in enumerate(columns)}
    return pl.concat(parts).sort(pl.col("row_index"), pl.col("column").replace_strict(order, return_dtype=pl.UInt32))
