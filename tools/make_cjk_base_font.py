"""Make ``src/exportlens/report/assets/noto-sans-cjk-sc-base.otf``: the bundled Noto Sans CJK SC
face cut down to the characters of exportlens' own texts (:func:`exportlens.report.fonts.base_charset`).

HTML reports subset their embedded font from this small file instead of the 20 MB collection
(see :mod:`exportlens.report.fonts`). Run it again after adding Chinese text to the package
(``tests/test_report_fonts.py`` fails until then)::

    python tools/make_cjk_base_font.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from exportlens.report import fonts

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "exportlens"


def main() -> int:
    bundled = fonts.bundled_cjk_font_path()
    if bundled is None:
        print("noto-cjk-sans-otc is not installed: pip install -e . first", file=sys.stderr)
        return 2
    chars = fonts.base_charset(PACKAGE)
    face = fonts.face_index(fonts.EMBEDDED_FAMILY)
    data = fonts.subset_font(bundled, chars, face=face)
    out = PACKAGE / "report" / "assets" / fonts.BASE_SUBSET_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"{out.relative_to(ROOT)}: {len(chars)} characters, {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
