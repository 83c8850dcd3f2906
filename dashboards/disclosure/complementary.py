"""Complementary suppression: hide enough other cells that no suppressed cell can be worked out.

Two stages, repeated to a fixed point:
1. Relations pass (cheap, no LP): in every additive relation (parent = sum of children: margins,
   grain pairs, repeated totals) a lone suppressed member is recoverable by subtraction, so one more
   member is suppressed. With `protect_sums`, when the parent is published and the suppressed children
   add up to 1..k-1, one more child is suppressed too (otherwise the reader learns "a handful across
   these cells").
2. Audit pass: the full attack (audit.audit_system) finds cells pinned by combinations of relations
   (e.g. two suppressed cells in a row that a column and a grain pair pin down); for each, one more
   member of its least-protected relation is suppressed.
Candidates: the smallest non-zero published cell, children before totals; zeros only when nothing
else is left (a suppressed zero still protects, it just costs the reader a true zero).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from dashboards.disclosure.audit import AuditReport, audit_system
from dashboards.disclosure.proofs import ProofCache
from dashboards.disclosure.relations import System


def relation_matrix(system: System) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """Relations x cells incidence (parent and children), children only, and each relation's parent."""
    n = system.cells.height
    if not system.relations:
        z = sp.csr_matrix((0, n))
        return z, z, np.zeros(0, np.int64)
    parents = np.asarray([p for p, _ in system.relations], dtype=np.int64)
    sizes = np.asarray([ch.size for _, ch in system.relations])
    ch_rows = np.repeat(np.arange(parents.size), sizes)
    ch_cols = np.concatenate([ch for _, ch in system.relations])
    shape = (parents.size, n)
    C = sp.csr_matrix((np.ones(ch_cols.size), (ch_rows, ch_cols)), shape=shape)
    has = parents >= 0  # parent -1: a two-sided block, every member is in C
    P = sp.csr_matrix((np.ones(has.sum()), (np.flatnonzero(has), parents[has])), shape=shape)
    return (C + P).tocsr(), C, parents


def _cost(values: np.ndarray, is_parent: np.ndarray) -> np.ndarray:
    # Lexicographic: non-zero before zero, children before totals, then smallest value.
    return (values == 0) * 1e12 + is_parent * 1e9 + values


def _pick(members: np.ndarray, parent: int, values, supp, phantom) -> int | None:
    cand = members[~supp[members] & ~phantom[members]]
    if cand.size == 0:
        return None
    return int(cand[np.argmin(_cost(values[cand], cand == parent))])


def _unpickable(system: System, fixed: np.ndarray | None) -> np.ndarray:
    """Cells never chosen as complements: implicit zeros (no row to hide) and `fixed` cells (shown in an
    earlier release: hiding them again protects nothing)."""
    phantom = system.cells["row"].to_numpy() < 0
    return phantom if fixed is None else phantom | fixed


def close_relations(system: System, values: np.ndarray, supp: np.ndarray, R: sp.csr_matrix,
                    C: sp.csr_matrix, parents: np.ndarray, k: int, protect_sums: bool = True,
                    fixed: np.ndarray | None = None) -> np.ndarray:
    """Relations pass to a fixed point; returns the new suppression mask."""
    supp = supp.copy()
    phantom = _unpickable(system, fixed)
    while True:
        n_supp = R @ supp.astype(float)
        flag = n_supp == 1
        if protect_sums:
            hidden = C @ np.where(supp, values, 0.0)
            # (only where there is a parent: a two-sided block's sum of hidden members is not known)
            flag |= (parents >= 0) & ~supp[parents] & (hidden >= 1) & (hidden <= k - 1)
        todo = np.flatnonzero(flag)
        if todo.size == 0:
            return supp
        changed = False
        for r in todo:
            members = R.indices[R.indptr[r]:R.indptr[r + 1]]
            p = parents[r]
            while True:  # re-check: earlier picks in this pass may already have fixed it
                s = supp[members]
                hid = values[members][s & (members != p)].sum()
                need = s.sum() == 1 or (protect_sums and p >= 0 and not supp[p] and 1 <= hid <= k - 1)
                if not need:
                    break
                c = _pick(members, p, values, supp, phantom)
                if c is None:
                    break
                supp[c] = True
                changed = True
        if not changed:
            return supp


def fix_failures(system: System, values: np.ndarray, supp: np.ndarray, failing: np.ndarray,
                 R: sp.csr_matrix, parents: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:
    """One extra suppression per failing cell, in its least-protected relation.

    A cell whose every neighbour was already hidden by an earlier pick of this round is left to the next
    audit (those picks may well protect it); only a round that can hide nothing at all is an error."""
    supp = supp.copy()
    before = int(supp.sum())
    stuck = None
    phantom = _unpickable(system, fixed)
    RT = R.T.tocsr()
    for c in failing:
        if not supp[c]:  # a published small count: primary rule missed it (should not happen)
            supp[c] = True
            continue
        rels = RT.indices[RT.indptr[c]:RT.indptr[c + 1]]
        best, best_key = None, None
        for r in rels:
            members = R.indices[R.indptr[r]:R.indptr[r + 1]]
            pick = _pick(members, parents[r], values, supp, phantom)
            if pick is None:
                continue
            key = (supp[members].sum(), _cost(values[[pick]], np.array([pick == parents[r]]))[0])
            if best_key is None or key < best_key:
                best, best_key = pick, key
        if best is None:
            # Every relation of the cell is hidden or fixed: first the nearest relation reached through its
            # hidden neighbours, else (pinned through relations we did not enumerate, e.g. measure parts)
            # the cheapest published cell sharing atoms with it.
            best = _nearest_pick(c, R, RT, parents, values, supp, phantom)
        if best is None:
            M = system.membership
            overlap = np.flatnonzero((M @ M[c].T).toarray().ravel() > 0)
            overlap = overlap[~supp[overlap] & ~phantom[overlap]]
            if overlap.size:
                best = int(overlap[np.argmin(_cost(values[overlap], np.zeros(overlap.size, bool)))])
            if best is None:
                stuck = c if stuck is None else stuck
                continue
        supp[best] = True
    if stuck is not None and int(supp.sum()) == before:
        where = system.cells.row(int(stuck), named=True)
        raise RuntimeError(f"cannot protect cell {stuck} ({where['table']}.{where['count']} [{where['key']}]): "
                           "nothing left to suppress")
    return supp


def _nearest_pick(c: int, R: sp.csr_matrix, RT: sp.csr_matrix, parents: np.ndarray, values: np.ndarray,
                  supp: np.ndarray, phantom: np.ndarray) -> int | None:
    """A cell to hide for `c` when every relation it sits in is hidden or fixed: the cheapest pickable member
    of the nearest relation reached through hidden cells (breadth first, hidden members only).

    This happens to a cell an earlier release hid (fixed, like all its neighbours from that release) once a
    new, coarser cell joins: a year over the hidden quarter is hidden, but the year's siblings by type,
    shown, pin the year and with it the quarter. Hiding one of those siblings (the year is its relation's
    hidden member) restores the width the earlier release had; the next audit says whether it is enough."""
    seen_cells = {c}
    seen_rels: set[int] = set()
    frontier = [c]
    while frontier:
        best, best_key, reached = None, None, []
        for cell in frontier:
            for r in RT.indices[RT.indptr[cell]:RT.indptr[cell + 1]]:
                if r in seen_rels:
                    continue
                seen_rels.add(int(r))
                members = R.indices[R.indptr[r]:R.indptr[r + 1]]
                pick = _pick(members, parents[r], values, supp, phantom)
                if pick is not None:
                    key = (supp[members].sum(), _cost(values[[pick]], np.array([pick == parents[r]]))[0])
                    if best_key is None or key < best_key:
                        best, best_key = pick, key
                reached += [int(m) for m in members[supp[members]] if m not in seen_cells]
        if best is not None:
            return best
        seen_cells.update(reached)
        frontier = list(dict.fromkeys(reached))
    return None


def complementary_suppression(system: System, values: np.ndarray, primary: np.ndarray, k: int, *,
                              protect_sums: bool = True, max_rounds: int = 100, proofs: ProofCache | None = None,
                              fixed: np.ndarray | None = None) -> tuple[np.ndarray, AuditReport, int]:
    """Iterate relations pass + audit until the audit passes. Returns (mask, final audit, rounds).

    Rounds after the first attack only the cells hidden since, and those that failed: hiding more cells
    removes equations, so a cell found safe stays safe. The final audit is the complete attack.
    `proofs` answers component LPs solved in an earlier run (or round) without solving them again.
    `fixed` cells keep their state: never picked as complements (those already hidden stay hidden)."""
    R, C, parents = relation_matrix(system)
    supp = primary.copy()
    safe = np.zeros_like(supp)  # suppressed cells an earlier round proved safe
    for rounds in range(1, max_rounds + 1):
        supp = close_relations(system, values, supp, R, C, parents, k, protect_sums, fixed)
        report = audit_system(system, values, supp, check=supp & ~safe, proofs=proofs)
        if report.passed:
            complete = report if not safe.any() else audit_system(system, values, supp, proofs=proofs)
            return supp, complete, rounds
        failing = report.failures["cell_id"].drop_nulls().to_numpy()
        safe |= supp
        safe[failing] = False
        supp = fix_failures(system, values, supp, failing, R, parents, fixed)
    raise RuntimeError(f"complementary suppression did not converge in {max_rounds} rounds")
