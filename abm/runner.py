"""One run: ``run(scenario, seed, years, overrides)`` -> :class:`RunResult`; writing outputs.

This is the only entry point experiments use; it never imports experiments, reports or UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm import atomic
from abm.model import MiningModel
from abm.params.scenario import Scenario, load_scenario, to_toml
from abm.params.schema import COUNTRIES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = PROJECT_ROOT / "outputs"
DEFAULT_SEED = 20250101


@dataclass
class RunResult:
    """A finished run: its tidy timeseries, headline summary and resolved scenario."""

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def run(
    scenario: str | Path | Scenario = "baseline",
    seed: int = DEFAULT_SEED,
    years: int | None = None,
    overrides: dict[str, Any] | None = None,
    summary: bool = True,
) -> RunResult:
    """Run one scenario to its horizon and return the result (``summary=False``: no summary)."""
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    extra = dict(overrides or {})
    if years is not None:
        extra["simulation.years"] = years
    if extra:
        spec = spec.with_overrides(extra)
    model = MiningModel(spec, rng=seed)
    while model.running:
        model.step()
    ts = model.recorder.to_frame()
    head = summarise(ts, model.minerals.critical_minerals) if summary else {}
    return RunResult(spec, seed, ts, head)


def _annual(ts: pd.DataFrame, indicator: str, mineral: str = "all") -> pd.DataFrame:
    sel = ts[(ts.indicator == indicator) & (ts.mineral == mineral) & (ts.step > 0)]
    sel = sel.assign(year=sel.date.str[:4].astype(int))
    return sel.groupby(["year", "country"]).value.sum().unstack("country")


def _value_at(ts: pd.DataFrame, indicator: str, date: str) -> pd.DataFrame:
    sel = ts[(ts.indicator == indicator) & (ts.date == date)]
    return sel.set_index(["country", "mineral"]).value


def summarise(ts: pd.DataFrame, critical: list[str]) -> dict[str, Any]:
    """Headline outcomes of a run (annual totals, shares, dependency at dates)."""
    inv = _annual(ts, "investment_usd")
    exp = _annual(ts, "exploration_usd")
    first, last = int(inv.index.min()), int(inv.index.max())
    out: dict[str, Any] = {"first_year": first, "last_year": last, "countries": {}}
    shares = inv[list(COUNTRIES)].div(inv[list(COUNTRIES)].sum(axis=1), axis=0)
    end = ts.date.max()
    last_mines = _value_at(ts, "producing_mines", end)
    rev = _annual(ts, "government_revenue_usd")
    jobs = _value_at(ts, "mining_jobs", end)
    for c in (*COUNTRIES, "NA"):
        row = {
            "investment_usd_first_year": float(inv.loc[first, c]),
            "investment_usd_last_year": float(inv.loc[last, c]),
            "exploration_usd_first_year": float(exp.loc[first, c]),
            "exploration_usd_last_year": float(exp.loc[last, c]),
            "exploration_change_frac": float(exp.loc[last, c] / exp.loc[first, c] - 1)
            if exp.loc[first, c] > 0
            else float("nan"),
            "producing_mines_end": float(last_mines.loc[(c, "all")]),
            "government_revenue_usd_total": float(rev[c].sum()),
            "mining_jobs_end": float(jobs.loc[(c, "all")]),
        }
        if c in COUNTRIES:
            row["investment_share_first_year"] = float(shares.loc[first, c])
            row["investment_share_last_year"] = float(shares.loc[last, c])
        out["countries"][c] = row
    dep = ts[(ts.indicator == "import_dependency") & (ts.country == "NA")]
    dep_start = dep[dep.step == 0].set_index("mineral").value
    out["import_dependency_NA"] = {}
    for label, date in (("2030", "2030-12"), ("end", end)):
        d = dep[dep.date == date].set_index("mineral").value
        if d.empty:
            continue
        out["import_dependency_NA"][label] = {m: float(d[m]) for m in critical}
    out["import_dependency_NA"]["start"] = {m: float(dep_start[m]) for m in critical}
    s0 = np.mean([dep_start[m] for m in critical])
    s1 = np.mean([out["import_dependency_NA"]["end"][m] for m in critical])
    out["import_dependency_NA_critical_mean"] = {"start": float(s0), "end": float(s1)}
    return out


def default_out_dir(scenario: str, seed: int) -> Path:
    """``outputs/runs/<scenario>-seed<seed>/`` under the project root."""
    return OUTPUTS / "runs" / f"{scenario}-seed{seed}"


def write_outputs(result: RunResult, out_dir: Path) -> Path:
    """Write timeseries.parquet, summary.json, scenario.toml as one set into ``out_dir``.

    ``out_dir`` must be new, empty or an earlier result (:func:`abm.atomic.check_out`); the
    scenario.toml written loads again as a scenario (``abm run .../scenario.toml`` reruns it
    with the recorded seed).
    """
    out_dir = Path(out_dir)
    with atomic.folder(out_dir, "run") as tmp:
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        summary = {"scenario": result.scenario.name, "seed": result.seed, **result.summary}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (tmp / "scenario.toml").write_text(to_toml(result.scenario, {"seed": result.seed}))
    return out_dir


def run_timeseries(job: tuple[str, dict[str, Any], int, int | None]) -> pd.DataFrame:
    """Picklable worker for process pools: ``(scenario, overrides, seed, years)`` -> timeseries."""
    scenario, overrides, seed, years = job
    return run(scenario, seed=seed, years=years, overrides=overrides).timeseries
