"""Descriptive statistics table (Table 1) and its exporters."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import describe
from exportlens.errors import InputError, MissingColumnError
from exportlens.report import DescriptiveTable, describe_table


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"province": np.repeat([f"P{i}" for i in range(30)], 14), "year": np.tile(np.arange(2008, 2022), 30)})
    df["res"] = rng.normal(0.1, 0.3, len(df))
    df["vag"] = rng.lognormal(0, 0.5, len(df))
    df["open"] = rng.uniform(0, 1, len(df))
    df.loc[[3, 7, 100], "open"] = np.nan
    return df


LABELS = {"res": {"en": "Export resilience", "zh": "出口韧性"}, "vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}}


def test_statistics(data):
    t = describe_table(data, ["res", "vag", "open"], LABELS)
    assert isinstance(t, DescriptiveTable)
    f = t.to_frame()
    assert list(f.columns) == ["N", "mean", "sd", "min", "max"]
    assert list(f.index) == ["res", "vag", "open"]
    assert f.loc["open", "N"] == 417 and f.loc["res", "N"] == 420
    for v in ("res", "vag", "open"):
        s = data[v].dropna()
        assert f.loc[v, "mean"] == pytest.approx(s.mean(), abs=1e-12)
        assert f.loc[v, "sd"] == pytest.approx(s.std(ddof=1), abs=1e-12)
        assert f.loc[v, "min"] == s.min() and f.loc[v, "max"] == s.max()
    assert list(t.to_frame(labelled=True).index[:2]) == ["Export resilience", "Virtual agglomeration"]
    assert "Export resilience" in t.summary()


def test_default_variables_and_errors(data):
    t = describe_table(data)
    assert list(t.to_frame().index) == ["year", "res", "vag", "open"]
    with pytest.raises(MissingColumnError, match="Available columns"):
        describe_table(data, ["res", "nope"])
    with pytest.raises(InputError, match="not numeric"):
        describe_table(data, ["province"])
    with pytest.raises(InputError, match="lang"):
        describe_table(data, ["res"], lang="de")


def test_chinese_grid(data):
    t = describe_table(data, ["res", "vag"], LABELS, lang="zh", digits=2)
    g = t.grid()
    assert g.header == [["变量", "样本量", "均值", "标准差", "最小值", "最大值"]]
    assert g.body[0][0] == "出口韧性" and g.body[0][1] == "420"
    assert g.body[0][2] == f"{data['res'].mean():.2f}"


def test_exporters(data, tmp_path):
    t = describe_table(data, ["res", "vag", "open"], LABELS, title="Table 1 Descriptive statistics", notes="Source: synthetic.")
    tex = t.to_latex()
    assert r"\toprule" in tex and r"\bottomrule" in tex and "Virtual agglomeration" in tex
    assert "<table" in t.to_html() and "| Variable | N | Mean | SD | Min | Max |" in t.to_markdown()
    t.to_docx(tmp_path / "d.docx")
    import docx

    doc = docx.Document(str(tmp_path / "d.docx"))
    cells = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert cells[0] == ["Variable", "N", "Mean", "SD", "Min", "Max"]
    assert cells[1][0] == "Export resilience" and cells[3][1] == "417"
    t.to_excel(tmp_path / "d.xlsx")
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "d.xlsx").active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == "Table 1 Descriptive statistics"
    assert list(values[2][:2]) == ["Export resilience", 420]  # N stored as a number
    text = t.to_csv(tmp_path / "d.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["variable", "label", "N", "mean", "sd", "min", "max"]
    assert rows[2]["variable"] == "open" and rows[2]["N"] == "417"
    assert float(rows[0]["sd"]) == pytest.approx(data["res"].std(ddof=1))
    for suffix in (".md", ".html", ".tex", ".txt"):
        out = t.export(tmp_path / f"d{suffix}")
        assert out.stat().st_size > 0


def test_with_labels(data):
    t = describe_table(data, ["res", "vag"]).with_labels(LABELS, lang="zh", title="表1", notes=["注"])
    g = t.grid()
    assert g.body[0][0] == "出口韧性" and g.title == "表1" and g.notes == ["注"]


def test_describe_returns_the_statistics_the_table_renders(data):
    stats = describe(data, ["res", "open"])
    assert list(stats.columns) == ["N", "mean", "sd", "min", "max"]
    assert stats.loc["open", "N"] == len(data) - 3
    np.testing.assert_allclose(stats.loc["res", "sd"], data["res"].std(ddof=1))
    pd.testing.assert_frame_equal(describe_table(data, ["res", "open"]).to_frame(), stats)
