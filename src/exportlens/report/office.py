"""Office files (.docx, .xlsx) that are the same bytes on every run: reproducible packages.

A Word or Excel file is a zip package (Office Open XML, ECMA-376 Part 2). python-docx and
openpyxl stamp it with the time of writing in two places: the date of every zip entry and the
``dcterms:created`` / ``dcterms:modified`` core properties (``docProps/core.xml``; openpyxl
sets both to the current time, python-docx's default template carries fixed 2013 dates). So
running the same study twice gave different bytes for every table file and the run manifests'
hashes differed. This module rewrites a package after the library's own serialisation (the
libraries' writers are not re-implemented: only the zip container and the two dates change):

* every zip entry carries one date: ``SOURCE_DATE_EPOCH`` when that environment variable is
  set (the reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/;
  in UTC, clamped to the zip format's range 1980-2107), otherwise 1980-01-01 00:00, the
  earliest date a zip entry can carry; Unix permissions 0644, deflate at zlib's default level,
  the entries in the order the library wrote them (its order is a function of the content);
* the core properties' ``dcterms:created``, ``dcterms:modified`` and ``cp:lastPrinted`` are
  set to ``SOURCE_DATE_EPOCH`` when it is set, else to the time the caller gives (the Word
  report: its run's ``created_utc``), else removed. Every core property is optional
  (ECMA-376 Part 2 = ISO/IEC 29500-2, section 11, Core Properties); python-docx, openpyxl and LibreOffice 7.4 open
  such files (converted to PDF and CSV in the checks of issue 17), and no made-up date (1980,
  or python-docx's template date 2013-12-23) is shown as the file's creation time.

Two runs of the same study on the same inputs then write identical .docx and .xlsx files (with
the same zlib: deflate output can differ between zlib builds). What it costs, measured with
``benchmarks/bench_office.py`` (28 tables of the resilience and synergy demo results, 7
interleaved rounds, medians, 2 shared cores): rewriting an openpyxl package adds 0.3-0.9 ms to
its 12.2 ms (3-8 %); rewriting python-docx's save would add 6 ms to its 21 ms a table (30 %:
inflate and deflate 0.8 MB of styles again), so Word tables are written from a template
compressed once (:func:`exportlens.report.tables.write_docx_file`, 2.3 ms a table).
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exportlens.errors import InputError

__all__ = ["FIXED_ZIP_DATE", "add_entries", "core_time", "normalize_package", "package_bytes", "write_package", "zip_date"]

#: The zip entry date when ``SOURCE_DATE_EPOCH`` is not set: the earliest a zip entry can carry.
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LAST_ZIP_DATE = (2107, 12, 31, 23, 59, 58)
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_DCTERMS = "http://purl.org/dc/terms/"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (whole seconds since 1970-01-01 UTC) as a UTC time, None when unset or empty.

    A value that is not a whole number stops the run (the convention: a malformed value must
    not be ignored).
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InputError(f"The environment variable SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since "
                         "1970-01-01 UTC; set it to such a number (e.g. the last commit's `git log -1 --format=%ct`) "
                         "or unset it.")
    return datetime.fromtimestamp(int(raw), tz=UTC)


def zip_date() -> tuple[int, int, int, int, int, int]:
    """The date of every zip entry: ``SOURCE_DATE_EPOCH`` (UTC, within 1980-2107) or 1980-01-01 00:00.

    Examples
    --------
    >>> import os
    >>> from exportlens.report.office import zip_date
    >>> os.environ.pop("SOURCE_DATE_EPOCH", None) and None
    >>> zip_date()
    (1980, 1, 1, 0, 0, 0)
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> zip_date()
    (2023, 11, 14, 22, 13, 20)
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    when = source_date_epoch()
    if when is None:
        return FIXED_ZIP_DATE
    stamp = tuple(time.gmtime(when.timestamp())[:6])
    return max(FIXED_ZIP_DATE, min(_LAST_ZIP_DATE, stamp))  # type: ignore[return-value]


def core_time(when: datetime | None = None) -> datetime | None:
    """The core properties' created/modified time: ``SOURCE_DATE_EPOCH`` when set, else ``when`` (may be None)."""
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when


def _w3cdtf(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _core_part_name(content_types: bytes | None) -> str:
    """The core-properties part named in ``[Content_Types].xml`` (``docProps/core.xml`` by default)."""
    if content_types:
        from lxml import etree

        for el in etree.fromstring(content_types):
            if el.get("ContentType") == _CORE_TYPE and el.get("PartName"):
                return str(el.get("PartName")).lstrip("/")
    return "docProps/core.xml"


def normalize_core(xml: bytes, when: datetime | None) -> bytes:
    """``docProps/core.xml`` with ``dcterms:created``/``dcterms:modified`` (and ``cp:lastPrinted`` when
    present) set to ``when``, or removed when ``when`` is None; the other properties as they are."""
    from lxml import etree

    root = etree.fromstring(xml)
    for ns, tag in ((_DCTERMS, "created"), (_DCTERMS, "modified"), (_CP, "lastPrinted")):
        el = root.find(f"{{{ns}}}{tag}")
        if when is None:
            if el is not None:
                root.remove(el)
            continue
        if el is None:
            if tag == "lastPrinted":
                continue
            el = etree.SubElement(root, f"{{{ns}}}{tag}", nsmap={"dcterms": _DCTERMS, "xsi": _XSI})
            el.set(f"{{{_XSI}}}type", "dcterms:W3CDTF")
        el.text = _w3cdtf(when)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _entry(name: str, date: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, on every platform (the default depends on the platform)
    info.external_attr = 0o644 << 16
    return info


def package_bytes(entries: Iterable[tuple[str, bytes]], *, when: datetime | None = None) -> bytes:
    """A zip package of ``(name, data)`` entries, in the order given, with the fixed date of
    :func:`zip_date` and the core properties' dates of :func:`core_time` (``when``).

    Examples
    --------
    >>> import zipfile, io
    >>> from exportlens.report.office import package_bytes
    >>> data = package_bytes([("[Content_Types].xml", b"<Types/>"), ("a.xml", b"<a/>")])
    >>> data == package_bytes([("[Content_Types].xml", b"<Types/>"), ("a.xml", b"<a/>")])
    True
    >>> [(i.filename, i.date_time) for i in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    [('[Content_Types].xml', (1980, 1, 1, 0, 0, 0)), ('a.xml', (1980, 1, 1, 0, 0, 0))]
    """
    items = list(entries)
    stamp = core_time(when)
    core = _core_part_name(dict(items).get("[Content_Types].xml"))
    date = zip_date()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items:
            dst.writestr(_entry(name, date), normalize_core(data, stamp) if name == core else data)
    return out.getvalue()


def normalize_package(data: bytes, *, when: datetime | None = None) -> bytes:
    """Rewrite a package written by python-docx or openpyxl (their ``save`` to a BytesIO) so that
    the same content gives the same bytes: see :func:`package_bytes`.

    Examples
    --------
    >>> import io
    >>> from openpyxl import Workbook, load_workbook
    >>> from exportlens.report.office import normalize_package
    >>> def workbook_bytes():
    ...     wb = Workbook()
    ...     wb.active["A1"] = 0.5
    ...     buf = io.BytesIO()
    ...     wb.save(buf)
    ...     return normalize_package(buf.getvalue())
    >>> first = workbook_bytes()
    >>> first == workbook_bytes()
    True
    >>> book = load_workbook(io.BytesIO(first))
    >>> book.active["A1"].value, book.properties.creator
    (0.5, 'openpyxl')
    """
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return package_bytes(entries, when=when)


def add_entries(base: bytes, entries: Iterable[tuple[str, bytes]]) -> bytes:
    """``base`` (bytes of :func:`package_bytes`) with ``entries`` appended, dated as by :func:`zip_date`.

    The entries of ``base`` are copied as they are, without compressing them again: a package
    whose large parts never change (Word's styles) is compressed once and reused.
    """
    buf = io.BytesIO(base)
    date = zip_date()
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            dst.writestr(_entry(name, date), data)
    return buf.getvalue()


def write_package(data: bytes, target: Any) -> Any:
    """Write package bytes to ``target``, a path (returned as a Path) or a binary file object (returned as it is)."""
    if hasattr(target, "write"):
        target.write(data)
        return target
    path = Path(target)
    path.write_bytes(data)
    return path
