"""Chinese fonts for figures and reports, shipped with the package (no system fonts needed).

Fresh Linux machines have no font with Chinese glyphs, so matplotlib draws empty boxes
("tofu") for Chinese labels. exportlens depends on ``noto-cjk-sans-otc`` (Noto Sans CJK,
SIL Open Font License 1.1), a wheel that carries the Noto Sans CJK OpenType collection;
:func:`register_cjk_font` adds it to matplotlib's font manager at first use (matplotlib
>= 3.10 registers every face of the collection, among them "Noto Sans CJK SC"; older
versions register the first face, Japanese, which has the same Chinese glyph coverage).

This is the one place where fonts are registered: figures call :func:`cjk_font`.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

__all__ = ["CJK_FONTS", "bundled_cjk_font_path", "cjk_font", "cjk_font_subset", "register_cjk_font"]

# Fonts that carry CJK glyphs, in order of preference: the bundled Simplified Chinese face
# first, then common system fonts (Windows, macOS, Linux names).
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "SimSun",
    # other faces of the bundled collection (same Chinese coverage, regional glyph shapes)
    "Noto Sans CJK JP", "Noto Sans CJK TC",
)


def bundled_cjk_font_path() -> Path | None:
    """Path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``, or None when absent."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def register_cjk_font() -> Path | None:
    """Add the bundled CJK font to matplotlib's font manager (once per process).

    Returns the font file registered, or None when the font package is not installed
    (then only system fonts can draw Chinese). Idempotent: a second call does nothing.
    """
    path = bundled_cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return path


def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs known to matplotlib (the bundled one first), or None."""
    register_cjk_font()
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return None


@lru_cache(maxsize=8)
def cjk_font_subset(text: str, family: str = "Noto Sans CJK SC") -> bytes | None:
    """The bundled CJK face ``family`` cut down to the glyphs of ``text`` (OpenType bytes).

    Used to embed Chinese glyphs in self-contained HTML reports (``@font-face`` with a data
    URL), so they render on machines without Chinese fonts (cached per text: subsetting
    takes about a second). Deterministic: the font's
    ``head.modified`` timestamp is kept, so the same text gives the same bytes. None when the
    font package is absent.
    """
    path = bundled_cjk_font_path()
    if path is None:
        return None
    import io

    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    # fontTools reports every pruned table at INFO level; a run's console is not the place for it
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    with TTCollection(str(path), lazy=True) as collection:  # closed here: no file left for the GC
        names = [f["name"].getDebugName(1) for f in collection.fonts]
    index = names.index(family) if family in names else 0
    with TTFont(str(path), fontNumber=index, recalcTimestamp=False, lazy=True) as font:
        options = subset.Options()
        options.name_IDs = ["*"]
        options.hinting = False  # screen rendering in browsers; halves the embedded size
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        # keep the full face's bounding boxes (valid for the subset, which only has fewer
        # glyphs): recomputing them runs every CFF glyph program again (about half the save)
        font.recalcBBoxes = False
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()
