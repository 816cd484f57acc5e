"""Descriptive statistics (the study's Table 1): N, mean, sd, min, max per variable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.econometrics.labels import VariableLabels, as_labels, label_for, term
from exportlens.errors import InputError, MissingColumnError
from exportlens.report.tables import Grid, _GridExportMixin, _maybe_write, _note_list, format_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DescriptiveTable", "describe"]

STAT_COLUMNS = ("N", "mean", "sd", "min", "max")


@dataclass
class DescriptiveTable(_GridExportMixin):
    """Descriptive statistics of a set of variables.

    ``stats`` is indexed by variable with the columns ``N`` (non-missing count), ``mean``,
    ``sd`` (sample standard deviation, ddof=1), ``min``, ``max``. Exporters: ``to_markdown``,
    ``to_html``, ``to_latex``, ``to_docx``, ``to_excel``, ``to_csv`` (tidy: one row per
    variable) and ``to_frame`` (the numbers).
    """

    stats: pd.DataFrame
    labels: VariableLabels = field(default_factory=VariableLabels)
    lang: str = "en"
    digits: int = 3
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_frame(self, *, labelled: bool = False) -> pd.DataFrame:
        """The statistics (copy); ``labelled=True`` replaces variable names by their labels."""
        out = self.stats.copy()
        if labelled:
            out.index = [label_for(str(v), self.lang, self.labels) for v in out.index]
        return out

    def grid(self) -> Grid:
        lang = self.lang
        header = [[term("variable", lang), term("n", lang), term("mean", lang), term("sd", lang), term("min", lang), term("max", lang)]]
        body = []
        for var, row in self.stats.iterrows():
            body.append(
                [
                    label_for(str(var), lang, self.labels),
                    str(int(row["N"])),
                    *[format_number(row[c], self.digits) for c in ("mean", "sd", "min", "max")],
                ]
            )
        return Grid(header=header, body=body, title=self.title, notes=list(self.notes))

    def with_options(self, *, lang: str | None = None, digits: int | None = None, labels: Mapping[str, Any] | VariableLabels | None = None, title: str | None = None) -> DescriptiveTable:
        """A copy with other display options."""
        if lang is not None and lang not in ("en", "zh"):
            raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
        lab = VariableLabels(self.labels).update(labels) if labels is not None else self.labels
        return DescriptiveTable(
            stats=self.stats.copy(),
            labels=lab,
            lang=lang or self.lang,
            digits=self.digits if digits is None else digits,
            title=self.title if title is None else title,
            notes=list(self.notes),
        )

    def with_labels(
        self,
        labels: Mapping[str, Any] | VariableLabels | None,
        *,
        lang: str | None = None,
        title: str | None = None,
        notes: str | Sequence[str] | None = None,
    ) -> DescriptiveTable:
        """A copy with more variable labels (and optionally another language, title, notes)."""
        out = self.with_options(lang=lang, labels=labels, title=title)
        if notes is not None:

            out.notes = _note_list(notes)
        return out

    def tidy(self) -> pd.DataFrame:
        out = self.stats.copy()
        out.insert(0, "label", [label_for(str(v), self.lang, self.labels) for v in out.index])
        out.index.name = "variable"
        return out.reset_index()

    def to_csv(self, path: str | Path | None = None) -> str:
        """Tidy CSV: variable, label, N, mean, sd, min, max (full precision)."""
        text = self.tidy().to_csv(index=False, lineterminator="\n")
        return _maybe_write(text, path)

    def summary(self) -> str:
        return self.to_text()


def describe(
    df: pd.DataFrame,
    variables: Sequence[str] | None = None,
    labels: Mapping[str, Any] | VariableLabels | None = None,
    *,
    lang: str = "en",
    digits: int = 3,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> DescriptiveTable:
    """Descriptive statistics of ``variables`` (default: every numeric column) in ``df``.

    N counts the non-missing values of each variable separately; ``sd`` is the sample
    standard deviation (ddof=1). Missing columns raise :class:`MissingColumnError`,
    non-numeric ones :class:`InputError`.
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
    missing = [v for v in variables if v not in df.columns]
    if missing:
        raise MissingColumnError(f"Variable(s) {missing} not in the data; available columns: {', '.join(map(str, df.columns))}.")
    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
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

    return DescriptiveTable(stats=stats, labels=as_labels(labels), lang=lang, digits=digits, title=title, notes=_note_list(notes))
