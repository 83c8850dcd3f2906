"""Linkage quality against the synthetic generator's truth (`make bench`, tests; docs/linkage.md).

`link_drops` runs the task force's linkage models (models/intermediate/int_linkage_*.sql, int_situations.sql)
over the tokens in a folder of drops, exactly as the pipeline does but without the rest of it; `pair_quality`
compares the situations formed with the truth: over pairs of agency situations, precision (linked pairs that are
the same situation), recall (same-situation pairs that were linked) and F1.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from models import MODELS_DIR, macros_sql
from sources.contracts.model import FEEDS
from sources.drops import parse_drop_name

LINKAGE_MODELS = ("int_linkage_units", "int_linkage_pairs", "int_situations")
_STAGING = {"hotline_signals": "stg_hotline_signals", "referrals": "stg_referrals",
            "case_outcomes": "stg_case_outcomes"}


def read_tokens(inbox: Path) -> dict[str, pl.DataFrame]:
    """Per feed: sending agency, agency key, token, blocking keys, carried referral key, from every drop."""
    parts: dict[str, list[pl.DataFrame]] = {feed: [] for feed in FEEDS}
    for path in sorted(Path(inbox).iterdir()):
        if not path.is_file() or path.name.startswith(".") or "_resent" in path.name:
            continue
        name = parse_drop_name(path)
        if name is None or name.feed not in parts:
            continue
        frame = (pl.read_parquet(path) if path.suffix == ".parquet"
                 else pl.read_csv(path, infer_schema=False, encoding="utf8-lossy"))
        if frame.height == 0:
            continue
        wanted = ["linkage_key", "linkage_token", "linkage_blocks", "referral_key"]
        frame = frame.select([pl.col(c).cast(pl.Utf8) if c in frame.columns else pl.lit(None, pl.Utf8).alias(c)
                              for c in wanted])
        parts[name.feed].append(frame.with_columns(pl.lit(name.agency).alias("sending_agency")))
    return {feed: pl.concat(p) if p else pl.DataFrame(schema={c: pl.Utf8 for c in
            ("linkage_key", "linkage_token", "linkage_blocks", "referral_key", "sending_agency")})
            for feed, p in parts.items()}


def link(tokens: dict[str, pl.DataFrame], con: duckdb.DuckDBPyConnection | None = None,
         threshold: float | None = None) -> tuple[pl.DataFrame, duckdb.DuckDBPyConnection]:
    """Run the linkage models over the tokens; returns intermediate.int_situations (agency keys stand in for the
    re-keyed ones: re-keying maps keys one to one, so it changes nothing here)."""
    if con is None:
        con = duckdb.connect()
        con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/lantern-linkage-spill'")
    con.execute(macros_sql())
    if threshold is not None:
        con.execute(f"SET VARIABLE linkage_match_threshold = {float(threshold)}")
    for schema in ("staging", "intermediate"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for feed, frame in tokens.items():
        staged = frame.select(
            "sending_agency", pl.col("linkage_key").str.to_lowercase().alias("situation_key"),
            pl.when(pl.col("linkage_token").str.len_chars() > 0).then(pl.col("linkage_token")).alias("linkage_token"),
            pl.when(pl.col("linkage_blocks").str.len_chars() > 0).then(pl.col("linkage_blocks")).alias("linkage_blocks"),
            pl.when(pl.col("referral_key").str.len_chars() > 0).then(pl.col("referral_key"))
            .alias("referral_situation_key"))
        con.register("_staged", staged.to_arrow())
        con.execute(f"CREATE OR REPLACE TABLE staging.{_STAGING[feed]} AS SELECT * FROM _staged")
        con.unregister("_staged")
    for name in LINKAGE_MODELS:
        sql = (MODELS_DIR / "intermediate" / f"{name}.sql").read_text(encoding="utf-8")
        con.execute(f"CREATE OR REPLACE TABLE intermediate.{name} AS\n{sql}")
    return con.execute("SELECT * FROM intermediate.int_situations").pl(), con


@dataclass(frozen=True)
class Quality:
    agency_situations: int
    true_pairs: int
    linked_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    linked_share: float  # agency situations joined with another agency's

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def _pairs(sizes: pl.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pair_quality(situations: pl.DataFrame, truth: pl.DataFrame) -> Quality:
    """Pairwise precision / recall / F1 of the situations formed (sending_agency, situation_key, situation_id)
    against the truth (agency, linkage_key, situation)."""
    joined = situations.join(truth.rename({"agency": "sending_agency", "linkage_key": "situation_key"}),
                             on=["sending_agency", "situation_key"], how="inner")
    true_pairs = _pairs(joined.group_by("situation").len()["len"])
    linked_pairs = _pairs(joined.group_by("situation_id").len()["len"])
    correct = _pairs(joined.group_by("situation_id", "situation").len()["len"])
    precision = correct / linked_pairs if linked_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    linked = joined.filter(pl.col("agencies") > 1).height / joined.height if joined.height else 0.0
    return Quality(joined.height, true_pairs, linked_pairs, correct, precision, recall, f1, linked)


def measure(inbox: Path, truth: pl.DataFrame, thresholds: tuple[float, ...] = ()) -> dict:
    """Quality at the configured threshold, and at each of `thresholds` (a sweep to choose it)."""
    tokens = read_tokens(inbox)
    situations, con = link(tokens)
    out = {"at_threshold": pair_quality(situations, truth).as_dict(),
           "threshold": float(con.execute("SELECT linkage_match_threshold()").fetchone()[0])}
    for t in thresholds:
        situations, _ = link(tokens, con, threshold=t)
        out.setdefault("sweep", {})[f"{t:.2f}"] = pair_quality(situations, truth).as_dict()
    con.close()
    return out
