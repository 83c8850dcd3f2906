"""Linkage keys after a real pipeline run: no agency key past raw, and situations still link across agencies."""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import pytest
from support.pipeline import TEST_SECRET

FEEDS = ("hotline_signals", "referrals", "case_outcomes")
STAGED = {"hotline_signals": "stg_hotline_signals", "referrals": "stg_referrals", "case_outcomes": "stg_case_outcomes"}
HEX64 = re.compile(r"[0-9a-fA-F]{64}")


@pytest.fixture(scope="module")
def warehouse(clean_demo_run):
    con = duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def agency_keys(warehouse) -> set[str]:
    union = " UNION ".join(f"SELECT DISTINCT lower(linkage_key) FROM raw.{feed}" for feed in FEEDS)
    keys = {k for (k,) in warehouse.execute(union).fetchall()}
    assert len(keys) > 500, "premise: a Missouri-scale run has many situations"
    return keys


def _hex_strings_in_text_columns(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] | None) -> dict[str, set[str]]:
    """Every 64-hex substring of every VARCHAR column, per schema.table.column."""
    where = "data_type = 'VARCHAR'" + (f" AND table_schema IN {schemas!r}" if schemas else "")
    columns = con.execute(f"SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE {where}").fetchall()
    assert columns, "premise: there are text columns to scan"
    found = {}
    for schema, table, column in columns:
        values = con.execute(
            f'SELECT DISTINCT unnest(regexp_extract_all("{column}", \'[0-9a-fA-F]{{64}}\')) FROM "{schema}"."{table}"').fetchall()
        found[f"{schema}.{table}.{column}"] = {v.lower() for (v,) in values}
    return found


def test_no_agency_key_in_any_warehouse_table_after_raw(warehouse, agency_keys) -> None:
    schemas = tuple(s for (s,) in warehouse.execute(
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema <> 'raw'").fetchall())
    assert {"staging", "intermediate", "marts"} <= set(schemas)
    leaked = {where: len(values & agency_keys)
              for where, values in _hex_strings_in_text_columns(warehouse, schemas).items() if values & agency_keys}
    assert not leaked, f"agency linkage keys found after raw: {leaked}"


def test_no_agency_key_in_serving_database_or_site(clean_demo_run, agency_keys) -> None:
    serving = duckdb.connect(str(clean_demo_run.home / "serving.duckdb"), read_only=True)
    try:
        hexes = _hex_strings_in_text_columns(serving, None)
    finally:
        serving.close()
    # the one 64-hex column is the run manifest's file hashes, and each is the SHA-256 of an inbox file
    file_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (clean_demo_run.home / "inbox").iterdir()}
    assert [w for w, values in hexes.items() if values] == ["main.run_inputs.file_sha256"]
    assert hexes["main.run_inputs.file_sha256"] <= file_hashes
    assert not hexes["main.run_inputs.file_sha256"] & agency_keys
    page = (clean_demo_run.home / "site" / "index.html").read_text(encoding="utf-8")
    assert not {h.lower() for h in HEX64.findall(page)} & agency_keys
    manifest = (clean_demo_run.home / "site" / "run_manifest.csv").read_text(encoding="utf-8")
    assert {h.lower() for h in HEX64.findall(manifest)} <= file_hashes


def test_staging_key_is_hmac_sha256_of_the_agency_key_under_the_task_force_secret(warehouse) -> None:
    pairs = warehouse.execute(
        "SELECT r.linkage_key, s.situation_key FROM raw.hotline_signals AS r "
        "JOIN staging.stg_hotline_signals AS s ON s.sending_agency = r._agency AND s.signal_id = r.signal_id LIMIT 50").fetchall()
    assert len(pairs) == 50
    for agency_key, situation_key in pairs:
        assert situation_key != agency_key
        assert situation_key == hmac.new(TEST_SECRET.encode(), agency_key.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("left,right", [("hotline_signals", "referrals"), ("hotline_signals", "case_outcomes"),
                                        ("referrals", "case_outcomes")])
def test_re_keying_keeps_every_join_the_raw_keys_make(warehouse, left, right) -> None:
    """Pairs of rows joined per (agency pair) on the re-keyed key == joined on the agency keys in raw."""
    raw = dict(((a, b), n) for a, b, n in warehouse.execute(
        f"SELECT l._agency, r._agency, count(*) FROM raw.{left} AS l JOIN raw.{right} AS r "
        f"ON lower(l.linkage_key) = lower(r.linkage_key) GROUP BY ALL").fetchall())
    staged = dict(((a, b), n) for a, b, n in warehouse.execute(
        f"SELECT l.sending_agency, r.sending_agency, count(*) FROM staging.{STAGED[left]} AS l "
        f"JOIN staging.{STAGED[right]} AS r USING (situation_key) GROUP BY ALL").fetchall())
    assert raw, "premise: an agency's own records about one situation share its key"
    assert staged == raw


def test_agencies_share_no_key_and_situations_link_across_agencies_from_tokens(warehouse) -> None:
    """Agencies key situations with their own ids (issue #18): no raw key is sent by two agencies, yet the
    situations formed from tokens and carried referral keys join several agencies' records."""
    union = " UNION ALL ".join(f"SELECT _agency, lower(linkage_key) AS k FROM raw.{feed}" for feed in FEEDS)
    shared = warehouse.execute(f"SELECT count(*) FROM (SELECT k FROM ({union}) GROUP BY k "
                               "HAVING count(DISTINCT _agency) > 1)").fetchone()[0]
    assert shared == 0
    joined, situations = warehouse.execute(
        "SELECT count(*) FILTER (WHERE agencies > 1), count(DISTINCT situation_id) FROM intermediate.int_situations"
    ).fetchone()
    assert joined > 0.5 * warehouse.execute("SELECT count(*) FROM intermediate.int_situations").fetchone()[0]
    assert situations > 300
    # the tokens never reach a mart
    columns = {c for (c,) in warehouse.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts'").fetchall()}
    assert not columns & {"linkage_token", "linkage_blocks", "token_bits", "referral_situation_key"}
