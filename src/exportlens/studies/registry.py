"""The registry of studies: one line per study (kept light: nothing heavy is imported here).

The CLI builds ``exportlens run NAME``, ``exportlens study template NAME``, ``exportlens study
schema NAME`` and ``exportlens demo`` from this list. A study module defines ``STUDY`` (a
:class:`~exportlens.studies.framework.StudyDefinition`); extra command-line options of a study
map to its study-file keys (``section.key``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from exportlens.errors import InputError

if TYPE_CHECKING:
    from exportlens.studies.framework import StudyDefinition


@dataclass(frozen=True)
class CliOption:
    """A study-specific command-line option that sets a study-file key.

    ``kind``: ``path``/``int``/``str`` set the key ``section.key`` to the value; ``mapping``
    (repeatable ``name=value``) sets ``key.name`` (``key`` is then a section); ``flag`` sets the
    key to ``value`` when given.

    Examples
    --------
    >>> from exportlens.studies import CliOption, study_entry
    >>> [(o.flag, o.key, o.kind) for o in study_entry("firm-resilience").options][2:]
    [('--shock-year', 'shock.shock_year', 'int'), ('--panel', 'panel.path', 'path'), ('--drop-invalid', 'data.invalid', 'flag')]
    >>> opt = CliOption("--drop-invalid", "data.invalid", "Leave out invalid rows.", kind="flag",
    ...                 value="drop")  # given on the command line: [data] invalid = "drop"
    >>> opt.key.split("."), opt.value
    (['data', 'invalid'], 'drop')
    """

    flag: str
    key: str
    help: str
    kind: Literal["path", "int", "str", "mapping", "flag"] = "str"
    short: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class StudyEntry:
    """One registered study: CLI name, module (defining ``STUDY``), one-line help, extra options.

    Examples
    --------
    >>> from exportlens.studies import STUDIES, StudyEntry
    >>> isinstance(STUDIES[0], StudyEntry)
    True
    >>> [(e.name, len(e.options)) for e in STUDIES]
    [('resilience', 0), ('linkage', 0), ('value-added', 0), ('synergy', 0), ('firm-resilience', 5)]
    >>> STUDIES[0].demo_variants
    (('resilience-identification', 'demo_identification.toml'),)
    """

    name: str
    module: str
    help: str
    options: tuple[CliOption, ...] = ()
    #: extra runs of ``exportlens demo``: (output subfolder, study file shipped in exportlens/studies/)
    demo_variants: tuple[tuple[str, str], ...] = ()


STUDIES: tuple[StudyEntry, ...] = (
    StudyEntry("resilience", "exportlens.studies.resilience",
               "Export resilience and virtual agglomeration: Tables 1-5, robustness, optional instruments, "
               "mediation, thresholds and spillovers (Tables 6-11).",
               demo_variants=(("resilience-identification", "demo_identification.toml"),)),
    StudyEntry("linkage", "exportlens.studies.linkage",
               "Provinces' links with Belt-and-Road countries: entropy + AHP composite scores and ranks."),
    StudyEntry("value-added", "exportlens.studies.value_added",
               "Value added in provinces' exports (DVA/PVA/FVA) from multi-regional input-output tables."),
    StudyEntry("synergy", "exportlens.studies.synergy",
               "Cross-border e-commerce and industrial clusters: coupling coordination by province-year."),
    StudyEntry("firm-resilience", "exportlens.studies.firm_resilience",
               "Firm-level export resilience from customs transactions, out of core (DuckDB via Ibis).",
               options=(
                   CliOption("--transactions", "data.path", "Transaction file or folder (CSV/Parquet); default: the "
                             "study file's path or the synthetic demo.", kind="path", short="-t"),
                   CliOption("--column", "columns", "Column mapping role=name, repeatable (firm, product, "
                             "destination, year, value, province, industry; optional ownership, trade_mode).", kind="mapping",
                             short="-c"),
                   CliOption("--shock-year", "shock.shock_year", "Year of the shock (resistance is measured "
                             "into it).", kind="int"),
                   CliOption("--panel", "panel.path", "Province-year panel with Vag (CSV/Excel/Stata/Parquet) for "
                             "the firm-level models; default: the study file's [panel] path or, for the demo, the "
                             "synthetic panel.", kind="path"),
                   CliOption("--drop-invalid", "data.invalid", "Leave out invalid rows (counted by reason) instead "
                             "of stopping.", kind="flag", value="drop"),
               )),
)


def study_names() -> list[str]:
    """Registered study names, in registry order.

    Examples
    --------
    >>> from exportlens.studies import study_names
    >>> study_names()
    ['resilience', 'linkage', 'value-added', 'synergy', 'firm-resilience']
    """
    return [s.name for s in STUDIES]


def study_entry(name: str) -> StudyEntry:
    """The registry entry of ``name`` (a clear error listing the studies otherwise).

    Examples
    --------
    >>> from exportlens.studies import study_entry
    >>> entry = study_entry("synergy")
    >>> entry.name, entry.module
    ('synergy', 'exportlens.studies.synergy')
    >>> study_entry("gravity")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Unknown study 'gravity'; studies: resilience, linkage, value-added, synergy, firm-resilience.
    """
    for entry in STUDIES:
        if entry.name == name:
            return entry
    raise InputError(f"Unknown study {name!r}; studies: {', '.join(study_names())}.")


def load_study(name: str) -> StudyDefinition:
    """Import the study's module and return its ``STUDY`` definition.

    Examples
    --------
    >>> from exportlens.studies import load_study
    >>> definition = load_study("synergy")
    >>> definition.name, definition.spec_class.__name__
    ('synergy', 'SynergyStudySpec')
    >>> definition.steps
    ('load data', 'subsystem indices (panel entropy)', 'coupling coordination', 'cluster measures')
    """
    entry = study_entry(name)
    module = importlib.import_module(entry.module)
    definition: StudyDefinition = module.STUDY
    return definition
