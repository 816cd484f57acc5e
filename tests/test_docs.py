"""The documentation site (issue 18): the API reference covers every public name, the
tutorials exist in both languages with the same executed code, and (after
``mkdocs build --strict``) the executed tutorials print the same headline numbers as the
studies run directly through the command line.

The site checks read the built site in ``site/`` (or ``EXPORTLENS_DOCS_SITE``); without a
built site they are skipped with the reason (``.ci/run`` runs them after the build).
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import inspect
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STUDIES = ["resilience", "linkage", "value-added", "synergy", "firm-resilience"]


def _load_reference_module():
    spec = importlib.util.spec_from_file_location("reference_pages", DOCS / "_gen" / "reference_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_modules() -> list[str]:
    """Every subpackage/module in ``exportlens.__all__`` that has an ``__all__`` (listed here
    independently of the generator)."""
    import exportlens

    out = []
    for name in exportlens.__all__:
        obj = getattr(exportlens, name)
        if inspect.ismodule(obj) and hasattr(obj, "__all__"):
            out.append(name)
    return out


def test_every_public_name_has_a_reference_entry():
    ref = _load_reference_module()
    pages = ref.reference_pages()
    modules = _public_modules()
    assert {"measures", "regions", "studies", "report", "errors"} <= set(modules)
    missing = []
    for mod in modules:
        page = pages.get(f"reference/{mod}.md")
        assert page is not None, f"no reference page for exportlens.{mod}"
        for name in importlib.import_module(f"exportlens.{mod}").__all__:
            if f"::: exportlens.{mod}.{name}\n" not in page and f"`exportlens.{mod}.{name}` is [" not in page:
                missing.append(f"exportlens.{mod}.{name}")
    assert not missing, f"public names without a reference entry: {missing}"


def test_reference_pages_are_in_the_nav():
    ref = _load_reference_module()
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for path in ref.reference_pages():
        assert path in nav, f"{path} is generated but not in mkdocs.yml nav"


def _exec_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r'^( *)```python exec="on"[^\n]*\n(.*?)^\1```', text, re.S | re.M)
    return [re.sub(r"^" + indent, "", body, flags=re.M) for indent, body in blocks]


@pytest.mark.parametrize("study", STUDIES)
def test_tutorial_in_both_languages_runs_the_same_code(study):
    en = _exec_blocks(DOCS / "tutorials" / f"{study}.md")
    zh = _exec_blocks(DOCS / "zh" / "tutorials" / f"{study}.md")
    assert len(en) >= 3, "a tutorial runs the study, shows a table and a user's choice"
    assert "print(result.summary())" in en[0]

    def neutral(code: str) -> str:
        return code.replace('"zh"', '"en"')

    assert [neutral(b) for b in zh] == en
    for block in en:
        compile(block, f"{study}.md", "exec")


# --- checks of the built site ------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    root = Path(os.environ.get("EXPORTLENS_DOCS_SITE", ROOT / "site"))
    if not (root / "demo-headlines.json").is_file():
        pytest.skip(f"documentation site not built in {root} (run .venv/bin/mkdocs build --strict first)")
    return root


def _page_text(page: Path) -> str:
    raw = page.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def _headline_lines(summary: str) -> list[str]:
    """The summary's lines up to its notes: the headline numbers of a run."""
    lines = []
    for line in summary.splitlines():
        if line.startswith("Note:") or not line.strip():
            break
        lines.append(line.rstrip())
    return lines


@pytest.mark.parametrize("study", STUDIES)
@pytest.mark.parametrize("lang_dir", ["", "zh/"])
def test_executed_tutorial_reproduces_the_direct_run(site, study, lang_dir):
    headlines = json.loads((site / "demo-headlines.json").read_text(encoding="utf-8"))
    direct = _headline_lines(headlines["summaries"][study])
    assert len(direct) >= 2 and any(re.search(r"\d\.\d", line) for line in direct)
    text = _page_text(site / f"{lang_dir}tutorials" / study / "index.html")
    missing = [line for line in direct if line.strip() not in text]
    assert not missing, f"{lang_dir}tutorials/{study}: lines of the direct run not printed by the tutorial: {missing}"


def test_every_public_name_is_rendered_in_the_site(site):
    ref = _load_reference_module()
    missing = []
    for mod in _public_modules():
        for name in importlib.import_module(f"exportlens.{mod}").__all__:
            path = ref.object_path(mod, name)
            page_mod = path.rsplit(".", 1)[0].removeprefix("exportlens.") if path != f"exportlens.{mod}.{name}" else mod
            page = site / "reference" / page_mod / "index.html"
            if not page.is_file() or f'id="{path}"' not in page.read_text(encoding="utf-8"):
                missing.append(path)
    assert not missing, f"public names not rendered in the API reference: {missing}"


def test_gallery_shows_every_figure_of_the_direct_runs(site):
    headlines = json.loads((site / "demo-headlines.json").read_text(encoding="utf-8"))
    gallery = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    zh_gallery = (site / "zh" / "gallery" / "index.html").read_text(encoding="utf-8")
    for study in STUDIES:
        assert headlines["figures"][study], f"{study} drew no figure"
        assert headlines["commands"][study] in html.unescape(re.sub(r"<[^>]+>", "", gallery))
        for fig in headlines["figures"][study]:
            assert (site / "gallery" / study / fig).stat().st_size > 1000
            assert f"{study}/{fig}\"" in gallery and f"gallery/{study}/{fig}\"" in zh_gallery
