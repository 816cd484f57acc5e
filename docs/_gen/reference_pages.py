"""The API reference pages: one page per public module, one entry per name in its ``__all__``.

Pure (no MkDocs import) so that the tests can list what the reference documents:
:func:`reference_pages` returns ``{path: markdown}``; ``gen_reference.py`` writes them into
the build with mkdocs-gen-files.
"""

from __future__ import annotations

import importlib
import inspect

import exportlens

#: Modules documented name by name from their ``__all__``, in the order of the layers
#: (bottom up). A subpackage added to ``exportlens._SUBMODULES`` later (e.g. ``spatial``)
#: is picked up by :func:`public_modules` without editing this list.
LAYER_ORDER = ["errors", "validation", "text", "regions", "measures", "mrio", "firms", "data",
               "econometrics", "spatial", "datasets", "report", "studies"]

#: The study modules: documented as modules (their public classes and functions).
STUDY_MODULES = ["framework", "resilience", "linkage", "value_added", "synergy", "firm_resilience"]


def public_modules() -> list[str]:
    """Every public module of the package root (``exportlens.__all__`` minus non-modules)."""
    names = [n for n in exportlens.__all__ if inspect.ismodule(getattr(exportlens, n, None))]
    ordered = [n for n in LAYER_ORDER if n in names]
    return ordered + sorted(set(names) - set(ordered))


def public_names(module: str) -> list[str]:
    """``__all__`` of ``exportlens.<module>``."""
    return list(importlib.import_module(f"exportlens.{module}").__all__)


def object_path(module: str, name: str) -> str:
    """The path the reference documents ``exportlens.<module>.<name>`` under: the public path
    when the module binds the name itself, the defining module's path for names a package
    provides lazily (``exportlens.studies.run_study`` is ``exportlens.studies.framework.run_study``)."""
    mod = importlib.import_module(f"exportlens.{module}")
    if name in vars(mod):
        return f"exportlens.{module}.{name}"
    obj = getattr(mod, name)
    return f"{obj.__module__}.{obj.__qualname__}"


def _first_paragraph(mod: object) -> str:
    doc = inspect.getdoc(mod) or ""
    return doc.split("\n\n")[0].strip()


def reference_pages() -> dict[str, str]:
    """``{path under docs/: markdown}`` of the reference: an index and one page per module."""
    pages: dict[str, str] = {}
    index = ["# API reference", "",
             "Generated at build time from the docstrings: every name in the `__all__` of every public",
             "module of `exportlens` has an entry (a test checks this). Docstrings follow the numpydoc",
             "layout (Parameters, Returns, Raises, References).", "",
             "| module | what it holds |", "| --- | --- |"]
    for mod in public_modules():
        module = importlib.import_module(f"exportlens.{mod}")
        summary = _first_paragraph(module).replace("\n", " ").replace("|", "\\|")
        index.append(f"| [`exportlens.{mod}`]({mod}.md) | {summary} |")
        lines = [f"# `exportlens.{mod}`", "", inspect.getdoc(module) or "", ""]
        for name in public_names(mod):
            path = object_path(mod, name)
            if path == f"exportlens.{mod}.{name}":
                lines += [f"::: {path}", ""]
            else:  # provided lazily: documented once, on its defining module's page
                page = path.rsplit(".", 1)[0].removeprefix("exportlens.")
                lines += [f"## `{name}`", "",
                          f"`exportlens.{mod}.{name}` is [`{path}`]({page}.md#{path}).", ""]
        pages[f"reference/{mod}.md"] = "\n".join(lines)
    index += ["", "## Study modules", "",
              "Each study module holds its study-file class (`...StudySpec`), its runner (`run_..._study`)",
              "and its result class; the framework module holds what they share.", ""]
    for mod in STUDY_MODULES:
        module = importlib.import_module(f"exportlens.studies.{mod}")
        summary = _first_paragraph(module).replace("\n", " ").replace("|", "\\|")
        index.append(f"- [`exportlens.studies.{mod}`](studies.{mod}.md): {summary}")
        pages[f"reference/studies.{mod}.md"] = "\n".join(
            [f"# `exportlens.studies.{mod}`", "", f"::: exportlens.studies.{mod}",
             "    options:", "      show_root_heading: false", "      show_root_toc_entry: false", ""])
    pages["reference/index.md"] = "\n".join(index) + "\n"
    return pages
