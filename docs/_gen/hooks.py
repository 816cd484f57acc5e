"""MkDocs hook: the docstrings use Sphinx roles (:func:`name`, :class:`~pkg.Name`), which
Markdown renders as ":func:" followed by code; show them as code, the ``~`` form as its last
component (as Sphinx does)."""

import re

_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|const):<code>(~?)([^<]*)</code>")


def _code(match: re.Match) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html, **kwargs):
    """Replace the Sphinx roles in the rendered page."""
    return _ROLE.sub(_code, html)
