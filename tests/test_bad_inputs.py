"""Bad inputs across every reader, study and data command (issue 11, part A).

Each case builds tiny input files in a temporary folder and runs one command (or one reader
call). It asserts the exit code (or the typed exception), the message (what is wrong, where,
what to do: a CLI option or study-file key, never a Python argument), one error line without
a traceback or a Python class name, and that nothing was written or modified: every file of
the folder is hashed before and after, and the output folder of a failed run does not exist.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bad_inputs import (
    CLASS_PREFIX,
    PROVINCES_31,
    PY_ADVICE,
    Case,
    demo_panel,
    firm_frame,
    nbs_lines,
    snapshot,
    write_nbs,
)
from exportlens.cli import app
from exportlens.datasets import load_dataset
from exportlens.errors import (
    DataFormatError,
    ExportlensError,
    InputError,
    MissingColumnError,
    UnknownRegionError,
    ValidationError,
)
from exportlens.studies.framework import study_template
from exportlens.studies.registry import load_study

runner = CliRunner()
RUN_OPTS = ["--no-figures", "--formats", "md"]
XLSX_BYTES = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(range(256)) * 4  # a zip header, not a workbook
PARQUET_BAD = b"PAR1" + b"\x00\x01garbage" * 50  # magic bytes, no footer


# --- input builders ------------------------------------------------------------------------


def _csv(tmp: Path, frame: pd.DataFrame, name: str = "panel.csv", encoding: str = "utf-8") -> Path:
    path = tmp / name
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def _edit(frame: pd.DataFrame, fn) -> pd.DataFrame:
    frame = frame.copy()
    out = fn(frame)
    return frame if out is None else out


def _study_text(study: str, data_path: str | None, extra: str = "", replace: tuple[str, str] | None = None) -> str:
    text = study_template(load_study(study).spec_class)
    if data_path is not None:
        key = f'tables = {{ 2012 = "{data_path}" }}' if study == "value-added" else f'path = "{data_path}"'
        text = text.replace("[data]\n", f"[data]\n{key}\n", 1)
    if replace is not None:
        assert replace[0] in text, replace[0]
        text = text.replace(*replace)
    return text + extra


_DATA = {  # a study's data file (valid) written into tmp, its name
    "resilience": lambda tmp: _csv(tmp, demo_panel()).name,
    "synergy": lambda tmp: _csv(tmp, load_dataset("synergy_demo")).name,
    "linkage": lambda tmp: _csv(tmp, load_dataset("linkage_demo").head(200), "linkage.csv").name,
    "value-added": lambda tmp: (tmp / "mrio_2012.xlsx").write_bytes(XLSX_BYTES) and "mrio_2012.xlsx",
    "firm-resilience": lambda tmp: (_csv(tmp / "tx", firm_frame(), "a.csv") and "tx"),
}


def _study_cmd(tmp: Path, study: str, text: str | bytes, name: str = "study.toml") -> list[str]:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return ["run", study, "--study", str(path), "--out", str(tmp / "out"), *RUN_OPTS]


def _with_data(study: str, fn):
    def build(tmp: Path):
        (tmp / "tx").mkdir(exist_ok=True)
        return fn(tmp, _DATA[study](tmp))

    return build


def _generic_study_cases(study: str) -> list[Case]:
    """Study-file errors every study must report the same way."""
    s = study
    return [
        Case(f"{s}-study-xlsx", lambda t: _study_cmd(t, s, XLSX_BYTES, "study.xlsx"), 2, ("study.xlsx", "TOML"), "main"),
        Case(f"{s}-study-gbk", _with_data(s, lambda t, d: _study_cmd(
            t, s, _study_text(s, d, '\n[labels.zh]\nx = "虚拟集聚"\n' if s in ("resilience", "synergy") else "").encode("gbk"))),
            2, ("study.toml", "UTF-8"), "main"),
        Case(f"{s}-study-syntax", _with_data(s, lambda t, d: _study_cmd(t, s, _study_text(s, d, "\n[data\n"))), 2,
             ("study.toml", "line")),
        Case(f"{s}-study-unknown-section", _with_data(s, lambda t, d: _study_cmd(t, s, _study_text(s, d, "\n[bogus]\nx = 1\n"))),
             2, ("[bogus]",)),
        Case(f"{s}-study-unknown-key", _with_data(s, lambda t, d: _study_cmd(t, s, _study_text(
            s, d, replace=("[data]\n", "[data]\nkk = 1\n")))), 2, ("kk", "[data]")),
        Case(f"{s}-study-path-type", lambda t: _study_cmd(t, s, _study_text(s, None, replace=("[data]\n", "[data]\npath = 5\n"))),
             2, ("path",)),
        Case(f"{s}-study-folder", lambda t: (t / "study.toml").mkdir() or
             ["run", s, "--study", str(t / "study.toml"), "--out", str(t / "out"), *RUN_OPTS], 2, ("study.toml",)),
        Case(f"{s}-study-missing", lambda t: ["run", s, "--study", str(t / "nope.toml"), "--out", str(t / "out"), *RUN_OPTS],
             2, ("nope.toml",)),
        Case(f"{s}-study-no-data", lambda t: _study_cmd(t, s, _study_text(s, None)), 2, ("names no data", "[data]"), "main"),
        Case(f"{s}-study-empty", lambda t: _study_cmd(t, s, ""), 2, ("names no data",), "main"),
        Case(f"{s}-data-missing", lambda t: _study_cmd(t, s, _study_text(s, "missing_data.csv")), 2, ("missing_data.csv",)),
        Case(f"{s}-data-brackets", lambda t: _study_cmd(t, s, _study_text(s, "gdp[v2].csv")), 2, ("gdp[v2].csv",), "main"),
    ]


STUDIES = ["resilience", "synergy", "linkage", "value-added", "firm-resilience"]
STUDY_FILE_CASES = [c for s in STUDIES for c in _generic_study_cases(s)]


# --- resilience: study-file values and data ------------------------------------------------


def _res(extra: str = "", replace: tuple[str, str] | None = None, frame_fn=None, name: str = "panel.csv",
         encoding: str = "utf-8"):
    def build(tmp: Path):
        frame = demo_panel()
        if frame_fn is not None:
            frame = _edit(frame, frame_fn)
        if isinstance(frame, bytes):
            (tmp / name).write_bytes(frame)
        else:
            _csv(tmp, frame, name, encoding)
        return _study_cmd(tmp, "resilience", _study_text("resilience", name, extra, replace))

    return build


def _set(frame: pd.DataFrame, row: int, col: str, value) -> pd.DataFrame:
    frame[col] = frame[col].astype(object)
    frame.loc[row, col] = value
    return frame


RESILIENCE_CASES = [
    Case("res-exclude-string", _res(replace=("exclude = []", 'exclude = "西藏"')), 2, ("exclude", "list"), "main"),
    Case("res-k-zero", _res(replace=("k = 1 ", "k = 0 ")), 2, ("k",)),
    Case("res-k-text", _res(replace=("k = 1 ", 'k = "one" ')), 2, ("k",)),
    Case("res-k-20", _res(replace=("k = 1 ", "k = 20 ")), 2, ("k = 20", "14", "lower k"), True),
    Case("res-lags-zero", _res(replace=("lags = [1, 2]", "lags = [0]")), 2, ("lags",)),
    Case("res-lags-empty", _res(replace=("lags = [1, 2]", "lags = []")), 2, ("lags",)),
    Case("res-fe-bogus", _res(replace=('fe = "year"', 'fe = "bogus"')), 2, ("fe", "bogus")),
    Case("res-vcov-bogus", _res(replace=('vcov = "cluster"', 'vcov = "robust"')), 2, ("vcov", "robust")),
    Case("res-grouping-bogus", _res(replace=('grouping = "belts3"', 'grouping = "nowhere"')), 2, ("grouping", "nowhere")),
    Case("res-theta-negative", _res(replace=("theta = 1.0", "theta = -1.0")), 2, ("theta",)),
    Case("res-unit-mile", _res(replace=('unit = "km"', 'unit = "mile"')), 2, ("unit", "mile")),
    Case("res-reps-few", _res(replace=("bootstrap_reps = 999", "bootstrap_reps = 5")), 2, ("bootstrap_reps",)),
    Case("res-national-from", _res(replace=('national_from = "column"', 'national_from = "guess"')), 2, ("national_from",)),
    Case("res-nonpositive-drop", _res(replace=('nonpositive = "raise"', 'nonpositive = "drop"')), 2, ("nonpositive",)),
    Case("res-controls-string", _res(replace=('controls = ["ln_gdp_pc", "tax_burden", "consumption_rate", "fdi_ratio"]',
                                               'controls = "ln_gdp_pc"')), 2, ("controls",)),
    Case("res-moderator-missing", _res(replace=('moderator = "rd_intensity"', 'moderator = "innovation"')), 2,
         ("innovation",), True),
    Case("res-labels-lang", _res(extra='\n[labels.fr]\nvag = "x"\n'), 2, ("fr",)),
    Case("res-exclude-unknown", _res(replace=("exclude = []", 'exclude = ["火星"]')), 2, ("火星",), True),
    Case("res-missing-control", _res(frame_fn=lambda f: f.drop(columns=["tax_burden"])), 2, ("tax_burden",)),
    Case("res-missing-entity", _res(frame_fn=lambda f: f.drop(columns=["province"])), 2, ("province",)),
    Case("res-missing-year", _res(frame_fn=lambda f: f.drop(columns=["year"])), 2, ("year",)),
    Case("res-negative-exports", _res(frame_fn=lambda f: _set(f, 7, "exports", -1.0)), 2,
         ("positive exports", '[resilience] nonpositive = "nan"'), True),
    Case("res-zero-national", _res(frame_fn=lambda f: f.assign(national_exports=f["national_exports"].where(
        f["year"] != 2015, 0.0))), 2, ("national exports", "2015")),
    Case("res-text-exports", _res(frame_fn=lambda f: _set(f, 3, "exports", "n/a")), 2, ("exports", "n/a")),
    Case("res-text-control", _res(frame_fn=lambda f: _set(f, 5, "fdi_ratio", "1,2")), 2, ("fdi_ratio",)),
    Case("res-one-year", _res(frame_fn=lambda f: f[f["year"] == 2009]), 2, ("k = 1", "1 (2009-2009)"), True),
    Case("res-three-years", _res(frame_fn=lambda f: f[f["year"] <= 2011]), 2, ("lag 2", "[model] lags"), True),
    Case("res-duplicate-row", _res(frame_fn=lambda f: pd.concat([f, f.iloc[[4]]])), 2, ("duplicate", "row")),
    Case("res-duplicate-spelling", _res(frame_fn=lambda f: pd.concat([f, f.iloc[[0]].assign(province="北京")])), 2,
         ("duplicate",)),
    Case("res-unknown-province", _res(frame_fn=lambda f: _set(f, 2, "province", "火星省")), 2, ("火星省",)),
    Case("res-national-row", _res(frame_fn=lambda f: _set(f, 2, "province", "全国")), 2, ("全国",)),
    Case("res-missing-year-value", _res(frame_fn=lambda f: _set(f, 2, "year", None)), 2, ("year",)),
    Case("res-empty-csv", _res(frame_fn=lambda f: b""), 2, ("panel.csv", "empty")),
    Case("res-header-only", _res(frame_fn=lambda f: f.head(0)), 2, ("panel.csv",), True),
    Case("res-corrupt-xlsx", _res(frame_fn=lambda f: XLSX_BYTES, name="panel.xlsx"), 2, ("panel.xlsx",), True),
    Case("res-corrupt-parquet", _res(frame_fn=lambda f: PARQUET_BAD, name="panel.parquet"), 2, ("panel.parquet",)),
    Case("res-json-suffix", _res(frame_fn=lambda f: b"{}", name="panel.json"), 2, ("panel.json", ".csv")),
    Case("res-binary-csv", _res(frame_fn=lambda f: bytes(range(256)) * 8), 2, ("panel.csv",), True),
    Case("res-all-exports-missing", _res(frame_fn=lambda f: f.assign(exports=float("nan"))), 2, ("exports",)),
]


# --- firm-level transactions ----------------------------------------------------------------


def _firm(fn=None, files: dict[str, object] | None = None, extra_args: tuple[str, ...] = ()):
    """A transactions folder (``files``: name -> DataFrame or bytes; default one valid CSV edited by ``fn``)."""

    def build(tmp: Path):
        folder = tmp / "tx"
        folder.mkdir()
        content = files if files is not None else {"a.csv": _edit(firm_frame(), fn) if fn else firm_frame()}
        for name, obj in content.items():
            if isinstance(obj, bytes):
                (folder / name).write_bytes(obj)
            elif name.endswith(".parquet"):
                obj.to_parquet(folder / name, index=False)
            else:
                obj.to_csv(folder / name, index=False, encoding="utf-8")
        return ["run", "firm-resilience", "--transactions", str(folder), "--out", str(tmp / "out"), *RUN_OPTS,
                *extra_args]

    return build


def _firm_panel(edit):
    """Valid transactions and a province-year panel (the demo's, edited by ``edit``) passed by --panel."""

    def build(tmp: Path):
        from exportlens.datasets.demo_firms import firm_demo_province_panel

        args = _firm()(tmp)
        panel = edit(firm_demo_province_panel())
        if panel is not None:
            panel.to_csv(tmp / "panel.csv", index=False)
        return [*args, "--panel", str(tmp / "panel.csv")]

    return build


def _gbk_csv() -> bytes:
    return firm_frame().to_csv(index=False).encode("gbk")


FIRM_CASES = [
    Case("firm-future-year", _firm(lambda f: _set(f, 3, "year", "2091")), 2, ("after the present year", "--drop-invalid"),
         True),
    Case("firm-renamed-column", _firm(files={"a.csv": firm_frame(), "b.csv": firm_frame().rename(
        columns={"value_usd": "value_cny"})}), 2, ("b.csv", "value_usd"), True),
    Case("firm-corrupt-parquet", _firm(files={"a.parquet": firm_frame(), "b.parquet": PARQUET_BAD}), 2,
         ("b.parquet", "Parquet"), True),
    Case("firm-gbk-csv", _firm(files={"a.csv": firm_frame().assign(province="广东省"), "b.csv": _gbk_csv()}), 2,
         ("b.csv", "UTF-8"), True),
    Case("firm-empty-csv", _firm(files={"a.csv": firm_frame(), "b.csv": b""}), 2, ("b.csv", "empty"), True),
    Case("firm-binary-csv", _firm(files={"a.csv": b"\x00\x01\x02" * 100}), 2, ("a.csv",), True),
    Case("firm-bad-gzip", _firm(files={"a.csv.gz": b"not gzip at all"}), 2, ("a.csv.gz",), True),
    Case("firm-missing-column", _firm(lambda f: f.drop(columns=["industry"])), 2, ("industry",)),
    Case("firm-mixed-formats", _firm(files={"a.csv": firm_frame(), "b.parquet": firm_frame()}), 2, ("Parquet", "CSV")),
    Case("firm-no-data-files", _firm(files={"a.json": b"{}"}), 2, ("No CSV or Parquet",)),
    Case("firm-negative-value", _firm(lambda f: _set(f, 2, "value_usd", "-5")), 2, ("negative export value",)),
    Case("firm-unparseable-value", _firm(lambda f: _set(f, 2, "value_usd", "12abc")), 2, ("unparseable export value",)),
    Case("firm-unknown-province", _firm(lambda f: _set(f, 2, "province", "火星省")), 2, ("火星省",)),
    Case("firm-old-year", _firm(lambda f: _set(f, 2, "year", "1890")), 2, ("year before 1950",)),
    Case("firm-text-year", _firm(lambda f: _set(f, 2, "year", "二〇〇九")), 2, ("unparseable year",)),
    Case("firm-missing-firm", _firm(lambda f: _set(f, 2, "firm_id", "")), 2, ("missing firm id",)),
    Case("firm-bad-mapping", _firm(extra_args=("--column", "firm")), 2, ("--column", "name=value")),
    Case("firm-unknown-role", _firm(extra_args=("--column", "boss=x")), 2, ("boss",)),
    Case("firm-panel-no-vag", _firm_panel(lambda p: p.drop(columns=["vag"])), 2, ("panel.csv", "[panel] vag")),
    Case("firm-panel-unknown-province", _firm_panel(lambda p: p.assign(province=["火星", *p["province"][1:]])), 2,
         ("火星",)),
    Case("firm-panel-duplicate-rows", _firm_panel(lambda p: pd.concat([p, p.iloc[:1]])), 2, ("uplicate",)),
    Case("firm-panel-missing-file", _firm_panel(lambda p: None), 2, ("panel.csv",)),
    Case("firm-path-missing", lambda t: ["run", "firm-resilience", "--transactions", str(t / "nowhere"), "--out",
                                         str(t / "out"), *RUN_OPTS], 2, ("nowhere", "does not exist")),
]


# --- NBS downloads: data read-nbs ------------------------------------------------------------


def _nbs(edit=None, encoding: str = "utf-8-sig", raw: bytes | None = None, args: tuple[str, ...] = (), name="gdp.csv"):
    def build(tmp: Path):
        path = tmp / name
        if raw is not None:
            path.write_bytes(raw)
        else:
            lines = nbs_lines()
            if edit is not None:
                lines = edit(lines) or lines
            write_nbs(path, lines, encoding)
        return ["data", "read-nbs", str(path), "-o", str(tmp / "out.csv"), *args]

    return build


def _row(lines: list[str], province: str) -> int:
    return next(i for i, ln in enumerate(lines) if ln.startswith(province))


def _replace_row(province: str, new: str):
    def edit(lines):
        lines[_row(lines, province)] = new
        return lines

    return edit


def _insert(after: str, new: str):
    def edit(lines):
        lines.insert(_row(lines, after) + 1, new)
        return lines

    return edit


NBS_CASES = [
    Case("nbs-footnote-between-rows", _nbs(_insert("天津市", "注：2021年起按新口径统计。")), 2,
         ("line 7", "footnote", "province row(s)", "Move the footnote line"), True),
    Case("nbs-source-between-rows", _nbs(_insert("上海市", "数据来源：统计年鉴")), 2, ("footnote", "江苏省"), True),
    Case("nbs-empty", _nbs(raw=b""), 2, ("gdp.csv", "empty")),
    Case("nbs-blank-lines", _nbs(raw=b"\n\n  \n"), 2, ("gdp.csv", "empty")),
    Case("nbs-binary", _nbs(raw=bytes(range(256)) * 4), 2, ("gdp.csv",)),
    Case("nbs-xlsx", _nbs(raw=XLSX_BYTES), 2, ("gdp.csv",)),
    Case("nbs-png", _nbs(raw=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), 2, ("gdp.csv",)),
    Case("nbs-no-header", _nbs(lambda ls: [ln for ln in ls if not ln.startswith("地区")]), 2, ("地区",)),
    Case("nbs-header-empty-col", _nbs(lambda ls: [ln.replace("2021年", "") if ln.startswith("地区") else ln for ln in ls]),
         2, ("column", "empty")),
    Case("nbs-header-dup-year", _nbs(lambda ls: [ln.replace("2021年", "2022年") if ln.startswith("地区") else ln
                                               for ln in ls]), 2, ("duplicated", "2022年")),
    Case("nbs-header-mixed", _nbs(lambda ls: [ln.replace("2021年", "人口") if ln.startswith("地区") else ln for ln in ls]),
         2, ("mixes year columns",)),
    Case("nbs-row-too-long", _nbs(_replace_row("河北省", "河北省,1,2,3,4")), 2, ("河北省", "cells")),
    Case("nbs-row-too-short", _nbs(_replace_row("河北省", "河北省,1")), 2, ("河北省", "only 2 cells")),
    Case("nbs-row-no-name", _nbs(_replace_row("河北省", ",1,2,3")), 2, ("first cell", "empty")),
    Case("nbs-text-cell", _nbs(_replace_row("河北省", "河北省,1,abc,3")), 2, ("non-numeric", "abc", "河北省")),
    Case("nbs-thousands", _nbs(_replace_row("河北省", '河北省,"1,234",2,3')), 2, ("non-numeric", "1,234")),
    Case("nbs-placeholder", _nbs(_replace_row("河北省", "河北省,--,2,3")), 2, ("non-numeric", "--")),
    Case("nbs-unknown-province", _nbs(_replace_row("河北省", "火星省,1,2,3")), 2, ("火星省", "line")),
    Case("nbs-duplicate-province", _nbs(_insert("河北省", "北京,1,2,3")), 2, ("repeats the province",)),
    Case("nbs-two-national", _nbs(lambda ls: [*ls[:4], "全国,1,2,3", "全国,1,2,3", *ls[4:]]), 2, ("national-total",)),
    Case("nbs-header-only", _nbs(lambda ls: ls[:4]), 2, ("no data rows",)),
    Case("nbs-cross-section-no-year", _nbs(lambda ls: ["指标：分省", "时间：最近5年", "地区,人口(万人),面积(平方公里)",
                                                     "北京市,1,2", "天津市,3,4"]), 2, ("时间",), True),
    Case("nbs-wrong-encoding", _nbs(encoding="gbk", args=("--encoding", "utf-8")), 2, ("utf-8",), True),
    Case("nbs-unknown-encoding", _nbs(args=("--encoding", "klingon")), 2, ("klingon",), True),
    Case("nbs-missing-file", lambda t: ["data", "read-nbs", str(t / "nope.csv")], 2, ("nope.csv",)),
    Case("nbs-directory", lambda t: (t / "d.csv").mkdir() or ["data", "read-nbs", str(t / "d.csv")], 2,
         ("d.csv", "directory")),
    Case("nbs-out-missing-folder", lambda t: write_nbs(t / "g.csv", nbs_lines()) and
         ["data", "read-nbs", str(t / "g.csv"), "-o", str(t / "missing_folder" / "x.csv")], 2,
         ("missing_folder", "does not exist"), True),
    Case("nbs-out-exists", lambda t: write_nbs(t / "g.csv", nbs_lines()) and (t / "x.csv").write_text("mine") and
         ["data", "read-nbs", str(t / "g.csv"), "-o", str(t / "x.csv")], 2, ("x.csv", "exists")),
    Case("nbs-out-under-file", lambda t: write_nbs(t / "g.csv", nbs_lines()) and (t / "file.txt").write_text("mine") and
         ["data", "read-nbs", str(t / "g.csv"), "-o", str(t / "file.txt" / "x.csv")], 2, ("file.txt", "not a folder"),
         True),
    Case("nbs-brackets-name", _nbs(raw=b"", name="gdp[v2].csv"), 2, ("gdp[v2].csv",)),
    Case("nbs-mostly-empty-rows", _nbs(lambda ls: ls[:4] + [p + ",,," for p in PROVINCES_31[:3]] + ["火星,1,2,3"]), 2,
         ("火星",)),
    Case("nbs-control-chars", _nbs(raw="地区,2022年\n北京市,1\x07\n".encode()), 2, ("control characters",)),
]


# --- data check ---------------------------------------------------------------------------------


def _check(frame_fn=None, raw: bytes | None = None, name: str = "panel.csv", args: tuple[str, ...] = ()):
    def build(tmp: Path):
        path = tmp / name
        if raw is not None:
            path.write_bytes(raw)
        else:
            frame = demo_panel()
            frame = _edit(frame, frame_fn) if frame_fn else frame
            if name.endswith(".xlsx"):
                frame.to_excel(path, index=False)
            else:
                frame.to_csv(path, index=False)
        return ["data", "check", str(path), *args]

    return build


CHECK_CASES = [
    Case("check-duplicate", _check(lambda f: pd.concat([f, f.iloc[[3]]])), 1, ("duplicate",)),
    Case("check-unknown-province", _check(lambda f: _set(f, 3, "province", "火星省")), 1, ("火星省",)),
    Case("check-text-cell", _check(lambda f: _set(f, 3, "exports", "n/a")), 1, ("non-numeric", "exports")),
    Case("check-missing-key", _check(lambda f: _set(f, 3, "year", None)), 1, ("missing",)),
    Case("check-gap-balanced", _check(lambda f: f.drop(index=[5]), args=("--balanced",)), 1, ("gap",)),
    Case("check-entity-missing", _check(args=("--entity", "地区")), 2, ("地区",)),
    Case("check-time-missing", _check(args=("--time", "年份")), 2, ("年份",)),
    Case("check-empty", _check(raw=b""), 2, ("panel.csv",)),
    Case("check-corrupt-xlsx", _check(raw=XLSX_BYTES, name="panel.xlsx"), 2, ("panel.xlsx",), True),
    Case("check-corrupt-parquet", _check(raw=PARQUET_BAD, name="panel.parquet"), 2, ("panel.parquet",)),
    Case("check-json", _check(raw=b"{}", name="panel.json"), 2, ("panel.json",)),
    Case("check-missing-sheet", _check(name="panel.xlsx", args=("--sheet", "Sheet9")), 2, ("Sheet9",)),
    Case("check-wrong-encoding", lambda t: (t / "p.csv").write_bytes(demo_panel().to_csv(index=False).encode("gbk")) and
         ["data", "check", str(t / "p.csv"), "--encoding", "utf-8"], 2, ("p.csv", "utf-8"), True),
    Case("check-unknown-encoding", _check(args=("--encoding", "klingon")), 2, ("klingon",), True),
    Case("check-nbs-footnote-middle", lambda t: write_nbs(t / "g.csv", _insert("天津市", "注：口径调整。")(nbs_lines())) and
         ["data", "check", str(t / "g.csv"), "--layout", "nbs"], 2, ("footnote", "Move the footnote line"), True),
    Case("check-missing-file", lambda t: ["data", "check", str(t / "nope.csv")], 2, ("nope.csv",)),
    Case("check-directory", lambda t: (t / "d.csv").mkdir() or ["data", "check", str(t / "d.csv")], 2, ("d.csv",)),
    Case("check-national-row", _check(lambda f: _set(f, 1, "province", "全国")), 1, ("全国",)),
]


# --- output paths and the other commands ------------------------------------------------------


def _res_ok(tmp: Path) -> Path:
    _csv(tmp, demo_panel())
    path = tmp / "study.toml"
    path.write_text(_study_text("resilience", "panel.csv"), encoding="utf-8")
    return path


PATH_CASES = [
    Case("out-under-file", lambda t: (t / "file.txt").write_text("mine") and
         ["run", "resilience", "--study", str(_res_ok(t)), "--out", str(t / "file.txt" / "sub"), *RUN_OPTS], 2,
         ("file.txt", "not a folder", "--out")),
    Case("out-not-empty", lambda t: (t / "out").mkdir() or ((t / "out" / "mine.txt").write_text("x") and
         ["run", "resilience", "--study", str(_res_ok(t)), "--out", str(t / "out"), *RUN_OPTS]), 2, ("not empty",)),
    Case("out-overwrite-user-folder", lambda t: (t / "out").mkdir() or ((t / "out" / "mine.txt").write_text("x") and
         ["run", "resilience", "--study", str(_res_ok(t)), "--out", str(t / "out"), "--overwrite", *RUN_OPTS]), 2,
         ("manifest.json",)),
    Case("bad-formats", lambda t: ["run", "resilience", "--study", str(_res_ok(t)), "--out", str(t / "out"),
                                   "--formats", "pdf"], 2, ("--formats", "pdf")),
    Case("bad-lang", lambda t: ["run", "resilience", "--study", str(_res_ok(t)), "--out", str(t / "out"), "--lang", "fr",
                                *RUN_OPTS], 2, ("fr",)),
    Case("export-value-added", lambda t: ["datasets", "export", "value_added_demo", "-o", str(t / "va.csv")], 2,
         ("value_added_demo", "value-added"), True),
    Case("export-unknown", lambda t: ["datasets", "export", "nope_demo", "-o", str(t / "x.csv")], 2, ("nope_demo",)),
    Case("export-suffix", lambda t: ["datasets", "export", "resilience_demo", "-o", str(t / "x.json")], 2, (".json",)),
    Case("export-exists", lambda t: (t / "x.csv").write_text("mine") and
         ["datasets", "export", "resilience_demo", "-o", str(t / "x.csv")], 2, ("exists",)),
    Case("export-missing-folder", lambda t: ["datasets", "export", "resilience_demo", "-o", str(t / "no" / "x.csv")], 2,
         ("does not exist",), True),
    Case("export-under-file", lambda t: (t / "f.txt").write_text("mine") and
         ["datasets", "export", "resilience_demo", "-o", str(t / "f.txt" / "x.csv")], 2, ("not a folder",), True),
    Case("template-exists", lambda t: (t / "s.toml").write_text("mine") and
         ["study", "template", "resilience", "-o", str(t / "s.toml")], 2, ("exists",)),
    Case("template-unknown", lambda t: ["study", "template", "nope"], 2, ("nope",)),
    Case("schema-missing-folder", lambda t: ["study", "schema", "resilience", "-o", str(t / "no" / "s.json")], 2,
         ("does not exist",)),
    Case("regions-unknown", lambda t: ["regions", "resolve", "火星"], 2, ("火星",)),
    Case("regions-grouping", lambda t: ["regions", "list", "--grouping", "nowhere"], 2, ("nowhere",)),
]

CLI_CASES = STUDY_FILE_CASES + RESILIENCE_CASES + FIRM_CASES + NBS_CASES + CHECK_CASES + PATH_CASES


# --- readers called from Python: typed exceptions ------------------------------------------------


def _load_panel(name: str, content: bytes | None = None, **kw):
    def call(tmp: Path):
        from exportlens.data import load_panel

        if content is not None:
            (tmp / name).write_bytes(content)
        return load_panel(tmp / name, **{"entity": "province", "time": "year", **kw})

    return call


def _frame_call(fn, frame_fn):
    def call(tmp: Path):
        return fn(_edit(demo_panel(), frame_fn))

    return call


def _check_panel(frame: pd.DataFrame):
    from exportlens.data import check_panel

    return check_panel(frame, entity="province", time="year", resolve_entities="province")


def _ceads(content: bytes, name="mrio_2012.xlsx"):
    def call(tmp: Path):
        from exportlens.mrio.readers import read_ceads_workbook

        (tmp / name).write_bytes(content)
        return read_ceads_workbook(tmp / name)

    return call


def _national(text: str | None, name="io.csv"):
    def call(tmp: Path):
        from exportlens.mrio.readers import read_national_io

        if text is not None:
            (tmp / name).write_text(text, encoding="utf-8")
        return read_national_io(tmp / name)

    return call


def _transactions(files: dict[str, object]):
    def call(tmp: Path):
        from exportlens.firms import ColumnMap, connect_duckdb
        from exportlens.firms.io import open_transactions

        folder = tmp / "tx"
        folder.mkdir()
        for name, obj in files.items():
            if isinstance(obj, bytes):
                (folder / name).write_bytes(obj)
            else:
                obj.to_csv(folder / name, index=False)
        con = connect_duckdb(temp_directory=tmp / "tx" / ".." / "engine")
        try:
            return open_transactions(con, folder, ColumnMap(firm="firm_id", product="hs8", value="value_usd"))
        finally:
            con.disconnect()

    return call


PY_CASES = [
    Case("load-missing", _load_panel("nope.csv"), InputError, ("nope.csv",)),
    Case("load-suffix", _load_panel("p.json", b"{}"), InputError, ("p.json",)),
    Case("load-empty", _load_panel("p.csv", b""), DataFormatError, ("p.csv",)),
    Case("load-corrupt-parquet", _load_panel("p.parquet", PARQUET_BAD), DataFormatError, ("p.parquet",)),
    Case("load-corrupt-xlsx", _load_panel("p.xlsx", XLSX_BYTES), DataFormatError, ("p.xlsx",)),
    Case("load-entity-missing", _load_panel("p.csv", b"a,year\n1,2009\n"), MissingColumnError, ("province",)),
    Case("load-bad-encoding", _load_panel("p.csv", "province,year\n北京,2009\n".encode("gbk"), encoding="utf-8"),
         DataFormatError, ("p.csv", "utf-8")),
    Case("load-unknown-province", _load_panel("p.csv", "province,year\n火星,2009\n".encode()), UnknownRegionError,
         ("火星",)),
    Case("check-panel-duplicates", _frame_call(_check_panel, lambda f: pd.concat([f, f.iloc[[0]]])), ValidationError,
         ("more than once",)),
    Case("check-panel-text", _frame_call(_check_panel, lambda f: _set(f, 0, "exports", "x")), ValidationError,
         ("non-numeric",)),
    Case("check-panel-unknown", _frame_call(_check_panel, lambda f: _set(f, 0, "province", "火星")), ValidationError,
         ("火星",)),
    Case("ceads-missing", lambda t: __import__("exportlens.mrio.readers", fromlist=["x"]).read_ceads_workbook(
        t / "nope.xlsx"), InputError, ("nope.xlsx",)),
    Case("ceads-not-xlsx", _ceads(XLSX_BYTES), DataFormatError, ("mrio_2012.xlsx",), True),
    Case("ceads-text-file", _ceads(b"Code,Origin\n1,2\n"), DataFormatError, ("mrio_2012.xlsx",), True),
    Case("national-missing", _national(None), InputError, ("io.csv",)),
    Case("national-columns", _national("a,b\n1,2\n"), ExportlensError, ("Code",)),
    Case("national-empty", _national(""), DataFormatError, ("io.csv",), True),
    Case("tx-renamed", _transactions({"a.csv": firm_frame(), "b.csv": firm_frame().rename(columns={"hs8": "hs"})}),
         MissingColumnError, ("b.csv", "hs8"), True),
    Case("tx-gbk", _transactions({"a.csv": _gbk_csv()}), DataFormatError, ("a.csv", "UTF-8"), True),
    Case("tx-corrupt-parquet", _transactions({"a.parquet": PARQUET_BAD}), DataFormatError, ("a.parquet",), True),
]


# --- the tests ----------------------------------------------------------------------------------


def _all_ids() -> list[str]:
    return [c.id for c in CLI_CASES + PY_CASES]


def test_at_least_150_distinct_bad_inputs():
    ids = _all_ids()
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150, len(ids)


def _tree(folder: Path) -> dict[str, str]:
    """Hashes of the files and the list of folders (a new empty folder counts as written)."""
    out = snapshot(folder)
    out.update({str(p.relative_to(folder)) + "/": "dir" for p in folder.rglob("*") if p.is_dir()})
    return out


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.id)
def test_cli_bad_input(case: Case, tmp_path: Path):
    args = case.build(tmp_path)
    before = _tree(tmp_path)
    out_existed = (tmp_path / "out").exists()
    r = runner.invoke(app, args)
    out = r.output
    assert r.exit_code == case.code, out
    assert "Traceback" not in out and "site-packages" not in out, out
    if case.code == 2:
        errors = [ln for ln in out.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1, out
        assert not CLASS_PREFIX.match(errors[0]), errors[0]
        assert "internal error" not in errors[0], errors[0]
        assert not PY_ADVICE.search(errors[0]), errors[0]
    flat = " ".join(out.split())
    for fragment in case.expect:
        assert fragment in flat, (fragment, out)
    assert _tree(tmp_path) == before, "a failed command wrote or changed files"
    assert out_existed or not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.xfail(reason=c.extra["xfail"], strict=True))
                                  if "xfail" in c.extra else c for c in PY_CASES], ids=lambda c: c.id)
def test_reader_bad_input(case: Case, tmp_path: Path):
    with pytest.raises(case.code) as info:  # type: ignore[call-overload]
        case.build(tmp_path)
    message = str(info.value)
    for fragment in case.expect:
        assert fragment in message, (fragment, message)
    assert "Traceback" not in message


# --- protections that must NOT refuse good input --------------------------------------------------


def test_data_check_accepts_the_exported_demo_panel(tmp_path):
    out = tmp_path / "demo.csv"
    r = runner.invoke(app, ["datasets", "export", "resilience_demo", "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["data", "check", str(out)])
    assert r.exit_code == 0, r.output
    assert "province_en" in " ".join(r.output.split())  # listed as a label column, not blocking


def test_province_spellings_across_years_are_one_province(tmp_path):
    frame = demo_panel()
    frame.loc[(frame["province"] == "北京市") & (frame["year"] < 2015), "province"] = "北京"
    _csv(tmp_path, frame)
    path = tmp_path / "study.toml"
    path.write_text(_study_text("resilience", "panel.csv"), encoding="utf-8")
    r = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "out"), *RUN_OPTS])
    assert r.exit_code == 0, r.output
    notes = (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8")
    assert "北京 = 北京市" in notes or "北京市 = 北京" in notes


def test_nonpositive_nan_key_counts_the_rows(tmp_path):
    frame = demo_panel()
    frame.loc[7, "exports"] = -1.0
    _csv(tmp_path, frame)
    path = tmp_path / "study.toml"
    path.write_text(_study_text("resilience", "panel.csv", replace=('nonpositive = "raise"', 'nonpositive = "nan"')),
                    encoding="utf-8")
    r = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "out"), *RUN_OPTS])
    assert r.exit_code == 0, r.output
    sample = pd.read_csv(tmp_path / "out" / "sample.csv")
    base = sample[sample["model"] == "table2_col1"]
    lost_sl = base.loc[base["step"].str.startswith("missing sl"), "n"].sum()
    assert lost_sl == 30 + 2  # the first year of 30 provinces, and the bad row and the next year


def test_gzip_transactions_are_read(tmp_path):
    folder = tmp_path / "tx"
    folder.mkdir()
    with gzip.open(folder / "a.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(firm_frame().to_csv(index=False))
    from exportlens.firms.io import ColumnMap, check_transaction_files, find_input_files

    files, fmt = find_input_files(folder)
    check_transaction_files(files, fmt, ColumnMap(firm="firm_id", product="hs8", value="value_usd"))


def test_library_warnings_become_notes_not_raw_lines(tmp_path):
    frame = demo_panel()
    frame["national_exports"] = frame["national_exports"] * 1.2  # differs from the provinces' sum: a warning
    _csv(tmp_path, frame)
    path = tmp_path / "study.toml"
    path.write_text(_study_text("resilience", "panel.csv"), encoding="utf-8")
    r = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "out"), *RUN_OPTS])
    assert r.exit_code == 0, r.output
    assert "site-packages" not in r.output
    assert not [ln for ln in r.output.splitlines() if "Warning:" in ln and "Note:" not in ln]  # only as a note
    notes = (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8")
    assert "differs from the sum of the regions" in notes
    # the note gives the advice of the interface in use (a study-file key), not a Python argument
    assert "tolerance=None" not in notes and "[variables] national_exports" in notes


def test_overwrite_replaces_only_the_earlier_runs_files(tmp_path):
    study = _res_ok(tmp_path)
    out = tmp_path / "out"
    base = ["run", "resilience", "--study", str(study), "--out", str(out), "--no-figures"]
    assert runner.invoke(app, [*base, "--formats", "md,csv"]).exit_code == 0
    assert (out / "tables" / "table2.csv").exists()
    (out / "my_notes.txt").write_text("mine", encoding="utf-8")
    r = runner.invoke(app, [*base, "--formats", "md", "--overwrite"])
    assert r.exit_code == 0, r.output
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "mine"  # the user's file stays
    assert not (out / "tables" / "table2.csv").exists()  # the earlier run's file is gone
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "my_notes.txt" not in manifest["outputs"] and "tables/table2.csv" not in manifest["outputs"]
    assert "tables/table2.md" in manifest["outputs"]
