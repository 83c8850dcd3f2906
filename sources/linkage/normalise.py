"""How an agency's identifiers are normalised before they are encoded (agency side, docs/linkage.md).

Every agency runs the same normalisation, so "Bob O'Neil", "ROBERT ONEIL" and "robert o neil" encode alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Common English and Spanish given-name diminutives -> the form they are encoded as. Both spellings of a
# person's first name then share every bigram; a nickname outside the table still shares some.
NICKNAMES = {
    "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bill": "william",
    "billy": "william", "will": "william", "willie": "william", "liam": "william", "jim": "james",
    "jimmy": "james", "jamie": "james", "mike": "michael", "mikey": "michael", "mick": "michael",
    "dave": "david", "davey": "david", "tom": "thomas", "tommy": "thomas", "chris": "christopher",
    "joe": "joseph", "joey": "joseph", "dan": "daniel", "danny": "daniel", "matt": "matthew",
    "tony": "anthony", "andy": "andrew", "drew": "andrew", "nick": "nicholas", "steve": "steven",
    "stephen": "steven", "jon": "jonathan", "johnny": "john", "jack": "john", "josh": "joshua",
    "alex": "alexander", "sam": "samuel", "ben": "benjamin", "greg": "gregory", "jeff": "jeffrey",
    "kate": "katherine", "katie": "katherine", "kathy": "katherine", "kathryn": "katherine",
    "catherine": "katherine", "cathy": "katherine", "liz": "elizabeth", "beth": "elizabeth",
    "betty": "elizabeth", "lizzie": "elizabeth", "eliza": "elizabeth", "jen": "jennifer",
    "jenny": "jennifer", "jess": "jessica", "jessie": "jessica", "sue": "susan", "suzy": "susan",
    "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "patty": "patricia", "trish": "patricia",
    "pat": "patricia", "becky": "rebecca", "abby": "abigail", "mandy": "amanda", "manda": "amanda",
    "steph": "stephanie", "vicky": "victoria", "tori": "victoria", "ashley": "ashley", "nat": "natalie",
    "lupe": "guadalupe", "pepe": "jose", "paco": "francisco", "pancho": "francisco", "lucy": "lucia",
    "chuy": "jesus", "memo": "guillermo", "lalo": "eduardo", "nacho": "ignacio", "mari": "maria",
    "sandy": "sandra", "cindy": "cynthia", "angie": "angela", "debbie": "deborah", "deb": "deborah",
    "val": "valerie", "tina": "christina", "kris": "kristen", "mel": "melissa", "missy": "melissa",
}

_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_DIGIT = re.compile(r"\D")
_SEX = {"f": "f", "female": "f", "w": "f", "woman": "f", "girl": "f", "m": "m", "male": "m", "man": "m",
        "boy": "m", "x": "x", "transgender": "x", "nonbinary": "x", "gender_non_conforming": "x"}


def name(value: str | None) -> str | None:
    """Lower-case ASCII letters only: accents folded, spaces, hyphens and apostrophes dropped."""
    if value is None:
        return None
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").lower()
    letters = _NOT_LETTER.sub("", folded)
    return letters or None


def first_name(value: str | None) -> str | None:
    letters = name(value)
    return NICKNAMES.get(letters, letters) if letters else None


def phone(value: str | None) -> str | None:
    """The last ten digits (a US number without its country code); fewer than seven digits is no phone."""
    if value is None:
        return None
    digits = _NOT_DIGIT.sub("", str(value))[-10:]
    return digits if len(digits) >= 7 else None


def sex(value: str | None) -> str | None:
    if value is None:
        return None
    return _SEX.get(str(value).strip().lower())


def birth_date(value: str | date | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def birth_year(dob: date | None, age: int | None, on: date | None) -> int | None:
    """The year of birth: from the date when known, else estimated from an age on a date."""
    if dob is not None:
        return dob.year
    if age is None or on is None:
        return None
    return on.year - int(age) - (1 if on.month < 7 else 0)


def soundex(letters: str | None) -> str | None:
    """American Soundex of a normalised name (a phonetic code: Smith and Smyth share S530)."""
    if not letters:
        return None
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
             "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    out, last = letters[0], codes.get(letters[0], "")
    for ch in letters[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "hw":
            last = code
    return (out + "000")[:4]
