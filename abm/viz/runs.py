"""The dashboard's Mesa model: the chosen scenario and, side by side, the baseline.

:class:`DashboardModel` is what Mesa's SolaraViz steps and rebuilds on Reset. It holds one
:class:`~abm.model.MiningModel` for the scenario with the user's lever settings and, in
side-by-side mode, one for the baseline with the same seed; both step together, so the
difference between their lines is the policy's effect, not noise between two random draws.
Indicators are read from each model's :class:`~abm.outputs.Recorder`.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import mesa
import numpy as np
import pandas as pd

from abm.model import MiningModel
from abm.params.scenario import ScenarioError, load_scenario
from abm.params.schema import COUNTRIES
from abm.runner import DEFAULT_SEED
from abm.viz.levers import UiSettings, changed_levers, describe_changes

BASELINE = "baseline"
WINDOW_MONTHS = 12


class HasValue(Protocol):
    """A holder of the current settings (a ``solara.Reactive`` in the app)."""

    value: UiSettings


def parse_seed(text: Any) -> int | None:
    """The seed typed by the user, or None when it is not a whole number >= 0."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        return None
    return seed if seed >= 0 else None


class DashboardModel(mesa.Model):
    """The scenario with the user's levers and, optionally, the baseline, stepped together.

    Args:
        settings: the lever panel's settings, or a holder of them (read once, here).
        seed: the random seed of both runs (text from the UI is accepted).
        compare: also run the baseline with the same seed (side-by-side mode).
    """

    def __init__(
        self,
        settings: UiSettings | HasValue | None = None,
        seed: int | str = DEFAULT_SEED,
        compare: bool = True,
    ) -> None:
        s = getattr(settings, "value", settings) or UiSettings()
        self.notes: list[str] = []
        parsed = parse_seed(seed)
        if parsed is None:
            self.notes.append(f"seed {seed!r} is not a whole number >= 0; using {DEFAULT_SEED}")
            parsed = DEFAULT_SEED
        super().__init__(rng=parsed)
        self.seed = parsed
        self.settings = s
        spec = load_scenario(s.scenario)
        try:
            self.overrides = changed_levers(s.levers, spec.values)
        except ScenarioError as exc:
            self.notes.append(f"{exc}; levers ignored")
            self.overrides = {}
        self.changes = describe_changes(self.overrides, spec.values)
        self.policy = MiningModel(spec, rng=parsed, overrides=self.overrides)
        self.baseline = MiningModel(BASELINE, rng=parsed) if compare else None
        self.running = self.policy.running
        self.epoch = secrets.token_hex(4)  # names this model's data in the browser charts
        # Mesa's Play steps in a thread while the page renders: readers take this lock so that
        # they never see the scenario one month ahead of the baseline (or a half-recorded month).
        self.lock = threading.RLock()

    @property
    def scenario_name(self) -> str:
        """The scenario's name, ``+ levers`` when levers were changed."""
        name = self.policy.spec.name
        return f"{name} + levers" if self.overrides else name

    @property
    def runs(self) -> dict[str, MiningModel]:
        """``{"scenario": model, "baseline": model}`` (baseline only in side-by-side mode)."""
        out = {"scenario": self.policy}
        if self.baseline is not None:
            out["baseline"] = self.baseline
        return out

    @property
    def date(self) -> str:
        """Simulated month of the last completed step (``YYYY-MM``)."""
        return self.policy.date

    def step(self) -> None:
        """One month of every run."""
        with self.lock:
            for model in self.runs.values():
                if model.running:
                    model.step()
            self.running = self.policy.running


@dataclass(frozen=True)
class Recorded:
    """A run's recorded indicators as a matrix: one row per recorded step."""

    steps: np.ndarray
    values: np.ndarray  # (steps, columns)
    columns: dict[tuple[str, str, str], int]  # (indicator, country, mineral) -> column
    x: np.ndarray  # decimal year of each step (2025.0 = January 2025)

    def get(self, indicator: str, country: str, mineral: str = "all") -> np.ndarray:
        """One indicator's series."""
        return self.values[:, self.columns[(indicator, country, mineral)]]

    def trailing(self, indicator: str, country: str, mineral: str = "all") -> np.ndarray:
        """Sum over the last :data:`WINDOW_MONTHS` months (fewer at the start; NaN at step 0)."""
        y = np.nan_to_num(self.get(indicator, country, mineral))
        c = np.cumsum(y)
        out = c - np.concatenate([np.zeros(WINDOW_MONTHS), c[:-WINDOW_MONTHS]])[: len(c)]
        out[self.steps == 0] = np.nan
        return out


def recorded(model: MiningModel) -> Recorded:
    """The run's indicators so far, from its Recorder."""
    rec = model.recorder
    assert rec.layout is not None
    country, mineral, name = rec.layout
    columns = {(n, c, m): i for i, (n, c, m) in enumerate(zip(name, country, mineral, strict=True))}
    steps = np.asarray(rec.steps)
    x = model.start_year + (model.start_month - 1 + steps - 1) / 12
    return Recorded(steps, np.vstack(rec.rows), columns, x)


@dataclass(frozen=True)
class Window:
    """The months a trailing-window figure covers."""

    months: int  # 0 at step 0, at most WINDOW_MONTHS
    first: str  # YYYY-MM (empty when months == 0)
    last: str

    def label(self) -> str:
        """``last 12 months`` or, during the first year, ``2025-01 to 2025-06 (6 months)``."""
        if self.months == 0:
            return "no month simulated yet"
        if self.months >= WINDOW_MONTHS:
            return f"last {WINDOW_MONTHS} months"
        if self.months == 1:
            return f"{self.last} (1 month)"
        return f"{self.first} to {self.last} ({self.months} months)"


def _month(model: MiningModel, step: int) -> str:
    index = model.start_year * 12 + model.start_month - 1 + step - 1
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_covered(steps: np.ndarray) -> np.ndarray:
    """Months a trailing window covers at each step: 0 at step 0 (the calibrated start has no
    flows), then 1, 2, ... up to :data:`WINDOW_MONTHS` (as :func:`abm.timeseries.trailing_sum`
    counts them; tests check the two agree)."""
    return np.clip(steps, 0, WINDOW_MONTHS)


def key_numbers(model: MiningModel) -> dict[str, Any]:
    """Headline numbers now: indicator -> country (US, MX, CA, NA) -> value, and ``window``
    (a :class:`Window`: the months the trailing-window numbers cover).

    The trailing sums are :meth:`Recorded.trailing` (numpy, a few microseconds) rather than
    :func:`abm.timeseries.trailing_sum` on a tidy frame (pandas, 5-20 ms a call, four calls a
    Step); tests check both give the same sums and months."""
    rec = recorded(model)
    step = int(rec.steps[-1])
    covered = int(months_covered(rec.steps)[-1])
    regions = (*COUNTRIES, "NA")
    exploration = {c: float(rec.trailing("exploration_usd", c)[-1]) for c in regions}
    investment = {c: float(rec.trailing("investment_usd", c)[-1]) for c in COUNTRIES}
    if covered == 0:
        shares = dict.fromkeys(COUNTRIES, float("nan"))
        explo = dict.fromkeys(regions, float("nan"))
    else:
        total = float(sum(investment[c] for c in COUNTRIES))
        ok = np.isfinite(total) and total > 0
        shares = {c: float(investment[c]) / total if ok else float("nan") for c in COUNTRIES}
        explo = {c: float(exploration[c]) for c in regions}
    crit = model.minerals.critical_minerals
    dep = [float(rec.get("import_dependency", "NA", m)[-1]) for m in crit]
    first = _month(model, step - covered + 1) if covered else ""
    return {
        "investment_share": shares,
        "exploration_usd": explo,
        "projects_in_permitting": {
            c: float(rec.get("projects_in_permitting", c)[-1]) for c in regions
        },
        "producing_mines": {c: float(rec.get("producing_mines", c)[-1]) for c in regions},
        "import_dependency_critical": {"NA": float(np.mean(dep))},
        "window": Window(covered, first, _month(model, step)),
    }


def timeseries_frame(model: DashboardModel) -> pd.DataFrame:
    """Every run's tidy timeseries so far, with ``run``, ``scenario`` and ``seed`` columns."""
    frames = []
    for run, m in model.runs.items():
        with model.lock:
            ts = m.recorder.to_frame()
        name = model.scenario_name if run == "scenario" else m.spec.name
        ts.insert(0, "seed", model.seed)
        ts.insert(0, "scenario", name)
        ts.insert(0, "run", run)
        frames.append(ts)
    return pd.concat(frames, ignore_index=True)


def timeseries_csv(model: DashboardModel) -> str:
    """:func:`timeseries_frame` as CSV text."""
    return timeseries_frame(model).to_csv(index=False)


def csv_filename(model: DashboardModel) -> str:
    """``<scenario>-seed<seed>-<date>.csv``."""
    return f"{model.policy.spec.name}-seed{model.seed}-{model.date}.csv"
