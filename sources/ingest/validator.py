"""Check every row of a drop against its contract, column by column, with vectorized Polars rules.

A row with any problem is quarantined whole; the others are typed and returned for loading. Each
problem names its row, column and rule, and says in plain words what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from sources.contracts import Column, Contract
from sources.ingest.reader import FILE_NAME, FILE_PROBLEM_SCHEMA, ROW_NUMBER, no_problems
from sources.pii import scan_frame

EARLIEST_DATE = date(2000, 1, 1)
AGENCY = "_agency"
_CARRIED = (FILE_NAME, ROW_NUMBER, AGENCY)  # lineage columns carried through validation
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_PATTERNS = {
    "identifier": (r"^[A-Za-z0-9._-]{1,64}$", "1 to 64 letters, digits, '.', '_' or '-'"),
    "linkage_key": (r"^[0-9a-f]{64}$", "64 hexadecimal characters (an HMAC-SHA256)"),
    # strict forms: nothing but a token fits, so a name or phone typed into these columns is refused
    "linkage_token": (r"^[A-Za-z0-9+/]{171}=$", "a linkage token: 172 Base64 characters (1024 bits)"),
    "linkage_blocks": (r"^[0-9a-f]{16}(\.[0-9a-f]{16}){0,5}$", "1 to 6 blocking keys of 16 hex characters joined by '.'"),
    "county_fips": (r"^\d{5}$", "a 5-digit county FIPS code"),
}
# Text-bearing columns are scanned for identifiers; coded, dated and numeric ones are checked strictly.
_SCANNED_TYPES = ("text", "identifier")


@dataclass(frozen=True)
class ValidationContext:
    processed_on: date  # dates after this are in the future
    county_fips: frozenset[str]
    org_ids: frozenset[str]
    earliest_date: date = EARLIEST_DATE  # the warehouse's history start (deployment.yaml)


@dataclass
class Validated:
    valid: pl.DataFrame  # typed contract columns plus FILE_NAME, ROW_NUMBER and AGENCY
    problems: pl.DataFrame  # one row per problem (a row may have several): FILE_PROBLEM_SCHEMA


def validate(rows: pl.DataFrame, contract: Contract, context: ValidationContext) -> Validated:
    """`rows` holds text columns named as in the contract plus FILE_NAME, ROW_NUMBER and AGENCY."""
    text = _normalise(rows, contract)
    typed = _typed(text, contract)
    checks = []
    for column in contract.columns:
        checks.extend(_column_checks(column, contract, context))
    problems = [
        typed.filter(condition).select(
            pl.col(FILE_NAME).alias("file_name"),
            pl.col(ROW_NUMBER).alias("row_number"),
            pl.lit(column_name, pl.Utf8).alias("column_name"),
            pl.lit(rule).alias("rule"),
            message.cast(pl.Utf8).alias("message"),
        )
        for column_name, rule, condition, message in checks
    ]
    problems.append(_identifier_hits(text, contract))
    problems.append(_duplicate_keys(typed, contract))
    all_problems = pl.concat([p.select(FILE_PROBLEM_SCHEMA.keys()).cast(FILE_PROBLEM_SCHEMA) for p in problems])
    bad_rows = all_problems.select(pl.col("file_name").alias(FILE_NAME), pl.col("row_number").alias(ROW_NUMBER)).unique()
    # Narrowed before the join: the __text copies would double what the join moves.
    valid = typed.select([*contract.column_names, *_CARRIED]).join(bad_rows, on=[FILE_NAME, ROW_NUMBER], how="anti")
    return Validated(valid=valid, problems=all_problems)


def _normalise(rows: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Trim every value, turn empty strings into nulls, and add absent optional columns as nulls."""
    present = set(rows.columns)
    exprs = []
    for column in contract.columns:
        if column.name in present:
            value = pl.col(column.name).cast(pl.Utf8).str.strip_chars()
            exprs.append(pl.when(value == "").then(None).otherwise(value).alias(column.name))
        else:
            exprs.append(pl.lit(None, pl.Utf8).alias(column.name))
    return rows.select([*exprs, *_CARRIED])


def _typed(text: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add a typed version of each column; keep the text as <name>__text for the checks."""
    exprs = []
    for column in contract.columns:
        raw = pl.col(column.name)
        exprs.append(raw.alias(f"{column.name}__text"))
        if column.type == "date":
            exprs.append(raw.str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(column.name))
        elif column.type == "boolean":
            lower = raw.str.to_lowercase()
            exprs.append(
                pl.when(lower.is_in(_TRUE)).then(True).when(lower.is_in(_FALSE)).then(False)
                .otherwise(None).alias(column.name)
            )
        elif column.type == "integer":
            exprs.append(raw.cast(pl.Int64, strict=False).alias(column.name))
        elif column.type == "decimal":
            exprs.append(raw.cast(pl.Float64, strict=False).alias(column.name))
        elif column.type == "linkage_key":
            exprs.append(raw.str.to_lowercase().alias(column.name))
        elif column.type == "code" and column.default is not None:
            exprs.append(raw.fill_null(column.default).alias(column.name))
        else:
            exprs.append(raw.alias(column.name))
    return text.select([*exprs, *_CARRIED])


def _column_checks(column: Column, contract: Contract, context: ValidationContext):
    """Yield (column, rule, failing-row condition, message expression) for one column."""
    name = column.name
    text = pl.col(f"{name}__text")
    typed = pl.col(name)
    present = text.is_not_null()
    shown = _shown_value(text, column)

    if column.required and column.default is None:
        yield name, "required", text.is_null(), pl.lit(f"{name} is required but empty")
    if column.type in _PATTERNS:
        pattern, described = _PATTERNS[column.type]
        target = typed if column.type == "linkage_key" else text
        yield name, "format", present & ~target.str.contains(pattern), pl.format(
            "{} must be {}; got {}", pl.lit(name), pl.lit(described), shown)
    if column.type == "county_fips":
        yield name, "unknown_county", present & text.str.contains(r"^\d{5}$") & ~text.is_in(
            sorted(context.county_fips)), pl.format("{} {} is not a county of this state", pl.lit(name), shown)
    if column.type == "org_id":
        yield name, "unknown_organisation", present & ~text.is_in(sorted(context.org_ids)), pl.format(
            "{} {} is not in the organisation registry", pl.lit(name), shown)
    if column.type == "code":
        allowed = sorted(contract.allowed_codes(column))
        listed = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", ..."
        yield name, "code_list", present & ~text.is_in(allowed), pl.format(
            "{} {} is not in code list {} (allowed: {})", pl.lit(name), shown, pl.lit(column.code_list), pl.lit(listed))
    if column.type == "date":
        # strptime alone takes '2025-3-4': the contract's form is zero-padded YYYY-MM-DD, nothing looser
        well_formed = text.str.contains(r"^\d{4}-\d{2}-\d{2}$")
        yield name, "date_format", present & (typed.is_null() | ~well_formed), pl.format(
            "{} {} is not a real date in YYYY-MM-DD form", pl.lit(name), shown)
        yield name, "date_in_future", typed > context.processed_on, pl.format(
            "{} {} is after the processing date {}", pl.lit(name), shown, pl.lit(context.processed_on.isoformat()))
        yield name, "date_too_old", typed < context.earliest_date, pl.format(
            "{} {} is before the warehouse's history start {}", pl.lit(name), shown,
            pl.lit(context.earliest_date.isoformat()))
    if column.type == "boolean":
        yield name, "boolean", present & typed.is_null(), pl.format(
            "{} {} is not true or false", pl.lit(name), shown)
    if column.type in ("integer", "decimal"):
        kind = "a whole number" if column.type == "integer" else "a number"
        yield name, column.type, present & typed.is_null(), pl.format("{} {} is not {}", pl.lit(name), shown, pl.lit(kind))
        if column.min is not None:
            yield name, "out_of_range", typed < column.min, pl.format(
                "{} {} is below the minimum {}", pl.lit(name), shown, pl.lit(str(column.min)))
        if column.max is not None:
            yield name, "out_of_range", typed > column.max, pl.format(
                "{} {} is above the maximum {}", pl.lit(name), shown, pl.lit(str(column.max)))
    if column.max_length is not None:
        yield name, "too_long", text.str.len_chars() > column.max_length, pl.format(
            "{} is {} characters long; the limit is {}", pl.lit(name), text.str.len_chars().cast(pl.Utf8),
            pl.lit(str(column.max_length)))
    if column.not_above is not None:
        yield name, "inconsistent", typed > pl.col(column.not_above), pl.format(
            "{} {} is more than {} {}", pl.lit(name), shown, pl.lit(column.not_above), pl.col(column.not_above).cast(pl.Utf8))
    if column.not_before is not None:
        yield name, "inconsistent", typed < pl.col(column.not_before), pl.format(
            "{} {} is before {} {}", pl.lit(name), shown, pl.lit(column.not_before), pl.col(column.not_before).cast(pl.Utf8))
    if column.not_after is not None:
        yield name, "inconsistent", typed > pl.col(column.not_after), pl.format(
            "{} {} is after {} {}", pl.lit(name), shown, pl.lit(column.not_after), pl.col(column.not_after).cast(pl.Utf8))


def _shown_value(text: pl.Expr, column: Column) -> pl.Expr:
    """How a bad value is quoted in a message: free text never, others cut short."""
    if column.type in _SCANNED_TYPES or column.type in ("linkage_token", "linkage_blocks"):
        return pl.lit("(value not shown)")  # a wrong value in a token column may be the identifier itself
    return pl.format("'{}'", text.str.slice(0, 40))


# An agency's record id can only hold letters, digits, '.', '_' and '-' (the format rule), so of all
# identifiers only a phone number, an SSN or an IP address fits in one; checking those shapes in Polars
# keeps the full scanner (Python, per distinct value) for free text, where ids would make it run per row.
_ID_SHAPED_LIKE = {
    "phone number": (
        r"(?:^|[^0-9])(?:1[-.])?[2-9][0-9]{2}[-.][2-9][0-9]{2}[-.][0-9]{4}(?:[^0-9]|$)",  # 816-555-0142
        # a whole id that starts as a phone, formatted or not: "8165550142", "816555-0177-ext-12"
        # (an id with a letter prefix, "R-2025004711", is an agency's numbering)
        r"^(?:1[-._]?)?[2-9][0-9]{2}[-._]?[2-9][0-9]{2}[-._]?[0-9]{4}(?:[^0-9]|$)",
        # a number glued to a word that says what it is ("TEL-8165550111", "cell.5550142")
        r"(?i)(?:tel|phone|ph|cell|mobile|mob|txt|text|call)[-._]?[0-9]{7,}",
    ),
    "ssn": (r"(?:^|[^0-9])[0-9]{3}-[0-9]{2}-[0-9]{4}(?:[^0-9]|$)",),
    "ip address": (r"(?:^|[^0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:[^0-9.]|$)",),
}


def _identifier_hits(text: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    free_text = [c.name for c in contract.columns if c.type == "text"]
    hits = [scan_frame(text.select(free_text), free_text)]
    for column in (c.name for c in contract.columns if c.type == "identifier"):
        for rule, pattern in ((rule, p) for rule, patterns in _ID_SHAPED_LIKE.items() for p in patterns):
            hits.append(
                text.select(pl.col(column).str.contains(pattern).fill_null(False).alias("hit"))
                .with_row_index("row_index").filter(pl.col("hit"))
                .select(pl.col("row_index").cast(pl.UInt32), pl.lit(column).alias("column"), pl.lit(rule).alias("rule"))
            )
    hits = pl.concat(hits).unique(["row_index", "column"], keep="first", maintain_order=True)
    if hits.is_empty():
        return no_problems()
    located = text.select(FILE_NAME, ROW_NUMBER).with_row_index("row_index")
    return hits.join(located, on="row_index").select(
        pl.col(FILE_NAME).alias("file_name"),
        pl.col(ROW_NUMBER).alias("row_number"),
        pl.col("column").alias("column_name"),
        pl.lit("identifier_detected").alias("rule"),
        pl.format("{} looks like it holds a {} (masked; the row is refused)",
                  pl.col("column"), pl.col("rule").str.replace_all("_", " ")).alias("message"),
    )


def _duplicate_keys(typed: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Repeats of an agency's key within one file, and repeats with the same values in another file of the
    batch (a copy). A repeat with other values in a later file is a correction: it is loaded, the newest
    version stands (sources/ingest/versions.py). None for a contract without a key (a public file whose rows
    repeating a key are summed)."""
    if not contract.primary_key:
        return no_problems()
    keys = [AGENCY, *contract.primary_key]
    # Only rows whose key occurs more than once can repeat one: sorting and windowing just those (few)
    # instead of the whole frame gives the same repeats.
    keyed = (typed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
             .filter(pl.struct(keys).is_duplicated())
             .select([*keys, FILE_NAME, ROW_NUMBER, pl.struct(contract.column_names).hash().alias("_values")])
             .sort([FILE_NAME, ROW_NUMBER]))
    repeats = keyed.with_columns(
        pl.col(FILE_NAME).first().over(keys).alias("_first_file"),
        pl.col(ROW_NUMBER).first().over(keys).alias("_first_row"),
    ).filter((pl.int_range(pl.len()).over([*keys, FILE_NAME]) > 0) | (pl.int_range(pl.len()).over([*keys, "_values"]) > 0))
    return repeats.select(
        pl.col(FILE_NAME).alias("file_name"),
        pl.col(ROW_NUMBER).alias("row_number"),
        pl.lit(contract.primary_key[0]).alias("column_name"),
        pl.lit("duplicate_key").alias("rule"),
        pl.format("{} {} repeats {} row {}", pl.lit(" + ".join(contract.primary_key)),
                  pl.concat_str([pl.col(k) for k in contract.primary_key], separator="/"),
                  pl.col("_first_file"), pl.col("_first_row").cast(pl.Utf8)).alias("message"),
    )
