"""pyfixest, with the fixed effects of exportlens' own fits built in the order the formula names them.

pyfixest 0.60 turns the fixed-effect part of a formula (``| duration + code + year``) into
model-matrix terms through a ``set`` of the names (``pyfixest.estimation.formula.utils.
_encode_fixed_effects``), so the order in which the fixed effects are swept out by the
alternating projections depends on Python's string hashing, i.e. on ``PYTHONHASHSEED``.
The estimates agree to the demeaning tolerance only: with three fixed effects the standard
error of the discrete-time hazard of the firm study differed in its ninth digit between two
runs of ``exportlens demo``. :func:`import_pyfixest` returns a view of the module whose
estimation functions (``feols``, ``feglm``, ``fepois``) encode the same terms in the formula's
order (first seen first) *during that call only*, which makes every estimate bit-identical
across processes; pyfixest itself is left as it is (a user's own pyfixest calls keep its
behaviour), and when a pyfixest version returns other terms than the formula names, its own
output is kept unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["fixed_effects_in_formula_order", "import_pyfixest"]

_FE_SPLIT = re.compile(r"\s*\+\s*")


class _OrderedPyfixest:
    """The pyfixest module, with ``feols``/``feglm``/``fepois`` run in
    :func:`fixed_effects_in_formula_order`."""

    _ESTIMATORS = frozenset({"feols", "feglm", "fepois"})

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._module, name)
        if name not in self._ESTIMATORS:
            return attr

        def estimate(*args: Any, **kwargs: Any) -> Any:
            with fixed_effects_in_formula_order():
                return attr(*args, **kwargs)

        return estimate


@contextmanager
def fixed_effects_in_formula_order() -> Iterator[None]:
    """Inside this block, pyfixest encodes fixed effects in the order the formula names them.

    exportlens' own estimates are computed this way. Wrap your own pyfixest calls in it to get
    exportlens' numbers to the last digit (with pyfixest's default order they agree only to its
    demeaning tolerance, about 1e-6 relative, when a model has two or more fixed effects).
    pyfixest is restored when the block ends.

    Examples
    --------
    >>> import pandas as pd
    >>> import pyfixest
    >>> from exportlens.econometrics.fixest import fixed_effects_in_formula_order
    >>> df = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8, 7.2, 8.1], "x": [1, 2, 3, 4, 5, 6, 7, 8],
    ...                    "a": list("ppqqppqq"), "b": list("rsrsrsrs")})
    >>> with fixed_effects_in_formula_order():
    ...     fit = pyfixest.feols("y ~ x | b + a", data=df)
    >>> round(float(fit.coef()["x"]), 4)
    1.0
    """
    try:
        from pyfixest.estimation.formula import model_matrix
    except ImportError:  # pragma: no cover - another pyfixest layout: nothing to reorder
        yield
        return
    original = getattr(model_matrix, "_encode_fixed_effects", None)
    if original is None or getattr(original, "exportlens_ordered", False):
        yield  # another layout, or already inside an ordered call
        return

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
    try:
        yield
    finally:
        model_matrix._encode_fixed_effects = original


def import_pyfixest() -> Any:
    """The ``pyfixest`` module as exportlens calls it: its estimation functions encode the fixed
    effects in formula order while they run (see the module notes); everything else is pyfixest's.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics.fixest import import_pyfixest
    >>> pf = import_pyfixest()
    >>> df = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8, 7.2, 8.1], "x": [1, 2, 3, 4, 5, 6, 7, 8],
    ...                    "a": list("ppqqppqq"), "b": list("rsrsrsrs")})
    >>> fit = pf.feols("y ~ x | b + a", data=df)
    >>> import pyfixest
    >>> bool(abs(fit.coef()["x"] - pyfixest.feols("y ~ x | b + a", data=df).coef()["x"]) < 1e-8)
    True
    >>> import pyfixest.estimation.formula.model_matrix as mm
    >>> getattr(mm._encode_fixed_effects, "exportlens_ordered", False)  # pyfixest itself unchanged
    False
    """
    import pyfixest

    return _OrderedPyfixest(pyfixest)
