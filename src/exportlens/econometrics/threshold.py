r"""Hansen (1999) fixed-effects panel threshold regression (one, two or three thresholds).

Model (balanced panel, entity i = 1..n, period t = 1..T, threshold variable q, regime
variable x, regime-independent controls z):

.. math::
    y_{it} = \mu_i + z_{it}'\theta + \sum_{r=1}^{k+1} \beta_r x_{it}
             1(\gamma_{r-1} < q_{it} \le \gamma_r) + e_{it},
    \qquad \gamma_0 = -\infty,\ \gamma_{k+1} = +\infty.

Estimation is concentrated least squares after the within transformation: for candidate
thresholds the sum of squared residuals :math:`S(\gamma)` is minimised over a trimmed grid.

How the SSR of every grid point is computed at once
---------------------------------------------------
Because :math:`x 1(q \le \gamma_1)` and :math:`x 1(\gamma_1 < q \le \gamma_2)` span the same
space as :math:`x` and :math:`x 1(q \le \gamma_2) - x 1(q \le \gamma_1)`, every model is the
base regression on :math:`F = [x^*, z^*]` (``*`` = within transformation) plus the columns
:math:`v_g = (x\,1(q \le \gamma_g))^*` of its thresholds. With :math:`M` the residual maker of
:math:`F`, :math:`e = M y^*`, :math:`n_g = e'v_g` and :math:`C_{gh} = v_g'Mv_h`, the SSR of
the model with threshold set :math:`s` is

.. math:: S(s) = e'e - n_s' C_{ss}^{-1} n_s .

Sorting the observations by q once, :math:`n_g`, :math:`F'v_g` and the entity sums of
:math:`x 1(q \le \gamma_g)` (which give :math:`v_g'v_h` through the within transformation) are
cumulative sums, so C (grid x grid) costs one pass over the data, and each additional
threshold is a vectorised rank-one update. The bootstrap reuses C (the regressors are fixed)
and only recomputes n for all draws with one matrix product.

References
----------
Hansen, B. E. (1999). Threshold effects in non-dynamic panels: estimation, testing, and
inference. *Journal of Econometrics* 93(2), 345-368.
Hansen, B. E. (2000). Sample splitting and threshold estimation. *Econometrica* 68(3),
575-603 (the LR confidence region and :math:`c(\alpha) = -2\ln(1-\sqrt{1-\alpha})`).
Wang, Q. (2015). Fixed-effect panel threshold model using Stata. *Stata Journal* 15(1),
121-134 (``xthreg``: default trim 0.01 per threshold, grid 300).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.econometrics.inputs import as_name_list
from exportlens.econometrics.panel import fit_panel
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError, UnbalancedPanelError
from exportlens.validation import check_numeric_columns, require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ThresholdResult",
    "lr_critical_value",
    "threshold_regression",
    "threshold_ssr_grid",
]


def lr_critical_value(level: float = 0.95) -> float:
    r"""Critical value of Hansen's LR statistic for a threshold: :math:`c(\alpha) = -2\ln(1-\sqrt{1-\alpha})`.

    ``level`` = 1 - alpha (0.95 -> 7.35, 0.90 -> 5.94, 0.99 -> 10.59). Hansen (2000), Table 1;
    Hansen (1999), eq. (14).

    Examples
    --------
    >>> from exportlens.econometrics import lr_critical_value
    >>> round(lr_critical_value(0.95), 2), round(lr_critical_value(0.90), 2)
    (7.35, 5.94)
    """
    if not 0 < level < 1:
        raise InputError(f"level must lie in (0, 1), got {level!r}.")
    return float(-2.0 * math.log(1.0 - math.sqrt(level)))


# --------------------------------------------------------------------------------------------
# the SSR machinery
# --------------------------------------------------------------------------------------------


@dataclass
class _Design:
    """Within-transformed base regressors and the cumulative-sum objects of the grid."""

    n_ent: int
    n_time: int
    ystar: np.ndarray  # (n,)
    fstar: np.ndarray  # (n, k)
    x: np.ndarray  # regime variable (raw)
    q: np.ndarray
    ent: np.ndarray  # entity code per row
    grid: np.ndarray  # threshold candidates
    cnt: np.ndarray  # number of obs with q <= grid[g]
    order: np.ndarray  # argsort of q (stable)
    C: np.ndarray  # (G, G) v_g' M v_h
    chol: Any  # cho_factor of F'F
    min_obs: int

    def residual_base(self, Y: np.ndarray) -> np.ndarray:
        """M Y for one vector or a matrix of columns."""
        import scipy.linalg

        return Y - self.fstar @ scipy.linalg.cho_solve(self.chol, self.fstar.T @ Y)

    def numerators(self, E: np.ndarray) -> np.ndarray:
        """n_g = e'v_g = sum_{q_j <= grid_g} e_j x_j for residual columns E (n,) or (n, B) -> (G,) or (G, B)."""
        ex = E * (self.x if E.ndim == 1 else self.x[:, None])
        cs = np.cumsum(ex[self.order], axis=0)
        return cs[self.cnt - 1]

    def v(self, g: int) -> np.ndarray:
        """The within-transformed column v_g = (x 1(q <= grid_g))*."""
        col = self.x * (self.q <= self.grid[g])
        means = np.bincount(self.ent, weights=col, minlength=self.n_ent) / self.n_time
        return col - means[self.ent]


def _build_design(ystar, fstar, x, q, ent, n_ent, n_time, grid, min_obs) -> _Design:
    import scipy.linalg

    order = np.argsort(q, kind="stable")
    qs = q[order]
    cnt = np.searchsorted(qs, grid, side="right")
    xs = x[order]
    # entity partial sums of x 1(q <= grid_g): segment the sorted rows by grid point
    seg = np.searchsorted(grid, qs, side="left")  # rows with q <= grid[g] have seg <= g
    G = len(grid)
    ent_s = ent[order]
    inside = seg < G
    part = np.zeros((G, n_ent))
    np.add.at(part, (seg[inside], ent_s[inside]), xs[inside])
    S = np.cumsum(part, axis=0)  # (G, n_ent)
    cx2 = np.cumsum(xs * xs)[cnt - 1]  # sum x^2 1(q <= grid_g)
    Fx = np.cumsum(fstar[order] * xs[:, None], axis=0)[cnt - 1]  # (G, k) = F'(x d_g)
    chol = scipy.linalg.cho_factor(fstar.T @ fstar)
    idx = np.arange(G)
    vv = cx2[np.minimum.outer(idx, idx)] - (S @ S.T) / n_time
    C = vv - Fx @ scipy.linalg.cho_solve(chol, Fx.T)
    return _Design(n_ent, n_time, ystar, fstar, x, q, ent, grid, cnt, order, C, chol, min_obs)


def _scan(d: _Design, num: np.ndarray, s0: np.ndarray, fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SSR of adding each grid point to the fixed thresholds, for B response columns at once.

    num (G, B), s0 (B,), fixed (B, m) grid indices (m = 0, 1 or 2). Returns (ssr (B, G) with
    inadmissible points = inf, ssr of the fixed model (B,)).
    """
    G, B = num.shape
    m = fixed.shape[1]
    cols = np.arange(B)
    Cd = np.diag(d.C)
    numT = num.T  # (B, G)
    s_fixed = s0.copy()
    n_cur = numT.copy()
    c_diag = np.broadcast_to(Cd, (B, G)).copy()
    basis_rows: list[np.ndarray] = []  # orthogonalised C rows of the fixed columns, (B, G)
    basis_diag: list[np.ndarray] = []
    for j in range(m):  # Gram-Schmidt of the fixed columns in the metric C, per draw
        a = fixed[:, j]
        row = d.C[a, :].copy()  # (B, G): C[a_j, g]
        for r_prev, dg_prev in zip(basis_rows, basis_diag, strict=True):
            row -= r_prev[cols, a][:, None] * r_prev / dg_prev[:, None]
        daa = row[cols, a]
        na = n_cur[cols, a]
        s_fixed = s_fixed - na * na / daa
        n_cur = n_cur - row * (na / daa)[:, None]
        c_diag = c_diag - row * row / daa[:, None]
        basis_rows.append(row)
        basis_diag.append(daa)
    with np.errstate(divide="ignore", invalid="ignore"):
        ssr = s_fixed[:, None] - n_cur * n_cur / c_diag
    ok = np.ones((B, G), dtype=bool)
    for j in range(m):
        gap = np.abs(d.cnt[None, :] - d.cnt[fixed[:, j]][:, None])
        ok &= gap >= d.min_obs
    ok &= c_diag > 1e-12 * np.maximum(Cd, 1e-300)[None, :]
    ssr = np.where(ok, ssr, np.inf)
    return ssr, s_fixed


def _sequential(d: _Design, num: np.ndarray, s0: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hansen's sequential estimates without refinement, for B columns: (indices (B, k), SSR (B, k+1))."""
    B = num.shape[1]
    idx = np.zeros((B, 0), dtype=int)
    ssrs = [s0]
    for _ in range(k):
        ssr, _s = _scan(d, num, s0, idx)
        best = np.argmin(ssr, axis=1)
        ssrs.append(ssr[np.arange(B), best])
        idx = np.column_stack([idx, best])
    return idx, np.column_stack(ssrs)


def threshold_ssr_grid(d_or_result: Any, fixed: Sequence[int] = ()) -> np.ndarray:
    """Concentrated SSR at every grid point given fixed thresholds (grid indices).

    ``d_or_result`` is a :class:`ThresholdResult` (uses its stored design). Returns an array
    of length len(grid) (``inf`` where inadmissible: too few observations between thresholds).

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import threshold_regression, threshold_ssr_grid
    >>> df = make_identification_demo()
    >>> res = threshold_regression(df, "sl_threshold", "vag", "rd_intensity", grid=50, n_draws=0)
    >>> ssr = threshold_ssr_grid(res)
    >>> len(ssr), bool(np.isclose(ssr.min(), res.ssr["S1"]))  # the minimum is the fitted SSR
    (50, True)
    """
    d = d_or_result.design if isinstance(d_or_result, ThresholdResult) else d_or_result
    e0 = d.residual_base(d.ystar)
    num = d.numerators(e0)[:, None]
    ssr, _ = _scan(d, num, np.array([e0 @ e0]), np.asarray(list(fixed), dtype=int).reshape(1, -1))
    return ssr[0]


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------


@dataclass
class ThresholdResult:
    """Fixed-effects panel threshold regression (see :func:`threshold_regression`).

    ``thresholds`` (sorted estimates), ``ci`` (LR confidence intervals, one (low, high) per
    threshold), ``lr`` (DataFrame ``gamma`` x one LR column per threshold), ``tests``
    (DataFrame: F, p-value, bootstrap critical values 10/5/1 %, draws; rows "0 vs 1",
    "1 vs 2", "2 vs 3"), ``regimes`` (bounds, observations, coefficient, SE per regime),
    ``model`` (the final regression as a ModelResult; entity FE, SEs clustered by entity).

    Examples
    --------
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import threshold_regression
    >>> df = make_identification_demo()
    >>> res = threshold_regression(df, "sl_threshold", "vag", "rd_intensity", grid=50, n_draws=0)
    >>> res.n_entities, res.n_periods, res.grid_size
    (30, 14, 50)
    >>> print(res.summary())
    Panel threshold regression (Hansen 1999): sl_threshold on vag by regimes of rd_intensity; ...
               estimate  ci_low  ci_high
    threshold
    gamma1       2.8064  2.8064   2.8064
                  F  p_value  crit_10  crit_5  crit_1  draws
    test
    0 vs 1 121.0767      NaN      NaN     NaN     NaN      0
             lower  upper  n_obs  estimate  std_error  p_value  share
    regime
    regime1   -inf 2.8064    257   -0.0219     0.0325   0.5066 0.6119
    regime2 2.8064    inf    163   -0.1470     0.0242   0.0000 0.3881
    Grid: 50 candidate thresholds ...
    LR confidence intervals at 0.95: grid points with LR <= 7.352 = -2 ln(1 - sqrt(0.95)).
    """

    depvar: str
    regime_var: str
    threshold_var: str
    controls: list[str]
    n_thresholds: int
    thresholds: list[float]
    ci: list[tuple[float, float]]
    level: float
    lr: pd.DataFrame
    tests: pd.DataFrame
    regimes: pd.DataFrame
    model: ModelResult
    ssr: dict[str, float]
    grid_size: int
    trim: float
    n_draws: int
    seed: int | None
    n_entities: int
    n_periods: int
    notes: list[str] = field(default_factory=list)
    design: Any = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Threshold estimates with their LR confidence intervals."""
        import pandas as pd

        return pd.DataFrame(
            {"estimate": self.thresholds, "ci_low": [c[0] for c in self.ci], "ci_high": [c[1] for c in self.ci]},
            index=pd.Index([f"gamma{j + 1}" for j in range(self.n_thresholds)], name="threshold"),
        )

    def summary(self) -> str:
        """Plain-text summary: thresholds, tests, regimes."""
        return "\n".join(
            [
                f"Panel threshold regression (Hansen 1999): {self.depvar} on {self.regime_var} by regimes of {self.threshold_var}; "
                f"n = {self.n_entities}, T = {self.n_periods}, grid {self.grid_size}, trim {self.trim}, {self.n_draws} bootstrap draws (seed {self.seed})",
                self.to_frame().to_string(float_format=lambda x: f"{x:.4f}"),
                self.tests.to_string(float_format=lambda x: f"{x:.4f}"),
                self.regimes.to_string(float_format=lambda x: f"{x:.4f}"),
                *self.notes,
            ]
        )


# --------------------------------------------------------------------------------------------
# estimation
# --------------------------------------------------------------------------------------------


def _check_balanced(data: pd.DataFrame, entity: str, time: str, entities: Any, periods: Any) -> None:
    """Raise unless ``data`` has exactly one row for every entity x period of the input."""
    import pandas as pd

    dup = data.duplicated([entity, time])
    if dup.any():
        ex = data.loc[dup, [entity, time]].head(5).to_records(index=False).tolist()
        raise InputError(f"The panel has duplicate ({entity}, {time}) rows, e.g. {ex}; keep one row per entity and period.")
    full = pd.MultiIndex.from_product([list(entities), sorted(periods)], names=[entity, time])
    have = pd.MultiIndex.from_frame(data[[entity, time]])
    missing = full.difference(have)
    if len(missing):
        shown = ", ".join(f"{e} {t}" for e, t in list(missing)[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        raise UnbalancedPanelError(
            f"The threshold model needs a balanced panel (Hansen 1999), but {len(missing)} {entity}-{time} cell(s) are missing or have missing values: {shown}{more}; fill them or restrict the sample to complete {entity}s and {time}s."
        )


def _make_grid(q: np.ndarray, trim: float, grid: int | None) -> np.ndarray:
    lo, hi = np.quantile(q, [trim, 1.0 - trim], method="inverted_cdf")
    cand = np.unique(q[(q >= lo) & (q <= hi)])
    cand = cand[cand < q.max()]  # a threshold at the maximum leaves the upper regime empty
    if grid is None:
        if len(cand) > 3000:  # the grid x grid cross-product matrix would need > 70 MB
            raise InputError(
                f"The threshold variable has {len(cand)} distinct values in the trimmed range; grid=None would use all of them. Pass grid=<number of points> (e.g. 300 or 1000)."
            )
        return cand
    if len(cand) < grid:
        raise InputError(
            f"The threshold variable has {len(cand)} distinct value(s) between its {trim:g} and {1 - trim:g} quantiles, fewer than the grid of {grid} points needs; pass a smaller grid (or grid=None to use every distinct value)."
        )
    pick = np.unique(np.round(np.linspace(0, len(cand) - 1, grid)).astype(int))
    return cand[pick]


def threshold_regression(
    df: pd.DataFrame,
    depvar: str,
    regime_var: str,
    threshold_var: str,
    controls: str | Sequence[str] | None = None,
    *,
    n_thresholds: int = 1,
    entity: str = "province",
    time: str = "year",
    time_effects: bool = False,
    trim: float = 0.01,
    grid: int | None = 300,
    n_draws: int = 300,
    seed: int | None = 12345,
    level: float = 0.95,
    refine: bool = True,
) -> ThresholdResult:
    r"""Hansen (1999) fixed-effects panel threshold regression.

    Parameters
    ----------
    df : balanced long panel (one row per entity and period, no missing values in the used
        columns).
    depvar : outcome; regime_var : the regressor whose coefficient changes between regimes
        (e.g. ``"vag"``); threshold_var : q (e.g. R&D intensity); controls : regime-independent.
    n_thresholds : 1, 2 or 3.
    time_effects : add period dummies (within-transformed) to the controls, as ``xthreg``'s
        ``i.year`` (Hansen 1999 has entity effects only).
    trim : fraction of observations trimmed from each end of q and the minimum share of
        observations in every regime (``xthreg`` default 0.01).
    grid : number of candidate thresholds, evenly spaced over the sorted distinct values of
        q between the ``trim`` and ``1 - trim`` quantiles (``xthreg`` default 300); ``None``
        uses every distinct value.
    n_draws, seed : bootstrap draws and ``numpy.random.default_rng`` seed of the F tests
        (0 skips the bootstrap).
    level : level of the LR confidence intervals.
    refine : Hansen's refinement of the first threshold given the second (double and triple).

    Method
    ------
    * Within transformation :math:`w^* = w_{it} - \bar w_i` of y, the regime columns and the
      controls; :math:`\hat\gamma = \arg\min S(\gamma)` over the grid (SSR of all grid
      points at once, see the module docstring).
    * Sequential estimation (Hansen 1999, section 4): :math:`\hat\gamma_1` from the single
      model; :math:`\hat\gamma_2` minimises :math:`S_2^r(\gamma_2 | \hat\gamma_1)`;
      refinement :math:`\hat\gamma_1^r` minimises :math:`S_1^r(\gamma_1 | \hat\gamma_2^r)`;
      the third threshold given the refined pair (not refined).
    * LR confidence region of each threshold: :math:`LR(\gamma) = (S(\gamma) - S(\hat\gamma)) /
      \hat\sigma^2`, :math:`\hat\sigma^2 = S(\hat\gamma) / (n(T-1))`, on the curve that
      estimated it; the interval spans the grid points with :math:`LR \le c(\alpha) =
      -2\ln(1-\sqrt{1-\alpha})` (:func:`lr_critical_value`).
    * Tests of k against k + 1 thresholds: :math:`F_{k+1} = (S_k - S_{k+1}) / \hat\sigma^2_{k+1}`
      with the sequential (unrefined) SSRs, p-value by Hansen's fixed-regressor bootstrap:
      regressors and q fixed, the within residuals of the (k+1)-threshold model grouped by
      entity, n entities' residual vectors drawn with replacement as the dependent variable
      (the F statistic does not depend on the null coefficients), both models re-estimated
      (thresholds included) and F recomputed on each draw; p = share of draws with a larger F.

    Returns
    -------
    ThresholdResult

    Raises
    ------
    UnbalancedPanelError
        Missing entity-period cells (named in the message).
    InputError
        Fewer distinct values of q than the grid needs; invalid arguments.
    MissingColumnError
        A named column is not in ``df``.

    References
    ----------
    Hansen, B. E. (1999). Threshold effects in non-dynamic panels: estimation, testing, and
    inference. *Journal of Econometrics* 93(2), 345-368.
    Wang, Q. (2015). Fixed-effect panel threshold model using Stata. *Stata Journal* 15(1).

    Examples
    --------
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import threshold_regression
    >>> df = make_identification_demo()
    >>> res = threshold_regression(df, "sl_threshold", "vag", "rd_intensity", ["ln_gdp_pc"],
    ...                            grid=50, n_draws=19, seed=1)
    >>> [round(g, 3) for g in res.thresholds]  # the SYNTHETIC DGP has thresholds 1.5 and 2.8
    [2.806]
    >>> res.regimes.round(3)
             lower  upper  n_obs  estimate  std_error  p_value  share
    regime
    regime1   -inf  2.806    257     0.004      0.045    0.929  0.612
    regime2  2.806    inf    163    -0.120      0.041    0.006  0.388
    """
    import pandas as pd

    ctrl = as_name_list(controls)
    if n_thresholds not in (1, 2, 3):
        raise InputError(f"n_thresholds must be 1, 2 or 3, got {n_thresholds!r}.")
    if not 0 <= trim < 0.25:
        raise InputError(f"trim must lie in [0, 0.25), got {trim!r}.")
    if grid is not None and (not isinstance(grid, (int, np.integer)) or grid < 3):
        raise InputError(f"grid must be an integer >= 3 or None, got {grid!r}.")
    if not isinstance(n_draws, (int, np.integer)) or n_draws < 0:
        raise InputError(f"n_draws must be a non-negative integer, got {n_draws!r}.")
    require_columns(df, [depvar], what="dependent variable")
    require_columns(df, [regime_var], what="regime variable")
    require_columns(df, [threshold_var], what="threshold variable")
    require_columns(df, ctrl, what="control")
    require_columns(df, [entity, time], what="panel column")
    if len({depvar, regime_var, *ctrl}) != 2 + len(ctrl):
        raise InputError("The outcome, the regime variable and the controls must be different columns.")
    check_numeric_columns(df, list(dict.fromkeys([depvar, regime_var, threshold_var, *ctrl])))

    used = list(dict.fromkeys([entity, time, depvar, regime_var, threshold_var, *ctrl]))
    data = df.loc[:, used]
    complete = ~data.isna().any(axis=1).to_numpy()
    _check_balanced(data.loc[complete], entity, time, pd.unique(data[entity]), pd.unique(data[time]))
    data = data.loc[complete].sort_values([entity, time], kind="stable").reset_index(drop=True)
    n_ent = int(data[entity].nunique())
    n_time = int(data[time].nunique())
    if n_time < 2 or n_ent < 2:
        raise InputError(f"The threshold model needs at least 2 entities and 2 periods; got {n_ent} and {n_time}.")
    ent = pd.factorize(data[entity])[0]
    n = len(data)

    def within(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        if a.ndim == 1:
            return a - (np.bincount(ent, weights=a, minlength=n_ent) / n_time)[ent]
        means = np.zeros((n_ent, a.shape[1]))
        np.add.at(means, ent, a)
        return a - (means / n_time)[ent]

    y = data[depvar].to_numpy(dtype=float)
    x = data[regime_var].to_numpy(dtype=float)
    q = data[threshold_var].to_numpy(dtype=float)
    zcols = [data[c].to_numpy(dtype=float) for c in ctrl]
    time_dummy_names: list[str] = []
    if time_effects:
        tvals = np.sort(data[time].drop_duplicates().to_numpy())
        for tv in tvals[1:]:
            zcols.append((data[time].to_numpy() == tv).astype(float))
            time_dummy_names.append(f"{time}={tv}")
    fstar = within(np.column_stack([x, *zcols]))
    ystar = within(y)
    grid_vals = _make_grid(q, trim, grid)
    min_obs = max(1, math.ceil(trim * n))
    d = _build_design(ystar, fstar, x, q, ent, n_ent, n_time, grid_vals, min_obs)

    e0 = d.residual_base(ystar)
    s0 = float(e0 @ e0)
    num = d.numerators(e0)[:, None]
    s0a = np.array([s0])
    dof = n_ent * (n_time - 1)
    crit = lr_critical_value(level)
    notes: list[str] = []

    def curve(fixed: list[int]) -> np.ndarray:
        ssr, _ = _scan(d, num, s0a, np.asarray(fixed, dtype=int).reshape(1, -1))
        return ssr[0]

    # sequential estimates (also the test statistics' SSRs)
    seq_idx, seq_ssr = _sequential(d, num, s0a, n_thresholds)
    seq_idx, seq_ssr = seq_idx[0], seq_ssr[0]
    curves: dict[str, np.ndarray] = {}
    final_idx: list[int] = []
    if n_thresholds == 1:
        final_idx = [int(seq_idx[0])]
        curves["gamma1"] = curve([])
    else:
        g1 = int(seq_idx[0])
        c2 = curve([g1])
        g2 = int(np.argmin(c2))
        if refine:
            c1r = curve([g2])
            g1 = int(np.argmin(c1r))
        else:
            c1r = curve([g2])
        pair = sorted([g1, g2])
        final_idx = pair
        # each LR curve belongs to the threshold it estimated; order by value
        lab = {g1: c1r, g2: c2}
        if n_thresholds == 3:
            c3 = curve(pair)
            g3 = int(np.argmin(c3))
            lab[g3] = c3
            final_idx = sorted([*pair, g3])
        for j, gi in enumerate(final_idx):
            curves[f"gamma{j + 1}"] = lab[gi]
    thresholds = [float(grid_vals[i]) for i in final_idx]
    lr_frame = pd.DataFrame({"gamma": grid_vals})
    ci: list[tuple[float, float]] = []
    for j in range(len(final_idx)):
        cv = curves[f"gamma{j + 1}"]
        smin = float(np.min(cv))
        lr = (cv - smin) / (smin / dof)
        lr_frame[f"lr_gamma{j + 1}"] = np.where(np.isfinite(lr), lr, np.nan)
        inside = grid_vals[np.isfinite(lr) & (lr <= crit)]
        ci.append((float(inside.min()), float(inside.max())))

    # bootstrap F tests k vs k+1, k = 0..n_thresholds-1
    test_rows = []
    rng = np.random.default_rng(seed)
    for k in range(n_thresholds):
        s_k, s_k1 = float(seq_ssr[k]), float(seq_ssr[k + 1])
        f_obs = (s_k - s_k1) / (s_k1 / dof)
        row = {"test": f"{k} vs {k + 1}", "F": f_obs, "p_value": np.nan, "crit_10": np.nan, "crit_5": np.nan, "crit_1": np.nan, "draws": int(n_draws)}
        if n_draws:
            alt = [int(i) for i in seq_idx[: k + 1]]
            V = np.column_stack([d.v(i) for i in alt])
            Xalt = np.column_stack([fstar, V])
            resid = ystar - Xalt @ np.linalg.lstsq(Xalt, ystar, rcond=None)[0]
            R = resid.reshape(n_ent, n_time)  # rows sorted by (entity, time)
            draw = rng.integers(0, n_ent, size=(n_draws, n_ent))
            Yb = R[draw].reshape(n_draws, n).T  # (n, B)
            Eb = d.residual_base(Yb)
            s0b = np.einsum("ij,ij->j", Eb, Eb)
            numb = d.numerators(Eb)
            _, ssr_b = _sequential(d, numb, s0b, k + 1)
            f_b = (ssr_b[:, k] - ssr_b[:, k + 1]) / (ssr_b[:, k + 1] / dof)
            row["p_value"] = float(np.mean(f_b >= f_obs))
            row["crit_10"], row["crit_5"], row["crit_1"] = (float(v) for v in np.quantile(f_b, [0.90, 0.95, 0.99]))
        test_rows.append(row)
    tests = pd.DataFrame(test_rows).set_index("test")

    # final regression with regime columns (entity FE, clustered by entity)
    bounds = [-np.inf, *thresholds, np.inf]
    reg_names = []
    fit_df = data.copy()
    for r in range(len(thresholds) + 1):
        nm = f"{regime_var}_regime{r + 1}"
        mask = (q > bounds[r]) & (q <= bounds[r + 1])
        fit_df[nm] = x * mask
        reg_names.append(nm)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        model = fit_panel(fit_df, depvar, [*reg_names, *ctrl], fe="twoway" if time_effects else "entity", entity=entity, time=time, vcov="cluster", drop_singletons=False, warn=False, name=f"Threshold model ({len(thresholds)} threshold(s))")
    model.extra["key_terms"] = reg_names
    regimes = pd.DataFrame(
        {
            "regime": [f"regime{r + 1}" for r in range(len(reg_names))],
            "lower": bounds[:-1],
            "upper": bounds[1:],
            "n_obs": [int(((q > bounds[r]) & (q <= bounds[r + 1])).sum()) for r in range(len(reg_names))],
            "estimate": model.coefs.loc[reg_names, "estimate"].to_numpy(),
            "std_error": model.coefs.loc[reg_names, "std_error"].to_numpy(),
            "p_value": model.coefs.loc[reg_names, "p_value"].to_numpy(),
        }
    ).set_index("regime")
    regimes["share"] = regimes["n_obs"] / n
    ssr = {f"S{j}": float(seq_ssr[j]) for j in range(len(seq_ssr))}
    ssr["S_final"] = float(np.sum(np.asarray(model.model.resid(), dtype=float) ** 2))
    notes.append(
        f"Grid: {len(grid_vals)} candidate thresholds (distinct values of {threshold_var} between its {trim:g} and {1 - trim:g} quantiles); every regime holds at least {min_obs} observations."
    )
    notes.append(f"LR confidence intervals at {level:g}: grid points with LR <= {crit:.3f} = -2 ln(1 - sqrt({level:g})).")
    if n_draws:
        notes.append(f"F tests: Hansen's fixed-regressor bootstrap, {n_draws} draws of whole {entity} residual vectors, seed {seed}; sequential (unrefined) SSRs.")
    if time_effects:
        notes.append(f"Period dummies ({len(time_dummy_names)}) included as regime-independent controls.")
    return ThresholdResult(
        depvar=depvar, regime_var=regime_var, threshold_var=threshold_var, controls=ctrl, n_thresholds=n_thresholds,
        thresholds=thresholds, ci=ci, level=level, lr=lr_frame, tests=tests, regimes=regimes, model=model, ssr=ssr,
        grid_size=len(grid_vals), trim=trim, n_draws=int(n_draws), seed=seed, n_entities=n_ent, n_periods=n_time,
        notes=notes, design=d,
    )


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------
