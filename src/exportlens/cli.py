"""Command-line interface: ``exportlens --help``.

Every :class:`~exportlens.errors.ExportlensError` ends as one readable line on stderr and
exit code 2; nothing is written over earlier results.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from exportlens._version import __version__
from exportlens.errors import ExportlensError, InputError
from exportlens.report.office import source_date_epoch
from exportlens.studies.registry import STUDIES, CliOption, StudyEntry, study_entry, study_names
from exportlens.text import check_lang, cli_message
from exportlens.validation import reading

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="exportlens",
    help="Regional trade economics: export resilience, virtual agglomeration and more, "
    "from raw statistics to publication tables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Read and check data files.", no_args_is_help=True)
run_app = typer.Typer(help="Run a complete study.", no_args_is_help=True)
regions_app = typer.Typer(help="Province registry and groupings.", no_args_is_help=True)
datasets_app = typer.Typer(help="Embedded (synthetic) demo datasets.", no_args_is_help=True)
study_app = typer.Typer(help="Study files (TOML).", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(run_app, name="run")
app.add_typer(regions_app, name="regions")
app.add_typer(datasets_app, name="datasets")
app.add_typer(study_app, name="study")

LangOption = Annotated[str, typer.Option("--lang", help="Labels of tables and figures: zh or en.")]


def _error_line(message: str) -> None:
    text = cli_message(" ".join(str(message).split()))
    err_console.print(f"[bold red]error:[/] {escape(text)}", markup=True, highlight=False, soft_wrap=True)


def friendly(func):
    """Turn every error into one line on stderr and exit code 2 (never a traceback).

    Library errors (:class:`~exportlens.errors.ExportlensError`) say what is wrong and what to
    do; file-system errors name the path; anything else is a bug of exportlens, reported as
    such (``EXPORTLENS_DEBUG=1`` shows the traceback).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            # library warnings become notes of the run (manifest, notes.txt), not raw stderr lines
            warnings.simplefilter("ignore")
            try:
                # checked first: an invalid value also breaks imports of the libraries (numpy.f2py)
                source_date_epoch()
                return func(*args, **kwargs)
            except (typer.Exit, typer.Abort, click.exceptions.ClickException):
                raise
            except ExportlensError as exc:
                _error_line(str(exc))
            except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
                _error_line(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
            except KeyboardInterrupt:
                _error_line("interrupted; nothing was written.")
            except Exception as exc:
                if os.environ.get("EXPORTLENS_DEBUG"):
                    raise
                _error_line(f"internal error of exportlens ({type(exc).__name__}: {exc}); please report it with the "
                            "command you ran (EXPORTLENS_DEBUG=1 shows the traceback).")
            raise typer.Exit(code=2)

    return wrapper


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"exportlens {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """exportlens command-line interface."""


def _frame_table(frame, title: str | None = None, max_rows: int = 60) -> Table:
    table = Table(title=title, show_lines=False)
    for i, col in enumerate(frame.columns):
        table.add_column(str(col), no_wrap=i == 0)  # names in the first column stay copyable
    for _, row in frame.head(max_rows).iterrows():
        table.add_row(*["" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v)) for v in row])
    if len(frame) > max_rows:
        table.caption = f"... {len(frame) - max_rows} more rows"
    return table


# --- demo and studies -----------------------------------------------------------------

StudyFile = Annotated[Path | None, typer.Option("--study", "-s", help="Study file (TOML); default: the demo study.")]
OutDir = Annotated[Path | None, typer.Option("--out", "-o", help="New output folder (must not exist or be empty).")]
Formats = Annotated[str | None, typer.Option("--formats", help="Comma list of md,html,tex,docx,xlsx,csv (default all).")]
Figures = Annotated[bool, typer.Option("--figures/--no-figures", metavar="", help="Draw figures.")]
ReportsOption = Annotated[bool, typer.Option("--report/--no-report", metavar="",
                                             help="Write report.html and report.docx (every table and figure).")]
Overwrite = Annotated[bool, typer.Option("--overwrite", metavar="", help="Replace the files of an earlier exportlens run in --out.",
                                         show_default=False)]

_FORMATS = ("md", "html", "tex", "docx", "xlsx", "csv")


def _formats(formats: str | None) -> list[str] | None:
    if not formats:
        return None
    chosen = [f.strip().lower().lstrip(".") for f in formats.split(",") if f.strip()]
    bad = [f for f in chosen if f not in _FORMATS]
    if bad or not chosen:
        raise InputError(f"--formats {formats!r}: unknown format {bad[0] if bad else ''!r}; use a comma list of "
                         f"{','.join(_FORMATS)}.")
    return chosen


def _apply_options(spec: Any, entry: StudyEntry, values: dict[str, Any]) -> Any:
    """Study-specific command-line options set their study-file keys (validated like the file)."""
    changes: dict[str, Any] = {}
    for opt in entry.options:
        value = values.get(_param_name(opt))
        if value is None or value is False or value == []:
            continue
        if opt.kind == "mapping":
            for item in value:
                name, sep, column = item.partition("=")
                if not sep or not name.strip() or not column.strip():
                    raise InputError(f"{opt.flag} {item!r}: expected name=value, e.g. {opt.flag} firm=企业编码.")
                changes[type(spec).field_for(f"{opt.key}.{name.strip()}")] = column.strip()
            continue
        field_name = type(spec).field_for(opt.key)
        if opt.kind == "flag":
            changes[field_name] = opt.value
        else:
            changes[field_name] = str(value) if opt.kind == "path" else value
    return spec.with_values(**changes) if changes else spec


def _param_name(opt: CliOption) -> str:
    return opt.flag.lstrip("-").replace("-", "_")


def _run_study(entry: StudyEntry, study_file: Path | None, out: Path | None, lang: str, formats: str | None,
               figures: bool, overwrite: bool, options: dict[str, Any] | None = None, reports: bool = True,
               out_console: Console | None = None) -> Path:
    from exportlens.studies.framework import run_study
    from exportlens.studies.registry import load_study

    fmt = _formats(formats)
    definition = load_study(entry.name)
    spec_cls = definition.spec_class
    spec = spec_cls.from_toml(study_file) if study_file is not None else spec_cls()
    spec = _apply_options(spec, entry, options or {})
    return run_study(definition, spec, out=out, lang=check_lang(lang), formats=fmt, figures=figures,
                     overwrite=overwrite, console=out_console or console, reports=reports)


Jobs = Annotated[int, typer.Option("--jobs", "-j", min=0,
                                   help="Studies run at the same time (worker processes); 0: one per core, 1: one "
                                        "after the other (also EXPORTLENS_SERIAL=1).")]


def _demo_jobs() -> list[tuple[str, str | None, str]]:
    """``(study name, embedded study file or None, output subfolder)`` of every demo run, in order."""
    jobs: list[tuple[str, str | None, str]] = []
    for entry in STUDIES:
        jobs.append((entry.name, None, entry.name))
        jobs += [(entry.name, study_file, folder) for folder, study_file in entry.demo_variants]
    return jobs


def _demo_run(name: str, study_file: str | None, out: Path, lang: str, figures: bool, overwrite: bool,
              reports: bool, out_console: Console | None = None) -> Path:
    entry = study_entry(name)
    if study_file is None:
        return _run_study(entry, None, out, lang, None, figures, overwrite, reports=reports, out_console=out_console)
    with resources.as_file(resources.files("exportlens.studies") / study_file) as path:
        return _run_study(entry, path, out, lang, None, figures, overwrite, reports=reports, out_console=out_console)


def _demo_worker(name: str, study_file: str | None, out: Path, lang: str, figures: bool, overwrite: bool,
                 reports: bool, width: int, color: str | None) -> tuple[Path, str]:
    """One demo run in a worker process: its folder and what it printed (progress bar, summary)."""
    import io

    captured = Console(file=io.StringIO(), width=width, force_terminal=color is not None,
                       color_system=color, highlight=False)  # type: ignore[arg-type]
    path = _demo_run(name, study_file, out, lang, figures, overwrite, reports, out_console=captured)
    return path, captured.file.getvalue()  # type: ignore[attr-defined]


def _preload(names: list[str]) -> None:
    """Import once, before the workers are forked, what every demo run needs (each worker inherits it)."""
    import importlib

    from exportlens.studies.registry import load_study

    for name in dict.fromkeys(names):
        load_study(name)
    for module in ("exportlens.report.build", "matplotlib.pyplot", "docx", "openpyxl", "pyfixest.estimation"):
        try:
            importlib.import_module(module)
        except ImportError:  # an optional backend: the run that needs it reports it
            pass


@app.command()
@friendly
def demo(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="New output folder (default: exportlens-output/demo-<time>).")] = None,
    lang: LangOption = "zh",
    figures: Figures = True,
    overwrite: Overwrite = False,
    reports: ReportsOption = True,
    jobs: Jobs = 0,
) -> None:
    """Run every study on the embedded SYNTHETIC demo data, one subfolder per study."""
    from exportlens.report.background import ordered_in_workers, worker_count
    from exportlens.report.outputs import default_output_dir

    check_lang(lang)
    console.print("[bold]exportlens demo[/] - all inputs are SYNTHETIC demo data generated by exportlens.")
    from exportlens.report.build import demo_index

    root = out if out is not None else default_output_dir("demo")
    todo = _demo_jobs()
    # workers are forked from this process: by default only when it is an exportlens command
    # of its own (few threads, nothing running); called inside a longer-lived Python process
    # (tests, notebooks) the demo runs serially unless --jobs asks for workers
    workers = worker_count(jobs, len(todo)) if jobs or _COMMAND_PROCESS else 1
    runs = []
    if workers <= 1:
        for name, study_file, folder in todo:
            console.rule(f"[bold]{folder}")
            runs.append(_demo_run(name, study_file, root / folder, lang, figures, overwrite, reports))
    else:
        # the studies are independent (one folder each): run them in worker processes and
        # print what each printed, in the usual order, as soon as it and those before it are done
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        _preload([name for name, _, _ in todo])
        console.print(f"running {len(todo)} studies in {workers} worker processes (--jobs 1: one after the other)")
        args = [(name, study_file, root / folder, lang, figures, overwrite, reports, console.width,
                 console.color_system) for name, study_file, folder in todo]
        # no refresh thread (auto_refresh off): the workers are forked from a single-threaded process
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, auto_refresh=False, transient=True) as bar:
            task = bar.add_task("studies done", total=len(todo))
            bar.refresh()
            results = ordered_in_workers(_demo_worker, args, workers)
            for (_, _, folder), (path, printed) in zip(todo, results, strict=True):
                console.rule(f"[bold]{folder}")
                console.print(Text.from_ansi(printed.rstrip("\n")))
                runs.append(path)
                bar.update(task, advance=1, refresh=True)
    console.print(f"[green]done:[/] results in {escape(str(root))}")
    if reports:
        index = demo_index(Path(root).resolve(), [Path(r).resolve() for r in runs], lang=lang)
        console.print(f"reports: {escape(str(index))}")


def _study_command(entry: StudyEntry) -> None:
    """``exportlens run NAME``: the common options plus the study's own (from the registry)."""
    params = [
        inspect.Parameter("study", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=StudyFile),
        inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OutDir),
        inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default="zh", annotation=LangOption),
        inspect.Parameter("formats", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Formats),
        inspect.Parameter("figures", inspect.Parameter.KEYWORD_ONLY, default=True, annotation=Figures),
        inspect.Parameter("overwrite", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Overwrite),
        inspect.Parameter("report", inspect.Parameter.KEYWORD_ONLY, default=True, annotation=ReportsOption),
    ]
    for opt in entry.options:
        names = [opt.flag, *([opt.short] if opt.short else [])]
        kind: Any
        if opt.kind == "flag":
            kind, default = Annotated[bool, typer.Option(*names, metavar="", help=opt.help, show_default=False)], False
        elif opt.kind == "mapping":
            kind, default = Annotated[list[str] | None, typer.Option(*names, help=opt.help)], None
        elif opt.kind == "int":
            kind, default = Annotated[int | None, typer.Option(*names, help=opt.help)], None
        elif opt.kind == "path":
            kind, default = Annotated[Path | None, typer.Option(*names, help=opt.help)], None
        else:
            kind, default = Annotated[str | None, typer.Option(*names, help=opt.help)], None
        params.append(inspect.Parameter(_param_name(opt), inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=kind))

    def command(**kwargs: Any) -> None:
        common = {k: kwargs.pop(k) for k in ("study", "out", "lang", "formats", "figures", "overwrite", "report")}
        path = _run_study(entry, common["study"], common["out"], common["lang"], common["formats"],
                          common["figures"], common["overwrite"], options=kwargs, reports=common["report"])
        console.print(f"[green]done:[/] results in {escape(str(path))}")

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__doc__ = entry.help
    command.__name__ = f"run_{entry.name.replace('-', '_')}"
    run_app.command(entry.name)(friendly(command))


for _entry in STUDIES:
    _study_command(_entry)


StudyName = Annotated[str, typer.Argument(help="Study name: " + ", ".join(study_names()) + ".")]


@study_app.command("template")
@friendly
def study_template_command(
    name: StudyName = "resilience",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (must not exist).")] = None,
    published: Annotated[bool, typer.Option("--published", metavar="", help="The configuration of the published "
                                            "study instead of the defaults.")] = False,
) -> None:
    """Print (or write) a commented study file with every default, to adapt to your data."""
    from exportlens.studies.framework import study_template
    from exportlens.studies.registry import load_study

    study_entry(name)
    _write_text(study_template(load_study(name).spec_class, published=published), out)


@study_app.command("schema")
@friendly
def study_schema_command(
    name: StudyName = "resilience",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (must not exist).")] = None,
) -> None:
    """Print (or write) the JSON Schema of a study file (for editors that complete and check TOML)."""
    import json

    from exportlens.studies.framework import study_schema
    from exportlens.studies.registry import load_study

    study_entry(name)
    _write_text(json.dumps(study_schema(load_study(name).spec_class), ensure_ascii=False, indent=2) + "\n", out)


def _check_new_file(out: Path) -> None:
    """``--out`` must be a new file in an existing folder (nothing of the user's is replaced)."""
    if out.exists():
        raise InputError(f"--out {out}: the file exists; exportlens does not overwrite files: choose another --out.")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--out {out}: {parent} is a file, not a folder; choose another --out.")
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: folder {out.parent} does not exist; create it first or choose another --out.")


def _write_text(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    _check_new_file(out)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {escape(str(out))}")


@app.command("report")
@friendly
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of an earlier exportlens run.")],
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (default: the run's language).")] = None,
) -> None:
    """Rebuild report.html and report.docx of an earlier run from its folder."""
    from exportlens.report.build import build_reports

    if not run_dir.is_dir():
        raise InputError(f"{run_dir} is not a folder; give the output folder of an exportlens run.")
    built = build_reports(run_dir, check_lang(lang) if lang else None)
    console.print(f"wrote {escape(str(built.html))} and {escape(str(built.docx))}")


# --- data -----------------------------------------------------------------------------


@data_app.command("check")
@friendly
def data_check(
    file: Annotated[Path, typer.Argument(help="CSV, Excel, Stata .dta or Parquet panel, or an NBS download.")],
    entity: Annotated[str, typer.Option("--entity", "-e", help="Entity (province) column.")] = "province",
    time: Annotated[str, typer.Option("--time", "-t", help="Time (year) column.")] = "year",
    layout: Annotated[Literal["long", "wide", "columns", "nbs"], typer.Option(
        "--layout", help="long, wide (provinces as rows, years as columns), columns (years as rows, provinces as "
        "columns, like yearbook workbooks), or nbs (NBS download).")] = "long",
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet.")] = None,
    provinces: Annotated[bool, typer.Option("--provinces/--no-provinces", metavar="", help="Resolve entities as Chinese provinces.")] = True,
    balanced: Annotated[bool, typer.Option("--balanced", metavar="", help="Treat gaps as blocking.")] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Text encoding of a CSV file (default: "
                                                 "detected: UTF-8 with or without BOM, else GB18030/GBK).")] = None,
) -> None:
    """Validate a panel and print the report; exit 1 when it cannot be analysed."""
    from exportlens.data import load_panel, read_nbs, validate_panel

    footnotes: list[str] = []
    placeholders: dict[str, int] = {}
    if layout == "nbs":
        with reading(file, what="NBS download (CSV)"):
            nbs_table = read_nbs(file, encoding=encoding)
        frame = nbs_table.to_frame()
        footnotes = nbs_table.footnotes
        report = validate_panel(frame, entity="province", time="year", variables=["value"],
                                require_balanced=balanced, by="indicator")
    else:
        with reading(file, what="panel (CSV, Excel, Stata or Parquet)"):
            frame = load_panel(file, entity=entity, time=time, layout="long" if layout == "long" else "wide",
                               sheet=sheet, resolve_entities=None, encoding=encoding,
                               wide_entities="columns" if layout == "columns" else "rows",
                               value_name="value" if layout != "long" else None, line_numbers=True)
        placeholders = frame.attrs.get("placeholders", {})
        report = validate_panel(frame, entity=entity, time=time, require_balanced=balanced,
                                resolve_entities="province" if provinces else None)
    console.print(f"[bold]{escape(str(file))}[/]: {report.n_rows} rows, {report.n_entities} entities, "
                  f"{report.n_periods} periods")
    if placeholders:
        console.print(escape(f"placeholder cells (--, —, …, ..) read as missing: {sum(placeholders.values())} ("
                             + ", ".join(f"{k}: {v}" for k, v in placeholders.items()) + ")"))
    for line in footnotes:
        console.print(escape(f"footnote: {line}"))
    issues = report.to_frame()
    if len(issues):
        console.print(_frame_table(issues, title="Validation report"))
    else:
        console.print("[green]no problems found[/]")
    if report.blocking:
        err_console.print("[bold red]error:[/] the panel has blocking problems (see the report above).")
        raise typer.Exit(code=1)


@data_app.command("read-nbs")
@friendly
def data_read_nbs(
    file: Annotated[Path, typer.Argument(help="An NBS '分省年度数据' download (CSV).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the tidy long table here (CSV, must not exist).")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Text encoding (default: detected: UTF-8 with or "
                                                 "without BOM, else GB18030/GBK).")] = None,
) -> None:
    """Read an NBS download into a tidy long table (code, province, year, indicator, unit, value)."""
    from exportlens.data import read_nbs

    if out is not None:
        _check_new_file(out)
    with reading(file, what="NBS download (CSV)"):
        table = read_nbs(file, encoding=encoding)
    console.print(table.summary())
    if out is not None:
        _check_new_file(out)
        table.to_frame().to_csv(out, index=False, encoding="utf-8-sig")
        console.print(f"wrote {out}")
    else:
        console.print(_frame_table(table.to_frame(), max_rows=15))


@data_app.command("build")
@friendly
def data_build(
    build_file: Annotated[Path, typer.Argument(help="Build file (TOML): a build section and a list of variables.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output panel (.csv, .parquet or .xlsx); default: "
                                             "the output key of the build file.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", metavar="", show_default=False,
                                            help="Replace an earlier panel, provenance and report.")] = False,
) -> None:
    """Build a province-year panel from NBS downloads, yearbook workbooks and CSV/Excel files.

    Prints the validation report (coverage, placeholders, footnotes, breaks) and writes the panel,
    <name>.provenance.csv (sources, SHA-256, transformations) and <name>.report.txt.
    """
    from exportlens.data.build import build_panel, read_build_file

    spec = read_build_file(build_file)
    if out is None:
        if spec.build.output is None:
            raise InputError(f"{build_file}: no output file; pass --out or set [build] output.")
        out = build_file.parent / spec.build.output
    result = build_panel(spec)
    console.print(escape(result.summary()), soft_wrap=True)
    written = result.write(out, overwrite=overwrite)
    console.print(f"[green]wrote[/] {escape(', '.join(str(p) for p in written))}")


# --- regions and datasets -------------------------------------------------------------


@regions_app.command("list")
@friendly
def regions_list(
    grouping: Annotated[str | None, typer.Option("--grouping", "-g", help="nbs4, belts3, drc8 or coastal.")] = None,
    all_: Annotated[bool, typer.Option("--all", metavar="", help="Include Hong Kong, Macao and Taiwan.")] = False,
) -> None:
    """List the provinces (with a grouping column if asked)."""
    from exportlens.regions import assign_group, registry_frame

    frame = registry_frame(include_non_mainland=all_).reset_index()
    cols = ["code", "name_zh", "name_en", "capital_zh"]
    frame = frame[cols]
    if grouping:
        frame[grouping] = assign_group(frame["code"], grouping, lang="zh").to_numpy()
    console.print(_frame_table(frame))


@regions_app.command("resolve")
@friendly
def regions_resolve(names: Annotated[list[str], typer.Argument(help="Province names or codes.")]) -> None:
    """Resolve province names written any way to the registry."""
    from exportlens.regions import resolve_province

    table = Table("input", "code", "name_zh", "name_en")
    for name in names:
        p = resolve_province(name)
        table.add_row(name, str(p.code), p.name_zh, p.name_en)
    console.print(table)


@datasets_app.command("list")
@friendly
def datasets_list() -> None:
    """List the embedded demo datasets (all SYNTHETIC)."""
    from exportlens.datasets import list_datasets

    # one block per dataset (name, study, size, then the wrapped description): readable at 80 columns
    for row in list_datasets().itertuples(index=False):
        synthetic = " [SYNTHETIC]" if getattr(row, "synthetic", False) else ""
        console.print(f"[bold]{escape(str(row.name))}[/]  ({escape(str(row.study))}){synthetic}", highlight=False)
        console.print(escape(f"  {row.shape}"), highlight=False)
        console.print(escape(f"  {row.description}"), highlight=False)


@datasets_app.command("export")
@friendly
def datasets_export(
    name: Annotated[str, typer.Argument(help="Dataset name (see 'exportlens datasets list').")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV/Excel/Parquet/Stata file to write (must not exist).")],
) -> None:
    """Write an embedded dataset to a file, e.g. to try the study-file workflow."""
    import pandas as pd

    from exportlens.datasets import load_dataset
    _check_new_file(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls", ".parquet", ".dta"):
        raise InputError(f"--out {out}: unsupported format {suffix or '(no suffix)'!r}; use .csv, .xlsx, .parquet "
                         "or .dta.")
    frame = load_dataset(name)
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{name} is not one table (it holds several input-output tables), so it cannot be written "
                         "to one file; run 'exportlens run value-added' to use it, or export a table dataset "
                         "(see 'exportlens datasets list').")
    if suffix == ".csv":
        frame.to_csv(out, index=False, encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xls"):
        frame.to_excel(out, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(out, index=False)
    elif suffix == ".dta":
        frame.to_stata(out, write_index=False, version=118)
    else:
        raise InputError(f"Unsupported output format {suffix!r}; use .csv, .xlsx, .parquet or .dta.")
    console.print(f"wrote {out} ({len(frame)} rows; SYNTHETIC demo data)")


_COMMAND_PROCESS = False  # set by main(): this process is an ``exportlens`` command of its own


def main() -> None:
    """Console-script entry point."""
    global _COMMAND_PROCESS
    _COMMAND_PROCESS = True
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
