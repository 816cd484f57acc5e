"""Declarative indicator systems: dimensions (first level) and indicators (second level).

An indicator system is written in TOML, YAML or a plain dict::

    name = "my_system"
    title_en = "Linkage with partner countries"

    [[dimensions]]
    code = "goods"
    name_zh = "货物流"
    name_en = "Goods flow"

      [[dimensions.indicators]]
      code = "exports"
      name_zh = "出口额"
      name_en = "Exports to the country"
      direction = "benefit"        # or "cost" (+/-, positive/negative, 正向/负向)
      unit = "USD 10k"
      source = "Provincial customs statistics"

Indicators may also be listed at the top level (``[[indicators]]`` with a ``dimension``
key) next to a ``[[dimensions]]`` list without nested indicators. Order is kept: the
dimensions and indicators appear in tables in the order written.

:meth:`IndicatorSystem.builtin` ``("belt_and_road_linkage")`` is the system of the published
linkage study of provinces with Belt-and-Road countries (5 dimensions, 16 indicators);
the published description names 8 of its indicators, the other 8 are the usual choices
of this literature and are marked ``filled = true`` (see :data:`BUILTIN_NOTES`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from exportlens.errors import IndicatorSystemError, InputError
from exportlens.measures.composite import normalise_direction

__all__ = ["BUILTIN_NOTES", "IndicatorSystem", "IndicatorSystemError", "builtin_systems"]

INDICATOR_COLUMNS = ["code", "name_zh", "name_en", "dimension", "direction", "unit", "source"]
_INDICATOR_KEYS = {*INDICATOR_COLUMNS, "filled", "description"}
_DIMENSION_KEYS = {"code", "name_zh", "name_en", "indicators", "description"}
_TOP_KEYS = {"name", "title_zh", "title_en", "description", "dimensions", "indicators"}


@dataclass(frozen=True)
class IndicatorSystem:
    """A two-level indicator hierarchy.

    ``indicators``: DataFrame [code, name_zh, name_en, dimension, direction, unit, source,
    filled] in order; ``dimensions``: DataFrame indexed by dimension code with
    [name_zh, name_en], in order. Build with :meth:`from_dict`, :meth:`from_toml`,
    :meth:`from_yaml` or :meth:`builtin`.

    Examples
    --------
    >>> from exportlens.measures import IndicatorSystem
    >>> system = IndicatorSystem.from_dict({"name": "demo", "dimensions": [
    ...     {"code": "openness", "name_zh": "开放", "name_en": "Openness",
    ...      "indicators": [{"code": "exports", "direction": "+"},
    ...                     {"code": "fdi", "direction": "正向"}]},
    ...     {"code": "logistics", "name_en": "Logistics",
    ...      "indicators": [{"code": "freight", "direction": "cost", "unit": "yuan/t"}]}]})
    >>> print(system.summary())
    Indicator system 'demo': 2 dimensions, 3 indicators
      openness (Openness): exports [+], fdi [+]
      logistics (Logistics): freight [-]
    >>> system.directions()
    {'exports': 'benefit', 'fdi': 'benefit', 'freight': 'cost'}
    >>> system.members("openness"), system.label("openness", "zh")
    (['exports', 'fdi'], '开放')

    Written to TOML and read back (the file goes to the current folder):

    >>> from pathlib import Path
    >>> _ = Path("demo.toml").write_text(system.to_toml(), encoding="utf-8")
    >>> IndicatorSystem.from_toml("demo.toml").to_dict() == system.to_dict()
    True

    The built-in system of the Belt-and-Road linkage study:

    >>> linkage = IndicatorSystem.builtin("belt_and_road_linkage")
    >>> len(linkage.codes), linkage.dimension_codes
    (16, ['economy', 'goods', 'capital', 'people', 'ict'])
    >>> linkage.members("goods")
    ['exports', 'imports', 'rail_trips']
    """

    name: str
    indicators: pd.DataFrame
    dimensions: pd.DataFrame
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, name: str | None = None) -> IndicatorSystem:
        """Build and check a system from its dict form (see the module docstring)."""
        if not isinstance(raw, Mapping):
            raise IndicatorSystemError(f"An indicator system must be a mapping, got {type(raw).__name__}.")
        unknown = sorted(set(raw) - _TOP_KEYS)
        if unknown:
            raise IndicatorSystemError(
                f"Unknown key(s) {unknown} in the indicator system; allowed: {sorted(_TOP_KEYS)}."
            )
        dims_raw = raw.get("dimensions")
        if not isinstance(dims_raw, list) or not dims_raw:
            raise IndicatorSystemError("The indicator system needs a non-empty 'dimensions' list.")
        dim_rows: list[dict[str, str]] = []
        ind_rows: list[dict[str, Any]] = []
        for pos, d in enumerate(dims_raw, start=1):
            if not isinstance(d, Mapping):
                raise IndicatorSystemError(f"Dimension #{pos} must be a table, got {d!r}.")
            bad = sorted(set(d) - _DIMENSION_KEYS)
            if bad:
                raise IndicatorSystemError(
                    f"Unknown key(s) {bad} in dimension #{pos}; allowed: {sorted(_DIMENSION_KEYS)}."
                )
            code = _text(d, "code", f"dimension #{pos}")
            dim_rows.append(
                {
                    "code": code,
                    "name_zh": str(d.get("name_zh") or d.get("name_en") or code),
                    "name_en": str(d.get("name_en") or d.get("name_zh") or code),
                }
            )
            for j, ind in enumerate(d.get("indicators") or [], start=1):
                ind_rows.append(_indicator_row(ind, f"indicator #{j} of dimension {code!r}", code))
        for j, ind in enumerate(raw.get("indicators") or [], start=1):
            ind_rows.append(_indicator_row(ind, f"top-level indicator #{j}", None))
        dims = pd.DataFrame(dim_rows)
        dup = sorted(set(dims["code"][dims["code"].duplicated()]))
        if dup:
            raise IndicatorSystemError(f"Duplicated dimension code(s): {dup}.")
        if not ind_rows:
            raise IndicatorSystemError("The indicator system has no indicators.")
        ind = pd.DataFrame(ind_rows)
        dup = sorted(set(ind["code"][ind["code"].duplicated()]))
        if dup:
            raise IndicatorSystemError(f"Duplicated indicator code(s): {dup}.")
        clash = sorted(set(ind["code"]) & set(dims["code"]))
        if clash:
            raise IndicatorSystemError(f"Code(s) {clash} name both a dimension and an indicator.")
        unknown_dim = ind.loc[~ind["dimension"].isin(dims["code"]), ["code", "dimension"]]
        if len(unknown_dim):
            items = [f"{c} -> {d!r}" for c, d in unknown_dim.itertuples(index=False)]
            raise IndicatorSystemError(
                f"Indicator(s) with an unknown dimension: {items}; dimensions: {list(dims['code'])}."
            )
        empty = [d for d in dims["code"] if not (ind["dimension"] == d).any()]
        if empty:
            raise IndicatorSystemError(f"Dimension(s) without indicators: {empty}.")
        # Indicators are grouped by dimension (in dimension order) so that tables nest.
        order = {d: i for i, d in enumerate(dims["code"])}
        ind = (
            ind.assign(_d=ind["dimension"].map(order), _i=range(len(ind)))
            .sort_values(["_d", "_i"])
            .drop(columns=["_d", "_i"])
            .reset_index(drop=True)
        )
        return cls(
            name=str(name or raw.get("name") or "custom"),
            indicators=ind,
            dimensions=dims.set_index("code"),
            title_zh=str(raw.get("title_zh", "")),
            title_en=str(raw.get("title_en", "")),
            description=str(raw.get("description", "")),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> IndicatorSystem:
        """Read a system from a TOML file (layout in the module docstring)."""
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndicatorSystemError(f"Indicator system file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise IndicatorSystemError(f"{path}: invalid TOML: {exc}") from exc
        return cls.from_dict(raw, name=raw.get("name") or path.stem)

    @classmethod
    def from_yaml(cls, path: str | Path) -> IndicatorSystem:
        """Read a system from a YAML file (same keys as the TOML form)."""
        import yaml

        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndicatorSystemError(f"Indicator system file not found: {path}") from None
        except yaml.YAMLError as exc:
            raise IndicatorSystemError(f"{path}: invalid YAML: {exc}") from exc
        return cls.from_dict(raw or {}, name=(raw or {}).get("name") or path.stem)

    @classmethod
    def from_file(cls, path: str | Path) -> IndicatorSystem:
        """TOML (``.toml``) or YAML (``.yaml``/``.yml``) by extension."""
        suffix = Path(path).suffix.lower()
        if suffix == ".toml":
            return cls.from_toml(path)
        if suffix in (".yaml", ".yml"):
            return cls.from_yaml(path)
        raise IndicatorSystemError(f"{path}: use a .toml, .yaml or .yml indicator system file.")

    @classmethod
    def builtin(cls, name: str = "belt_and_road_linkage") -> IndicatorSystem:
        """A built-in system by name (see :func:`builtin_systems`)."""
        if name not in _BUILTINS:
            raise IndicatorSystemError(
                f"Unknown built-in indicator system {name!r}; available: {sorted(_BUILTINS)}."
            )
        system = cls.from_dict(_BUILTINS[name], name=name)
        return IndicatorSystem(
            name=system.name, indicators=system.indicators, dimensions=system.dimensions,
            title_zh=system.title_zh, title_en=system.title_en,
            description=system.description, notes=tuple(BUILTIN_NOTES.get(name, ())),
        )

    # --- accessors --------------------------------------------------------------------

    @property
    def codes(self) -> list[str]:
        """Indicator codes in order."""
        return list(self.indicators["code"])

    @property
    def dimension_codes(self) -> list[str]:
        """Dimension codes in order."""
        return list(self.dimensions.index)

    def directions(self) -> dict[str, str]:
        """``{indicator: "benefit" | "cost"}``."""
        return dict(zip(self.indicators["code"], self.indicators["direction"], strict=True))

    def dimension_of(self) -> dict[str, str]:
        """``{indicator: dimension}``."""
        return dict(zip(self.indicators["code"], self.indicators["dimension"], strict=True))

    def members(self, dimension: str) -> list[str]:
        """Indicator codes of one dimension."""
        if dimension not in self.dimensions.index:
            raise InputError(f"Unknown dimension {dimension!r}; dimensions: {self.dimension_codes}.")
        return list(self.indicators.loc[self.indicators["dimension"] == dimension, "code"])

    def label(self, code: str, lang: str = "en") -> str:
        """Display name of an indicator or dimension code in ``lang`` ("zh" or "en")."""
        col = "name_zh" if lang == "zh" else "name_en"
        if code in self.dimensions.index:
            return str(self.dimensions.loc[code, col])
        hit = self.indicators.loc[self.indicators["code"] == code, col]
        if len(hit):
            return str(hit.iloc[0])
        raise InputError(f"Unknown indicator or dimension code {code!r}.")

    def title(self, lang: str = "en") -> str:
        return (self.title_zh if lang == "zh" else self.title_en) or self.name

    def to_dict(self) -> dict[str, Any]:
        """The nested dict form (round-trips through :meth:`from_dict`)."""
        dims = []
        for code, row in self.dimensions.iterrows():
            members = self.indicators[self.indicators["dimension"] == code]
            dims.append(
                {
                    "code": code,
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "indicators": [
                        {k: (bool(v) if k == "filled" else str(v)) for k, v in r.items() if k != "dimension"}
                        for r in members.to_dict("records")
                    ],
                }
            )
        out: dict[str, Any] = {"name": self.name}
        for key in ("title_zh", "title_en", "description"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        out["dimensions"] = dims
        return out

    def to_toml(self) -> str:
        """The system as a TOML document (readable by :meth:`from_toml`)."""
        d = self.to_dict()
        lines = [f"name = {_q(d['name'])}"]
        for key in ("title_zh", "title_en", "description"):
            if key in d:
                lines.append(f"{key} = {_q(d[key])}")
        for dim in d["dimensions"]:
            lines += ["", "[[dimensions]]"]
            lines += [f"{k} = {_q(dim[k])}" for k in ("code", "name_zh", "name_en")]
            for ind in dim["indicators"]:
                lines += ["", "  [[dimensions.indicators]]"]
                for k, v in ind.items():
                    lines.append(f"  {k} = {'true' if v is True else 'false' if v is False else _q(v)}")
        return "\n".join(lines) + "\n"

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """Indicator table with the dimension name in ``lang``."""
        out = self.indicators.copy()
        out.insert(4, "dimension_name", [self.label(d, lang) for d in out["dimension"]])
        return out

    def summary(self) -> str:
        lines = [
            f"Indicator system {self.name!r}: {len(self.dimensions)} dimensions, "
            f"{len(self.indicators)} indicators"
        ]
        for code in self.dimension_codes:
            members = self.indicators[self.indicators["dimension"] == code]
            lines.append(f"  {code} ({self.label(code)}): " + ", ".join(
                f"{c} [{'+' if d == 'benefit' else '-'}]"
                for c, d in zip(members["code"], members["direction"], strict=True)
            ))
        return "\n".join(lines + list(self.notes))


def _q(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None or not str(value).strip():
        raise IndicatorSystemError(f"{where}: '{key}' is required.")
    return str(value).strip()


def _indicator_row(raw: Any, where: str, dimension: str | None) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise IndicatorSystemError(f"{where} must be a table, got {raw!r}.")
    bad = sorted(set(raw) - _INDICATOR_KEYS)
    if bad:
        raise IndicatorSystemError(f"Unknown key(s) {bad} in {where}; allowed: {sorted(_INDICATOR_KEYS)}.")
    code = _text(raw, "code", where)
    if dimension is None:
        dimension = _text(raw, "dimension", f"{where} ({code})")
    elif raw.get("dimension") not in (None, dimension):
        raise IndicatorSystemError(
            f"{where} ({code}) is nested in dimension {dimension!r} but says dimension = {raw['dimension']!r}."
        )
    try:
        direction = normalise_direction(raw.get("direction", ""), code)
    except InputError as exc:
        raise IndicatorSystemError(str(exc)) from None
    return {
        "code": code,
        "name_zh": str(raw.get("name_zh") or raw.get("name_en") or code),
        "name_en": str(raw.get("name_en") or raw.get("name_zh") or code),
        "dimension": dimension,
        "direction": direction,
        "unit": str(raw.get("unit", "")),
        "source": str(raw.get("source", "")),
        "filled": bool(raw.get("filled", False)),
    }


def builtin_systems() -> list[str]:
    """Names of the built-in indicator systems.

    Examples
    --------
    >>> from exportlens.measures import IndicatorSystem, builtin_systems
    >>> builtin_systems()
    ['belt_and_road_linkage']
    >>> IndicatorSystem.builtin(builtin_systems()[0]).title("zh")
    '省域与“一带一路”沿线国家联系度评价指标体系'
    """
    return sorted(_BUILTINS)


def _ind(code, zh, en, unit, source, direction="benefit", filled=False):
    return {"code": code, "name_zh": zh, "name_en": en, "direction": direction, "unit": unit,
            "source": source, "filled": filled}


_WDI = "World Bank, World Development Indicators"
_BELT_AND_ROAD = {
    "name": "belt_and_road_linkage",
    "title_zh": "省域与“一带一路”沿线国家联系度评价指标体系",
    "title_en": "Linkage of provinces with Belt-and-Road countries: indicator system",
    "description": (
        "Composite evaluation of each province's links with each of 63 Belt-and-Road "
        "countries (2019 cross-section): 5 dimensions, 16 indicators."
    ),
    "dimensions": [
        {
            "code": "economy", "name_zh": "经济综合实力", "name_en": "Overall economic strength",
            "indicators": [
                _ind("gdp", "国内生产总值", "GDP", "USD 100m", _WDI, filled=True),
                _ind("gdp_pc", "人均国内生产总值", "GDP per capita", "USD", _WDI, filled=True),
                _ind("gdp_growth", "经济增长率", "GDP growth", "%", _WDI, filled=True),
                _ind("inflation", "通货膨胀率", "Inflation (CPI)", "%", _WDI, "cost", filled=True),
            ],
        },
        {
            "code": "goods", "name_zh": "货物流", "name_en": "Goods flow",
            "indicators": [
                _ind("exports", "省对该国出口额", "Province exports to the country", "USD 10k",
                     "Provincial customs statistics / China Customs"),
                _ind("imports", "省自该国进口额", "Province imports from the country", "USD 10k",
                     "Provincial customs statistics / China Customs"),
                _ind("rail_trips", "中欧班列开行列数", "China-Europe Railway Express trips",
                     "trains", "China State Railway Group; provincial reports"),
            ],
        },
        {
            "code": "capital", "name_zh": "资本流", "name_en": "Capital flow",
            "indicators": [
                _ind("fdi", "实际利用外资额", "FDI actually utilised (from the country)",
                     "USD 10k", "Provincial statistical yearbooks"),
                _ind("odi", "对外直接投资额", "Outward direct investment (into the country)",
                     "USD 10k", "MOFCOM Statistical Bulletin of China's OFDI", filled=True),
                _ind("contracts", "对外承包工程营业额", "Turnover of contracted projects",
                     "USD 10k", "MOFCOM; provincial yearbooks", filled=True),
            ],
        },
        {
            "code": "people", "name_zh": "人员流", "name_en": "People flow",
            "indicators": [
                _ind("visitors", "入境游客人数", "Inbound visitors", "persons",
                     "Provincial tourism statistics"),
                _ind("flights", "直飞航班数", "Direct flights", "flights per week",
                     "CAAC; airline schedules"),
                _ind("sister_cities", "友好城市数", "Sister-city pairs", "pairs",
                     "CIFCA (China International Friendship Cities Association)", filled=True),
            ],
        },
        {
            "code": "ict", "name_zh": "信息技术流", "name_en": "Information-technology flow",
            "indicators": [
                _ind("idi", "信息通信技术发展指数", "ICT Development Index", "index (0-10)",
                     "ITU, Measuring the Information Society"),
                _ind("lpi", "物流绩效指数", "Logistics Performance Index", "index (1-5)",
                     "World Bank, Logistics Performance Index"),
                _ind("internet", "互联网用户占比", "Internet users", "% of population", _WDI,
                     filled=True),
            ],
        },
    ],
}

_BUILTINS: dict[str, dict[str, Any]] = {"belt_and_road_linkage": _BELT_AND_ROAD}

BUILTIN_NOTES: dict[str, list[str]] = {
    "belt_and_road_linkage": [
        "The published description names 8 of the 16 indicators (exports, imports, China-Europe "
        "Railway Express trips, FDI actually utilised, inbound visitors, direct flights, ICT "
        "development index, Logistics Performance Index) and the economic-strength dimension; "
        "the 8 marked filled = true are the usual choices of this literature, filled in by "
        "exportlens: GDP, GDP per capita, GDP growth, inflation (cost), outward direct "
        "investment, turnover of contracted projects, sister-city pairs and internet users.",
    ]
}
