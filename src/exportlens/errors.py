"""Every exception and warning class of exportlens (the bottom layer: imports nothing of exportlens).

Library code raises these; the CLI turns any :class:`ExportlensError` into one readable
line and a non-zero exit code. Each subclass also derives from the closest builtin
(``ValueError``/``KeyError``/``ImportError``) so that generic ``except ValueError`` code keeps
working. Every warning derives from :class:`ExportlensWarning`, so one filter silences or
escalates them all: ``warnings.filterwarnings("error", category=ExportlensWarning)``.
The modules that raise a class also re-export it under its old import path (e.g.
``exportlens.measures.resilience.NationalTotalMismatchWarning``).

New classes are appended at the end of this module (and to ``__all__``), deriving from the
closest existing one.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Any

__all__ = [
    "AmbiguousRegionError",
    "CompositeWarning",
    "ConstantColumnWarning",
    "ConstantShiftWarning",
    "DataFormatError",
    "DataFormatWarning",
    "DroppedRowsWarning",
    "EstimationError",
    "EstimationWarning",
    "ExportlensError",
    "ExportlensWarning",
    "IdentificationError",
    "InconsistentJudgmentError",
    "InconsistentJudgmentWarning",
    "IndicatorSystemError",
    "InputError",
    "InvalidRowsError",
    "IslandRegionError",
    "MissingColumnError",
    "MissingDependencyError",
    "MissingRowError",
    "NBSUnknownRegionError",
    "NationalTotalMismatchWarning",
    "NegativeFlowError",
    "NonPositiveValueError",
    "NonPositiveValueWarning",
    "NonProductiveError",
    "OpenTableError",
    "PhaseSignWarning",
    "RandomIndexWarning",
    "ReportWarning",
    "ResilienceWarning",
    "SmallNationalGrowthWarning",
    "SpatialWeightsError",
    "StudySpecError",
    "UnbalancedPanelError",
    "UnknownRegionError",
    "ValidationError",
    "ZeroOutputWarning",
    "warn_caller",
]


class ExportlensError(Exception):
    """Base class of every error exportlens raises on purpose."""


class ExportlensWarning(UserWarning):
    """Base class of every warning exportlens issues: ``warnings.filterwarnings("ignore", category=ExportlensWarning)``."""


class InputError(ExportlensError, ValueError):
    """The input cannot be analysed as given (wrong shape, values or parameters)."""


class UnknownRegionError(InputError, KeyError):
    """A region name or code does not match any entry of the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class AmbiguousRegionError(UnknownRegionError):
    """A region name matches more than one registry entry."""


class DataFormatError(InputError):
    """A file does not have the layout the reader expects."""


class ValidationError(InputError):
    """A panel fails validation; ``report`` holds the full validation report."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class MissingColumnError(InputError, KeyError):
    """A column named by the user is not in the data."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NonPositiveValueError(InputError):
    """A logarithm or ratio needs strictly positive values but some are not."""


class StudySpecError(InputError):
    """A study specification (TOML file or dict) is invalid."""


class MissingDependencyError(ExportlensError, ImportError):
    """An optional package needed for the requested computation is not installed."""


class InvalidRowsError(InputError):
    """Rows with invalid values were found and ``invalid="raise"``; ``report`` has the counts
    (a :class:`exportlens.firms.io.ValidationReport`)."""

    def __init__(self, message: str, report: Any):
        super().__init__(message)
        self.report = report


class NBSUnknownRegionError(DataFormatError, UnknownRegionError):
    """A region name in an NBS file is not a province of the registry.

    Both a :class:`DataFormatError` (the file is not what the reader expects) and an
    :class:`UnknownRegionError` (so ``except UnknownRegionError`` catches it too).
    """


class InconsistentJudgmentError(InputError):
    """The consistency ratio of an AHP judgment matrix is at or above the threshold and
    ``on_inconsistent="raise"``."""


class IndicatorSystemError(StudySpecError):
    """An indicator system definition is invalid."""


class OpenTableError(InputError):
    """KWW needs a closed inter-country table (no exports abroad, no imports row)."""


class NegativeFlowError(InputError):
    """A flow that must be non-negative (Z, E, IM, x, non-inventory final demand) is negative."""


class NonProductiveError(InputError):
    """The technical-coefficient matrix is not productive: I - A is singular or (I - A)^-1 has negative entries."""


class MissingRowError(DataFormatError):
    """A row named by the caller (e.g. a value-added row of a pymrio extension) is not in the table."""


# --- warnings (all derive from ExportlensWarning) -------------------------------------------


class DroppedRowsWarning(ExportlensWarning):
    """Rows were left out of an estimation (missing values or singleton fixed-effect groups)."""


class ResilienceWarning(ExportlensWarning):
    """Base class of the warnings of :mod:`exportlens.measures.resilience`."""


class NationalTotalMismatchWarning(ResilienceWarning):
    """The national column and the sum of the regions differ by more than the tolerance."""


class NonPositiveValueWarning(ResilienceWarning):
    """Values that cannot enter a logarithm or ratio were turned into NaN (policy "nan")."""


class SmallNationalGrowthWarning(ResilienceWarning):
    """National (or expected) growth over a phase is so small that ratio indices explode."""


class PhaseSignWarning(ResilienceWarning):
    """National growth has the 'wrong' sign for the phase (growth in a contraction ...)."""


class InconsistentJudgmentWarning(ExportlensWarning):
    """The consistency ratio of an AHP judgment matrix is at or above the threshold."""


class CompositeWarning(ExportlensWarning):
    """Base class of the warnings of :mod:`exportlens.measures.composite`."""


class ConstantShiftWarning(CompositeWarning):
    """A constant shift of z-scores flattens entropy weights towards 1/m."""


class ConstantColumnWarning(CompositeWarning):
    """A constant column was given weight 0 (policy ``constant="zero"``)."""


class ZeroOutputWarning(ExportlensWarning):
    """Sectors with zero gross output get zero coefficients."""


class DataFormatWarning(ExportlensWarning):
    """A file was read, but part of its layout needs attention (a missing label, ignored options,
    values that differ between files)."""


class EstimationWarning(ExportlensWarning):
    """An estimation ran, but an assumption of the method may not hold for these data."""


class ReportWarning(ExportlensWarning):
    """A table or figure was built, but something asked for is not in it."""


class RandomIndexWarning(InconsistentJudgmentWarning):
    """The chosen random-index table does not cover the AHP matrix's order: weights, no CR."""


def warn_caller(message: str, category: type[Warning], *, inside: str | None = None) -> None:
    """Issue a warning attributed to the first caller outside the folder ``inside`` (default:
    the exportlens package), so that it points at the user's line rather than at library code."""
    here = os.path.abspath(inside or os.path.dirname(__file__))
    level = 2
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here + os.sep):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
class SpatialWeightsError(InputError):
    """A spatial weights matrix is invalid or does not match the regions of the data."""


class IslandRegionError(SpatialWeightsError):
    """A region has no neighbour (an empty row of W) where the computation needs every row non-empty."""


class UnbalancedPanelError(InputError):
    """A computation needs a balanced panel (every region in every period) but the data are not."""


class EstimationError(ExportlensError, RuntimeError):
    """An estimator did not reach a valid interior solution (e.g. rho at the boundary of its domain)."""


class IdentificationError(InputError):
    """A model is not identified as specified (e.g. an instrument collinear with the fixed effects)."""
