"""The dashboard's Mesa model: the chosen scenario and, side by side, the baseline.

:class:`DashboardModel` is what Mesa's SolaraViz steps and rebuilds on Reset. It holds one
:class:`~abm.model.MiningModel` for the scenario with the user's lever settings and, in
side-by-side mode, one for the baseline with the same seed; both step together, so the
difference between their lines is the policy's effect, not noise between two random draws.
Indicators are read from each model's :class:`~abm.outputs.Recorder`.
"""

from __future__ import annotations

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


def horizon(model: MiningModel) -> tuple[float, float]:
    """Decimal years of step 0 and the last step."""
    first = model.start_year + (model.start_month - 2) / 12
    return first, first + model.n_steps / 12


def investment_shares(rec: Recorded) -> dict[str, float]:
    """Each country's share of North American investment over the last 12 months."""
    last = {c: float(rec.trailing("investment_usd", c)[-1]) for c in COUNTRIES}
    total = sum(last.values())
    if not np.isfinite(total) or total <= 0:
        return dict.fromkeys(COUNTRIES, float("nan"))
    return {c: v / total for c, v in last.items()}


def key_numbers(model: MiningModel) -> dict[str, dict[str, float]]:
    """Headline numbers now: indicator -> country (US, MX, CA, NA) -> value."""
    rec = recorded(model)
    crit = model.minerals.critical_minerals
    dep = [float(rec.get("import_dependency", "NA", m)[-1]) for m in crit]
    regions = (*COUNTRIES, "NA")
    return {
        "investment_share": investment_shares(rec),
        "exploration_usd": {c: float(rec.trailing("exploration_usd", c)[-1]) for c in regions},
        "projects_in_permitting": {
            c: float(rec.get("projects_in_permitting", c)[-1]) for c in regions
        },
        "producing_mines": {c: float(rec.get("producing_mines", c)[-1]) for c in regions},
        "import_dependency_critical": {"NA": float(np.mean(dep))},
    }


def timeseries_frame(model: DashboardModel) -> pd.DataFrame:
    """Every run's tidy timeseries so far, with ``run``, ``scenario`` and ``seed`` columns."""
    frames = []
    for run, m in model.runs.items():
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
