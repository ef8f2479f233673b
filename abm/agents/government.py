"""Government agents: one per country; policy levers, scheduled changes, permitting office."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.params.schema import MINERALS, PARAMS
from abm.projects import Stage

if TYPE_CHECKING:
    from abm.model import MiningModel


class Government(mesa.Agent):
    """A country's government.

    It holds the country's levers (``government.<C>.*``), applies scheduled policy changes,
    and runs a permitting office: applications queue, at most ``permit_capacity_per_year``
    decisions are made per year, and an application is decided only once it has been under
    review for ``permit_review_months``. Waiting times emerge from the queue.
    """

    model: MiningModel

    def __init__(self, model: MiningModel, country: str, index: int) -> None:
        super().__init__(model)
        self.country = country
        self.index = index
        self.prefix = f"government.{country}."
        self.decision_credit = 0.0
        self.recent_waits: list[tuple[int, float]] = []  # (step decided, months waited)
        self.uncertainty_frac = 0.0  # current policy-uncertainty premium
        self.revenue_usd = 0.0  # this month's fiscal take

    def lever(self, name: str) -> Any:
        """Current value of one of this country's levers."""
        return self.model.values[self.prefix + name]

    def reserved_mask(self) -> np.ndarray:
        """Boolean mask over minerals reserved to the state in this country."""
        return np.isin(np.array(MINERALS), self.lever("state_reserved_minerals"))

    def policy_changed(self, key: str, old: Any, new: Any) -> None:
        """React to a change of one of this country's levers: raise perceived policy risk."""
        direction = PARAMS[key].adverse
        if direction == 0 or old == new:
            return
        if PARAMS[key].kind == "minerals":
            delta = len(set(new) - set(old)) - len(set(old) - set(new))
        elif PARAMS[key].kind == "bool":
            delta = int(new) - int(old)
        else:
            delta = float(new) - float(old)
        adverse = np.sign(delta) == direction
        inv = self.model.values
        jump = inv["investors.policy_uncertainty_penalty_frac"]
        if not adverse:
            jump *= inv["investors.favourable_change_uncertainty_frac"]
        self.uncertainty_frac += jump

    def decay_uncertainty(self) -> None:
        """The policy-uncertainty premium fades with its half-life."""
        half_life = self.model.values["investors.policy_uncertainty_half_life_months"]
        self.uncertainty_frac *= 0.5 ** (1.0 / half_life)

    # --- permitting office -------------------------------------------------------------
    def queue(self) -> np.ndarray:
        """Indices of this country's projects awaiting a permit decision, oldest first."""
        book = self.model.projects
        idx = np.flatnonzero((book.stage == Stage.PERMITTING) & (book.country == self.index))
        return idx[np.argsort(book.applied_step[idx], kind="stable")]

    def capacity_per_month(self) -> float:
        """Decisions a month; scaled with the population (projects are ``scale`` times more)."""
        return self.lever("permit_capacity_per_year") * self.model.scale / 12.0

    def expected_wait_months(self) -> float:
        """Wait a new application should expect: review time, or the backlog if longer."""
        per_month = self.capacity_per_month()
        backlog = len(self.queue())
        return max(self.lever("permit_review_months"), backlog / per_month)

    def process_permits(self) -> None:
        """Decide the oldest applications whose review is complete, up to monthly capacity."""
        model = self.model
        book = model.projects
        per_month = self.capacity_per_month()
        self.decision_credit = min(self.decision_credit + per_month, max(1.0, per_month) * 3)
        queue = self.queue()
        waited = model.steps - book.applied_step[queue]
        ready = queue[waited >= self.lever("permit_review_months")]
        n = min(len(ready), int(self.decision_credit))
        if n == 0:
            return
        decided = ready[:n]
        self.decision_credit -= n
        approve = model.rng.random(n) < self.lever("permit_approval_frac")
        book.stage[decided] = np.where(approve, Stage.APPROVED, Stage.DROPPED)
        book.held[decided] = 0.0
        for w in (model.steps - book.applied_step[decided]).tolist():
            self.recent_waits.append((model.steps, float(w)))

    def mean_recent_wait_months(self, window: int = 12) -> float:
        """Mean wait of decisions made in the last ``window`` months (else expected wait)."""
        cutoff = self.model.steps - window
        self.recent_waits = [(s, w) for s, w in self.recent_waits if s > cutoff]
        if not self.recent_waits:
            return self.expected_wait_months()
        return float(np.mean([w for _, w in self.recent_waits]))
