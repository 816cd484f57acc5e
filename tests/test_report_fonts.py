"""Chinese figure labels with the bundled font: no missing glyph, real glyphs (not tofu)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exportlens.report import fonts
from exportlens.report.figures import figure_language, figure_rc, pyplot


def _render(text: str, family: str) -> np.ndarray:
    """Grey pixels of ``text`` drawn alone in ``family`` (Agg canvas)."""
    plt = pyplot()
    with plt.rc_context({"font.sans-serif": [family], "font.family": "sans-serif"}):
        fig = plt.figure(figsize=(3, 0.6), dpi=100)
        fig.text(0.02, 0.3, text, fontsize=20)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., 0].copy()
        plt.close(fig)
    return pixels


def test_bundled_font_is_registered_and_chosen():
    path = fonts.register_cjk_font()
    assert path is not None and path.is_file(), "noto-cjk-sans-otc is a core dependency"
    assert fonts.cjk_font() in fonts.CJK_FONTS
    assert figure_language("zh") == ("zh", None)
    assert figure_language("en") == ("en", None)


def test_chinese_figure_has_no_missing_glyph_and_real_width(tmp_path):
    plt = pyplot()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with plt.rc_context(figure_rc("zh")):
            fig, ax = plt.subplots()
            ax.set_title("出口韧性与虚拟集聚")
            ax.set_xlabel("年份")
            label = ax.text(0.5, 0.5, "中国各省出口")
            fig.savefig(tmp_path / "zh.png")
            renderer = fig.canvas.get_renderer()
            width = label.get_window_extent(renderer).width
            plt.close(fig)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert width > 0
    assert (tmp_path / "zh.png").stat().st_size > 0


def test_glyphs_differ_from_tofu():
    """With the CJK font, two different Chinese strings render differently; a font without
    Chinese glyphs draws the same box for every character (tofu), so they would be equal."""
    family = fonts.cjk_font()
    assert family is not None
    a, b = _render("中国出口", family), _render("韧性集聚", family)
    assert (a < 250).any() and (b < 250).any()
    assert not np.array_equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu Sans has no Chinese glyphs: tofu on purpose
        ta, tb = _render("中国出口", "DejaVu Sans"), _render("韧性集聚", "DejaVu Sans")
    assert np.array_equal(ta, tb), "control: tofu boxes are identical for different characters"
    assert not np.array_equal(a, ta)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rc_uses_cjk_font_only_for_chinese(lang):
    rc = figure_rc(lang)
    assert ("font.sans-serif" in rc) == (lang == "zh")


def test_cjk_subset_has_the_glyphs_of_its_text_and_is_deterministic():
    """The embedded HTML font: every character of the text maps to a glyph, little else is kept,
    and the same text gives the same bytes (bounding boxes kept from the full face)."""
    import io

    from fontTools.ttLib import TTFont

    from exportlens.report import fonts

    if fonts.bundled_cjk_font_path() is None:
        pytest.skip("noto-cjk-sans-otc is not installed")
    text = "出口韧性虚拟集聚Vag0123.,（）"
    data = fonts.cjk_font_subset(text)
    fonts.cjk_font_subset.cache_clear()
    assert fonts.cjk_font_subset(text) == data
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert {ord(c) for c in text} <= set(cmap)
    assert len(font.getGlyphOrder()) < 100  # the text's glyphs and their layout alternates, not 65k
    head = font["head"]
    assert head.xMin < head.xMax and head.yMin < head.yMax


def _bundled_or_skip():
    from exportlens.report import fonts

    if fonts.bundled_cjk_font_path() is None:
        pytest.skip("noto-cjk-sans-otc is not installed")
    return fonts


def test_base_subset_covers_every_character_of_the_package_texts():
    """The shipped base subset has every character of exportlens' own texts that the full face has
    (else: run ``python tools/make_cjk_base_font.py``)."""
    from pathlib import Path

    from fontTools.ttLib import TTFont

    import exportlens

    fonts = _bundled_or_skip()
    base = fonts.base_subset_path()
    assert base is not None, "the package ships report/assets/noto-sans-cjk-sc-base.otf"
    with TTFont(str(fonts.bundled_cjk_font_path()), fontNumber=fonts.face_index(fonts.EMBEDDED_FAMILY),
                lazy=True) as full:
        in_face = {chr(c) for c in full.getBestCmap()}
    wanted = set(fonts.base_charset(Path(exportlens.__file__).parent)) & in_face
    missing = wanted - fonts.base_characters(str(base))
    assert not missing, f"not in the base subset: {''.join(sorted(missing))[:80]} - run python tools/make_cjk_base_font.py"
    assert {"韧", "性", "省", "份", "Σ", "×", "（"} <= fonts.base_characters(str(base))


def test_subset_from_the_base_equals_the_subset_from_the_full_face_byte_for_byte():
    """Cutting a page's font from the shipped base gives the very bytes cutting it from the 20 MB
    collection gives (same glyphs, outlines, metrics, names and layout tables)."""
    fonts = _bundled_or_skip()
    text = "虚拟集聚对出口韧性的影响 Table 1. (0.123)*** 省份×年份 θ²"
    fonts.cjk_font_subset.cache_clear()
    via_base = fonts.cjk_font_subset(text)
    full = fonts.subset_font(fonts.bundled_cjk_font_path(), text, face=fonts.face_index(fonts.EMBEDDED_FAMILY))
    assert set(text) <= fonts.base_characters(str(fonts.base_subset_path()))
    assert via_base == full


def test_text_outside_the_base_is_cut_from_the_full_face():
    """A user's own region names may use characters exportlens' texts do not: they still get glyphs."""
    import io

    from fontTools.ttLib import TTFont

    fonts = _bundled_or_skip()
    rare = "鄯巍"  # 鄯善县 and similar county names
    assert not set(rare) <= fonts.base_characters(str(fonts.base_subset_path())), "test premise: not in the base"
    data = fonts.cjk_font_subset("出口" + rare)
    assert {ord(c) for c in "出口" + rare} <= set(TTFont(io.BytesIO(data)).getBestCmap())
