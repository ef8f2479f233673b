"""Mining firms: majors, mid-tiers and juniors.

Each firm is a Mesa agent (identity, kind, home country); its numeric state lives in
:class:`FirmArrays` so that the monthly decisions of hundreds of firms over thousands of
projects are evaluated together with numpy (:mod:`abm.agents.decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.agents.valuation import JUNIOR, KINDS, MAJOR, MIDTIER, kind_rate_premium
from abm.params.schema import COUNTRIES

if TYPE_CHECKING:
    from abm.model import MiningModel

# Firm-specific discount premium: normal noise around the kind's premium, clipped (ASSUMPTION:
# sd 0.01, range 0.005-0.02; clip -0.02..0.08 keeps rates positive and below distress levels).
PREMIUM_NOISE_SD_FRAC = 0.01
PREMIUM_CLIP_FRAC = (-0.02, 0.08)
# Mineral focus (ASSUMPTION): a junior explores 1-3 minerals (weight 1 + 3/n each, 0.2 on the
# rest); a mid-tier's focus is gamma(2, 0.5) per mineral (mean 1, cv 0.7); majors explore all.
JUNIOR_FOCUS_MAX_MINERALS = 3
JUNIOR_FOCUS_BOOST = 3.0
JUNIOR_OFF_FOCUS_WEIGHT = 0.2
MIDTIER_FOCUS_GAMMA = (2.0, 0.5)


@dataclass
class FirmArrays:
    """Numeric state of all firms, index = firm index."""

    kind: np.ndarray  # (F,) int
    home: np.ndarray  # (F,) country index
    cash_usd: np.ndarray  # (F,)
    revenue_usd_per_year: np.ndarray  # (F,) smoothed (12-month EMA) mine revenue
    rate_premium_frac: np.ndarray  # (F,) firm-specific discount premium (risk tolerance)
    focus: np.ndarray  # (F, M) mineral focus weights (mean 1)
    # (F, C, M) last month's exploration programme, USD (None before the first month)
    exploration_usd_per_month: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        self.weights_cache: dict = {}  # see decisions._producer_weights
        # Kinds never change during a run: index them once.
        self.producers = np.flatnonzero(self.kind != JUNIOR)
        self.juniors = np.flatnonzero(self.kind == JUNIOR)
        self.majors = np.flatnonzero(self.kind == MAJOR)

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


def make_firms(
    rng: np.random.Generator,
    n_by_kind: tuple[int, int, int],
    base_country_w: np.ndarray,
    n_minerals: int,
    values: dict[str, Any],
) -> FirmArrays:
    """Draw the firm population from the model's generator."""
    kinds = np.repeat(np.arange(3), n_by_kind)
    n = len(kinds)
    # Home countries in proportion to the calibrated exploration weights.
    home = rng.choice(len(COUNTRIES), size=n, p=base_country_w / base_country_w.sum())
    focus = np.ones((n, n_minerals))
    for f in np.flatnonzero(kinds == JUNIOR):
        picks = rng.choice(
            n_minerals, size=rng.integers(1, JUNIOR_FOCUS_MAX_MINERALS + 1), replace=False
        )
        focus[f] = JUNIOR_OFF_FOCUS_WEIGHT
        focus[f, picks] = 1.0 + JUNIOR_FOCUS_BOOST / len(picks)
    shape, scale = MIDTIER_FOCUS_GAMMA
    for f in np.flatnonzero(kinds == MIDTIER):
        focus[f] = rng.gamma(shape, scale, n_minerals)
    focus /= focus.mean(axis=1, keepdims=True)
    premium = kind_rate_premium(values)[kinds] + rng.normal(0.0, PREMIUM_NOISE_SD_FRAC, n)
    return FirmArrays(
        kind=kinds,
        home=home,
        cash_usd=np.zeros(n),
        revenue_usd_per_year=np.zeros(n),
        rate_premium_frac=np.clip(premium, *PREMIUM_CLIP_FRAC),
        focus=focus,
    )
