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

    def change_direction(self, key: str, old: Any, new: Any) -> int:
        """+1 if investors read the change of ``key`` as adverse, -1 favourable, 0 neutral."""
        direction = PARAMS[key].adverse
        if direction == 0 or old == new:
            return 0
        if PARAMS[key].kind == "minerals":
            delta = len(set(new) - set(old)) - len(set(old) - set(new))
        elif PARAMS[key].kind == "bool":
            delta = int(new) - int(old)
        else:
            delta = float(new) - float(old)
        if delta == 0:
            return 0
        return 1 if np.sign(delta) == direction else -1

    def policy_changed(self, changes: list[tuple[str, Any, Any]]) -> None:
        """React to one policy package (key, old, new) of this country: raise perceived risk.

        A package raises the premium once, however many levers it moves: by the full penalty
        if any change is adverse, by the favourable fraction if all are favourable.
        """
        directions = [self.change_direction(k, old, new) for k, old, new in changes]
        if not any(directions):
            return
        inv = self.model.values
        jump = inv["investors.policy_uncertainty_penalty_frac"]
        if 1 not in directions:
            jump *= inv["investors.favourable_change_uncertainty_frac"]
        self.uncertainty_frac += jump

    def decay_uncertainty(self) -> None:
        """The policy-uncertainty premium fades with its half-life."""
        half_life = self.model.values["investors.policy_uncertainty_half_life_months"]
        self.uncertainty_frac *= 0.5 ** (1.0 / half_life)

    # --- permitting office -------------------------------------------------------------
    def fast_track_mask(self) -> np.ndarray:
        """Mask over minerals whose applications are fast-tracked (priority, short review)."""
        if not self.lever("critical_fast_track"):
            return np.zeros(len(MINERALS), dtype=bool)
        return self.model.minerals.critical.astype(bool)

    def queue(self) -> np.ndarray:
        """This country's applications awaiting a decision, in decision order.

        Joint-venture projects first, then fast-tracked critical-mineral projects, then the
        rest; oldest first within each group.
        """
        book = self.model.projects
        idx = np.flatnonzero((book.stage == Stage.PERMITTING) & (book.country == self.index))
        priority = self._priority(idx)
        return idx[np.lexsort((book.applied_step[idx], -priority))]

    def _priority(self, idx: np.ndarray) -> np.ndarray:
        book = self.model.projects
        fast = self.fast_track_mask()[book.mineral[idx]]
        return 2 * book.joint_venture[idx].astype(int) + fast.astype(int)

    def review_months(self, idx: np.ndarray) -> np.ndarray:
        """Minimum review time of applications ``idx``, months."""
        fast = self.fast_track_mask()[self.model.projects.mineral[idx]]
        return np.where(
            fast,
            np.minimum(self.lever("fast_track_review_months"), self.lever("permit_review_months")),
            self.lever("permit_review_months"),
        )

    def capacity_per_month(self) -> float:
        """Decisions a month; scaled with the population (projects are ``scale`` times more)."""
        return self.lever("permit_capacity_per_year") * self.model.scale / 12.0

    def expected_wait_months(self) -> float:
        """Wait a new ordinary application should expect: review time, or the backlog."""
        return float(self.expected_waits_months().max())

    def expected_waits_months(self) -> np.ndarray:
        """Wait a new application should expect, per mineral (fast track is shorter), months.

        An ordinary application waits behind the whole queue; a fast-tracked one only behind
        the fast-tracked and joint-venture applications.
        """
        book = self.model.projects
        per_month = self.capacity_per_month()
        idx = np.flatnonzero((book.stage == Stage.PERMITTING) & (book.country == self.index))
        fast = self.fast_track_mask()
        normal = max(self.lever("permit_review_months"), len(idx) / per_month)
        if not fast.any():
            return np.full(len(MINERALS), normal)
        ahead = int((self._priority(idx) > 0).sum())
        quick = max(
            min(self.lever("fast_track_review_months"), self.lever("permit_review_months")),
            ahead / per_month,
        )
        return np.where(fast, quick, normal)

    def process_permits(self) -> None:
        """Decide applications in queue order whose review is complete, up to capacity."""
        model = self.model
        book = model.projects
        per_month = self.capacity_per_month()
        self.decision_credit = min(self.decision_credit + per_month, max(1.0, per_month) * 3)
        queue = self.queue()
        waited = model.steps - book.applied_step[queue]
        ready = queue[waited >= self.review_months(queue)]
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
