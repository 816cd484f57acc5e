"""Reports of a run as a person sees them: HTML in headless Chromium, Word through python-docx,
the plain-language reading against the numbers, byte-identical rebuilds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn

from exportlens.errors import InputError, MissingColumnError
from exportlens.report.build import build_reports, demo_index
from exportlens.report.content import collect_run, grid_from_html, run_language
from exportlens.report.html import BUILT_PATTERN
from exportlens.report.reading import key_term_rows, main_model, read_coefficients, read_run
from exportlens.report.tables import render_html

CHROMIUM = Path("/usr/bin/chromium")


# ---- the run folder: the only place that knows how a study is run ---------------------------


def _run_resilience_study(out: Path) -> Path:
    """A finished resilience run (demo data, Chinese) written to ``out`` through the public API."""
    from exportlens.studies.framework import run_study
    from exportlens.studies.resilience import STUDY, ResilienceStudySpec

    return run_study(STUDY, ResilienceStudySpec(), out=out, lang="zh", figures=True)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    return _run_resilience_study(tmp_path_factory.mktemp("reports") / "resilience")


@pytest.fixture(scope="session")
def reports(run_dir):
    """The reports built once for the session (the same build the tests below inspect)."""
    return build_reports(run_dir, built="2000-01-01T00:00:00+00:00")


# ---- reading -----------------------------------------------------------------------------------


def test_reading_matches_the_coefficients(run_dir):
    coefs = pd.read_csv(run_dir / "coefficients.csv")
    main = main_model(coefs, "vag")
    # independent: the table2 model with the most terms
    t2 = coefs[coefs["model"].str.startswith("table2")]
    assert main == t2.groupby("model")["term"].size().idxmax()
    row = coefs[(coefs["model"] == main) & (coefs["term"] == "vag")].iloc[0]
    zh, en = read_coefficients(coefs, "zh", "vag"), read_coefficients(coefs, "en", "vag")
    assert f"{row['estimate']:.4f}" in zh[0] and f"{row['estimate']:.4f}" in en[0]
    assert f"N = {int(row['nobs'])}" in en[0]
    level = next(lev for lev in (1, 5, 10) if row["p_value"] < lev / 100)
    assert f"{level}% level" in en[0] and ("positive" if row["estimate"] > 0 else "negative") in en[0]
    rows = coefs[coefs["term"].str.fullmatch(r"(L\d+_)?vag")]
    assert len(key_term_rows(coefs, "vag")) == len(rows)
    assert f"of all {len(rows)} models" in en[1]
    assert f"{int((rows['p_value'] < 0.05).sum())} are significant at 5%" in en[1]
    weak = rows[(rows["p_value"] >= 0.05) | (rows["estimate"] <= 0)]["model"]
    for model in weak:
        assert model in en[1]


def test_reading_reports_sign_flips_and_default_key():
    coefs = pd.DataFrame({
        "model": ["a_1", "a_1", "a_2", "a_2", "a_2", "b_1"],
        "term": ["Intercept", "x", "x", "z", "Intercept", "x"],
        "estimate": [1.0, 0.5, 0.4, 0.1, 1.0, -0.2],
        "std_error": [0.1, 0.1, 0.1, 0.1, 0.1, 0.3],
        "p_value": [0.001, 0.001, 0.002, 0.3, 0.001, 0.5],
        "nobs": [100] * 6,
    })
    en = read_coefficients(coefs, "en")  # key term defaults to x (in most models)
    assert "main model (a_2, N = 100)" in en[0]
    assert "2 have the same sign" in en[1] and "b_1 (x)" in en[1]
    with pytest.raises(MissingColumnError, match="p_value"):
        read_coefficients(coefs.drop(columns="p_value"), "en")


def test_read_run_uses_labels_and_language(run_dir):
    zh = read_run(run_dir, "zh")
    assert "虚拟集聚" in zh[0] and "显著" in zh[0]
    assert run_language(run_dir) == "zh"


# ---- content ------------------------------------------------------------------------------------


def test_tables_round_trip_from_the_run_html(run_dir):
    for path in sorted((run_dir / "tables").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert render_html(grid_from_html(text)) == text, path.name


def test_not_a_run_folder(tmp_path):
    with pytest.raises(InputError, match="manifest"):
        build_reports(tmp_path)


# ---- HTML ---------------------------------------------------------------------------------------


def test_html_is_self_contained_and_complete(run_dir, reports):
    page = reports.html.read_text(encoding="utf-8")
    n_tables = len(list((run_dir / "tables").glob("*.html")))
    n_figures = len(list((run_dir / "figures").glob("*.png")))
    assert page.count('class="exportlens-table sortable"') == n_tables
    assert page.count("<img ") == n_figures + 2  # + tile maps of SL and Vag
    assert re.findall(r"(?:src|href)=\"https?:", page) == []  # nothing fetched from the network
    assert page.count("<svg") == 3  # the three formulas of the resilience method notes
    assert "表1 描述性统计" in page and "图1 " in page
    assert "@font-face" in page and "data:font/otf;base64," in page
    for line in read_run(run_dir, "zh"):
        assert line.replace("(", "").replace(")", "")[:20] in page.replace("(", "").replace(")", "")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["created_utc"] in page and manifest["packages"]["pyfixest"] in page


def test_rebuild_is_byte_identical_except_timestamp(run_dir, reports, tmp_path):
    first_html = reports.html.read_text(encoding="utf-8")
    first_docx = reports.docx.read_bytes()
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    again = build_reports(copy)  # a new timestamp, the same run
    second_html = again.html.read_text(encoding="utf-8")
    assert second_html != first_html
    assert BUILT_PATTERN.sub("", second_html) == BUILT_PATTERN.sub("", first_html)
    assert again.docx.read_bytes() == first_docx


def test_english_report_of_a_chinese_run(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    r = build_reports(copy, "en", maps=False)
    page = r.html.read_text(encoding="utf-8")
    assert "Table 1. " in page and "Reading of the main results" in page and "In the main model" in page
    with pytest.raises(InputError, match="zh"):
        collect_run(copy, "fr")


def test_demo_index_links_reports(run_dir, reports):
    index = demo_index(run_dir.parent, [run_dir.name], "en")
    page = index.read_text(encoding="utf-8")
    assert f'href="{run_dir.name}/report.html"' in page
    assert "Export resilience and virtual agglomeration" in page


def test_demo_index_differs_only_in_its_timestamp(run_dir, reports):
    """The embedded font always holds the digits of a timestamp, so the build time changes only
    the timestamp line (not the font data) of a page."""
    pages = [demo_index(run_dir.parent, [run_dir.name], "zh", built=b).read_text(encoding="utf-8")
             for b in ("2001-02-03T04:05:06+00:00", "2099-09-09T09:09:09+00:00")]
    assert pages[0] != pages[1]
    assert BUILT_PATTERN.sub("", pages[0]) == BUILT_PATTERN.sub("", pages[1])


# ---- Word ---------------------------------------------------------------------------------------


def _border(el, side):
    b = el.find(qn(f"w:{side}"))
    return None if b is None else b.get(qn("w:val"))


def test_docx_has_every_table_three_line_and_numbered_captions(run_dir, reports):
    document = docx.Document(str(reports.docx))
    run_tables = sorted((run_dir / "tables").glob("*.html"))
    assert len(document.tables) == len(run_tables)
    texts = [p.text for p in document.paragraphs]
    titles = [grid_from_html(p.read_text(encoding="utf-8")).title for p in run_tables]
    for i in range(1, len(run_tables) + 1):
        caption = next(t for t in texts if t.startswith(f"表{i} "))
        # the run's own title (without its number) follows the report's number
        assert any(caption.endswith(re.sub(r"^表\S+\s*", "", title)) for title in titles)
    n_figures = len(list((run_dir / "figures").glob("*.png"))) + 2
    numbers = [int(m.group(1)) for t in texts if (m := re.match(r"图(\d+) ", t))]
    assert numbers == list(range(1, n_figures + 1))
    table_numbers = [int(m.group(1)) for t in texts if (m := re.match(r"表(\d+) ", t))]
    assert table_numbers == list(range(1, len(run_tables) + 1))
    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert _border(borders, "top") == "single" and _border(borders, "bottom") == "single"
        for side in ("left", "right", "insideV", "insideH"):
            assert _border(borders, side) == "nil"
        # a rule under the header: bottom border on the cells of some header row
        ruled = [row for row in table.rows
                 if any(c._tc.tcPr is not None and c._tc.tcPr.find(qn("w:tcBorders")) is not None
                        and _border(c._tc.tcPr.find(qn("w:tcBorders")), "bottom") == "single" for c in row.cells)]
        assert ruled
    # notes under the tables: the first note of Table 2 follows the table
    assert any("括号内" in t or "标准误" in t for t in texts)
    props = document.core_properties
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert props.created.isoformat().startswith(manifest["created_utc"][:19])


# ---- headless Chromium --------------------------------------------------------------------------

_PROBE = """<div id="probe"></div><script>
window.__errors = [];
window.addEventListener('error', function(e){ window.__errors.push(String(e.message)); });
document.fonts.ready.then(function(){
  function ink(text, font){
    var cv = document.createElement('canvas'); cv.width = 200; cv.height = 40;
    var c = cv.getContext('2d'); c.font = font; c.fillStyle = '#000'; c.fillText(text, 2, 30);
    var d = c.getImageData(0, 0, 200, 40).data, sig = 0, n = 0;
    for (var i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; sig = (sig * 31 + i * d[i]) % 1000000007; } }
    return n + ':' + sig;
  }
  var font = '20px "Noto Sans CJK SC Embedded"';
  var p = document.getElementById('probe');
  var c = document.createElement('canvas').getContext('2d'); c.font = font;
  p.setAttribute('data-width', c.measureText('出口韧性').width);
  p.setAttribute('data-ink-a', ink('出口', font));
  p.setAttribute('data-ink-b', ink('韧性', font));
  p.setAttribute('data-tofu-a', ink('\\u{10FFFD}\\u{10FFFD}', font));
  p.setAttribute('data-tofu-b', ink('\\u{10FFFC}\\u{10FFFC}', font));
  p.setAttribute('data-font-check', document.fonts.check(font, '出口韧性'));
  var th = document.querySelector('table.sortable thead tr:last-child th:nth-child(3)');
  th.click();
  var col = Array.prototype.map.call(document.querySelector('table.sortable').tBodies[0].rows,
                                     function(r){ return r.cells[2].textContent; });
  p.setAttribute('data-sorted', col.join('|'));
  p.setAttribute('data-errors', window.__errors.join('|'));
  p.setAttribute('data-height', document.documentElement.scrollHeight);
});
</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (apt-get install -y chromium)")
def test_report_renders_in_chromium(reports, run_dir, tmp_path):
    shot = tmp_path / "report.png"
    result = _chromium(["--screenshot=" + str(shot), "--window-size=1280,4000", reports.html.as_uri()], tmp_path / "p1")
    assert shot.is_file() and shot.stat().st_size > 50_000, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr and "ERROR:CONSOLE" not in result.stderr
    from PIL import Image

    with Image.open(shot) as img:
        pixels = np.asarray(img.convert("L"))
    assert (pixels < 128).mean() > 0.005  # text, tables and figures drawn, not a blank page

    probe_page = tmp_path / "probe.html"
    probe_page.write_text(reports.html.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    result = _chromium(["--virtual-time-budget=5000", "--dump-dom", probe_page.as_uri()], tmp_path / "p2")
    dom = result.stdout
    assert "Uncaught" not in result.stderr and "ERROR:CONSOLE" not in result.stderr
    n_tables = len(list((run_dir / "tables").glob("*.html")))
    n_figures = len(list((run_dir / "figures").glob("*.png"))) + 2
    assert dom.count("<img ") == n_figures
    assert dom.count('class="exportlens-table sortable"') == n_tables
    probe = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', re.search(r'<div id="probe"[^>]*>', dom).group(0)))
    assert probe["errors"] == ""
    assert int(probe["height"]) > 4000
    assert float(probe["width"]) > 0
    # Chinese glyphs drawn by the CJK font: different characters give different ink, whereas
    # missing glyphs (tofu) of different characters are the same box
    assert probe["font-check"] == "true"
    assert probe["ink-a"] != probe["ink-b"] and not probe["ink-a"].startswith("0:")
    assert probe["ink-a"] != probe["tofu-a"]
    # clicking the third header of Table 1 (mean) sorts its rows ascending
    values = [float(v) for v in probe["sorted"].split("|")]
    assert values == sorted(values)


# ---- Excel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value", "fmt"), [
    ("390", 390, "0"), ("-0.029", -0.029, "0.000"), ("0.210", 0.21, "0.000"), ("38.2%", 0.382, "0.0%"),
    ("0.039***", None, None), ("(0.005)", None, None), ("是", None, None), ("", None, None), ("1e-3", None, None),
])
def test_xlsx_number(text, value, fmt):
    from exportlens.report.tables import xlsx_number

    got = xlsx_number(text)
    if value is None:
        assert got is None
    else:
        assert got[1] == fmt and got[0] == pytest.approx(value)


def test_xlsx_stores_numbers_as_numbers(run_dir):
    """The run's Excel tables: N, R², statistics are numeric cells; starred coefficients text."""
    import openpyxl

    ws = openpyxl.load_workbook(run_dir / "tables" / "table1.xlsx").active
    stats = pd.read_csv(run_dir / "tables" / "table1.csv")
    cells = {str(r[0].value): [c for c in r[1:]] for r in ws.iter_rows() if r[0].value is not None}
    first = stats.iloc[0]
    row = cells[str(first["label"])]
    assert isinstance(row[0].value, int) and row[0].value == first["N"]
    assert isinstance(row[1].value, float) and row[1].value == pytest.approx(first["mean"], abs=5e-4)
    assert row[1].number_format == "0.000"
    ws2 = openpyxl.load_workbook(run_dir / "tables" / "table2.xlsx").active
    values = [c.value for r in ws2.iter_rows() for c in r[1:] if c.value is not None]
    assert any(isinstance(v, str) and v.endswith("***") for v in values)  # coefficients with stars
    assert any(isinstance(v, str) and v.startswith("(") for v in values)  # standard errors
    coefs = pd.read_csv(run_dir / "tables" / "table2.csv")
    assert int(coefs["nobs"].iloc[0]) in values  # N as a number
    r2 = [v for v in values if isinstance(v, float)]
    assert any(v == pytest.approx(coefs["adj_r2"].iloc[0], abs=5e-4) for v in r2)  # adjusted R²


# ---- readings of studies without coefficients (small hand-made run folders) -------------------


def test_reading_value_added_shares_are_export_weighted(tmp_path):
    (tmp_path / "data").mkdir()
    dec = pd.DataFrame({
        "year": [2002, 2002, 2012, 2012],
        "region": ["北京", "上海", "北京", "上海"],
        "exports": [100.0, 300.0, 200.0, 200.0],
        "dva": [60.0, 150.0, 100.0, 80.0], "pva": [20.0, 60.0, 40.0, 40.0], "fva": [20.0, 90.0, 60.0, 80.0],
    })
    dec[["dvr", "pvr", "fvr"]] = dec[["dva", "pva", "fva"]].div(dec["exports"], axis=0)
    dec.to_csv(tmp_path / "data" / "decomposition.csv", index=False)
    (en,) = read_run(tmp_path, "en")
    # 2012: DVA 180 / exports 400 = 45.0%, PVA 20.0%, FVA 35.0%; 2002: 210/400 = 52.5%
    assert "(DVR) made up 45.0%" in en and "(PVR) 20.0%" in en and "abroad (FVR) 35.0%" in en
    assert "in 2002: 52.5%, 20.0%, 27.5%" in en
    assert "Shanghai (40.0%)" in en  # highest foreign share in 2012: 80 / 200


def test_reading_synergy_and_linkage(tmp_path):
    syn = tmp_path / "syn"
    syn.mkdir()
    pd.DataFrame({
        "code": [110000, 310000, 110000, 310000], "year": [2013, 2013, 2022, 2022],
        "D": [0.2, 0.4, 0.6, 0.3], "lagging": ["ecommerce", "clusters", "ecommerce", "ecommerce"],
    }).to_csv(syn / "coupling_panel.csv", index=False)
    (en,) = read_run(syn, "en")
    assert "from 0.300 in 2013 to 0.450 in 2022" in en and "1 of 2 provinces are coordinated" in en
    assert "cross-border e-commerce (2 provinces)" in en
    link = tmp_path / "link"
    link.mkdir()
    pd.DataFrame({"province": [110000, 110000, 310000, 310000, 440000, 440000],
                  "score": [0.1, 0.3, 0.5, 0.3, 0.05, 0.15]}).to_csv(link / "scores_long.csv", index=False)
    (zh,) = read_run(link, "zh")
    assert zh.startswith("3 个省份") and "最高的是上海、北京、广东（最高 0.4000）" in zh and "4.0 倍" in zh


def test_run_without_html_tables_shows_its_csv_tables(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    for path in (copy / "tables").glob("*.html"):
        path.unlink()
    content = collect_run(copy, with_maps=False)
    assert [t.name for t in content.tables] == sorted(p.stem for p in (copy / "tables").glob("*.csv"))
    first = pd.read_csv(copy / "tables" / "table1.csv")
    assert content.tables[0].grid.header[0] == list(first.columns)
