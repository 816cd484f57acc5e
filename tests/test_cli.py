"""The command line: help, version, demo, study runs, data commands, one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens import __version__
from exportlens.cli import app
from exportlens.datasets.demo import resilience_demo_panel

runner = CliRunner()


def test_help_and_version():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "demo" in r.output and "run" in r.output
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and __version__ in r.output


def test_demo_writes_a_new_folder(tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--out", str(out), "--lang", "en", "--no-figures"])
    assert r.exit_code == 0, r.output
    assert (out / "resilience" / "tables" / "table2.docx").exists()
    assert (out / "resilience" / "manifest.json").exists()
    assert "SYNTHETIC" in r.output
    again = runner.invoke(app, ["demo", "--out", str(out)])
    assert again.exit_code == 2 and "not empty" in again.output


@pytest.fixture()
def study_dir(tmp_path):
    panel = resilience_demo_panel().drop(columns=["sl", "vag"])
    panel.to_csv(tmp_path / "panel.csv", index=False)
    return tmp_path


def _write_study(folder, extra=""):
    from exportlens.studies.framework import study_template
    from exportlens.studies.resilience import ResilienceStudySpec

    text = study_template(ResilienceStudySpec).replace('# path = "panel.csv"', 'path = "panel.csv"') + extra
    (folder / "study.toml").write_text(text, encoding="utf-8")
    return folder / "study.toml"


def test_run_resilience_on_user_file(study_dir):
    study = _write_study(study_dir)
    r = runner.invoke(app, ["run", "resilience", "--study", str(study), "--out", str(study_dir / "out"),
                            "--formats", "md,csv", "--no-figures", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    md = (study_dir / "out" / "tables" / "table2.md").read_text(encoding="utf-8")
    assert "虚拟集聚" in md
    assert (study_dir / "out" / "study.toml").exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda df: df.drop(columns=["tax_burden"]), "tax_burden"),
        (lambda df: df.assign(exports=df["exports"].where(df.index != 7, -1.0)), "needs positive exports"),
    ],
)
def test_bad_data_gives_one_line_and_exit_2(study_dir, edit, expected):
    edit(pd.read_csv(study_dir / "panel.csv")).to_csv(study_dir / "panel.csv", index=False)
    study = _write_study(study_dir)
    r = runner.invoke(app, ["run", "resilience", "--study", str(study), "--out", str(study_dir / "o"), "--no-figures"])
    assert r.exit_code == 2
    assert expected in r.output
    assert "Traceback" not in r.output
    assert len([ln for ln in r.output.strip().splitlines() if ln.startswith("error")]) == 1


def test_bad_study_options(study_dir):
    study = _write_study(study_dir)
    text = study.read_text(encoding="utf-8").replace('moderator = "rd_intensity"', 'moderator = "innovation"')
    study.write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["run", "resilience", "--study", str(study), "--out", str(study_dir / "o")])
    assert r.exit_code == 2 and "innovation" in r.output
    study.write_text(text.replace('moderator = "innovation"', 'moderator = "rd_intensity"').replace("k = 1 ", "k = 40 "),
                     encoding="utf-8")
    r = runner.invoke(app, ["run", "resilience", "--study", str(study), "--out", str(study_dir / "o2")])
    assert r.exit_code == 2 and "k = 40" in r.output
    r = runner.invoke(app, ["run", "resilience", "--study", str(study_dir / "missing.toml")])
    assert r.exit_code == 2 and "not found" in r.output
    r = runner.invoke(app, ["demo", "--lang", "fr", "--out", str(study_dir / "o3")])
    assert r.exit_code == 2 and "--lang" in r.output


def test_study_template_and_regions(tmp_path):
    r = runner.invoke(app, ["study", "template"])
    assert r.exit_code == 0 and "[agglomeration]" in r.output
    r = runner.invoke(app, ["regions", "resolve", "內蒙古", "Nei Mongol", "440000"])
    assert r.exit_code == 0 and r.output.count("150000") == 2 and "Guangdong" in r.output
    r = runner.invoke(app, ["regions", "resolve", "Atlantis"])
    assert r.exit_code == 2 and "Atlantis" in r.output
    r = runner.invoke(app, ["regions", "list", "--grouping", "drc8"])
    assert r.exit_code == 0 and "长江中游" in r.output
    r = runner.invoke(app, ["datasets", "list"], env={"COLUMNS": "80"})
    assert r.exit_code == 0 and "resilience_demo" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80  # readable in an 80-column terminal
    out = tmp_path / "demo.parquet"
    r = runner.invoke(app, ["datasets", "export", "resilience_demo", "--out", str(out)])
    assert r.exit_code == 0 and len(pd.read_parquet(out)) == 420


def test_data_check_reports_and_exits(tmp_path):
    panel = resilience_demo_panel()[["province", "year", "exports"]]
    good = tmp_path / "good.csv"
    panel.to_csv(good, index=False)
    r = runner.invoke(app, ["data", "check", str(good)])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    dup = pd.concat([panel, panel.iloc[[0]]]).astype({"exports": "object"})
    dup.iloc[2, 2] = "n/a"
    dup.to_csv(bad, index=False)
    r = runner.invoke(app, ["data", "check", str(bad)])
    assert r.exit_code == 1
    assert "duplicate" in r.output.lower() and "n/a" in r.output


def test_data_read_nbs(shared_data, tmp_path):
    src = shared_data / "nbs" / "gdp_2006_2024.csv"
    out = tmp_path / "gdp.csv"
    r = runner.invoke(app, ["data", "read-nbs", str(src), "--out", str(out)])
    assert r.exit_code == 0, r.output
    long = pd.read_csv(out, encoding="utf-8-sig")
    assert len(long) == 31 * 19
    r = runner.invoke(app, ["data", "read-nbs", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2


@pytest.mark.parametrize("study", ["linkage", "value-added", "synergy", "firm-resilience"])
def test_every_study_runs_from_the_cli(study, tmp_path):
    out = tmp_path / study
    r = runner.invoke(app, ["run", study, "--out", str(out), "--formats", "md,csv", "--no-figures", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert (out / "manifest.json").exists()
    tables = sorted((out / "tables").glob("*.md"))
    assert tables, list(out.rglob("*"))
    assert all("SYNTHETIC" in p.read_text(encoding="utf-8") for p in tables)
    t = runner.invoke(app, ["study", "template", study])
    assert t.exit_code == 0 and "[" in t.output


def test_firm_resilience_bad_column_mapping(tmp_path):
    r = runner.invoke(app, ["run", "firm-resilience", "--column", "firm", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    demo_dir = tmp_path / "tx"
    demo_dir.mkdir()
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(demo_dir / "part.csv", index=False)
    r = runner.invoke(app, ["run", "firm-resilience", "-t", str(demo_dir), "--out", str(tmp_path / "o2")])
    assert r.exit_code == 2
    assert len([ln for ln in r.output.strip().splitlines() if ln.startswith("error")]) == 1


def test_a_malformed_source_date_epoch_stops_with_one_line(tmp_path, monkeypatch):
    # numpy.f2py (imported by scipy) fails on it at import: the CLI names the variable first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", "synergy", "--out", str(out), "--formats", "md", "--no-figures", "--no-report"])
    assert r.exit_code == 2
    assert "SOURCE_DATE_EPOCH='abc' is not a whole number" in r.output and "Traceback" not in r.output
    assert not out.exists()
