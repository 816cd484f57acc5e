"""The study framework: declared study files, one result protocol, one runner.

A study declares its study file once, as a pydantic model whose fields carry their section,
default, help text and allowed values (:func:`study_field`). From that one declaration come

* parsing and strict validation of TOML study files (:meth:`StudySpec.from_toml`): a quoted
  boolean, a string where a list is expected, an out-of-range number, an unknown key or
  section is a :class:`~exportlens.errors.StudySpecError` naming ``[section] key``, the value
  and what was expected; UTF-8 with or without BOM is read, anything else is a clear error;
* the commented template (:func:`study_template`, ``exportlens study template NAME``), which
  parses back into the defaults;
* a JSON Schema of the study file (:func:`study_schema`, ``exportlens study schema NAME``) for
  editors.

A study module then defines a :class:`StudyDefinition` named ``STUDY`` (how to load its data
and run it) whose result follows :class:`StudyResult`; :func:`run_study` does everything
around it for every study: the output folder (staged, moved into place only on success), the
progress bar, writing, copying the study file and the manifest. Adding a study is one module
plus one line in :mod:`exportlens.studies.registry`.
"""

from __future__ import annotations

import inspect
import shutil
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, runtime_checkable

from pydantic import BaseModel, ConfigDict, PrivateAttr
from pydantic import Field as _PydanticField
from pydantic import ValidationError as _PydanticValidationError

from exportlens.data import build_panel, load_panel
from exportlens.errors import InputError, StudySpecError, UnknownRegionError
from exportlens.regions import resolve_province
from exportlens.report.background import in_background
from exportlens.report.build import build_reports
from exportlens.report.figures import figure_language
from exportlens.report.manifest import write_manifest
from exportlens.report.outputs import staged_output
from exportlens.report.progress import step_progress
from exportlens.report.tables import write_tables
from exportlens.text import check_lang, cli_message, term
from exportlens.validation import reading, row_ref

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ProvinceYearSpec",
    "StudyDefinition",
    "StudyResult",
    "StudySpec",
    "WritableResult",
    "check_province_years",
    "exclude_provinces",
    "published_comparison",
    "published_comparison_lines",
    "run_study",
    "study_field",
    "study_schema",
    "study_template",
    "write_study_outputs",
]


def study_field(
    default: Any = None,
    *,
    section: str,
    help: str,
    key: str | None = None,
    example: Any = None,
    path: bool = False,
    commented: bool = False,
    default_factory: Callable[[], Any] | None = None,
    **constraints: Any,
) -> Any:
    """Declare one study-file key: its ``[section]``, TOML ``key`` (default: the field name),
    help text (the template comment and the schema description), an ``example`` shown in the
    template when the default is empty, whether it is a ``path`` (resolved against the study
    file's folder) and pydantic constraints (``ge``, ``le``, ``min_length`` ...)."""
    extra = {"section": section, "key": key, "example": example, "path": path, "commented": commented}
    if default_factory is not None:
        return _PydanticField(default_factory=default_factory, description=help, json_schema_extra=extra, **constraints)
    return _PydanticField(default, description=help, json_schema_extra=extra, **constraints)


_EXPECTED = {
    "bool_type": "true or false (a TOML boolean, without quotes)",
    "int_type": "a whole number (without quotes)",
    "float_type": "a number (without quotes)",
    "string_type": "a quoted string",
    "list_type": 'a list in brackets, e.g. [1, 2] or ["a", "b"]',
    "dict_type": "a table of key = value lines",
    "literal_error": "one of {expected}",
    "greater_than_equal": "a number >= {ge}",
    "greater_than": "a number > {gt}",
    "less_than_equal": "a number <= {le}",
    "less_than": "a number < {lt}",
    "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)",
    "int_from_float": "a whole number",
}


def _toml_value(value: Any) -> str:
    """``value`` written as TOML (strings, numbers, booleans and flat lists/tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _toml_key(key: Any) -> str:
    text = str(key)
    return text if text.replace("_", "").replace("-", "").isalnum() and text.isascii() else _toml_value(text)


class StudySpec(BaseModel):
    """Base class of every study's declared study file (flat fields, each with a section).

    Python users set fields by name (``ResilienceStudySpec(k=2)``); study files set them as
    ``key = value`` lines under their ``[section]``. Both are validated strictly; errors are
    :class:`~exportlens.errors.StudySpecError`. Subclasses add cross-field rules in
    :meth:`check`.

    Examples
    --------
    >>> from exportlens.studies import StudySpec, load_study
    >>> spec_class = load_study("synergy").spec_class
    >>> issubclass(spec_class, StudySpec)
    True
    >>> spec = spec_class(grouping="belts3")
    >>> spec.grouping, spec.with_values(grouping="coastal").grouping
    ('belts3', 'coastal')
    >>> spec.to_dict()["method"]
    'standard'
    >>> from exportlens.errors import StudySpecError
    >>> try:
    ...     spec_class(no_such_key=1)
    ... except StudySpecError as err:
    ...     print(str(err).split(";")[0])
    SynergyStudySpec: unknown parameter 'no_such_key'
    """

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)

    #: Sections whose whole content is one field (e.g. ``[labels.zh]`` tables).
    TABLE_SECTIONS: ClassVar[tuple[str, ...]] = ()
    #: The published configuration where it differs from the defaults (``study template NAME --published``).
    PUBLISHED: ClassVar[dict[str, Any]] = {}
    #: What the template's first lines say about the study.
    TITLE: ClassVar[str] = "exportlens study"
    STUDY_NAME: ClassVar[str] = "study"

    _source_file: str | None = PrivateAttr(default=None)

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except _PydanticValidationError as exc:
            raise StudySpecError(_describe_errors(type(self), exc, origin=type(self).__name__),
                                 validation_error=exc) from None
        self.check()

    # --- declaration ----------------------------------------------------------------

    @classmethod
    def fields_by_section(cls) -> dict[str, dict[str, str]]:
        """``{section: {toml_key: field_name}}`` in declaration order."""
        out: dict[str, dict[str, str]] = {}
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            if not isinstance(extra, dict):
                continue
            section = str(extra["section"])
            out.setdefault(section, {})[str(extra.get("key") or name)] = name
        return out

    @classmethod
    def field_location(cls, name: str) -> tuple[str, str]:
        """``(section, toml_key)`` of a field."""
        extra = cls.model_fields[name].json_schema_extra
        if not isinstance(extra, dict):
            return ("", name)
        return str(extra["section"]), str(extra.get("key") or name)

    @classmethod
    def field_for(cls, location: str) -> str:
        """The field behind ``"section.key"`` (as the CLI's overrides name them)."""
        section, _, key = location.partition(".")
        keys = cls.fields_by_section().get(section, {})
        if key not in keys:
            raise InputError(f"unknown key {key!r} of [{section}]; keys: {', '.join(keys) or '(none)'}.")
        return keys[key]

    # --- reading --------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, base_dir: Path | None = None, origin: str | None = None) -> Self:
        """Build a spec from the nested structure of a study file (sections of keys)."""
        where = origin or "study file"
        sections = cls.fields_by_section()
        values: dict[str, Any] = {}
        for section, content in raw.items():
            if section not in sections:
                raise StudySpecError(f"{where}: unknown section [{section}]; sections: {', '.join(sections)}.")
            if not isinstance(content, dict):
                raise StudySpecError(f"{where}: {section} must be a section ([{section}] followed by key = value lines), "
                                     f"not the value {_toml_value(content)}.")
            keys = sections[section]
            if section in cls.TABLE_SECTIONS:
                values[next(iter(keys.values()))] = content
                continue
            for key, value in content.items():
                if key not in keys:
                    raise StudySpecError(f"{where}: unknown key {key!r} in [{section}]; keys of [{section}]: "
                                         f"{', '.join(keys)}.")
                name = keys[key]
                extra = cls.model_fields[name].json_schema_extra
                if isinstance(extra, dict) and extra.get("path") and base_dir is not None:
                    value = _resolve_paths(value, base_dir)
                values[name] = value
        try:
            return cls(**values)
        except StudySpecError as exc:
            if isinstance(exc.validation_error, _PydanticValidationError):
                raise StudySpecError(_describe_errors(cls, exc.validation_error, origin=where)) from None
            raise StudySpecError(f"{where}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | Path) -> Self:
        """Read a study file (UTF-8, with or without BOM); relative paths are relative to it."""
        path = Path(path)
        raw = _read_toml(path)
        spec = cls.from_dict(raw, base_dir=path.parent, origin=f"study file {path}")
        spec._source_file = str(path)
        return spec

    # --- use ------------------------------------------------------------------------

    def check(self) -> None:
        """Cross-field rules (subclasses raise :class:`StudySpecError` naming the keys)."""

    @property
    def source_file(self) -> str | None:
        """The study file this spec was read from (None when built in Python)."""
        return self._source_file

    def with_values(self, **changes: Any) -> Self:
        """A validated copy with some fields changed (the source file is kept)."""
        new = type(self)(**{**self.model_dump(), **changes})
        new._source_file = self._source_file
        return new

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a flat dict (for the manifest)."""
        return self.model_dump(mode="json")

    def copy_study_file(self, out_dir: str | Path) -> Path | None:
        """Copy the study file, byte for byte, into the output folder as ``study.toml``."""
        if not self._source_file:
            return None
        target = Path(out_dir) / "study.toml"
        shutil.copyfile(self._source_file, target)
        return target


def _resolve_paths(value: Any, base_dir: Path) -> Any:
    """A path (or a table of paths, e.g. one file per year) made relative to ``base_dir``."""
    if isinstance(value, dict):
        return {k: _resolve_paths(v, base_dir) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base_dir / p)


class ProvinceYearSpec(StudySpec):
    """Base of the study files whose data are one row per province-year: the ``[data]`` keys
    ``path``, ``sheet``, ``entity``, ``time`` and ``exclude``.

    Examples
    --------
    >>> from exportlens.datasets import synergy_demo_panel
    >>> from exportlens.studies import ProvinceYearSpec, load_study
    >>> spec = load_study("synergy").spec_class()
    >>> isinstance(spec, ProvinceYearSpec), spec.data_path, spec.entity, spec.time
    (True, None, 'province', 'year')
    >>> spec.data_inputs()  # no [data] path: the embedded demo is used
    {}
    >>> spec.read_panel(synergy_demo_panel).shape
    (310, 19)
    """

    data_path: str | None = study_field(
        None, section="data", key="path", path=True, example="panel.csv",
        help="CSV, Excel (.xlsx), Stata (.dta) or Parquet file, one row per province-year; unset: SYNTHETIC demo panel")
    sheet: str | None = study_field(None, section="data", example="Sheet1", help="Excel sheet")
    entity: str = study_field("province", section="data",
                              help="province column (any spelling: 北京市, 北京, Beijing, 110000 ...)")
    time: str = study_field("year", section="data", help="year column")
    exclude: list[str] = study_field(default_factory=list, section="data", help='provinces left out, e.g. ["西藏"]')
    build_file: str | None = study_field(
        None, section="data", key="build", path=True, example="panel.toml",
        help="a panel build file (exportlens data build): the panel is built from the raw downloads it names "
             "instead of read from [data] path")

    def read_panel(self, demo: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The study's panel: built from ``[data] build``, read from ``[data] path``, or the demo panel.

        A built panel carries its provenance and build notes in ``attrs`` (``provenance``,
        ``build_notes``) so that the run records them.
        """
        if self.build_file and self.data_path:
            raise StudySpecError("[data] has both path and build: a panel is either read (path) or built (build); "
                                 "remove one of the two keys.")
        if self.build_file:
            built = build_panel(self.build_file)
            frame = built.panel
            frame.attrs["provenance"] = built.provenance
            frame.attrs["build_notes"] = [f"Panel built from {self.build_file}: {n}" for n in built.notes]
            return frame
        if self.data_path:
            return load_panel(self.data_path, entity=self.entity, time=self.time, sheet=self.sheet,
                              resolve_entities=None, line_numbers=True)
        return demo()

    def data_inputs(self) -> dict[str, str]:
        """The files the panel comes from, for the manifest (empty for the demo panel)."""
        if self.build_file:
            return {"build": self.build_file}
        return {"data": self.data_path} if self.data_path else {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StudySpecError(f"Study file {path} not found; check the --study path.") from None
    except IsADirectoryError:
        raise StudySpecError(f"Study file {path} is a folder; give the path of a .toml file to --study.") from None
    if data[:4] == b"PK\x03\x04":
        raise StudySpecError(f"Study file {path} is a zip/Excel workbook, not a TOML text file; "
                             "write the study file with `exportlens study template NAME -o study.toml`.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StudySpecError(f"Study file {path} is not UTF-8 text (byte {exc.start} cannot be decoded; "
                             "GBK?); save it as UTF-8.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudySpecError(f"Study file {path} is not valid TOML: {exc}.") from None


def _describe_errors(cls: type[StudySpec], exc: _PydanticValidationError, *, origin: str) -> str:
    """One line for the first validation error (and how many more there are)."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = first.get("loc", ())
    name = str(loc[0]) if loc else ""
    if first["type"] == "extra_forbidden":
        return f"{origin}: unknown parameter {name!r}; parameters: {', '.join(cls.model_fields)}."
    if name in cls.model_fields:
        section, key = cls.field_location(name)
        where = f"[{section}] {key}" if section else key
    else:
        where = name
    if len(loc) > 1:
        where += "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    ctx = dict(first.get("ctx") or {})
    template = _EXPECTED.get(first["type"])
    if template is not None:
        try:
            expected = template.format(**ctx)
        except (KeyError, IndexError):
            expected = template
    else:
        expected = str(first.get("msg", "a valid value"))
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    return f"{origin}: {where} = {_toml_value(first.get('input'))}: expected {expected}{more}."


# --- template and schema ---------------------------------------------------------------


def study_template(spec_cls: type[StudySpec], *, command: str | None = None, published: bool = False) -> str:
    """The commented study file of ``spec_cls`` with every default (it parses back into them).

    ``published=True``: the published configuration (``spec_cls.PUBLISHED`` over the defaults).

    Examples
    --------
    >>> from exportlens.studies import load_study, study_template
    >>> text = study_template(load_study("synergy").spec_class)
    >>> for line in text.splitlines()[5:8]:
    ...     print(line)
    [data]
    # path = "panel.csv"  # CSV, Excel (.xlsx), Stata (.dta) or Parquet file, one row per province-year; unset: SYNTHETIC demo panel
    # sheet = "Sheet1"  # Excel sheet
    >>> spec_class = load_study("synergy").spec_class
    >>> from pathlib import Path
    >>> _ = Path("synergy.toml").write_text(text, encoding="utf-8")
    >>> spec_class.from_toml("synergy.toml").to_dict() == spec_class().to_dict()  # the defaults
    True
    """
    name = spec_cls.STUDY_NAME
    lines = [
        f"# exportlens study file: {spec_cls.TITLE}" + (" (the published configuration)" if published else ""),
        f"# Run:  {command or f'exportlens run {name} --study this_file.toml --lang zh'}",
        "# Paths are relative to this file. Values shown are the defaults; commented keys are unset.",
        "# Every key is checked: true/false without quotes, lists in brackets, names in quotes.",
    ]
    defaults = spec_cls.model_construct(**(spec_cls.PUBLISHED if published else {}))
    for section, keys in spec_cls.fields_by_section().items():
        lines.append("")
        if section in spec_cls.TABLE_SECTIONS:
            fname = next(iter(keys.values()))
            info = spec_cls.model_fields[fname]
            lines.append(f"# {info.description}")
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            example = extra.get("example")
            for sub, table in (example.items() if isinstance(example, dict) else ()):
                lines.append(f"# [{section}.{sub}]")
                if isinstance(table, dict):
                    lines += [f"# {_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
            continue
        lines.append(f"[{section}]")
        for key, fname in keys.items():
            info = spec_cls.model_fields[fname]
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            value = getattr(defaults, fname)
            comment = f"  # {info.description}" if info.description else ""
            if published and fname in spec_cls.PUBLISHED:
                comment = "  # PUBLISHED;" + comment.removeprefix("  #")
            if extra.get("commented"):  # shown but not set: setting it is a deliberate choice
                lines.append(f"# {key} = {_toml_value(value)}{comment}")
            elif value is None or (value == {} and extra.get("example") is not None):
                example = extra.get("example")
                shown = _toml_value(example) if example is not None else '"..."'
                lines.append(f"# {key} = {shown}{comment}")
            else:
                lines.append(f"{key} = {_toml_value(value)}{comment}")
    return "\n".join(lines) + "\n"


def study_schema(spec_cls: type[StudySpec]) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the study file: sections of typed keys, nothing else.

    Examples
    --------
    >>> from exportlens.studies import load_study, study_schema
    >>> schema = study_schema(load_study("synergy").spec_class)
    >>> schema["$schema"], sorted(schema["properties"])
    ('https://json-schema.org/draft/2020-12/schema', ['clusters', 'composite', 'coupling', 'data', 'labels', 'regions', 'report', 'subsystems'])
    """
    flat = spec_cls.model_json_schema()
    props = flat.get("properties", {})
    sections: dict[str, Any] = {}
    for section, keys in spec_cls.fields_by_section().items():
        if section in spec_cls.TABLE_SECTIONS:
            fname = next(iter(keys.values()))
            sections[section] = {k: v for k, v in props[fname].items() if k != "default"}
            continue
        sections[section] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {k: v for k, v in props[fname].items()
                                if k not in ("section", "key", "example", "path", "commented")}
                           for key, fname in keys.items()},
        }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"exportlens study file: {spec_cls.TITLE}",
        "type": "object",
        "additionalProperties": False,
        "properties": sections,
    }
    if "$defs" in flat:
        schema["$defs"] = flat["$defs"]
    return schema


# --- results and running ---------------------------------------------------------------


@runtime_checkable
class StudyResult(Protocol):
    """What every study's result offers to the runner (and to Python users).

    Examples
    --------
    >>> from exportlens.studies import StudyResult, load_study
    >>> definition = load_study("synergy")
    >>> spec = definition.spec_class()
    >>> result = definition.run(definition.load(spec), spec)
    >>> isinstance(result, StudyResult)  # tables, data_files, draw_figures, summary
    True
    >>> sorted(result.data_files())
    ['cluster_measures', 'coupling_panel', 'indicator_weights']
    >>> for line in result.summary().splitlines()[:2]:
    ...     print(line)
    Synergy of Cross-border e-commerce and Industrial clusters (coupling coordination) - SYNTHETIC demo data
    31 provinces, year 2013-2022, 310 province-years
    """

    notes: list[str]
    synthetic: bool

    def tables(self, lang: str = "zh") -> Mapping[str, Any]:
        """Table objects by name (``table1`` ...) with the labels of ``lang``."""
        ...

    def data_files(self) -> Mapping[str, Any]:
        """Data files by name relative to the output folder, without suffix: DataFrames written as
        CSV (``coefficients``, ``data/changes``), or as Parquet when the name ends in ``.parquet``;
        a path instead of a DataFrame is a file the study already wrote, copied as it is."""
        ...

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Draw the figures into ``out_dir`` and return their paths."""
        ...

    def summary(self) -> str:
        """Plain-text overview of the results."""
        ...


@dataclass(frozen=True)
class StudyDefinition:
    """How the runner loads and runs one study.

    Examples
    --------
    >>> from exportlens.studies import StudyDefinition, load_study
    >>> definition = load_study("synergy")
    >>> isinstance(definition, StudyDefinition), definition.demo_label
    (True, 'embedded SYNTHETIC demo panel (exportlens.datasets.demo_synergy)')
    >>> spec = definition.spec_class()
    >>> result = definition.run(definition.load(spec), spec)  # what run_study does, without files
    >>> sorted(result.tables("en"))[:3]
    ['table1', 'table2', 'table3']
    """

    name: str
    spec_class: type[StudySpec]
    load: Callable[[Any], Any]
    run: Callable[..., StudyResult]
    steps: tuple[str, ...]
    #: where the spec's data come from, for the manifest's inputs (empty: embedded demo data)
    inputs: Callable[[Any], Mapping[str, str]] = field(default=lambda spec: {})
    demo_label: str = "embedded SYNTHETIC demo data"


class WritableResult:
    """Mixin giving a study result ``write(out_dir, lang=..., formats=..., figures=...)``."""

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: Sequence[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write every table in every format, the data files, the figures and ``notes.txt``."""
        return write_study_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)  # type: ignore[arg-type]

    def figure_lang(self, lang: str) -> str:
        """The language figures can be drawn in: ``lang``, or English when no font has Chinese
        glyphs (then a note in the result's ``notes`` says so)."""
        flang, note = figure_language(lang)
        notes: list[str] = getattr(self, "notes")  # noqa: B009 - the result dataclass's field
        if note and note not in notes:
            notes.append(note)
        return flang


def _data_files(result: StudyResult, lang: str) -> Mapping[str, Any]:
    """``result.data_files()``; ``data_files(lang)`` for a result whose data files carry names in
    the run's language (the linkage study's ``scores_long.csv``)."""
    if "lang" in inspect.signature(result.data_files).parameters:
        return result.data_files(lang=lang)  # type: ignore[call-arg]
    return result.data_files()


def write_study_outputs(result: StudyResult, out_dir: Path, *, lang: str = "zh",
                        formats: Sequence[str] | None = None, figures: bool = True) -> list[Path]:
    """Write a result's tables (every format), data files (CSV), figures and ``notes.txt``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from exportlens.studies import load_study, write_study_outputs
    >>> definition = load_study("synergy")
    >>> spec = definition.spec_class()
    >>> result = definition.run(definition.load(spec), spec)
    >>> paths = write_study_outputs(result, Path("synergy-out"), lang="en", formats=["md"],
    ...                             figures=False)
    >>> sorted(str(p.relative_to("synergy-out")) for p in paths)[:5]
    ['cluster_measures.csv', 'coupling_panel.csv', 'indicator_weights.csv', 'notes.txt', 'tables/table1.md']
    """
    lang = check_lang(lang)
    out_dir = Path(out_dir)
    # figures are drawn in a forked child while the tables are written (report.background)
    figure_paths = in_background(lambda: result.draw_figures(out_dir / "figures", lang)) if figures else None
    written = write_tables(result.tables(lang), out_dir / "tables", formats)
    for name, frame in _data_files(result, lang).items():
        # "data/x" -> data/x.csv; "data/x.parquet" -> Parquet; a Path: a file the study already wrote (copied)
        path = out_dir / (name if name.endswith(".parquet") else f"{name}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(frame, str | Path):  # a Parquet "file" written by Spark is a folder
            (shutil.copytree if Path(frame).is_dir() else shutil.copyfile)(frame, path)
        elif path.suffix == ".parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
    if figure_paths is not None:
        _, font_note = figure_language(lang)  # what draw_figures notes in the child's copy of the result
        notes: list[str] | None = getattr(result, "notes", None)
        if font_note and notes is not None and font_note not in notes:
            notes.append(font_note)
        written += figure_paths()
    notes_path = out_dir / "notes.txt"
    compared = published_comparison_lines(published_comparison(result))
    notes_path.write_text("\n".join([result.summary(), *compared]) + "\n", encoding="utf-8")
    written.append(notes_path)
    return written


def run_study(definition: StudyDefinition, spec: StudySpec, *, out: str | Path | None = None, lang: str = "zh",
              formats: Sequence[str] | None = None, figures: bool = True, overwrite: bool = False,
              console: Any = None, data: Any = None, reports: bool = True) -> Path:
    """Load, run, write, copy the study file and write the manifest: one study run.

    ``reports``: also write ``report.html`` and ``report.docx`` (every table, figure and note
    of the run in one document each; :func:`exportlens.report.build.build_reports`).

    Output goes to a staging folder first and is moved into ``out`` only when everything
    succeeded (a failed run leaves nothing behind); with ``overwrite`` only the files an
    earlier exportlens run wrote there (known from its manifest) are replaced.

    Examples
    --------
    >>> from exportlens.studies import load_study, run_study
    >>> definition = load_study("synergy")
    >>> out = run_study(definition, definition.spec_class(), out="synergy-run", lang="en",
    ...                 formats=["md"], figures=False, reports=False)
    >>> out.name, sorted(p.name for p in out.iterdir())
    ('synergy-run', ['cluster_measures.csv', 'coupling_panel.csv', 'indicator_weights.csv', 'manifest.json', 'notes.txt', 'tables'])
    >>> (out / "notes.txt").read_text(encoding="utf-8").splitlines()[0]
    'Synergy of Cross-border e-commerce and Industrial clusters (coupling coordination) - SYNTHETIC demo data'
    """
    lang = check_lang(lang)
    if data is None and spec.source_file and not definition.inputs(spec) and "demo" not in spec.model_fields_set:
        raise StudySpecError(f"study file {spec.source_file} names no data: set the data path in its [data] "
                             "section (or choose an embedded SYNTHETIC demo dataset with [data] demo where the "
                             "study has one).")
    inputs = dict(definition.inputs(spec))
    prefix = definition.name if inputs else f"{definition.name}-demo"
    with staged_output(out, prefix, overwrite=overwrite) as (staging, final), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # unclosed-file notices depend on when the garbage collector runs, not on the results
        warnings.simplefilter("ignore", ResourceWarning)
        with step_progress(definition.steps[0], len(definition.steps) + 1, console) as advance:
            if data is not None:
                frame = data
            else:
                with reading(next(iter(inputs.values()), "the data"), what="data file"):
                    frame = definition.load(spec)
            if getattr(frame, "empty", False):
                raise InputError(f"the data ({', '.join(map(str, inputs.values())) or 'demo'}) have no rows; "
                                 "check the file named in the [data] section of the study file.")
            result = definition.run(frame, spec, progress=advance)
            for w in caught:  # every warning of the run (exportlens' and the libraries') is a note of it
                note = f"Warning: {cli_message(str(w.message))}"  # advice names study-file keys, not arguments
                if note not in result.notes:
                    result.notes.append(note)
            advance("write tables and figures")
            write_study_outputs(result, staging, lang=lang, formats=formats, figures=figures)
        copied = spec.copy_study_file(staging)
        if copied is not None and spec.source_file:
            inputs["study_file"] = spec.source_file
        # a result may add run details to the manifest (e.g. the firm study's row accounting)
        details = getattr(result, "manifest_details", None)
        compared = published_comparison(result)
        manifest_spec = {
            **spec.to_dict(), "lang": lang, "formats": list(formats) if formats else "all",
            "data": ", ".join(inputs.get(k, "") for k in inputs if k != "study_file") or definition.demo_label,
            **(details() if callable(details) else {}),
            **({"published_comparison": [{"number": n, "published": p, "this_run": r, "match": ok}
                                         for n, p, r, ok in compared]} if compared else {}),
        }
        write_manifest(staging, study=definition.name, spec=manifest_spec, inputs=inputs, notes=result.notes)
        if reports:  # the reports read the manifest; the manifest then lists them too
            build_reports(staging, lang, maps=figures)
            write_manifest(staging, study=definition.name, spec=manifest_spec, inputs=inputs, notes=result.notes)
    if console is not None:
        console.print(result.summary(), markup=False, highlight=False)
        lines = published_comparison_lines(compared)
        if lines:
            console.print("\n".join(lines), markup=False, highlight=False)
    return final


def published_comparison(result: Any) -> list[tuple[str, str, str, bool]]:
    """``(number, published, this run, match)`` for the numbers of a run that do not depend on
    the data, from the result's optional ``published_comparison()`` (a list of ``(number,
    published, this run)`` strings at the publication's rounding); empty when the result has
    none or the run does not use the configuration those numbers come from."""
    method = getattr(result, "published_comparison", None)
    if not callable(method):
        return []
    return [(str(n), str(p), str(r), str(p) == str(r)) for n, p, r in method()]


def published_comparison_lines(rows: Sequence[tuple[str, str, str, bool]]) -> list[str]:
    """The "published vs this run" list as printed at the end of a run and in ``notes.txt``."""
    if not rows:
        return []
    lines = ["Published vs this run (numbers that do not depend on the data):"]
    lines += [f"  [{'ok' if ok else 'DIFFERS'}] {n}: published {p}, this run {r}" for n, p, r, ok in rows]
    return lines


def synthetic_notes(synthetic: bool, lang: str) -> list[str]:
    """The synthetic-data note under every table of a demo run (empty for real data)."""
    return [term("synthetic_note", lang)] if synthetic else []


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without repeats."""
    return list(dict.fromkeys(values))


def exclude_provinces(frame: pd.DataFrame, exclude: Sequence[str], notes: list[str], *, code: str = "code",
                      what: str = "rows") -> pd.DataFrame:
    """``frame`` without the provinces a study file excludes (any spelling); a note counts the rows."""
    if not exclude:
        return frame
    try:
        excluded = {resolve_province(x).code for x in exclude}
    except UnknownRegionError as exc:
        raise StudySpecError(f"exclude = {list(exclude)}: {exc} Fix the province names in the study file.") from None
    kept = frame[~frame[code].isin(excluded)].copy()
    notes.append(f"Excluded by the study file: {sorted(excluded)} ({len(frame) - len(kept)} {what}).")
    return kept


def check_province_years(frame: pd.DataFrame, entity: str, time: str, *, code: str = "code") -> None:
    """InputError naming the duplicated province-year rows (provinces as the data spell them)."""
    dup = frame[frame.duplicated([code, time], keep=False)]
    if len(dup):
        listing = "; ".join(f"{r[entity]} {r[time]} ({row_ref(i, frame.index)})" for i, r in dup.head(10).iterrows())
        raise InputError(f"{len(dup)} duplicate province-year rows: {listing}.")
