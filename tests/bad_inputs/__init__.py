"""Builders of tiny bad inputs for ``tests/test_bad_inputs.py`` (each case: files, a command, the expected end)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from exportlens.datasets.demo import resilience_demo_panel

PROVINCES_31 = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区",
    "新疆维吾尔自治区",
]


def nbs_lines(provinces: list[str] | None = None, years: tuple[int, ...] = (2022, 2021, 2020)) -> list[str]:
    """A small, valid NBS 分省年度数据 download as lines (header, rows, footnotes)."""
    provinces = PROVINCES_31 if provinces is None else provinces
    lines = ["数据库：分省年度数据", "指标：地区生产总值(亿元)", "时间：最近3年",
             "地区," + ",".join(f"{y}年" for y in years)]
    for i, p in enumerate(provinces):
        lines.append(p + "," + ",".join(f"{100 + i * 10 + j:.1f}" for j in range(len(years))))
    lines += ["注：按照我国国民经济核算数据修订制度，数据为最终核实数。", "数据来源：国家统计局"]
    return lines


def write_nbs(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def demo_panel(n_years: int | None = None) -> pd.DataFrame:
    """The resilience demo panel without the constructed columns (SL, Vag are computed)."""
    panel = resilience_demo_panel().drop(columns=["sl", "vag"])
    if n_years is not None:
        years = sorted(panel["year"].unique())[:n_years]
        panel = panel[panel["year"].isin(years)].reset_index(drop=True)
    return panel


def firm_frame(n_firms: int = 6, years: tuple[int, ...] = (2007, 2008, 2009, 2010, 2011)) -> pd.DataFrame:
    """Tiny valid transactions (firm x product x destination x year) with every mapped column."""
    rows = []
    provs = ["广东省", "浙江省", "江苏省"]
    for f in range(n_firms):
        for y in years:
            rows.append({"firm_id": f"F{f}", "hs8": f"0{f}010000", "destination": "USA", "year": str(y),
                         "value_usd": str(100.0 + f + y - 2000), "province": provs[f % 3], "industry": "C"})
    return pd.DataFrame(rows)


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative path -> hash)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Case:
    """One bad input: ``build(tmp)`` writes the input files and returns the command line (or a callable)."""

    id: str
    build: Callable[[Path], Any]
    code: int | type[BaseException] = 2
    expect: tuple[str, ...] = ()
    fixed: bool | str = False  # True: needed a fix on this branch; "main": fixed for issue 11 before it
    extra: dict[str, Any] = field(default_factory=dict)


#: A Python class name at the start of a message ("ValueError: ...") or a library path.
CLASS_PREFIX = re.compile(r"^error:\s*[A-Z][A-Za-z]+(Error|Exception|Warning)\b")
PY_ADVICE = re.compile(r"\b[Pp]ass [a-z_]+=")
