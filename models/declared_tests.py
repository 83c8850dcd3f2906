"""The tests each model layer declares in its YAML (models/<layer>/_<layer>.yml), dbt style: grain (a unique
key, or `record` for one row per record), not_null, accepted_values (a code list's codes), expect (a
condition every row meets) and equal_totals (reconciliations between layers). Each kind of test is one SQL template in models/tests/.

A failing test names the model, the test and the number of failing rows or keys, never a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from models.catalog import MODELS_DIR, WAREHOUSE_LAYERS
from sources.contracts import code_lists

TEMPLATES = MODELS_DIR / "tests"


@dataclass(frozen=True)
class DeclaredTest:
    model: str  # schema.table
    name: str  # e.g. "grain (month, region)", "not_null signals"
    sql: str
    params: dict | None = None


@dataclass(frozen=True)
class DeclaredTestResult:
    test: DeclaredTest
    failures: int

    @property
    def passed(self) -> bool:
        return self.failures == 0

    def __str__(self) -> str:
        return f"{self.test.model}: {self.test.name}: {self.failures} failing"


def layer_file(layer: str) -> Path:
    return MODELS_DIR / layer / f"_{layer}.yml"


@cache
def declarations() -> dict[str, dict]:
    """schema.table -> its declaration, for every layer's YAML."""
    found = {}
    for layer in WAREHOUSE_LAYERS:
        spec = yaml.safe_load(layer_file(layer).read_text(encoding="utf-8"))
        for model in spec["models"]:
            found[f"{layer}.{model['name']}"] = model
    return found


def _template(kind: str, **names: str) -> str:
    return (TEMPLATES / f"{kind}.sql").read_text(encoding="utf-8").format(**names)


def _codes(rule: dict) -> list[str]:
    if "values" in rule:
        return [str(v) for v in rule["values"]]
    return [str(code) for code in code_lists()[rule["code_list"]]["codes"]]


def tests_of(model: str) -> list[DeclaredTest]:
    spec = declarations()[model]
    tests = []
    grain = spec.get("grain")
    if isinstance(grain, list):
        tests.append(DeclaredTest(model, f"grain ({', '.join(grain)})",
                                  _template("unique", model=model, columns=", ".join(grain))))
        tests += [DeclaredTest(model, f"not_null {column} (grain)", _template("not_null", model=model, column=column))
                  for column in grain]
    tests += [DeclaredTest(model, f"not_null {column}", _template("not_null", model=model, column=column))
              for column in spec.get("not_null", [])]
    for column, rule in (spec.get("accepted_values") or {}).items():
        source = rule.get("code_list", "listed values")
        tests.append(DeclaredTest(model, f"accepted_values {column} ({source})",
                                  _template("accepted_values", model=model, column=column), {"values": _codes(rule)}))
    tests += [DeclaredTest(model, f"expect {condition}", _template("expect", model=model, condition=condition))
              for condition in spec.get("expect", [])]
    for rule in spec.get("equal_totals", []):
        tests.append(DeclaredTest(
            model, f"equal_totals {rule['expression']} = {rule['other']} {rule['other_expression']}",
            _template("equal_totals", model=model, expression=rule["expression"], other=rule["other"],
                      other_expression=rule["other_expression"])))
    return tests


def run_tests(con: duckdb.DuckDBPyConnection, model: str) -> list[DeclaredTestResult]:
    return [DeclaredTestResult(test, int(con.execute(test.sql, test.params).fetchone()[0])) for test in tests_of(model)]
