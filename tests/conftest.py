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
