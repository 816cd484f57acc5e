"""What a report shows, read from a finished run folder (shared by the HTML and Word reports).

A run folder holds ``manifest.json``, ``notes.txt``, ``tables/<name>.{html,csv,...}``,
``figures/*.png`` and the study's data files. :func:`collect_run` reads them into a
:class:`RunContent`: texts of the study, the plain-language reading
(:mod:`exportlens.report.reading`), the tables as :class:`~exportlens.report.tables.Grid`
(parsed back from the run's own HTML tables, so they show exactly what the run wrote),
the figures as PNG bytes, and province tile maps of the study's province-level variables
(:func:`run_maps`, drawn in memory: the run folder gets no new figure files).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from exportlens.errors import DataFormatError, InputError
from exportlens.report import maps
from exportlens.report.reading import read_run
from exportlens.report.study_texts import StudyText, figure_caption, region_level, study_text
from exportlens.report.tables import Grid
from exportlens.text import localized, region_wording

__all__ = ["Figure", "RunContent", "Table", "collect_run", "grid_from_html", "read_manifest", "run_language", "run_maps"]

#: Titles of the province maps of a run (:func:`run_maps`).
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "map_sl": "出口韧性 SL（各年均值）",
        "map_vag": "虚拟集聚 Vag（{year}年）",
        "map_linkage": "联系度综合得分（沿线国家平均）",
        "map_dvr": "本省增加值占比 DVR（{year}年）",
        "map_pvr": "其他省份增加值占比 PVR（{year}年）",
        "map_fvr": "国外增加值占比 FVR（{year}年）",
        "map_d": "耦合协调度 D（{year}年，分位数分级）",
    },
    "en": {
        "map_sl": "Export resilience SL (mean over years)",
        "map_vag": "Virtual agglomeration Vag ({year})",
        "map_linkage": "Linkage score (mean over countries)",
        "map_dvr": "Own-province share DVR ({year})",
        "map_pvr": "Other-province share PVR ({year})",
        "map_fvr": "Foreign share FVR ({year})",
        "map_d": "Coordination degree D ({year}, quantile classes)",
    },
}

_TITLE_NUMBER = re.compile(r"^\s*(表\s*[A-Za-z]?\d+[a-z]?|Table\s+[A-Za-z]?\d+[a-z]?)[\s.:：]*")


@dataclass
class Table:
    name: str
    grid: Grid
    title: str  # without the run's own number ("表2 ..." -> "...")


@dataclass
class Figure:
    name: str
    caption: str
    png: bytes


@dataclass
class RunContent:
    run_dir: Path
    study: str
    lang: str
    text: StudyText
    manifest: dict[str, Any]
    reading: list[str]
    tables: list[Table]
    figures: list[Figure]
    notes: str
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.text.title.get(self.lang, self.study)


class _TableParser(HTMLParser):
    """Reads the three-line HTML tables written by :func:`exportlens.report.tables.render_html`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.caption: str | None = None
        self.header: list[list[str]] = []
        self.body: list[list[str]] = []
        self.notes: list[str] = []
        self.rules: set[int] = set()
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._rule = False
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "caption":
            self._in_caption, self.caption = True, ""
        elif tag == "tr":
            self._row, self._rule = [], False
        elif tag in ("td", "th"):
            self._cell = []
            self._span = int(a.get("colspan") or 1)
            if "border-top" in (a.get("style") or ""):
                self._rule = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = "".join(self._cell)
            # a spanning header cell becomes equal neighbours, which Grid.spans merges again
            self._row.extend([text] * self._span)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._section == "thead":
                self.header.append(self._row)
            elif self._section == "tbody":
                if self._rule:
                    self.rules.add(len(self.body))
                self.body.append(self._row)
            elif self._section == "tfoot":
                self.notes.extend(c for c in self._row[:1] if c)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.caption is not None:
            self.caption += data
        elif self._cell is not None:
            self._cell.append(data)


def grid_from_html(fragment: str) -> Grid:
    """Parse an exportlens HTML table (``tables/<name>.html``) back into a :class:`Grid`."""
    parser = _TableParser()
    parser.feed(fragment)
    if not parser.header and not parser.body:
        raise DataFormatError("No table rows found in the HTML table; is it a table written by exportlens?")
    # tfoot rows repeat the note across all columns (colspan): keep the text once
    return Grid(header=parser.header, body=parser.body, rules=parser.rules, title=parser.caption, notes=parser.notes)


def _natural_key(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _title_order(table: Table) -> tuple:
    m = _TITLE_NUMBER.match(table.grid.title or "")
    return (0, _natural_key(m.group(1))) if m else (1, _natural_key(table.name))


def read_tables(run_dir: Path) -> list[Table]:
    """Every table of the run, in the order of the run's own numbering (表1, 表2, 表4a, 表4b ...)."""
    import pandas as pd

    tables = []
    folder = run_dir / "tables"
    html_stems = {p.stem for p in folder.glob("*.html")}
    for path in sorted(folder.glob("*.html"), key=lambda p: _natural_key(p.stem)):
        grid = grid_from_html(path.read_text(encoding="utf-8"))
        title = _TITLE_NUMBER.sub("", grid.title or "").strip() or path.stem
        tables.append(Table(name=path.stem, grid=grid, title=title))
    # a run written without the html format: show its CSV tables as they are
    for path in sorted(folder.glob("*.csv"), key=lambda p: _natural_key(p.stem)):
        if path.stem not in html_stems:
            grid = Grid.from_frame(pd.read_csv(path), index=False, title=path.stem)
            tables.append(Table(name=path.stem, grid=grid, title=path.stem))
    return sorted(tables, key=_title_order)


def run_language(run_dir: str | Path, manifest: dict[str, Any] | None = None) -> str:
    """Language of a run: ``manifest["lang"]``, else ``--lang`` of its command, else Chinese
    when its table captions are Chinese, else English."""
    run = Path(run_dir)
    m = manifest if manifest is not None else read_manifest(run)
    if m.get("lang") in ("zh", "en"):
        return str(m["lang"])
    cmd = [str(c) for c in m.get("command") or []]
    for i, c in enumerate(cmd):
        if c == "--lang" and i + 1 < len(cmd):
            return cmd[i + 1]
        if c.startswith("--lang="):
            return c.split("=", 1)[1]
    for path in sorted((run / "tables").glob("*.html"))[:1]:
        return "zh" if "<caption" in (text := path.read_text(encoding="utf-8")) and "表" in text else "en"
    return "zh"


def read_manifest(run: Path) -> dict[str, Any]:
    path = run / "manifest.json"
    if not path.is_file():
        raise InputError(f"{run} is not a finished run folder: it has no manifest.json; pass the folder a study run wrote.")
    return json.loads(path.read_text(encoding="utf-8"))


def _map_specs(run: Path, lang: str) -> list[tuple[str, dict[Any, float], str]]:
    """(name, province -> value, title) of the province maps a study's data files allow."""
    import pandas as pd

    text = localized(TEXT, lang)
    specs: list[tuple[str, dict[Any, float], str]] = []
    panel_path = run / "analysis_panel.csv"
    if panel_path.is_file():
        panel = pd.read_csv(panel_path)
        if {"code", "year", "sl", "vag"} <= set(panel.columns):
            sl = panel.dropna(subset=["sl"]).groupby("code")["sl"].mean()
            last = int(panel["year"].max())
            vag = panel[panel["year"] == last].set_index("code")["vag"].dropna()
            specs.append(("map_sl", sl.to_dict(), text["map_sl"]))
            specs.append(("map_vag", vag.to_dict(), text["map_vag"].format(year=last)))
    scores_path = run / "scores_long.csv"
    if scores_path.is_file():
        scores = pd.read_csv(scores_path).groupby("province")["score"].mean()
        specs.append(("map_linkage", scores.to_dict(), text["map_linkage"]))
    dec_path = run / "data" / "decomposition.csv"
    if dec_path.is_file():
        dec = pd.read_csv(dec_path)
        last = int(dec["year"].max())
        sub = dec[dec["year"] == last].set_index("region")
        for col in ("dvr", "pvr", "fvr"):
            specs.append((f"map_{col}", sub[col].to_dict(), text[f"map_{col}"].format(year=last)))
    coupling_path = run / "coupling_panel.csv"
    if coupling_path.is_file():
        cp = pd.read_csv(coupling_path)
        last = int(cp["year"].max())
        d = cp[cp["year"] == last].set_index("code")["D"]
        specs.append(("map_d", d.to_dict(), text["map_d"].format(year=last)))
    return specs


def run_maps(run_dir: str | Path, lang: str) -> list[Figure]:
    """Tile-grid maps (quantile classes) of the province-level variables of a run: SL and Vag
    (resilience), linkage scores, DVR/PVR/FVR (value-added), D (synergy). Drawn in a
    temporary folder; returned as PNG bytes. None for a run on a ``[regions]`` table (cities,
    counties: no tiles; the synergy study draws its regions as points instead)."""
    figures: list[Figure] = []
    spec = read_manifest(Path(run_dir)).get("spec", {}) if (Path(run_dir) / "manifest.json").is_file() else {}
    if spec.get("regions_table"):  # tile maps exist for the provinces only, not for a [regions] table
        return figures
    with tempfile.TemporaryDirectory() as tmp:
        for name, values, title in _map_specs(Path(run_dir), lang):
            if len(values) < 2:
                continue
            m = maps.tile_map(values, Path(tmp) / f"{name}.png", title, lang, scheme="quantiles", k=5, digits=3)
            figures.append(Figure(name=name, caption=title, png=m.path.read_bytes()))
    return figures


#: the run files whose region columns the reading sentences quote (report.reading)
_READING_REGION_COLUMNS = {"scores_long.csv": ("province", "province_name"),
                           "data/decomposition.csv": ("region", "region_name"),
                           "coupling_panel.csv": ("code", "name", "province")}


def _data_region_names(run: Path) -> list[str]:
    """The region labels of a run's data files, which the reading quotes as they are (a city
    named "省直辖县级行政区划" keeps its 省 when the wording of a region-table run is applied)."""
    import pandas as pd

    names: set[str] = set()
    for rel, columns in _READING_REGION_COLUMNS.items():
        path = run / rel
        if path.is_file():
            header = pd.read_csv(path, nrows=0).columns
            used = [c for c in columns if c in header]
            if used:
                frame = pd.read_csv(path, usecols=used, dtype=str)
                names.update(str(v) for c in used for v in frame[c].dropna().unique())
    return sorted(names)


def collect_run(run_dir: str | Path, lang: str | None = None, *, with_maps: bool = True) -> RunContent:
    """Read a finished run folder into a :class:`RunContent` (see the module docstring)."""
    run = Path(run_dir)
    if not run.is_dir():
        raise InputError(f"Run folder {run} does not exist; pass the folder a study run wrote.")
    manifest = read_manifest(run)
    lang = lang or run_language(run, manifest)
    if lang not in ("zh", "en"):
        raise InputError(f"Report language must be 'zh' or 'en'; got {lang!r}.")
    study = str(manifest.get("study", run.name))
    level = region_level(manifest)  # a [regions] table: its regions, not "provinces"
    figures = [Figure(name=p.stem, caption=figure_caption(p.stem, lang, level), png=p.read_bytes())
               for p in sorted((run / "figures").glob("*.png"), key=lambda p: _natural_key(p.stem))]
    if with_maps:
        figures += run_maps(run, lang)
    notes_path = run / "notes.txt"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() else ""
    return RunContent(
        run_dir=run, study=study, lang=lang, text=study_text(study, level), manifest=manifest,
        reading=[region_wording(line, level, keep=_data_region_names(run) if level else ())
                 for line in read_run(run, lang)], tables=read_tables(run), figures=figures, notes=notes,
        synthetic="SYNTHETIC" in notes.upper(),
    )
