"""The tests each model layer declares in YAML: every model is declared, and each kind of test can fail."""

from __future__ import annotations

import duckdb
import pytest

from models import discover_models
from models.declared_tests import declarations, run_tests
from models.declared_tests import tests_of as declared_tests_of


def test_every_model_is_declared_with_a_grain_and_every_declaration_is_a_model():
    models = {m.table for m in discover_models()}
    assert set(declarations()) == models
    for name, spec in declarations().items():
        assert spec.get("grain") == "record" or isinstance(spec.get("grain"), list), f"{name} states no grain"


@pytest.fixture
def signals_mart():
    """A warehouse with the signals mart and its staging, consistent: every declared test passes."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.stg_hotline_signals AS SELECT * FROM (VALUES (true), (false), (false)) t(is_case)")
    con.execute("CREATE TABLE marts.mart_monthly_signals AS SELECT * FROM (VALUES "
                "(DATE '2026-01-01', 'R1', 'sex', 'S01', 2, 1), (DATE '2026-02-01', 'R1', 'sex', 'S01', 1, 0)) "
                "t(month, region, trafficking_type, sector_code, signals, cases)")
    yield con
    con.close()


def _failed(con) -> set[str]:
    return {r.test.name.split(" ")[0] for r in run_tests(con, "marts.mart_monthly_signals") if not r.passed}


def test_a_consistent_mart_passes(signals_mart):
    assert len(declared_tests_of("marts.mart_monthly_signals")) >= 8
    assert _failed(signals_mart) == set()


@pytest.mark.parametrize("plant, failing", [
    ("INSERT INTO marts.mart_monthly_signals VALUES (DATE '2026-01-01', 'R1', 'sex', 'S01', 0, 0)", {"grain"}),
    ("UPDATE marts.mart_monthly_signals SET region = NULL WHERE signals = 1", {"not_null"}),
    ("UPDATE marts.mart_monthly_signals SET cases = 2 WHERE signals = 1", {"expect", "equal_totals"}),
    ("INSERT INTO staging.stg_hotline_signals VALUES (false)", {"equal_totals"}),
])
def test_each_kind_of_declared_test_fails_on_a_planted_fault(signals_mart, plant, failing):
    signals_mart.execute(plant)
    assert _failed(signals_mart) == failing


def test_accepted_values_come_from_the_code_list():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.stg_referrals AS SELECT 'shelter' AS service, 'maybe' AS status")
    [test] = [t for t in declared_tests_of("staging.stg_referrals") if t.name.startswith("accepted_values status")]
    assert con.execute(test.sql, test.params).fetchone()[0] == 1
    con.execute("UPDATE staging.stg_referrals SET status = 'accepted'")
    assert con.execute(test.sql, test.params).fetchone()[0] == 0


def test_the_demo_warehouse_passes_every_declared_test(clean_demo_run):
    with duckdb.connect(str(clean_demo_run.home / "warehouse.duckdb"), read_only=True) as con:
        failed = [str(r) for model in declarations() for r in run_tests(con, model) if not r.passed]
    assert failed == []
