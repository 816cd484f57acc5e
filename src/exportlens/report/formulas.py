"""Formulas rendered from LaTeX with matplotlib's mathtext: SVG for HTML, PNG for Word.

No TeX installation and no network (no MathJax CDN): mathtext covers the formulas of the
method notes. Output is deterministic (fixed SVG id salt, no date or software metadata).
"""

from __future__ import annotations

import io
from functools import lru_cache

from exportlens.errors import InputError
from exportlens.report.figures import pyplot

__all__ = ["formula_png", "formula_svg"]


@lru_cache(maxsize=256)  # the same method formulas recur in the HTML and Word reports of related runs
def _render(latex: str, fmt: str, fontsize: float, dpi: int) -> bytes:
    plt = pyplot()
    rc = {"svg.hashsalt": "exportlens", "svg.fonttype": "path", "mathtext.fontset": "cm"}
    with plt.rc_context(rc):
        fig = plt.figure(figsize=(0.01, 0.01))
        try:
            fig.text(0, 0, latex, fontsize=fontsize)
            buf = io.BytesIO()
            meta = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.02, transparent=True,
                        metadata=meta)
        except ValueError as exc:
            raise InputError(f"Formula {latex!r} cannot be rendered by matplotlib mathtext: {exc}") from exc
        finally:
            plt.close(fig)
    return buf.getvalue()


def formula_svg(latex: str, fontsize: float = 13) -> str:
    """Inline SVG of a mathtext formula (``$...$``), without the XML prolog."""
    svg = _render(latex, "svg", fontsize, 72).decode("utf-8")
    return svg[svg.index("<svg"):]


def formula_png(latex: str, fontsize: float = 13, dpi: int = 200) -> bytes:
    """PNG bytes of a mathtext formula (for Word documents)."""
    return _render(latex, "png", fontsize, dpi)
