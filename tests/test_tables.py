"""Regression tables: layout, stars, labels, fixed-effect rows and every exporter."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import ModelResult, fit_panel, stepwise
from exportlens.errors import InputError
from exportlens.report import Grid, RegressionTable, export_grid, star_string


def _result(name, terms, *, fe=(), p=None, nobs=420, adj=0.25, adj_w=None, vcov="CRV1:province", singletons=0):
    p = p or [0.5] * len(terms)
    coefs = pd.DataFrame(
        {
            "estimate": np.linspace(0.1234, 1.5, len(terms)),
            "std_error": np.full(len(terms), 0.0456),
            "t_stat": np.full(len(terms), 2.0),
            "p_value": p,
            "ci_low": np.zeros(len(terms)),
            "ci_high": np.ones(len(terms)),
        },
        index=pd.Index(terms, name="term"),
    )
    return ModelResult(
        name=name,
        depvar="res",
        coefs=coefs,
        nobs=nobs,
        r2=0.3,
        adj_r2=adj,
        r2_within=None if adj_w is None else adj_w + 0.01,
        adj_r2_within=adj_w,
        fixed_effects=list(fe),
        vcov=vcov,
        formula="",
        extra={"n_dropped_singletons": singletons, "fe_roles": {"year": "time", "province": "entity"}},
    )


@pytest.fixture(scope="module")
def results():
    return [
        _result("(1)", ["Intercept", "vag"], p=[0.2, 0.009]),
        _result("(2)", ["vag", "open"], fe=["year"], p=[0.04, 0.09], adj_w=0.1),
        _result("(3)", ["vag", "open", "L1_fin"], fe=["province", "year"], p=[0.11, 0.5, 0.01], adj_w=0.12, singletons=2),
    ]


LABELS = {"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}, "res": {"en": "Export resilience", "zh": "出口韧性"}}


def test_star_thresholds():
    assert star_string(0.009) == "***"
    assert star_string(0.04) == "**"
    assert star_string(0.09) == "*"
    assert star_string(0.11) == ""
    assert star_string(0.1) == ""  # strictly below the threshold
    assert star_string(float("nan")) == ""
    assert star_string(0.04, stars=(0.05,)) == "*"


def test_layout(results):
    t = RegressionTable.from_results(results, labels=LABELS)
    g = t.grid()
    assert g.header[0] == ["", "Export resilience", "Export resilience", "Export resilience"]
    assert g.header[-1] == ["Variable", "(1)", "(2)", "(3)"]
    labels = [r[0] for r in g.body]
    i = labels.index("Virtual agglomeration")
    assert g.body[i][1:] == ["1.500***", "0.123**", "0.123"]
    assert g.body[i + 1] == ["", "(0.046)", "(0.046)", "(0.046)"]  # SE below, in parentheses
    j = labels.index("open")
    assert g.body[j][1:] == ["", "1.500*", "0.812"]
    # constant is the last coefficient row
    const = labels.index("Constant")
    assert const == 6 and labels[const + 1] == ""
    assert g.body[const][1:] == ["0.123", "", ""]
    assert labels[const + 2 :] == ["Time fixed effects", "Region fixed effects", "Observations", "Adjusted R² (overall)"]
    fe_rows = {r[0]: r[1:] for r in g.body}
    assert fe_rows["Time fixed effects"] == ["NO", "YES", "YES"]
    assert fe_rows["Region fixed effects"] == ["NO", "NO", "YES"]
    assert fe_rows["Observations"] == ["420", "420", "420"]
    assert g.rules == {const + 2}
    assert "L1_fin" in labels
    assert any("clustered by province" in n for n in g.notes)
    assert any("* p<0.1, ** p<0.05, *** p<0.01" in n for n in g.notes)
    assert any("2 singleton" in n for n in g.notes)


def test_r2_rows_labelled(results):
    g = RegressionTable.from_results(results, r2="within").grid()
    rows = {r[0]: r[1:] for r in g.body}
    assert "Adjusted R² (within)" in rows and "Adjusted R² (overall)" not in rows
    assert rows["Adjusted R² (within)"] == ["", "0.100", "0.120"]
    both = {r[0] for r in RegressionTable.from_results(results, r2="both").grid().body}
    assert {"Adjusted R² (within)", "Adjusted R² (overall)"} <= both


def test_chinese_labels(results):
    t = RegressionTable.from_results(results, labels=LABELS, lang="zh", r2="both")
    g = t.grid()
    labels = [r[0] for r in g.body]
    for expected in ("虚拟集聚", "常数项", "时间固定效应", "地区固定效应", "样本量", "调整后R²（整体）", "调整后R²（组内）"):
        assert expected in labels
    rows = {r[0]: r[1:] for r in g.body}
    assert rows["时间固定效应"] == ["否", "是", "是"]
    assert g.header[0][1] == "出口韧性"
    assert any("聚类到省份层面" in n for n in g.notes)
    assert any("10%、5%、1%" in n for n in g.notes)


def test_keep_order_fe_rows(results):
    t = RegressionTable.from_results(results, keep=["open", "vag"], order=["open"], fe_rows={"year": "Year FE"}, constant=False)
    labels = [r[0] for r in t.grid().body if r[0]]
    assert labels[:2] == ["open", "vag"]
    assert "Year FE" in labels and "Region fixed effects" not in labels and "Constant" not in labels
    listed = RegressionTable.from_results(results[:2], fe_rows=["province", "year"]).grid()
    rows = {r[0]: r[1:] for r in listed.body}
    assert rows["Region fixed effects"] == ["NO", "NO"]
    with pytest.raises(InputError, match="in no model"):
        RegressionTable.from_results(results, keep=["nope"])
    with pytest.raises(InputError, match="lang"):
        RegressionTable.from_results(results, lang="fr")


def test_to_frame(results):
    f = RegressionTable.from_results(results).to_frame()
    assert f.shape[1] == 3
    assert list(f.columns.get_level_values(-1)) == ["(1)", "(2)", "(3)"]
    assert "Time fixed effects" in f.index


def test_tidy_csv(results, tmp_path):
    t = RegressionTable.from_results(results)
    path = tmp_path / "tidy.csv"
    text = t.to_csv(path)
    assert path.read_text(encoding="utf-8") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == sum(len(r.coefs) for r in results)
    for col in ("model", "term", "estimate", "std_error", "p_value", "stars", "nobs", "fixed_effects", "vcov", "adj_r2"):
        assert col in rows[0]
    vag1 = next(r for r in rows if r["model"] == "1" and r["term"] == "vag")
    assert vag1["stars"] == "***" and vag1["nobs"] == "420"


# ---- fixed-effect rows in every format (pin-sensitive: pyfixest 0.60 / maketables 0.2.0) ---


def test_fe_rows_in_every_format(results, tmp_path):
    t = RegressionTable.from_results(results)
    for text in (t.to_markdown(), t.to_html(), t.to_latex(), t.summary()):
        assert "Time fixed effects" in text and "YES" in text and "NO" in text
    md_rows = [ln for ln in t.to_markdown().splitlines() if ln.startswith("| Time fixed effects")]
    assert md_rows == ["| Time fixed effects | NO | YES | YES |"]
    assert "Time fixed effects & NO & YES & YES" in t.to_latex()
    t.to_docx(tmp_path / "t.docx")
    docx_cells = _docx_rows(tmp_path / "t.docx")
    assert ["Time fixed effects", "NO", "YES", "YES"] in docx_cells
    t.to_excel(tmp_path / "t.xlsx")
    assert ["Time fixed effects", "NO", "YES", "YES"] in _xlsx_rows(tmp_path / "t.xlsx")
    zh = RegressionTable.from_results(results, lang="zh")
    for text in (zh.to_markdown(), zh.to_html(), zh.to_latex()):
        assert "时间固定效应" in text and "是" in text and "否" in text


def _docx_rows(path):
    import docx

    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    return [[c.text for c in row.cells] for row in doc.tables[0].rows]


def _xlsx_rows(path):
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    return [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]


def test_docx_three_line_and_fonts(results, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    t = RegressionTable.from_results(results, labels=LABELS, lang="zh", title="表2 基准回归")
    path = tmp_path / "table.docx"
    t.to_docx(path)
    assert path.stat().st_size > 0
    doc = Document(str(path))
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0][1] == "出口韧性"  # merged header
    assert ["虚拟集聚", "1.500***", "0.123**", "0.123"] in rows
    assert ["", "(0.046)", "(0.046)", "(0.046)"] in rows
    assert doc.paragraphs[0].text == "表2 基准回归"
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    vals = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
    assert vals["top"] == "single" and vals["bottom"] == "single"
    assert vals["insideV"] == "nil" and vals["left"] == "nil" and vals["right"] == "nil" and vals["insideH"] == "nil"
    # East-Asian font: on the run, or inherited from the Normal style the writer sets up.
    run = doc.tables[0].rows[3].cells[0].paragraphs[0].runs[0]
    rpr = run._element.rPr
    fonts = rpr.rFonts if rpr is not None and rpr.rFonts is not None else doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "SimSun"
    # appending to an existing document
    doc2 = Document()
    t.to_docx(document=doc2)
    assert len(doc2.tables) == 1
    # a caller's document keeps its styles: the font then goes on every run
    run2 = doc2.tables[0].rows[3].cells[0].paragraphs[0].runs[0]
    assert run2._element.rPr.rFonts.get(qn("w:eastAsia")) == "SimSun"


def test_excel_latex_html_markdown(results, tmp_path):
    t = RegressionTable.from_results(results, labels=LABELS, title="Table 2")
    xlsx = tmp_path / "t.xlsx"
    t.to_excel(xlsx)
    rows = _xlsx_rows(xlsx)
    assert rows[0][0] == "Table 2"
    assert ["Virtual agglomeration", "1.500***", "0.123**", "0.123"] in rows
    tex = t.to_latex()
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"L1\_fin" in tex and "1.500$^{***}$" in tex and r"R$^{2}$" in tex
    assert r"\multicolumn{3}{c}{Export resilience}" in tex
    assert "\\begin{tabular}{lccc}" in tex
    html = t.to_html()
    assert html.count("<tr>") == len(t.grid().header) + len(t.grid().body) + len(t.grid().notes)
    assert 'colspan="3"' in html and "(0.046)" in html
    md = t.to_markdown(tmp_path / "t.md")
    assert (tmp_path / "t.md").read_text(encoding="utf-8") == md
    assert "| Virtual agglomeration | 1.500*** | 0.123** | 0.123 |" in md


def test_t_below(results):
    t = RegressionTable.from_results(results, below="t")
    g = t.grid()
    assert g.body[1][1] == "(2.000)"
    assert g.notes[0].startswith("t statistics")


def test_export_grid_generic(tmp_path):
    frame = pd.DataFrame({"a": [1.23456, 2.0], "b_x": ["x", "y"]}, index=pd.Index(["r1", "r2"], name="row"))
    assert "| row | a | b_x |" in export_grid(frame, "markdown")
    assert r"b\_x" in export_grid(frame, "latex", title="T", notes="n")
    assert "1.235" in export_grid(frame, "csv")
    for suffix in (".md", ".html", ".tex", ".csv", ".txt", ".docx", ".xlsx"):
        out = export_grid(frame, tmp_path / f"g{suffix}", title="Generic", notes=["note 1"])
        assert out.exists() and out.stat().st_size > 0
    assert _docx_rows(tmp_path / "g.docx")[1] == ["r1", "1.235", "x"]
    with pytest.raises(InputError, match="binary"):
        export_grid(frame, "docx")
    with pytest.raises(InputError, match="format"):
        export_grid(frame, tmp_path / "g.pdf")
    multi = pd.DataFrame([[1, 2, 3]], columns=pd.MultiIndex.from_tuples([("A", "x"), ("A", "y"), ("B", "z")]))
    g = Grid.from_frame(multi)
    assert g.spans(g.header[0]) == [(0, 1, ""), (1, 2, "A"), (3, 1, "B")]
    assert "\\multicolumn{2}{c}{A}" in export_grid(multi, "latex")


def test_with_real_models():
    rng = np.random.default_rng(5)
    df = pd.DataFrame([(f"P{i}", y) for i in range(30) for y in range(2010, 2024)], columns=["province", "year"])
    df["vag"] = rng.normal(size=len(df))
    df["open"] = rng.normal(size=len(df))
    df["res"] = 0.4 * df["vag"] + rng.normal(size=len(df))
    res = stepwise(df, "res", "vag", ["open"], vcov="cluster")
    res.append(fit_panel(df, "res", ["vag", "open"], fe="twoway", vcov="cluster"))
    t = RegressionTable.from_results(res, lang="zh")
    rows = {r[0]: r[1:] for r in t.grid().body}
    assert rows["时间固定效应"] == ["否", "是", "是", "是"]
    assert rows["地区固定效应"] == ["否", "否", "否", "是"]
    assert rows["样本量"] == ["420"] * 4
    assert next(r[0] for r in t.grid().body if r[0]) == "vag"


def test_model_names_alias(results):
    g = RegressionTable.from_results(results, model_names=["a", "b", "c"]).grid()
    assert g.header[1] == ["", "a", "b", "c"]
    with pytest.raises(InputError, match="not both"):
        RegressionTable.from_results(results, model_names=["a", "b", "c"], column_titles=["a", "b", "c"])
    with pytest.raises(InputError, match="3 models"):
        RegressionTable.from_results(results, model_names=["a"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_observation_counts_have_thousands_separators_in_every_format(lang, tmp_path):
    import openpyxl

    from exportlens.report import FrameTable, format_count
    from exportlens.report.tables import xlsx_number

    big = [_result("(1)", ["vag"], nobs=4347686), _result("(2)", ["vag"], nobs=999)]
    t = RegressionTable.from_results(big, lang=lang, title="T")
    n_row = [r for r in t.grid().body if r[0] == ("Observations" if lang == "en" else "样本量")]
    assert n_row == [[n_row[0][0], "4,347,686", "999"]]
    assert "| 4,347,686 | 999 |" in t.to_markdown()
    assert ">4,347,686<" in t.to_html()
    assert "4{,}347{,}686 & 999" in t.to_latex()  # LaTeX: no space after the comma
    t.to_docx(tmp_path / "t.docx")
    assert ["4,347,686", "999"] in [r[1:] for r in _docx_rows(tmp_path / "t.docx")]
    t.to_excel(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    cells = {c.value: c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, int)}
    assert cells[4347686] == "#,##0" and cells[999] == "0"  # numbers Excel computes with, shown with separators
    # count cells of FrameTables written by format_count get the same treatment (Table F7 coverage)
    frame = pd.DataFrame({"firm-years": [format_count(1234567), format_count(12)]}, index=["matched", "no panel"])
    tex = FrameTable(frame).to_latex()
    assert "1{,}234{,}567" in tex and "& 12 " in tex
    FrameTable(frame).to_excel(tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    assert ws["B2"].value == 1234567 and ws["B2"].number_format == "#,##0"
    # a decimal number with a comma-like look is not a count
    assert xlsx_number("1,234.5") is None
