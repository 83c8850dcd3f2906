"""The disclosure audit: attack the whole published set as an outsider would.

For every suppressed cell, find the range of values it can take given every published number, every
additive relation between cells (margins, grains, measures), and non-negativity. The attacker does not
know which suppressed cells are primary, so the only bound on a suppressed cell is >= 0. A cell fails
when that range lies inside [1, k-1]: the reader learns "a small non-zero count". A published count in
[1, k-1] and a derived column shown over a suppressed count also fail.

Bounds are from the LP relaxation (HiGHS). Integrality can only tighten them; we round the LP bounds
inward (ceil/floor), which is exact for the hierarchical (totally unimodular) tables we publish.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

try:  # HiGHS as scipy ships it: one model per component, re-solved for each objective (warm start)
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - a scipy without it falls back to linprog
    _highs = None

from dashboards.disclosure.proofs import ProofCache
from dashboards.disclosure.relations import System, build_system
from dashboards.disclosure.spec import PublishedSet, suppressed_column

EPS = 1e-6


@dataclass
class AuditReport:
    passed: bool
    failures: pl.DataFrame  # cell_id, table, count, key, low, high, reason
    n_cells: int
    n_suppressed: int
    n_lp: int
    seconds: float
    exactly_recovered: int = 0  # suppressed cells pinned to 0 or >= k (allowed, but worth knowing)
    intervals: pl.DataFrame | None = None  # every suppressed cell's [low, high] when full=True
    components: int = 0  # independent parts of the attacker's system that needed an LP
    components_proven_before: int = 0  # of those, answered by a proof of the very same LP (proofs.py)
    notes: list[str] = field(default_factory=list)

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise DisclosureError(self.summary())

    def summary(self) -> str:
        head = (f"disclosure audit {'PASSED' if self.passed else 'FAILED'}: {self.n_cells} cells, "
                f"{self.n_suppressed} suppressed, {self.failures.height} failing, {self.n_lp} LPs, "
                f"{self.components_proven_before} of {self.components} components proven before, "
                f"{self.seconds:.2f}s")
        rows = [f"  {r['table']}.{r['count']} [{r['key']}] -> [{r['low']}, {r['high']}] {r['reason']}"
                for r in self.failures.head(20).iter_rows(named=True)]
        return "\n".join([head, *rows])


class DisclosureError(RuntimeError):
    pass


def audit(frames: dict[str, pl.DataFrame], spec: PublishedSet, *, full: bool = False,
          proofs: ProofCache | None = None) -> AuditReport:
    """Audit published frames (suppressed counts are NULL and/or flagged `<count>_suppressed`).
    `proofs`: earlier answers to identical component LPs (proofs.py); they spare solves, never checks."""
    t0 = time.perf_counter()
    system = build_system(spec, frames)
    values, suppressed = system.values(frames, published=True)
    report = audit_system(system, values, suppressed, full=full, proofs=proofs)
    bad = _derived_violations(frames, spec)
    if bad:
        extra = pl.DataFrame([(None, *b) for b in bad], schema=report.failures.schema, orient="row")
        report.failures = pl.concat([report.failures, extra])
        report.passed = False
    report.seconds = time.perf_counter() - t0
    return report


def _derived_violations(frames, spec: PublishedSet) -> list[tuple]:
    """A rate/share/change/CI shown over a suppressed count lets the count be recomputed."""
    out = []
    for t in spec.tables:
        df = frames[t.name]
        for col, bases in t.derived.items():
            hidden = np.zeros(df.height, dtype=bool)
            for b in bases:
                hidden |= df[b].is_null().to_numpy()
                if suppressed_column(b) in df.columns:
                    hidden |= df[suppressed_column(b)].fill_null(False).to_numpy()
            shown = df[col].is_not_null().to_numpy() & hidden
            for r in np.flatnonzero(shown):
                key = ", ".join(f"{d}={df[d][int(r)]}" for d in t.dimensions)
                out.append((t.name, col, key, None, None, "derived value shown over a suppressed count"))
    return out


def audit_system(system: System, values: np.ndarray, suppressed: np.ndarray, *,
                 full: bool = False, check: np.ndarray | None = None, proofs: ProofCache | None = None
                 ) -> AuditReport:
    """Core attack on a system with known `values` where not `suppressed`.

    `check` (a cell mask) limits the ranges computed to those suppressed cells; the others are neither
    bounded nor reported. The suppressor uses it between rounds: hiding more cells only removes
    equations, so a range can only widen and a cell found safe stays safe. Published small counts are
    always reported. The blocking audit checks every cell.
    """
    t0 = time.perf_counter()
    k = system.spec.min_cell_count
    M = system.membership
    pub = ~suppressed
    v = np.where(pub, values, np.nan)
    fail_rows: list[tuple[int, float, float, str]] = []
    small = np.flatnonzero(pub & (v >= 1) & (v < k))
    fail_rows += [(int(c), v[c], v[c], "published small count") for c in small]

    # Atoms inside a published zero are zero; every atom is bounded by its smallest published cell.
    Mp = M[np.flatnonzero(pub)].tocoo()
    vp = v[pub]
    ub = np.full(system.n_atoms, np.inf)
    np.minimum.at(ub, Mp.col, vp[Mp.row])
    fixed = np.full(system.n_atoms, np.nan)
    fixed[ub == 0] = 0.0

    # Presolve: an equation with one free atom fixes it; repeat (substitution, as an attacker would).
    eq = np.flatnonzero(pub & (v > 0))
    A = M[eq].tocsr()
    b = v[eq]
    while True:
        free = np.isnan(fixed)
        Af = A[:, free]
        nfree = np.diff(Af.indptr)
        known = A[:, ~free] @ fixed[~free]
        single = np.flatnonzero(nfree == 1)
        if single.size == 0:
            break
        cols = np.flatnonzero(free)[Af.indices[Af.indptr[single]]]
        fixed[cols] = b[single] - known[single]
    free = np.isnan(fixed)
    known = A[:, ~free] @ fixed[~free]
    rhs = b - known
    Af = A[:, free]
    nfree = np.diff(Af.indptr)
    if np.any(np.abs(rhs[nfree == 0]) > EPS) or np.any(fixed[~free] < -EPS):
        raise ValueError("published tables are inconsistent: some totals do not add up")
    live = nfree > 0
    Af, rhs, eq = Af[live], rhs[live], eq[live]

    sup = np.flatnonzero(suppressed if check is None else suppressed & check)
    S = M[sup].tocsr()
    s_known = S[:, ~free] @ fixed[~free]
    Sf = S[:, free]
    free_ids = np.flatnonzero(free)
    ubf = ub[free_ids]
    lo_all = np.full(sup.size, np.nan)
    hi_all = np.full(sup.size, np.nan)
    exact = np.diff(Sf.indptr) == 0
    lo_all[exact] = hi_all[exact] = s_known[exact]

    n_lp = n_components = n_proven = 0
    if free_ids.size and (~exact).any():
        # Components of the free atoms linked by equations and by suppressed cells.
        B = sp.vstack([Af, Sf]).tocsr()
        nrow = B.shape[0]
        graph = sp.bmat([[None, B], [B.T, None]]).tocsr()
        ncomp, lab = connected_components(graph, directed=False)
        row_lab, atom_lab = lab[:nrow], lab[nrow:]
        eq_lab, sup_lab = row_lab[: Af.shape[0]], row_lab[Af.shape[0]:]
        for comp in np.unique(sup_lab[~exact]):
            cs = np.flatnonzero((sup_lab == comp) & ~exact)
            va = np.flatnonzero(atom_lab == comp)
            er = np.flatnonzero(eq_lab == comp)
            parts = (Af[er][:, va], rhs[er], Sf[cs][:, va], s_known[cs], ubf[va])
            if proofs is None:
                lo, hi, n = _bound_component(*parts, k, full)
            else:
                lo, hi, n, proven = proofs.bound(*parts, system.name_rank[eq[er]], system.name_rank[sup[cs]],
                                                 k, full, _bound_component)
                n_proven += proven
            lo_all[cs], hi_all[cs] = lo, hi
            n_lp += n
            n_components += 1

    lo_int = np.ceil(lo_all - EPS) + 0.0  # +0.0: no "-0.0" in reports
    hi_int = np.floor(hi_all + EPS)
    bad = (lo_int >= 1) & (hi_int <= k - 1)
    fail_rows += [(int(sup[i]), lo_int[i], hi_int[i], "suppressed value derivable within [1, k-1]")
                  for i in np.flatnonzero(bad)]
    cells = system.cells
    fr = pl.DataFrame(fail_rows, schema={"cell_id": pl.Int64, "low": pl.Float64, "high": pl.Float64,
                                         "reason": pl.Utf8}, orient="row")
    failures = (fr.join(cells.select(pl.col("cell_id").cast(pl.Int64), "table", "count", "key"),
                        on="cell_id", how="left")
                .select("cell_id", "table", "count", "key", "low", "high", "reason"))
    intervals = None
    if full:
        intervals = cells[sup].with_columns(pl.Series("low", lo_int), pl.Series("high", hi_int))
    rec = int(np.sum((lo_int == hi_int) & np.isfinite(lo_int)))
    return AuditReport(
        passed=failures.height == 0,
        failures=failures,
        n_cells=int((cells["row"] >= 0).sum()),
        n_suppressed=int(suppressed.sum()),
        n_lp=n_lp,
        seconds=time.perf_counter() - t0,
        exactly_recovered=rec,
        intervals=intervals,
        components=n_components,
        components_proven_before=n_proven,
    )


class _ComponentLP:
    """{A x = b, 0 <= x <= ub} loaded once into HiGHS and solved for many objectives.

    Each solve starts from the previous optimal basis, so a new objective costs a few simplex pivots
    instead of a solve from scratch (and no model rebuild). HiGHS is scipy's; when scipy does not expose
    it, every objective goes through linprog instead (same solver, same answers, slower).
    """

    def __init__(self, A: sp.csr_matrix, b: np.ndarray, ub: np.ndarray):
        self.A, self.b, self.ub = A, b, ub
        self.n = A.shape[1]
        self.highs = None
        if _highs is None:
            return
        Ac = A.tocsc()
        lp = _highs.HighsLp()
        lp.num_col_ = lp.a_matrix_.num_col_ = self.n
        lp.num_row_ = lp.a_matrix_.num_row_ = A.shape[0]
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = Ac.indptr
        lp.a_matrix_.index_ = Ac.indices
        lp.a_matrix_.value_ = Ac.data.astype(np.float64)
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.zeros(self.n)
        lp.col_upper_ = np.where(np.isfinite(ub), ub, _highs.kHighsInf)
        lp.row_lower_ = lp.row_upper_ = np.asarray(b, dtype=np.float64)
        highs = _highs._Highs()
        highs.setOptionValue("output_flag", False)
        # Primal simplex: after a change of objective the last basis is still primal feasible, so the
        # next solve starts from it (dual simplex would start over; measured 300x slower per objective).
        highs.setOptionValue("simplex_strategy", 4)
        if highs.passModel(lp) == _highs.HighsStatus.kError:
            return
        self.highs, self.cols = highs, np.arange(self.n, dtype=np.int32)

    def minimize(self, c: np.ndarray) -> tuple[float, np.ndarray | None]:
        """(min c.x, a minimizer); (-inf, None) when unbounded below."""
        if self.highs is not None:
            self.highs.changeColsCost(self.n, self.cols, np.asarray(c, dtype=np.float64))
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == _highs.HighsModelStatus.kOptimal:
                return self.highs.getInfo().objective_function_value, np.array(self.highs.getSolution().col_value)
            if status == _highs.HighsModelStatus.kUnbounded:
                return -np.inf, None
            if status == _highs.HighsModelStatus.kInfeasible:
                raise ValueError("published tables are inconsistent (infeasible system)")
            # anything else (e.g. "unbounded or infeasible" from presolve): settle it with linprog
        bounds = [(0, None if not np.isfinite(h) else h) for h in self.ub]
        res = _lp(c, self.A, self.b, bounds)
        if res.status == 3:
            return -np.inf, None
        return res.fun, res.x


def _lp(c, A, b, bounds):
    res = linprog(c, A_eq=A if A.shape[0] else None, b_eq=b if A.shape[0] else None,
                  bounds=bounds, method="highs")
    if res.status == 2:
        raise ValueError("published tables are inconsistent (infeasible system)")
    return res


def _bound_component(A, b, S, s_known, ub, k, full):
    """[low, high] of each suppressed cell (rows of S) over {A x = b, 0 <= x <= ub}.

    Only what decides pass/fail is computed unless `full`: a cell is safe as soon as some feasible
    point shows it at 0 or some shows it at >= k. Every LP solution is such a point for *all* cells of
    the component, so two aggregate LPs usually settle most cells and few per-cell LPs remain.
    """
    m = S.shape[0]
    lp = _ComponentLP(A, b, ub)
    seen_lo = np.full(m, np.inf)
    seen_hi = np.full(m, -np.inf)
    lo = np.full(m, np.nan)
    hi = np.full(m, np.nan)
    n = 0

    def see(x):
        if x is None:
            return
        vals = S @ x + s_known
        np.minimum(seen_lo, vals, out=seen_lo)
        np.maximum(seen_hi, vals, out=seen_hi)

    if not full:
        w = np.asarray(S.sum(axis=0)).ravel()
        for sign in (1, -1):
            _, x = lp.minimize(sign * w)
            n += 1
            see(x)
    for i in range(m):
        if not full and (seen_lo[i] <= EPS or seen_hi[i] >= k - EPS):
            continue  # certified safe by a feasible point
        c = S[i].toarray().ravel()
        fun, x = lp.minimize(-c)
        n += 1
        hi[i] = -fun + s_known[i]
        see(x)
        if not full and hi[i] >= k - EPS:
            continue
        fun, x = lp.minimize(c)
        n += 1
        lo[i] = fun + s_known[i]
        see(x)
    if not full:
        # Certified cells keep the range seen at feasible points: an inner bound, enough to decide.
        lo = np.where(np.isnan(lo), seen_lo, lo)
        hi = np.where(np.isnan(hi), seen_hi, hi)
    return lo, hi, n
