"""Government agents: one per country; policy levers, scheduled changes, permitting office."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from abm.params.schema import COUNTRIES, MINERALS, PARAMS, minerals_mask
from abm.projects import ProjectBook, Stage

if TYPE_CHECKING:
    from abm.model import MiningModel


WAIT_WINDOW_MONTHS = 12  # the reported permit wait averages the last year's decisions


class Government(mesa.Agent):
    """A country's government.

    It holds the country's levers (``government.<C>.*``), applies scheduled policy changes,
    and runs a permitting office: applications queue, at most ``permit_capacity_per_year``
    decisions are made per year, and an application is decided only once it has been under
    review for ``permit_review_months``. Waiting times emerge from the queue.
    """

    model: MiningModel

    def __init__(
        self,
        model: MiningModel,
        country: str,
        index: int,
        values: dict[str, Any],
        book: ProjectBook,
        critical: np.ndarray,
        scale: float,
    ) -> None:
        super().__init__(model)
        self.country = country
        self.index = index
        self.prefix = f"government.{country}."
        self.values = values  # the model's live parameter table (scheduled changes land here)
        self.book = book
        self.critical = critical
        self.scale = scale
        self.decision_credit = 0.0
        self.recent_waits: list[tuple[int, float]] = []  # (step decided, months waited)
        self._mean_wait: float | None = None  # mean of recent_waits, None when it changed
        self.uncertainty_frac = 0.0  # current policy-uncertainty premium

    def lever(self, name: str) -> Any:
        """Current value of one of this country's levers."""
        return self.values[self.prefix + name]

    def reserved_mask(self) -> np.ndarray:
        """Boolean mask over minerals reserved to the state in this country."""
        return minerals_mask(self.lever("state_reserved_minerals"))

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
        inv = self.values
        jump = inv["investors.policy_uncertainty_penalty_frac"]
        if 1 not in directions:
            jump *= inv["investors.favourable_change_uncertainty_frac"]
        self.uncertainty_frac += jump

    def decay_uncertainty(self) -> None:
        """The policy-uncertainty premium fades with its half-life."""
        half_life = self.values["investors.policy_uncertainty_half_life_months"]
        self.uncertainty_frac *= 0.5 ** (1.0 / half_life)

    # --- permitting office -------------------------------------------------------------
    def fast_track_mask(self, values: dict[str, Any] | None = None) -> np.ndarray:
        """Mask over minerals whose applications are fast-tracked (priority, short review)."""
        if not (values or self.values)[self.prefix + "critical_fast_track"]:
            return np.zeros(len(MINERALS), dtype=bool)
        return self.critical

    def queue(self) -> np.ndarray:
        """This country's applications awaiting a decision, in decision order.

        Joint-venture projects first, then fast-tracked critical-mineral projects, then the
        rest; oldest first within each group.
        """
        book = self.book
        idx = np.flatnonzero((book.stage == Stage.PERMITTING) & (book.country == self.index))
        priority = self._priority(idx)
        return idx[np.lexsort((book.applied_step[idx], -priority))]

    def _priority(self, idx: np.ndarray) -> np.ndarray:
        book = self.book
        fast = self.fast_track_mask()[book.mineral[idx]]
        return 2 * book.joint_venture[idx].astype(int) + fast.astype(int)

    def review_months(self, idx: np.ndarray) -> np.ndarray:
        """Minimum review time of applications ``idx``, months."""
        fast = self.fast_track_mask()[self.book.mineral[idx]]
        return np.where(
            fast,
            np.minimum(self.lever("fast_track_review_months"), self.lever("permit_review_months")),
            self.lever("permit_review_months"),
        )

    def capacity_per_month(self, values: dict[str, Any] | None = None) -> float:
        """Decisions a month; scaled with the population (projects are ``scale`` times more)."""
        return (values or self.values)[self.prefix + "permit_capacity_per_year"] * self.scale / 12.0

    def expected_wait_months(self) -> float:
        """Wait a new ordinary application should expect: review time, or the backlog."""
        return float(self.expected_waits_months().max())

    def expected_waits_months(self, values: dict[str, Any] | None = None) -> np.ndarray:
        """Wait a new application should expect, per mineral (fast track is shorter), months,
        under this government's levers or under ``values`` (the calibration reference).

        An ordinary application waits behind the whole queue; a fast-tracked one only behind
        the fast-tracked and joint-venture applications.
        """
        v = values or self.values
        fast = self.fast_track_mask(v)
        return self.waits_given_queue(*self.queue_counts(fast), v)

    def waits_given_queue(self, n_queue: int, n_priority: int, values: dict[str, Any]):
        """Expected waits per mineral given the queue length and its priority part."""
        v = values
        fast = self.fast_track_mask(v)
        per_month = self.capacity_per_month(v)
        review = v[self.prefix + "permit_review_months"]
        normal = max(review, n_queue / per_month)
        if not fast.any():
            return np.full(len(MINERALS), normal)
        quick = max(
            min(v[self.prefix + "fast_track_review_months"], review), n_priority / per_month
        )
        return np.where(fast, quick, normal)

    def queue_counts(self, fast: np.ndarray) -> tuple[int, int]:
        """Applications in this country's queue, and how many of them go first (joint
        ventures and minerals in the ``fast`` mask); the second is 0 without a fast track."""
        book = self.book
        idx = np.flatnonzero((book.stage == Stage.PERMITTING) & (book.country == self.index))
        if not fast.any():
            return len(idx), 0
        priority = 2 * book.joint_venture[idx].astype(int) + fast[book.mineral[idx]].astype(int)
        return len(idx), int((priority > 0).sum())

    def process_permits(self, step: int, rng: np.random.Generator) -> int:
        """Decide applications in queue order whose review is complete, up to capacity;
        returns the number decided. Unused capacity carries over for at most
        ``permitting.max_carryover_months`` months of decisions."""
        book = self.book
        cutoff = step - WAIT_WINDOW_MONTHS
        if self.recent_waits and self.recent_waits[0][0] <= cutoff:
            self.recent_waits = [(s, w) for s, w in self.recent_waits if s > cutoff]
            self._mean_wait = None
        per_month = self.capacity_per_month()
        carry = self.values["permitting.max_carryover_months"]
        self.decision_credit = min(self.decision_credit + per_month, max(1.0, per_month) * carry)
        if int(self.decision_credit) == 0:
            return 0  # no decision possible this month: skip the queue
        queue = self.queue()
        waited = step - book.applied_step[queue]
        ready = queue[waited >= self.review_months(queue)]
        n = min(len(ready), int(self.decision_credit))
        if n == 0:
            return 0
        decided = ready[:n]
        self.decision_credit -= n
        approve = rng.random(n) < self.lever("permit_approval_frac")
        book.stage[decided] = np.where(approve, Stage.APPROVED, Stage.DROPPED)
        book.held[decided] = 0.0
        for w in (step - book.applied_step[decided]).tolist():
            self.recent_waits.append((step, float(w)))
        self._mean_wait = None
        return n

    def mean_recent_wait_months(self) -> float:
        """Mean wait of the decisions of the last ``WAIT_WINDOW_MONTHS`` months (else the
        expected wait). Reads only: the window is kept by :meth:`process_permits`."""
        if not self.recent_waits:
            return self.expected_wait_months()
        if self._mean_wait is None:
            self._mean_wait = float(np.mean([w for _, w in self.recent_waits]))
        return self._mean_wait


def expected_waits(governments: list[Government], book: ProjectBook) -> np.ndarray:
    """Expected permit waits (C, M) under each government's levers and queue (one pass
    over the book)."""
    queued = np.bincount(book.country[book.stage == Stage.PERMITTING], minlength=len(governments))
    rows = []
    for g in governments:
        fast = g.fast_track_mask()
        n_priority = g.queue_counts(fast)[1] if fast.any() else 0
        rows.append(g.waits_given_queue(int(queued[g.index]), n_priority, g.values))
    return np.array(rows)


def apply_policy_changes(
    values: dict[str, Any], changes: list, governments: list[Government]
) -> None:
    """Write scheduled policy changes into the live parameter table. Each change (one
    ``[[schedule]]`` entry) is a package: each government reacts once to its country's part
    (a package raises the uncertainty premium once, however many levers it moves)."""
    for change in changes:
        packages: dict[int, list[tuple[str, Any, Any]]] = {}
        for key, value in change.values.items():
            old = values[key]
            values[key] = value
            if key.startswith("government."):
                c = COUNTRIES.index(key.split(".")[1])
                packages.setdefault(c, []).append((key, old, value))
        for c, package in packages.items():
            governments[c].policy_changed(package)
