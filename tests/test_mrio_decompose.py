"""Provincial and national value-added decompositions: identities, an independent
implementation, the ROW trick, invariances, sector groups and the real national tables."""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.errors import InputError
from exportlens.mrio import (
    MRIOTable,
    decompose_national,
    decompose_provincial,
    sector_group_map,
    value_added_multipliers,
)
from exportlens.mrio.readers import read_national_io


def straightforward(table: MRIOTable) -> dict[str, np.ndarray]:
    """The textbook formulas with an explicit inverse and loops over province pairs."""
    g, n = table.n_regions, table.n_sectors
    x = table.x
    a = table.Z / x[None, :]
    v = table.VA.sum(axis=0) / x
    m = table.IM / x
    b = np.linalg.inv(np.eye(g * n) - a)
    vbe = np.zeros((g, g))
    mbe = np.zeros((g, g))
    for j in range(g):
        rows = slice(j * n, (j + 1) * n)
        for i in range(g):
            cols = slice(i * n, (i + 1) * n)
            vbe[j, i] = v[rows] @ b[rows, cols] @ table.E[cols]
            mbe[j, i] = m[rows] @ b[rows, cols] @ table.E[cols]
    dva = np.diag(vbe).copy()
    pva = np.array([sum(vbe[j, i] for j in range(g) if j != i) for i in range(g)])
    fva = mbe.sum(axis=0)
    return {"vbe": vbe, "mbe": mbe, "dva": dva, "pva": pva, "fva": fva, "b": b, "v": v, "m": m}


@pytest.mark.parametrize(("g", "n", "seed"), [(2, 3, 0), (4, 5, 1), (7, 6, 2), (5, 1, 3)])
def test_shares_sum_to_one_on_random_tables(g, n, seed):
    t = random_mrio_table(g, n, seed=seed, with_error=seed % 2 == 1)
    d = decompose_provincial(t)
    f = d.to_frame()
    np.testing.assert_allclose(f[["dvr", "pvr", "fvr"]].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(f["residual"], 0.0, atol=1e-9 * f["exports"].max())
    s = d.by_sector()
    np.testing.assert_allclose(s[["dvr", "pvr", "fvr"]].sum(axis=1), 1.0, atol=1e-12)
    assert (f[["dva", "pva", "fva"]] >= 0).all().all()
    # multipliers: column sums of VB + MB are one
    vb, mb = value_added_multipliers(t)
    np.testing.assert_allclose(vb.sum(axis=0) + mb.sum(axis=0), 1.0, atol=1e-12)
    assert f"PVR {f['pva'].sum() / f['exports'].sum():.3f}" in d.summary()


@pytest.mark.parametrize(("g", "n", "seed"), [(3, 4, 10), (6, 3, 11)])
def test_agrees_with_straightforward_implementation(g, n, seed):
    t = random_mrio_table(g, n, seed=seed)
    d = decompose_provincial(t)
    ref = straightforward(t)
    np.testing.assert_allclose(d.vbe, ref["vbe"], rtol=1e-10)
    np.testing.assert_allclose(d.mbe, ref["mbe"], rtol=1e-10)
    f = d.to_frame()
    for k in ("dva", "pva", "fva"):
        np.testing.assert_allclose(f[k].to_numpy(), ref[k], rtol=1e-10, err_msg=k)
    # by exporting sector: DVA_k = (V_i B)_k E_k with i the exporter of k
    s = d.by_sector()
    b, v = ref["b"], ref["v"]
    for k in range(g * n):
        i = k // n
        own = slice(i * n, (i + 1) * n)
        np.testing.assert_allclose(s["dva"].iloc[k], v[own] @ b[own, k] * t.E[k], rtol=1e-10)
        np.testing.assert_allclose(s["fva"].iloc[k], ref["m"] @ b[:, k] * t.E[k], rtol=1e-10)


def test_row_trick_gives_the_same_fva():
    """Imports row as an extra region ROW with no inputs and v = 1 (methods notes): V B E returns FVA."""
    t = random_mrio_table(3, 3, seed=5)
    n = t.size
    a_aug = np.zeros((n + 1, n + 1))
    a_aug[:n, :n] = t.A
    a_aug[n, :n] = t.M  # ROW "sells" imported inputs
    v_aug = np.concatenate([t.V, [1.0]])
    b_aug = np.linalg.inv(np.eye(n + 1) - a_aug)
    d = decompose_provincial(t)
    for i in range(t.n_regions):
        cols = slice(i * t.n_sectors, (i + 1) * t.n_sectors)
        fva_row = v_aug[n] * b_aug[n, :n][cols] @ t.E[cols]
        np.testing.assert_allclose(d.fva[i], fva_row, rtol=1e-10)


def test_invariance_to_permuting_regions_and_scaling():
    t = random_mrio_table(5, 4, seed=7)
    base = decompose_provincial(t).to_frame()
    order = ["R4", "R2", "R5", "R1", "R3"]
    perm = decompose_provincial(t.permuted(order)).to_frame()
    np.testing.assert_allclose(perm.loc[base.index, ["dva", "pva", "fva"]], base[["dva", "pva", "fva"]], rtol=1e-10)
    src = decompose_provincial(t).source_matrix("pva", shares=False)
    src_p = decompose_provincial(t.permuted(order)).source_matrix("pva", shares=False)
    np.testing.assert_allclose(src_p.loc[src.index, src.columns], src, rtol=1e-10, atol=1e-12)
    scaled = decompose_provincial(t.scaled(1e4)).to_frame()
    np.testing.assert_allclose(scaled[["dvr", "pvr", "fvr"]], base[["dvr", "pvr", "fvr"]], rtol=1e-12)
    np.testing.assert_allclose(scaled["dva"], 1e4 * base["dva"], rtol=1e-12)


def test_unbalanced_column_shows_in_residual():
    t = random_mrio_table(3, 3, seed=8)
    va = t.VA.copy()
    va[0, 4] *= 0.9  # column R2/S2 no longer adds up
    bad = MRIOTable.from_arrays(t.regions, t.sectors, t.Z, t.Y, categories=t.categories, VA=va,
                                va_components=t.va_components, E=t.E, IM=t.IM, x=t.x)
    f = decompose_provincial(bad).to_frame()
    ref = straightforward(bad)
    # residual_i = sum_{k in i} E_k (1 - ((v + m) B)_k)
    col = 1.0 - (ref["v"] + ref["m"]) @ ref["b"]
    expected = [(col * bad.E)[i * 3:(i + 1) * 3].sum() for i in range(3)]
    np.testing.assert_allclose(f["residual"].to_numpy(), expected, rtol=1e-8, atol=1e-10)
    assert np.abs(f["residual"]).max() > 1e-3


def test_sector_groups_and_source_matrix():
    t = random_mrio_table(3, 4, seed=9)
    d = decompose_provincial(t)
    groups = {"S1": "g1", "S2": "g1", "S3": "g2", "S4": "g2"}
    sg = d.by_sector_group(groups)
    totals = sg.groupby(level="region")[["exports", "dva", "pva", "fva"]].sum()
    np.testing.assert_allclose(totals.loc[list(t.regions)].to_numpy(),
                               d.to_frame()[["exports", "dva", "pva", "fva"]].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(sg[["dvr", "pvr", "fvr"]].sum(axis=1), 1.0, atol=1e-12)
    with pytest.raises(InputError, match="S4"):
        d.by_sector_group({"S1": "g1", "S2": "g1", "S3": "g2"})
    with pytest.raises(InputError, match="42-sector"):
        d.by_sector_group("sectors3")
    shares = d.source_matrix("pva")
    np.testing.assert_allclose(shares.sum(axis=0), 1.0, atol=1e-12)
    assert (np.diag(shares.to_numpy()) == 0).all()
    np.testing.assert_allclose(d.source_matrix("fva").sum(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(d.source_matrix("vbe").sum(axis=0) + d.to_frame()["fvr"].to_numpy(), 1.0, atol=1e-12)


def test_builtin_sector_grouping_of_42_sectors():
    codes = [f"{i:02d}" for i in range(1, 43)]
    m = sector_group_map("sectors3", codes)
    assert m["01"] == "primary" and m["02"] == "secondary" and m["27"] == "secondary" and m["28"] == "tertiary"
    m6 = sector_group_map("sectors6", codes)
    assert [m6[c] for c in ("01", "05", "06", "23", "24", "27", "42")] == [
        "agriculture", "mining", "manufacturing", "manufacturing", "utilities", "construction", "services"]
    with pytest.raises(InputError, match="Unknown sector grouping"):
        sector_group_map("nope", codes)


def test_national_decomposition_equals_one_region_case():
    t = random_mrio_table(1, 6, seed=4)
    nat = decompose_national(t)
    prov = decompose_provincial(t).to_frame()
    np.testing.assert_allclose(nat.dva.sum(), prov["dva"].iloc[0], rtol=1e-12)
    np.testing.assert_allclose(nat.fva.sum(), prov["fva"].iloc[0], rtol=1e-12)
    assert prov["pva"].iloc[0] == 0.0
    with pytest.raises(InputError, match="one-region"):
        decompose_national(random_mrio_table(2, 2, seed=0))


@pytest.mark.parametrize("year", [2017, 2018, 2020])
def test_real_national_tables(shared_data, year):
    t = read_national_io(shared_data / "io" / f"china_{year}_42.csv")
    d = decompose_national(t)
    # independent computation: DVA = v (I - A^D)^-1 E, FVA = 1'A^M (I - A^D)^-1 E
    x = t.x
    ad = t.Z / x[None, :]
    am = t.import_block / x[None, :]
    v = t.VA.sum(axis=0) / x
    bE = np.linalg.solve(np.eye(42) - ad, t.E)
    np.testing.assert_allclose(d.dva.sum(), v @ bE, rtol=1e-10)
    np.testing.assert_allclose(d.fva.sum(), am.sum(axis=0) @ bE, rtol=1e-10)
    np.testing.assert_allclose(d.fva_by_source_product().sum(), d.fva.sum(), rtol=1e-10)
    # plausible: China's domestic value-added share of exports is about 0.8 in these years
    assert 0.70 < d.dvr < 0.90
    assert abs(d.dvr + d.fvr - 1.0) < 1e-9
    frame = d.to_frame()
    assert (frame.loc[frame["exports"] > 0, "dvr"].between(0, 1)).all()
    # electronics (20) carries the largest FVA by source product or exporting sector
    assert frame["fva"].idxmax() == "20"
