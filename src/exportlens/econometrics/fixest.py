"""pyfixest, imported with its fixed effects built in the order the formula names them.

pyfixest 0.60 turns the fixed-effect part of a formula (``| duration + code + year``) into
model-matrix terms through a ``set`` of the names (``pyfixest.estimation.formula.utils.
_encode_fixed_effects``), so the order in which the fixed effects are swept out by the
alternating projections depends on Python's string hashing, i.e. on ``PYTHONHASHSEED``.
The estimates agree to the demeaning tolerance only: with three fixed effects the standard
error of the discrete-time hazard of the firm study differed in its ninth digit between two
runs of ``exportlens demo``. :func:`import_pyfixest` wraps that function so that the same
terms come in the formula's order (first seen first), which makes every estimate
bit-identical across processes; when a pyfixest version returns other terms than the
formula names, its own output is kept unchanged.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["import_pyfixest"]

_FE_SPLIT = re.compile(r"\s*\+\s*")


def import_pyfixest() -> Any:
    """The ``pyfixest`` module, with fixed effects encoded in formula order (done once).

    Examples
    --------
    >>> from exportlens.econometrics.fixest import import_pyfixest
    >>> pf = import_pyfixest()
    >>> from pyfixest.estimation.formula import model_matrix
    >>> import pandas as pd
    >>> model_matrix._encode_fixed_effects("year + code + duration", pd.DataFrame())
    '__fixed_effect__(year) + __fixed_effect__(code) + __fixed_effect__(duration) - 1'
    """
    import pyfixest

    try:
        from pyfixest.estimation.formula import model_matrix
    except ImportError:  # pragma: no cover - another pyfixest layout: nothing to reorder
        return pyfixest
    original = getattr(model_matrix, "_encode_fixed_effects", None)
    if original is None or getattr(original, "exportlens_ordered", False):
        return pyfixest

    def encode_in_formula_order(fixed_effects: str, data: Any) -> str:
        encoded: str = original(fixed_effects=fixed_effects, data=data)  # also adds interaction columns to data
        names = dict.fromkeys(_FE_SPLIT.split(fixed_effects))
        terms = [f"__fixed_effect__({name.replace('^', '_')})" for name in names]
        body = encoded.removesuffix(" - 1")
        if not encoded.endswith(" - 1") or sorted(body.split(" + ")) != sorted(terms):
            return encoded  # not the layout this wrapper knows: keep pyfixest's own
        return f"{' + '.join(terms)} - 1"

    encode_in_formula_order.exportlens_ordered = True  # type: ignore[attr-defined]
    model_matrix._encode_fixed_effects = encode_in_formula_order
    return pyfixest
