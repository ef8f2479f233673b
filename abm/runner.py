"""One run: ``run(scenario, seed, years, overrides)`` -> :class:`RunResult`; writing outputs.

This is the only entry point experiments use; it never imports experiments, reports or UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abm import atomic, timeseries
from abm.model import MiningModel
from abm.outcomes import dependency_years, headline_outcomes, value_weights, weighted
from abm.params.scenario import DEFAULT_SEED, Scenario, check_seed, load_scenario, to_toml
from abm.params.schema import COUNTRIES
from abm.timeseries import Tidy

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = PROJECT_ROOT / "outputs"


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
    """Run one scenario to its horizon and return the result (``summary=False``: no summary).

    ``seed`` and ``years`` may be numpy integers (as samplers deliver them)."""
    seed = check_seed(seed, "seed")
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


def summarise(ts: pd.DataFrame, critical: list[str]) -> dict[str, Any]:
    """Headline outcomes of a run: the one definition in :mod:`abm.outcomes` (totals over
    the run, shares, dependency at year ends), plus the starting dependency it is read
    against. This is summary.json and what ``abm run`` prints."""
    years = Tidy(ts).years()
    start = timeseries.at_step(ts, "import_dependency", 0).loc["NA"]
    mined = timeseries.at_step(ts, "import_dependency_mined", 0).loc["NA"]
    weights = value_weights()
    return {
        "first_year": int(years[0]),
        "last_year": int(years[-1]),
        "outcomes": headline_outcomes(ts),
        "import_dependency_NA_start": {m: float(start[m]) for m in critical},
        "import_dependency_value_weighted_NA_start": {
            "refined": weighted(start, weights),
            "mined": weighted(mined, weights),
        },
        "care_and_maintenance": care_and_maintenance_summary(ts),
    }


def care_and_maintenance_summary(ts: pd.DataFrame) -> dict[str, float]:
    """Mines on care and maintenance by region (``mines_on_care_and_maintenance``): at the
    end (``end.<region>``) and summed over the run's months in mine-years
    (``mine_years.<region>``)."""
    sel = timeseries.select(ts, "mines_on_care_and_maintenance", country=None)
    sel = sel[sel.step > 0]
    last = sel[sel.step == sel.step.max()].set_index("country").value
    total = sel.groupby("country").value.sum() / 12.0
    out = {f"end.{r}": float(last.get(r, 0.0)) for r in (*COUNTRIES, "NA")}
    out.update({f"mine_years.{r}": float(total.get(r, 0.0)) for r in (*COUNTRIES, "NA")})
    return out


_ROWS = (  # (label, outcome name, format; "bn" = USD bn)
    ("investment share, {years}", "investment_share", "{:.1%}"),
    ("investment, {years} (USD bn)", "investment_usd", "bn"),
    ("exploration, {years} (USD bn)", "exploration_usd", "bn"),
    ("exploration {last} vs {first}", "exploration_change_frac", "{:+.1%}"),
    ("producing mines at end", "producing_mines_end", "{:.0f}"),
    ("gov. revenue, {years} (USD bn)", "government_revenue_usd", "bn"),
    ("direct mining jobs at end", "mining_jobs_end", "{:,.0f}"),
)


def format_summary(summary: dict, scenario: str, seed: int) -> str:
    """A short text table of the headline outcomes (``summarise``)."""
    first, last = summary["first_year"], summary["last_year"]
    out = summary["outcomes"]
    years = f"{first}-{last}"
    lines = [f"scenario {scenario}, seed {seed}, {years}", ""]
    lines.append(f"{'':34}{'US':>11}{'MX':>11}{'CA':>11}{'NA':>11}")
    for label, name, fmt in _ROWS:
        cells = []
        for region in (*COUNTRIES, "NA"):
            val = out.get(f"{name}.{region}")
            if val is None:
                cells.append(f"{'':>11}")
            elif fmt == "bn":
                cells.append(f"{val / 1e9:>11.2f}")
            else:
                cells.append(f"{fmt.format(val):>11}")
        lines.append(f"{label.format(years=years, first=first, last=last):34}" + "".join(cells))
    idle = summary["care_and_maintenance"]
    for label, key, fmt in (
        ("mines on care and maint. at end", "end", "{:>11.0f}"),
        (f"  mine-years idle, {years}", "mine_years", "{:>11.1f}"),
    ):
        cells = "".join(fmt.format(idle[f"{key}.{r}"]) for r in (*COUNTRIES, "NA"))
        lines.append(f"{label:34}{cells}")
    dep_years = list(dict(dependency_years(first, last)).items())  # a run ending 2030: once
    lines += [
        "",
        f"{'NA import dependency':24}{'start':>8}" + "".join(f"{y:>8}" for y, _ in dep_years),
    ]
    for m, start in summary["import_dependency_NA_start"].items():
        vals = [start] + [out[f"import_dependency.{m}.{when}"] for _, when in dep_years]
        lines.append(f"  {m:22}" + "".join(f"{v:>8.0%}" for v in vals))
    weighted_start = summary.get("import_dependency_value_weighted_NA_start")
    if weighted_start is not None:  # summaries written before the value-weighted aggregate
        for label, stage, name in (
            ("value-weighted", "refined", "import_dependency"),
            ("  at the ore stage", "mined", "import_dependency_mined"),
        ):
            vals = [weighted_start[stage]] + [
                out[f"{name}.critical_value_weighted.{when}"] for _, when in dep_years
            ]
            lines.append(f"  {label:22}" + "".join(f"{v:>8.0%}" for v in vals))
        lines.append("  (value-weighted: critical minerals and copper, 2024 consumption value)")
    unmet = {m: out[f"unmet_demand_frac.{m}"] for m in summary["import_dependency_NA_start"]}
    short = [f"{m} {v:.1%}" for m, v in unmet.items() if v > 0]  # none unless rationed
    lines += ["", "NA demand unmet over the run: " + (", ".join(short) if short else "none")]
    return "\n".join(lines)


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
