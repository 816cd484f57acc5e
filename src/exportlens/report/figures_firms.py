"""Figures of the firm-level export-resilience study (matplotlib, deterministic PNG)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exportlens.report.figures import figure_rc, pyplot, save_figure
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["survival_by_group", "survival_curves"]


def survival_by_group(
    group_year: pd.DataFrame,
    *,
    group: str,
    path: str | Path,
    shock_year: int,
    base_year: int,
    group_labels: Mapping[str, str],
    titles: Sequence[str],
    xlabel: str = "year",
    ylabel: str = "",
    note: str | None = None,
    shock_label: str = "shock",
) -> Path:
    """Survival of the base-year cohort by region group: firm-weighted and value-weighted.

    ``group_year`` is a group x year table with ``survival_rate_fw`` and
    ``survival_rate_vw`` (missing before the base year); one line per group in
    ``group_labels`` order (keys -> legend labels), a dashed line at the shock year, both
    panels starting at 1 in the base year. ``titles`` are the two panel titles.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import survival_by_group
    >>> years = [2006, 2007, 2008, 2009, 2010]
    >>> group_year = pd.DataFrame({
    ...     "group": ["coastal"] * 5 + ["inland"] * 5, "year": years * 2,
    ...     "survival_rate_fw": [1.0, 0.9, 0.8, 0.6, 0.55, 1.0, 0.85, 0.75, 0.6, 0.5],
    ...     "survival_rate_vw": [1.0, 0.95, 0.9, 0.8, 0.75, 1.0, 0.9, 0.8, 0.7, 0.65]})
    >>> path = survival_by_group(group_year, group="group", path="survival.png", shock_year=2008,
    ...                          base_year=2006, group_labels={"coastal": "Coastal", "inland": "Inland"},
    ...                          titles=["Firm-weighted", "Value-weighted"])
    >>> path.name, path.stat().st_size > 0
    ('survival.png', True)
    """
    require_columns(group_year, [group, "year", "survival_rate_fw", "survival_rate_vw"], where="the group-year table")
    plt = pyplot()
    data = group_year[group_year["year"] >= base_year]
    lang = "zh" if any(ord(c) > 0x2E80 for t in [*titles, *group_labels.values()] for c in t) else "en"
    with plt.rc_context(figure_rc(lang)):
        fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.2), sharey=True)
        for ax, col, title in zip(axes, ("survival_rate_fw", "survival_rate_vw"), titles, strict=True):
            for key, label in group_labels.items():
                sub = data[data[group] == key].sort_values("year")
                if len(sub):
                    ax.plot(sub["year"], sub[col], marker="o", markersize=3, label=label)
            ax.axvline(shock_year, color="0.4", linestyle="--", linewidth=0.8)
            ax.text(shock_year, 0.02, f" {shock_label} {shock_year}", fontsize=7, color="0.35",
                    transform=ax.get_xaxis_transform())
            ax.set_title(title)
            ax.set_xlabel(xlabel)
        axes[0].set_ylabel(ylabel)
        axes[0].set_ylim(0, 1.05)
        axes[0].legend(frameon=False, fontsize=8)
        if note:
            fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out


def survival_curves(
    km: pd.DataFrame,
    *,
    path: str | Path,
    group_labels: Mapping[str, str],
    title: str,
    xlabel: str = "years exporting",
    ylabel: str = "survival",
    note: str | None = None,
) -> Path:
    """Kaplan-Meier survival curves of export spells, one step line per group.

    ``km`` is the table of :func:`exportlens.econometrics.firm_survival.kaplan_meier`
    (``group``, ``duration``, ``survival``); groups are drawn in ``group_labels`` order
    (keys -> legend labels).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report.figures_firms import survival_curves
    >>> km = pd.DataFrame({"group": ["a"] * 3, "duration": [0, 1, 2], "survival": [1.0, 0.8, 0.6]})
    >>> survival_curves(km, path="km.png", group_labels={"a": "all"}, title="Survival").name
    'km.png'
    """
    require_columns(km, ["group", "duration", "survival"], where="the Kaplan-Meier table")
    plt = pyplot()
    lang = "zh" if any(ord(c) > 0x2E80 for t in [title, *group_labels.values()] for c in t) else "en"
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        for key, label in group_labels.items():
            sub = km[km["group"] == key].sort_values("duration")
            if len(sub):
                ax.step(sub["duration"], sub["survival"], where="post", label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1.05)
        ax.legend(frameon=False, fontsize=8)
        if note:
            fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out
