"""The one-catalogue rule of :mod:`exportlens.text`: no module picks its wording with an inline
``lang == "zh"`` branch; shared terms live in ``TERMS`` (read with ``term``), a module's own
labels in its ``{"zh": {...}, "en": {...}}`` table (read with ``localized``).

The check parses every module under ``src/exportlens`` with :mod:`ast` and names each
``a if <language test> else b`` whose branches are both string literals (or f-strings) with text
in them, and each ``if <language test>:`` statement with Chinese text on one side and other text
on the other (the other side being the ``else`` part, or the statements after an ``if`` whose
body returns). A language test compares something with ``"zh"``/``"en"`` (``==``/``!=``) or is
a bare ``zh`` flag. Choosing a column or attribute (``name_zh`` vs ``name_en``), a font size or a
font is not text and passes; validation (``lang not in ("zh", "en")``) is no language test.
``text.py``, the catalogue itself, is exempt.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "exportlens"
EXEMPT = {SRC / "text.py"}

# CJK ideographs, CJK punctuation (、。「」) and full-width forms (（），：；)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CODE = re.compile(r"[\w.\-]*")  # a column, attribute or HTML language code: name_zh, zh-CN
_FLAGS = {"zh", "is_zh", "en", "is_en"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _static_text(node: ast.AST) -> str | None:
    """The literal text of a string constant or f-string (placeholders as ``{}``), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}" for v in node.values)
    return None


def _is_text(s: str) -> bool:
    """Chinese, or English words that are not a code token (``name_en``, ``zh-CN``)."""
    return bool(_CJK.search(s)) or (bool(_WORD.search(s)) and _CODE.fullmatch(s) is None)


def _is_language_test(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and all(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            if any(isinstance(x, ast.Constant) and x.value in ("zh", "en") for x in [node.left, *node.comparators]):
                return True
    flag = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    if isinstance(flag, ast.BoolOp):
        return any(isinstance(v, ast.Name) and v.id in _FLAGS for v in flag.values)
    return isinstance(flag, ast.Name) and flag.id in _FLAGS


def _branch_texts(node: ast.expr) -> list[str] | None:
    """Texts of an ``IfExp`` branch made only of string literals (nested ``IfExp`` allowed), else None."""
    s = _static_text(node)
    if s is not None:
        return [s]
    if isinstance(node, ast.IfExp):
        parts = [_branch_texts(node.body), _branch_texts(node.orelse)]
        found = [t for p in parts if p is not None for t in p]
        return found or None
    return None


def _literals(stmts: Sequence[ast.stmt]) -> list[str]:
    """Texts of the string literals in ``stmts`` (not in nested functions or classes)."""
    out: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, _SCOPES):
            return
        s = _static_text(node)
        if s is not None:
            out.append(s)
            if isinstance(node, ast.JoinedStr):  # literals inside the placeholders
                for v in node.values:
                    if isinstance(v, ast.FormattedValue):
                        visit(v.value)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for st in stmts:
        visit(st)
    return out


def _one_sided(a: list[str], b: list[str]) -> bool:
    """Chinese text on one side and other (English) text on the other."""
    def cjk(side: list[str]) -> bool:
        return any(_CJK.search(s) for s in side)

    def other(side: list[str]) -> bool:
        return any(_is_text(s) and not _CJK.search(s) for s in side)

    return (cjk(a) and other(b)) or (cjk(b) and other(a))


def _blocks(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        for handler in getattr(node, "handlers", []) or []:
            yield handler.body


def language_branches(source: str, filename: str = "<string>") -> list[str]:
    """``filename:line`` (and the line) of every inline language branch picking text in ``source``."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    hits: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.IfExp) and _is_language_test(node.test):
            a, b = _branch_texts(node.body), _branch_texts(node.orelse)
            if a is not None and b is not None and any(_is_text(s) for s in a + b):
                hits.add(node.lineno)
    for block in _blocks(tree):
        for i, st in enumerate(block):
            if not (isinstance(st, ast.If) and _is_language_test(st.test)):
                continue
            if st.orelse:
                other = st.orelse
            elif isinstance(st.body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break):
                other = block[i + 1:]
            else:
                continue
            if _one_sided(_literals(st.body), _literals(other)):
                hits.add(st.lineno)
    return [f"{filename}:{n}: {lines[n - 1].strip()[:120]}" for n in sorted(hits)]


def test_no_inline_language_branches_in_the_source() -> None:
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        if path in EXEMPT:
            continue
        found += language_branches(path.read_text(encoding="utf-8"), str(path.relative_to(SRC.parents[1])))
    assert not found, (
        f"{len(found)} inline language branch(es) pick text; move the wording to exportlens.text.TERMS "
        "(shared) or the module's TEXT table read with localized():\n" + "\n".join(found)
    )


def test_the_check_finds_inline_branches() -> None:
    src = textwrap.dedent('''
        def a(lang):
            return "出口韧性" if lang == "zh" else "Export resilience"
        def b(zh, n):
            return f"表{n}" if zh else f"Table {n}"
        def c(lang):
            sep = "、" if lang == "zh" else ", "
            return sep
        def d(lang, x):
            if lang == "zh":
                return [f"共 {x} 个省份"]
            return [f"{x} provinces"]
        def e(lang, x):
            if lang == "en":
                note = f"{x} provinces"
            else:
                note = f"共 {x} 个省份"
            return note
        def f(lang, s):
            return f"{s}（注）" if s and lang == "zh" else (f"{s} (note)" if s else s)
    ''')
    assert [h.split(":")[1] for h in language_branches(src)] == ["3", "5", "7", "10", "14", "20"]


def test_the_check_lets_columns_fonts_and_validation_pass() -> None:
    src = textwrap.dedent('''
        def a(self, lang):
            col = "name_zh" if lang == "zh" else "name_en"
            size = 7 if lang == "zh" else 5.6
            code = "zh-CN" if lang == "zh" else "en"
            name = self.name_zh if lang == "zh" else self.name_en
            return TEXT[lang]["title"], col, size, code, name
        def b(lang):
            if lang not in ("zh", "en"):
                raise ValueError(f"Unknown language {lang!r}: use zh or en.")
            rc = {}
            if lang == "zh":
                rc["font.sans-serif"] = ["Noto Sans CJK SC", "DejaVu Sans"]
            return localized(TEXT, lang)["标题"]
        def c(lang):
            if lang != "zh":
                return lang, None
            return "zh", "No font with Chinese glyphs is installed."
    ''')
    assert language_branches(src) == []
