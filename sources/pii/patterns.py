"""Regexes and word lists for identifier detection.

Python patterns run on *normalized* text (see normalize.py: ASCII digits, NFKC, no zero-width chars).
PREFILTERS are the Rust-regex (Polars) counterpart: a cheap superset of everything the Python detectors can
find, so scan_frame only pays Python cost on candidate cells.
"""

from __future__ import annotations

import re

I = re.IGNORECASE

# --- phone -------------------------------------------------------------------------------------------
# Characters that may sit between digit groups of one phone number ("odd punctuation").
PHONE_SEP = r"[\s\-.()/_*~|\[\]+,]"
DIGIT_RUN = re.compile(rf"\d+(?:{PHONE_SEP}{{1,6}}\d+)*")
PHONE_EXT = re.compile(r"\s*,?\s*(?:x|ext\.?|extn\.?|extension)\s*[.:#]?\s*\d{1,6}(?!\d)", I)
# Words that may be glued to a number without a space ("call8165550142"); any other letter glued to a
# digit run means the run is part of a token (hex linkage key, record id) and is not a phone.
GLUE_CUES = ("call", "tel", "ph", "phone", "cell", "cel", "mobile", "mob", "txt", "text", "num", "number", "no")
# 7-digit local numbers are only flagged after such a cue: "900-1700" style ranges are common otherwise.
LOCAL_CUE = re.compile(
    r"\b(?:call(?:ed|ing|s|back)?|phone|ph|cell|cel|tel|text(?:ed)?|txt|number|num|mobile|contact|reach"
    r"|whats\s?app|signal|cb|dial(?:ed)?)\b[^;\n]{0,15}$",
    I,
)
# Uppercase record-id prefixes ("S-2025..."); TEL/PH etc. are phone cues, not ids.
ID_PREFIX = re.compile(r"(?<![A-Za-z])([A-Z]{1,4})-$")
# Public service numbers a case worker may legitimately write down; they identify nobody.
ALLOWED_PHONES = frozenset({
    "8883737888",  # National Human Trafficking Hotline
    "8003923738",  # Missouri Child Abuse and Neglect Hotline
})

# --- e-mail ------------------------------------------------------------------------------------------
TLDS = r"(?:com|org|net|edu|gov|mil|us|io|co|info|biz|me|ca|uk|mx|de|app|xyz|live|email|online)"
EMAIL = re.compile(
    r"(?<![\w.+%-])[a-z0-9][\w.+%-]*\s*@\s*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?![\w])",
    I,
)
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# Obfuscated: "jane at example dot org", "jane[at]example[dot]org". A TLD from the list keeps
# "met at the motel" style prose out.
EMAIL_OBF = re.compile(
    rf"(?<![\w.+%-])[a-z0-9][\w.+%-]*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*?{_DOT}{TLDS}(?![\w/@])", I
)

# --- SSN ---------------------------------------------------------------------------------------------
_SSN_SEP = r"(?:\s*[-.]\s*|\s+)"
SSN = re.compile(rf"(?<![\w$#.,/-])\d{{3}}{_SSN_SEP}\d{{2}}{_SSN_SEP}\d{{4}}(?![\w]|[-/.,]\d)")
SSN_LABELLED = re.compile(
    r"\b(?:ssn|s\.s\.n\.?|ss\s?#|ss\s?no\.?|soc\.?\s*sec\.?|social(?:\s+security)?)"
    r"(?:\s*(?:no\.?|num(?:ber)?|#))?[\s:#=\-]{0,6}(?:(?:is|was)\s+)?"
    r"(\d{3}[\s.-]*\d{2}[\s.-]*\d{4})(?!\d)",
    I,
)

# --- street address ----------------------------------------------------------------------------------
STREET_SUFFIXES = (
    "st", "street", "ave", "av", "avenue", "rd", "road", "blvd", "boulevard", "dr", "drive", "ln", "lane",
    "hwy", "highway", "ct", "pl", "way", "pkwy", "parkway", "ter", "terr", "terrace", "cir", "circle",
    "trl", "trail",
)
_SUFFIX = "(?:" + "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True)) + ")"
_DIR = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?"
_UNIT = r"(?:\s*,?\s*(?:apt|apartment|unit|ste|suite|lot|rm|trlr|fl|#)\.?\s*#?\s*[a-z0-9]{1,6}(?![\w]))?"
HOUSE_NUMBER = re.compile(r"(?<![\w$#/.,:-])\d{1,6}(?:-?[a-z])?(?:-\d{1,4})?(?![\w])", I)
# Tail matched right after a house number: optional direction, 1-4 name words, suffix, optional unit.
# Name words are vetted in Python (stop words / count nouns) because "2 hours each way" has the shape.
ADDRESS_TAIL = re.compile(
    rf"\s+(?:({_DIR})\s+)?((?:[a-z0-9][\w'.-]*\s+){{1,4}}?){_SUFFIX}\.?(?![\w])(?:\s+{_DIR}(?![\w]))?{_UNIT}", I
)
# "21500 State Hwy 63", "4200 County Road 12": the route number follows the suffix.
ADDRESS_ROUTE_TAIL = re.compile(
    rf"\s+(?:{_DIR}\s+)?(?:(?:state|us|u\.s\.|county|old|farm)\s+)?(?:hwy|highway|route|rte|rt|road|rd)\s+"
    rf"[a-z0-9]{{1,4}}(?![\w])(?:\s+{_DIR}(?![\w]))?{_UNIT}",
    I,
)
PO_BOX = re.compile(
    r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|pob)\s*#?\s*\d{1,6}(?!\d)"
    r"|\b(?:rr|r\.\s?r\.|rural\s+route|hc|h\.c\.)\s*#?\s*\d{1,4}\s*,?\s*box\s*#?\s*\d{1,6}(?!\d)"
    r"|\brural\s+route\s*#?\s*\d{1,4}(?!\d)",
    I,
)
ADDRESS_STOPWORDS = frozenset(
    """a an the on in at to of from for by near off down up along over each per every and or with without
    via into onto across past toward towards behind outside inside is was were are be been then than other
    more less about around approx between later ago away back same far all both only this that these those
    it its his her their our my your i he she they we you who which where when while after before since
    until no not hours hour hrs hr days day weeks week wks months month mos years year yrs minutes minute
    mins min times time miles mile mi blocks block nights night trips trip calls call cars car vehicles
    vehicle trucks truck vans van rooms room units unit dollars bucks adults adult minors minor kids kid
    children child girls girl boys boy women woman men man males male females female people persons person
    victims victim workers worker juveniles juvenile youth teens teen survivors survivor officers officer
    agents agent cases case reports report signals signal referrals referral times visits visit
    different separate several few many some""".split()
)
# A word right before the number that makes it something other than a house number.
ADDRESS_NOT_AFTER = frozenset(
    "exit mile marker mm room rm suite ste troop unit apt i us hwy highway route rt rte interstate box "
    "no number num # page p ch chapter section sec case age ages aged".split()
)

# --- date of birth -----------------------------------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DATE = (
    r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*(?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,2}(?!\d)"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}(?!\d))"
)
_DOB_CUE = (
    r"(?:\bd\.?\s*o\.?\s*b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s?(?:date|day)\b|\bb-?day\b|\bborn\b|\bbirth\b"
    r"|\bbirthdate\b)"
)
# Only filler words may sit between the cue and the date, so "birth certificate requested 2025-03-14" stays clean.
_DOB_FILL = (
    r"(?:\s*[:#=(,-]?\s*(?:(?:is|was|on|of|date|dt|listed|given|as|reported|approx\.?|about|or|the|:)\s*[:-]?\s*){0,4})"
)
DOB = re.compile(
    rf"{_DOB_CUE}{_DOB_FILL}({DATE})"
    rf"|(?<![\w/.-])({DATE})\s*[(\[,-]?\s*(?:dob\b|d\.o\.b\b\.?|date\s+of\s+birth\b|birth\s?day\b|birth\s?date\b|b-?day\b)",
    I,
)

# --- social media ------------------------------------------------------------------------------------
SOCIAL_DOMAINS = (
    r"instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me|messenger\.com|m\.me|tiktok\.com|snapchat\.com"
    r"|x\.com|twitter\.com|t\.me|telegram\.me|onlyfans\.com|threads\.net|youtube\.com|linkedin\.com"
    r"|reddit\.com|wa\.me|kik\.me|cash\.app|venmo\.com|pinterest\.com"
)
SOCIAL_URL = re.compile(
    rf"(?<![\w.-])(?:https?://)?(?:www\.|m\.|mobile\.|web\.|vm\.)?(?:{SOCIAL_DOMAINS})\s*/\s*[@~$]?[\w.\-%?=&@/+]*[\w/]",
    I,
)
HANDLE_AT = re.compile(r"(?<![\w@.+%-])@([a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?)(?![\w@])", I)
SOCIAL_PLATFORMS = (
    r"ig|insta|instagram|snap|snapchat|tiktok|tik\s?tok|fb|facebook|twitter|telegram|kik|onlyfans"
    r"|threads|discord|whatsapp|venmo|cashapp|cash\s?app"
)
_HANDLE = r"[a-z0-9_$](?:[a-z0-9_.]{0,28}[a-z0-9_])?"
# "IG: handle", "snap = handle", "instagram handle jane_doe": separator or an explicit handle word.
HANDLE_LABELLED = re.compile(
    rf"\b(?:{SOCIAL_PLATFORMS})\b(?:\s*(?:handle|user\s?name|user|acct|account|profile|id|name))?\s*(?:[:=]|-+|\bis\b)\s*@?({_HANDLE})(?![\w@])"
    rf"|\b(?:{SOCIAL_PLATFORMS})\s+(?:handle|user\s?name)\s+@?({_HANDLE})(?![\w@])",
    I,
)
HANDLE_NOT = frozenset(
    """none unknown na n/a no yes not nil null pending declined deleted private blocked unavailable
    unk tbd redacted removed withheld given provided listed only unverified inactive closed n was is but and
    the of on for to shared seen used""".split()
)
TIME_LIKE = re.compile(r"^\d{1,2}(?::\d{2})?(?:am|pm|a|p)?$", I)

# --- driver's licence ------------------------------------------------------------------------------
# Licence numbers have no shape of their own across states (MO: a letter and 5-9 digits; IL: a letter and
# 11 digits in groups; KS: K and 8 digits; NY: 9 digits; ...), so a number counts only after a licence cue,
# optionally with the state: "MO DL A191820390", "driver's license # S530-4218-6011", "CDL (KS) K04831947".
_DL_CUE = (
    r"(?:\bd\.?\s?l\b\.?|\bdl\s?#|\bdln\b|\bcdl\b|\bdriver'?s?\s+lic(?:en[cs]e)?\b\.?|\bdriving\s+licen[cs]e\b"
    r"|\bop(?:erator)?'?s?\s+licen[cs]e\b|\blicen[cs]e\s*(?:no\b\.?|num(?:ber)?\b|#))"
)
_FILL = r"(?:\s*(?:no\b\.?|num(?:ber)?\b|#|:|=|is\b|was\b|-|\(?[a-z]{2}\)?(?=[\s:#-]))){0,3}\s*"
DRIVERS_LICENSE = re.compile(
    rf"{_DL_CUE}{_FILL}([a-z]{{0,3}}[\s-]?\d[\d\s-]{{2,16}}\d[a-z]?|\d{{1,3}}[a-z]{{1,2}}\d{{3,8}})(?![\w])", I
)

# --- IP address --------------------------------------------------------------------------------------
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
_H = r"[0-9a-f]{1,4}"
IPV6 = re.compile(
    rf"(?<![\w:])(?:(?:{_H}:){{7}}{_H}|(?:{_H}(?::{_H}){{0,6}})?::(?:{_H}(?::{_H}){{0,6}})?)(?![\w:])", I
)

# --- vehicle plate, passport, A-number (immigration), payment card ------------------------------------
PLATE = re.compile(
    r"\b(?:licen[cs]e\s+plate|lic\.?\s+plate|plates?|tags?\s*(?:#|no\b\.?|number))\s*(?:#|no\b\.?|number|:|=|-)?\s*"
    r"(?:\(?[a-z]{2}\)?(?=[\s:#-])\s*[:#-]?\s*)?([a-z0-9]{1,4}[\s-]{0,2}[a-z0-9]{1,5})(?![\w])",
    I,
)
PASSPORT = re.compile(r"\bpassport\s*(?:no\b\.?|num(?:ber)?\b|#|:|=|-|\s)*\s*([a-z]{0,2}\d{6,9})(?![\w])", I)
A_NUMBER = re.compile(
    r"(?:\ba-?\s?(?:number|num|no\b\.?|#)|\balien\s+(?:registration\s+)?(?:number|no\b\.?|#)|\buscis\s*(?:number|no\b\.?|#))"
    r"\s*[:#=-]?\s*a?[\s-]*(\d{3}[\s-]{0,2}\d{3}[\s-]{0,2}\d{2,3})(?!\d)",
    I,
)
CARD = re.compile(r"(?<![\w.-])\d(?:[ -]{0,2}\d){12,18}(?![\w]|[-.]\d)")

# --- cheap gates ---------------------------------------------------------------------------------------
# Substring checks that must hold before a detector's regexes can match; they skip most clean values.
SOCIAL_KEYS = (
    "@", "ig", "insta", "snap", "tik", "fb", "facebook", "twitter", "telegram", "kik", "onlyfans", "threads",
    "discord", "whatsapp", "venmo", "cash", "x.com", "t.me", "m.me", "wa.me", "messenger", "youtube",
    "linkedin", "reddit", "pinterest",
)
EMAIL_GATE = re.compile(r"@|dot|[\[({<]\s*at\s*[\])}>]|\bat\s+\S+\.", I)
DOB_GATE = re.compile(r"d\.?\s*o\.?\s*b|birth|born|b-?day", I)
DL_GATE = re.compile(r"d\.?\s?l\b|dln|cdl|licen[cs]e|\blic\b", I)
PLATE_GATE = re.compile(r"plate|\btags?\b", I)
A_NUMBER_GATE = re.compile(r"\ba-?\s?(?:number|num|no|#)|alien|uscis", I)
ADDRESS_GATE = re.compile(rf"box|pob|\b(?:{_SUFFIX}|route|rte|rt)\b", I)

# --- Polars prefilter (Rust regex syntax) ---------------------------------------------------------------
# A superset of what the Python detectors can match, as separate regexes OR-ed in Polars (one big
# alternation defeats the Rust regex engine's fast paths and runs ~100x slower).
_GLUE = "|".join(GLUE_CUES)
_B = rf"(?:^|[^\p{{L}}\d]|(?i:{_GLUE}|ssn|sec|social))"  # left edge of a digit run a phone/SSN may start
_S = r"[^\p{L}\d]"
# (regex, detectors it may wake). "*" = every detector (the Python gates still apply).
PREFILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"[^\x00-\x7F]", ("*",)),  # anything non-ASCII goes to Python, which folds it
    # phone / SSN shapes: 6+ digits then more digits, 3-digit group then 2+ more, "1816 555 ..."
    (rf"{_B}(?:\d{{6}}{_S}{{0,8}}\d|\d{{3}}{_S}{{1,8}}\d{{2}}|1\d{{3}}{_S}{{1,8}}\d{{3}})", ("phone", "ssn")),
    (rf"(?:^|\D)\d{{1,2}}(?:{_S}{{1,8}}\d{{1,2}}){{4}}", ("phone",)),  # digit-by-digit phone
    (r"@", ("email", "social")),
    (r"(?i)\bdot\b|[\[({<]\s*at\s*[\])}>]", ("email",)),
    (rf"(?i)\bat\s+[\w-]+(?:\.[\w-]+)*\.{TLDS}\b", ("email",)),
    (r"(?i)d\.?\s*o\.?\s*b|birth|born|b-?day", ("dob",)),
    (r"(?i)box|pob|rural\s+route", ("address",)),
    # number, up to 5 words, street suffix (the Python tail allows a direction plus 4 name words)
    (rf"(?i)\d\S*\s+(?:\S+\s+){{0,5}}(?:{_SUFFIX}|route|rte|rt)\b", ("address",)),
    (rf"(?i)\b(?:{SOCIAL_PLATFORMS}|messenger|youtube|linkedin|reddit|pinterest)\b", ("social",)),
    (r"(?i)\b(?:t|x|m|wa|kik|fb|instagr|cash)\.(?:me|com|am|app)\b", ("social",)),
    (r"(?i)d\.?\s?l\b|dln|cdl|licen[cs]e|\blic\b", ("drivers_license",)),
    (r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", ("ip",)),
    (r"(?i)[0-9a-f]::|::[0-9a-f]|(?:[0-9a-f]{1,4}:){7}", ("ip",)),
    (r"(?i)plate|\btags?\b", ("plate",)),
    (r"(?i)passport", ("passport",)),
    (r"(?i)\ba-?\s?(?:number|num|no|#)|alien|uscis", ("a_number",)),
    (r"\d(?:[ -]{0,2}\d){12}", ("card",)),
)
