"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_SKIP_REASON = (
    "shared data folder ../shared/data not present (it is outside the repository; "
    "real-data tests need it)"
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real-data folder ``../shared/data`` next to the repository (read only).

    ``EXPORTLENS_SHARED_DATA`` overrides the location. Tests using this fixture are
    skipped when the folder is absent, as on a user's machine.
    """
    override = os.environ.get("EXPORTLENS_SHARED_DATA")
    root = (
        Path(override).expanduser()
        if override
        else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    if not root.is_dir():
        pytest.skip(
            _SKIP_REASON if not override else f"EXPORTLENS_SHARED_DATA={override} is not a folder"
        )
    return root


@pytest.fixture
def pyfixest_formula_order():
    """pyfixest called directly in a test encodes fixed effects in formula order, as exportlens'
    own fits do, so that the two agree to the last digit and not only to pyfixest's demeaning
    tolerance (about 1e-6 relative with two or more fixed effects, in an order that depends on
    PYTHONHASHSEED). See :mod:`exportlens.econometrics.fixest`."""
    from exportlens.econometrics.fixest import fixed_effects_in_formula_order

    with fixed_effects_in_formula_order():
        yield
