"""The project pipeline as numpy arrays (one row per deposit/project), not Mesa agents.

Thousands of projects are evaluated each month, so they are plain data owned by firms
(``owner`` indexes the firm arrays; ``STATE_OWNER`` marks a state company). Stages::

    RESOURCE -> FEASIBILITY -> PERMITTING -> APPROVED -> CONSTRUCTION -> PRODUCTION -> CLOSED
                 (any stage before construction may end in DROPPED)

Timed stages (resource definition, feasibility, construction) count ``timer`` down in
months; a project whose timer is done waits (``held`` months) for its owner's decision.
"""

from __future__ import annotations

from enum import IntEnum
from functools import cache

import numpy as np

from abm.params.schema import COUNTRIES, MINERALS


class Stage(IntEnum):
    """Project stages, in pipeline order."""

    RESOURCE = 0
    FEASIBILITY = 1
    PERMITTING = 2
    APPROVED = 3
    CONSTRUCTION = 4
    PRODUCTION = 5
    CLOSED = 6
    DROPPED = 7


STATE_OWNER = -1
DEVELOPMENT_STAGES = (Stage.RESOURCE, Stage.FEASIBILITY, Stage.PERMITTING, Stage.APPROVED)

_FIELDS: dict[str, type] = {
    "owner": np.int32,
    "country": np.int8,
    "mineral": np.int8,
    "stage": np.int8,
    "timer": np.float64,  # months left in a timed stage
    "held": np.float64,  # months waited for a decision after the timer ran out
    "capacity_t": np.float64,  # annual output at full production, t of content
    "unit_cost_usd_per_t": np.float64,
    "capex_usd": np.float64,
    "life_years": np.float64,  # mine life (production years)
    "life_left_years": np.float64,  # for producing mines
    "discovered_step": np.int32,  # negative: before the simulation
    "applied_step": np.int32,  # permit application
    "production_step": np.int32,  # first month of production (-1: not yet)
    "build_months": np.float64,  # construction time drawn at discovery
    "concession_end_step": np.int32,  # concession expiry (term fixed at grant = discovery)
    "joint_venture": np.bool_,  # designated cross-border joint venture (integration.*)
    "loss_months": np.float64,  # consecutive months a running mine lost more than idling costs
    "idle": np.bool_,  # a producing mine on care and maintenance (no output, holding cost)
    "idle_months": np.float64,  # months on care and maintenance since it last went idle (inf)
    "rate_reduction_frac": np.float64,  # discount-rate cut from government loans (supply.*)
    "known": np.int16,  # row of params/known_projects.csv (-1: a synthetic or new deposit)
    "host_scaled": np.bool_,  # a by-product recovery circuit: output follows its host's
    "primary": np.int32,  # a known mine's co-product row: the row of its primary (-1: none)
}
# Columns a caller may leave out of :meth:`ProjectBook.add`, and their value. A mine that
# never went idle in the run (or was idle before it started) has served any minimum time on
# care and maintenance: inf.
_DEFAULTS: dict[str, float] = {"idle_months": np.inf}


@cache
def _stage_lookup(stages: tuple[Stage, ...]) -> np.ndarray:
    """Boolean table over stage codes: True for ``stages`` (a cheap mask by indexing)."""
    table = np.zeros(len(Stage), dtype=bool)
    table[list(stages)] = True
    table.flags.writeable = False
    return table


class ProjectBook:
    """Growable struct-of-arrays of projects."""

    def __init__(self, capacity: int = 1024) -> None:
        self._cap = max(capacity, 16)
        self.n = 0
        # By-products (abm.byproducts; set with the starting state): each mineral's host
        # (-1: primary), the hosts' output at the start (C, M) and world recovery rates (M,).
        self.host_of = np.full(len(MINERALS), -1)
        self.host_reference_t = np.zeros((len(COUNTRIES), len(MINERALS)))
        self.world_recovery_t_per_t = np.zeros(len(MINERALS))
        for name, dtype in _FIELDS.items():
            setattr(self, "_" + name, np.zeros(self._cap, dtype=dtype))
        self._views()

    def _views(self) -> None:
        """Expose each column as a view of its first ``n`` rows (plain attributes: the hot
        path reads them thousands of times a month)."""
        for name in _FIELDS:
            self.__dict__[name] = self.__dict__["_" + name][: self.n]

    def __len__(self) -> int:
        return self.n

    def add(self, **cols: np.ndarray | float) -> np.ndarray:
        """Append projects (arrays of equal length, or scalars shared by all of them);
        returns their indices. Columns in ``_DEFAULTS`` may be left out."""
        k = next(len(v) for v in cols.values() if np.ndim(v) == 1)
        cols = {**_DEFAULTS, **cols}
        missing = set(_FIELDS) - set(cols)
        if missing:
            raise ValueError(f"missing project fields: {sorted(missing)}")
        if self.n + k > self._cap:
            new_cap = max(self._cap * 2, self.n + k)
            for name in _FIELDS:
                old = self.__dict__["_" + name]
                grown = np.zeros(new_cap, dtype=old.dtype)
                grown[: self.n] = old[: self.n]
                self.__dict__["_" + name] = grown
            self._cap = new_cap
        for name in _FIELDS:
            self.__dict__["_" + name][self.n : self.n + k] = cols[name]
        idx = np.arange(self.n, self.n + k)
        self.n += k
        self._views()
        return idx

    def stage_mask(self, *stages: Stage) -> np.ndarray:
        """True for projects in any of ``stages``."""
        return _stage_lookup(stages)[self.stage]

    def in_stage(self, *stages: Stage) -> np.ndarray:
        """Indices of projects in any of ``stages``."""
        return np.flatnonzero(_stage_lookup(stages)[self.stage])

    def count(self, stage: Stage, n_countries: int, n_minerals: int) -> np.ndarray:
        """Projects in ``stage`` by (country, mineral)."""
        sel = self.stage == stage
        out = np.zeros((n_countries, n_minerals))
        np.add.at(out, (self.country[sel], self.mineral[sel]), 1)
        return out
