"""Calibration data (facts, not levers): ``params/minerals.toml`` as numpy arrays.

Each number in the TOML file carries a ``*_source`` key (USGS MCS 2025, the seed
articles, public_figures.csv); this module only reads and checks them. The arrays are
cached and read-only: every model in a process shares them, so none may change them.
USGS reserves (``reserves_t``) and by-product hosts (``byproduct_of``) feed the geology
and by-product rules (:mod:`abm.deposits`, :mod:`abm.calibration`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from abm.params.scenario import ScenarioError, read_toml
from abm.params.schema import COUNTRIES, MINERALS

PARAMS_DIR = Path(__file__).resolve().parents[2] / "params"
MINERAL_FIELDS = (
    "price_usd_per_t",
    "price_volatility_frac_per_year",
    "production_t",
    "reserves_t",
    "world_production_t",
    "top_row_supplier_share_frac",
    "consumption_t",
    "us_net_import_reliance_frac",
    "na_import_dependency_frac",
    "demand_growth_frac_per_year",
    "shipped_t_per_t",
    "critical",
    "precious",
)


@dataclass(frozen=True)
class MineralData:
    """Per-mineral arrays (index order = ``schema.MINERALS``; countries = ``schema.COUNTRIES``)."""

    labels: tuple[str, ...]
    price_usd_per_t: np.ndarray  # (M,)
    volatility_frac_per_year: np.ndarray  # (M,)
    production_t: np.ndarray  # (C, M) 2024 mine production
    world_production_t: np.ndarray  # (M,)
    row_top_share_frac: np.ndarray  # (M,)
    consumption_t: np.ndarray  # (C, M) 2024 consumption
    us_nir_frac: np.ndarray  # (M,)
    na_dependency_frac: np.ndarray  # (M,)
    demand_growth_frac_per_year: np.ndarray  # (M,)
    shipped_t_per_t: np.ndarray  # (M,)
    critical: np.ndarray  # (M,) bool
    precious: np.ndarray  # (M,) bool
    reserves_t: np.ndarray  # (C, M) USGS reserves 2024, t of content (0: none listed)
    byproduct_of: tuple[str, ...] = ()  # (M,) host mineral(s) named by USGS, "" = primary

    @property
    def critical_minerals(self) -> list[str]:
        """Names of the minerals flagged critical."""
        return [m for m, c in zip(MINERALS, self.critical, strict=True) if c]


def _by_country(entry: dict, key: str, where: str) -> list[float]:
    table = entry.get(key)
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: {key}: expected a table {{ US = ..., MX = ..., CA = ... }}")
    try:
        return [float(table[c]) for c in COUNTRIES]
    except KeyError as exc:
        raise ScenarioError(f"{where}: {key}: missing country {exc.args[0]}") from None


MINERALS_TABLES = ("2024", "2010")


def load_minerals(path: Path | None = None, table: str = "2024") -> MineralData:
    """Read and check ``params/minerals.toml`` (``table`` = "2024"), or the 2010 table built
    from it (``simulation.minerals_table`` = "2010", :func:`minerals_2010`)."""
    if table == "2024":
        return _load_minerals(path)
    if table == "2010":
        return minerals_2010(path)
    raise ScenarioError(f"simulation.minerals_table: {table!r} is not one of 2024, 2010")


# The 2010 table for the hindcast (docs/hindcast.md): where the material has 2010 figures
# they replace the 2024 ones; where it has none the 2024 figure stands (back-cast: held).
# 2010 figures: prices only (annual mean 2010 of params/history/prices_monthly.csv, rebased
# to minerals.toml's 2024 basis as market.price_path = "history" is, abm/price_paths.py).
# Held at 2024 (no 2010 figure in ../shared/calibration): mine production and consumption
# by country, world production, import reliance and NA dependency, demand growth,
# volatility, shipped tonnage, criticality flags.
MINERALS_2010_FROM_HISTORY = ("price_usd_per_t",)


@cache
def minerals_2010(path: Path | None = None) -> MineralData:
    """The 2024 table with its 2010 figures replaced (:data:`MINERALS_2010_FROM_HISTORY`)."""
    from dataclasses import replace

    from abm.price_paths import history_log_levels

    base = _load_minerals(path)
    levels = np.exp(history_log_levels())  # rebased monthly history 2005-01..2024-12
    first_2010 = (2010 - 2005) * 12
    price = levels[first_2010 : first_2010 + 12].mean(axis=0)
    price.flags.writeable = False
    return replace(base, price_usd_per_t=price)


@cache
def _load_minerals(path: Path | None = None) -> MineralData:
    path = path or PARAMS_DIR / "minerals.toml"
    raw = read_toml(path)
    unknown = set(raw) - set(MINERALS)
    if unknown:
        raise ScenarioError(f"{path}: unknown mineral table(s) {', '.join(sorted(unknown))}")
    cols: dict[str, list] = {f: [] for f in MINERAL_FIELDS}
    labels, hosts = [], []
    for m in MINERALS:
        where = f"{path}: [{m}]"
        entry = raw.get(m)
        if entry is None:
            raise ScenarioError(f"{path}: missing table [{m}]")
        for f in MINERAL_FIELDS:
            if f not in entry:
                raise ScenarioError(f"{where}: missing key {f}")
            if f in ("production_t", "consumption_t", "reserves_t"):
                cols[f].append(_by_country(entry, f, where))
            elif f in ("critical", "precious"):
                cols[f].append(bool(entry[f]))
            else:
                cols[f].append(float(entry[f]))
        labels.append(str(entry.get("label", m)))
        hosts.append(str(entry.get("byproduct_of", "")))
    dep = np.array(cols["na_import_dependency_frac"])
    if np.any((dep < 0) | (dep > 1)):
        raise ScenarioError(f"{path}: na_import_dependency_frac must lie in [0, 1]")
    data = MineralData(
        labels=tuple(labels),
        price_usd_per_t=np.array(cols["price_usd_per_t"]),
        volatility_frac_per_year=np.array(cols["price_volatility_frac_per_year"]),
        production_t=np.array(cols["production_t"]).T,
        world_production_t=np.array(cols["world_production_t"]),
        row_top_share_frac=np.array(cols["top_row_supplier_share_frac"]),
        consumption_t=np.array(cols["consumption_t"]).T,
        us_nir_frac=np.array(cols["us_net_import_reliance_frac"]),
        na_dependency_frac=dep,
        demand_growth_frac_per_year=np.array(cols["demand_growth_frac_per_year"]),
        shipped_t_per_t=np.array(cols["shipped_t_per_t"]),
        critical=np.array(cols["critical"], dtype=bool),
        precious=np.array(cols["precious"], dtype=bool),
        reserves_t=np.array(cols["reserves_t"]).T,
        byproduct_of=tuple(hosts),
    )
    for value in vars(data).values():  # shared by every model in the process: read-only
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return data
