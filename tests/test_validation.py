"""exportlens.validation: the shared input checks and their messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import InputError, MissingColumnError
from exportlens.validation import (
    check_numeric_columns,
    check_unique_keys,
    coerce_numeric,
    format_list,
    format_rows,
    format_value,
    require_columns,
    require_frame,
    require_named_columns,
    require_no_missing,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2020], "x": ["1", "2.5", "n/a", None]},
        index=[10, 11, 12, 13],
    )


def test_format_list_limits_and_counts_the_rest():
    assert format_list(range(3)) == "0; 1; 2"
    assert format_list(range(25), 2) == "0; 1; ... and 23 more"
    assert format_list(["a", "b", "c"], 1, sep=", ") == "a, ... and 2 more"
    # only the first items described, the count still covers all of them
    assert format_list(["a", "b"], sep=" | ", total=30) == "a | b | ... and 28 more"


def test_format_value():
    assert format_value(float("nan")) == "missing"
    assert format_value(np.float64(2.50)) == "2.5"
    assert format_value("x") == "'x'"
    assert format_value(3) == "3"


def test_format_rows_lists_index_labels_and_values(frame):
    assert format_rows(frame, [10, 12], ["region", "year"]) == "row 10: ('A', 2020); row 12: ('B', 2020)"
    assert format_rows(frame, [11], ["x"]) == "row 11: '2.5'"


def test_require_columns_names_missing_and_available(frame):
    require_columns(frame, ["region", "year"])  # present: no error
    with pytest.raises(MissingColumnError) as e:
        require_columns(frame, ["region", "gdp", "pop"], what="variable(s)", where="the panel")
    msg = str(e.value)
    assert msg.startswith("Variable(s) 'gdp', 'pop' not found in the panel.")
    assert "Available columns: ['region', 'year', 'x']" in msg
    # a plain list of column names (e.g. of a DuckDB table) works too, roles appear in the message
    with pytest.raises(MissingColumnError, match=r"'v' \(role value\).*Map them"):
        require_columns(["a", "b"], {"role value": "v", "role firm": "a"}, hint="Map them.")
    # None marks an unused optional column
    require_columns(frame, {"national": None, "region": "region"})


def test_require_named_columns_checks_frame_and_duplicates(frame):
    with pytest.raises(InputError, match="Expected a pandas DataFrame"):
        require_named_columns([1, 2], region="region")
    with pytest.raises(MissingColumnError, match=r"'yr' \(time=\)"):
        require_named_columns(frame, region="region", time="yr", national=None)
    doubled = pd.concat([frame, frame[["x"]]], axis=1)
    with pytest.raises(InputError, match=r"\['x'\] occur more than once"):
        require_named_columns(doubled, value="x")
    assert require_frame(frame) is frame


def test_require_no_missing_lists_rows(frame):
    with pytest.raises(InputError, match=r"'x' \(value\) has 1 missing value\(s\), rows 13"):
        require_no_missing(frame, "x", "value")


def test_check_unique_keys_lists_duplicates_with_rows(frame):
    check_unique_keys(frame, ["region", "year", "x"])
    with pytest.raises(InputError) as e:
        check_unique_keys(frame, ["region", "year"])
    assert "1 duplicated region-year combination(s)" in str(e.value)
    assert "('B', 2020) at rows [12, 13]" in str(e.value)


def test_coerce_numeric_reports_offending_cells(frame):
    with pytest.raises(InputError, match=r"Column 'x' is not numeric: row 12: 'n/a'\."):
        coerce_numeric(frame, "x")
    ok = frame.loc[[10, 11, 13]]
    np.testing.assert_array_equal(coerce_numeric(ok, "x"), [1.0, 2.5, np.nan])
    with pytest.raises(InputError, match="boolean"):
        coerce_numeric(pd.DataFrame({"b": [True, False]}), "b")


def test_check_numeric_columns():
    df = pd.DataFrame({"y": [1.0, np.inf], "s": ["a", "b"], "b": [True, False]})
    check_numeric_columns(df, ["b"])
    with pytest.raises(InputError, match=r"'s' is not numeric \(dtype \w+\); use numbers\."):
        check_numeric_columns(df, ["s"], hint="use numbers")
    with pytest.raises(InputError, match=r"'y' has 1 infinite value"):
        check_numeric_columns(df, ["y"])
    with pytest.raises(InputError, match="boolean"):
        check_numeric_columns(df, ["b"], allow_bool=False)
