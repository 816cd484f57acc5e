"""The out-of-core firm pipeline, written once in Ibis (DuckDB embedded; PySpark for clusters).

:func:`firm_pipeline` takes an Ibis backend connection and a table expression of raw
transactions and computes every measure of :mod:`exportlens.firms.measures` (formulas and
references are there) without loading the transactions into Python. Heavy steps are
aggregations that the engine runs out of core (DuckDB spills to its ``temp_directory`` when
``memory_limit`` is reached); intermediate firm-year tables are written to Parquet in a work
folder and read back (uncompressed on DuckDB), which works the same on DuckDB and Spark
(measured: as fast as DuckDB temporary tables here); the firm-level outputs are written by
the engine itself.

Passes over the transactions: cheap checks that the firm, product and destination ids are
complete (answered from the Parquet statistics); one grouping by firm x year x province x
industry value that both counts the invalid rows by reason (the validation report is its
roll-up) and sums the valid values (without complete ids: the exact row-by-row validation,
then that grouping of the clean rows); and one by firm x year x product x destination
(written once): the products, destinations and growth paths (new products and markets,
switching, extensive/intensive margins) are computed from it. Without the growth paths
(``growth_paths=False``) that pass is one grouping by product and one by destination, each
its own query (two hash aggregations in one query compete for memory, and one grouping by
both keys is wider than the two: both slower at 50 million rows). Years and province values
are mapped to integers and codes after grouping. The dominant province and industry of a
firm-year come from one aggregate when it reports one of each (most do), else from one
``arg_min`` aggregate each (no window). With the optional ``ownership`` / ``trade_mode`` column roles set, one more grouping
per role gives the firm-year's label: the one with the largest summed export value that year
(ties: the smallest label; rows with a missing label are left out of this choice; a firm-year
whose labels are all missing has none; exit rows keep last year's label). Everything after that works on firm-year tables (about one row per firm and year).

Determinism: engine partial sums come back in any row order; they are sorted by key before
the pandas roll-up, and national totals are rolled up from industry totals with
``math.fsum``, so repeated runs give the same aggregates.

Python::

    import ibis
    from exportlens.firms import ColumnMap, FirmMeasureSpec, connect_duckdb, firm_pipeline
    from exportlens.firms.io import open_transactions

    con = connect_duckdb(memory_limit="3GB", threads=2, temp_directory="out/_duckdb_tmp")
    raw = open_transactions(con, "customs/", ColumnMap(firm="企业编码", value="美元"))
    result = firm_pipeline(con, raw, columns=..., spec=FirmMeasureSpec(shock_year=2009), out_dir="out")

On Spark: ``con = ibis.pyspark.connect(spark_session)``; the rest is unchanged.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import DataFormatError
from exportlens.firms.io import (
    LABEL_ROLES,
    ColumnMap,
    add_invalid_examples,
    clean_groups,
    clean_transactions,
    fetch_pandas,
    labels_complete,
    raise_for_invalid,
    report_from_groups,
    validate,
    validation_groups,
)
from exportlens.firms.measures import (
    AGGREGATE_YEAR_COLUMNS,
    FIRM_SHOCK_COLUMNS,
    FIRM_YEAR_COLUMNS,
    GROWTH_PATH_COLUMNS,
    LEVELS,
    SHOCK_AGGREGATE_COLUMNS,
    FirmMeasures,
    FirmMeasureSpec,
    Phases,
    benchmark_row,
    build_notes,
    check_consecutive_years,
    province_names,
)
from exportlens.regions import assign_group

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

__all__ = [
    "PIPELINE_STEPS",
    "connect_duckdb",
    "dhs_growth_expr",
    "firm_pipeline",
    "herfindahl_expr",
    "relative_growth_index_expr",
]

#: Progress messages of :func:`firm_pipeline`, in order.
PIPELINE_STEPS = (
    "validate rows",
    "firm x year x province x industry",
    "products and destinations",
    "DHS growth, entry and exit",
    "shock cohort: survival, resistance, recovery",
    "aggregates",
)


def connect_duckdb(*, memory_limit: str = "3GB", threads: int = 2, temp_directory: str | Path | None = None) -> Any:
    """An in-memory DuckDB connection with explicit resource settings.

    ``memory_limit`` caps DuckDB's buffer memory (the process needs some more for Python,
    Arrow and the result frames: 3 GB keeps a 100-million-row run under 4 GB);
    ``temp_directory`` is where DuckDB spills when the limit is reached (created if
    needed). ``preserve_insertion_order=false`` lets large writes stream without buffering.

    Examples
    --------
    >>> from exportlens.firms import connect_duckdb
    >>> con = connect_duckdb(memory_limit="1GB", threads=1, temp_directory="duckdb_tmp")
    >>> con.name
    'duckdb'
    >>> con.raw_sql("SELECT current_setting('threads')").fetchone()[0]
    1
    """
    import ibis

    config: dict[str, Any] = {"memory_limit": memory_limit, "threads": int(threads),
                              "preserve_insertion_order": False}
    if temp_directory is not None:
        Path(temp_directory).mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_directory)
    return ibis.duckdb.connect(**config)


#: The backend whose float sums :func:`_fsum` writes (set by :func:`firm_pipeline` for its run).
_SUM_BACKEND: ContextVar[str] = ContextVar("exportlens_firm_sum_backend", default="")


def _fsum(x: Any, where: Any = None) -> Any:
    """Σx as an Ibis reduction; on DuckDB the compensated ``fsum`` (Kahan-Babuška-Neumaier).

    DuckDB adds the partial sums of its threads in whatever order they finish, so a plain
    float ``sum`` can differ in the last digits between runs; the compensated sum carries
    the rounding error along and gives the same double in practice whatever the order.
    Other engines (Spark) use their ``sum``.
    """
    import ibis

    if _SUM_BACKEND.get() != "duckdb":
        return x.sum(where=where)

    def fsum(x: Any) -> Any:  # the builtin's body is never called
        raise NotImplementedError

    udf = ibis.udf.agg.builtin(fsum, name="fsum", signature=(("float64",), "float64"))
    return udf(x.cast("float64"), where=where)


# --- formulas as Ibis expressions ----------------------------------------------------------
# The engine cannot call NumPy, so each formula the pipeline needs is written here once as an
# Ibis expression: the twin of one kernel of exportlens.measures.kernels (formula, reference
# and conventions are in the kernel's docstring; the pandas reference calls the kernel).
# tests/test_kernels.py runs each expression on DuckDB and checks it equals the kernel.


def dhs_growth_expr(current: ir.NumericValue, previous: ir.NumericValue) -> ir.FloatingValue:
    """DHS growth 2 (x_t − x_t−1) / (x_t + x_t−1) as an Ibis expression.

    Null where x_t + x_t−1 is 0 or either value is null. The same formula and conventions
    as :func:`exportlens.measures.kernels.dhs_growth_rate` (Davis, Haltiwanger & Schuh 1996).

    Examples
    --------
    The engine computes what the NumPy kernel computes (growth, exit, entry, no activity):

    >>> import ibis
    >>> from exportlens.firms import dhs_growth_expr
    >>> from exportlens.measures.kernels import dhs_growth_rate
    >>> t = ibis.memtable({"x": [120.0, 0.0, 5.0, 0.0], "x_lag": [100.0, 50.0, 0.0, 0.0]})
    >>> t.select(g=dhs_growth_expr(t.x, t.x_lag)).to_pandas()["g"].round(4).tolist()
    [0.1818, -2.0, 2.0, nan]
    >>> dhs_growth_rate([120.0, 0.0, 5.0, 0.0], [100.0, 50.0, 0.0, 0.0]).round(4).tolist()
    [0.1818, -2.0, 2.0, nan]
    """
    import ibis

    denom = current + previous
    return ibis.cases((denom > 0, 2.0 * (current - previous) / denom), else_=ibis.null("float64"))


def herfindahl_expr(values: ir.NumericColumn) -> ir.FloatingScalar:
    """Herfindahl index of the group's values, Σx² / (Σx)² = Σ (x / Σx)², as an Ibis reduction.

    Use it in ``aggregate`` (one index per group); null where Σx is 0. The same formula as
    :func:`exportlens.measures.kernels.herfindahl` (Herfindahl 1950; Hirschman 1964),
    written with the two sums so that the engine needs no window over the group.

    Examples
    --------
    Shares 0.6 and 0.4 give 0.36 + 0.16 = 0.52; three equal values give 1/3:

    >>> import ibis
    >>> from exportlens.firms import herfindahl_expr
    >>> t = ibis.memtable({"firm": ["a", "a", "b", "b", "b"], "v": [60.0, 40.0, 10.0, 10.0, 10.0]})
    >>> out = t.group_by("firm").aggregate(hhi=herfindahl_expr(t.v)).order_by("firm").to_pandas()
    >>> out["hhi"].round(4).tolist()
    [0.52, 0.3333]
    """
    import ibis

    total = _fsum(values)
    return ibis.cases((total > 0, _fsum(values * values) / (total * total)), else_=ibis.null("float64"))


def relative_growth_index_expr(growth: ir.NumericValue, benchmark_growth: ir.NumericValue | float) -> ir.FloatingValue:
    """Lagravinese's resistance / recovery index (g − g_B) / |g_B| as an Ibis expression.

    ``benchmark_growth`` is a column (e.g. the firm's industry) or a number (the nation).
    The same formula as :func:`exportlens.measures.kernels.relative_growth_index`
    (Lagravinese 2015, CJRES 8(2)).

    Examples
    --------
    Against a benchmark that fell by 20 %: a firm that fell by 25 % scores −0.25, one that
    grew by 10 % scores 1.5:

    >>> import ibis
    >>> from exportlens.firms import relative_growth_index_expr
    >>> t = ibis.memtable({"g": [-0.25, -1.0, 0.1]})
    >>> t.select(r=relative_growth_index_expr(t.g, -0.2)).to_pandas()["r"].round(4).tolist()
    [-0.25, -4.0, 1.5]
    """
    import ibis

    gb = benchmark_growth if isinstance(benchmark_growth, ibis.Expr) else ibis.literal(float(benchmark_growth))
    return (growth - gb) / gb.abs()


# --- pipeline steps ------------------------------------------------------------------------


def _materialize(con: Any, expr: ir.Table, path: Path, *, compressed: bool = False) -> ir.Table:
    """Write ``expr`` to Parquet (a file on DuckDB, a folder on Spark) and read it back.

    Intermediates (firm-year tables, deleted at the end) are written uncompressed on DuckDB
    unless ``compressed``: they are read back once or twice, and compressing them cost more
    CPU than it saved (measured at 50 million rows: about 0.3 s per two-million-row table).
    The outputs and the large product x destination table stay compressed."""
    kw = {"compression": "uncompressed"} if not compressed and getattr(con, "name", "") == "duckdb" else {}
    con.to_parquet(expr, str(path), **kw)
    return con.read_parquet(str(path))


def _arg_min(backend: str, arg: Any, key: Any) -> Any:
    """The engine's native "value of ``arg`` at the smallest ``key``" aggregate (DuckDB
    ``arg_min``, Spark ``min_by``): one pass, no sort and no window. Ibis' own ``argmin``
    compiles to an ordered ``FIRST(... ORDER BY ...)`` aggregate on DuckDB, which sorts."""
    import ibis

    def fn(arg: Any, key: Any) -> Any:  # the builtin's body is never called
        raise NotImplementedError

    udf = ibis.udf.agg.builtin(fn, name="min_by" if backend == "pyspark" else "arg_min",
                               signature=((arg.type(), key.type()), arg.type()))
    return udf(arg, key)


def _dominant(pk: ir.Table, key: str, backend: str, **more: Any) -> ir.Table:
    """Per firm-year: the ``key`` value with the largest exports (ties: smallest) and how many.

    ``pk`` holds one row per firm x year x ``key`` with its export value ``v``. The choice is
    one aggregate: the ``key`` at the smallest (−v, key), compared as a struct (first −v,
    then the key itself), which is the tie rule. ``more``: further aggregates of the same
    grouping (e.g. the firm-year's exports), computed in the same pass."""
    import ibis

    order = ibis.struct({"nv": -pk.v, "k": pk[key]})
    return pk.group_by("firm", "year").aggregate(
        **{key: _arg_min(backend, pk[key], order), "n": pk.v.count().cast("int64")}, **more,
    )


def _attributes(g: ir.Table, backend: str) -> ir.Table:
    """Per firm-year: exports E_ft, the dominant province ``code`` and ``industry`` (largest
    export value; ties: the smallest) and ``n_provinces`` / ``n_industries``.

    ``g`` holds one row per firm x year x province x industry (value ``v``). Most firm-years
    report one province and one industry: one aggregate finds them (smallest = largest code
    and industry) and gives their attributes directly. Only the others go through the
    general rule, summing by province and by industry first (:func:`_dominant`); the two
    parts are stacked (measured at 50 million rows: half the time of the general rule for
    every firm-year)."""
    import ibis

    a = g.group_by("firm", "year").aggregate(
        exports=_fsum(g.v), c0=g.code.min(), c1=g.code.max(), i0=g.industry.min(), i1=g.industry.max(),
    )
    one = (a.c0 == a.c1) & (a.i0 == a.i1)
    cols = ("firm", "year", "exports", "code", "n_provinces", "industry", "n_industries")
    single = a.filter(one).select(
        "firm", "year", "exports", code=a.c0.cast("int64"), n_provinces=ibis.literal(1, "int64"),
        industry=a.i0, n_industries=ibis.literal(1, "int64"),
    )
    several = a.filter(~one).select("firm", "year")
    gm = g.semi_join(several, ["firm", "year"])
    by_code = gm.group_by("firm", "year", "code").aggregate(v=_fsum(gm.v))
    by_ind = gm.group_by("firm", "year", "industry").aggregate(v=_fsum(gm.v))
    # E_ft, the dominant province and n_provinces in one aggregate of by_code
    prov = _dominant(by_code, "code", backend, exports=_fsum(by_code.v)).rename(n_provinces="n")
    ind = _dominant(by_ind, "industry", backend).rename(n_industries="n")
    general = prov.join(ind, ["firm", "year"]).select(
        "firm", "year", "exports", code=prov.code.cast("int64"), n_provinces="n_provinces",
        industry="industry", n_industries="n_industries",
    )
    return single.select(*cols).union(general.select(*cols), distinct=False)


def _diversification(pk: ir.Table, key: str, prefix: str) -> ir.Table:
    """Per firm-year: count of ``key`` values with positive exports and their HHI (``pk``:
    one row per firm x year x ``key`` with its export value ``v``)."""
    return pk.group_by("firm", "year").aggregate(
        **{f"n_{prefix}": (pk.v > 0).cast("int64").sum(), f"hhi_{prefix}": herfindahl_expr(pk.v)},
    )


def _firm_year(recorded: ir.Table, first: int, last: int, labels: tuple[str, ...] = ()) -> ir.Table:
    """Recorded firm-years plus exit rows, with E_t−1, DHS growth and status (exit rows keep
    last year's province, industry and ``labels``)."""
    import ibis

    lagged = recorded.select(
        firm_l=recorded.firm, year_l=recorded.year + 1, exports_l=recorded.exports,
        code_l=recorded.code, industry_l=recorded.industry, **{f"{r}_l": recorded[r] for r in labels},
    )
    lagged = lagged.filter(lagged.year_l <= last)
    j = recorded.outer_join(lagged, [recorded.firm == lagged.firm_l, recorded.year == lagged.year_l])
    is_exit = j.firm.isnull()
    year = ibis.coalesce(j.year, j.year_l)
    e = ibis.coalesce(j.exports, 0.0)
    el = ibis.cases((year == first, ibis.null("float64")), else_=ibis.coalesce(j.exports_l, 0.0))
    dhs = dhs_growth_expr(e, el)
    status = ibis.cases(
        (el.isnull(), ibis.null("string")),
        ((e > 0) & (el > 0), "continuer"), ((e > 0) & (el == 0), "entry"),
        ((e == 0) & (el > 0), "exit"), else_="inactive",
    )

    def zero_if_exit(col: Any) -> Any:
        return ibis.cases((is_exit, 0), else_=col).cast("int64")

    return j.select(
        firm=ibis.coalesce(j.firm, j.firm_l), year=year.cast("int64"),
        code=ibis.coalesce(j.code, j.code_l).cast("int64"), industry=ibis.coalesce(j.industry, j.industry_l),
        exports=e, exports_lag=el, dhs_growth=dhs, status=status,
        n_products=zero_if_exit(j.n_products), n_destinations=zero_if_exit(j.n_destinations),
        hhi_products=j.hhi_products, hhi_destinations=j.hhi_destinations,
        n_provinces=zero_if_exit(j.n_provinces), n_industries=zero_if_exit(j.n_industries),
        **{r: ibis.cases((is_exit, j[f"{r}_l"]), else_=j[r]) for r in labels},
    )


def _changes(k: ir.Table, keys: list[str], last: int) -> ir.Table:
    """Per firm-year: what was added, dropped and kept of the ``keys`` since t−1 (``k``: one row
    per firm x year x key value(s) with its exports ``v``; formulas in :mod:`exportlens.firms.measures`,
    "Growth paths"). The table and its copy shifted by a year are stacked and grouped (a hash
    aggregate instead of an outer join): v and v_t−1 of each key side by side."""
    import ibis

    now = k.select("firm", "year", *keys, v=k.v, vl=ibis.literal(0.0))
    before = k.select("firm", *keys, year=k.year + 1, v=ibis.literal(0.0), vl=k.v)
    before = before.filter(before.year <= last).select(*now.columns)
    u = now.union(before, distinct=False)
    j = u.group_by("firm", "year", *keys).aggregate(v=u.v.max(), vl=u.vl.max())
    added, dropped, kept = (j.v > 0) & (j.vl <= 0), (j.v <= 0) & (j.vl > 0), (j.v > 0) & (j.vl > 0)

    def count(cond: Any) -> Any:
        return ibis.cases((cond, 1), else_=0).cast("int64").sum()

    return j.group_by("firm", "year").aggregate(
        n_added=count(added), n_dropped=count(dropped), n_now=count(j.v > 0), n_before=count(j.vl > 0),
        v_added=_fsum(j.v, where=added), v_dropped=_fsum(j.vl, where=dropped),
        d_kept=_fsum(j.v - j.vl, where=kept),
    )


def _growth_paths(fy: ir.Table, prod: ir.Table, dest: ir.Table, pairs: ir.Table, first: int) -> ir.Table:
    """``fy`` with the growth-path columns (products, destinations, pairs: :func:`_changes`)."""
    import ibis

    null = ibis.null("float64")
    out = fy.view()
    for name, ch in (("products", prod), ("destinations", dest), ("pairs", pairs)):
        r = ch.rename(**{f"{c}_{name}": c for c in ch.columns}).view()
        j = out.left_join(r, [out.firm == r[f"firm_{name}"], out.year == r[f"year_{name}"]])
        out = j.select(*out.columns, *(c for c in r.columns if c not in (f"firm_{name}", f"year_{name}")))
    later = out.year > first
    cont = later & (out.exports > 0) & (out.exports_lag > 0)
    cols: dict[str, Any] = {}
    for name in ("products", "destinations"):
        n_added = ibis.coalesce(out[f"n_added_{name}"], 0)
        v_added = ibis.coalesce(out[f"v_added_{name}"], 0.0)
        cols[f"new_{name}"] = ibis.cases((later, n_added), else_=ibis.null("int64")).cast("int64")
        cols[f"new_{name}_share"] = ibis.cases((later & (out.exports > 0), v_added / out.exports), else_=null)
        moved = (n_added + ibis.coalesce(out[f"n_dropped_{name}"], 0)).cast("float64")
        seen = (ibis.coalesce(out[f"n_now_{name}"], 0) + ibis.coalesce(out[f"n_before_{name}"], 0)).cast("float64")
        short = "product" if name == "products" else "destination"
        cols[f"{short}_switching"] = ibis.cases((cont & (seen > 0), moved / seen), else_=null)
    mid = (out.exports + out.exports_lag) / 2
    ok = later & (mid > 0)
    ext = ibis.coalesce(out.v_added_pairs, 0.0) - ibis.coalesce(out.v_dropped_pairs, 0.0)
    cols["margin_extensive"] = ibis.cases((ok, ext / mid), else_=null)
    cols["margin_intensive"] = ibis.cases((ok, ibis.coalesce(out.d_kept_pairs, 0.0) / mid), else_=null)
    return out.select(*fy.columns, **cols)


def _growth(num_new: Any, num_old: Any) -> Any:
    import ibis

    return ibis.cases((num_old > 0, (num_new - num_old) / num_old), else_=ibis.null("float64"))


def _benchmarks(fine: ir.Table, ph: Phases, spec: FirmMeasureSpec) -> pd.DataFrame:
    """National and industry totals at base, shock and recovery (row-level industry).

    One query: industry totals, rolled up to the nation in pandas in industry order (a
    fixed summation order: the same result on every run)."""
    import pandas as pd

    totals = fine.group_by("industry").aggregate(
        **{f"e_{k}": _fsum(fine.value, where=fine.year == y) for k, y in (("b", ph.base), ("s", ph.shock),
                                                                          ("r", ph.recovery))},
    )
    ind = fetch_pandas(totals).sort_values("industry", kind="mergesort").reset_index(drop=True)
    nat = {c: _ordered_sum(ind[c].map(_num)) for c in ("e_b", "e_s", "e_r")}
    rows = [benchmark_row("national", None, _num(nat["e_b"]), _num(nat["e_s"]), _num(nat["e_r"]), spec)]
    rows += [benchmark_row("industry", r["industry"], _num(r["e_b"]), _num(r["e_s"]), _num(r["e_r"]), spec)
             for _, r in ind.iterrows()]
    return pd.DataFrame(rows)


def _ordered_sum(values: Any) -> float:
    """The correctly rounded sum (``math.fsum``): the same double whatever the order."""
    return math.fsum(float(v) for v in values)


def _int(x: Any) -> int:
    return 0 if x is None or x != x else int(x)


def _num(x: Any) -> float:
    return 0.0 if x is None or x != x else float(x)


def _firm_shock(fy: ir.Table, bench: pd.DataFrame, ph: Phases) -> ir.Table:
    import ibis

    per = fy.group_by("firm").aggregate(
        exports_base=_fsum(fy.exports, where=fy.year == ph.base),
        exports_shock=_fsum(fy.exports, where=fy.year == ph.shock),
        exports_recovery=_fsum(fy.exports, where=fy.year == ph.recovery),
        exit_year=fy.year.min(where=(fy.year > ph.base) & (fy.exports <= 0)),
    )
    base = fy.filter(fy.year == ph.base).select(firm_b="firm", code="code", industry="industry")
    c = per.join(base, per.firm == base.firm_b).drop("firm_b")
    c = c.mutate(
        exports_shock=ibis.coalesce(c.exports_shock, 0.0), exports_recovery=ibis.coalesce(c.exports_recovery, 0.0),
    )
    c = c.filter(c.exports_base > 0)
    g_c = _growth(c.exports_shock, c.exports_base)
    g_v = _growth(c.exports_recovery, c.exports_shock)
    nat = bench.iloc[0]
    null = ibis.null("float64")

    def index(g: Any, gb: float, usable: bool) -> Any:
        return relative_growth_index_expr(g, gb) if usable else null

    ind = bench[bench["scope"] == "industry"]
    gi_c = {r["industry"]: float(r["growth_contraction"]) for _, r in ind.iterrows() if r["usable_contraction"]}
    gi_v = {r["industry"]: float(r["growth_recovery"]) for _, r in ind.iterrows() if r["usable_recovery"]}
    bi_c = c.industry.substitute(gi_c, else_=null) if gi_c else null
    bi_v = c.industry.substitute(gi_v, else_=null) if gi_v else null
    return c.select(
        "firm", "code", "industry", "exports_base", "exports_shock", "exports_recovery",
        exit_year=c.exit_year.cast("int64"),
        survived_shock=c.exit_year.isnull() | (c.exit_year > ph.shock),
        survived_recovery=c.exit_year.isnull() | (c.exit_year > ph.recovery),
        growth_contraction=g_c, growth_recovery=g_v,
        resistance_national=index(g_c, float(nat["growth_contraction"]), bool(nat["usable_contraction"])),
        recovery_national=index(g_v, float(nat["growth_recovery"]), bool(nat["usable_recovery"])),
        resistance_industry=relative_growth_index_expr(g_c, bi_c) if gi_c else null,
        recovery_industry=relative_growth_index_expr(g_v, bi_v) if gi_v else null,
    )


# Additive partial sums per province x industry (x year). Every aggregate of every level is
# a ratio of sums of these, so one small query per kind serves all levels (the roll-up is
# exact) instead of one query per level and kind.
_YEAR_COUNTS = ("n_firms", "n_entries", "n_exits", "n_continuers")
_COHORT_COUNTS = ("cohort_firms", "cohort_survivors")
_SHOCK_INDICES = {"resistance_national": "exports_base", "recovery_national": "exports_shock",
                  "resistance_industry": "exports_base", "recovery_industry": "exports_shock"}


def _year_partials(fy: ir.Table) -> ir.Table:
    import ibis

    active = fy.exports > 0
    has_dhs = fy.dhs_growth.notnull()
    w_dhs = (fy.exports + fy.exports_lag) / 2

    def flag(cond: Any) -> Any:  # status is null in the first year: count it as 0
        return ibis.cases((cond, 1), else_=0).cast("int64").sum()

    metrics = {
        "n_firms": flag(active), "exports": _fsum(fy.exports),
        "n_entries": flag(fy.status == "entry"), "n_exits": flag(fy.status == "exit"),
        "n_continuers": flag(fy.status == "continuer"),
        "dhs_sum": _fsum(fy.dhs_growth), "dhs_n": fy.dhs_growth.count(),
        "dhs_num": _fsum(w_dhs * fy.dhs_growth, where=has_dhs), "dhs_den": _fsum(w_dhs, where=has_dhs),
        "np_sum": fy.n_products.sum(where=active), "nd_sum": fy.n_destinations.sum(where=active),
    }
    for k, col in (("hp", fy.hhi_products), ("hd", fy.hhi_destinations)):
        metrics[f"{k}_sum"] = _fsum(col, where=active)
        metrics[f"{k}_n"] = col.count(where=active)
        metrics[f"{k}_num"] = _fsum(fy.exports * col, where=col.notnull())
        metrics[f"{k}_den"] = _fsum(fy.exports, where=col.notnull())
    return fy.group_by("code", "industry", "year").aggregate(**metrics)


def _survival_partials(fs: ir.Table, ph: Phases) -> ir.Table:
    import ibis

    years = ibis.range(ph.base, ph.last + 1).unnest().name("y").as_table()
    cy = fs.cross_join(years)
    alive = (cy.exit_year.isnull() | (cy.exit_year > cy.y)).cast("int64")
    return cy.group_by("code", "industry", cy.y.name("year")).aggregate(
        cohort_firms=cy.firm.count(), cohort_survivors=alive.sum(),
        s_num=_fsum(cy.exports_base * alive.cast("float64")), s_den=_fsum(cy.exports_base),
    )


def _shock_partials(fs: ir.Table) -> ir.Table:
    alive_s = fs.exports_shock > 0
    ss = fs.survived_shock.cast("int64")
    sr = fs.survived_recovery.cast("int64")
    metrics = {
        "cohort_firms": fs.firm.count(), "exports_base": _fsum(fs.exports_base),
        "exports_shock": _fsum(fs.exports_shock), "exports_recovery": _fsum(fs.exports_recovery),
        "ss_n": ss.sum(), "ss_num": _fsum(fs.exports_base * ss.cast("float64")),
        "sr_n": sr.sum(), "sr_num": _fsum(fs.exports_base * sr.cast("float64")),
        "rs_num": _fsum(fs.exports_recovery, where=alive_s), "rs_den": _fsum(fs.exports_shock, where=alive_s),
    }
    for m, w in _SHOCK_INDICES.items():
        ok = fs[m].notnull()
        metrics[f"{m}_sum"] = _fsum(fs[m])
        metrics[f"{m}_n"] = fs[m].count()
        metrics[f"{m}_num"] = _fsum(fs[w] * fs[m], where=ok)
        metrics[f"{m}_den"] = _fsum(fs[w], where=ok)
    return fs.group_by("code", "industry").aggregate(**metrics)


def _div(num: Any, den: Any) -> Any:
    """num / den where den > 0, else NaN (sums of nothing are 0 or missing), as a float array."""
    import numpy as np

    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / d, np.nan)


def _col(s: pd.DataFrame, name: str) -> Any:
    import numpy as np

    return np.asarray(s[name], dtype=float)


def _rollup_year(part: pd.DataFrame, surv: pd.DataFrame, keys: list[str], ph: Phases) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    by = [*keys, "year"]
    s = part.groupby(by, sort=True).sum(numeric_only=True, min_count=1)
    c = {name: _col(s, name) for name in s.columns}
    first = s.index.get_level_values("year") == ph.first
    cols: dict[str, Any] = {k: np.nan_to_num(c[k], nan=0.0).astype("int64") for k in _YEAR_COUNTS}
    cols["exports"] = np.nan_to_num(c["exports"], nan=0.0)
    cols["entry_rate"] = np.where(first, np.nan, _div(c["n_entries"], c["n_firms"]))
    cols["exit_rate"] = np.where(first, np.nan, _div(c["n_exits"], c["n_exits"] + c["n_continuers"]))
    cols["dhs_growth_fw"] = _div(c["dhs_sum"], c["dhs_n"])
    cols["dhs_growth_vw"] = _div(c["dhs_num"], c["dhs_den"])
    cols["n_products_mean"] = _div(c["np_sum"], c["n_firms"])
    cols["n_destinations_mean"] = _div(c["nd_sum"], c["n_firms"])
    for k, name in (("hp", "hhi_products"), ("hd", "hhi_destinations")):
        cols[f"{name}_fw"] = _div(c[f"{k}_sum"], c[f"{k}_n"])
        cols[f"{name}_vw"] = _div(c[f"{k}_num"], c[f"{k}_den"])
    out = pd.DataFrame(cols, index=s.index)
    v = surv.groupby(by, sort=True).sum(numeric_only=True)
    cf, cs = _col(v, "cohort_firms"), _col(v, "cohort_survivors")
    sv = pd.DataFrame({"cohort_firms": v["cohort_firms"], "cohort_survivors": v["cohort_survivors"],
                       "survival_rate_fw": _div(cs, cf), "survival_rate_vw": _div(_col(v, "s_num"), _col(v, "s_den"))},
                      index=v.index)
    out = out.join(sv, how="outer")
    for k in (*_YEAR_COUNTS, *_COHORT_COUNTS):
        out[k] = out[k].fillna(0).astype("int64")
    out["exports"] = out["exports"].fillna(0.0)
    return out.reset_index()[[*keys, *AGGREGATE_YEAR_COLUMNS]]


def _rollup_shock(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    import pandas as pd

    s = part.groupby(keys, sort=True).sum(numeric_only=True) if keys else part.sum(numeric_only=True).to_frame().T
    c = {name: _col(s, name) for name in s.columns}
    cols: dict[str, Any] = {"cohort_firms": c["cohort_firms"].astype("int64")}
    for k in ("exports_base", "exports_shock", "exports_recovery"):
        cols[k] = c[k]
    cols["survival_shock_fw"] = _div(c["ss_n"], c["cohort_firms"])
    cols["survival_shock_vw"] = _div(c["ss_num"], c["exports_base"])
    cols["survival_recovery_fw"] = _div(c["sr_n"], c["cohort_firms"])
    cols["survival_recovery_vw"] = _div(c["sr_num"], c["exports_base"])
    cols["growth_contraction"] = _div(c["exports_shock"] - c["exports_base"], c["exports_base"])
    cols["growth_recovery"] = _div(c["rs_num"] - c["rs_den"], c["rs_den"])
    for m in _SHOCK_INDICES:
        cols[f"{m}_fw"] = _div(c[f"{m}_sum"], c[f"{m}_n"])
        cols[f"{m}_vw"] = _div(c[f"{m}_num"], c[f"{m}_den"])
    out = pd.DataFrame(cols, index=s.index)
    out = out.reset_index() if keys else out.reset_index(drop=True)
    return out[[*keys, *SHOCK_AGGREGATE_COLUMNS]]


def _with_group(frame: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """Partial sums as floats/ints (nulls of empty sums as NaN) with the region group added."""
    import pandas as pd

    keys = [c for c in ("code", "industry", "year") if c in frame.columns]
    # rows come back from the engine in any order; sorting by key fixes the order of the
    # pandas roll-up sums (floating-point addition is not associative)
    frame = frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
    for c in frame.columns:
        if c not in ("code", "industry", "year"):
            frame[c] = pd.to_numeric(frame[c])

    codes = sorted(int(c) for c in frame["code"].unique())
    groups = dict(zip(codes, assign_group(codes, grouping).tolist(), strict=True))
    return frame.assign(group=frame["code"].map(groups))


def firm_pipeline(
    con: Any,
    transactions: ir.Table,
    *,
    columns: ColumnMap | None = None,
    spec: FirmMeasureSpec | None = None,
    out_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> FirmMeasures:
    """Every firm measure and aggregate, computed by the Ibis backend ``con``.

    ``transactions`` is the raw table (e.g. from :func:`exportlens.firms.io.open_transactions`)
    with the user's column names given by ``columns``. With ``out_dir`` the firm-level
    tables are written there (``firm_year.parquet``, ``firm_shock.parquet``; folders on
    Spark) and not loaded (``result.files``); intermediates go to ``out_dir/_work`` and are
    deleted at the end. Without it a temporary folder is used and the firm-level tables are
    returned as DataFrames (small data). On a Spark cluster ``out_dir`` must be a folder every
    executor can reach (a shared file system). Aggregates are always returned as DataFrames:
    the engine computes additive partial sums per province x industry (x year) and these are
    rolled up exactly to every level. ``progress(step)`` is called before each of
    :data:`PIPELINE_STEPS`.

    Examples
    --------
    A few SYNTHETIC transactions in memory, run on DuckDB; the result equals the pandas
    reference implementation:

    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("valid")
    >>> from exportlens.firms import (FirmMeasureSpec, connect_duckdb, firm_measures_pandas,
    ...                               firm_pipeline)
    >>> spec = FirmMeasureSpec(shock_year=2009, recovery_year=2010)
    >>> con = connect_duckdb(memory_limit="1GB", threads=1)
    >>> steps = []
    >>> result = firm_pipeline(con, con.create_table("tx", tx), spec=spec, progress=steps.append)
    >>> result.backend, result.firms, len(steps)
    ('duckdb', 3, 6)
    >>> result.national_year[["year", "n_firms", "n_entries", "n_exits", "dhs_growth_vw"]].round(4)
       year  n_firms  n_entries  n_exits  dhs_growth_vw
    0  2007        2          0        0            NaN
    1  2008        2          0        0         0.1250
    2  2009        2          1        1        -0.4286
    3  2010        2          0        0         0.2400
    >>> reference = firm_measures_pandas(tx, spec=spec)
    >>> pd.testing.assert_frame_equal(result.firm_year, reference.firm_year)
    >>> pd.testing.assert_frame_equal(result.province_year, reference.province_year)

    For data larger than memory, read the files with
    :func:`~exportlens.firms.io.open_transactions` and pass ``out_dir``: the firm-level
    tables are then written to ``out_dir/firm_year.parquet`` and ``firm_shock.parquet``
    (``result.files``) instead of being returned.
    """

    columns = columns or ColumnMap()
    spec = spec or FirmMeasureSpec()
    step = progress or (lambda _msg: None)
    backend = getattr(con, "name", "ibis")

    token = _SUM_BACKEND.set(backend)
    try:
        return _run(con, transactions, columns, spec, out_dir, step, backend)
    finally:
        _SUM_BACKEND.reset(token)


def _run(con: Any, transactions: ir.Table, columns: ColumnMap, spec: FirmMeasureSpec, out_dir: str | Path | None,
         step: Callable[[str], None], backend: str) -> FirmMeasures:
    import ibis

    tmp = None
    made_dir = False
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="exportlens-firms-")
        final_dir = work_root = Path(tmp.name)
    else:
        final_dir = Path(out_dir)
        made_dir = not final_dir.exists()
        final_dir.mkdir(parents=True, exist_ok=True)
        work_root = final_dir
    work = work_root / "_work"
    work.mkdir(exist_ok=True)
    ok = False
    try:
        step(PIPELINE_STEPS[0])
        # With complete firm, product and destination ids (cheap checks from the file
        # statistics), one grouping by firm x year value x province value x industry value
        # counts the invalid rows by reason and sums the valid values: the validation report
        # is its roll-up (a few thousand rows) and its valid groups are the firm x year x
        # province x industry table. Otherwise: the exact row-by-row validation, then that
        # grouping of the clean rows.
        fine = None
        if labels_complete(transactions, columns):
            fine = _materialize(con, validation_groups(transactions, columns, value_sum=_fsum), work / "fine.parquet")
            counts = {c: fine[c].sum() for c in ("n", "v_missing", "v_bad", "v_neg")}
            report = report_from_groups(fine.group_by("y", "p", "i").aggregate(**counts), columns)
            add_invalid_examples(transactions, columns, report)
        else:
            report = validate(transactions, columns)
        raise_for_invalid(report, spec.invalid)
        if report.rows_used == 0:
            raise DataFormatError(f"No valid transaction rows remain ({report.rows_read:,} read): nothing to measure.")
        first, last = check_consecutive_years(report.years)
        ph = spec.phases(first, last)
        clean = clean_transactions(transactions, columns, report)

        step(PIPELINE_STEPS[1])
        # Three scans of the transactions in all (values cast in each, no cast table written):
        # this one (firm x year x province x industry, a small table that also gives the
        # industry benchmarks; the validation's when it made it), and one per grouping by
        # product and by destination. Provinces and years are mapped to codes and integers
        # after the grouping (far fewer rows than transactions).
        if fine is not None:
            g = clean_groups(fine, columns, report)
        else:
            g = clean.group_by("firm", "year", "province_raw", "industry").aggregate(v=_fsum(clean.value))
            g = _materialize(con, g, work / "fpi.parquet")
        g = g.mutate(code=g.province_raw.substitute(report.province_codes, else_=ibis.null("int64")).cast("int64"))
        g = g.drop("province_raw")

        step(PIPELINE_STEPS[2])
        if spec.growth_paths:  # the product x destination table, written once, serves both and the paths
            by_pair = _materialize(
                con, clean.group_by("firm", "year", "product", "destination").aggregate(v=_fsum(clean.value)),
                work / "pairs.parquet", compressed=True)  # transaction-sized: keep it small on disk
            by_prod = by_pair.group_by("firm", "year", "product").aggregate(v=_fsum(by_pair.v))
            by_dest = by_pair.group_by("firm", "year", "destination").aggregate(v=_fsum(by_pair.v))
            prod = _diversification(by_prod, "product", "products")
            dest = _diversification(by_dest, "destination", "destinations")
        else:
            # one query per grouping, each written as a firm-year table: in one query the two
            # hash aggregations over the transactions compete for memory (measured at 50M rows:
            # 51 s in one query, about 35 s as two)
            by_prod = clean.group_by("firm", "year", "product").aggregate(v=_fsum(clean.value))
            by_dest = clean.group_by("firm", "year", "destination").aggregate(v=_fsum(clean.value))
            prod = _materialize(con, _diversification(by_prod, "product", "products"), work / "prod.parquet")
            dest = _materialize(con, _diversification(by_dest, "destination", "destinations"), work / "dest.parquet")
        rec = _attributes(g, backend)
        for t in (prod, dest):
            rec = rec.join(t, ["firm", "year"])
        labels = tuple(columns.labels())
        for role in labels:  # one more scan per label role: the label with the largest exports
            has = clean.filter(clean[role].notnull())
            d = _dominant(has.group_by("firm", "year", role).aggregate(v=_fsum(has.value)), role, backend)
            d = d.select(firm_lab=d.firm, year_lab=d.year, **{role: d[role]})
            j = rec.left_join(d, [rec.firm == d.firm_lab, rec.year == d.year_lab])
            rec = j.select(*rec.columns, role)
        recorded = _materialize(con, rec, work / "recorded.parquet")
        ind_year = g.group_by("industry", "year").aggregate(value=_fsum(g.v))  # row-level industry totals

        step(PIPELINE_STEPS[3])
        fy_path = final_dir / "firm_year.parquet"
        core = _firm_year(recorded, first, last, labels)
        if spec.growth_paths:
            paths = _growth_paths(core, _changes(by_prod, ["product"], last), _changes(by_dest, ["destination"], last),
                                  _changes(by_pair, ["product", "destination"], last), first)
        else:
            paths = core.mutate(**{c: ibis.null("int64" if c in ("new_products", "new_destinations") else "float64")
                                   for c in GROWTH_PATH_COLUMNS})
        fy = _materialize(con, paths.order_by(["firm", "year"]), fy_path, compressed=True)
        fy = fy.select(*FIRM_YEAR_COLUMNS, *labels)

        step(PIPELINE_STEPS[4])
        bench = _benchmarks(ind_year, ph, spec)
        fs_path = final_dir / "firm_shock.parquet"
        fs = _materialize(con, _firm_shock(fy, bench, ph).order_by("firm"), fs_path, compressed=True)
        fs = fs.select(*FIRM_SHOCK_COLUMNS)

        step(PIPELINE_STEPS[5])
        year_part = _with_group(fetch_pandas(_year_partials(fy)), spec.grouping)
        surv_part = _with_group(fetch_pandas(_survival_partials(fs, ph)), spec.grouping)
        shock_part = _with_group(fetch_pandas(_shock_partials(fs)), spec.grouping)
        out: dict[str, pd.DataFrame] = {}
        for level, keys in LEVELS.items():
            out[f"{level}_year"] = _finish(_rollup_year(year_part, surv_part, keys, ph), [*keys, "year"],
                                           [*keys, *AGGREGATE_YEAR_COLUMNS])
            out[f"{level}_shock"] = _finish(_rollup_shock(shock_part, keys), keys, [*keys, *SHOCK_AGGREGATE_COLUMNS])
        names = province_names()
        for kind in ("year", "shock"):
            t = out[f"province_{kind}"]
            t.insert(1, "province", t["code"].map(names))
        counts = fetch_pandas(fy.aggregate(
            firms=fy.firm.nunique(), p=(fy.n_provinces > 1).cast("int64").sum(),
            i=(fy.n_industries > 1).cast("int64").sum(),
        )).iloc[0]
        firms = _int(counts["firms"])
        notes = build_notes(_int(counts["p"]), _int(counts["i"]), bench, report, spec)
        firm_year = firm_shock = None
        files: dict[str, Path] = {}
        if out_dir is None:
            firm_year = _finish(fetch_pandas(fy), ["firm", "year"], [*FIRM_YEAR_COLUMNS, *labels])
            firm_shock = _finish(fetch_pandas(fs), ["firm"], FIRM_SHOCK_COLUMNS)
        else:
            files = {"firm_year": fy_path, "firm_shock": fs_path}
        ok = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if tmp is not None:
            tmp.cleanup()
        if made_dir and not ok and not any(final_dir.iterdir()):
            final_dir.rmdir()  # a run that failed (e.g. on invalid rows) leaves no empty folder
    return FirmMeasures(
        spec=spec, columns=columns, phases=ph, validation=report, firms=firms, firm_year=firm_year,
        firm_shock=firm_shock, benchmarks=bench, notes=notes, files=files, backend=backend, **out,
    )


def _finish(frame: pd.DataFrame, sort: list[str], order: list[str]) -> pd.DataFrame:
    """Column order, row order and dtypes shared with the pandas reference."""
    frame = frame[order]
    if sort:
        frame = frame.sort_values(sort, kind="mergesort")
    frame = frame.reset_index(drop=True)
    for c in frame.columns:
        if c in ("exit_year", "new_products", "new_destinations"):
            frame[c] = frame[c].astype("Int64")
        elif c in ("survived_shock", "survived_recovery"):
            frame[c] = frame[c].astype(bool)
        elif c == "status":
            # pandas 2's astype("str") writes missing as the text "None"; keep it missing.
            frame[c] = frame[c].astype("str").where(frame[c].notna())
        elif c in LABEL_ROLES:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame
