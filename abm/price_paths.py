"""World price paths (``market.price_path``): stochastic, the observed history, or a CSV.

The market's world price is ``base_price x exp(log_dev) x export-restriction multiple``;
a price path supplies ``log_dev`` (per mineral, log deviation from the minerals table's
price) month by month:

* ``"stochastic"`` (default): a mean-reverting lognormal path, shocks from the market's own
  generator (common random numbers across policies). It starts at ``start_log_dev`` (0: the
  table's price) and reverts to the table's price at ``market.price_mean_reversion_frac_per_year``.
* ``"history"``: the shipped monthly history ``params/history/prices_monthly.csv``
  (2005-01..2024-12), **rebased** per mineral so that its 2024 mean equals the 2024 price of
  ``params/minerals.toml`` (the two tables use different price bases for some minerals:
  lead -14.7%, germanium -5.2%; see params/README-calibration-tables.md). Months after
  2024-12 continue stochastically from the last observed level, reverting to the table's
  price; a run starting after 2024 starts from the December 2024 level.
* a CSV path (``mineral, month, price_usd_per_t[, source]``, USD per t on the
  minerals.toml basis, taken as given): it must hold every mineral for every month of the
  run and nothing outside it (checked when the scenario is loaded: one line naming file,
  row and problem).

Shocks are drawn every month whatever the path, so the generator's stream, and a
continuation after the history, do not depend on how many months were observed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from abm.params.data import MineralData, load_minerals
from abm.params.price_path import load_history_prices, load_price_path
from abm.params.scenario import ScenarioError
from abm.params.schema import MINERALS
from abm.params.tables import month_index, month_name

STOCHASTIC, HISTORY = "stochastic", "history"
HISTORY_FIRST, HISTORY_LAST = "2005-01", "2024-12"
REBASE_YEAR = "2024"  # the year whose mean ties the history to minerals.toml's prices


def run_months(values: dict[str, Any]) -> tuple[str, str]:
    """First and last simulated month (``YYYY-MM``) of a run with these values."""
    first = month_index(values["simulation.start"])
    return month_name(first), month_name(first + 12 * int(values["simulation.years"]) - 1)


def check_price_path(values: dict[str, Any], where: str) -> None:
    """Refuse a bad ``market.price_path`` before any model is built (a CSV is read and
    checked against the run's months; ``where`` names the scenario or option)."""
    choice = values.get("market.price_path", STOCHASTIC)
    if choice == STOCHASTIC or "simulation.start" not in values:
        return
    if choice == HISTORY:
        if values["simulation.start"] < HISTORY_FIRST:
            raise ScenarioError(
                f"{where}: market.price_path: 'history' starts {HISTORY_FIRST}; "
                f"simulation.start {values['simulation.start']} is earlier"
            )
        return
    path = Path(choice)
    if not path.is_file():
        raise ScenarioError(
            f"{where}: market.price_path: {choice!r} is neither 'stochastic', 'history' "
            "nor an existing CSV file"
        )
    first, last = run_months(values)
    _csv_log_levels(str(path.resolve()), path.stat().st_mtime_ns, first, last)


@cache
def _csv_log_levels(path: str, _mtime_ns: int, first: str, last: str) -> np.ndarray:
    """log price (months x minerals) of a user CSV covering exactly ``first..last``."""
    frame = load_price_path(path, MINERALS, first, last)
    return np.log(frame.to_numpy())


@cache
def _rebase() -> tuple[np.ndarray, np.ndarray]:
    frame = load_history_prices(HISTORY_FIRST, HISTORY_LAST)
    mean_2024 = frame[frame.index.str.startswith(REBASE_YEAR)].mean().to_numpy()
    return frame.to_numpy(), load_minerals().price_usd_per_t / mean_2024


def history_rebase_frac() -> dict[str, float]:
    """minerals.toml 2024 price / history 2024 mean, per mineral (the basis correction)."""
    return dict(zip(MINERALS, _rebase()[1].tolist(), strict=True))


@cache
def history_log_levels() -> np.ndarray:
    """log of the shipped history, rebased to minerals.toml's 2024 prices (240 x M)."""
    prices, ratio = _rebase()
    out = np.log(prices * ratio[None, :])
    out.flags.writeable = False
    return out


class PricePath:
    """The world price path of one run: ``log_dev`` per mineral, advanced once a month.

    ``observed`` (months x M, log USD/t) covers the run's months from ``observed_first``
    (a month index; the row of step ``s`` is ``s - 1 + offset``); after its last row the
    path is stochastic from the last observed level.
    """

    def __init__(
        self,
        base_price: np.ndarray,
        rng: np.random.Generator,
        observed: np.ndarray | None = None,
        offset: int = 0,
        start_log_dev: np.ndarray | None = None,
    ) -> None:
        self.rng = rng
        self.log_base = np.log(base_price)
        self.observed = observed
        self.offset = offset
        n = len(base_price)
        self.start_log_dev = np.zeros(n) if start_log_dev is None else start_log_dev
        self.log_dev = self.observed_dev(0)
        if self.log_dev is None:
            self.log_dev = self.start_log_dev.copy()

    @classmethod
    def from_values(
        cls, values: dict[str, Any] | None, minerals: MineralData, rng: np.random.Generator
    ) -> PricePath:
        """The path ``market.price_path`` names, for a run starting at ``simulation.start``."""
        base = minerals.price_usd_per_t
        choice = STOCHASTIC if values is None else values["market.price_path"]
        if choice == STOCHASTIC:
            return cls(base, rng)
        start = month_index(values["simulation.start"])
        if choice == HISTORY:
            levels, first = history_log_levels(), month_index(HISTORY_FIRST)
            offset = start - first
            last_dev = levels[-1] - np.log(base)
            if offset > len(levels):  # starts after the history: from its last level
                return cls(base, rng, start_log_dev=last_dev)
            return cls(base, rng, levels, offset, start_log_dev=last_dev)
        check_price_path(values, "market.price_path")
        path = Path(choice)
        first, last = run_months(values)
        levels = _csv_log_levels(str(path.resolve()), path.stat().st_mtime_ns, first, last)
        # step 0 (the month before the start) is not in a user CSV: it takes the first month
        return cls(base, rng, levels, 0)

    def observed_before_start_usd_per_t(self) -> np.ndarray:
        """Observed world prices (months x M, USD/t) of the months before the run's first:
        the ``offset`` rows before step 1's (2005-01..2009-12 for a 2010-01 start on the
        history; none on a stochastic path or a user CSV, which starts at the run)."""
        if self.observed is None:
            return np.empty((0, len(self.log_base)))
        return np.exp(self.observed[: self.offset])

    def observed_dev(self, step: int) -> np.ndarray | None:
        """log deviation of the observed price at ``step`` (None past the observed rows)."""
        if self.observed is None:
            return None
        # step 0 with no earlier row (a CSV, a 2005-01 start) takes the first month
        row = max(step - 1 + self.offset, 0)
        if row >= len(self.observed):
            return None
        return self.observed[row] - self.log_base

    def advance(self, values: dict[str, Any], step: int, volatility: np.ndarray) -> np.ndarray:
        """``log_dev`` of month ``step`` (draws this month's shocks whatever the path)."""
        kappa = values["market.price_mean_reversion_frac_per_year"] / 12.0
        vol = np.minimum(volatility, values["market.volatility_cap_frac_per_year"])
        sigma = vol * values["market.price_volatility_scale"] / np.sqrt(12)
        shock = self.rng.standard_normal(len(self.log_dev))
        seen = self.observed_dev(step)
        if seen is not None:
            self.log_dev = seen
        else:
            self.log_dev = self.log_dev * (1.0 - kappa) + sigma * shock
        return self.log_dev
