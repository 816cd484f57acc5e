"""The descriptive-statistics table (a study's Table 1), rendered from
:func:`exportlens.econometrics.descriptive.describe`.

>>> from exportlens.report.descriptive_tables import describe_table
>>> describe_table(panel, ["sl", "vag"], labels, lang="zh").to_markdown()   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.econometrics.descriptive import describe
from exportlens.econometrics.labels import VariableLabels, as_labels, label_for, term
from exportlens.errors import InputError
from exportlens.report.tables import (
    Grid,
    GridExportMixin,
    format_count,
    format_number,
    note_list,
    write_text,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DescriptiveTable", "describe_table"]


@dataclass
class DescriptiveTable(GridExportMixin):
    """Descriptive statistics of a set of variables.

    ``stats`` is indexed by variable with the columns ``N`` (non-missing count), ``mean``,
    ``sd`` (sample standard deviation, ddof=1), ``min``, ``max``. Exporters: ``to_markdown``,
    ``to_html``, ``to_latex``, ``to_docx``, ``to_excel``, ``to_csv`` (tidy: one row per
    variable) and ``to_frame`` (the numbers).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import describe
    >>> from exportlens.report import DescriptiveTable
    >>> stats = describe(load_resilience_demo(), ["vag", "sl"])
    >>> table = DescriptiveTable(stats=stats, lang="zh", digits=2)
    >>> print(table.to_markdown())
    | 变量 | 样本量 | 均值 | 标准差 | 最小值 | 最大值 |
    |:---|:---:|:---:|:---:|:---:|:---:|
    | vag | 420 | 0.77 | 0.64 | 0.22 | 4.11 |
    | sl | 390 | -0.03 | 0.05 | -0.18 | 0.12 |
    >>> table.to_frame().round(3).loc["vag"].tolist()
    [420.0, 0.766, 0.641, 0.22, 4.108]
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
                    format_count(row["N"]),
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

            out.notes = note_list(notes)
        return out

    def tidy(self) -> pd.DataFrame:
        out = self.stats.copy()
        out.insert(0, "label", [label_for(str(v), self.lang, self.labels) for v in out.index])
        out.index.name = "variable"
        return out.reset_index()

    def to_csv(self, path: str | Path | None = None) -> str:
        """Tidy CSV: variable, label, N, mean, sd, min, max (full precision)."""
        text = self.tidy().to_csv(index=False, lineterminator="\n")
        return write_text(text, path)

    def summary(self) -> str:
        return self.to_text()


def describe_table(
    df: pd.DataFrame,
    variables: Sequence[str] | None = None,
    labels: Mapping[str, Any] | VariableLabels | None = None,
    *,
    lang: str = "en",
    digits: int = 3,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
) -> DescriptiveTable:
    """The descriptive-statistics table of ``variables`` (default: every numeric column).

    The numbers are :func:`exportlens.econometrics.descriptive.describe` (N per variable,
    sample sd with ddof=1); ``labels``, ``lang`` (``"en"``/``"zh"``), ``digits``, ``title`` and
    ``notes`` control the display.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.report import describe_table
    >>> table = describe_table(load_resilience_demo(), ["vag", "sl"],
    ...                        labels={"vag": "Virtual agglomeration", "sl": "Export resilience"})
    >>> print(table.to_text())
    ========================================================
    Variable                N    Mean    SD     Min     Max
    --------------------------------------------------------
    Virtual agglomeration  420  0.766   0.641  0.220   4.108
    Export resilience      390  -0.029  0.054  -0.185  0.116
    ========================================================
    >>> table.to_docx("descriptive.docx").tables[0].cell(1, 0).text
    'Virtual agglomeration'
    """
    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    return DescriptiveTable(
        stats=describe(df, variables), labels=as_labels(labels), lang=lang, digits=digits, title=title,
        notes=note_list(notes),
    )
