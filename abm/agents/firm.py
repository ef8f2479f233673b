"""Mining firms: majors, mid-tiers and juniors.

Each firm is a Mesa agent (identity, kind, home country); its numeric state lives in
:class:`FirmArrays` so that the monthly decisions of hundreds of firms over thousands of
projects are evaluated together with numpy (:mod:`abm.agents.decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from abm.params.schema import COUNTRIES

if TYPE_CHECKING:
    from abm.model import MiningModel

KINDS = ("major", "midtier", "junior")
MAJOR, MIDTIER, JUNIOR = range(3)
# Discount-rate premium by firm kind over the hurdle rate (juniors' capital is dearer).
KIND_RATE_PREMIUM = np.array([0.0, 0.01, 0.03])


@dataclass
class FirmArrays:
    """Numeric state of all firms, index = firm index."""

    kind: np.ndarray  # (F,) int
    home: np.ndarray  # (F,) country index
    cash_usd: np.ndarray  # (F,)
    revenue_usd_per_year: np.ndarray  # (F,) smoothed (12-month EMA) mine revenue
    rate_premium_frac: np.ndarray  # (F,) firm-specific discount premium (risk tolerance)
    focus: np.ndarray  # (F, M) mineral focus weights (mean 1)

    def __len__(self) -> int:
        return len(self.kind)


class Firm(mesa.Agent):
    """A mining firm; a view on row ``index`` of the model's :class:`FirmArrays`."""

    model: MiningModel

    def __init__(self, model: MiningModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def kind(self) -> str:
        """``major``, ``midtier`` or ``junior``."""
        return KINDS[int(self.model.firm_arrays.kind[self.index])]

    @property
    def home(self) -> str:
        """Home country code."""
        return COUNTRIES[int(self.model.firm_arrays.home[self.index])]

    @property
    def cash_usd(self) -> float:
        """Cash on hand."""
        return float(self.model.firm_arrays.cash_usd[self.index])

    def project_indices(self) -> np.ndarray:
        """Indices (in the model's ProjectBook) of the projects this firm owns."""
        return np.flatnonzero(self.model.projects.owner == self.index)


def make_firms(
    model: MiningModel, n_by_kind: tuple[int, int, int], base_country_w: np.ndarray, n_minerals: int
) -> FirmArrays:
    """Draw the firm population from the model's rng."""
    rng = model.rng
    kinds = np.repeat(np.arange(3), n_by_kind)
    n = len(kinds)
    # Home countries: majors and mid-tiers mostly Canadian/US-listed; juniors where they explore.
    home = rng.choice(len(COUNTRIES), size=n, p=base_country_w / base_country_w.sum())
    focus = np.ones((n, n_minerals))
    for f in np.flatnonzero(kinds == JUNIOR):
        picks = rng.choice(n_minerals, size=rng.integers(1, 4), replace=False)
        focus[f] = 0.2
        focus[f, picks] = 1.0 + 3.0 / len(picks)
    for f in np.flatnonzero(kinds == MIDTIER):
        focus[f] = rng.gamma(2.0, 0.5, n_minerals)
    focus /= focus.mean(axis=1, keepdims=True)
    premium = KIND_RATE_PREMIUM[kinds] + rng.normal(0.0, 0.01, n)
    return FirmArrays(
        kind=kinds,
        home=home,
        cash_usd=np.zeros(n),
        revenue_usd_per_year=np.zeros(n),
        rate_premium_frac=np.clip(premium, -0.02, 0.08),
        focus=focus,
    )
