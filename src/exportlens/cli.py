"""Command-line interface: ``exportlens --help``.

Every :class:`~exportlens.errors.ExportlensError` ends as one readable line on stderr and
exit code 2; nothing is written over earlier results.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from exportlens._version import __version__
from exportlens.errors import ExportlensError

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

Lang = Annotated[str, typer.Option("--lang", help="Labels of tables and figures: zh or en.")]


def friendly(func):
    """Turn library errors into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ExportlensError as exc:
            message = " ".join(str(exc).split())
            err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {message}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None

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


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        from exportlens.errors import InputError

        raise InputError(f"--lang must be 'zh' or 'en', not {lang!r}.")
    return lang


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

# study name -> (module, spec class, CLI runner). Each runner takes the spec and
# out/lang/formats/figures/overwrite/console and returns the output folder.
STUDIES: dict[str, tuple[str, str, str]] = {
    "resilience": ("exportlens.studies.resilience", "ResilienceStudySpec", "run_resilience_cli"),
    "linkage": ("exportlens.studies.linkage", "LinkageStudySpec", "run_linkage_cli"),
    "value-added": ("exportlens.studies.value_added", "ValueAddedStudySpec", "run_value_added_cli"),
    "synergy": ("exportlens.studies.synergy", "SynergyStudySpec", "run_synergy_cli"),
    "firm-resilience": ("exportlens.studies.firm_resilience", "FirmResilienceStudySpec", "run_firm_resilience_cli"),
}


def _study_parts(name: str):
    import importlib

    if name not in STUDIES:
        from exportlens.errors import InputError

        raise InputError(f"Unknown study {name!r}; available: {', '.join(STUDIES)}.")
    module_name, spec_name, runner_name = STUDIES[name]
    module = importlib.import_module(module_name)
    return module, getattr(module, spec_name), getattr(module, runner_name)


def _run_study(name: str, study_file: Path | None, out: Path | None, lang: str, formats: str | None,
               figures: bool, overwrite: bool) -> Path:
    _module, spec_cls, runner = _study_parts(name)
    spec = spec_cls.from_toml(study_file) if study_file is not None else spec_cls()
    fmt = [f.strip() for f in formats.split(",")] if formats else None
    # keywords only: every runner takes spec=...; the firm runner's first argument is the
    # transactions path (None = its spec's data or the synthetic demo)
    return runner(spec=spec, out=out, lang=_check_lang(lang), formats=fmt, figures=figures, overwrite=overwrite,
                  console=console)


StudyFile = Annotated[Path | None, typer.Option("--study", "-s", help="Study file (TOML); default: the demo study.")]
OutDir = Annotated[Path | None, typer.Option("--out", "-o", help="New output folder (must not exist or be empty).")]
Formats = Annotated[str | None, typer.Option("--formats", help="Comma list of md,html,tex,docx,xlsx,csv (default all).")]
Figures = Annotated[bool, typer.Option("--figures/--no-figures", help="Draw figures.")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Allow a non-empty --out folder.")]


@app.command()
@friendly
def demo(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="New output folder (default: exportlens-output/demo-<time>).")] = None,
    lang: Lang = "zh",
    figures: Figures = True,
    overwrite: Overwrite = False,
) -> None:
    """Run every study on the embedded SYNTHETIC demo data, one subfolder per study."""
    from exportlens.report.manifest import new_output_dir

    console.print("[bold]exportlens demo[/] - all inputs are SYNTHETIC demo data generated by exportlens.")
    root = new_output_dir(out, "demo", overwrite=overwrite)
    for name in STUDIES:
        console.rule(f"[bold]{name}")
        _run_study(name, None, root / name, lang, None, figures, overwrite)
    console.print(f"[green]done:[/] results in {root}")


def _study_command(name: str, doc: str):
    def command(study: StudyFile = None, out: OutDir = None, lang: Lang = "zh", formats: Formats = None,
                figures: Figures = True, overwrite: Overwrite = False) -> None:
        path = _run_study(name, study, out, lang, formats, figures, overwrite)
        console.print(f"[green]done:[/] results in {path}")

    command.__doc__ = doc
    command.__name__ = f"run_{name.replace('-', '_')}"
    run_app.command(name)(friendly(command))


_study_command("resilience", "Export resilience and virtual agglomeration: Tables 1-5, figures, manifest.")
_study_command("linkage", "Provinces' links with Belt-and-Road countries: entropy + AHP composite scores and ranks.")
_study_command("value-added", "Value added in provinces' exports (DVA/PVA/FVA) from multi-regional input-output tables.")
_study_command("synergy", "Cross-border e-commerce and industrial clusters: coupling coordination by province-year.")


@run_app.command("firm-resilience")
@friendly
def run_firm_resilience(
    transactions: Annotated[Path | None, typer.Option("--transactions", "-t", help="Transaction file or folder (CSV/Parquet); default: the study file's path or the synthetic demo.")] = None,
    study: StudyFile = None,
    column: Annotated[list[str] | None, typer.Option("--column", "-c", help="Column mapping role=name, repeatable (firm, product, destination, year, value, province, industry).")] = None,
    shock_year: Annotated[int | None, typer.Option("--shock-year", help="Year of the shock (resistance is measured into it).")] = None,
    drop_invalid: Annotated[bool, typer.Option("--drop-invalid", help="Leave out invalid rows (counted by reason) instead of stopping.")] = False,
    out: OutDir = None,
    lang: Lang = "zh",
    formats: Formats = None,
    figures: Figures = True,
    overwrite: Overwrite = False,
) -> None:
    """Firm-level export resilience from customs transactions, out of core (DuckDB via Ibis)."""
    from exportlens.studies.firm_resilience import (
        FirmResilienceStudySpec,
        parse_column_options,
        run_firm_resilience_cli,
    )

    spec = FirmResilienceStudySpec.from_toml(study) if study is not None else FirmResilienceStudySpec()
    path = run_firm_resilience_cli(
        transactions, columns=parse_column_options(column) or None, shock_year=shock_year, spec=spec, out=out,
        lang=_check_lang(lang), formats=[f.strip() for f in formats.split(",")] if formats else None,
        figures=figures, overwrite=overwrite, console=console, invalid="drop" if drop_invalid else None,
    )
    console.print(f"[green]done:[/] results in {path}")


@study_app.command("template")
@friendly
def study_template(
    name: Annotated[str, typer.Argument(help="Study name (see 'exportlens run --help').")] = "resilience",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (must not exist).")] = None,
) -> None:
    """Print (or write) a commented study-file template to adapt to your data."""
    module, _spec, _runner = _study_parts(name)
    text = module.study_template()
    if out is None:
        sys.stdout.write(text)
        return
    if out.exists():
        from exportlens.errors import InputError

        raise InputError(f"{out} exists; exportlens does not overwrite files.")
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")


# --- data -----------------------------------------------------------------------------


@data_app.command("check")
@friendly
def data_check(
    file: Annotated[Path, typer.Argument(help="CSV, Excel, Stata .dta or Parquet panel, or an NBS download.")],
    entity: Annotated[str, typer.Option("--entity", "-e", help="Entity (province) column.")] = "province",
    time: Annotated[str, typer.Option("--time", "-t", help="Time (year) column.")] = "year",
    layout: Annotated[str, typer.Option("--layout", help="long, wide, or nbs (NBS download).")] = "long",
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet.")] = None,
    provinces: Annotated[bool, typer.Option("--provinces/--no-provinces", help="Resolve entities as Chinese provinces.")] = True,
    balanced: Annotated[bool, typer.Option("--balanced", help="Treat gaps as blocking.")] = False,
) -> None:
    """Validate a panel and print the report; exit 1 when it cannot be analysed."""
    from exportlens.data import load_panel, read_nbs, validate_panel

    if layout == "nbs":
        frame = read_nbs(file).to_frame()
        report = validate_panel(frame, entity="province", time="year", variables=["value"],
                                require_balanced=balanced, by="indicator")
    else:
        frame = load_panel(file, entity=entity, time=time, layout=layout, sheet=sheet, resolve_entities=None)
        report = validate_panel(frame, entity=entity, time=time, require_balanced=balanced,
                                resolve_entities="province" if provinces else None)
    console.print(f"[bold]{file}[/]: {report.n_rows} rows, {report.n_entities} entities, {report.n_periods} periods")
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
) -> None:
    """Read an NBS download into a tidy long table (code, province, year, indicator, unit, value)."""
    from exportlens.data import read_nbs

    table = read_nbs(file)
    console.print(table.summary())
    if out is not None:
        if out.exists():
            from exportlens.errors import InputError

            raise InputError(f"{out} exists; exportlens does not overwrite files.")
        table.to_frame().to_csv(out, index=False, encoding="utf-8-sig")
        console.print(f"wrote {out}")
    else:
        console.print(_frame_table(table.to_frame(), max_rows=15))


# --- regions and datasets -------------------------------------------------------------


@regions_app.command("list")
@friendly
def regions_list(
    grouping: Annotated[str | None, typer.Option("--grouping", "-g", help="nbs4, belts3, drc8 or coastal.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include Hong Kong, Macao and Taiwan.")] = False,
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

    console.print(_frame_table(list_datasets()))


@datasets_app.command("export")
@friendly
def datasets_export(
    name: Annotated[str, typer.Argument(help="Dataset name (see 'exportlens datasets list').")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV/Excel/Parquet/Stata file to write (must not exist).")],
) -> None:
    """Write an embedded dataset to a file, e.g. to try the study-file workflow."""
    from exportlens.datasets import load_dataset
    from exportlens.errors import InputError

    if out.exists():
        raise InputError(f"{out} exists; exportlens does not overwrite files.")
    frame = load_dataset(name)
    suffix = out.suffix.lower()
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
