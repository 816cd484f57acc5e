"""The study framework: declared study files, templates, schemas, the runner and output folders."""

from __future__ import annotations

import json
import tomllib

import jsonschema
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.errors import InputError, StudySpecError
from exportlens.report.outputs import staged_output
from exportlens.studies.framework import StudyResult, study_schema, study_template
from exportlens.studies.registry import STUDIES, load_study, study_names
from exportlens.studies.resilience import ResilienceStudySpec

runner = CliRunner()


@pytest.mark.parametrize("name", study_names())
def test_template_parses_back_into_the_defaults(name, tmp_path):
    spec_cls = load_study(name).spec_class
    path = tmp_path / "study.toml"
    path.write_text(study_template(spec_cls), encoding="utf-8")
    parsed = spec_cls.from_toml(path)
    assert parsed.model_dump() == spec_cls().model_dump()


@pytest.mark.parametrize("name", study_names())
def test_schema_validates_the_template_and_rejects_bad_values(name):
    spec_cls = load_study(name).spec_class
    schema = study_schema(spec_cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    raw = tomllib.loads(study_template(spec_cls))
    jsonschema.validate(raw, schema)
    section = next(s for s in spec_cls.fields_by_section() if s not in spec_cls.TABLE_SECTIONS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**raw, section: {**raw.get(section, {}), "no_such_key": 1}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**raw, "no_such_section": {}}, schema)


@pytest.mark.parametrize("name", study_names())
def test_cli_template_and_schema_commands(name, tmp_path):
    res = runner.invoke(app, ["study", "template", name])
    assert res.exit_code == 0 and res.stdout.startswith("# exportlens study file")
    res = runner.invoke(app, ["study", "schema", name])
    assert res.exit_code == 0 and json.loads(res.stdout)["type"] == "object"


def test_every_registered_study_defines_its_runner():
    for entry in STUDIES:
        definition = load_study(entry.name)
        assert definition.name == entry.name
        assert definition.spec_class.STUDY_NAME == entry.name
        assert definition.steps


# --- strict values: one typed error naming [section] key, the value and what was expected ---

BAD_FILES = {
    "quoted boolean": ('[agglomeration]\nrow_standardise = "false"\n',
                       '[agglomeration] row_standardise = "false": expected true or false'),
    "quoted boolean (bootstrap)": ('[model]\nwild_bootstrap = "no"\n', '[model] wild_bootstrap = "no": expected true'),
    "number for a list": ("[model]\nlags = 1\n", "[model] lags = 1: expected a list"),
    "string for a list": ('[data]\nexclude = "西藏"\n', '[data] exclude = "西藏": expected a list'),
    "out of range": ("[resilience]\nk = 0\n", "[resilience] k = 0: expected a number >= 1"),
    "not an allowed value": ('[agglomeration]\nunit = "miles"\n', "[agglomeration] unit = \"miles\": expected one of"),
    "float for an integer": ("[resilience]\nk = 1.5\n", "[resilience] k = 1.5: expected a whole number"),
    "unknown key": ("[data]\nkk = 1\n", "unknown key 'kk' in [data]"),
    "unknown section": ("[modle]\nfe = \"year\"\n", "unknown section [modle]"),
    "value for a section": ("model = 3\n", "model must be a section"),
    "bad TOML": ("[model\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_study_file_is_one_typed_error(case, tmp_path):
    text, expected = BAD_FILES[case]
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudySpecError) as exc:
        ResilienceStudySpec.from_toml(path)
    assert expected in str(exc.value)
    assert str(path) in str(exc.value)
    res = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.stderr
    assert "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_python_construction_is_validated_too():
    with pytest.raises(StudySpecError, match=r"\[model\] lags = 1: expected a list"):
        ResilienceStudySpec(lags=1)
    with pytest.raises(StudySpecError, match="unknown parameter 'clusters'"):
        ResilienceStudySpec(clusters="x")


def test_bom_file_is_read_and_gbk_or_workbook_are_clear_errors(tmp_path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + '[data]\nexclude = ["西藏"]\n'.encode())
    assert ResilienceStudySpec.from_toml(bom).exclude == ["西藏"]
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[data]\nexclude = ["西藏"]\n'.encode("gbk"))
    with pytest.raises(StudySpecError, match="not UTF-8"):
        ResilienceStudySpec.from_toml(gbk)
    xlsx = tmp_path / "study.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(StudySpecError, match="workbook, not a TOML"):
        ResilienceStudySpec.from_toml(xlsx)
    for path in (gbk, xlsx):
        res = runner.invoke(app, ["run", "resilience", "--study", str(path)])
        assert res.exit_code == 2 and "Traceback" not in res.output


def test_study_file_without_data_is_refused(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text("[model]\nfe = \"year\"\n", encoding="utf-8")
    res = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "names no data" in res.stderr
    assert not (tmp_path / "o").exists()


def test_relative_data_path_is_relative_to_the_study_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "study.toml"
    path.write_text('[data]\npath = "panel.csv"\n', encoding="utf-8")
    assert ResilienceStudySpec.from_toml(path).data_path == str(tmp_path / "sub" / "panel.csv")


# --- output folders ---------------------------------------------------------------------


def _run(tmp_path, out, *extra):
    return runner.invoke(app, ["run", "resilience", "--out", str(out), "--formats", "md,csv", "--no-figures",
                               "--lang", "en", *extra])


def test_overwrite_replaces_only_the_earlier_runs_files(tmp_path):
    out = tmp_path / "o"
    assert _run(tmp_path, out).exit_code == 0
    (out / "tables" / "table99.md").write_text("left by an earlier exportlens run", encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["tables/table99.md"] = "x"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "my_notes.txt").write_text("mine", encoding="utf-8")
    res = _run(tmp_path, out)
    assert res.exit_code == 2 and "not empty" in res.stderr
    res = _run(tmp_path, out, "--overwrite")
    assert res.exit_code == 0, res.output
    assert not (out / "tables" / "table99.md").exists()  # the earlier run's file is gone
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "mine"  # the user's is kept
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert "my_notes.txt" not in outputs and "tables/table99.md" not in outputs
    assert "tables/table2.md" in outputs
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_overwrite_never_replaces_a_users_file(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    res = _run(tmp_path, out, "--overwrite")
    assert res.exit_code == 2 and "no exportlens manifest" in res.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_failed_run_leaves_nothing_behind(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(RuntimeError), staged_output(out, "x") as (staging, _final):
        (staging / "a.txt").write_text("partial", encoding="utf-8")
        raise RuntimeError("boom")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_below_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"), staged_output(tmp_path / "file.txt" / "sub", "x"):
        pass
    res = _run(tmp_path, tmp_path / "file.txt" / "sub")
    assert res.exit_code == 2 and "is a file" in res.stderr


def test_result_follows_the_protocol():
    from exportlens.datasets import load_resilience_demo
    from exportlens.studies.resilience import run_resilience_study

    result = run_resilience_study(load_resilience_demo(), ResilienceStudySpec(lags=[1]))
    assert isinstance(result, StudyResult)
    assert set(result.data_files()) == {"coefficients", "analysis_panel", "sample", "robustness"}
