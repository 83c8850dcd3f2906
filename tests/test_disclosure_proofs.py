"""Proofs of component LPs (dashboards/disclosure/proofs.py): one key per LP whatever its order, a new key
for any change, answers that equal a fresh solve, and an audit that still catches every leak."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp

import dashboards.disclosure.proofs as proofs_module
from dashboards.disclosure import audit, suppress
from dashboards.disclosure.proofs import ProofCache, component_key, solver_fingerprint
from test_disclosure import K, realistic_set

AUDIT = __import__("sys").modules["dashboards.disclosure.audit"]  # the package exports a function of that name


def small_lp(seed: int):
    """A component as the audit poses it: atoms in equations with known totals, hidden cells over atoms."""
    rng = np.random.default_rng(seed)
    n_atoms, n_eq, n_hidden = 12, 7, 5
    truth = rng.integers(0, 9, n_atoms).astype(float)
    A = sp.csr_matrix((rng.random((n_eq, n_atoms)) < 0.4).astype(float))
    S = sp.csr_matrix((rng.random((n_hidden, n_atoms)) < 0.3).astype(float))
    ub = np.where(rng.random(n_atoms) < 0.5, 20.0, np.inf)
    return A, A @ truth, S, np.zeros(n_hidden), ub


def key_of(A, b, S, s_known, ub, eq_rank, hidden_rank, k=K, full=False, fingerprint=b"code"):
    return component_key(A, b, S, s_known, ub, eq_rank, hidden_rank, k, full, fingerprint)[0]


def test_a_component_lp_has_one_key_whatever_the_order_of_its_rows_and_atoms():
    A, b, S, s_known, ub = small_lp(1)
    eq_rank, hidden_rank = np.arange(A.shape[0]) * 10, np.arange(S.shape[0]) * 10
    rng = np.random.default_rng(2)
    pe, ph, pa = rng.permutation(A.shape[0]), rng.permutation(S.shape[0]), rng.permutation(A.shape[1])
    shuffled = (A[pe][:, pa], b[pe], S[ph][:, pa], s_known[ph], ub[pa], eq_rank[pe] + 3, hidden_rank[ph] + 3)
    assert key_of(A, b, S, s_known, ub, eq_rank, hidden_rank) == key_of(*shuffled)

    # An answer kept in one order is handed back row by row in the other, equal to solving it there.
    cache = ProofCache()
    cache.bound(A, b, S, s_known, ub, eq_rank, hidden_rank, K, True, AUDIT._bound_component)
    low, high, n_lp, proven = cache.bound(*shuffled, K, True, AUDIT._bound_component)
    solved_low, solved_high, _ = AUDIT._bound_component(*shuffled[:5], K, True)
    assert proven and n_lp == 0 and (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_allclose(low, solved_low, atol=1e-6)
    np.testing.assert_allclose(high, solved_high, atol=1e-6)
    assert not np.allclose(low, low[0])  # the rows differ, so a wrong mapping would show


def _changed(part: str):
    A, b, S, s_known, ub = small_lp(1)
    A, S = A.tolil(), S.tolil()
    if part == "a total":
        b = b.copy(); b[0] += 1
    elif part == "a known part":
        s_known = s_known.copy(); s_known[0] += 1
    elif part == "an upper bound":
        ub = ub.copy(); ub[int(np.flatnonzero(np.isfinite(ub))[0])] -= 1
    elif part == "an atom of an equation":
        A[0, 0] = 1 - A[0, 0]
    elif part == "an atom of a hidden cell":
        S[0, 0] = 1 - S[0, 0]
    return A.tocsr(), b, S.tocsr(), s_known, ub


@pytest.mark.parametrize("part", ["a total", "a known part", "an upper bound", "an atom of an equation",
                                  "an atom of a hidden cell"])
def test_any_change_to_the_lp_changes_its_key(part):
    ranks = (np.arange(7), np.arange(5))
    assert key_of(*small_lp(1), *ranks) != key_of(*_changed(part), *ranks)


def test_the_threshold_the_mode_and_the_solver_code_are_part_of_the_key(tmp_path, monkeypatch):
    lp, ranks = small_lp(1), (np.arange(7), np.arange(5))
    base = key_of(*lp, *ranks)
    assert base != key_of(*lp, *ranks, k=K + 1)
    assert base != key_of(*lp, *ranks, full=True)
    assert base != key_of(*lp, *ranks, fingerprint=b"other code")
    before = solver_fingerprint()
    edited = tmp_path / "audit.py"
    edited.write_text(proofs_module._SOLVER_CODE[0].read_text() + "\n# an edit\n")
    monkeypatch.setattr(proofs_module, "_SOLVER_CODE", [edited, *proofs_module._SOLVER_CODE[1:]])
    assert solver_fingerprint() != before


def test_the_audit_reuses_the_suppressors_proofs_and_a_planted_leak_still_fails_as_without_them():
    frames, spec = realistic_set(3, months=12)
    cache = ProofCache()
    result = suppress(frames, spec, proofs=cache)
    warm = audit(result.frames, spec, proofs=cache)
    assert warm.passed and warm.components > 0
    assert warm.components_proven_before == warm.components and warm.n_lp == 0  # the same LPs, answered

    # Show every complementary cell again: the primary cells they protected become derivable.
    leaky = {}
    for name, frame in result.frames.items():
        for c in spec.table(name).counts:
            complementary = pl.col(f"{c}_suppressed") & ~frames[name][c].is_between(1, K - 1)
            frame = frame.with_columns(pl.when(complementary).then(frames[name][c]).otherwise(pl.col(c)).alias(c),
                                       (pl.col(f"{c}_suppressed") & ~complementary).alias(f"{c}_suppressed"))
        leaky[name] = frame
    cold = audit(leaky, spec)
    warm = audit(leaky, spec, proofs=cache)
    assert not cold.passed
    assert warm.failures.sort(pl.all()).equals(cold.failures.sort(pl.all()))
    assert warm.components_proven_before < warm.components


def test_a_late_drop_with_last_nights_proofs_solves_only_what_changed_and_hides_the_same_cells():
    before, spec = realistic_set(5, months=12)
    after, _ = realistic_set(5, months=12, late_signals=25)
    night_one = ProofCache()
    cold = suppress(before, spec, proofs=night_one)

    night_two = ProofCache.from_frame(night_one.to_frame())  # as the warehouse hands them over
    with_proofs = suppress(after, spec, earlier=cold.hidden, proofs=night_two)
    without = suppress(after, spec, earlier=cold.hidden)
    assert with_proofs.hidden.sort(pl.all()).equals(without.hidden.sort(pl.all()))
    assert with_proofs.audit.passed and audit(with_proofs.frames, spec).passed
    assert night_two.hits > 0 and night_two.misses > 0  # the late drop changed some components, not all
    assert with_proofs.audit.n_lp < without.audit.n_lp


def test_only_the_proofs_a_run_used_are_kept_for_the_next():
    frames, spec = realistic_set(4, months=12)
    first = ProofCache()
    suppress(frames, spec, proofs=first)
    kept = first.to_frame()
    assert kept.height == len(first.used) > 0
    second = ProofCache.from_frame(kept.vstack(pl.DataFrame(
        {"proof_key": ["stale"], "low": [[0.0]], "high": [[1.0]], "n_lp": [2]}, schema=kept.schema)))
    suppress(frames, spec, proofs=second)
    assert "stale" in second.known and "stale" not in set(second.to_frame()["proof_key"])
    assert second.misses == 0


def test_cell_keys_read_as_python_writes_the_values_whatever_the_column_type():
    """Cell keys match the suppression pattern from night to night, so they must not depend on how a
    column's type is read (a date, an int, a boolean, a missing value)."""
    import datetime as dt

    from dashboards.disclosure.relations import _implicit_labels, cell_labels

    frame = pl.DataFrame({"month": [dt.date(2025, 1, 1), None], "year": [2025, 2026], "minor": [True, False],
                          "sector": ["hospitality", "all"]})
    assert cell_labels(frame, ["month", "year", "minor", "sector"]).tolist() == [
        "month=2025-01-01, year=2025, minor=True, sector=hospitality",
        "month=None, year=2026, minor=False, sector=all"]
    regions, sectors = np.array(["R1", "R2", "R3"]), np.array(["a", "b"])
    keys = np.array([0 * 2 + 1, 2 * 2 + 0])  # (R1, b) and (R3, a) as mixed-radix keys
    assert _implicit_labels(keys, [("region", regions), ("sector", sectors)], ("type",), "all") == [
        "region=R1, sector=b, type=all", "region=R3, sector=a, type=all"]
