"""Every exception and warning class of exportlens (the bottom layer: imports nothing of exportlens).

Library code raises these; the CLI turns any :class:`ExportlensError` into one readable
line and a non-zero exit code. Each subclass also derives from the closest builtin
(``ValueError``/``KeyError``/``ImportError``) so that generic ``except ValueError`` code keeps
working. Every warning derives from :class:`ExportlensWarning`, so one filter silences or
escalates them all: ``warnings.filterwarnings("error", category=ExportlensWarning)``.
The modules that raise a class also re-export it under its old import path (e.g.
``exportlens.measures.resilience.NationalTotalMismatchWarning``).

New classes are appended at the end of this module (and to ``__all__``), deriving from the
closest existing one.
"""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType
from typing import Any

__all__ = [
    "AmbiguousRegionError",
    "CompositeWarning",
    "ConstantColumnWarning",
    "ConstantShiftWarning",
    "DataFormatError",
    "DataFormatWarning",
    "DroppedRowsWarning",
    "EstimationError",
    "EstimationWarning",
    "ExportlensError",
    "ExportlensWarning",
    "IdentificationError",
    "InconsistentJudgmentError",
    "InconsistentJudgmentWarning",
    "IndicatorSystemError",
    "InputError",
    "InvalidRowsError",
    "IslandRegionError",
    "MissingColumnError",
    "MissingDependencyError",
    "MissingRowError",
    "NBSUnknownRegionError",
    "NationalTotalMismatchWarning",
    "NegativeFlowError",
    "NonPositiveValueError",
    "NonPositiveValueWarning",
    "NonProductiveError",
    "OpenTableError",
    "PhaseSignWarning",
    "RandomIndexWarning",
    "ReportWarning",
    "ResilienceWarning",
    "SmallNationalGrowthWarning",
    "SpatialWeightsError",
    "StudySpecError",
    "UnbalancedPanelError",
    "UnknownRegionError",
    "ValidationError",
    "ZeroOutputWarning",
    "warn_caller",
]


class ExportlensError(Exception):
    """Base class of every error exportlens raises on purpose.

    Examples
    --------
    Catch every error exportlens raises on purpose with one ``except``:

    >>> from exportlens.errors import ExportlensError
    >>> from exportlens.regions import resolve_province
    >>> try:
    ...     resolve_province("火星")
    ... except ExportlensError as exc:
    ...     print(type(exc).__name__, "|", exc)
    UnknownRegionError | Unknown province '火星'. Check the spelling ...
    """


class ExportlensWarning(UserWarning):
    """Base class of every warning exportlens issues: ``warnings.filterwarnings("ignore", category=ExportlensWarning)``.

    Examples
    --------
    One filter escalates (or silences) every exportlens warning:

    >>> import warnings
    >>> from exportlens.errors import ExportlensWarning
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(["A"], ["goods", "services"], Z=[[5, 0], [0, 0]], Y=[[10], [0]], VA=[5, 0])
    >>> with warnings.catch_warnings():
    ...     warnings.filterwarnings("error", category=ExportlensWarning)
    ...     table.A
    Traceback (most recent call last):
    ...
    exportlens.errors.ZeroOutputWarning: 1 sector(s) with zero gross output get zero coefficients: A/services.
    """


class InputError(ExportlensError, ValueError):
    """The input cannot be analysed as given (wrong shape, values or parameters).

    Examples
    --------
    >>> from exportlens.errors import InputError
    >>> from exportlens.text import check_lang
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Unknown language 'fr': use zh or en (command line: --lang zh or --lang en).
    >>> issubclass(InputError, ValueError)  # generic ``except ValueError`` code keeps working
    True
    """


class UnknownRegionError(InputError, KeyError):
    """A region name or code does not match any entry of the registry.

    Examples
    --------
    >>> from exportlens.regions import resolve_province
    >>> resolve_province("Guangdon")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: Unknown province 'Guangdon'. Closest: 广东省 (Guangdong, 440000), ...
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class AmbiguousRegionError(UnknownRegionError):
    """A region name matches more than one registry entry.

    Examples
    --------
    Without reliable tone marks "Shanxi" may be 山西 or 陕西:

    >>> from exportlens.regions import resolve_province
    >>> resolve_province("Shānxi")
    Traceback (most recent call last):
    ...
    exportlens.errors.AmbiguousRegionError: Ambiguous province 'Shānxi': without reliable tone marks it can be 山西 (Shanxi, 140000) or 陕西 (Shaanxi, 610000). Write 'Shanxi' or 'Shaanxi', or use the code.
    """


class DataFormatError(InputError):
    """A file does not have the layout the reader expects.

    Examples
    --------
    >>> from pathlib import Path
    >>> from exportlens.mrio import read_ceads_workbook
    >>> _ = Path("mrio_2017.xlsx").write_text("province,exports\\n")  # a CSV saved as .xlsx
    >>> read_ceads_workbook("mrio_2017.xlsx")
    Traceback (most recent call last):
    ...
    exportlens.errors.DataFormatError: mrio_2017.xlsx cannot be read as a CEADs MRIO workbook (.xlsx) (...); check that it is a complete file of the format its suffix says (re-save or export it again).
    """


class ValidationError(InputError):
    """A panel fails validation; ``report`` holds the full validation report.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.data import check_panel
    >>> from exportlens.errors import ValidationError
    >>> panel = pd.DataFrame({"province": ["北京", "北京", "上海"], "year": [2020, 2020, 2020], "exports": [1.0, 2.0, 3.0]})
    >>> check_panel(panel, entity="province", time="year")
    Traceback (most recent call last):
    ...
    exportlens.errors.ValidationError: Panel validation failed with 1 blocking problem(s): 1 province-year key(s) occur more than once, 2 rows in all: '北京' 2020 (rows [0, 1]). (full listing in the exception's .report)
    >>> try:
    ...     check_panel(panel, entity="province", time="year")
    ... except ValidationError as exc:
    ...     print(exc.report.blocking)
    True
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class MissingColumnError(InputError, KeyError):
    """A column named by the user is not in the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import require_columns
    >>> df = pd.DataFrame({"province": ["北京"], "year": [2020], "exports": [1.5]})
    >>> require_columns(df, ["province", "exprots"])
    Traceback (most recent call last):
    ...
    exportlens.errors.MissingColumnError: Column(s) 'exprots' not found in the data. Available columns: ['province', 'year', 'exports'].
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NonPositiveValueError(InputError):
    """A logarithm or ratio needs strictly positive values but some are not.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.measures import relative_log_growth
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 3, "year": [2019, 2019, 2020, 2020, 2021, 2021],
    ...     "exports": [10.0, 20.0, 8.0, 0.0, 12.0, 25.0], "china": [30.0, 30.0, 8.0, 8.0, 37.0, 37.0],
    ... })
    >>> relative_log_growth(df, region="province", time="year", exports="exports", national="china")
    Traceback (most recent call last):
    ...
    exportlens.errors.NonPositiveValueError: The logarithm needs positive exports: 1 row(s) with zero, negative or missing exports 'exports' (region, period, value): ('上海', 2020, 0) at row 3. Pass nonpositive='nan' to get NaN for the affected rows.
    """


class StudySpecError(InputError):
    """A study specification (TOML file or dict) is invalid.

    Examples
    --------
    >>> from exportlens.studies import load_study
    >>> spec_class = load_study("resilience").spec_class
    >>> spec_class.from_dict({"resilience": {"nonpositive": "zero"}})
    Traceback (most recent call last):
    ...
    exportlens.errors.StudySpecError: study file: [resilience] nonpositive = "zero": expected one of 'raise' or 'nan'.
    """

    def __init__(self, *args: object, validation_error: Exception | None = None) -> None:
        super().__init__(*args)
        #: The validation library's own error, when a declared value failed (kept for re-wording).
        self.validation_error = validation_error


class MissingDependencyError(ExportlensError, ImportError):
    """An optional package needed for the requested computation is not installed.

    Examples
    --------
    Raised when an optional package is absent (here geopandas, hidden to show the message):

    >>> import sys
    >>> from unittest import mock
    >>> from exportlens.report.maps import boundary_map
    >>> with mock.patch.dict(sys.modules, {"geopandas": None}):
    ...     boundary_map({"北京": 1.0}, "provinces.geojson", "map.png", "Exports", key_column="name")
    Traceback (most recent call last):
    ...
    exportlens.errors.MissingDependencyError: Boundary maps need geopandas, which is not installed; install the maps extra with pip install "exportlens[maps]" (or use tile_map, which needs no boundary file).
    """


class InvalidRowsError(InputError):
    """Rows with invalid values were found and ``invalid="raise"``; ``report`` has the counts
    (a :class:`exportlens.firms.io.ValidationReport`).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.firms import firm_measures_pandas
    >>> transactions = pd.DataFrame({
    ...     "firm_id": ["f1", "f1", "f2"], "hs8": ["85171200"] * 3, "destination": ["USA"] * 3,
    ...     "year": [2019, 2020, 2019], "value_usd": [100.0, -5.0, 50.0],
    ...     "province": ["广东", "广东", "火星"], "industry": ["C39"] * 3,
    ... })
    >>> firm_measures_pandas(transactions)
    Traceback (most recent call last):
    ...
    exportlens.errors.InvalidRowsError: 2 of 3 transaction rows have invalid values:
      negative export value: 1 row(s) - e.g. (...)
      unknown province: 1 row(s) - e.g. (...)
      unknown province values: '火星' (1 row)
    Fix them in the data, or pass invalid='drop' (command line: --drop-invalid) to leave them out; they are then counted by reason in the results and the manifest.
    """

    def __init__(self, message: str, report: Any):
        super().__init__(message)
        self.report = report


class NBSUnknownRegionError(DataFormatError, UnknownRegionError):
    """A region name in an NBS file is not a province of the registry.

    Both a :class:`DataFormatError` (the file is not what the reader expects) and an
    :class:`UnknownRegionError` (so ``except UnknownRegionError`` catches it too).

    Examples
    --------
    >>> from pathlib import Path
    >>> from exportlens.data import read_nbs
    >>> _ = Path("exports.csv").write_text(
    ...     "数据库：分省年度数据\\n指标：出口总额(亿元)\\n地区,2021年,2020年\\n北京市,1,2\\n火星,3,4\\n", encoding="utf-8")
    >>> read_nbs("exports.csv")
    Traceback (most recent call last):
    ...
    exportlens.errors.NBSUnknownRegionError: exports.csv: 1 row name(s) are not provinces: line 5: Unknown province '火星'. Check the spelling ...
    """


class InconsistentJudgmentError(InputError):
    """The consistency ratio of an AHP judgment matrix is at or above the threshold and
    ``on_inconsistent="raise"``.

    Examples
    --------
    >>> from exportlens.measures import ahp
    >>> judgments = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # a > b > c > a
    >>> ahp(judgments, labels=["gdp", "trade", "ports"], on_inconsistent="raise")
    Traceback (most recent call last):
    ...
    exportlens.errors.InconsistentJudgmentError: Judgment matrix ['gdp', 'trade', 'ports'] is not consistent: CR = 6.1303 >= 0.1 (lambda_max = 10.1111, CI = 3.5556, RI = 0.58 from saaty1980). Revise the judgments.
    """


class IndicatorSystemError(StudySpecError):
    """An indicator system definition is invalid.

    Examples
    --------
    >>> from exportlens.measures import IndicatorSystem
    >>> IndicatorSystem.from_dict({"dimensions": []})
    Traceback (most recent call last):
    ...
    exportlens.errors.IndicatorSystemError: The indicator system needs a non-empty 'dimensions' list.
    """


class OpenTableError(InputError):
    """KWW needs a closed inter-country table (no exports abroad, no imports row).

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, kww_decomposition
    >>> table = MRIOTable.from_arrays(  # exports abroad E and imports IM: an open table
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> kww_decomposition(table)
    Traceback (most recent call last):
    ...
    exportlens.errors.OpenTableError: KWW applies to closed inter-country tables, but these regions have exports abroad (E) or an imports row (IM): A, B. Use decompose_provincial for open tables.
    """


class NegativeFlowError(InputError):
    """A flow that must be non-negative (Z, E, IM, x, non-inventory final demand) is negative.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable
    >>> MRIOTable.from_arrays(["A"], ["goods"], Z=[[10.0]], Y=[[5.0]], E=[-2.0], VA=[3.0])
    Traceback (most recent call last):
    ...
    exportlens.errors.NegativeFlowError: E must be non-negative; 1 negative cell(s): E[A/goods] = -2.
    """


class NonProductiveError(InputError):
    """The technical-coefficient matrix is not productive: I - A is singular or (I - A)^-1 has negative entries.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(["A"], ["goods"], Z=[[12.0]], Y=[[0.0]], VA=[-2.0], x=[10.0])
    >>> table.leontief_factor()  # inputs of 12 per 10 of output: A = 1.2
    Traceback (most recent call last):
    ...
    exportlens.errors.NonProductiveError: A is not productive: the Leontief inverse (I - A)^-1 has negative entries (min -5). Columns whose intermediate inputs reach or exceed output: A/goods (1'A = 1.2).
    """


class MissingRowError(DataFormatError):
    """A row named by the caller (e.g. a value-added row of a pymrio extension) is not in the table.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(["A"], ["goods"], Z=[[10.0]], Y=[[20.0]], E=[5.0], IM=[5.0], VA=[20.0])
    >>> system = table.to_pymrio()  # a pymrio.IOSystem with value-added rows VA and IM
    >>> MRIOTable.from_pymrio(system, value_added_rows=["VA001"])
    Traceback (most recent call last):
    ...
    exportlens.errors.MissingRowError: Rows ['VA001'] are not in extension 'factor_inputs'; rows: ['VA', 'IM'].
    """


# --- warnings (all derive from ExportlensWarning) -------------------------------------------


class DroppedRowsWarning(ExportlensWarning):
    """Rows were left out of an estimation (missing values or singleton fixed-effect groups).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.econometrics import fit_panel
    >>> from exportlens.errors import DroppedRowsWarning
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "北京", "上海", "上海", "广东", "广东"], "year": [2019, 2020] * 3,
    ...     "sl": [0.1, 0.3, 0.2, 0.1, 0.4, 0.6], "vag": [1.0, 2.0, None, 1.5, 3.0, 3.5],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", DroppedRowsWarning)
    ...     fit_panel(df, "sl", "vag")
    Traceback (most recent call last):
    ...
    exportlens.errors.DroppedRowsWarning: sl ~ vag: 1 row(s) with missing values dropped before estimation (vag: 1).
    """


class ResilienceWarning(ExportlensWarning):
    """Base class of the warnings of :mod:`exportlens.measures.resilience`.

    Examples
    --------
    Base class of the resilience warnings: one filter for all of them.

    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import ResilienceWarning
    >>> from exportlens.measures import sensitivity_index
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 3, "year": [2019, 2019, 2020, 2020, 2021, 2021],
    ...     "exports": [10.0, 20.0, 8.0, 16.0, 12.0, 25.0],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ResilienceWarning)
    ...     sensitivity_index(df, region="province", time="year", exports="exports",
    ...                       national_from="sum", contraction=(2020, 2021))
    Traceback (most recent call last):
    ...
    exportlens.errors.PhaseSignWarning: National growth over the contraction 2020..2021 is +54.17%: positive in a contraction, so the usual reading of the index is reversed. Check the phase dates.
    """


class NationalTotalMismatchWarning(ResilienceWarning):
    """The national column and the sum of the regions differ by more than the tolerance.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import NationalTotalMismatchWarning
    >>> from exportlens.measures import national_exports
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 2, "year": [2020, 2020, 2021, 2021],
    ...     "exports": [10.0, 20.0, 12.0, 25.0], "china": [30.0, 30.0, 40.0, 40.0],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", NationalTotalMismatchWarning)
    ...     national_exports(df, region="province", time="year", exports="exports", national="china")
    Traceback (most recent call last):
    ...
    exportlens.errors.NationalTotalMismatchWarning: National column 'china' differs from the sum of the regions by more than 1.0% in 1 period(s): 2021: national 40, sum of regions 37 (-7.5%). The national column is used; check coverage and units (pass tolerance=None to silence).
    """


class NonPositiveValueWarning(ResilienceWarning):
    """Values that cannot enter a logarithm or ratio were turned into NaN (policy "nan").

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import NonPositiveValueWarning
    >>> from exportlens.measures import relative_log_growth
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 3, "year": [2019, 2019, 2020, 2020, 2021, 2021],
    ...     "exports": [10.0, 20.0, 8.0, 0.0, 12.0, 25.0], "china": [30.0, 30.0, 8.0, 8.0, 37.0, 37.0],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", NonPositiveValueWarning)
    ...     relative_log_growth(df, region="province", time="year", exports="exports", national="china",
    ...                         nonpositive="nan")
    Traceback (most recent call last):
    ...
    exportlens.errors.NonPositiveValueWarning: The logarithm needs positive exports: 1 row(s) with zero, negative or missing exports 'exports' (region, period, value): ('上海', 2020, 0) at row 3. SL is NaN for these rows and for the rows 1 period(s) later.
    """


class SmallNationalGrowthWarning(ResilienceWarning):
    """National (or expected) growth over a phase is so small that ratio indices explode.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import SmallNationalGrowthWarning
    >>> from exportlens.measures import sensitivity_index
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 2, "year": [2019, 2019, 2020, 2020],
    ...     "exports": [10.0, 20.0, 10.0, 20.05],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", SmallNationalGrowthWarning)
    ...     sensitivity_index(df, region="province", time="year", exports="exports",
    ...                       national_from="sum", contraction=(2019, 2020))
    Traceback (most recent call last):
    ...
    exportlens.errors.SmallNationalGrowthWarning: National growth over the contraction 2019..2020 is only +0.167% (|g_N| < 1.0%): ratio indices divide by it and explode.
    """


class PhaseSignWarning(ResilienceWarning):
    """National growth has the 'wrong' sign for the phase (growth in a contraction ...).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import PhaseSignWarning
    >>> from exportlens.measures import sensitivity_index
    >>> df = pd.DataFrame({
    ...     "province": ["北京", "上海"] * 2, "year": [2020, 2020, 2021, 2021],
    ...     "exports": [8.0, 16.0, 12.0, 25.0],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", PhaseSignWarning)
    ...     sensitivity_index(df, region="province", time="year", exports="exports",
    ...                       national_from="sum", contraction=(2020, 2021))
    Traceback (most recent call last):
    ...
    exportlens.errors.PhaseSignWarning: National growth over the contraction 2020..2021 is +54.17%: positive in a contraction, so the usual reading of the index is reversed. Check the phase dates.
    """


class InconsistentJudgmentWarning(ExportlensWarning):
    """The consistency ratio of an AHP judgment matrix is at or above the threshold.

    Examples
    --------
    >>> import warnings
    >>> from exportlens.errors import InconsistentJudgmentWarning
    >>> from exportlens.measures import ahp
    >>> judgments = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # a > b > c > a
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", InconsistentJudgmentWarning)
    ...     ahp(judgments, labels=["gdp", "trade", "ports"])
    Traceback (most recent call last):
    ...
    exportlens.errors.InconsistentJudgmentWarning: Judgment matrix ['gdp', 'trade', 'ports'] is not consistent: CR = 6.1303 >= 0.1 (lambda_max = 10.1111, CI = 3.5556, RI = 0.58 from saaty1980). Revise the judgments.
    """


class CompositeWarning(ExportlensWarning):
    """Base class of the warnings of :mod:`exportlens.measures.composite`.

    Examples
    --------
    Base class of the composite-index warnings: one filter for all of them.

    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import CompositeWarning
    >>> from exportlens.measures import entropy_weights
    >>> data = pd.DataFrame({"gdp": [1.0, 2.0, 4.0], "ports": [3.0, 3.0, 3.0], "trade": [2.0, 5.0, 1.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", CompositeWarning)
    ...     entropy_weights(data, constant="zero")
    Traceback (most recent call last):
    ...
    exportlens.errors.ConstantColumnWarning: Constant indicator column(s) ['ports'] (n = 3) given entropy weight 0.
    """


class ConstantShiftWarning(CompositeWarning):
    """A constant shift of z-scores flattens entropy weights towards 1/m.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import ConstantShiftWarning
    >>> from exportlens.measures import standardise
    >>> data = pd.DataFrame({"gdp": [1.0, 2.0, 4.0], "trade": [2.0, 5.0, 1.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ConstantShiftWarning)
    ...     standardise(data, {"gdp": "benefit", "trade": "benefit"}, method="zscore", shift=1.0)
    Traceback (most recent call last):
    ...
    exportlens.errors.ConstantShiftWarning: A constant shift (z + 1) of z-scores flattens entropy weights towards 1/m and can reverse rankings; use shift='column' (z + |min z| + c) or min-max.
    """


class ConstantColumnWarning(CompositeWarning):
    """A constant column was given weight 0 (policy ``constant="zero"``).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.errors import ConstantColumnWarning
    >>> from exportlens.measures import entropy_weights
    >>> data = pd.DataFrame({"gdp": [1.0, 2.0, 4.0], "ports": [3.0, 3.0, 3.0], "trade": [2.0, 5.0, 1.0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", ConstantColumnWarning)
    ...     result = entropy_weights(data, constant="zero")
    >>> print(caught[0].category.__name__, "|", caught[0].message)
    ConstantColumnWarning | Constant indicator column(s) ['ports'] (n = 3) given entropy weight 0.
    >>> round(float(result.weights["ports"]), 4), round(float(result.weights.sum()), 4)
    (0.0, 1.0)
    """


class ZeroOutputWarning(ExportlensWarning):
    """Sectors with zero gross output get zero coefficients.

    Examples
    --------
    >>> import warnings
    >>> from exportlens.errors import ZeroOutputWarning
    >>> from exportlens.mrio import MRIOTable
    >>> table = MRIOTable.from_arrays(["A"], ["goods", "services"], Z=[[5, 0], [0, 0]], Y=[[10], [0]], VA=[5, 0])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ZeroOutputWarning)
    ...     table.A
    Traceback (most recent call last):
    ...
    exportlens.errors.ZeroOutputWarning: 1 sector(s) with zero gross output get zero coefficients: A/services.
    """


class DataFormatWarning(ExportlensWarning):
    """A file was read, but part of its layout needs attention (a missing label, ignored options,
    values that differ between files).

    Examples
    --------
    >>> import warnings
    >>> from pathlib import Path
    >>> from exportlens.data import read_nbs
    >>> from exportlens.errors import DataFormatWarning
    >>> _ = Path("exports.csv").write_text(
    ...     "数据库：分省年度数据\\n地区,2021年,2020年\\n北京市,1,2\\n上海市,3,4\\n", encoding="utf-8")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", DataFormatWarning)
    ...     read_nbs("exports.csv")  # no 指标： line
    Traceback (most recent call last):
    ...
    exportlens.errors.DataFormatWarning: exports.csv has no 指标： line, so the indicator name is not in the file; using the file stem 'exports'. Pass indicator= (and unit=) to name it.
    """


class EstimationWarning(ExportlensWarning):
    """An estimation ran, but an assumption of the method may not hold for these data.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.econometrics import fit_panel
    >>> from exportlens.errors import EstimationWarning
    >>> df = pd.DataFrame({
    ...     "province": ["北京"] * 3 + ["上海"] * 3 + ["广东"] * 3, "year": [2018, 2019, 2021] * 3,
    ...     "sl": [0.1, 0.3, 0.2, 0.1, 0.4, 0.6, 0.3, 0.2, 0.5],
    ...     "vag": [1.0, 2.0, 1.2, 1.5, 3.0, 3.5, 2.2, 2.0, 2.9],
    ... })
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", EstimationWarning)
    ...     fit_panel(df, "sl", "vag", vcov="driscoll-kraay")  # 2020 is missing
    Traceback (most recent call last):
    ...
    exportlens.errors.EstimationWarning: Driscoll-Kraay: the time values are not equally spaced; pyfixest 0.60 treats consecutive observed periods as one lag apart.
    """


class ReportWarning(ExportlensWarning):
    """A table or figure was built, but something asked for is not in it.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from exportlens.econometrics import fit_panel
    >>> from exportlens.errors import ReportWarning
    >>> from exportlens.report import coefficient_plot
    >>> df = pd.DataFrame({
    ...     "province": ["北京"] * 3 + ["上海"] * 3 + ["广东"] * 3, "year": [2018, 2019, 2020] * 3,
    ...     "sl": [0.1, 0.3, 0.2, 0.1, 0.4, 0.6, 0.3, 0.2, 0.5],
    ...     "vag": [1.0, 2.0, 1.2, 1.5, 3.0, 3.5, 2.2, 2.0, 2.9],
    ... })
    >>> model = fit_panel(df, "sl", "vag")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ReportWarning)
    ...     coefficient_plot([model], "digital", path="coef.png", title="Digital economy")
    Traceback (most recent call last):
    ...
    exportlens.errors.ReportWarning: term 'digital' not in model (1); left out of the coefficient plot
    """


class RandomIndexWarning(InconsistentJudgmentWarning):
    """The chosen random-index table does not cover the AHP matrix's order: weights, no CR.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from exportlens.errors import RandomIndexWarning
    >>> from exportlens.measures import ahp
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", RandomIndexWarning)
    ...     ahp(np.ones((16, 16)))  # 16 criteria; Saaty's table stops at 15
    Traceback (most recent call last):
    ...
    exportlens.errors.RandomIndexWarning: No CR can be computed: the 'saaty1980' random-index table covers n = 3..15 and the matrix has n = 16; tables that cover n = 16: donegan_dodd1991. The weights are valid.
    """


def warn_caller(message: str, category: type[Warning], *, inside: str | None = None) -> None:
    """Issue a warning attributed to the first caller outside the folder ``inside`` (default:
    the exportlens package), so that it points at the user's line rather than at library code.

    Examples
    --------
    >>> import warnings
    >>> from exportlens.errors import ExportlensWarning, warn_caller
    >>> def check_growth(g):
    ...     if abs(g) < 0.01:
    ...         warn_caller(f"National growth is only {g:+.1%}.", ExportlensWarning)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_growth(0.004)
    >>> print(caught[0].category.__name__, "|", caught[0].message)
    ExportlensWarning | National growth is only +0.4%.
    >>> caught[0].filename.startswith("<doctest")  # points at the caller, not at exportlens
    True
    """
    here = os.path.abspath(inside or os.path.dirname(__file__))
    level = 2
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here + os.sep):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
class SpatialWeightsError(InputError):
    """A spatial weights matrix is invalid or does not match the regions of the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import from_matrix
    >>> w = pd.DataFrame([[0, -1], [1, 0]], index=["北京", "天津"], columns=["北京", "天津"])
    >>> from_matrix(w)
    Traceback (most recent call last):
    ...
    exportlens.errors.SpatialWeightsError: the matrix has negative weights, first at row '北京', column '天津'; weights must be >= 0.
    """


class IslandRegionError(SpatialWeightsError):
    """A region has no neighbour (an empty row of W) where the computation needs every row non-empty.

    Examples
    --------
    >>> from exportlens.spatial import contiguity_weights
    >>> w = contiguity_weights(hainan="isolated")  # Hainan borders no province by land
    >>> w.require_no_islands("the spatial Durbin model")
    Traceback (most recent call last):
    ...
    exportlens.errors.IslandRegionError: Region(s) [460000] have no neighbour in the contiguity weights, but the spatial Durbin model needs every row of W non-empty; link them by a convention (e.g. contiguity_weights(hainan='guangdong')) or use distance-based weights.
    """


class UnbalancedPanelError(InputError):
    """A computation needs a balanced panel (every region in every period) but the data are not.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import contiguity_weights, panel_arrays
    >>> w = contiguity_weights(regions=["北京", "天津", "河北"])
    >>> panel = pd.DataFrame({"province": ["北京", "天津", "北京"], "year": [2020, 2020, 2021], "y": [1.0, 2.0, 3.0]})
    >>> panel_arrays(panel, ["y"], w, region="province")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnbalancedPanelError: 1 region(s) of the weights have no row in the panel ([130000]); a spatial model needs every region of W in every period: subset W to the panel's regions (or fill the data).
    """


class EstimationError(ExportlensError, RuntimeError):
    """An estimator did not reach a valid interior solution (e.g. rho at the boundary of its domain).

    Examples
    --------
    A common shock only (the same value in every region each period) puts the spatial
    autoregressive parameter at the edge of its domain:

    >>> import numpy as np
    >>> from exportlens.spatial import contiguity_weights, fit_spatial_panel_arrays
    >>> w = contiguity_weights(regions=["北京", "天津", "河北", "山西", "内蒙古", "辽宁"])
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(rng.normal(size=(5, 1)), 6, axis=1)  # 5 periods x 6 regions, W y = y
    >>> x = rng.normal(size=(5, 6))
    >>> fit_spatial_panel_arrays(y, x, w, model="sar", fe="unit", effects=False)
    Traceback (most recent call last):
    ...
    exportlens.errors.EstimationError: The estimate of rho (1.000000) is at the boundary of its domain (...); the likelihood has no interior maximum: ...
    """


class IdentificationError(InputError):
    """A model is not identified as specified (e.g. an instrument collinear with the fixed effects).

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.econometrics import kp_rank_test
    >>> kp_rank_test(np.ones((5, 2)), np.ones((5, 1)))  # two endogenous regressors, one instrument
    Traceback (most recent call last):
    ...
    exportlens.errors.IdentificationError: The rank test needs at least as many instruments (1) as endogenous regressors (2).
    """
