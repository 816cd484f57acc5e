"""Row and column labels of the regression and descriptive tables, in English and Chinese.

Two kinds of labels are resolved here:

* **Fixed table vocabulary** (``"constant"``, ``"observations"``, ``"yes"``...): looked up with
  :func:`term`. ``TERMS`` holds the English (``"en"``) and Chinese (``"zh"``) wording used in
  published tables (e.g. ``"Constant"``/``"常数项"``, ``"YES"``/``"是"``).
* **Variable labels** supplied by the user: :func:`label_for` resolves a variable (or fixed
  effect) name through a user mapping. The mapping may be

  - flat, ``{"vag": "Virtual agglomeration"}`` (used whatever the language),
  - per variable and language, ``{"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}}``,
  - per language, ``{"en": {"vag": "..."}, "zh": {"vag": "..."}}``,

  or a :class:`VariableLabels` object. Names without a label are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exportlens.errors import InputError
from exportlens.text import TERMS, term

__all__ = [
    "ENTITY_NAMES",
    "KNOWN_NAMES",
    "LANGS",
    "TERMS",
    "TIME_NAMES",
    "VariableLabels",
    "as_labels",
    "fe_label",
    "label_for",
    "term",
]

LANGS = ("en", "zh")

# The table vocabulary (TERMS, term) lives in the one catalogue of bilingual text, exportlens.text.

#: Well-known variable names with built-in labels (a user mapping overrides them).
KNOWN_NAMES: dict[str, dict[str, str]] = {
    "Intercept": TERMS["constant"],
    "year": {"en": "Year", "zh": "年份"},
    "province": {"en": "Province", "zh": "省份"},
    "region": {"en": "Region", "zh": "地区"},
    "industry": {"en": "Industry", "zh": "行业"},
    "city": {"en": "City", "zh": "城市"},
}

#: Names treated as the time / entity dimension when a result does not say which is which.
TIME_NAMES = frozenset({"year", "time", "t", "period", "yr", "年份", "年"})
ENTITY_NAMES = frozenset({"province", "region", "entity", "id", "prov", "省份", "地区"})


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"Unknown language {lang!r}; use one of {list(LANGS)}.")
    return lang


class VariableLabels:
    """User labels for variables, possibly different per language.

    >>> lab = VariableLabels({"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}})
    >>> lab.get("vag", "zh")
    '虚拟集聚'

    Examples
    --------
    >>> from exportlens.econometrics import VariableLabels
    >>> lab = VariableLabels({"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}})
    >>> lab = lab.update({"sl": "Export resilience"})
    >>> lab.get("vag", "zh"), lab.get("sl", "zh")
    ('虚拟集聚', 'Export resilience')
    >>> lab.to_dict("en")
    {'sl': 'Export resilience', 'vag': 'Virtual agglomeration'}
    """

    def __init__(self, labels: Mapping[str, Any] | VariableLabels | None = None):
        self._by_lang: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        self._any: dict[str, str] = {}
        if labels is not None:
            self.update(labels)

    def update(self, labels: Mapping[str, Any] | VariableLabels | None) -> VariableLabels:
        """Add labels (later ones win); returns ``self``."""
        if labels is None:
            return self
        if isinstance(labels, VariableLabels):
            for lang in LANGS:
                self._by_lang[lang].update(labels._by_lang[lang])
            self._any.update(labels._any)
            return self
        if not isinstance(labels, Mapping):
            raise InputError(f"labels must be a mapping {{variable: label}}, got {type(labels).__name__}.")
        for key, value in labels.items():
            if key in LANGS and isinstance(value, Mapping):
                self._by_lang[key].update({str(k): str(v) for k, v in value.items()})
            elif isinstance(value, Mapping):
                for lang, text in value.items():
                    if lang in LANGS:
                        self._by_lang[lang][str(key)] = str(text)
            else:
                self._any[str(key)] = str(value)
        return self

    def get(self, name: str, lang: str = "en", default: str | None = None) -> str | None:
        """Label of ``name`` in ``lang``; ``default`` when there is none."""
        if name in self._by_lang.get(lang, {}):
            return self._by_lang[lang][name]
        if name in self._any:
            return self._any[name]
        return default

    def __contains__(self, name: object) -> bool:
        return any(name in d for d in self._by_lang.values()) or name in self._any

    def to_dict(self, lang: str = "en") -> dict[str, str]:
        """Flat ``{variable: label}`` for one language."""
        out = dict(self._any)
        out.update(self._by_lang.get(lang, {}))
        return out


def as_labels(labels: Mapping[str, Any] | VariableLabels | None) -> VariableLabels:
    """Normalise any accepted label specification to :class:`VariableLabels`."""
    if isinstance(labels, VariableLabels):
        return labels
    return VariableLabels(labels)


def label_for(
    name: str,
    lang: str = "en",
    labels: Mapping[str, Any] | VariableLabels | None = None,
    *,
    fallback: Mapping[str, Any] | VariableLabels | None = None,
) -> str:
    """Display label of variable ``name``.

    Looked up in the user ``labels`` first, then in ``fallback`` (e.g. labels an estimator
    attached to its result), then among the built-in names (``Intercept`` is the constant),
    else the name itself.

    Examples
    --------
    >>> from exportlens.econometrics import label_for
    >>> label_for("Intercept"), label_for("Intercept", "zh")
    ('Constant', '常数项')
    >>> label_for("vag", labels={"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}})
    'Virtual agglomeration'
    >>> label_for("my_column")
    'my_column'
    """
    _check_lang(lang)
    for source in (labels, fallback):
        if source is not None:
            found = as_labels(source).get(name, lang)
            if found is not None:
                return found
    if name in KNOWN_NAMES:
        return KNOWN_NAMES[name][lang]
    if ":" in name:  # pyfixest interaction term "a:b"
        parts = [label_for(p, lang, labels, fallback=fallback) for p in name.split(":")]
        return " × ".join(parts)
    return name


def fe_label(
    name: str,
    lang: str = "en",
    labels: Mapping[str, Any] | VariableLabels | None = None,
    *,
    role: str | None = None,
) -> str:
    """Label of the indicator row for fixed effect ``name``.

    A user label for ``name`` is used as the dimension name ("Province" -> "Province fixed
    effects"); unlabelled time / entity dimensions get "Time fixed effects" / "Region fixed
    effects" (时间固定效应 / 地区固定效应). ``role`` (``"time"``/``"entity"``) overrides the
    guess from the name. A user label under the key ``"fe:<name>"`` replaces the whole row label.

    Examples
    --------
    >>> from exportlens.econometrics import fe_label
    >>> fe_label("year"), fe_label("province", "zh")
    ('Time fixed effects', '地区固定效应')
    >>> fe_label("province", labels={"province": "Province"})
    'Province fixed effects'
    """
    _check_lang(lang)
    if labels is not None:
        full = as_labels(labels).get(f"fe:{name}", lang)
        if full is not None:
            return full
        dim = as_labels(labels).get(name, lang)
        if dim is not None:
            return term("fe_generic", lang, name=dim)
    role = role or ("time" if name.lower() in TIME_NAMES else "entity" if name.lower() in ENTITY_NAMES else None)
    if role == "time":
        return term("fe_time", lang)
    if role == "entity":
        return term("fe_entity", lang)
    if "^" in name:  # interacted fixed effects a^b
        parts = [label_for(p, lang, labels) for p in name.split("^")]
        return term("fe_generic", lang, name=" × ".join(parts))
    return term("fe_generic", lang, name=label_for(name, lang, labels))
