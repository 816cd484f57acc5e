"""mkdocs-gen-files script: run every study ONCE through the command line on the embedded
demo data, put its figures into the gallery (en and zh pages) and write ``demo-headlines.json``
(each study's summary from that direct run; a test compares the tutorials' printed numbers
with it). Nothing here is committed: the images are drawn by each build.
"""

import json
import shlex
import sys
import tempfile
from pathlib import Path

import mkdocs_gen_files
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figure_captions import CAPTIONS, STUDY_TITLES

from exportlens.cli import app
from exportlens.studies import study_names

work = Path(tempfile.mkdtemp(prefix="exportlens-docs-"))
headlines: dict[str, str] = {}
figures: dict[str, list[str]] = {}
commands: dict[str, str] = {}
for name in study_names():
    out = work / name
    args = ["run", name, "--lang", "en", "--formats", "md", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        raise RuntimeError(f"`exportlens {shlex.join(args)}` failed in the docs build:\n{result.output}")
    commands[name] = f"exportlens run {name} --lang en --out results-{name}"
    headlines[name] = (out / "notes.txt").read_text(encoding="utf-8")
    figures[name] = []
    for png in sorted((out / "figures").glob("*.png")):
        with mkdocs_gen_files.open(f"gallery/{name}/{png.name}", "wb") as fh:
            fh.write(png.read_bytes())
        figures[name].append(png.name)

with mkdocs_gen_files.open("demo-headlines.json", "w") as fh:
    json.dump({"summaries": headlines, "figures": figures, "commands": commands}, fh, ensure_ascii=False, indent=1)


def caption(study: str, figure: str, lang: str) -> str:
    """The caption of a figure: the longest matching file-name prefix in CAPTIONS."""
    stem = figure.removesuffix(".png")
    keys = [k for k in CAPTIONS.get(study, {}) if stem.startswith(k)]
    if not keys:
        return {"en": "Figure drawn by the study.", "zh": "研究绘制的图。"}[lang]
    return CAPTIONS[study][max(keys, key=len)][lang]


INTRO = {
    "en": ["# Gallery", "",
           "Every figure the studies draw, drawn by this documentation build on the embedded",
           "**synthetic** demo data, with the command that made it (the build runs exactly that",
           "command). Figures are drawn with English labels here; `--lang zh` draws them in Chinese",
           "when a font with Chinese glyphs is installed.", ""],
    "zh": ["# 图库", "",
           "各项研究绘制的全部图形：由本文档构建时在内置的**合成**示例数据上实际运行下列命令生成。",
           "此处图中标签为英文；安装了含中文字形的字体时，`--lang zh` 绘制中文标签的图。", ""],
}
for lang, prefix, page in (("en", "", "gallery.md"), ("zh", "../", "zh/gallery.md")):
    lines = list(INTRO[lang])
    for name in study_names():
        lines += [f"## {STUDY_TITLES[name][lang]}", "", "```bash", commands[name].replace("--lang en", f"--lang {lang}"),
                  "```", ""]
        for fig in figures[name]:
            cap = caption(name, fig, lang)
            lines += [f"### `figures/{fig}`", "", cap, "",
                      f"![{cap}]({prefix}gallery/{name}/{fig}){{ loading=lazy }}", ""]
    with mkdocs_gen_files.open(page, "w") as fh:
        fh.write("\n".join(lines))
