"""Chinese fonts for figures and reports, shipped with the package (no system fonts needed).

Fresh Linux machines have no font with Chinese glyphs, so matplotlib draws empty boxes
("tofu") for Chinese labels. exportlens depends on ``noto-cjk-sans-otc`` (Noto Sans CJK,
SIL Open Font License 1.1), a wheel that carries the Noto Sans CJK OpenType collection;
:func:`register_cjk_font` adds it to matplotlib's font manager at first use (matplotlib
>= 3.10 registers every face of the collection, among them "Noto Sans CJK SC"; older
versions register the first face, Japanese, which has the same Chinese glyph coverage).

This is the one place where fonts are registered: figures call :func:`cjk_font`.

HTML reports embed a subset of the Simplified Chinese face (:func:`cjk_font_subset`). Cutting
it from the 20 MB collection costs about half a second a page (fontTools parses the 65k-glyph
CFF face each time), so the package also ships ``assets/noto-sans-cjk-sc-base.otf``: the same
face already cut down to every character exportlens' own texts use (the catalogue, region and
country names, Latin, digits, punctuation; :func:`base_charset`). A page whose characters are
all in it is subset from that file (about 0.1 s); any other page (e.g. a user's own region
names) from the full face. Both give the same glyph outlines (tested). The file is made by
``python tools/make_cjk_base_font.py``; a test fails when a character of the catalogue is not
in it.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["CJK_FONTS", "bundled_cjk_font_path", "cjk_font", "cjk_font_subset", "register_cjk_font"]

#: the face the HTML reports embed, and of which the package ships a pre-cut subset
EMBEDDED_FAMILY = "Noto Sans CJK SC"
BASE_SUBSET_FILE = "noto-sans-cjk-sc-base.otf"
#: characters every base subset carries besides exportlens' own texts: printable ASCII and
#: Latin-1, Greek, general punctuation, CJK symbols and punctuation, full-width forms, and the
#: common mathematical operators (those the face has)
BASE_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x391, 0x3C9), (0x2010, 0x205E), (0x2100, 0x215F),
               (0x2190, 0x2199), (0x2200, 0x22FF), (0x2460, 0x2473), (0x3000, 0x303F), (0xFF01, 0xFF5E))

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
def cjk_font_subset(text: str, family: str = EMBEDDED_FAMILY) -> bytes | None:
    """The bundled CJK face ``family`` cut down to the glyphs of ``text`` (OpenType bytes).

    Used to embed Chinese glyphs in self-contained HTML reports (``@font-face`` with a data
    URL), so they render on machines without Chinese fonts. Cut from the shipped base subset
    when it has every character of ``text`` (see the module notes), else from the full face.
    Deterministic: the font's ``head.modified`` timestamp is kept, so the same text gives the
    same bytes. None when the font package is absent.

    Examples
    --------
    >>> from exportlens.report.fonts import cjk_font_subset
    >>> data = cjk_font_subset("出口韧性")
    >>> data is None or data[:4] == b"OTTO"  # an OpenType (CFF) font, or None without the font package
    True
    """
    if bundled_cjk_font_path() is None:
        return None
    base = base_subset_path() if family == EMBEDDED_FAMILY else None
    if base is not None and set(text) <= base_characters(str(base)):
        return subset_font(base, text, drop_hints=False)  # the base has none left: nothing to drop
    return subset_font(_require_bundled(), text, face=face_index(family))


def _require_bundled() -> Path:
    path = bundled_cjk_font_path()
    assert path is not None  # checked by the callers
    return path


def base_subset_path() -> Path | None:
    """The shipped base subset (None in a checkout or install without it)."""
    path = Path(str(resources.files("exportlens.report") / "assets" / BASE_SUBSET_FILE))
    return path if path.is_file() else None


@lru_cache(maxsize=2)
def base_characters(path: str) -> frozenset[str]:
    """The characters the font at ``path`` has a glyph for (cached per path)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(chr(c) for c in font.getBestCmap())


@lru_cache(maxsize=4)
def face_index(family: str) -> int:
    """Index of the face named ``family`` in the bundled collection (0 when there is none)."""
    from fontTools.ttLib import TTCollection

    with TTCollection(str(_require_bundled()), lazy=True) as collection:  # closed here: no file left for the GC
        names = [f["name"].getDebugName(1) for f in collection.fonts]
    return names.index(family) if family in names else 0


def subset_font(path: Path, text: str, *, face: int | None = None, drop_hints: bool = True) -> bytes:
    """The font at ``path`` (face ``face`` of a collection) cut down to the glyphs of ``text``.

    Hinting is dropped (screen rendering in browsers; halves the size; ``drop_hints=False``
    skips that pass for a font that has none, e.g. the base subset); layout features,
    names and the face's bounding boxes are kept, and so is ``head.modified``: the same font
    and text give the same bytes.
    """
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    # fontTools reports every pruned table at INFO level; a run's console is not the place for it
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    with TTFont(str(path), fontNumber=-1 if face is None else face, recalcTimestamp=False, lazy=True) as font:
        options = subset.Options()
        options.name_IDs = ["*"]
        options.hinting = not drop_hints
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        # keep the full face's bounding boxes (valid for the subset, which only has fewer
        # glyphs): recomputing them runs every CFF glyph program again (about half the save)
        font.recalcBBoxes = False
        buf = io.BytesIO()
        font.save(buf)
    return buf.getvalue()


def base_charset(source_root: Path) -> str:
    """The characters of the shipped base subset: :data:`BASE_RANGES` and every printable
    character of the package's own text (``.py``, ``.toml``, ``.json``, ``.csv`` files under
    ``source_root``), sorted. Used by ``tools/make_cjk_base_font.py`` and its test."""
    chars = {chr(c) for lo, hi in BASE_RANGES for c in range(lo, hi + 1)}
    for file in sorted(Path(source_root).rglob("*")):
        if file.suffix in (".py", ".toml", ".json", ".csv") and file.is_file():
            chars |= set(file.read_text(encoding="utf-8", errors="ignore"))
    return "".join(sorted(c for c in chars if (c.isprintable() and not c.isspace()) or c == " "))
