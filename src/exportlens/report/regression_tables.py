"""Regression tables in the published layout, rendered from :class:`ModelResult` objects.

:class:`RegressionTable` builds a :class:`~exportlens.report.tables.Grid` and uses the
exporters of :mod:`exportlens.report.tables` (Markdown, HTML, LaTeX, Word, Excel, CSV, text).
The estimates come from :mod:`exportlens.econometrics`; this module only renders them.

Regression tables are built here from :class:`ModelResult` objects (not by maketables): the
fixed-effect indicator rows (YES/NO, 是/否) come from ``ModelResult.fixed_effects``, because
pyfixest 0.60 passes ``fe_present``/``fe_absent`` to maketables 0.2.0, which ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.econometrics.labels import (
    VariableLabels,
    as_labels,
    fe_label,
    label_for,
    term,
)
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError
from exportlens.report.tables import (
    Grid,
    GridExportMixin,
    format_count,
    format_number,
    note_list,
    star_string,
    write_text,
)
from exportlens.text import localized

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RegressionTable"]

# --------------------------------------------------------------------------------------------
# RegressionTable
# --------------------------------------------------------------------------------------------

_R2_CHOICES = ("overall", "within", "both", "none")

#: The automatic notes of a regression table: the standard errors (``{vcov}``: the covariance
#: fragment), the significance stars and the singletons pyfixest dropped.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "and": " and ",
        "clustered_by": " (clustered by {names})",
        "clustered": " (clustered)",
        "driscoll_kraay": " (Driscoll-Kraay)",
        "hetero": " (heteroskedasticity-robust, {kind})",
        "se_note": "Standard errors{vcov} in parentheses.",
        "t_note": "t statistics in parentheses.",
        "t_note_vcov": "t statistics in parentheses (standard errors{vcov}).",
        "star_note": "{pairs}.",
        "singletons": "N excludes {total} singleton observation(s) dropped by pyfixest (alone in a fixed-effect "
        "group) - {models}.",
    },
    "zh": {
        "and": "和",
        "clustered_by": "聚类到{names}层面的稳健",
        "clustered": "聚类稳健",
        "driscoll_kraay": "Driscoll-Kraay",
        "hetero": "异方差稳健",
        "se_note": "括号内为{vcov}标准误。",
        "t_note": "括号内为t值。",
        "t_note_vcov": "括号内为t值（基于{vcov}标准误）。",
        "star_note": "{symbols}分别表示在{levels}的水平上显著。",
        "singletons": "样本量不含pyfixest剔除的单例观测值（固定效应组内仅一个观测值），共{total}个：{models}。",
    },
}


def _vcov_note_fragment(vcov: str, lang: str, labels: VariableLabels) -> str:
    v = vcov or ""
    if v.startswith("CRV"):
        cols = v.split(":", 1)[1] if ":" in v else ""
        names = [(labels.get(c, lang) or c) if lang == "en" else label_for(c, lang, labels) for c in cols.split("+") if c]
        text = localized(TEXT, lang)
        joined = text["and"].join(names)
        return text["clustered_by"].format(names=joined) if joined else text["clustered"]
    if v.startswith("DK"):
        return localized(TEXT, lang)["driscoll_kraay"]
    if v in {"hetero", "HC1", "HC2", "HC3"}:
        return localized(TEXT, lang)["hetero"].format(kind="HC1" if v == "hetero" else v)
    return ""


@dataclass
class RegressionTable(GridExportMixin):
    """A regression table in the published layout; build it with :meth:`from_results`.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import fit_panel
    >>> from exportlens.report import RegressionTable
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> m1 = fit_panel(df, "sl", ["vag"], vcov="cluster")
    >>> m2 = fit_panel(df, "sl", ["vag", "ln_gdp_pc"], fe="year", vcov="cluster")
    >>> table = RegressionTable.from_results([m1, m2], labels={"vag": "Virtual agglomeration"})
    >>> print(table.to_text())
    ==========================================
                              sl         sl
    Variable                  (1)       (2)
    ------------------------------------------
    Virtual agglomeration  0.039***   0.040***
                            (0.005)   (0.007)
    ln_gdp_pc                          -0.003
                                      (0.014)
    Constant               -0.059***
                            (0.006)
    ------------------------------------------
    Time fixed effects        NO        YES
    Observations              390       390
    Adjusted R² (overall)    0.210     0.327
    ==========================================
    Standard errors (clustered by province) in parentheses.
    * p<0.1, ** p<0.05, *** p<0.01.
    >>> table.tidy()[["model", "term", "estimate"]].round(4).head(3)
       model       term  estimate
    0      1  Intercept   -0.0592
    1      1        vag    0.0390
    2      2        vag    0.0398
    """

    results: list[ModelResult]
    keep: list[str] | None = None
    order: list[str] | None = None
    labels: VariableLabels = field(default_factory=VariableLabels)
    lang: str = "en"
    stars: tuple[float, ...] = (0.1, 0.05, 0.01)
    digits: int = 3
    r2: str = "overall"
    fe_rows: Any = None
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    below: str = "se"
    column_titles: list[str] | None = None
    add_rows: dict[str, list[str]] = field(default_factory=dict)
    constant: bool = True
    auto_notes: bool = True

    @classmethod
    def from_results(
        cls,
        results: Sequence[ModelResult] | Mapping[Any, ModelResult] | ModelResult,
        *,
        keep: Sequence[str] | None = None,
        order: Sequence[str] | None = None,
        labels: Mapping[str, Any] | VariableLabels | None = None,
        lang: str = "en",
        stars: Sequence[float] = (0.1, 0.05, 0.01),
        digits: int = 3,
        r2: str = "overall",
        fe_rows: Sequence[str] | Mapping[str, str] | bool | None = None,
        title: str | None = None,
        notes: str | Sequence[str] | None = None,
        below: str = "se",
        column_titles: Sequence[str] | str | None = None,
        add_rows: Mapping[str, Sequence[str]] | None = None,
        constant: bool = True,
        auto_notes: bool = True,
        model_names: Sequence[str] | None = None,
    ) -> RegressionTable:
        """Build the table.

        Parameters
        ----------
        results : ModelResults, one column each ((1)...(n)); a dict (e.g. from
            :func:`heterogeneity`) uses its values, and its keys as ``column_titles``.
        keep : terms to show (default all); ``order``: terms shown first, in that order
            (default: the focus terms the estimators record in ``extra["key_terms"]`` - key
            regressor, its lags, the interaction -, then the others in order of first
            appearance). The constant (``Intercept``) is always the last coefficient row ("Constant"/"常数项").
        labels : user variable labels ``{var: label}`` (see :mod:`.labels`); also used for the
            dependent variable and fixed-effect dimensions.
        lang : ``"en"`` or ``"zh"`` (row labels, YES/NO vs 是/否, notes).
        stars : thresholds, one star per threshold p is strictly below (* p<0.1, ** p<0.05,
            *** p<0.01).
        digits : decimals of coefficients, SEs and R².
        r2 : ``"overall"`` (adjusted R², pyfixest ``_adj_r2``), ``"within"``
            (``_adj_r2_within``), ``"both"`` or ``"none"``; rows are labelled accordingly.
        fe_rows : None - one YES/NO row per fixed-effect dimension used by any model; a list of
            FE columns (rows in that order, also for dimensions no model uses); a dict
            ``{fe column: row label}``; False - no FE rows.
        below : ``"se"`` (standard errors in parentheses) or ``"t"`` (t statistics).
        column_titles : an extra header row (e.g. group names); ``"names"`` uses the results'
            names. ``model_names`` is an alias.
        add_rows : extra rows before N, ``{label: [cell per model]}`` (e.g. controls YES/NO).
        notes : notes appended after the automatic ones (SE type, stars, dropped singletons);
            ``auto_notes=False`` drops the automatic notes.
        """
        if model_names is not None:
            if column_titles is not None:
                raise InputError("Pass column_titles or model_names, not both.")
            column_titles = list(model_names)
        if isinstance(results, ModelResult):
            results = [results]
        if isinstance(results, Mapping):
            if column_titles is None:
                column_titles = [str(k) for k in results]
            results = list(results.values())
        results = list(results)
        if not results:
            raise InputError("RegressionTable needs at least one ModelResult.")
        for r in results:
            if not isinstance(r, ModelResult):
                raise InputError(f"RegressionTable expects ModelResult objects, got {type(r).__name__}.")
        if lang not in ("en", "zh"):
            raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
        if r2 not in _R2_CHOICES:
            raise InputError(f"r2 must be one of {list(_R2_CHOICES)}, got {r2!r}.")
        if below not in ("se", "t"):
            raise InputError(f"below must be 'se' or 't', got {below!r}.")
        st = tuple(sorted((float(s) for s in stars), reverse=True))
        if any(not 0 < s < 1 for s in st):
            raise InputError(f"Star thresholds must lie in (0, 1), got {tuple(stars)}.")
        if not isinstance(digits, int) or digits < 0:
            raise InputError(f"digits must be a non-negative integer, got {digits!r}.")
        all_terms = _all_terms(results)
        if keep is not None:
            unknown = [k for k in keep if k not in all_terms]
            if unknown:
                raise InputError(f"keep: term(s) {unknown} are in no model; terms: {all_terms}.")
        if order is not None:
            unknown = [k for k in order if k not in all_terms]
            if unknown:
                raise InputError(f"order: term(s) {unknown} are in no model; terms: {all_terms}.")
        if isinstance(column_titles, str):
            if column_titles != "names":
                raise InputError("column_titles must be a list of strings or 'names'.")
            column_titles = [r.name for r in results]
        if column_titles is not None and len(column_titles) != len(results):
            raise InputError(f"column_titles has {len(column_titles)} entries for {len(results)} models.")
        rows: dict[str, list[str]] = {}
        for k, vals in (add_rows or {}).items():
            vals = [str(v) for v in vals]
            if len(vals) != len(results):
                raise InputError(f"add_rows[{k!r}] has {len(vals)} cells for {len(results)} models.")
            rows[str(k)] = vals
        return cls(
            results=results,
            keep=list(keep) if keep is not None else None,
            order=list(order) if order is not None else None,
            labels=as_labels(labels),
            lang=lang,
            stars=st,
            digits=digits,
            r2=r2,
            fe_rows=fe_rows,
            title=title,
            notes=note_list(notes),
            below=below,
            column_titles=[str(c) for c in column_titles] if column_titles is not None else None,
            add_rows=rows,
            constant=constant,
            auto_notes=auto_notes,
        )

    # ---- layout ------------------------------------------------------------------------------

    def terms(self) -> list[str]:
        """Coefficient rows in display order (the constant last)."""
        all_terms = _all_terms(self.results)
        body = [t for t in all_terms if t != "Intercept"]
        if self.keep is not None:
            body = [t for t in body if t in self.keep]
        order = self.order
        if order is None:  # the estimators' focus terms (key regressor, its lags...) first
            order = list(dict.fromkeys(t for r in self.results for t in (r.extra or {}).get("key_terms", [])))
        if order:
            first = [t for t in order if t in body]
            body = first + [t for t in body if t not in first]
        if self.constant and "Intercept" in all_terms and (self.keep is None or "Intercept" in self.keep):
            body.append("Intercept")
        return body

    def term_label(self, name: str) -> str:
        """Display label of a coefficient row."""
        lang = self.lang
        found = self.labels.get(name, lang)
        if found is not None:
            return found
        for r in self.results:
            meta = (r.extra or {}).get("term_meta", {}).get(name)
            if meta:
                kind, base, val = meta
                if kind == "lag":
                    return term("lag", lang, name=label_for(base, lang, self.labels), k=val)
                if kind == "interaction":
                    return term("interaction", lang, a=label_for(base, lang, self.labels), b=label_for(str(val), lang, self.labels))
                if kind == "dummy":
                    return f"{label_for(base, lang, self.labels)} = {label_for(str(val), lang, self.labels)}"
        return label_for(name, lang, self.labels)

    def fe_dimensions(self) -> list[tuple[str, str]]:
        """(FE column, row label) of the fixed-effect indicator rows."""
        if self.fe_rows is False:
            return []
        roles: dict[str, str] = {}
        for r in self.results:
            roles.update((r.extra or {}).get("fe_roles", {}))
        if isinstance(self.fe_rows, Mapping):
            return [(k, str(v)) for k, v in self.fe_rows.items()]
        if self.fe_rows is None or self.fe_rows is True:
            dims = list(dict.fromkeys(fe for r in self.results for fe in r.fixed_effects))
        else:
            dims = list(self.fe_rows)
        out = []
        for d in dims:
            role = roles.get(d)
            out.append((d, fe_label(d, self.lang, self.labels, role=role if role in ("time", "entity") else None)))
        return out

    def grid(self) -> Grid:
        """The display grid (header rows, coefficient/SE rows, FE rows, N, R²)."""
        lang, n = self.lang, len(self.results)
        header: list[list[str]] = []
        header.append(["", *[label_for(r.depvar, lang, self.labels) for r in self.results]])
        if self.column_titles is not None:
            header.append(["", *self.column_titles])
        header.append([term("variable", lang), *[f"({i})" for i in range(1, n + 1)]])

        body: list[list[str]] = []
        for t in self.terms():
            top, bottom = [self.term_label(t)], [""]
            for r in self.results:
                if t in r.coefs.index:
                    row = r.coefs.loc[t]
                    est = format_number(row.get("estimate"), self.digits)
                    p = row.get("p_value") if "p_value" in r.coefs.columns else None
                    top.append(est + star_string(p, self.stars) if est else "")
                    below_val = row.get("std_error") if self.below == "se" else row.get("t_stat")
                    b = format_number(below_val, self.digits)
                    bottom.append(f"({b})" if b else "")
                else:
                    top.append("")
                    bottom.append("")
            body += [top, bottom]
        rules = {len(body)} if body else set()
        yes, no = term("yes", lang), term("no", lang)
        for dim, label in self.fe_dimensions():
            body.append([label, *[yes if dim in r.fixed_effects else no for r in self.results]])
        for label, vals in self.add_rows.items():
            body.append([label, *vals])
        body.append([term("observations", lang), *[format_count(r.nobs) for r in self.results]])
        if self.r2 in ("overall", "both"):
            body.append([term("adj_r2_overall", lang), *[format_number(r.adj_r2, self.digits) for r in self.results]])
        if self.r2 in ("within", "both"):
            body.append([term("adj_r2_within", lang), *[format_number(r.adj_r2_within, self.digits) for r in self.results]])
        return Grid(header=header, body=body, rules=rules, title=self.title, notes=self._all_notes())

    def _all_notes(self) -> list[str]:
        notes: list[str] = []
        if self.auto_notes:
            lang = self.lang
            vcovs = list(dict.fromkeys(r.vcov for r in self.results))
            frag = _vcov_note_fragment(vcovs[0], lang, self.labels) if len(vcovs) == 1 else ""
            text, sep = localized(TEXT, lang), term("list_sep", lang)
            if self.below == "se":
                se_note = text["se_note"].format(vcov=frag)
            else:
                se_note = text["t_note_vcov"].format(vcov=frag) if frag else text["t_note"]
            symbols = ["*" * (i + 1) for i in range(len(self.stars))]  # English: "* p<0.1, ** p<0.05."
            star_note = text["star_note"].format(
                pairs=sep.join(f"{s} p<{_fmt_p(t)}" for s, t in zip(symbols, self.stars, strict=True)),
                symbols=sep.join(symbols), levels=sep.join(f"{_fmt_p(t * 100)}%" for t in self.stars))
            notes += [se_note, star_note]
            singles = [(i, r.extra.get("n_dropped_singletons", 0)) for i, r in enumerate(self.results, 1) if (r.extra or {}).get("n_dropped_singletons")]
            if singles:
                total = sum(s for _, s in singles)
                models = ", ".join(f"({i}): {s}" for i, s in singles)
                notes.append(text["singletons"].format(total=total, models=models))
        return notes + list(self.notes)

    # ---- outputs -----------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The display grid as a DataFrame (columns: dependent variable x (k); index: row labels)."""
        return self.grid().to_frame()

    def tidy(self) -> pd.DataFrame:
        """Machine-readable long table: one row per model x term."""
        import pandas as pd

        recs = []
        for i, r in enumerate(self.results, start=1):
            for t, row in r.coefs.iterrows():
                p = row.get("p_value")
                recs.append(
                    {
                        "model": i,
                        "model_name": r.name,
                        "depvar": r.depvar,
                        "term": t,
                        "label": self.term_label(str(t)),
                        "estimate": row.get("estimate"),
                        "std_error": row.get("std_error"),
                        "t_stat": row.get("t_stat"),
                        "p_value": p,
                        "ci_low": row.get("ci_low"),
                        "ci_high": row.get("ci_high"),
                        "stars": star_string(p, self.stars),
                        "nobs": int(r.nobs),
                        "r2": r.r2,
                        "adj_r2": r.adj_r2,
                        "r2_within": r.r2_within,
                        "adj_r2_within": r.adj_r2_within,
                        "fixed_effects": ";".join(r.fixed_effects),
                        "vcov": r.vcov,
                    }
                )
        return pd.DataFrame.from_records(recs)

    def to_csv(self, path: str | Path | None = None) -> str:
        """Tidy CSV (see :meth:`tidy`); written to ``path`` when given, returned as text."""
        text = self.tidy().to_csv(index=False, lineterminator="\n")
        return write_text(text, path)

    def summary(self) -> str:
        """Plain-text rendering of the table."""
        return self.to_text()


def _fmt_p(x: float) -> str:
    return f"{x:g}"


def _all_terms(results: Sequence[ModelResult]) -> list[str]:
    return list(dict.fromkeys(str(t) for r in results for t in r.coefs.index))
