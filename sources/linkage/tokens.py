"""The agency key tool: identifiers in, linkage tokens out, on the agency's own machine (docs/linkage.md).

For each record an agency holds the quasi-identifiers of the person (first and last name, date of birth or
an age, sex, phone, county). `Encoder` turns them into

- `linkage_key`: HMAC-SHA256 of the agency's own situation id (links the agency's own records);
- `linkage_token`: a cryptographic long-term key (CLK, Schnell, Bachteler and Reiher 2011): a 1024-bit
  Bloom filter into which the bigrams of the normalised names and tokens of the birth date, sex, phone and
  county are hashed with keyed HMAC-SHA256 double hashing, Base64. Two records of the same person share
  most bits even through a typo, a nickname or a swapped day and month; without the secret nobody can say
  which bits a given name sets;
- `linkage_blocks`: up to six keyed 64-bit hashes (blocking keys: phonetic surname + birth year, phonetic
  first name + birth year, phone, phonetic first + last name, birth date (day and month unordered), phonetic
  first name + county). The task force compares only records sharing
  one, so linkage stays fast at national scale.

The secret is shared by the agencies (never by the task force, which needs none to compare tokens);
`pipelines/secrets.py` says where it comes from. Nothing else leaves: no identifier, no unkeyed hash.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sources.linkage import normalise

CLK_BITS = 1024
# Hash functions per token of each field: names carry most of the weight, sex and county little (they are
# shared by many people), a birth date and a phone much.
K = {"first_name": 7, "last_name": 7, "birth_year": 28, "day_month": 40, "sex": 4, "phone": 16, "county": 6}
BLOCK_HEX = 16
# Columns of an agency extract the tool reads and never writes out.
IDENTIFIER_COLUMNS = ("internal_id", "first_name", "last_name", "date_of_birth", "age", "sex", "phone")
EVENT_DATE_COLUMNS = ("received_date", "referral_date", "event_date")  # the day an age refers to


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"lantern-linkage|{purpose}".encode(), hashlib.sha256).digest()


@dataclass
class Encoder:
    secret: bytes
    _keys: dict = field(default_factory=dict, repr=False)
    _positions: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < 16:
            raise ValueError("the linkage token secret must be at least 16 bytes")
        self._keys = {f: _derive(self.secret, f"clk|{f}") for f in K}
        self._keys["key"] = _derive(self.secret, "situation-key")
        self._keys["block"] = _derive(self.secret, "block")

    def agency_key(self, agency: str, internal_id: str) -> str:
        """The agency's linkage key for its own situation id: 64 hex characters."""
        return hmac.new(self._keys["key"], f"{agency}|{internal_id}".encode(), hashlib.sha256).hexdigest()

    def _bits(self, field_name: str, token: str) -> tuple[int, ...]:
        cached = self._positions.get((field_name, token))
        if cached is None:
            digest = hmac.new(self._keys[field_name], token.encode(), hashlib.sha256).digest()
            h1 = int.from_bytes(digest[:8], "big")
            h2 = int.from_bytes(digest[8:16], "big") | 1
            cached = tuple((h1 + i * h2) % CLK_BITS for i in range(K[field_name]))
            self._positions[(field_name, token)] = cached
        return cached

    def _block(self, text: str) -> str:
        return hmac.new(self._keys["block"], text.encode(), hashlib.sha256).hexdigest()[:BLOCK_HEX]

    def encode(self, first_name=None, last_name=None, date_of_birth=None, age=None, on: date | None = None,
               sex=None, phone=None, county_fips=None) -> tuple[str | None, str | None]:
        """(linkage_token, linkage_blocks) of one person's identifiers; (None, None) when none is known."""
        first, last = normalise.first_name(first_name), normalise.name(last_name)
        dob = normalise.birth_date(date_of_birth)
        age_value = int(age) if age not in (None, "") else None
        year = normalise.birth_year(dob, age_value, on)
        sx, ph = normalise.sex(sex), normalise.phone(phone)
        county = str(county_fips).strip() if county_fips not in (None, "") else None
        tokens: list[tuple[str, str]] = []
        for field_name, value in (("first_name", first), ("last_name", last)):
            if value:
                padded = f"_{value}_"
                tokens.extend((field_name, padded[i:i + 2]) for i in range(len(padded) - 1))
        if year is not None:
            tokens.append(("birth_year", str(year)))
        if dob is not None:  # day and month unordered: a swapped day/month still matches
            tokens.append(("day_month", "-".join(sorted((f"{dob.day:02d}", f"{dob.month:02d}")))))
        for field_name, value in (("sex", sx), ("phone", ph), ("county", county)):
            if value:
                tokens.append((field_name, value))
        if not tokens:
            return None, None
        filled = bytearray(CLK_BITS // 8)
        for field_name, token in tokens:
            for bit in self._bits(field_name, token):
                filled[bit >> 3] |= 1 << (7 - (bit & 7))
        blocks = []
        sf, sl = normalise.soundex(first), normalise.soundex(last)
        if sl and year is not None:
            blocks.append(self._block(f"ln|{sl}|{year}"))
        if sf and year is not None:
            blocks.append(self._block(f"fn|{sf}|{year}"))
        if ph:
            blocks.append(self._block(f"ph|{ph}"))
        if sf and sl:
            blocks.append(self._block(f"nm|{sf}|{sl}"))
        if dob is not None:  # day and month unordered, as in the token
            blocks.append(self._block(f"bd|{year}|{'-'.join(sorted((str(dob.day), str(dob.month))))}"))
        if sf and county:
            blocks.append(self._block(f"fc|{sf}|{county}"))
        return base64.b64encode(bytes(filled)).decode("ascii"), (".".join(blocks) or None)


def tokenise_file(source: Path, target: Path, agency: str, secret: bytes) -> int:
    """The agency tool: read an extract (CSV with `internal_id` and identifier columns beside the contract's
    columns), write the same rows with the identifiers replaced by linkage_key, linkage_token and
    linkage_blocks. Returns the rows written."""
    encoder = Encoder(secret)
    with open(source, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        if "internal_id" not in fields:
            raise ValueError(f"{source}: the extract needs an internal_id column (the agency's own situation id)")
        kept = [c for c in fields if c not in IDENTIFIER_COLUMNS and c not in ("linkage_key", "linkage_token",
                                                                                "linkage_blocks")]
        out_fields = [*kept[:1], "linkage_key", "linkage_token", "linkage_blocks", *kept[1:]]
        when_column = next((c for c in EVENT_DATE_COLUMNS if c in fields), None)
        written = 0
        partial = target.with_name(target.name + ".partial")
        with open(partial, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=out_fields, lineterminator="\n")
            writer.writeheader()
            for row in reader:
                on = normalise.birth_date(row.get(when_column)) if when_column else None
                token, blocks = encoder.encode(
                    row.get("first_name") or None, row.get("last_name") or None, row.get("date_of_birth") or None,
                    row.get("age") or None, on, row.get("sex") or None, row.get("phone") or None,
                    row.get("county_fips") or None)
                record = {c: row[c] for c in kept}
                record.update(linkage_key=encoder.agency_key(agency, row["internal_id"]),
                              linkage_token=token or "", linkage_blocks=blocks or "")
                writer.writerow(record)
                written += 1
    partial.replace(target)
    return written
