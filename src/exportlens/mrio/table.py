"""Multi-regional input-output tables: data, validation, coefficients, balance, Leontief factor.

A table has G regions x N sectors (n = G N rows/columns, region-major: all sectors of the
first region, then the second ...). Notation (Miller & Blair 2009, Input-Output Analysis,
2nd ed.; Koopman, Wang & Wei 2014, AER 104(2)):

- ``Z`` (n x n) intermediate flows, ``Z[(s,i),(r,j)]`` = sales of sector i in region s to
  sector j in region r;
- ``Y`` (n x G K) final demand by destination region and category (columns region-major,
  as in pymrio: ``(region, category)``);
- ``E`` (n) exports abroad (outside the G regions), ``ERR`` (n) the error/other column of
  tables that have one (CEADs ``ERR``);
- ``IM`` (n) imports row (intermediate inputs bought abroad by each column sector);
- ``VA`` (C x n) value-added components (CEADs VA001-VA004), ``x`` (n) gross output.

Accounting identities (checked by :meth:`MRIOTable.balance_report`):

    rows:    x = Z 1 + Y 1 + E (+ ERR)
    columns: x' = 1'Z + 1'VA + IM

Coefficients: A = Z diag(x)^-1, v = 1'VA diag(x)^-1, m = IM diag(x)^-1 (zero where x = 0,
with a warning naming the sectors). With the column identity, 1'A + v + m = 1', so
(v + m) B = 1' for the Leontief inverse B = (I - A)^-1; every export decomposition in
:mod:`exportlens.mrio.decompose` rests on that identity.

Arrays are stored as read-only float64 copies, so a table never changes after it is built
and the LU factor of I - A cached by :meth:`MRIOTable.leontief_factor` cannot go stale.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.errors import (
    DataFormatError,
    InputError,
    MissingRowError,
    NegativeFlowError,
    NonProductiveError,
    ZeroOutputWarning,
)
from exportlens.validation import format_list

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INVENTORY_CATEGORIES",
    "BalanceReport",
    "LeontiefFactor",
    "MRIOTable",
    "MissingRowError",
    "NegativeFlowError",
    "NonProductiveError",
    "ZeroOutputWarning",
]

#: Final-demand categories that may legitimately be negative (change in inventories).
INVENTORY_CATEGORIES: tuple[str, ...] = ("FU202", "Changes in inventories", "inventory_change", "存货增加")

_MAX_LISTED = 10


def _listing(labels: Sequence[str], limit: int = _MAX_LISTED) -> str:
    return format_list(labels, limit, sep=", ")


def _frozen(a: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.array(a, dtype=np.float64, copy=True)
    if arr.shape != shape:
        raise InputError(f"{name} has shape {arr.shape}; expected {shape}.")
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class LeontiefFactor:
    """LU factorisation of I - A (scipy.linalg.lu_factor) and solves with it.

    ``solve(R)`` returns B R and ``solve_transposed(R)`` returns B' R for the Leontief
    inverse B = (I - A)^-1 (Leontief 1936; Miller & Blair 2009, ch. 2), without forming B.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> factor = table.leontief_factor()
    >>> factor.n
    2
    >>> factor.solve([1.0, 0.0]).round(4)  # first column of B = (I - A)^-1
    array([1.2613, 0.0901])
    >>> factor.solve_transposed(table.V + table.M).round(12)  # (v + m) B = 1'
    array([1., 1.])
    >>> np.allclose(factor.inverse(), np.linalg.inv(np.eye(2) - table.A))
    True
    """

    lu: np.ndarray = field(repr=False)
    piv: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return int(self.lu.shape[0])

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """B rhs = (I - A)^-1 rhs."""
        from scipy.linalg import lu_solve

        return lu_solve((self.lu, self.piv), np.asarray(rhs, dtype=np.float64), check_finite=False)

    def solve_transposed(self, rhs: np.ndarray) -> np.ndarray:
        """B' rhs = (I - A)'^-1 rhs; row vectors w' B are ``solve_transposed(w)``'."""
        from scipy.linalg import lu_solve

        return lu_solve((self.lu, self.piv), np.asarray(rhs, dtype=np.float64), trans=1, check_finite=False)

    def inverse(self) -> np.ndarray:
        """The Leontief inverse B itself (n solves; only where a formula needs B explicitly)."""
        return self.solve(np.eye(self.n))


@dataclass(frozen=True)
class BalanceReport:
    """Residuals of the row and column identities, absolute and relative to gross output.

    row residual    r_k = x_k - (Z 1 + Y 1 + E + ERR)_k
    column residual c_k = x_k - (1'Z + 1'VA + IM)_k
    relative        |r_k| / max(x_k, 1e-9 mean(x))

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> report = table.balance_report()
    >>> report.ok
    True
    >>> print(report.summary())
    Balance check: balanced
      rows    x = Z1 + Y1 + E (+ERR): max relative residual 0 at A/goods; 0 of 2 above tol 1e-06
      columns x' = 1'Z + VA + IM: max relative residual 0 at A/goods; 0 of 2 above tol 1e-06
    >>> list(report.to_frame().columns)
    ['x', 'row_residual', 'row_relative', 'column_residual', 'column_relative']
    >>> off = MRIOTable.from_arrays(["A"], ["goods"], Z=[[10.0]], Y=[[90.0]], VA=[80.0])  # VA should be 90
    >>> off.balance_report().raise_if_unbalanced()
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: The table is not balanced within relative tolerance 1e-06. Worst: A/goods: row 0, column 0.1.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    x: np.ndarray = field(repr=False)
    row_residual: np.ndarray = field(repr=False)
    column_residual: np.ndarray = field(repr=False)
    tol: float = 1e-6

    def _scale(self) -> np.ndarray:
        floor = 1e-9 * max(float(np.mean(np.abs(self.x))), 1e-300)
        return np.maximum(np.abs(self.x), floor)

    @property
    def row_relative(self) -> np.ndarray:
        return np.abs(self.row_residual) / self._scale()

    @property
    def column_relative(self) -> np.ndarray:
        return np.abs(self.column_residual) / self._scale()

    @property
    def rows_ok(self) -> bool:
        return bool(np.all(self.row_relative <= self.tol))

    @property
    def columns_ok(self) -> bool:
        return bool(np.all(self.column_relative <= self.tol))

    @property
    def ok(self) -> bool:
        return self.rows_ok and self.columns_ok

    def to_frame(self) -> pd.DataFrame:
        """One row per region-sector: x, residuals and relative residuals of both identities."""
        import pandas as pd

        idx = pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])
        return pd.DataFrame({
            "x": self.x, "row_residual": self.row_residual, "row_relative": self.row_relative,
            "column_residual": self.column_residual, "column_relative": self.column_relative,
        }, index=idx)

    def worst(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` region-sectors with the largest relative residual (either identity)."""
        frame = self.to_frame()
        frame["max_relative"] = frame[["row_relative", "column_relative"]].max(axis=1)
        return frame.sort_values("max_relative", ascending=False).head(k)

    def summary(self) -> str:
        def line(kind: str, rel: np.ndarray) -> str:
            bad = int(np.sum(rel > self.tol))
            k = int(np.argmax(rel))
            where = f"{self.regions[k // len(self.sectors)]}/{self.sectors[k % len(self.sectors)]}"
            return (f"  {kind}: max relative residual {rel.max():.3g} at {where}; "
                    f"{bad} of {rel.size} above tol {self.tol:g}")

        status = "balanced" if self.ok else "NOT balanced"
        return "\n".join([f"Balance check: {status}",
                          line("rows    x = Z1 + Y1 + E (+ERR)", self.row_relative),
                          line("columns x' = 1'Z + VA + IM", self.column_relative)])

    def raise_if_unbalanced(self) -> None:
        """Raise :class:`InputError` naming the worst rows/columns when a residual exceeds ``tol``."""
        if self.ok:
            return
        worst = self.worst(_MAX_LISTED)
        worst = worst[worst["max_relative"] > self.tol]
        listing = "; ".join(f"{r}/{s}: row {w.row_relative:.3g}, column {w.column_relative:.3g}"
                            for (r, s), w in zip(worst.index, worst.itertuples(index=False), strict=True))
        raise InputError(f"The table is not balanced within relative tolerance {self.tol:g}. Worst: {listing}.")


@dataclass(frozen=True, eq=False)
class MRIOTable:
    """A multi-regional input-output table (see the module docstring for the notation).

    Build it with :meth:`from_arrays`, :meth:`from_frames`, :meth:`from_pymrio` or the
    readers of :mod:`exportlens.mrio.readers`. The constructor validates shapes, missing
    values and signs: Z, E, IM and x must be non-negative; final demand may be negative
    only in the inventory-change categories ``inventory_categories``; value-added
    components may be negative (net production taxes). ``import_block`` (P x n) holds the
    imported intermediate inputs by product of a non-competitive table; when given, ``IM``
    must equal its column sums.

    Examples
    --------
    Two regions with one sector each; gross output x is the row sum Z 1 + Y 1 + E and value
    added closes the column identity x' = 1'Z + VA + IM:

    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> print(table.summary())
    MRIO table
      2 regions x 1 sectors; unit unspecified
      gross output 200; exports abroad 45; imports 30; value added 105
    >>> table.x.tolist(), table.A.round(2).tolist()
    ([100.0, 100.0], [[0.2, 0.1], [0.05, 0.3]])
    >>> (table.A.sum(axis=0) + table.V + table.M).round(12).tolist()  # 1'A + v + m = 1'
    [1.0, 1.0]
    >>> table.leontief_inverse().round(4)
    array([[1.2613, 0.1802],
           [0.0901, 1.4414]])
    >>> MRIOTable.from_arrays(["A"], ["goods"], Z=[[-1.0]], Y=[[5.0]], VA=[4.0])
    Traceback (most recent call last):
    ...
    exportlens.errors.NegativeFlowError: Z must be non-negative; 1 negative cell(s): Z[A/goods, A/goods] = -1.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    Z: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    categories: tuple[str, ...]
    E: np.ndarray = field(repr=False)
    IM: np.ndarray = field(repr=False)
    VA: np.ndarray = field(repr=False)
    va_components: tuple[str, ...]
    x: np.ndarray = field(repr=False)
    ERR: np.ndarray | None = field(default=None, repr=False)
    import_block: np.ndarray | None = field(default=None, repr=False)
    import_products: tuple[str, ...] | None = None
    unit: str = ""
    year: int | None = None
    name: str = ""
    sector_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    inventory_categories: tuple[str, ...] = INVENTORY_CATEGORIES
    notes: tuple[str, ...] = ()
    synthetic: bool = False
    description: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # --- construction and validation ---------------------------------------------------

    def __post_init__(self) -> None:
        regions = tuple(str(r) for r in self.regions)
        sectors = tuple(str(s) for s in self.sectors)
        categories = tuple(str(c) for c in self.categories)
        for what, labels in (("region", regions), ("sector", sectors), ("final-demand category", categories),
                             ("value-added component", tuple(self.va_components))):
            dup = sorted({lab for lab in labels if labels.count(lab) > 1})
            if dup:
                raise InputError(f"Duplicate {what} label(s): {_listing(dup)}.")
        if not regions or not sectors:
            raise InputError("A table needs at least one region and one sector.")
        g, n_sec = len(regions), len(sectors)
        n = g * n_sec
        set_ = object.__setattr__
        set_(self, "regions", regions)
        set_(self, "sectors", sectors)
        set_(self, "categories", categories)
        set_(self, "va_components", tuple(str(c) for c in self.va_components))
        set_(self, "Z", _frozen(self.Z, "Z", (n, n)))
        set_(self, "Y", _frozen(self.Y, "Y", (n, g * len(categories))))
        set_(self, "E", _frozen(self.E, "E", (n,)))
        set_(self, "IM", _frozen(self.IM, "IM", (n,)))
        set_(self, "VA", _frozen(self.VA, "VA", (len(self.va_components), n)))
        set_(self, "x", _frozen(self.x, "x", (n,)))
        if self.ERR is not None:
            set_(self, "ERR", _frozen(self.ERR, "ERR", (n,)))
        if self.import_block is not None:
            block = np.asarray(self.import_block, dtype=np.float64)
            if block.ndim != 2 or block.shape[1] != n:
                raise InputError(f"import_block has shape {block.shape}; expected (products, {n}).")
            products = tuple(str(p) for p in (self.import_products or [f"P{i + 1}" for i in range(block.shape[0])]))
            if len(products) != block.shape[0]:
                raise InputError(f"import_products has {len(products)} labels for {block.shape[0]} import_block rows.")
            set_(self, "import_block", _frozen(block, "import_block", block.shape))
            set_(self, "import_products", products)
        set_(self, "notes", tuple(self.notes))
        set_(self, "inventory_categories", tuple(self.inventory_categories))
        self._validate_values()

    def _row_label(self, k: int) -> str:
        n_sec = len(self.sectors)
        return f"{self.regions[k // n_sec]}/{self.sectors[k % n_sec]}"

    def _validate_values(self) -> None:
        arrays: dict[str, np.ndarray] = {"Z": self.Z, "Y": self.Y, "E": self.E, "IM": self.IM, "VA": self.VA, "x": self.x}
        if self.ERR is not None:
            arrays["ERR"] = self.ERR
        if self.import_block is not None:
            arrays["import_block"] = self.import_block
        for name, arr in arrays.items():
            bad = np.argwhere(~np.isfinite(arr))
            if len(bad):
                cells = [self._cell_name(name, idx) for idx in bad[:_MAX_LISTED]]
                more = f" ... and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else ""
                raise InputError(f"{name} has {len(bad)} missing or infinite value(s): {', '.join(cells)}{more}.")
        for name in ("Z", "E", "IM", "x", "import_block"):
            flows = arrays.get(name)
            if flows is None:
                continue
            bad = np.argwhere(flows < 0)
            if len(bad):
                cells = [f"{self._cell_name(name, idx)} = {flows[tuple(idx)]:.6g}" for idx in bad[:_MAX_LISTED]]
                more = f" ... and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else ""
                raise NegativeFlowError(f"{name} must be non-negative; {len(bad)} negative cell(s): {', '.join(cells)}{more}.")
        k = len(self.categories)
        allowed = np.array([c in self.inventory_categories for c in self.categories] * len(self.regions), dtype=bool)
        if k and self.Y.size:
            neg = (self.Y < 0) & ~allowed[None, :]
            bad = np.argwhere(neg)
            if len(bad):
                cells = [f"{self._cell_name('Y', idx)} = {self.Y[tuple(idx)]:.6g}" for idx in bad[:_MAX_LISTED]]
                raise NegativeFlowError(
                    f"Final demand Y has {len(bad)} negative cell(s) outside the inventory-change categories "
                    f"{list(self.inventory_categories)}: {', '.join(cells)}.")
        if self.import_block is not None:
            diff = np.abs(self.import_block.sum(axis=0) - self.IM)
            scale = np.maximum(np.abs(self.IM), 1e-9 * max(float(np.abs(self.IM).mean()), 1e-300))
            bad_cols = np.flatnonzero(diff > 1e-6 * scale)
            if len(bad_cols):
                raise InputError("IM must equal the column sums of import_block; they differ at "
                                 f"{_listing([self._row_label(int(j)) for j in bad_cols])}.")

    def _cell_name(self, name: str, idx: Sequence[int]) -> str:
        idx = [int(i) for i in idx]
        if name in ("E", "IM", "x", "ERR"):
            return f"{name}[{self._row_label(idx[0])}]"
        if name == "Z":
            return f"Z[{self._row_label(idx[0])}, {self._row_label(idx[1])}]"
        if name == "Y":
            k = len(self.categories)
            return f"Y[{self._row_label(idx[0])}, {self.regions[idx[1] // k]}/{self.categories[idx[1] % k]}]"
        if name == "VA":
            return f"VA[{self.va_components[idx[0]]}, {self._row_label(idx[1])}]"
        if name == "import_block":
            return f"import_block[{self.import_products[idx[0]]}, {self._row_label(idx[1])}]"  # type: ignore[index]
        return f"{name}{idx}"

    @classmethod
    def from_arrays(
        cls,
        regions: Sequence[str],
        sectors: Sequence[str],
        Z: Any,
        Y: Any,
        *,
        categories: Sequence[str] | None = None,
        VA: Any,
        va_components: Sequence[str] | None = None,
        E: Any = None,
        IM: Any = None,
        x: Any = None,
        ERR: Any = None,
        **meta: Any,
    ) -> MRIOTable:
        """Build a table from arrays laid out as in the module docstring.

        ``Y`` is (n, G K) with columns ordered (destination region, category), or (n, G) for
        one category per region. ``VA`` is (C, n) or a vector (one component ``"VA"``).
        ``E``/``IM`` default to zeros; ``x`` defaults to the row sums Z 1 + Y 1 + E + ERR.
        Further keywords (unit, year, name, notes, synthetic, description ...) are stored.
        """
        g, n_sec = len(regions), len(sectors)
        n = g * n_sec
        Z = np.asarray(Z, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if Y.ndim == 1:
            Y = Y[:, None]
        if categories is None:
            if Y.shape[1] % g:
                raise InputError(f"Y has {Y.shape[1]} columns, not a multiple of the {g} regions.")
            k = Y.shape[1] // g
            categories = ["FD"] if k == 1 else [f"FD{i + 1}" for i in range(k)]
        VA = np.asarray(VA, dtype=np.float64)
        if VA.ndim == 1:
            VA = VA[None, :]
        if va_components is None:
            va_components = ["VA"] if VA.shape[0] == 1 else [f"VA{i + 1:03d}" for i in range(VA.shape[0])]
        E = np.zeros(n) if E is None else np.asarray(E, dtype=np.float64)
        IM = np.zeros(n) if IM is None else np.asarray(IM, dtype=np.float64)
        ERR = None if ERR is None else np.asarray(ERR, dtype=np.float64)
        if x is None:
            if Z.shape != (n, n) or Y.shape[0] != n or E.shape != (n,):
                raise InputError(f"Z, Y and E must have {n} rows (G={g} regions x N={n_sec} sectors) to compute x.")
            x = Z.sum(axis=1) + Y.sum(axis=1) + E + (ERR if ERR is not None else 0.0)
        return cls(regions=tuple(regions), sectors=tuple(sectors), Z=Z, Y=Y, categories=tuple(categories),
                   E=E, IM=IM, VA=VA, va_components=tuple(va_components), x=x, ERR=ERR, **meta)

    @classmethod
    def from_frames(
        cls,
        Z: pd.DataFrame,
        Y: pd.DataFrame,
        *,
        VA: pd.DataFrame,
        E: pd.Series | None = None,
        IM: pd.Series | None = None,
        x: pd.Series | None = None,
        ERR: pd.Series | None = None,
        **meta: Any,
    ) -> MRIOTable:
        """Build a table from labelled frames.

        ``Z``: index and columns (region, sector) MultiIndex; ``Y``: index (region, sector),
        columns (region, category); ``VA``: rows = components, columns (region, sector);
        ``E``, ``IM``, ``x``, ``ERR``: Series indexed by (region, sector). Labels are
        matched (order may differ); missing or extra labels raise an error naming them.
        """
        import pandas as pd

        def pairs(index: Any, what: str) -> list[tuple[str, str]]:
            if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
                raise DataFormatError(f"{what} must be labelled by a 2-level (region, sector) MultiIndex.")
            return [(str(a), str(b)) for a, b in index]

        rows = pairs(Z.index, "Z index")
        regions = list(dict.fromkeys(r for r, _ in rows))
        sectors = list(dict.fromkeys(s for _, s in rows))
        expected = [(r, s) for r in regions for s in sectors]
        expected_set = set(expected)
        counts = Counter(rows)
        dup = sorted(f"{r}/{s}" for (r, s), k in counts.items() if k > 1)
        if dup:
            raise DataFormatError(f"Duplicate (region, sector) labels in Z: {_listing(dup)}.")
        if len(rows) != len(expected):
            missing = sorted(expected_set - set(rows))
            raise DataFormatError("Z rows must form a complete region x sector grid; "
                                  f"missing: {_listing([f'{r}/{s}' for r, s in missing])}.")

        def align(axis_pairs: list[tuple[str, str]], what: str) -> list[int]:
            pos = {p: i for i, p in enumerate(axis_pairs)}
            miss = [f"{r}/{s}" for r, s in expected if (r, s) not in pos]
            extra = [f"{r}/{s}" for r, s in axis_pairs if (r, s) not in expected_set]
            if miss or extra or len(axis_pairs) != len(expected):
                raise DataFormatError(f"{what} labels do not match the rows of Z; missing: {_listing(miss) or '-'}; "
                                      f"extra: {_listing(extra) or '-'}.")
            return [pos[p] for p in expected]

        zcols = align(pairs(Z.columns, "Z columns"), "Z columns")
        row_pos = {p: i for i, p in enumerate(rows)}
        zrows = [row_pos[p] for p in expected]
        z = Z.to_numpy(dtype=np.float64)[np.ix_(zrows, zcols)]
        yrows = align(pairs(Y.index, "Y index"), "Y index")
        if not isinstance(Y.columns, pd.MultiIndex) or Y.columns.nlevels != 2:
            raise DataFormatError("Y columns must be a 2-level (region, category) MultiIndex.")
        ycols = [(str(a), str(b)) for a, b in Y.columns]
        categories = list(dict.fromkeys(c for _, c in ycols))
        unknown = sorted({r for r, _ in ycols} - set(regions))
        if unknown:
            raise DataFormatError(f"Y has destination region(s) not in Z: {_listing(unknown)}.")
        ypos = {p: i for i, p in enumerate(ycols)}
        miss = [f"{r}/{c}" for r in regions for c in categories if (r, c) not in ypos]
        if miss:
            raise DataFormatError(f"Y lacks final-demand column(s) {_listing(miss)}; every region needs every category.")
        yarr = Y.to_numpy(dtype=np.float64)[np.ix_(yrows, [ypos[(r, c)] for r in regions for c in categories])]
        va_cols = align(pairs(VA.columns, "VA columns"), "VA columns")
        va = VA.to_numpy(dtype=np.float64)[:, va_cols]

        def vec(s: pd.Series | None, what: str) -> np.ndarray | None:
            if s is None:
                return None
            idx = align(pairs(s.index, f"{what} index"), f"{what} index")
            return s.to_numpy(dtype=np.float64)[idx]

        return cls.from_arrays(regions, sectors, z, yarr, categories=categories, VA=va,
                               va_components=[str(c) for c in VA.index], E=vec(E, "E"), IM=vec(IM, "IM"),
                               x=vec(x, "x"), ERR=vec(ERR, "ERR"), **meta)

    # --- labels and frames ----------------------------------------------------------------

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @property
    def size(self) -> int:
        """n = G N."""
        return len(self.regions) * len(self.sectors)

    def index(self) -> pd.MultiIndex:
        """(region, sector) MultiIndex of the rows/columns."""
        import pandas as pd

        return pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])

    def to_frames(self) -> dict[str, pd.DataFrame | pd.Series]:
        """The table as labelled pandas objects (Z, Y, E, IM, VA, x and ERR/import_block when present)."""
        import pandas as pd

        idx = self.index()
        ycols = pd.MultiIndex.from_product([self.regions, self.categories], names=["region", "category"])
        out: dict[str, pd.DataFrame | pd.Series] = {
            "Z": pd.DataFrame(self.Z, index=idx, columns=idx),
            "Y": pd.DataFrame(self.Y, index=idx, columns=ycols),
            "E": pd.Series(self.E, index=idx, name="E"),
            "IM": pd.Series(self.IM, index=idx, name="IM"),
            "VA": pd.DataFrame(self.VA, index=pd.Index(self.va_components, name="component"), columns=idx),
            "x": pd.Series(self.x, index=idx, name="x"),
        }
        if self.ERR is not None:
            out["ERR"] = pd.Series(self.ERR, index=idx, name="ERR")
        if self.import_block is not None:
            out["import_block"] = pd.DataFrame(self.import_block, index=pd.Index(list(self.import_products or ()), name="product"),
                                               columns=idx)
        return out

    def summary(self) -> str:
        """One paragraph: size, unit, totals, synthetic flag."""
        lines = [f"MRIO table {self.name or ''} {self.year or ''}".rstrip()
                 + (" (SYNTHETIC)" if self.synthetic else ""),
                 f"  {self.n_regions} regions x {self.n_sectors} sectors; unit {self.unit or 'unspecified'}",
                 f"  gross output {self.x.sum():.6g}; exports abroad {self.E.sum():.6g}; imports {self.IM.sum():.6g}; "
                 f"value added {self.VA.sum():.6g}"]
        lines += [f"  Note: {n}" for n in self.notes]
        return "\n".join(lines)

    # --- coefficients -------------------------------------------------------------------

    def _inverse_output(self) -> np.ndarray:
        if "inv_x" not in self._cache:
            zero = np.flatnonzero(self.x <= 0)
            if len(zero):
                warnings.warn(
                    f"{len(zero)} sector(s) with zero gross output get zero coefficients: "
                    f"{_listing([self._row_label(int(k)) for k in zero])}.", ZeroOutputWarning, stacklevel=3)
            with np.errstate(divide="ignore"):
                inv = np.where(self.x > 0, 1.0 / np.where(self.x > 0, self.x, 1.0), 0.0)
            self._cache["inv_x"] = inv
            self._cache["zero_output"] = tuple(self._row_label(int(k)) for k in zero)
        return self._cache["inv_x"]

    @property
    def zero_output_sectors(self) -> tuple[str, ...]:
        """Region/sector labels with x = 0 (their coefficients are set to zero)."""
        self._inverse_output()
        return self._cache["zero_output"]

    @property
    def A(self) -> np.ndarray:
        """Technical coefficients A = Z diag(x)^-1 (Miller & Blair 2009, ch. 2)."""
        if "A" not in self._cache:
            a = self.Z * self._inverse_output()[None, :]
            a.flags.writeable = False
            self._cache["A"] = a
        return self._cache["A"]

    @property
    def V(self) -> np.ndarray:
        """Value-added coefficients v_k = (sum of VA components)_k / x_k (the V of KWW 2014)."""
        if "V" not in self._cache:
            self._cache["V"] = self.VA.sum(axis=0) * self._inverse_output()
        return self._cache["V"]

    @property
    def M(self) -> np.ndarray:
        """Import coefficients m_k = IM_k / x_k (imported intermediate inputs per unit of output)."""
        if "M" not in self._cache:
            self._cache["M"] = self.IM * self._inverse_output()
        return self._cache["M"]

    def final_demand_by_destination(self) -> np.ndarray:
        """Y summed over categories: (n, G), column r = final demand of destination region r."""
        k = len(self.categories)
        return self.Y.reshape(self.size, self.n_regions, k).sum(axis=2)

    def leontief_factor(self) -> LeontiefFactor:
        """LU factor of I - A, computed once per table (the table is immutable).

        Productivity (Hawkins & Simon 1949; Miller & Blair 2009, ch. 2): with A >= 0, if every
        column sum of A is below 1 the spectral radius is below 1 and B >= 0. Otherwise B is
        formed once to check that it has no negative entries; a singular or non-productive
        I - A raises :class:`NonProductiveError` naming the columns whose inputs reach or
        exceed their output.
        """
        if "lu" in self._cache:
            return self._cache["lu"]
        from scipy.linalg import LinAlgWarning, lu_factor

        a = self.A
        colsum = a.sum(axis=0)
        heavy = np.flatnonzero(colsum >= 1.0)
        heavy_labels = [f"{self._row_label(int(j))} (1'A = {colsum[j]:.4g})" for j in heavy]
        with warnings.catch_warnings():
            warnings.simplefilter("error", LinAlgWarning)
            try:
                lu, piv = lu_factor(np.eye(self.size) - a, overwrite_a=True, check_finite=False)
            except (LinAlgWarning, ValueError) as exc:
                raise NonProductiveError(f"I - A is singular ({exc}); columns with 1'A >= 1: "
                                         f"{_listing(heavy_labels) or 'none'}.") from None
        diag = np.abs(np.diag(lu))
        if diag.min() <= np.finfo(float).eps * self.size * max(diag.max(), 1.0):
            raise NonProductiveError("I - A is numerically singular; columns with 1'A >= 1: "
                                     f"{_listing(heavy_labels) or 'none'}.")
        factor = LeontiefFactor(lu=lu, piv=piv)
        if len(heavy):
            b = factor.inverse()
            if b.min() < -1e-10 * max(1.0, float(np.abs(b).max())):
                raise NonProductiveError(
                    "A is not productive: the Leontief inverse (I - A)^-1 has negative entries "
                    f"(min {b.min():.4g}). Columns whose intermediate inputs reach or exceed output: "
                    f"{_listing(heavy_labels)}.")
        self._cache["lu"] = factor
        return factor

    def leontief_inverse(self) -> np.ndarray:
        """B = (I - A)^-1 formed explicitly (n x n); prefer :meth:`leontief_factor` solves."""
        return self.leontief_factor().inverse()

    # --- balance ------------------------------------------------------------------------

    def balance_report(self, tol: float = 1e-6) -> BalanceReport:
        """Residuals of x = Z1 + Y1 + E (+ERR) and x' = 1'Z + 1'VA + IM, relative tolerance ``tol``."""
        if not tol >= 0:
            raise InputError(f"tol must be a non-negative number, not {tol!r}.")
        rows = self.Z.sum(axis=1) + self.Y.sum(axis=1) + self.E + (self.ERR if self.ERR is not None else 0.0)
        cols = self.Z.sum(axis=0) + self.VA.sum(axis=0) + self.IM
        return BalanceReport(regions=self.regions, sectors=self.sectors, x=self.x.copy(),
                             row_residual=self.x - rows, column_residual=self.x - cols, tol=float(tol))

    # --- transformations ----------------------------------------------------------------

    def permuted(self, order: Sequence[str]) -> MRIOTable:
        """The same table with regions in ``order`` (a permutation of ``regions``)."""
        if sorted(order) != sorted(self.regions) or len(order) != self.n_regions:
            raise InputError(f"order must be a permutation of the regions {list(self.regions)}.")
        pos = [self.regions.index(r) for r in order]
        n_sec, k = self.n_sectors, len(self.categories)
        rows = np.concatenate([np.arange(p * n_sec, (p + 1) * n_sec) for p in pos])
        ycols = np.concatenate([np.arange(p * k, (p + 1) * k) for p in pos])
        return self._replace(
            regions=tuple(order), Z=self.Z[np.ix_(rows, rows)], Y=self.Y[np.ix_(rows, ycols)], E=self.E[rows],
            IM=self.IM[rows], VA=self.VA[:, rows], x=self.x[rows],
            ERR=None if self.ERR is None else self.ERR[rows],
            import_block=None if self.import_block is None else self.import_block[:, rows])

    def scaled(self, factor: float) -> MRIOTable:
        """Every flow multiplied by ``factor`` > 0 (a change of unit)."""
        if not factor > 0:
            raise InputError(f"factor must be positive, not {factor!r}.")
        return self._replace(Z=self.Z * factor, Y=self.Y * factor, E=self.E * factor, IM=self.IM * factor,
                             VA=self.VA * factor, x=self.x * factor,
                             ERR=None if self.ERR is None else self.ERR * factor,
                             import_block=None if self.import_block is None else self.import_block * factor)

    def _replace(self, **changes: Any) -> MRIOTable:
        import dataclasses

        kwargs = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}
        kwargs.update(changes)
        return MRIOTable(**kwargs)

    # --- pymrio -------------------------------------------------------------------------

    def to_pymrio(self, *, exports_category: str = "EX", error_category: str = "ERR",
                  extension: str = "factor_inputs", imports_row: str = "IM") -> Any:
        """A ``pymrio.IOSystem`` with Z, Y, x and an extension holding VA components and IM.

        pymrio has no "abroad" destination, so exports abroad (and the error column) become
        final-demand categories of the exporting region (pymrio's own test system does the
        same with its "Export" category); x = Z 1 + Y 1 is preserved.
        :meth:`from_pymrio` with the same names restores the table exactly.
        """
        import pandas as pd
        import pymrio

        idx = self.index()
        cats = [*self.categories, exports_category] + ([error_category] if self.ERR is not None else [])
        clash = [c for c in (exports_category, error_category) if c in self.categories]
        if clash:
            raise InputError(f"Category name(s) {clash} already used by final demand; pass other names.")
        g, n_sec, k = self.n_regions, self.n_sectors, len(self.categories)
        y = np.zeros((self.size, g * len(cats)))
        for r in range(g):
            base = r * len(cats)
            y[:, base:base + k] = self.Y[:, r * k:(r + 1) * k]
            own = slice(r * n_sec, (r + 1) * n_sec)
            y[own, base + k] = self.E[own]
            if self.ERR is not None:
                y[own, base + k + 1] = self.ERR[own]
        ycols = pd.MultiIndex.from_product([self.regions, cats], names=["region", "category"])
        rows = [*self.va_components, imports_row]
        f = pd.DataFrame(np.vstack([self.VA, self.IM[None, :]]), index=pd.Index(rows, name="inputtype"), columns=idx)
        io = pymrio.IOSystem(Z=pd.DataFrame(self.Z.copy(), index=idx, columns=idx),
                             Y=pd.DataFrame(y, index=idx, columns=ycols),
                             x=pd.DataFrame({"indout": self.x.copy()}, index=idx),
                             unit=pd.DataFrame({"unit": [self.unit or "unit"] * self.size}, index=idx),
                             name=self.name or "exportlens", **{extension: {"name": extension, "F": f}})
        return io

    @classmethod
    def from_pymrio(cls, io: Any, *, exports_category: str | None = "EX", error_category: str | None = "ERR",
                    extension: str = "factor_inputs", imports_row: str | None = "IM",
                    value_added_rows: Sequence[str] | None = None, **meta: Any) -> MRIOTable:
        """A table from a ``pymrio.IOSystem`` (Z and Y required; x computed when absent).

        ``exports_category``/``error_category`` name the final-demand categories that are
        exports abroad and the error column (taken from the exporting region's own columns;
        entries in other regions' columns raise an error). ``extension`` holds the value-added
        rows (``value_added_rows``, default: every row except ``imports_row``) and the imports
        row. Missing names are fine: that part is then zero.
        """
        import pandas as pd

        if io.Z is None or io.Y is None:
            raise InputError("The pymrio system needs Z and Y (call calc_system() or load flows first).")
        z = io.Z
        regions = list(dict.fromkeys(str(r) for r in z.index.get_level_values(0)))
        sectors = list(dict.fromkeys(str(s) for s in z.index.get_level_values(1)))
        y = io.Y.reindex(index=z.index)
        ycats = list(dict.fromkeys(str(c) for c in y.columns.get_level_values(1)))
        special = [c for c in (exports_category, error_category) if c is not None and c in ycats]
        fd_cats = [c for c in ycats if c not in special]
        g, n_sec = len(regions), len(sectors)
        n = g * n_sec

        def own_column(cat: str | None) -> np.ndarray | None:
            if cat is None or cat not in ycats:
                return None
            block = y.xs(cat, axis=1, level=1).reindex(columns=regions).fillna(0.0).to_numpy(dtype=np.float64)
            out = np.zeros(n)
            for r in range(g):
                own = slice(r * n_sec, (r + 1) * n_sec)
                out[own] = block[own, r]
                other = np.delete(block[:, r], np.arange(r * n_sec, (r + 1) * n_sec))
                if np.any(other != 0):
                    raise DataFormatError(f"Category {cat!r} of region {regions[r]} has entries from other regions; "
                                          "exports abroad must be in the exporting region's own column.")
            return out

        yfd = y.loc[:, y.columns.get_level_values(1).isin(fd_cats)]
        yfd.columns = pd.MultiIndex.from_tuples([(str(a), str(b)) for a, b in yfd.columns], names=["region", "category"])
        zf = z.copy()
        zf.index = pd.MultiIndex.from_tuples([(str(a), str(b)) for a, b in z.index], names=["region", "sector"])
        zf.columns = zf.index
        yfd.index = zf.index
        ext = getattr(io, extension, None)
        if ext is None or getattr(ext, "F", None) is None:
            va = pd.DataFrame(np.zeros((1, n)), index=["VA"], columns=zf.index)
            im = None
        else:
            f = ext.F.copy()
            f.columns = zf.index
            f.index = [str(i) for i in f.index]
            im = f.loc[imports_row] if imports_row is not None and imports_row in f.index else None
            rows = list(value_added_rows) if value_added_rows is not None else [r for r in f.index if r != imports_row]
            missing = [r for r in rows if r not in f.index]
            if missing:
                raise MissingRowError(f"Rows {missing} are not in extension {extension!r}; rows: {list(f.index)}.")
            va = f.loc[rows]
        x = None
        if io.x is not None:
            x = pd.Series(np.asarray(io.x, dtype=np.float64).reshape(-1), index=zf.index)
        e = own_column(exports_category)
        err = own_column(error_category)
        return cls.from_frames(zf, yfd, VA=va,
                               E=None if e is None else pd.Series(e, index=zf.index),
                               IM=None if im is None else pd.Series(np.asarray(im, dtype=np.float64), index=zf.index),
                               x=x, ERR=None if err is None else pd.Series(err, index=zf.index), **meta)
