"""MkDocs hooks.

1. The docstrings use Sphinx roles (:func:`name`, :class:`~pkg.Name`), which Markdown renders
   as ":func:" followed by code; show them as code, the ``~`` form as its last component (as
   Sphinx does).
2. Formulas without a CDN: ``pymdownx.arithmatex`` (generic mode) wraps ``$...$`` in
   ``<span class="arithmatex">\\(...\\)</span>`` and ``$$...$$`` in
   ``<div class="arithmatex">\\[...\\]</div>``; they are converted here, at build time, to
   MathML with ``latex2mathml``, which browsers render natively (no JavaScript, no font
   download: the site works where jsdelivr/cdnjs cannot be reached). A formula that cannot
   be converted stops the build with the page and the formula.
"""

import html
import re

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|const):<code>(~?)([^<]*)</code>")
_MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
_DELIMITERS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}


def _code(match: re.Match) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """MathML for one formula (TeX without its delimiters)."""
    return convert(tex.strip(), display="block" if display else "inline")


def _math(page_name: str):
    def replace(match: re.Match) -> str:
        tag, body = match.groups()
        tex = html.unescape(body).strip()
        start, end = _DELIMITERS[tag]
        if not (tex.startswith(start) and tex.endswith(end)):
            raise PluginError(f"{page_name}: unexpected formula markup {tex[:80]!r}")
        try:
            mathml = tex_to_mathml(tex[len(start):-len(end)], display=tag == "div")
        except Exception as exc:  # latex2mathml raises several exception types
            raise PluginError(f"{page_name}: the formula {tex!r} cannot be converted to MathML ({exc}); "
                              "write it in the TeX subset latex2mathml supports.") from exc
        return f'<div class="math-display">{mathml}</div>' if tag == "div" else mathml

    return replace


def on_page_content(html, page, **kwargs):
    """Replace the Sphinx roles and convert the formulas of the rendered page."""
    html = _ROLE.sub(_code, html)
    return _MATH.sub(_math(page.file.src_uri), html)
