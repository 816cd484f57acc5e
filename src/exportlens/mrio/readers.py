"""Readers for the input-output tables the value-added study uses, and a CEADs-layout writer.

CEADs China multi-regional input-output workbook (CEADs, "China multi-regional input-output
tables", 31 provinces x 42 sectors, 10,000 yuan; layout as described in the CEADs
documentation and MARIO's parser notes). One sheet:

- a header row of column codes: for each province the 42 sector codes (intermediate use),
  then for each province its final-demand codes FU101 (rural household consumption),
  FU102 (urban household consumption), FU103 (government consumption), FU201 (gross fixed
  capital formation), FU202 (change in inventories); then EX (exports abroad), ERR
  (error/other) and GO (gross output), which belong to no province;
- the row above it names the province of each regional column (often merged cells: a name
  on the first column of its block only);
- label columns on the left: province (often merged), sector code, sector name;
- after the 31 x 42 flow rows: IM (imports), VA001-VA004 (compensation of employees, net
  taxes on production, depreciation, operating surplus), TVA (total value added) and TI
  (total input).

:func:`read_ceads_workbook` finds the header row by its codes (so title rows above it and
the exact position of the label columns do not matter), checks that row and column
labels match, converts blank cells to 0 (counted in the table notes) and rejects text in
number cells (naming the Excel cell). Columns and rows it does not use are listed in the
notes, never dropped silently. The 2012/2015/2017 CEADs workbooks differ in details from
2018/2020 (title rows, merged cells, name columns); the reader relies only on the codes.

No real CEADs file can be redistributed, so :func:`write_ceads_workbook` writes any
:class:`MRIOTable` in this layout (tests use synthetic tables written this way).

National non-competitive tables (:func:`read_national_io`): the CSV layout of the NBS
42-sector benchmark tables as distributed by the R package ionet: columns Code,
Description, DescriptionInChinese, Origin, the 42 sector codes, TIU (total intermediate
use), final-demand columns (TC, FU201, FU202 ...), EX, TFU, GO; rows with Origin
"Domestic" (domestic intermediate block), "Imports" (imported intermediate block) and
"TOT" (TII, VA001-VA004, TVA, TI). Read as a one-region table whose IM row is the column
sum of the imported block (kept as ``import_block``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from exportlens.errors import DataFormatError, InputError
from exportlens.mrio.table import MRIOTable
from exportlens.regions import resolve_province
from exportlens.validation import reading

__all__ = [
    "CEADS_FINAL_DEMAND",
    "CEADS_VALUE_ADDED",
    "SECTORS_42",
    "read_ceads_workbook",
    "read_national_io",
    "write_ceads_workbook",
]

#: The 42-sector classification (NBS 2012/2017 benchmark tables, CEADs MRIO): code, zh, en.
SECTORS_42: tuple[tuple[str, str, str], ...] = (
    ("01", "农林牧渔产品和服务", "Agriculture, forestry, animal husbandry and fishery"),
    ("02", "煤炭采选产品", "Coal mining"),
    ("03", "石油和天然气开采产品", "Petroleum and natural gas extraction"),
    ("04", "金属矿采选产品", "Metal ore mining"),
    ("05", "非金属矿和其他矿采选产品", "Non-metal and other mining"),
    ("06", "食品和烟草", "Food and tobacco"),
    ("07", "纺织品", "Textiles"),
    ("08", "纺织服装鞋帽皮革羽绒及其制品", "Apparel, leather and footwear"),
    ("09", "木材加工品和家具", "Wood products and furniture"),
    ("10", "造纸印刷和文教体育用品", "Paper, printing, cultural and sports goods"),
    ("11", "石油、炼焦产品和核燃料加工品", "Petroleum, coking and nuclear fuel"),
    ("12", "化学产品", "Chemical products"),
    ("13", "非金属矿物制品", "Non-metallic mineral products"),
    ("14", "金属冶炼和压延加工品", "Metal smelting and rolling"),
    ("15", "金属制品", "Metal products"),
    ("16", "通用设备", "General-purpose machinery"),
    ("17", "专用设备", "Special-purpose machinery"),
    ("18", "交通运输设备", "Transport equipment"),
    ("19", "电气机械和器材", "Electrical machinery"),
    ("20", "通信设备、计算机和其他电子设备", "Communication equipment, computers and electronics"),
    ("21", "仪器仪表", "Instruments and meters"),
    ("22", "其他制造产品和废品废料", "Other manufacturing and scrap"),
    ("23", "金属制品、机械和设备修理服务", "Repair of metal products and machinery"),
    ("24", "电力、热力的生产和供应", "Electricity and heat"),
    ("25", "燃气生产和供应", "Gas"),
    ("26", "水的生产和供应", "Water"),
    ("27", "建筑", "Construction"),
    ("28", "批发和零售", "Wholesale and retail"),
    ("29", "交通运输、仓储和邮政", "Transport, storage and post"),
    ("30", "住宿和餐饮", "Accommodation and catering"),
    ("31", "信息传输、软件和信息技术服务", "Information transmission, software and IT services"),
    ("32", "金融", "Finance"),
    ("33", "房地产", "Real estate"),
    ("34", "租赁和商务服务", "Leasing and business services"),
    ("35", "研究和试验发展", "Research and development"),
    ("36", "综合技术服务", "Technical services"),
    ("37", "水利、环境和公共设施管理", "Water conservancy, environment and public facilities"),
    ("38", "居民服务、修理和其他服务", "Resident and other services"),
    ("39", "教育", "Education"),
    ("40", "卫生和社会工作", "Health and social work"),
    ("41", "文化、体育和娱乐", "Culture, sports and entertainment"),
    ("42", "公共管理、社会保障和社会组织", "Public administration and social organisations"),
)

#: CEADs final-demand codes (per province) with zh/en labels.
CEADS_FINAL_DEMAND: dict[str, tuple[str, str]] = {
    "FU101": ("农村居民消费", "Rural household consumption"),
    "FU102": ("城镇居民消费", "Urban household consumption"),
    "FU103": ("政府消费", "Government consumption"),
    "FU201": ("固定资本形成总额", "Gross fixed capital formation"),
    "FU202": ("存货增加", "Change in inventories"),
}
#: CEADs value-added rows with zh/en labels.
CEADS_VALUE_ADDED: dict[str, tuple[str, str]] = {
    "VA001": ("劳动者报酬", "Compensation of employees"),
    "VA002": ("生产税净额", "Net taxes on production"),
    "VA003": ("固定资产折旧", "Depreciation of fixed assets"),
    "VA004": ("营业盈余", "Operating surplus"),
}
_COLUMN_ONLY = {"EX": ("出口", "Exports"), "ERR": ("其他", "Error / other"), "GO": ("总产出", "Gross output")}
_BOTTOM = {"IM": ("进口", "Imports"), "TVA": ("增加值合计", "Total value added"), "TI": ("总投入", "Total input")}
_FU_PATTERN = re.compile(r"^FU\d{3}$")
_VA_PATTERN = re.compile(r"^VA\d{3}$")


def _cell(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _code(value: Any) -> str:
    text = _text(value)
    # Sector codes stored as numbers lose their leading zero in Excel.
    return f"{int(text):02d}" if text.isdigit() and len(text) < 2 else text


def _numbers(rows: list[tuple[Any, ...]], row_ids: Sequence[int], col_ids: Sequence[int],
             blanks: list[str]) -> np.ndarray:
    """Float block of the given sheet rows/columns; blank -> 0 (recorded), text -> error naming the cell."""
    out = np.zeros((len(row_ids), len(col_ids)))
    cols = np.asarray(col_ids)
    for i, r in enumerate(row_ids):
        row = rows[r]
        values = [row[c] if c < len(row) else None for c in cols]
        try:
            arr = np.array([0.0 if v is None or v == "" else v for v in values], dtype=np.float64)
        except (TypeError, ValueError):
            bad = []
            for c, v in zip(cols, values, strict=True):
                if v is None or v == "":
                    continue
                try:
                    float(v)
                except (TypeError, ValueError):
                    bad.append(f"{_cell(r, int(c))} = {v!r}")
            raise DataFormatError(f"Text where a number is expected in cell(s) {', '.join(bad[:10])}"
                                  + (" ..." if len(bad) > 10 else "") + ".") from None
        nblank = sum(1 for v in values if v is None or v == "")
        if nblank:
            blanks.append(f"row {r + 1}: {nblank}")
        out[i] = arr
    return out


def _resolver(resolve_regions: bool):
    cache: dict[str, str] = {}

    def resolve(label: str) -> str:
        if not resolve_regions:
            return label
        if label not in cache:
            cache[label] = resolve_province(label).short_zh
        return cache[label]

    return resolve


def read_ceads_workbook(path: str | Path, *, sheet: str | None = None, year: int | None = None,
                        unit: str = "10,000 yuan", resolve_regions: bool = True,
                        header_search_rows: int = 30) -> MRIOTable:
    """Read a CEADs China MRIO workbook (layout in the module docstring) into an :class:`MRIOTable`.

    Province labels are resolved to their short Chinese names (``resolve_regions``); an
    unknown label raises :class:`~exportlens.errors.UnknownRegionError`. Final-demand columns
    become the table's categories (FU101 ... in workbook order), EX the exports abroad, ERR
    the error column, IM the imports row and VA001... the value-added components; GO is
    gross output. TVA and TI are checked against the sum of the components and GO, and the
    differences go into the notes. The input file is only read.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.mrio import MRIOTable, read_ceads_workbook, write_ceads_workbook
    >>> table = MRIOTable.from_arrays(
    ...     ["北京", "天津"], ["01", "02"], Z=np.full((4, 4), 5.0), Y=np.full((4, 2), 20.0),
    ...     categories=["FU101"], E=[10, 0, 5, 0], IM=[3, 3, 3, 3],
    ...     VA=[[47, 37, 42, 37]], va_components=["VA001"], unit="10,000 yuan",
    ... )
    >>> path = write_ceads_workbook(table, "ceads_mrio_2017.xlsx")
    >>> back = read_ceads_workbook(path)  # the year comes from the file name
    >>> print(back.summary())
    MRIO table ceads_mrio_2017.xlsx 2017
      2 regions x 2 sectors; unit 10,000 yuan
      gross output 255; exports abroad 15; imports 12; value added 163
    >>> back.categories, back.va_components, np.allclose(back.Z, table.Z)
    (('FU101',), ('VA001',), True)
    """
    import openpyxl

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Workbook {path} not found.")
    with reading(path, what="CEADs MRIO workbook (.xlsx)"):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataFormatError(f"Sheet {sheet!r} not in {path.name}; sheets: {wb.sheetnames}.")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _parse_ceads(rows, source=path.name, year=year if year is not None else _year_from_name(path.name),
                        unit=unit, resolve_regions=resolve_regions, header_search_rows=header_search_rows)


def _year_from_name(name: str) -> int | None:
    m = re.search(r"(19|20)\d{2}", name)
    return int(m.group(0)) if m else None


def _parse_ceads(rows: list[tuple[Any, ...]], *, source: str, year: int | None, unit: str,
                 resolve_regions: bool, header_search_rows: int) -> MRIOTable:
    notes: list[str] = []
    header_at = None
    for i, row in enumerate(rows[:header_search_rows]):
        row_codes = {_text(v).upper() for v in row}
        if "GO" in row_codes and any(_FU_PATTERN.match(c) for c in row_codes):
            header_at = i
            break
    if header_at is None:
        raise DataFormatError(f"{source}: no header row with final-demand codes (FU101 ...) and GO in the first "
                              f"{header_search_rows} rows; is this a CEADs MRIO workbook?")
    if header_at == 0:
        raise DataFormatError(f"{source}: the header row of codes is the first row; the province row above it is missing.")
    header = [_code(v) for v in rows[header_at]]
    width = len(header)
    region_row = [_text(v) for v in rows[header_at - 1]] + [""] * width
    # Regional columns: the province name is on the first column of its block (merged cells).
    col_region: list[str] = []
    current = ""
    for c in range(width):
        code = header[c].upper()
        if region_row[c]:
            current = region_row[c]
        col_region.append("" if code in _COLUMN_ONLY else current)
    first_data = next((c for c in range(width) if col_region[c] and header[c]), None)
    if first_data is None:
        raise DataFormatError(f"{source}: no province names in the row above the header row {header_at + 1}.")
    label_cols = list(range(first_data))
    if not label_cols:
        raise DataFormatError(f"{source}: no label columns (province, sector code) left of the data.")
    body = rows[header_at + 1:]

    # The code column is the label column holding the bottom-row codes (IM, TI ...).
    def column_values(c: int) -> list[str]:
        return [_code(r[c]) if c < len(r) else "" for r in body]

    code_col = next((c for c in reversed(label_cols)
                     if {"IM", "TI"} <= {v.upper() for v in column_values(c)}), None)
    if code_col is None:
        raise DataFormatError(f"{source}: no label column holds the IM and TI row codes.")
    codes = column_values(code_col)
    first_bottom = next(i for i, v in enumerate(codes) if v.upper() in (*_BOTTOM, "TVA") or _VA_PATTERN.match(v.upper()))
    resolve = _resolver(resolve_regions)
    region_col = None
    for c in label_cols:
        if c == code_col:
            continue
        vals = [v for v in column_values(c)[:first_bottom] if v]
        if vals:
            try:
                resolve(vals[0]) if resolve_regions else None
            except InputError:
                continue
            region_col = c
            break
    if region_col is None:
        raise DataFormatError(f"{source}: no label column with province names left of the sector codes.")

    # Flow rows: region (merged cells: carried down), sector code.
    flow_rows: list[int] = []
    row_pairs: list[tuple[str, str]] = []
    current = ""
    skipped_blank = 0
    for i in range(first_bottom):
        r = body[i]
        reg = _text(r[region_col]) if region_col < len(r) else ""
        if reg:
            current = reg
        code = codes[i]
        if not code:
            if any(v not in (None, "") for v in r):
                raise DataFormatError(f"{source}: row {header_at + 2 + i} has data but no sector code.")
            skipped_blank += 1
            continue
        if not current:
            raise DataFormatError(f"{source}: row {header_at + 2 + i} (sector {code}) has no province label.")
        flow_rows.append(header_at + 1 + i)
        row_pairs.append((resolve(current), code))
    if skipped_blank:
        notes.append(f"{skipped_blank} empty row(s) inside the flow block were skipped.")
    regions = list(dict.fromkeys(r for r, _ in row_pairs))
    sectors = list(dict.fromkeys(s for r, s in row_pairs if r == regions[0]))
    expected = [(r, s) for r in regions for s in sectors]
    if row_pairs != expected:
        bad = sorted({r for r in regions if [s for rr, s in row_pairs if rr == r] != sectors})
        raise DataFormatError(f"{source}: the flow rows are not a complete province x sector grid in a common order; "
                              f"province(s) whose sector rows differ from {regions[0]}'s: {', '.join(bad[:10])}.")

    # Columns: (province, code) for regional columns; EX/ERR/GO alone.
    inter_pos: dict[tuple[str, str], int] = {}
    fd_pos: dict[tuple[str, str], int] = {}
    solo: dict[str, int] = {}
    ignored: list[str] = []
    sector_set = set(sectors)
    for c in range(first_data, width):
        code = header[c]
        if not code:
            if any((c < len(rows[r]) and rows[r][c] not in (None, "")) for r in flow_rows[:5]):
                ignored.append(f"{_cell(header_at, c)} (data without a code)")
            continue
        up = code.upper()
        if up in _COLUMN_ONLY:
            solo[up] = c
        elif col_region[c] and code in sector_set:
            inter_pos[(resolve(col_region[c]), code)] = c
        elif col_region[c] and _FU_PATTERN.match(up):
            fd_pos[(resolve(col_region[c]), up)] = c
        else:
            ignored.append(f"{code} ({_cell(header_at, c)})")
    if ignored:
        notes.append(f"Columns not used: {', '.join(ignored[:20])}" + (" ..." if len(ignored) > 20 else "") + ".")
    missing = [f"{r}/{s}" for r, s in expected if (r, s) not in inter_pos]
    extra = [f"{r}/{s}" for r, s in inter_pos if (r, s) not in set(expected)]
    if missing or extra:
        raise DataFormatError(f"{source}: intermediate-use columns do not match the rows; missing columns: "
                              f"{', '.join(missing[:10]) or '-'}; columns without a row: {', '.join(extra[:10]) or '-'}.")
    categories = list(dict.fromkeys(cat for _, cat in fd_pos))
    gaps = [f"{r}/{cat}" for r in regions for cat in categories if (r, cat) not in fd_pos]
    if gaps:
        raise DataFormatError(f"{source}: final-demand columns missing for {', '.join(gaps[:10])}.")
    for need in ("EX", "GO"):
        if need not in solo:
            raise DataFormatError(f"{source}: no {need} column in the header row {header_at + 1}.")

    bottom: dict[str, int] = {}
    other_rows: list[str] = []
    for i in range(first_bottom, len(body)):
        code = codes[i].upper()
        if not code:
            continue
        if code in _BOTTOM or _VA_PATTERN.match(code):
            bottom[code] = header_at + 1 + i
        else:
            other_rows.append(code)
    if other_rows:
        notes.append(f"Rows not used: {', '.join(other_rows[:20])}.")
    if "IM" not in bottom:
        raise DataFormatError(f"{source}: no IM (imports) row below the flow block.")
    va_codes = [c for c in bottom if _VA_PATTERN.match(c)]
    if not va_codes:
        raise DataFormatError(f"{source}: no value-added rows (VA001 ...) below the flow block.")

    blanks: list[str] = []
    inter_cols = [inter_pos[p] for p in expected]
    z = _numbers(rows, flow_rows, inter_cols, blanks)
    y = _numbers(rows, flow_rows, [fd_pos[(r, cat)] for r in regions for cat in categories], blanks)
    solo_codes = [k for k in ("EX", "ERR", "GO") if k in solo]
    tail = _numbers(rows, flow_rows, [solo[k] for k in solo_codes], blanks)
    bottom_codes = ["IM", *va_codes] + [k for k in ("TVA", "TI") if k in bottom]
    lower = _numbers(rows, [bottom[k] for k in bottom_codes], inter_cols, blanks)
    if blanks:
        total = sum(int(b.split(": ")[1]) for b in blanks)
        notes.append(f"{total} blank number cell(s) read as 0 (first: {', '.join(blanks[:5])}).")
    got = dict(zip(solo_codes, tail.T, strict=True))
    low = dict(zip(bottom_codes, lower, strict=True))
    va = np.vstack([low[c] for c in va_codes])
    gross = got["GO"]
    scale = max(float(np.abs(gross).max()), 1.0)
    if "TVA" in low:
        diff = np.abs(low["TVA"] - va.sum(axis=0))
        if diff.max() > 1e-6 * scale:
            k = int(np.argmax(diff))
            notes.append(f"TVA differs from the sum of {', '.join(va_codes)} by up to {diff.max():.6g} "
                         f"({expected[k][0]}/{expected[k][1]}); the components are used.")
    if "TI" in low:
        diff = np.abs(low["TI"] - gross)
        if diff.max() > 1e-6 * scale:
            k = int(np.argmax(diff))
            notes.append(f"TI differs from GO by up to {diff.max():.6g} ({expected[k][0]}/{expected[k][1]}); GO is used "
                         "as gross output.")
    name_col = next((c for c in label_cols if c not in (region_col, code_col)), None)
    sector_names: dict[str, tuple[str, ...]] = {}
    if name_col is not None:
        names = [_text(rows[r][name_col]) if name_col < len(rows[r]) else "" for r in flow_rows[:len(sectors)]]
        if all(names):
            sector_names["source"] = tuple(names)
    return MRIOTable.from_arrays(
        regions, sectors, z, y, categories=categories, VA=va, va_components=va_codes, E=got["EX"], IM=low["IM"],
        x=gross, ERR=got.get("ERR"), unit=unit, year=year, name=source, sector_names=sector_names,
        notes=tuple(notes))


def write_ceads_workbook(table: MRIOTable, path: str | Path, *, sheet: str = "MRIO", title: str | None = None,
                         overwrite: bool = False) -> Path:
    """Write ``table`` as a workbook in the CEADs MRIO layout (see the module docstring).

    Province names go on the first column of each block in the province row (as merged
    cells appear when read); label columns are province, sector code and sector name.
    Used to build test fixtures and to hand synthetic tables to tools that expect the
    CEADs layout. Refuses to overwrite an existing file unless ``overwrite``.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.mrio import MRIOTable, read_ceads_workbook, write_ceads_workbook
    >>> table = MRIOTable.from_arrays(
    ...     ["北京", "天津"], ["01", "02"], Z=np.full((4, 4), 5.0), Y=np.full((4, 2), 20.0),
    ...     categories=["FU101"], E=[10, 0, 5, 0], IM=[3, 3, 3, 3],
    ...     VA=[[47, 37, 42, 37]], va_components=["VA001"], unit="10,000 yuan",
    ... )
    >>> write_ceads_workbook(table, "ceads_mrio_2017.xlsx").name
    'ceads_mrio_2017.xlsx'
    >>> read_ceads_workbook("ceads_mrio_2017.xlsx").regions
    ('北京', '天津')
    >>> write_ceads_workbook(table, "ceads_mrio_2017.xlsx")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: ceads_mrio_2017.xlsx already exists; pass overwrite=True to replace it.
    """
    import openpyxl

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} already exists; pass overwrite=True to replace it.")
    bad = [c for c in table.categories if not _FU_PATTERN.match(c)]
    if bad:
        raise InputError(f"CEADs final-demand codes look like FU101; the table has categories {bad}.")
    bad_va = [c for c in table.va_components if not _VA_PATTERN.match(c)]
    if bad_va:
        raise InputError(f"CEADs value-added codes look like VA001; the table has components {bad_va}.")
    g, n_sec, k = table.n_regions, table.n_sectors, len(table.categories)
    names = table.sector_names.get("zh") or table.sector_names.get("source") or table.sectors
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    lead = ["", "", ""]
    ws.append([title or f"{table.year or ''} 中国区域间投入产出表（{g}省区市 x {n_sec}部门），单位：{table.unit or '万元'}"])
    region_row: list[Any] = list(lead)
    code_row: list[Any] = ["地区", "代码", "部门"]
    for region in table.regions:
        region_row += [region] + [None] * (n_sec - 1)
        code_row += list(table.sectors)
    for region in table.regions:
        region_row += [region] + [None] * (k - 1)
        code_row += list(table.categories)
    solo = ["EX"] + (["ERR"] if table.ERR is not None else []) + ["GO"]
    region_row += [None] * len(solo)
    code_row += solo
    ws.append(region_row)
    ws.append(code_row)
    n = table.size
    for i in range(n):
        r, s = divmod(i, n_sec)
        row: list[Any] = [table.regions[r] if s == 0 else None, table.sectors[s], names[s]]
        row += table.Z[i].tolist() + table.Y[i].tolist() + [float(table.E[i])]
        if table.ERR is not None:
            row.append(float(table.ERR[i]))
        row.append(float(table.x[i]))
        ws.append(row)
    labels = {**_BOTTOM, **CEADS_VALUE_ADDED}
    for code, values in [("IM", table.IM), *zip(table.va_components, table.VA, strict=True),
                         ("TVA", table.VA.sum(axis=0)), ("TI", table.Z.sum(axis=0) + table.VA.sum(axis=0) + table.IM)]:
        ws.append([None, code, labels.get(code, ("", ""))[0], *np.asarray(values, dtype=float).tolist()])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def read_national_io(path: str | Path, *, region: str = "China", year: int | None = None,
                     unit: str = "10,000 yuan") -> MRIOTable:
    """Read a national non-competitive table (ionet CSV layout, module docstring) as a one-region table.

    Domestic rows give Z (A^D), the final-demand columns between TIU and EX give Y
    (one category per column), EX the exports, GO gross output; the imported rows give the
    import block (A^M), whose column sums are the IM row; VA001... are the value-added
    components. Imported goods going to final use and re-exported imports are outside the
    domestic system: their totals go into the notes.

    Examples
    --------
    A two-sector table in the ionet CSV layout (domestic and imported blocks, value added):

    >>> import pandas as pd
    >>> from exportlens.mrio import decompose_national, read_national_io
    >>> pd.DataFrame({
    ...     "Code": ["01", "02", "01", "02", "VA001"],
    ...     "Origin": ["Domestic", "Domestic", "Imports", "Imports", "TOT"],
    ...     "01": [10, 5, 2, 3, 75], "02": [20, 30, 5, 10, 35],
    ...     "TC": [50, 40, 1, 1, None], "EX": [15, 25, 0, 0, None], "GO": [95, 100, None, None, None],
    ... }).to_csv("nio_2017.csv", index=False)
    >>> table = read_national_io("nio_2017.csv")
    >>> table.regions, table.categories, table.year, table.IM.tolist()
    (('China',), ('TC',), 2017, [5.0, 15.0])
    >>> table.notes[0]
    'Imported goods used as final demand (2) and re-exported imports (0) are outside the domestic system (non-competitive table).'
    >>> round(decompose_national(table).dvr, 3)
    0.826
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Table {path} not found.")
    with reading(path, what="national input-output table (CSV, UTF-8)"):
        frame = pd.read_csv(path, dtype={"Code": str}, encoding="utf-8-sig")
    needed = ["Code", "Origin", "EX", "GO"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataFormatError(f"{path.name}: column(s) {missing} missing; columns: {list(frame.columns)[:12]} ...")
    frame["Code"] = frame["Code"].astype(str).str.strip()
    origin = frame["Origin"].astype(str).str.strip().str.lower()
    dom = frame[origin == "domestic"]
    imp = frame[origin.isin(["imports", "imported", "import"])]
    tot = frame[~origin.isin(["domestic", "imports", "imported", "import"])]
    if dom.empty or imp.empty:
        raise DataFormatError(f"{path.name}: needs rows with Origin 'Domestic' and 'Imports'; found {sorted(set(origin))}.")
    sectors = dom["Code"].tolist()
    if len(set(sectors)) != len(sectors):
        raise DataFormatError(f"{path.name}: duplicate domestic sector codes.")
    miss_cols = [s for s in sectors if s not in frame.columns]
    if miss_cols:
        raise DataFormatError(f"{path.name}: sector column(s) {miss_cols[:10]} missing (rows and columns must match).")
    if imp["Code"].tolist() != sectors:
        raise DataFormatError(f"{path.name}: imported rows {imp['Code'].tolist()[:5]}... do not match domestic rows "
                              f"{sectors[:5]}... (same codes, same order needed).")
    cols = list(frame.columns)
    last_sector = max(cols.index(s) for s in sectors)
    totals = {"TIU", "TFU", "EX", "GO", "IM", "TII"}
    fd_cols = [c for c in cols[last_sector + 1:cols.index("EX")] if c not in totals]
    if not fd_cols:
        raise DataFormatError(f"{path.name}: no final-demand columns between the sector columns and EX.")
    va_codes = [c for c in tot["Code"] if _VA_PATTERN.match(c)]
    if not va_codes:
        raise DataFormatError(f"{path.name}: no value-added rows (VA001 ...).")

    def block(rows: pd.DataFrame, columns: list[str], what: str) -> np.ndarray:
        values = rows[columns].apply(pd.to_numeric, errors="coerce")
        bad = values.isna() & rows[columns].notna()
        if bad.any().any():
            where = [f"{rows['Code'].iloc[i]}/{columns[j]}" for i, j in zip(*np.nonzero(bad.to_numpy()), strict=True)][:10]
            raise DataFormatError(f"{path.name}: text in number cells of {what}: {where}.")
        if values.isna().any().any():
            where = [f"{rows['Code'].iloc[i]}/{columns[j]}" for i, j in zip(*np.nonzero(values.isna().to_numpy()), strict=True)][:10]
            raise DataFormatError(f"{path.name}: empty cells in {what}: {where}.")
        return values.to_numpy(dtype=np.float64)

    z = block(dom, sectors, "the domestic block")
    zm = block(imp, sectors, "the imported block")
    y = block(dom, fd_cols, "domestic final demand")
    ex = block(dom, ["EX"], "exports")[:, 0]
    go = block(dom, ["GO"], "gross output")[:, 0]
    va_rows = tot.set_index("Code").loc[va_codes]
    va = block(va_rows.reset_index(), sectors, "value added")
    notes = []
    imp_fd = block(imp, fd_cols, "imported final demand").sum()
    imp_ex = block(imp, ["EX"], "re-exports")[:, 0].sum()
    notes.append(f"Imported goods used as final demand ({imp_fd:.6g}) and re-exported imports ({imp_ex:.6g}) are "
                 "outside the domestic system (non-competitive table).")
    tot_idx = tot.set_index("Code")
    scale = max(float(go.max()), 1.0)
    if "TVA" in tot_idx.index:
        d = np.abs(block(tot_idx.loc[["TVA"]].reset_index(), sectors, "TVA")[0] - va.sum(axis=0))
        if d.max() > 1e-6 * scale:
            notes.append(f"TVA differs from the sum of {va_codes} by up to {d.max():.6g}; the components are used.")
    if "TI" in tot_idx.index:
        d = np.abs(block(tot_idx.loc[["TI"]].reset_index(), sectors, "TI")[0] - go)
        if d.max() > 1e-6 * scale:
            notes.append(f"TI differs from GO by up to {d.max():.6g}; GO is used as gross output.")
    names = {}
    if "DescriptionInChinese" in dom.columns:
        names["zh"] = tuple(dom["DescriptionInChinese"].astype(str))
    if "Description" in dom.columns:
        names["en"] = tuple(dom["Description"].astype(str))
    return MRIOTable.from_arrays(
        [region], sectors, z, y, categories=fd_cols, VA=va, va_components=va_codes, E=ex, IM=zm.sum(axis=0), x=go,
        import_block=zm, import_products=tuple(sectors), unit=unit,
        year=year if year is not None else _year_from_name(path.name), name=path.name, sector_names=names,
        inventory_categories=("FU202",), notes=tuple(notes))
