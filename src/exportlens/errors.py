"""Typed exceptions raised by exportlens.

Library code raises these; the CLI turns any :class:`ExportlensError` into one readable
line and a non-zero exit code. Each subclass also derives from the closest builtin
(``ValueError``/``KeyError``) so that generic ``except ValueError`` code keeps working.
"""

from __future__ import annotations


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
    """An optional dependency needed for this call is not installed (the message names the extra)."""
