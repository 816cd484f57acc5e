"""Result objects shared by the estimators and the table builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ModelResult",
]


@dataclass
class ModelResult:
    """One fitted regression, detached from the estimator that produced it.

    ``coefs`` is a DataFrame indexed by term (the constant is ``"Intercept"``) with the
    columns ``estimate``, ``std_error``, ``t_stat``, ``p_value``, ``ci_low``, ``ci_high``
    (95 %). ``fixed_effects`` lists the absorbed effects (e.g. ``["year"]``);
    ``vcov`` describes the standard errors (``"iid"``, ``"hetero"``, ``"CRV1:province"``,
    ``"DK(lag=2)"``...). ``r2`` and ``adj_r2`` are the overall (inclusive of fixed
    effects) measures; ``r2_within``/``adj_r2_within`` the within ones (None without
    fixed effects). ``extra`` holds anything else worth reporting (e.g. wild-bootstrap
    p-values, singleton observations dropped). ``model`` keeps the pyfixest object.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import fit_panel
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> res = fit_panel(df, "sl", ["vag", "ln_gdp_pc"], fe="year", vcov="cluster")
    >>> round(res.value("vag"), 4), round(res.value("vag", "p_value"), 4)
    (0.0398, 0.0)
    >>> print(res.summary())
    sl ~ vag + ln_gdp_pc | year: sl ~ vag + ln_gdp_pc | year
    N = 390, fixed effects: year, vcov: CRV1:province
    R2 = 0.3515, adj. R2 (overall) = 0.3273, adj. R2 (within) = 0.2429
               estimate  std_error  t_stat  p_value  ci_low  ci_high
    term
    vag          0.0398     0.0070  5.6551   0.0000  0.0254   0.0542
    ln_gdp_pc   -0.0034     0.0144 -0.2332   0.8173 -0.0328   0.0261
    """

    name: str
    depvar: str
    coefs: pd.DataFrame
    nobs: int
    r2: float
    adj_r2: float
    r2_within: float | None = None
    adj_r2_within: float | None = None
    fixed_effects: list[str] = field(default_factory=list)
    vcov: str = "iid"
    formula: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    model: Any = field(default=None, repr=False)

    def value(self, term: str, column: str = "estimate") -> float:
        """One number of the coefficient table, e.g. ``value("vag", "std_error")``."""
        return float(self.coefs[column].to_numpy(dtype=float)[self.coefs.index.get_loc(term)])

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table (copy)."""
        return self.coefs.copy()

    def summary(self) -> str:
        """Plain-text summary: coefficients, SEs, p-values, N, R²."""
        fe = ", ".join(self.fixed_effects) if self.fixed_effects else "none"
        lines = [
            f"{self.name}: {self.formula or self.depvar}",
            f"N = {self.nobs}, fixed effects: {fe}, vcov: {self.vcov}",
            f"R2 = {self.r2:.4f}, adj. R2 (overall) = {self.adj_r2:.4f}"
            + (f", adj. R2 (within) = {self.adj_r2_within:.4f}" if self.adj_r2_within is not None else ""),
            self.coefs.to_string(float_format=lambda x: f"{x:.4f}"),
        ]
        return "\n".join(lines)
