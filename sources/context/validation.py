"""The context files' own rules, applied before the shared validator (sources/ingest/validator.py).

Published tables write numbers for people, not machines: `2.15%` and `1,093`. These are turned into plain
numbers here, and a value that breaks the published form becomes a problem with a plain reason.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from sources.context.contracts import ContextContract
from sources.ingest.reader import FILE_NAME, FILE_PROBLEM_SCHEMA, ROW_NUMBER, no_problems
from sources.ingest.validator import ValidationContext, Validated, validate

_PERCENT = r"^\d{1,3}(\.\d+)?\s*%$"
_THOUSANDS = r"^-?\d{1,3}(,\d{3})+$"  # counts may be negative adjustments


def validate_context_rows(rows: pl.DataFrame, cc: ContextContract, processed_on: date) -> Validated:
    """`rows`: the contract's columns (warehouse names, text) plus FILE_NAME, ROW_NUMBER and AGENCY."""
    cleaned, own_problems = _published_forms(rows, cc, processed_on)
    checked = validate(cleaned, cc.validation_contract, ValidationContext(processed_on, frozenset(), frozenset()))
    problems = pl.concat([checked.problems, own_problems])
    bad = own_problems.select(pl.col("file_name").alias(FILE_NAME), pl.col("row_number").alias(ROW_NUMBER))
    return Validated(valid=checked.valid.join(bad, on=[FILE_NAME, ROW_NUMBER], how="anti"), problems=problems)


def _published_forms(rows: pl.DataFrame, cc: ContextContract, processed_on: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    problems: list[pl.DataFrame] = []
    fixes: list[pl.Expr] = []
    for column in cc.contract.columns:
        value = pl.col(column.name).str.strip_chars()
        if column.name in cc.percent_columns:
            problems.append(_problem(rows, column.name, "format", value.is_not_null() & (value != "")
                                     & ~value.str.contains(_PERCENT),
                                     f"{column.name} must be a percentage written like 2.15%"))
            fixes.append(pl.when(value.str.contains(_PERCENT)).then(value.str.replace(r"\s*%$", ""))
                         .otherwise(value).alias(column.name))
        elif column.type == "integer":
            fixes.append(pl.when(value.str.contains(_THOUSANDS)).then(value.str.replace_all(",", ""))
                         .otherwise(value).alias(column.name))
    year_column = cc.contract.event_date
    year = pl.col(year_column).str.strip_chars().cast(pl.Int64, strict=False)
    problems.append(_problem(rows, year_column, "date_in_future", year > processed_on.year,
                             f"{year_column} is after the processing year {processed_on.year}"))
    if cc.offense_subcategories:
        name = pl.col("offense_subcat_name").str.to_lowercase()
        known = pl.any_horizontal([name.str.contains(part, literal=True) for part in cc.offense_subcategories])
        problems.append(_problem(rows, "offense_subcat_name", "code_list", name.is_not_null() & ~known,
                                 "offense_subcat_name must name one of: " + ", ".join(cc.offense_subcategories)))
    return rows.with_columns(fixes), pl.concat([no_problems(), *problems])


def _problem(rows: pl.DataFrame, column: str, rule: str, failing: pl.Expr, message: str) -> pl.DataFrame:
    return rows.filter(failing.fill_null(False)).select(
        pl.col(FILE_NAME).alias("file_name"), pl.col(ROW_NUMBER).alias("row_number"),
        pl.lit(column).alias("column_name"), pl.lit(rule).alias("rule"), pl.lit(message).alias("message"),
    ).cast(FILE_PROBLEM_SCHEMA)
