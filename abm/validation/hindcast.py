"""Hindcast checks: the 2010-2024 replay (observed prices, dated policy) against history.

Tolerance rule, fixed before the behaviour parameters were fitted (docs/validation.md,
"Hindcast"): the simulated change must have the observed direction (its whole 95% interval on
that side of zero) and a size within a factor of two of the observed change on the log scale
(observed log ratio r: the simulated log ratio in [2r, r/2]). A factor of two because the
series are budgets surveyed on one basis each (S&P by destination, Camimex, NRCan) and the
model simulates the 14 minerals of params/minerals.toml only; closer than that would ask the
model to reproduce survey coverage.

No US check: the observed US series (S&P) has no point between 2010 and 2019.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from abm.experiments.stats import Interval, t_interval
from abm.validation.checks import Check, RunData, register
from abm.validation.frames import annual
from abm.validation.setups import BASE_METALS

HIST = "../shared/calibration/history/exploration_budgets.csv"
PF = "../shared/calibration/public_figures.csv"
# Observed changes (params/history/exploration_observed.csv, which cites these rows):
# Camimex MX 2012 $1,160M -> 2016 $401M (pf; primer); S&P CA 2013 13% x $15.2bn = $1,976M ->
# 2016 14% x $7.2bn = $1,008M (pf shares x totals); NRCan CA 2020 CAD 2,200M -> 2021 CAD
# 3,800M (exploration + deposit appraisal; a ratio, so no exchange rate is needed).
MX_FALL = (2012, 2016, 401.0 / 1160.0 - 1)
CA_FALL = (2013, 2016, 1008.0 / 1976.0 - 1)
CA_REBOUND = (2020, 2021, 3800.0 / 2200.0 - 1)
# Canada's base-metal share of exploration + deposit appraisal, 2017 14.7% -> 2021 20.5% (MAC
# "The Canadian Mining Story" 2023 p.27, NRCan data; HIST rows): the change of a share, so the
# model's 14-mineral total and NRCan's (with uranium, diamonds, iron ore, coal) need not agree.
CA_BASE_SHARE = (2017, 2021, 20.5 / 14.7 - 1)
# Where the money went by commodity, 2022-2024 (S&P Capital IQ Corporate Exploration
# Strategies via trade press; HIST exploration_budget_by_commodity and
# exploration_budget_gold_by_destination rows): world lithium budgets 2023 $829.6M, +77% y/y;
# gold $5,920M, -16% y/y; copper $2,790M (2022) -> $3,120M (2023); gold budgets for Canada
# 2024 $1.3bn, -16% y/y. The first two are world budgets applied to North America's mix: an
# ASSUMPTION that the move between commodities was common to the same companies and
# investors (no North American split by commodity is in the data). Declared before any run of
# them and before the allocation mechanism they test was built (docs/validation.md, "Held-out
# commodity checks").
LI_VS_GOLD = (2022, 2023, 1.77 / 0.84 - 1)
CU_VS_GOLD = (2022, 2023, (3120.0 / 2790.0) / 0.84 - 1)
CA_GOLD = (2023, 2024, -0.16)
FACTOR = 2.0  # the size tolerance: within a factor of two of the observed log change


def band(observed_change: float, factor: float = FACTOR) -> tuple[float, float]:
    """[lo, hi] of a change whose log is within ``factor`` of the observed log change."""
    r = math.log1p(observed_change)
    a, b = sorted((math.expm1(r * factor), math.expm1(r / factor)))
    return a, b


def _change(country: str, first: int, last: int):
    def measure(data: RunData) -> tuple[Interval, str]:
        x = np.array(
            [
                annual(f).loc[last, country] / annual(f).loc[first, country] - 1
                for f in data["history_2010"]
            ]
        )
        iv = t_interval(x)
        return iv, f"{country} exploration {first}->{last} in the replay {iv.mean:+.1%}"

    return measure


def mineral_sums(
    frame: pd.DataFrame, country: str, minerals: tuple[str, ...], years: tuple[int, ...]
) -> np.ndarray:
    """``country``'s exploration on ``minerals`` in each of ``years``, USD (a mineral without
    rows counts as 0)."""
    out = np.zeros(len(years))
    for m in minerals:
        by_year = annual(frame, mineral=m).get(country, pd.Series(dtype=float))
        out += by_year.reindex(list(years), fill_value=0.0).to_numpy()
    return out


def base_metal_shares(frame: pd.DataFrame, country: str, years: tuple[int, ...]) -> np.ndarray:
    """Share of copper, zinc, lead and nickel in ``country``'s exploration in each of
    ``years``."""
    total = annual(frame).loc[list(years), country].to_numpy()
    return mineral_sums(frame, country, BASE_METALS, years) / total


def _mix_change(country: str, num: str, den: str, first: int, last: int):
    """Change of the ratio of ``num``'s to ``den``'s exploration from ``first`` to ``last``."""

    def measure(data: RunData) -> tuple[Interval, str]:
        ratios = np.array(
            [
                mineral_sums(g, country, (num,), (first, last))
                / mineral_sums(g, country, (den,), (first, last))
                for g in data["history_2010"]
            ]
        )
        iv = t_interval(ratios[:, 1] / ratios[:, 0] - 1)
        return iv, f"{country} {num}/{den} exploration {first}->{last} in the replay {iv.mean:+.1%}"

    return measure


def _mineral_change(country: str, mineral: str, first: int, last: int):
    """Change of ``country``'s exploration on ``mineral`` from ``first`` to ``last``."""

    def measure(data: RunData) -> tuple[Interval, str]:
        x = np.array(
            [mineral_sums(g, country, (mineral,), (first, last)) for g in data["history_2010"]]
        )
        iv = t_interval(x[:, 1] / x[:, 0] - 1)
        return iv, f"{country} {mineral} exploration {first}->{last} in the replay {iv.mean:+.1%}"

    return measure


def _share_change(country: str, first: int, last: int):
    def measure(data: RunData) -> tuple[Interval, str]:
        shares = np.array(
            [base_metal_shares(g, country, (first, last)) for g in data["history_2010"]]
        )
        iv = t_interval(shares[:, 1] / shares[:, 0] - 1)
        a, b = shares.mean(axis=0)
        return iv, (
            f"{country} base-metal share of exploration {first} {a:.1%} -> {last} {b:.1%} "
            f"in the replay ({iv.mean:+.1%})"
        )

    return measure


CHECKS = (
    (
        "hindcast_mx_fall_2012_2016",
        "MX",
        MX_FALL,
        f"{PF} exploration_investment (Camimex) MX 2012 $1,160M; "
        "../shared/domain-primer.md 2016 $401M",
    ),
    (
        "hindcast_ca_fall_2013_2016",
        "CA",
        CA_FALL,
        f"{PF} exploration_budget_share_of_global CA 2013 13%, 2016 14% x "
        "nonferrous_exploration_budget_total $15.2bn, $7.2bn (S&P/MEG)",
    ),
    (
        "hindcast_ca_rebound_2020_2021",
        "CA",
        CA_REBOUND,
        f"{HIST} / {PF} NRCan exploration + deposit appraisal CA 2020 CAD 2,200M, 2021 CAD 3,800M",
    ),
)


def _register_change(
    name: str,
    what: str,
    change: tuple[int, int, float],
    source: str,
    why: str,
    measure,
    fitted: bool,
) -> None:
    """Register a hindcast check of an observed change ``(first, last, observed)`` by the
    rule of the module docstring: same direction, within :data:`FACTOR` on the log scale."""
    first, last, obs = change
    lo, hi = band(obs)
    register(
        Check(
            name=name,
            group="hindcast",
            source=source,
            target=f"{what} {first}->{last} {obs:+.0%} (observed): same direction, "
            f"within a factor {FACTOR:g} on the log scale",
            lo=lo,
            hi=hi,
            unit="frac",
            sign=1 if obs > 0 else -1,
            why=why,
            measure=measure,
            arms=("history_2010",),
            fitted=fitted,
        )
    )


for name, country, change, source in CHECKS:
    _register_change(
        name,
        f"{country} exploration",
        change,
        source,
        "Direction: the whole interval on the observed side of zero. Size: a factor of "
        "two of the observed log change (survey bases and mineral coverage differ from the "
        "model's 14 minerals); stated before the hindcast fit (docs/validation.md).",
        _change(country, *change[:2]),
        fitted=change[1] <= 2017,  # both years in the fitting window of scripts/fit_hindcast.py
    )


def _register_base_share() -> None:
    """Where the money goes (docs/validation.md, "A held-out allocation check")."""
    _register_change(
        "hindcast_ca_base_share_2017_2021",
        "CA base-metal share of exploration",
        CA_BASE_SHARE,
        f"{HIST} exploration_plus_deposit_appraisal_expenditure_by_commodity "
        "base metals CA 2017 CAD 322.2M (14.7%), 2021 CAD 774.5M (MAC's 20.5%; "
        "774.5/3,800 = 20.4%, 3,800 rounded) (MAC 2023 p.27, NRCan data)",
        "Where the money goes, not how much: the change of a share (the model's 14 "
        "minerals against NRCan's all-mineral total), by the rule of the other hindcast "
        "checks; declared before its first run, after the third fit (docs/validation.md).",
        _share_change("CA", *CA_BASE_SHARE[:2]),
        # seen: exploration.mineral_trend_elasticity was fitted to it, and not adopted
        fitted=False,
    )


_register_base_share()


S_AND_P = (
    f"{HIST} exploration_budget_by_commodity (S&P Corporate Exploration Strategies 2023 via "
    "E&MJ; copper 2022 S&P 'Copper by the numbers' 1 Nov 2023)"
)
COMMODITY_CHECKS = (
    (
        "hindcast_na_li_vs_gold_2022_2023",
        _mix_change("NA", "lithium", "gold", *LI_VS_GOLD[:2]),
        LI_VS_GOLD,
        "NA lithium-to-gold exploration",
        f"{S_AND_P}: world lithium 2023 $829.6M (+77% y/y), gold $5,920M (-16% y/y)",
    ),
    (
        "hindcast_na_cu_vs_gold_2022_2023",
        _mix_change("NA", "copper", "gold", *CU_VS_GOLD[:2]),
        CU_VS_GOLD,
        "NA copper-to-gold exploration",
        f"{S_AND_P}: world copper 2022 $2,790M, 2023 $3,120M; gold 2023 $5,920M (-16% y/y)",
    ),
    (
        "hindcast_ca_gold_2023_2024",
        _mineral_change("CA", "gold", *CA_GOLD[:2]),
        CA_GOLD,
        "CA gold exploration",
        f"{HIST} exploration_budget_gold_by_destination gold CA 2024 $1,300M (-16% y/y; S&P "
        "Corporate Exploration Strategies 2024 via Metallurgprom)",
    ),
)


def _register_commodity_checks() -> None:
    """Where the money went by commodity in 2022-2024 (docs/validation.md, "Held-out commodity
    checks"): declared before their first run, all in the held-out window."""
    for name, measure, change, what, source in COMMODITY_CHECKS:
        _register_change(
            name,
            what,
            change,
            source,
            "Where the money goes by commodity, by the rule of the other hindcast "
            "checks; world budgets stand for North America's mix where no North American "
            "split exists (ASSUMPTION); declared before their first run and before the "
            "allocation mechanism they test was built (docs/validation.md).",
            measure,
            fitted=False,  # 2022-2024: the held-out window; no fit sees commodities there
        )


_register_commodity_checks()
