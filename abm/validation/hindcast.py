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

from abm.experiments.stats import Interval, t_interval
from abm.validation.checks import Check, RunData, register
from abm.validation.frames import annual

HIST = "../shared/calibration/history/exploration_budgets.csv"
PF = "../shared/calibration/public_figures.csv"
# Observed changes (params/history/exploration_observed.csv, which cites these rows):
# Camimex MX 2012 $1,160M -> 2016 $401M (pf; primer); S&P CA 2013 13% x $15.2bn = $1,976M ->
# 2016 14% x $7.2bn = $1,008M (pf shares x totals); NRCan CA 2020 CAD 2,200M -> 2021 CAD
# 3,800M (exploration + deposit appraisal; a ratio, so no exchange rate is needed).
MX_FALL = (2012, 2016, 401.0 / 1160.0 - 1)
CA_FALL = (2013, 2016, 1008.0 / 1976.0 - 1)
CA_REBOUND = (2020, 2021, 3800.0 / 2200.0 - 1)
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
for name, country, (first, last, obs), source in CHECKS:
    lo, hi = band(obs)
    register(
        Check(
            name=name,
            group="hindcast",
            source=source,
            target=f"{country} exploration {first}->{last} {obs:+.0%} (observed): same direction, "
            f"within a factor {FACTOR:g} on the log scale",
            lo=lo,
            hi=hi,
            unit="frac",
            sign=1 if obs > 0 else -1,
            why="Direction: the whole interval on the observed side of zero. Size: a factor of "
            "two of the observed log change (survey bases and mineral coverage differ from the "
            "model's 14 minerals); stated before the hindcast fit (docs/validation.md).",
            measure=_change(country, first, last),
            arms=("history_2010",),
            fitted=last <= 2017,  # both years in the fitting window of scripts/fit_hindcast.py
        )
    )
