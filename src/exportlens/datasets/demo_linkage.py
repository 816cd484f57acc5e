"""SYNTHETIC demo cube for the linkage study: 31 provinces x 63 Belt-and-Road countries x 16
indicators (2019 cross-section), with a known data-generating process.

Real province and country names, codes and capital coordinates; every value is generated
here with ``numpy.random.default_rng(LINKAGE_DEMO_SEED)``. The frame carries
``attrs["synthetic"] = True`` and a description; the study labels every output built from
it SYNTHETIC.

Data-generating process of :func:`linkage_demo_cube`
-----------------------------------------------------
Indicator codes are those of ``IndicatorSystem.builtin("belt_and_road_linkage")``.

1. Latent openness of province p: o_p = 1.2·coastal_p + u_p, u_p ~ N(0, 0.6²), with
   coastal_p = 1 for the 11 coastal divisions (``grouping("coastal")``). The latent
   *province* effect is stored as ``attrs["true_province_effect"]``.
2. Latent attraction of country c: m_c ~ N(0, 1); development level g_c = 0.6·m_c +
   0.8·v_c, v_c ~ N(0, 1) (so corr(m, g) = 0.6).
3. Distance d_pc: great-circle km between the provincial capital and the country's
   capital (:func:`exportlens.regions.haversine_km`).
4. Latent linkage L_pc = o_p + m_c − 1.0·ln(d_pc / 3000 km) + ε_pc, ε_pc ~ N(0, 0.5²).
5. Country-level indicators (identical for every province; ``e`` an independent
   standard-normal draw per indicator and country):
   gdp = exp(5.5 + 1.2 m_c + 0.3 e) (USD 100m); gdp_pc = exp(8.7 + 0.9 g_c + 0.2 e) (USD);
   gdp_growth = 3.5 + 0.5 g_c + 2.0 e (%); inflation = exp(1.2 − 0.3 g_c + 0.6 e) (%, cost);
   idi = clip(5.0 + 1.3 g_c + 0.4 e, 1, 9); lpi = clip(2.9 + 0.35 g_c + 0.15 e, 1.9, 4.2);
   internet = clip(55 + 18 g_c + 6 e, 5, 99) (%).
6. Pair-level indicators (``e`` independent N(0, 1) per cell, ``B(q)`` a Bernoulli draw
   with probability q = logistic(1.5 + L_pc) that the flow is recorded at all):
   exports = exp(8.0 + 1.0 L + 0.4 e) (USD 10k); imports = exp(7.3 + 1.1 L + 0.6 e);
   fdi = B(q)·exp(5.0 + 1.1 L + 0.8 e); odi = B(q)·exp(4.5 + 1.0 L + 0.8 e);
   contracts = B(q)·exp(5.2 + 0.9 L + 0.7 e) (USD 10k);
   visitors = round(exp(6.5 + 1.0 L + 0.5 e)) (persons);
   flights = Poisson(exp(−0.8 + 0.9 L)) (per week);
   sister_cities = Poisson(exp(−1.2 + 0.6 L)) (pairs);
   rail_trips = Poisson(exp(1.0 + 0.8 L)) for countries in Central Asia, the CIS and
   Central and Eastern Europe and provinces in :data:`RAIL_PROVINCES` (the 20 with a
   China-Europe Railway Express hub in 2019 in this synthetic world), 0 otherwise. The 11
   other provinces have a constant (all-zero) rail column: the study gives it weight 0
   and says so.

Every flow increases with L, and L increases with o_p, so the study's province ranking by
average score (Table 5) should follow o_p: measured Spearman correlation 0.94 between the
average score and ``true_province_effect`` with the default study settings (and −0.03
when each province is standardised over its own countries, which removes its level; see
:mod:`exportlens.studies.linkage`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from exportlens.measures.indicators import IndicatorSystem
from exportlens.regions import assign_group, belt_and_road_countries, haversine_km, provinces

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINKAGE_DEMO_SEED",
    "LINKAGE_DEMO_YEAR",
    "RAIL_PROVINCES",
    "linkage_demo_cube",
]

LINKAGE_DEMO_SEED = 20190101
LINKAGE_DEMO_YEAR = 2019

#: Provinces with a (synthetic) China-Europe Railway Express hub; GB/T 2260 codes.
RAIL_PROVINCES: tuple[int, ...] = (
    110000, 120000, 130000, 140000, 150000, 210000, 220000, 230000, 320000, 330000,
    340000, 360000, 370000, 410000, 420000, 430000, 440000, 500000, 510000, 610000,
)
_RAIL_SUBREGIONS = ("central_asia", "cis", "cee")


def linkage_demo_cube(seed: int = LINKAGE_DEMO_SEED) -> pd.DataFrame:
    """The SYNTHETIC 31 x 63 x 16 cube as a long table: province, country, indicator, value.

    ``province`` holds the short Chinese name (北京), ``country`` the Chinese name (越南),
    as in a table typed from Chinese sources; the study resolves any spelling. The
    data-generating process is in the module docstring; ``attrs`` carry ``synthetic``,
    ``description``, ``year`` and ``true_province_effect`` (o_p by province code).

    Examples
    --------
    >>> from exportlens.datasets import linkage_demo_cube
    >>> cube = linkage_demo_cube()
    >>> cube.shape, cube["province"].nunique(), cube["country"].nunique(), cube["indicator"].nunique()
    ((31248, 4), 31, 63, 16)
    >>> cube.head(2).round(1)
      province country indicator   value
    0       北京      蒙古       gdp   196.5
    1       北京      蒙古    gdp_pc  3020.6
    >>> cube.attrs["synthetic"], cube.attrs["year"]
    (True, 2019)
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    provs = provinces()
    countries = belt_and_road_countries()
    n_p, n_c = len(provs), len(countries)
    codes = [p.code for p in provs]
    coastal = (assign_group(codes, "coastal").to_numpy() == "coastal").astype(float)

    o = 1.2 * coastal + rng.normal(0.0, 0.6, n_p)
    m = rng.normal(0.0, 1.0, n_c)
    g = 0.6 * m + 0.8 * rng.normal(0.0, 1.0, n_c)
    d = haversine_km(
        np.array([p.capital_lat for p in provs])[:, None], np.array([p.capital_lon for p in provs])[:, None],
        np.array([c.capital_lat for c in countries])[None, :], np.array([c.capital_lon for c in countries])[None, :],
    )
    link = o[:, None] + m[None, :] - np.log(d / 3000.0) + rng.normal(0.0, 0.5, (n_p, n_c))

    def country_level(values: np.ndarray) -> np.ndarray:
        return np.broadcast_to(values[None, :], (n_p, n_c))

    def e(shape=(n_p, n_c)) -> np.ndarray:
        return rng.normal(0.0, 1.0, shape)

    recorded = lambda: rng.random((n_p, n_c)) < 1.0 / (1.0 + np.exp(-(1.5 + link)))  # noqa: E731
    cube = {
        "gdp": country_level(np.exp(5.5 + 1.2 * m + 0.3 * e(n_c))),
        "gdp_pc": country_level(np.exp(8.7 + 0.9 * g + 0.2 * e(n_c))),
        "gdp_growth": country_level(3.5 + 0.5 * g + 2.0 * e(n_c)),
        "inflation": country_level(np.exp(1.2 - 0.3 * g + 0.6 * e(n_c))),
        "exports": np.exp(8.0 + 1.0 * link + 0.4 * e()),
        "imports": np.exp(7.3 + 1.1 * link + 0.6 * e()),
        "rail_trips": _rail(rng, link, codes, countries),
        "fdi": recorded() * np.exp(5.0 + 1.1 * link + 0.8 * e()),
        "odi": recorded() * np.exp(4.5 + 1.0 * link + 0.8 * e()),
        "contracts": recorded() * np.exp(5.2 + 0.9 * link + 0.7 * e()),
        "visitors": np.round(np.exp(6.5 + 1.0 * link + 0.5 * e())),
        "flights": rng.poisson(np.exp(-0.8 + 0.9 * link)).astype(float),
        "sister_cities": rng.poisson(np.exp(-1.2 + 0.6 * link)).astype(float),
        "idi": country_level(np.clip(5.0 + 1.3 * g + 0.4 * e(n_c), 1.0, 9.0)),
        "lpi": country_level(np.clip(2.9 + 0.35 * g + 0.15 * e(n_c), 1.9, 4.2)),
        "internet": country_level(np.clip(55.0 + 18.0 * g + 6.0 * e(n_c), 5.0, 99.0)),
    }
    system = IndicatorSystem.builtin("belt_and_road_linkage")
    order = system.codes
    values = np.stack([cube[k] for k in order], axis=2)  # province x country x indicator
    frame = pd.DataFrame(
        {
            "province": np.repeat([p.short_zh for p in provs], n_c * len(order)),
            "country": np.tile(np.repeat([c.name_zh for c in countries], len(order)), n_p),
            "indicator": np.tile(order, n_p * n_c),
            "value": values.reshape(-1),
        }
    )
    frame.attrs["synthetic"] = True
    frame.attrs["year"] = LINKAGE_DEMO_YEAR
    frame.attrs["seed"] = seed
    frame.attrs["true_province_effect"] = dict(zip(codes, o.tolist(), strict=True))
    frame.attrs["description"] = (
        "SYNTHETIC demo data generated by exportlens (not real statistics): linkage indicators of "
        f"31 provinces with 63 Belt-and-Road countries, {LINKAGE_DEMO_YEAR} cross-section, 16 "
        "indicators of the built-in belt_and_road_linkage system; data-generating process in "
        "exportlens.datasets.demo_linkage."
    )
    return frame


def _rail(rng: np.random.Generator, link: np.ndarray, codes: list[int], countries: list) -> np.ndarray:
    hub = np.isin(codes, RAIL_PROVINCES)[:, None]
    europe = np.array([c.subregion in _RAIL_SUBREGIONS for c in countries])[None, :]
    trips = rng.poisson(np.exp(1.0 + 0.8 * link)).astype(float)
    return np.where(hub & europe, trips, 0.0)
