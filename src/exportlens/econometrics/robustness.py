"""Robustness across specifications: collect one coefficient from many fits into a tidy
frame (the input of a specification curve) and a robustness table (one column per
specification).

A specification is a name, a producer of a fitted :class:`ModelResult` - a callable taking
no arguments, or a dict of :func:`~exportlens.econometrics.fit_panel` keyword arguments
(``{"depvar": "sl", "regressors": ["vag", ...], "fe": "year", "vcov": "cluster", ...}``;
the data are the ``data`` argument or the dict's ``"df"`` entry) - the name of the key
coefficient in that fit (default: the common ``term``), a description (str or
``{"en": ..., "zh": ...}``) and its choices (``{"outcome": "SL k=3", "sample": "all"}``),
which the specification-curve figure shows as a dot matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exportlens.econometrics.panel import fit_panel
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Specification",
    "SpecificationResults",
    "run_specifications",
]


@dataclass
class Specification:
    """One specification: ``fit`` is a zero-argument callable returning a ModelResult or a
    dict of ``fit_panel`` keyword arguments; ``term`` the key coefficient's name in that fit
    (None: the common term of :func:`run_specifications`).

    Examples
    --------
    >>> from exportlens.econometrics import Specification
    >>> spec = Specification("year FE", {"depvar": "sl", "regressors": ["vag"], "fe": "year"},
    ...                      description={"en": "Year fixed effects", "zh": "年份固定效应"})
    >>> spec.describe("en"), spec.describe("zh")
    ('Year fixed effects', '年份固定效应')
    """

    name: str
    fit: Callable[[], ModelResult] | Mapping[str, Any]
    term: str | None = None
    description: str | Mapping[str, str] | None = None
    choices: dict[str, str] = field(default_factory=dict)

    def describe(self, lang: str = "en") -> str:
        """Description in ``lang`` (falls back to the English one, then the name)."""
        d = self.description
        if d is None:
            return self.name
        if isinstance(d, str):
            return d
        return str(d.get(lang) or d.get("en") or self.name)


@dataclass
class SpecificationResults:
    """Fits of several specifications and the tidy frame of their key coefficient.

    ``frame`` columns: ``name``, ``term``, ``estimate``, ``std_error``, ``t_stat``,
    ``p_value``, ``ci_low``, ``ci_high``, ``nobs``, ``vcov``, ``fixed_effects``,
    ``description``, then one column per choice dimension (``frame.attrs["choices"]``).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import run_specifications
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> out = run_specifications(
    ...     [{"name": "base", "fit": {"depvar": "sl", "regressors": ["vag"], "fe": "year"}},
    ...      {"name": "controls", "fit": {"depvar": "sl", "regressors": ["vag", "ln_gdp_pc"],
    ...                                   "fe": "year"}}], "vag", data=df)
    >>> list(out.results)
    ['base', 'controls']
    >>> print(out.summary())
        name  estimate  std_error  ci_low  ci_high  nobs
        base    0.0390     0.0035  0.0321   0.0459   390
    controls    0.0398     0.0040  0.0319   0.0478   390
    """

    frame: pd.DataFrame
    results: dict[str, ModelResult]
    specifications: list[Specification]
    level: float

    def to_frame(self) -> pd.DataFrame:
        """The tidy frame (copy)."""
        return self.frame.copy()

    def summary(self) -> str:
        """Plain-text listing."""
        cols = ["name", "estimate", "std_error", "ci_low", "ci_high", "nobs"]
        return self.frame[cols].to_string(index=False, float_format=lambda x: f"{x:.4f}")


def _as_spec(item: Specification | Mapping[str, Any]) -> Specification:
    if isinstance(item, Specification):
        return item
    if isinstance(item, Mapping):
        unknown = set(item) - {"name", "fit", "term", "description", "choices"}
        if unknown or "name" not in item or "fit" not in item:
            raise InputError(f"A specification needs 'name' and 'fit' (optional 'term', 'description', 'choices'); got keys {sorted(item)}.")
        return Specification(name=str(item["name"]), fit=item["fit"], term=item.get("term"), description=item.get("description"), choices=dict(item.get("choices") or {}))
    raise InputError(f"Specifications must be Specification objects or dicts, got {type(item).__name__}.")


def run_specifications(
    specifications: Sequence[Specification | Mapping[str, Any]],
    term: str | None = None,
    *,
    data: pd.DataFrame | None = None,
    level: float = 0.95,
) -> SpecificationResults:
    r"""Fit every specification and collect its key coefficient.

    The confidence interval at ``level`` = 0.95 is the fit's own (pyfixest: t distribution
    with the model's degrees of freedom); at other levels it is :math:`\hat b \pm
    z_{1-\alpha/2}\,se`.

    Parameters
    ----------
    specifications : :class:`Specification` objects or dicts with the same fields.
    term : the key coefficient (e.g. ``"vag"``) unless a specification names its own.
    data : the frame for dict specifications without a ``"df"`` entry.
    level : confidence level.

    Returns
    -------
    SpecificationResults

    References
    ----------
    Simonsohn, U., Simmons, J. P. and Nelson, L. D. (2020). Specification curve analysis.
    *Nature Human Behaviour* 4, 1208-1214.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import Specification, run_specifications
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> specs = [Specification("pooled", {"depvar": "sl", "regressors": ["vag"]}),
    ...          Specification("year FE", {"depvar": "sl", "regressors": ["vag"], "fe": "year"}),
    ...          Specification("two-way", {"depvar": "sl", "regressors": ["vag"], "fe": "twoway"})]
    >>> out = run_specifications(specs, "vag", data=df)
    >>> out.frame[["name", "estimate", "std_error", "nobs"]].round(4)
          name  estimate  std_error  nobs
    0   pooled    0.0390     0.0038   390
    1  year FE    0.0390     0.0035   390
    2  two-way   -0.0119     0.0559   390
    """
    import pandas as pd
    import scipy.stats

    specs = [_as_spec(s) for s in specifications]
    if not specs:
        raise InputError("run_specifications needs at least one specification.")
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"Specification names must be unique; repeated: {dup}.")
    if not 0 < level < 1:
        raise InputError(f"level must lie in (0, 1), got {level!r}.")
    z = float(scipy.stats.norm.ppf(0.5 + level / 2))
    results: dict[str, ModelResult] = {}
    rows = []
    dims = list(dict.fromkeys(k for s in specs for k in s.choices))
    for s in specs:
        if callable(s.fit):
            res = s.fit()
        elif isinstance(s.fit, Mapping):
            kwargs = dict(s.fit)
            frame = kwargs.pop("df", data)
            if frame is None:
                raise InputError(f"Specification {s.name!r} is a dict of fit_panel arguments but no data were given (pass data= or a 'df' entry).")
            kwargs.setdefault("name", s.name)
            res = fit_panel(frame, **kwargs)
        else:
            raise InputError(f"Specification {s.name!r}: fit must be a callable or a dict of fit_panel arguments.")
        if not isinstance(res, ModelResult):
            raise InputError(f"Specification {s.name!r} did not produce a ModelResult (got {type(res).__name__}).")
        t = s.term or term
        if t is None:
            raise InputError(f"Specification {s.name!r}: name the key coefficient (term=...).")
        if t not in res.coefs.index:
            raise InputError(f"Specification {s.name!r}: term {t!r} is not a coefficient of its model; coefficients: {list(res.coefs.index)}.")
        est, se = res.value(t), res.value(t, "std_error")
        lo, hi = (res.value(t, "ci_low"), res.value(t, "ci_high")) if math.isclose(level, 0.95) else (est - z * se, est + z * se)
        row = {
            "name": s.name, "term": t, "estimate": est, "std_error": se, "t_stat": res.value(t, "t_stat"),
            "p_value": res.value(t, "p_value"), "ci_low": lo, "ci_high": hi, "nobs": int(res.nobs), "vcov": res.vcov,
            "fixed_effects": "+".join(res.fixed_effects), "description": s.describe("en"),
        }
        for dim in dims:
            row[dim] = s.choices.get(dim, "")
        rows.append(row)
        results[s.name] = res
    frame = pd.DataFrame(rows)
    frame.attrs["choices"] = dims
    return SpecificationResults(frame=frame, results=results, specifications=specs, level=level)
