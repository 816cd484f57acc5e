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


# --- how-to pages in both languages -------------------------------------------------------

HOW_TOS = sorted(p.stem for p in (DOCS / "how-to").glob("*.md"))
#: The study whose study file each how-to's TOML snippets belong to (None: no study file).
HOW_TO_STUDY = {"cities": "resilience", "controls-moderators": "resilience", "region-groups": "resilience",
                "spark": "firm-resilience", "published": None, "data-build": "build", "reports": None,
                "word": None, "cite": None, "firm-models": "firm-resilience"}


def test_the_issue_how_tos_exist():
    wanted = {"published", "controls-moderators", "region-groups", "cities", "spark", "word", "cite", "firm-models"}
    assert wanted <= set(HOW_TOS), f"missing how-to pages: {sorted(wanted - set(HOW_TOS))}"


@pytest.mark.parametrize("page", HOW_TOS)
def test_how_to_in_both_languages_runs_the_same_code(page):
    en_path, zh_path = DOCS / "how-to" / f"{page}.md", DOCS / "zh" / "how-to" / f"{page}.md"
    assert zh_path.is_file(), f"how-to/{page}.md has no Chinese page docs/zh/how-to/{page}.md"
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert f" how-to/{page}.md" in nav and f" zh/how-to/{page}.md" in nav, f"how-to {page} missing from the nav"
    en, zh = _exec_blocks(en_path), _exec_blocks(zh_path)
    assert [b.replace('"zh"', '"en"') for b in zh] == [b.replace('"zh"', '"en"') for b in en]
    for block in en:
        compile(block, f"how-to/{page}.md", "exec")
    # the Chinese page is a page, not a pointer: prose and at least the same code or commands
    zh_text = zh_path.read_text(encoding="utf-8")
    assert len(re.findall(r"[\u4e00-\u9fff]", zh_text)) > 80
    en_fences = re.findall(r"^ *```(\w+)", en_path.read_text(encoding="utf-8"), re.M)
    zh_fences = re.findall(r"^ *```(\w+)", zh_text, re.M)
    assert sorted(zh_fences) == sorted(en_fences), f"{page}: code blocks differ between the languages"


def _toml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```toml[^\n]*\n(.*?)^\1```", text, re.S | re.M)
    return [re.sub(r"^" + indent, "", body, flags=re.M) for indent, body in blocks]


@pytest.mark.parametrize("page", HOW_TOS)
@pytest.mark.parametrize("lang_dir", ["", "zh/"])
def test_how_to_study_file_snippets_are_valid(page, lang_dir):
    """Every TOML snippet of a how-to is a valid part of the study file of its study: the
    sections and keys exist and the values pass the study's own checks."""
    import tomllib

    from exportlens.studies.registry import load_study

    blocks = _toml_blocks(DOCS / lang_dir / "how-to" / f"{page}.md")
    study = HOW_TO_STUDY.get(page, "unknown")
    if not blocks:
        return
    assert study, f"how-to {page} has study-file snippets: name its study in HOW_TO_STUDY"
    if study == "build":  # build files of `exportlens data build`
        from exportlens.data.build import build_spec_from_dict

        for block in blocks:
            build_spec_from_dict(tomllib.loads(block), origin=f"{lang_dir}how-to/{page}.md")
        return
    spec_class = load_study(study).spec_class
    for block in blocks:
        spec = spec_class.from_dict(tomllib.loads(block), origin=f"{lang_dir}how-to/{page}.md")
        spec.check()


# --- no external resources, formulas as MathML ---------------------------------------------

_EXTERNAL = re.compile(r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["']?(?:https?:)?//"""
                       r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//""", re.I)


def test_no_page_loads_anything_from_outside(site):
    """Readers in China often cannot reach jsdelivr, cdnjs or Google Fonts: no page may load a
    script, stylesheet, font or image from another host (links to other sites are fine)."""
    offenders = {}
    for page in site.rglob("*.html"):
        hits = _EXTERNAL.findall(page.read_text(encoding="utf-8"))
        if hits:
            offenders[str(page.relative_to(site))] = hits[:3]
    assert not offenders, f"pages loading external resources: {dict(list(offenders.items())[:5])}"
    for css in site.rglob("*.css"):
        assert not re.search(r"@import\s+(?:url\()?[\"']?https?:", css.read_text(encoding="utf-8")), css


def test_formulas_are_mathml_rendered_at_build_time(site):
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    left = [str(p.relative_to(site)) for p, t in pages.items() if 'class="arithmatex"' in t or "\\(" in t]
    assert not left, f"formulas left as TeX (not converted to MathML): {left[:5]}"
    page = pages[site / "tutorials" / "resilience" / "index.html"]
    blocks = re.findall(r'<div class="math-display"><math [^>]*display="block"', page)
    assert len(blocks) >= 2 and page.count("<math ") >= 5
    assert "<mi>&#x003B8;</mi>" in page or "<mi>θ</mi>" in page  # θ of Vag's distance decay
    assert "mathjax" not in page.lower() and "katex" not in page.lower()


# --- the README is a short front page ------------------------------------------------------

QUICK_START = ["python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/exportlens demo",
               'python3 -m venv .venv && .venv/bin/pip install ".[test]" && .venv/bin/python -m pytest']


def test_readme_is_a_short_front_page_with_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert len(lines) <= 100, f"README.md has {len(lines)} lines; move details into docs/"
    for command in QUICK_START:
        assert command in lines, f"quick-start command changed or missing: {command}"
    assert QUICK_START[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "SYNTHETIC" in readme
    for target in re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", readme):
        assert (ROOT / target).is_file(), f"README links to {target}, which does not exist"
    for study in STUDIES:
        assert f"docs/tutorials/{study}.md" in readme


# --- commands shown in the documentation exist ---------------------------------------------

_GROUPS = {"run", "data", "regions", "datasets", "study"}


def _documented_commands() -> list[tuple[str, list[str]]]:
    """(page, tokens after ``exportlens``) of every command line in a ``bash`` block."""
    import shlex

    out = []
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for _indent, body in re.findall(r"^( *)```bash\n(.*?)^\1```", text, re.S | re.M):
            for line in body.replace("\\\n", " ").splitlines():
                line = line.strip()
                for prefix in ("exportlens ", ".venv/bin/exportlens "):
                    if line.startswith(prefix):
                        tokens = shlex.split(line[len(prefix):].split(" > ")[0], comments=True)
                        out.append((str(page.relative_to(ROOT)), tokens))
    return out


def test_documented_commands_and_options_exist():
    """Every ``exportlens`` command in a bash block of the README or the docs names a real
    (sub)command, and each of its ``--options`` is in that command's help."""
    from typer.testing import CliRunner

    from exportlens.cli import app

    runner = CliRunner()
    commands = _documented_commands()
    assert len(commands) > 30
    helps: dict[tuple[str, ...], str] = {}
    bad = []
    for page, tokens in commands:
        path = tuple(tokens[:2] if tokens and tokens[0] in _GROUPS else tokens[:1])
        path = tuple(t for t in path if not t.startswith("-"))
        if path not in helps:
            r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
            helps[path] = r.output if r.exit_code == 0 else ""
        if not helps[path]:
            bad.append(f"{page}: exportlens {' '.join(path)} is not a command")
            continue
        for opt in (t.split("=")[0] for t in tokens if t.startswith("--")):
            if opt not in helps[path]:
                bad.append(f"{page}: exportlens {' '.join(path)} has no option {opt}")
    assert not bad, "\n".join(bad)
