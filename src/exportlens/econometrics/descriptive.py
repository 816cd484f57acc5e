"""Descriptive statistics (the study's Table 1): N, mean, sd, min, max per variable.

The numbers only; :class:`exportlens.report.descriptive_tables.DescriptiveTable` renders them
(labels, language, digits, exporters).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from exportlens.errors import InputError
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STAT_COLUMNS", "describe"]

STAT_COLUMNS = ("N", "mean", "sd", "min", "max")


def describe(df: pd.DataFrame, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """Descriptive statistics of ``variables`` (default: every numeric column) in ``df``.

    One row per variable (index ``variable``) with the columns ``N`` (non-missing count of
    that variable), ``mean``, ``sd`` (sample standard deviation, ddof=1), ``min``, ``max``.
    Missing columns raise :class:`~exportlens.errors.MissingColumnError`, non-numeric or
    infinite ones :class:`~exportlens.errors.InputError`. Render the result with
    :func:`exportlens.report.descriptive_tables.describe_table` or ``DescriptiveTable(stats=...)``.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import describe
    >>> describe(load_resilience_demo(), ["vag", "sl"]).round(3)
                N   mean     sd    min    max
    variable
    vag       420  0.766  0.641  0.220  4.108
    sl        390 -0.029  0.054 -0.185  0.116
    """
    import numpy as np
    import pandas as pd

    if variables is None:
        variables = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
        if not variables:
            raise InputError("The data have no numeric column to describe.")
    elif isinstance(variables, str):
        variables = [variables]
    variables = list(dict.fromkeys(variables))
    require_columns(df, variables, what="variable(s)")
    rows = {}
    for v in variables:
        s = df[v]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(float)
        if not pd.api.types.is_numeric_dtype(s):
            raise InputError(f"Variable {v!r} is not numeric (dtype {s.dtype}).")
        x = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(x).any():
            raise InputError(f"Variable {v!r} has infinite values.")
        x = x[~np.isnan(x)]
        n = len(x)
        rows[v] = {
            "N": n,
            "mean": float(x.mean()) if n else np.nan,
            "sd": float(x.std(ddof=1)) if n > 1 else np.nan,
            "min": float(x.min()) if n else np.nan,
            "max": float(x.max()) if n else np.nan,
        }
    stats = pd.DataFrame.from_dict(rows, orient="index", columns=list(STAT_COLUMNS))
    stats["N"] = stats["N"].astype(int)
    stats.index.name = "variable"
    return stats
