"""Turn a published set into one linear system: every published cell is a sum of "atoms".

Atoms are the finest grain the set can distinguish: per family of related measures, the product of
the finest *published* level of every dimension (e.g. region x sector x month x type x measure).
Atoms that belong to exactly the same cells are merged (their split is never observable), which keeps
the system small. Structure only depends on dimension keys, never on values, so the suppressor builds
it once from the true tables and the audit rebuilds it from what was actually published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from dashboards.disclosure.spec import PublishedSet, TableSpec, suppressed_column

MAX_ATOMS = 20_000_000  # a guard: beyond this the product grid needs a smarter representation
CELL_SCHEMA = {"table": pl.Utf8, "count": pl.Utf8, "row": pl.Int64, "family": pl.Int64, "key": pl.Utf8}


@dataclass
class Group:
    """Cells of one table, one count column, one pattern of 'all' dimensions: a partition of atoms."""

    table: str
    count: str
    pattern: tuple[str, ...]  # dimensions that are totals ("all") in these rows
    family: int
    atoms: np.ndarray  # global merged-atom ids covered, sorted
    cells: np.ndarray  # cell id for each of `atoms`


@dataclass
class System:
    spec: PublishedSet
    cells: pl.DataFrame  # cell_id, table, count, row (-1: absent row = published zero), key, family
    membership: sp.csr_matrix  # cells x atoms, 1 where the atom is part of the cell
    groups: list[Group]
    n_atoms: int = 0
    _relations: list[tuple[int, np.ndarray]] | None = field(default=None, repr=False)
    _name_rank: np.ndarray | None = field(default=None, repr=False)

    @property
    def relations(self) -> list[tuple[int, np.ndarray]]:
        """parent = sum(children), computed on first use (the audit never needs them). Parent -1: a
        two-sided block, sum(members of one table) = sum(members of another) (see _grouping_blocks)."""
        if self._relations is None:
            self._relations = _relations(self.groups, self.cells.height) + _grouping_blocks(self)
        return self._relations

    @property
    def name_rank(self) -> np.ndarray:
        """Each cell's rank by name (table, count, key): an order of cells that does not depend on row order
        or on which other cells exist, so one component lines up the same way night after night."""
        if self._name_rank is None:
            names = self.cells.select(pl.concat_str("table", "count", "key", separator="\x1f"))
            self._name_rank = names.to_series().rank("ordinal").to_numpy().astype(np.int64)
        return self._name_rank

    def values(self, frames: dict[str, pl.DataFrame], *, published: bool) -> tuple[np.ndarray, np.ndarray]:
        """Cell values and suppression flags read from frames.

        published=True reads what a reader sees: NULL or `<count>_suppressed` means unknown (NaN).
        """
        n = self.cells.height
        vals = np.zeros(n)
        supp = np.zeros(n, dtype=bool)
        tbl = self.cells["table"].to_numpy()
        cnt = self.cells["count"].to_numpy()
        row = self.cells["row"].to_numpy()
        for (t, c), idx in _group_indices(tbl, cnt).items():
            r = row[idx]
            real = r >= 0
            col = frames[t][c].cast(pl.Float64).to_numpy()
            v = np.zeros(idx.size)
            v[real] = col[r[real]]
            s = np.zeros(idx.size, dtype=bool)
            if published:
                s[real] = np.isnan(v[real])
                flag = suppressed_column(c)
                if flag in frames[t].columns:
                    s[real] |= frames[t][flag].fill_null(False).to_numpy()[r[real]]
                v[s] = np.nan
            elif np.isnan(v[real]).any():
                raise ValueError(f"{t}.{c}: true counts must not be NULL")
            vals[idx], supp[idx] = v, s
        return vals, supp


def _group_indices(*arrays) -> dict[tuple, np.ndarray]:
    out: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*arrays)):
        out.setdefault(key, []).append(i)
    return {k: np.asarray(v) for k, v in out.items()}


def _families(spec: PublishedSet) -> list[set[str]]:
    """Measures linked by measure_parts form one family (one independent system)."""
    measures = {c for t in spec.tables for c in t.counts}
    for whole, parts in spec.measure_parts.items():
        measures |= {whole, *parts}
    parent = {m: m for m in measures}

    def find(m):
        while parent[m] != m:
            m = parent[m]
        return m

    for whole, parts in spec.measure_parts.items():
        for p in parts:
            parent[find(p)] = find(whole)
    fam: dict[str, set[str]] = {}
    for m in measures:
        fam.setdefault(find(m), set()).add(m)
    return list(fam.values())


def _leaves_of_measure(spec: PublishedSet, m: str) -> set[str]:
    parts = spec.measure_parts.get(m)
    if not parts:
        return {m}
    return set().union(*(_leaves_of_measure(spec, p) for p in parts))


def _is_total(s: pl.Series, marker: str) -> np.ndarray:
    return (s.cast(pl.Utf8).str.to_lowercase() == marker.lower()).to_numpy()


class _Axis:
    """One dimension of the atom grid: leaves and, for each level, the value of every leaf."""

    def __init__(self, name: str, leaves: np.ndarray, level_values: dict[str, np.ndarray],
                 open_values: dict[str, np.ndarray] | None = None):
        self.name, self.leaves, self.level_values = name, leaves, level_values
        # per level, the leaves whose value at that level is missing (an open period: a quarter or year
        # still running): tables at that level do not cover them, and absent rows there are no zeros
        self.open_values = open_values or {}


def _axes_for(spec: PublishedSet, tables: list[TableSpec], frames: dict[str, pl.DataFrame]) -> dict[str, _Axis]:
    level_to_h = {lv: h for h in spec.hierarchies for lv in h.all_levels}
    used: dict[str, set[str]] = {}  # axis -> levels used
    for t in tables:
        for col in t.dimensions:
            lv = t.level_of(col)
            axis = level_to_h[lv].name if lv in level_to_h else lv
            used.setdefault(axis, set()).add(lv)
    axes = {}
    for axis, lvs in used.items():
        h = next((h for h in spec.hierarchies if h.name == axis), None)
        if h is not None:
            # A grouping only coarsens the finest level, so using one puts the axis at the finest level.
            finest = h.levels[0] if set(lvs) & set(h.groupings) else min(lvs, key=h.levels.index)
            wanted = [*h.levels[h.levels.index(finest):], *h.groupings]
            m = h.mapping.select(wanted).unique(subset=[finest], keep="first")
            m = m.sort(finest)
            axes[axis] = _Axis(axis, m[finest].to_numpy(), {lv: m[lv].to_numpy() for lv in m.columns},
                               {lv: m[lv].is_null().to_numpy() for lv in m.columns if m[lv].null_count()})
        else:
            if axis in spec.domains:
                dom = sorted({str(v) for v in spec.domains[axis]})
            else:
                vals = set()
                for t in spec.tables:  # domain from every table, so families agree on it
                    for col in t.dimensions:
                        if t.level_of(col) == axis and t.name in frames:
                            s = frames[t.name][col].cast(pl.Utf8)
                            vals |= set(s.filter(~pl.Series(_is_total(s, spec.total_marker))).to_list())
                dom = sorted(vals)
            arr = np.asarray(dom, dtype=object)
            axes[axis] = _Axis(axis, arr, {axis: arr})
    return axes


def build_system(spec: PublishedSet, frames: dict[str, pl.DataFrame]) -> System:
    """Cells of every table (plus implicit zero cells for absent rows) and their atom membership."""
    level_to_h = {lv: h.name for h in spec.hierarchies for lv in h.all_levels}
    cell_chunks: list[pl.DataFrame] = []  # the cells, group by group; n_cells of them so far
    n_cells = 0
    groups: list[Group] = []
    atom_offset = 0
    for fam_id, family in enumerate(_families(spec)):
        tables = [t for t in spec.tables if set(t.counts) & family]
        if not tables:
            continue
        for t in tables:
            if t.name not in frames:
                raise KeyError(f"no frame for published table {t.name!r}")
        axes = _axes_for(spec, tables, frames)
        leaves_m = sorted(set().union(*(_leaves_of_measure(spec, m) for m in family)))
        axis_names = list(axes)
        sizes = [len(axes[a].leaves) for a in axis_names] + [len(leaves_m)]
        n = int(np.prod(sizes, dtype=np.int64))
        if n > MAX_ATOMS:
            raise ValueError(f"atom grid of {n} cells for measures {sorted(family)}; publish fewer cross-classifications")
        coords = np.unravel_index(np.arange(n), sizes)
        leaf_idx = dict(zip(axis_names, coords[:-1]))
        measure_idx = coords[-1]
        raw_groups = []  # (table, count, pattern, atom_cell array over raw atoms)
        for t in tables:
            df = frames[t.name]
            dims = list(t.dimensions)
            row_labels = cell_labels(df, dims)
            total = {d: _is_total(df[d], spec.total_marker) for d in dims}
            pattern_id = np.zeros(df.height, dtype=np.int64)
            for j, d in enumerate(dims):
                pattern_id |= total[d].astype(np.int64) << j
            for pid in np.unique(pattern_id):
                rows = np.flatnonzero(pattern_id == pid)
                keyed = [d for j, d in enumerate(dims) if not (pid >> j) & 1]
                pattern = tuple(d for d in dims if d not in keyed)
                atom_key = np.zeros(n, dtype=np.int64)
                row_key = np.zeros(rows.size, dtype=np.int64)
                labels_per_dim = []
                outside = np.zeros(n, dtype=bool)  # atoms in a period this table's level leaves open
                for d in keyed:
                    lv = t.level_of(d)
                    axis = level_to_h.get(lv, lv)
                    if lv in axes[axis].open_values:
                        outside |= axes[axis].open_values[lv][leaf_idx[axis]]
                    lvals = axes[axis].level_values[lv].astype(str)
                    uniq, leaf_code = np.unique(lvals, return_inverse=True)
                    rv = df[d].cast(pl.Utf8).to_numpy()[rows].astype(str)
                    pos = np.searchsorted(uniq, rv)
                    bad = (pos >= uniq.size) | (uniq[np.minimum(pos, uniq.size - 1)] != rv)
                    if bad.any():
                        raise ValueError(f"{t.name}.{d}: values {sorted(set(rv[bad]))[:5]} not in the declared {lv} domain")
                    atom_key = atom_key * uniq.size + leaf_code[leaf_idx[axis]]
                    row_key = row_key * uniq.size + pos
                    labels_per_dim.append((d, uniq))
                order = np.argsort(row_key, kind="stable")
                if np.any(np.diff(row_key[order]) == 0):
                    raise ValueError(f"{t.name}: duplicate rows for dimensions {keyed}")
                for c in t.counts:
                    if c not in family:
                        continue
                    covered = np.isin(measure_idx, [leaves_m.index(l) for l in _leaves_of_measure(spec, c)]) & ~outside
                    base = n_cells
                    cell_chunks.append(_cell_chunk(t.name, c, rows, fam_id, row_labels[rows]))
                    n_cells += rows.size
                    atom_cell = np.full(n, -1, dtype=np.int64)
                    pos = np.searchsorted(row_key[order], atom_key[covered])
                    pos_c = np.minimum(pos, rows.size - 1) if rows.size else pos
                    found = (pos < rows.size) & (row_key[order][pos_c] == atom_key[covered]) if rows.size else np.zeros(pos.size, bool)
                    cov_idx = np.flatnonzero(covered)
                    atom_cell[cov_idx[found]] = base + order[pos_c[found]]
                    # Absent combinations are published zeros: one implicit cell per absent key.
                    missing = cov_idx[~found]
                    if missing.size:
                        mk, inv = np.unique(atom_key[missing], return_inverse=True)
                        first = missing[np.unique(inv, return_index=True)[1]]
                        keys = _implicit_labels(atom_key[first], labels_per_dim, pattern, spec.total_marker)
                        cell_chunks.append(_cell_chunk(t.name, c, np.full(first.size, -1), fam_id, keys))
                        atom_cell[missing] = n_cells + inv
                        n_cells += first.size
                    raw_groups.append((t.name, c, pattern, atom_cell))
        if not raw_groups:
            continue  # every table of the family is empty (e.g. a feed not loaded yet): no cell to protect
        # Merge atoms with identical membership signatures.
        sig = np.stack([g[3] for g in raw_groups], axis=1)
        sig = sig[(sig >= 0).any(axis=1)]
        uniq_sig = _unique_rows(sig)
        for j, (tname, c, pattern, _) in enumerate(raw_groups):
            col = uniq_sig[:, j]
            keep = np.flatnonzero(col >= 0)
            groups.append(Group(tname, c, pattern, fam_id, keep + atom_offset, col[keep]))
        atom_offset += uniq_sig.shape[0]
    cells = pl.concat([pl.DataFrame(schema=CELL_SCHEMA), *cell_chunks]).with_row_index("cell_id")
    ri = np.concatenate([g.cells for g in groups]) if groups else np.zeros(0, np.int64)
    ci = np.concatenate([g.atoms for g in groups]) if groups else np.zeros(0, np.int64)
    M = sp.csr_matrix((np.ones(ri.size), (ri, ci)), shape=(cells.height, atom_offset))
    return System(spec, cells, M, groups, n_atoms=atom_offset)


def _unique_rows(sig: np.ndarray) -> np.ndarray:
    """The distinct rows of `sig` (in no particular order). Same answer as np.unique(sig, axis=0), which
    sorts whole rows and dominated build time at ~1M atoms: here rows are sorted by a 64-bit hash and
    rows that share a hash are compared in full; a true collision falls back to np.unique."""
    if sig.shape[0] == 0:
        return sig
    multipliers = np.random.default_rng(0).integers(1, 2**63, size=sig.shape[1], dtype=np.uint64) | np.uint64(1)
    with np.errstate(over="ignore"):
        h = (sig.astype(np.uint64) * multipliers).sum(axis=1, dtype=np.uint64)
    order = np.argsort(h, kind="stable")
    rows, hs = sig[order], h[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    if (~first[1:] & (rows[1:] != rows[:-1]).any(axis=1)).any():
        return np.unique(sig, axis=0)  # two different rows with one hash: settle it exactly
    return rows[first]


def _cell_chunk(table: str, count: str, rows: np.ndarray, family: int, keys) -> pl.DataFrame:
    return pl.DataFrame({"table": [table] * len(rows), "count": [count] * len(rows), "row": rows,
                         "family": [family] * len(rows), "key": keys}, schema=CELL_SCHEMA)


def _as_text(column: pl.Series) -> pl.Series:
    """A dimension value as Python's str() writes it: a cell's key must not depend on the column's dtype
    reading (the suppression pattern is matched by key from one night to the next)."""
    dtype = column.dtype
    if dtype == pl.Boolean:
        text = column.replace_strict({True: "True", False: "False"}, return_dtype=pl.Utf8)
    elif dtype in (pl.Utf8, pl.Categorical, pl.Date) or dtype.is_integer():
        text = column.cast(pl.Utf8)
    else:  # anything else: Python's own formatting, one value at a time
        text = pl.Series([None if v is None else str(v) for v in column.to_list()], dtype=pl.Utf8)
    return text.fill_null("None")


def cell_labels(df: pl.DataFrame, dims: list[str]) -> np.ndarray:
    """"d1=v1, d2=v2" for every row: the key of each published cell (the one place that writes it)."""
    if not dims or df.height == 0:
        return np.full(df.height, "", dtype=object)
    parts = pl.DataFrame({d: _as_text(df[d]) for d in dims})
    return parts.select(pl.concat_str([pl.format(f"{d}={{}}", pl.col(d)) for d in dims], separator=", ")
                        ).to_series().to_numpy()


def _implicit_labels(keys: np.ndarray, labels_per_dim: list[tuple[str, np.ndarray]], totals: tuple[str, ...],
                     marker: str) -> list[str]:
    """Keys of implicit (absent, zero) cells from their combined mixed-radix keys: keyed dimensions first,
    then the totals."""
    radices = [u.size for _, u in labels_per_dim]
    values, parts = {}, []
    for j, (d, uniq) in enumerate(labels_per_dim):
        divisor = int(np.prod(radices[j + 1:], dtype=np.int64))
        values[f"k{j}"] = pl.Series(uniq.astype(str)).gather((keys // divisor) % radices[j])
        parts.append(pl.format(f"{d}={{}}", pl.col(f"k{j}")))
    parts += [pl.lit(f"{d}={marker}") for d in totals]
    frame = pl.DataFrame(values) if values else pl.DataFrame({"_": np.zeros(keys.size)})
    return frame.select(pl.concat_str(parts, separator=", ")).to_series().to_list() if parts else [""] * keys.size


def _relations(groups: list[Group], n_cells: int) -> list[tuple[int, np.ndarray]]:
    """parent = sum(children) for every pair of groups where one partition refines the other.

    This covers row/column margins inside a table, and every grain pair across tables
    (quarter = sum of its months, state = sum of regions, a total repeated in two tables). A coarser group may
    cover fewer atoms than a finer one (a release has no cell yet for a quarter or year still running): it
    is then related to the finer cells that lie wholly inside the atoms it covers.
    """
    rel: list[tuple[int, np.ndarray]] = []
    parent_of = np.full(n_cells, -1, dtype=np.int64)
    set_of, sets = [], {}  # each group's atom set, by content: few distinct sets, each compared once
    for g in groups:
        set_of.append(sets.setdefault((g.atoms.size, g.atoms.tobytes()), len(sets)))
    inside_cache: dict[tuple[int, int], np.ndarray | None] = {}

    def inside(small: Group, big: Group, key: tuple[int, int]) -> np.ndarray | None:
        """Mask of big's atoms that small covers, when small's atoms are all among big's; else None."""
        if key not in inside_cache:
            mask = np.isin(big.atoms, small.atoms, assume_unique=True)
            inside_cache[key] = mask if int(mask.sum()) == small.atoms.size else None
        return inside_cache[key]

    for i, g1 in enumerate(groups):
        for j, g2 in enumerate(groups):
            if i == j or g1.family != g2.family or g1.atoms.size > g2.atoms.size:
                continue
            if set_of[i] == set_of[j]:
                parent_cells, child_cells = g1.cells, g2.cells
            else:
                mask = inside(g1, g2, (set_of[i], set_of[j]))
                if mask is None:
                    continue
                child_cells = g2.cells[mask]
                if np.intersect1d(child_cells, g2.cells[~mask], assume_unique=False).size:
                    continue  # a finer cell straddles the edge of the coarser group: no refinement
                parent_cells = g1.cells
            parent_of[child_cells] = parent_cells  # any atom's parent; refinement iff all atoms agree
            if not np.array_equal(parent_of[child_cells], parent_cells):
                continue
            children = np.unique(child_cells)
            parents = parent_of[children]
            if np.unique(parents).size == children.size and i > j and set_of[i] == set_of[j]:
                continue  # same partition seen from both sides: keep one direction
            order = np.argsort(parents, kind="stable")
            par, ch = parents[order], children[order]
            bounds = np.flatnonzero(np.diff(par)) + 1
            for p_chunk, c_chunk in zip(np.split(par, bounds), np.split(ch, bounds)):
                rel.append((int(p_chunk[0]), c_chunk))
    return rel


MAX_BLOCK = 64  # larger blocks are implied by totals, or protected by their many members anyway


def _grouping_blocks(system: System) -> list[tuple[int, np.ndarray]]:
    """Relations through a hierarchy grouping (month of year), which nests with no other level.

    A month-of-year table and a quarterly table cover the same atoms without either refining the other,
    yet they meet in blocks: January + February + March of a sector, over all years, is the sum of the
    sector's first quarters. Such a block is an additive relation with two sides; a lone hidden member is
    recovered from it like from a margin. Enumerating the small blocks lets the relations pass and the
    failure fixes protect cells pinned through them (the audit finds them either way, but without this
    every fix lands in a relation that does not help, e.g. the whole March column gets hidden).
    A block where one side is a single cell is an ordinary parent = sum(children) relation (the
    month-of-year total of all sectors = its months in the statewide monthly table).
    """
    spec = system.spec
    groupings = {g for h in spec.hierarchies for g in h.groupings}
    if not groupings:
        return []
    n_cells = system.cells.height

    def uses_grouping(g: Group) -> bool:
        t = spec.table(g.table)
        return any(t.level_of(d) in groupings for d in t.dimensions if d not in g.pattern)

    rel: list[tuple[int, np.ndarray]] = []
    for i, g1 in enumerate(system.groups):
        if not uses_grouping(g1):
            continue
        for j, g2 in enumerate(system.groups):
            if i == j or g1.family != g2.family or not np.array_equal(g1.atoms, g2.atoms):
                continue
            if uses_grouping(g2) and j < i:
                continue  # both sides use a grouping: one direction is enough
            # Bipartite graph g1 cells - g2 cells (shared atoms); its components are the blocks.
            u1, c1 = np.unique(g1.cells, return_inverse=True)
            u2, c2 = np.unique(g2.cells, return_inverse=True)
            link = sp.csr_matrix((np.ones(c1.size, dtype=np.int8), (c1, c2)), shape=(u1.size, u2.size))
            graph = sp.bmat([[None, link], [link.T, None]]).tocsr()
            n_blocks, label = connected_components(graph, directed=False)
            l1, l2 = label[: u1.size], label[u1.size:]
            size1, size2 = np.bincount(l1, minlength=n_blocks), np.bincount(l2, minlength=n_blocks)
            if (size1 == 1).all() or (size2 == 1).all():
                continue  # one refines the other: an ordinary relation, already enumerated
            for b in np.flatnonzero(size1 + size2 <= MAX_BLOCK):
                m1, m2 = u1[l1 == b], u2[l2 == b]
                if m2.size == 1:
                    rel.append((int(m2[0]), m1))
                elif m1.size == 1:
                    rel.append((int(m1[0]), m2))
                else:
                    rel.append((-1, np.concatenate([m1, m2])))
    return rel
