"""World demand outlooks per mineral (``market.demand_scenario``): ``params/demand_outlook.csv``.

Scenarios ``steps``, ``aps``, ``nze`` (IEA GCMO 2024, Critical Minerals Data Explorer May
2024, CC BY 4.0; ILZSG, Silver Institute and stated ASSUMPTIONs where IEA has no total) and
``trend`` (``params/minerals.toml`` demand_growth_frac_per_year, today's behaviour). Growth
is world demand growth per year; how world growth maps to North America is the rule
:data:`NA_RULE` below. Every rule is in ``params/README-calibration-tables.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.params.schema import MINERALS
from abm.params.tables import PARAMS_DIR, choice, fail, first_seen, number, read_rows

DEMAND_OUTLOOK_CSV = PARAMS_DIR / "demand_outlook.csv"
SCENARIOS = ("steps", "aps", "nze", "trend")
FIRST_YEAR, LAST_YEAR = 2024, 2035
METHODS = (
    "iea_total_demand",
    "iea_cleantech_plus_other",
    "other_source_or_assumption",
    "trend_minerals_toml",
)
REQUIRED = (
    "mineral",
    "scenario",
    "year",
    "world_growth_frac_per_year",
    "cleantech_share_frac",
    "method",
    "source",
)


@dataclass(frozen=True)
class NaRule:
    """North American demand growth = ``factor`` x world demand growth (same year, mineral)."""

    factor: float
    factor_range: tuple[float, float]
    source: str


NA_RULE = NaRule(
    factor=1.0,
    factor_range=(0.5, 1.5),
    source=(
        "ASSUMPTION: no source in the material projects North American demand. IEA GCMO 2024 "
        "is world-only; the clean-technology deployment behind it (EVs, grid, renewables) is "
        "global. Evidence for the range: ILZSG puts US lead demand growth at +6.6% vs world "
        "+1.8% in 2025 (Oct 2025 forecast) and US zinc +8.7% vs world +5.1% in 2014 (ratio "
        "1.7-3.7, single years), while USGS US apparent consumption 2020-2024 (MCS2025 Fig12) "
        "grew less than IEA world demand 2021-2023 for nickel and zinc (ratio below 1). "
        "Factor 1.0, range [0.5, 1.5] for sensitivity analysis."
    ),
)


def load_demand_outlook(path: Path | str | None = None) -> pd.DataFrame:
    """Read and check the outlook table: every mineral x scenario has each year 2024-2035."""
    path = Path(path) if path else DEMAND_OUTLOOK_CSV
    recs, seen = [], {}
    for row, r in read_rows(path, REQUIRED):
        choice(path, row, "mineral", r["mineral"], MINERALS)
        choice(path, row, "scenario", r["scenario"], SCENARIOS)
        choice(path, row, "method", r["method"], METHODS)
        year = number(path, row, "year", r["year"], minimum=FIRST_YEAR, maximum=LAST_YEAR)
        if year != int(year):
            raise fail(path, row, f"year: {r['year']!r} is not a whole year")
        g = number(
            path,
            row,
            "world_growth_frac_per_year",
            r["world_growth_frac_per_year"],
            minimum=-0.5,
            maximum=1.0,
        )
        share = number(
            path,
            row,
            "cleantech_share_frac",
            r["cleantech_share_frac"],
            optional=True,
            minimum=0.0,
            maximum=1.0,
        )
        if not r["source"]:
            raise fail(path, row, "source: empty (every row cites its source)")
        key = (r["mineral"], r["scenario"], int(year))
        first_seen(path, row, seen, key, str(key))
        recs.append(
            {
                **r,
                "year": int(year),
                "world_growth_frac_per_year": g,
                "cleantech_share_frac": share,
                "row": row,
            }
        )
    for m in MINERALS:  # from the keys seen (a pandas mask per pair costs 0.1 s a process)
        for s in SCENARIOS:
            missing = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if (m, s, y) not in seen]
            if missing:
                raise fail(path, None, f"{m} / {s}: no growth for year(s) {missing}")
    return pd.DataFrame(recs)


def world_growth(
    outlook: pd.DataFrame, scenario: str, years: Sequence[int] = range(FIRST_YEAR, LAST_YEAR + 1)
) -> np.ndarray:
    """(Y, M) world demand growth per year for ``scenario`` (columns in ``MINERALS`` order)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown demand scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    table = outlook[outlook.scenario == scenario].pivot(
        index="year", columns="mineral", values="world_growth_frac_per_year"
    )
    return table.loc[list(years), list(MINERALS)].to_numpy(dtype=float)


def na_growth(world: np.ndarray, factor: float = NA_RULE.factor) -> np.ndarray:
    """North American demand growth under :data:`NA_RULE` (factor x world growth)."""
    return factor * np.asarray(world, dtype=float)
