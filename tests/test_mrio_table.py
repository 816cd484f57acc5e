"""MRIOTable: construction, validation errors, coefficients, balance, Leontief factor, pymrio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.errors import DataFormatError, InputError
from exportlens.mrio import MRIOTable, NegativeFlowError, NonProductiveError, ZeroOutputWarning


@pytest.fixture(scope="module")
def table() -> MRIOTable:
    return random_mrio_table(3, 4, seed=1, with_error=True)


def _tiny(**changes) -> MRIOTable:
    """1 region x 2 sectors, balanced by construction; ``changes`` override arrays."""
    z = np.array([[10.0, 5.0], [4.0, 20.0]])
    y = np.array([[30.0], [40.0]])
    e = np.array([5.0, 6.0])
    x = z.sum(axis=1) + y.sum(axis=1) + e
    im = np.array([3.0, 4.0])
    va = x - z.sum(axis=0) - im
    kwargs = {"Z": z, "Y": y, "E": e, "IM": im, "VA": va, "x": x, "categories": ["hh"]}
    kwargs.update(changes)
    return MRIOTable.from_arrays(["R"], ["a", "b"], kwargs.pop("Z"), kwargs.pop("Y"), **kwargs)


def test_row_and_column_identities_hold_on_generated_table(table):
    rep = table.balance_report(1e-10)
    assert rep.ok, rep.summary()
    # the identities written out independently
    x_rows = table.Z.sum(axis=1) + table.Y.sum(axis=1) + table.E + table.ERR
    x_cols = table.Z.sum(axis=0) + table.VA.sum(axis=0) + table.IM
    np.testing.assert_allclose(x_rows, table.x, rtol=1e-12)
    np.testing.assert_allclose(x_cols, table.x, rtol=1e-12)


def test_x_defaults_to_row_sums():
    t = _tiny(x=None)
    np.testing.assert_allclose(t.x, [10 + 5 + 30 + 5, 4 + 20 + 40 + 6])


def test_coefficients_match_definitions(table):
    x = table.x
    np.testing.assert_allclose(table.A, table.Z / x[None, :], rtol=1e-14)
    np.testing.assert_allclose(table.V, table.VA.sum(axis=0) / x, rtol=1e-14)
    np.testing.assert_allclose(table.M, table.IM / x, rtol=1e-14)
    # column identity 1'A + v + m = 1' on a column-balanced table
    np.testing.assert_allclose(table.A.sum(axis=0) + table.V + table.M, 1.0, atol=1e-12)


def test_leontief_identities(table):
    b = table.leontief_inverse()
    np.testing.assert_allclose(b, np.linalg.inv(np.eye(table.size) - table.A), rtol=1e-10, atol=1e-12)
    # x = B (Y 1 + E + ERR)
    np.testing.assert_allclose(b @ (table.Y.sum(axis=1) + table.E + table.ERR), table.x, rtol=1e-10)
    # (v + m) B = 1' on a balanced table
    np.testing.assert_allclose((table.V + table.M) @ b, 1.0, atol=1e-10)
    # solve / solve_transposed agree with B and B'
    rhs = np.arange(table.size, dtype=float)
    f = table.leontief_factor()
    np.testing.assert_allclose(f.solve(rhs), b @ rhs, rtol=1e-10)
    np.testing.assert_allclose(f.solve_transposed(rhs), b.T @ rhs, rtol=1e-10)
    assert table.leontief_factor() is f  # factored once


def test_leontief_inverse_agrees_with_pymrio(table):
    io = table.to_pymrio()
    io.calc_all()
    np.testing.assert_allclose(io.L.to_numpy(), table.leontief_inverse(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(io.A.to_numpy(), table.A, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(io.x["indout"].to_numpy(), table.x, rtol=1e-12)


def test_pymrio_round_trip(table):
    back = MRIOTable.from_pymrio(table.to_pymrio())
    for name in ("Z", "Y", "E", "IM", "VA", "x", "ERR"):
        np.testing.assert_allclose(getattr(back, name), getattr(table, name), rtol=1e-14, err_msg=name)
    assert back.regions == table.regions and back.sectors == table.sectors
    assert back.categories == table.categories and back.va_components == table.va_components


def test_from_pymrio_test_system_without_exports_category():
    import pymrio

    io = pymrio.load_test()
    io.calc_all()
    t = MRIOTable.from_pymrio(io, exports_category="Export", imports_row=None)
    assert t.n_regions == 6 and t.n_sectors == 8
    assert "Export" not in t.categories
    np.testing.assert_allclose(t.E.sum(), io.Y.xs("Export", axis=1, level=1).to_numpy().sum(), rtol=1e-12)
    # Leontief inverse from the same Z and x as pymrio's L (VA is not used: pymrio's test VA is inconsistent)
    np.testing.assert_allclose(t.leontief_inverse(), io.L.to_numpy(), rtol=1e-9, atol=1e-12)


def test_frames_round_trip_and_label_order(table):
    fr = table.to_frames()
    back = MRIOTable.from_frames(fr["Z"], fr["Y"], VA=fr["VA"], E=fr["E"], IM=fr["IM"], x=fr["x"], ERR=fr["ERR"])
    np.testing.assert_array_equal(back.Z, table.Z)
    # shuffled columns of Z and VA and shuffled Series are realigned by label
    rng = np.random.default_rng(0)
    perm = rng.permutation(table.size)
    z = fr["Z"].iloc[:, perm]
    va = fr["VA"].iloc[:, perm]
    e = fr["E"].iloc[perm]
    back2 = MRIOTable.from_frames(z, fr["Y"], VA=va, E=e, IM=fr["IM"], x=fr["x"], ERR=fr["ERR"])
    np.testing.assert_array_equal(back2.Z, table.Z)
    np.testing.assert_array_equal(back2.VA, table.VA)
    np.testing.assert_array_equal(back2.E, table.E)


def test_mismatched_labels_are_named(table):
    fr = table.to_frames()
    va = fr["VA"].copy()
    va.columns = pd.MultiIndex.from_tuples([("R1", "S9") if c == ("R1", "S2") else c for c in va.columns])
    with pytest.raises(DataFormatError, match=r"R1/S2.*R1/S9|missing: R1/S2"):
        MRIOTable.from_frames(fr["Z"], fr["Y"], VA=va)
    y = fr["Y"].drop(columns=("R2", "F2"))
    with pytest.raises(DataFormatError, match="R2/F2"):
        MRIOTable.from_frames(fr["Z"], y, VA=fr["VA"])
    z = fr["Z"].drop(index=("R3", "S4"))
    with pytest.raises(DataFormatError, match="R3/S4"):
        MRIOTable.from_frames(z, fr["Y"], VA=fr["VA"])


def test_missing_values_are_named():
    z = np.array([[10.0, np.nan], [4.0, 20.0]])
    with pytest.raises(InputError, match=r"Z\[R/a, R/b\]"):
        _tiny(Z=z)


def test_negative_flows_raise_with_cell_names():
    with pytest.raises(NegativeFlowError, match=r"Z\[R/b, R/a\] = -4"):
        _tiny(Z=np.array([[10.0, 5.0], [-4.0, 20.0]]))
    with pytest.raises(NegativeFlowError, match=r"E\[R/a\]"):
        _tiny(E=np.array([-1.0, 6.0]))
    with pytest.raises(NegativeFlowError, match=r"Y\[R/b, R/hh\]"):
        _tiny(Y=np.array([[30.0], [-40.0]]))


def test_negative_inventory_and_value_added_components_are_allowed():
    y = np.array([[30.0, -2.0], [40.0, 1.0]])
    t = _tiny(Y=y, categories=["hh", "FU202"], x=None)
    assert t.Y.min() == -2.0
    va = np.vstack([t.VA, np.array([-1.0, 0.5])])  # e.g. net production taxes
    t2 = _tiny(VA=va, va_components=["VA001", "VA002"])
    assert t2.VA.min() == -1.0


def test_zero_output_sector_gets_zero_coefficients_with_warning():
    z = np.array([[10.0, 0.0], [0.0, 0.0]])
    t = _tiny(Z=z, Y=np.array([[30.0], [0.0]]), E=np.array([5.0, 0.0]), IM=np.array([3.0, 0.0]),
              VA=np.array([32.0, 0.0]), x=np.array([45.0, 0.0]))
    with pytest.warns(ZeroOutputWarning, match="R/b"):
        a = t.A
    np.testing.assert_array_equal(a[:, 1], 0.0)
    assert t.V[1] == 0.0 and t.M[1] == 0.0
    assert t.zero_output_sectors == ("R/b",)


def test_non_productive_tables_raise():
    # 1'A = 2 in both columns: the Leontief inverse has negative entries
    z = np.array([[0.0, 2.0], [2.0, 0.0]])
    t = MRIOTable.from_arrays(["R"], ["a", "b"], z, np.zeros((2, 1)), VA=np.array([-1.0, -1.0]), x=np.array([1.0, 1.0]))
    with pytest.raises(NonProductiveError, match=r"negative entries.*R/a"):
        t.leontief_factor()
    # 1'A = 1: I - A singular
    z = np.array([[0.0, 1.0], [1.0, 0.0]])
    t = MRIOTable.from_arrays(["R"], ["a", "b"], z, np.zeros((2, 1)), VA=np.array([0.0, 0.0]), x=np.array([1.0, 1.0]))
    with pytest.raises(NonProductiveError, match="singular"):
        t.leontief_factor()


def test_balance_report_names_the_worst_cells(table):
    z = table.Z.copy()
    z[2, 5] *= 1.5  # breaks row R1/S3 and column R2/S2
    bad = MRIOTable.from_arrays(table.regions, table.sectors, z, table.Y, categories=table.categories, VA=table.VA,
                                va_components=table.va_components, E=table.E, IM=table.IM, x=table.x, ERR=table.ERR)
    rep = bad.balance_report(1e-6)
    assert not rep.ok and not rep.rows_ok and not rep.columns_ok
    worst = rep.worst(2)
    assert set(worst.index) == {("R1", "S3"), ("R2", "S2")}
    np.testing.assert_allclose(rep.row_residual[2], -0.5 * table.Z[2, 5])
    np.testing.assert_allclose(rep.column_residual[5], -0.5 * table.Z[2, 5])
    with pytest.raises(InputError, match=r"R1/S3|R2/S2"):
        rep.raise_if_unbalanced()
    assert "NOT balanced" in rep.summary()


def test_arrays_are_read_only_copies(table):
    with pytest.raises(ValueError):
        table.Z[0, 0] = 1.0
    src = np.ones((2, 2))
    t = MRIOTable.from_arrays(["R"], ["a", "b"], src, np.ones((2, 1)), VA=np.ones(2))
    src[0, 0] = 99.0
    assert t.Z[0, 0] == 1.0


def test_shape_and_label_errors():
    with pytest.raises(InputError, match="shape"):
        MRIOTable.from_arrays(["R"], ["a", "b"], np.ones((3, 3)), np.ones((2, 1)), VA=np.ones(2), x=np.ones(2))
    with pytest.raises(InputError, match="Duplicate sector"):
        MRIOTable.from_arrays(["R"], ["a", "a"], np.ones((2, 2)), np.ones((2, 1)), VA=np.ones(2))


def test_permuted_and_scaled_tables(table):
    order = ["R3", "R1", "R2"]
    p = table.permuted(order)
    assert p.regions == tuple(order)
    fr, fp = table.to_frames(), p.to_frames()
    pd.testing.assert_frame_equal(fp["Z"].loc[fr["Z"].index, fr["Z"].columns], fr["Z"])
    pd.testing.assert_frame_equal(fp["Y"].loc[fr["Y"].index, fr["Y"].columns], fr["Y"])
    s = table.scaled(1e4)
    np.testing.assert_allclose(s.A, table.A, rtol=1e-14)
    np.testing.assert_allclose(s.x, 1e4 * table.x)
