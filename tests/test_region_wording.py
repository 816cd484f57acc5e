"""Runs on a [regions] table name their regions as the table does ("region"/"地区", or the
declared [regions] level), never "province"/"省份"; runs on the provinces keep their wording."""

from __future__ import annotations

import dataclasses
import re

import pytest

from exportlens.datasets.demo_linkage import linkage_demo_cube
from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.datasets.demo_synergy import synergy_demo_employment, synergy_demo_panel
from exportlens.datasets.regions_demo import regionalise, synthetic_region_panel, synthetic_regions
from exportlens.studies import load_study
from exportlens.studies.framework import run_study
from exportlens.studies.linkage import LinkageStudySpec
from exportlens.studies.resilience import ResilienceStudySpec
from exportlens.studies.synergy import TEXT as SYNERGY_TEXT
from exportlens.studies.synergy import SynergyStudySpec, run_synergy_study
from exportlens.studies.value_added import ValueAddedStudySpec
from exportlens.text import localized, region_texts, region_wording

N = 40
PROVINCE_WORDS = re.compile(r"provinc|省", re.IGNORECASE)


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    table = synthetic_regions(N, seed=3)
    path = tmp_path_factory.mktemp("wording") / "cities.csv"
    table.to_csv(path, index=False)
    return table, str(path)


def _figure_texts(monkeypatch, sink):
    """Record every text drawn on a saved figure (titles, axis labels, legends, notes; not tick
    labels, which are the data's region names) in ``sink`` (figures are drawn in a forked child)."""
    from matplotlib.figure import Figure

    original = Figure.savefig

    def savefig(fig, *args, **kwargs):
        texts = [t.get_text() for t in fig.texts]
        if fig._suptitle is not None:
            texts.append(fig._suptitle.get_text())
        for ax in fig.axes:
            texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
            texts += [ax.get_xlabel(), ax.get_ylabel()]
            legend = ax.get_legend()
            if legend is not None:
                texts += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
        with open(sink, "a", encoding="utf-8") as out:
            out.write("\n".join(t for t in texts if t) + "\n")
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)


def _runs(cities, tmp_path):
    table, path = cities
    mrio = {y: dataclasses.replace(random_mrio_table(N, 3, seed=s), regions=tuple(table["code"]))
            for y, s in ((2012, 1), (2017, 2))}
    panel = regionalise(synergy_demo_panel(), table, entity="province")
    employment = regionalise(synergy_demo_employment(), table, entity="province", scale_columns=["employment"])
    return [
        ("resilience", "en", ResilienceStudySpec(entity="region", regions_table=path, region_grouping="group",
                                                 unit="100km"), synthetic_region_panel(table, years=6)),
        ("linkage", "en", LinkageStudySpec(regions_table=path, region_grouping="group"),
         regionalise(linkage_demo_cube(), table, entity="province", scale_columns=["value"])),
        ("synergy", "zh", SynergyStudySpec(regions_table=path, region_grouping="group"), (panel, employment)),
        ("value-added", "zh", ValueAddedStudySpec(regions_table=path, region_grouping="group",
                                                  sector_groups={"S1": "primary", "S2": "other", "S3": "other"}),
         mrio),
    ]


def test_city_runs_say_region_not_province(cities, tmp_path, monkeypatch):
    sink = tmp_path / "figure_texts.txt"
    _figure_texts(monkeypatch, sink)
    found = []
    for name, lang, spec, data in _runs(cities, tmp_path):
        out = run_study(load_study(name), spec, out=tmp_path / name, lang=lang, data=data, formats=["md", "tex"])
        for path in [*out.glob("tables/*.md"), *out.glob("tables/*.tex"), out / "notes.txt", out / "report.html"]:
            # file names and ids (table8_province_ranks.md, shares_by_province.png) are not words of the texts
            text = re.sub(r"\w+_province\w*", "", path.read_text(encoding="utf-8"))
            found += [f"{path.relative_to(tmp_path)}: {m.group(0)}" for m in
                      re.finditer(r".{0,30}(?:provinc|省).{0,30}", text, re.IGNORECASE)]
        assert (out / "figures").is_dir()
    assert found == []
    figure_texts = sink.read_text(encoding="utf-8")
    assert "地区" in figure_texts and "region" in figure_texts.lower()
    assert not PROVINCE_WORDS.search(figure_texts), figure_texts


def test_declared_level_names_the_regions(cities, tmp_path):
    _, path = cities
    table, _ = cities
    panel = regionalise(synergy_demo_panel(), table, entity="province")
    spec = SynergyStudySpec(regions_table=path, region_level="city")
    res = run_synergy_study(panel, spec)
    zh, en = res.tables("zh"), res.tables("en")
    assert zh["table2"].grid().title == "表2 各城市历年耦合协调度"
    assert en["table3"].grid().title == "Table 3 Coordination degree D by city and year"
    assert "城市数" in zh["table5"].grid().title and "cities" in en["table5"].grid().title
    county = SynergyStudySpec(regions_table=path, region_level="county")
    assert county.wording(SYNERGY_TEXT, "zh")["table2"] == "表2 各县历年耦合协调度"


def test_province_runs_keep_their_wording():
    spec = SynergyStudySpec()
    assert spec.region_words is None
    assert spec.wording(SYNERGY_TEXT, "zh") == localized(SYNERGY_TEXT, "zh")
    tables = {"t": object()}
    assert spec.reword_tables(tables) is tables
    assert spec.reword("31 provinces; 各省份") == "31 provinces; 各省份"
    assert region_texts(localized(SYNERGY_TEXT, "en"), None) is localized(SYNERGY_TEXT, "en")


def test_region_names_of_the_data_are_kept(tmp_path):
    table = synthetic_regions(3, seed=1).assign(name=["广东省", "Hebei Province", "R3"], group=["省A", "省B", "省A"])
    path = tmp_path / "named.csv"
    table.to_csv(path, index=False)
    spec = SynergyStudySpec(regions_table=str(path), region_grouping="group")
    text = "广东省 and Hebei Province (group 省A) are 2 provinces of 3 provinces; 各省份"
    assert spec.reword(text) == "广东省 and Hebei Province (group 省A) are 2 regions of 3 regions; 各地区"
    assert region_wording("节省时间、省略号", "region") == "节省时间、省略号"  # 省 that is no province


def test_report_reading_keeps_the_data_region_names(cities, tmp_path):
    """The report's reading sentences are reworded for a region-table run, but the region names
    they quote from the run's data stay as written (NBS's "省直辖县级行政区划" keeps its 省)."""
    import pandas as pd

    from exportlens.report.content import collect_run

    table, path = cities
    spec = LinkageStudySpec(regions_table=path, region_grouping="group")
    data = regionalise(linkage_demo_cube(), table, entity="province", scale_columns=["value"])
    out = run_study(load_study("linkage"), spec, out=tmp_path / "lk", lang="zh", data=data, reports=False,
                    formats=["md"], figures=False)
    scores = pd.read_csv(out / "scores_long.csv", dtype={"province": str})
    top = scores.groupby("province")["score"].mean().idxmax()
    scores.loc[scores["province"] == top, "province_name"] = "省直辖县级行政区划"
    scores.to_csv(out / "scores_long.csv", index=False)
    reading = " ".join(collect_run(out, "zh", with_maps=False).reading)
    assert "最高的是省直辖县级行政区划" in reading
    assert "个地区" in reading and "省份" not in reading.replace("省直辖县级行政区划", "")


def test_value_added_reading_names_table_regions(cities, tmp_path):
    """A value-added run on a region table writes the table's names next to the codes in
    data/decomposition.csv, and the report's reading quotes the names, not the codes."""
    import pandas as pd

    from exportlens.report.content import collect_run

    table, path = cities
    mrio = {y: dataclasses.replace(random_mrio_table(N, 3, seed=s), regions=tuple(table["code"]))
            for y, s in ((2012, 1), (2017, 2))}
    spec = ValueAddedStudySpec(regions_table=path, region_grouping="group",
                               sector_groups={"S1": "primary", "S2": "other", "S3": "other"})
    out = run_study(load_study("value-added"), spec, out=tmp_path / "va", lang="zh", data=mrio, reports=False,
                    formats=["md"], figures=False)
    dec = pd.read_csv(out / "data" / "decomposition.csv", dtype={"region": str})
    names = dict(zip(table["code"].astype(str), table["name"], strict=True))
    assert dec["region_name"].tolist() == dec["region"].map(names).tolist()
    top = dec[dec["year"] == 2017].sort_values("fvr", ascending=False)["region"].iloc[0]
    reading = " ".join(collect_run(out, "zh", with_maps=False).reading)
    assert f"最高的地区：{names[top]} (" in reading


def test_unknown_region_level_is_one_line_naming_the_key(cities, tmp_path):
    """A [regions] level that is not region/city/county stops the run from the CLI with exit 2 and
    one line naming the key and the allowed values (no traceback)."""
    from typer.testing import CliRunner

    from exportlens.cli import app

    _, path = cities
    study = tmp_path / "study.toml"
    study.write_text(f'[regions]\ntable = "{path}"\nlevel = "prefecture"\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["run", "synergy", "--study", str(study), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "[regions] level" in r.output and "'region', 'city' or 'county'" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()
