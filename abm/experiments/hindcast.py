"""``abm hindcast``: replay 2010-2024 with observed prices and policy dates, against history.

Runs ``params/scenarios/history_2010.toml`` over replications (and, paired by seed, the same
history without Mexico's 2014 fiscal change) through :mod:`abm.experiments.engine` (one
atomic file per finished run under ``<out>/runs/``: an interrupted hindcast resumes, the
same seeds give the same numbers at any worker count), then writes into ``<out>``:

- ``hindcast.csv``: ``year, country, indicator, simulated_mean, simulated_lo,
  simulated_hi, observed, observed_source`` (95% t interval over replications);
- ``fit.csv``: per observed series and window (fitting 2010-2017, held-out 2018-2024):
  points, correlation of annual levels, mean absolute percentage error, turning points;
- ``decomposition.csv``: Mexico's 2012-2016 exploration change with and without the 2014
  fiscal change, paired by seed, with t intervals;
- ``plots/exploration.png|svg`` (simulated band against observed points, per country) and
  ``report.md`` (every sentence computed from the numbers).

Observed series (``params/history/exploration_observed.csv``) are not like-for-like, so each
country is compared with one basis at a time (``SERIES``); Canada's NRCan series is in CAD
and is never converted, so only scale-free statistics (correlation, turning points) are
computed for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import abm
from abm import atomic
from abm.cli import add_command
from abm.experiments import engine
from abm.experiments.experiment_file import EXPERIMENT_DIR, load_experiment
from abm.experiments.stats import paired_difference, t_interval
from abm.params.history import load_exploration_observed
from abm.params.scenario import Scenario, ScenarioError, parse_override
from abm.params.schema import MINERALS
from abm.runner import OUTPUTS, RunResult, run
from abm.timeseries import ALL, Tidy

EXPERIMENT = EXPERIMENT_DIR / "hindcast.toml"
DEFAULT_OUT = OUTPUTS / "hindcast"
FIT_WINDOW = (2010, 2017)  # the fitting window (scripts/fit_hindcast.py fits on it only)
# The third fit's grid (docs/validation.md, "Hindcast third fit", committed before the run)
# and the behaviour parameter it holds at its second-fit value.
FIT_GRID: dict[str, tuple[float, ...]] = {
    "firms.npv_response": (0.05, 0.1, 0.2),
    "investors.capital_price_elasticity": (1.0, 2.0, 3.0, 4.0, 5.0),
    "firms.exploration_budget_half_life_months": (3.0, 4.5, 9.0),
    "investors.price_trend_memory_months": (24.0, 36.0, 48.0),
}
FIT_FIXED = ("market.expectation_recent_weight_frac",)
# Fitted apart, to Canada's base-metal share 2017-2021 (scripts/fit_allocation.py)
ALLOCATION_KEY = "exploration.mineral_trend_elasticity"
HELD_OUT = (2018, 2024)  # no value is fitted to it (seen before the third fit chose its grid)
WINDOWS = {"fit_2010_2017": FIT_WINDOW, "held_out_2018_2024": HELD_OUT}
COUNTRIES = ("US", "MX", "CA", "NA")
NO_2014 = "history_2010_no_mx_2014_fiscal"
FISCAL_2014 = "2014-01"  # the dated change the counterfactual leaves out
FALL = (2012, 2016)  # Mexico's exploration fall (Camimex $1,160M -> $401M)


@dataclass(frozen=True)
class Series:
    """One observed series: simulated ``indicator`` of ``country`` against one basis."""

    country: str
    indicator: str  # the hindcast.csv indicator
    basis: str  # exploration_observed.csv basis
    column: str  # exploration_usd or exploration_cad
    levels_comparable: bool  # same currency as the model (MAPE defined)


SERIES = (
    Series("US", "exploration_usd", "sp_nonferrous_budget_usd", "exploration_usd", True),
    Series("MX", "exploration_usd", "camimex_exploration_investment_usd", "exploration_usd", True),
    Series("MX", "exploration_usd_sp", "sp_nonferrous_budget_usd", "exploration_usd", True),
    Series("CA", "exploration_usd", "sp_nonferrous_budget_usd", "exploration_usd", True),
    Series(
        "CA",
        "exploration_cad_nrcan",
        "nrcan_exploration_deposit_appraisal_cad",
        "exploration_cad",
        False,
    ),
    Series("NA", "exploration_usd", "sp_nonferrous_budget_usd", "exploration_usd", True),
)
# simulated indicator each hindcast.csv indicator reads
SIMULATED = {
    "exploration_usd": "exploration_usd",
    "exploration_usd_sp": "exploration_usd",
    "exploration_cad_nrcan": "exploration_usd",
}
# Mine output observed by USGS (MCS 2025 world data, 2023 and 2024 estimates), t content
PRODUCTION_CSV = Path(__file__).resolve().parents[2] / "data/usgs_mcs2025/MCS2025_World_Data.csv"
PRODUCTION_MINERALS = {"Copper": "copper", "Gold": "gold", "Silver": "silver", "Zinc": "zinc"}
PRICE_MINERALS = ("copper", "gold", "silver", "zinc", "nickel", "lithium")
USGS_COUNTRIES = {"United States": "US", "Mexico": "MX", "Canada": "CA"}


# --- runs ------------------------------------------------------------------------------
def without_2014_fiscal(spec: Scenario) -> Scenario:
    """The history without Mexico's 2014 fiscal change (duties and 10-year deduction)."""
    keep = [
        ch
        for ch in spec.schedule
        if not (ch.date == FISCAL_2014 and all(k.startswith("government.MX.") for k in ch.values))
    ]
    if len(keep) == len(spec.schedule):
        raise ScenarioError(f"{spec.name}: no Mexican change dated {FISCAL_2014} to leave out")
    return dataclasses.replace(spec, name=NO_2014, schedule=keep)


def _run(task: engine.Task) -> RunResult:
    """The task's run, without a summary (the workers reduce its timeseries)."""
    return run(
        task.scenario,
        seed=task.seed,
        years=task.years,
        overrides=task.override_dict(),
        summary=False,
    )


def annual_worker(task: engine.Task) -> pd.DataFrame:
    """One run reduced to annual values (picklable): exploration sums by country, mean
    mine output by country and mineral, mean world prices; ``scenario``/``seed`` columns."""
    result = _run(task)
    return annual_frame(result.timeseries, result.scenario.name, task.seed)


def mineral_annual_worker(task: engine.Task) -> pd.DataFrame:
    """:func:`annual_worker` plus each country's annual exploration by mineral (indicator
    ``exploration_usd.<mineral>``), for fits of the allocation (scripts/fit_allocation.py)."""
    result = _run(task)
    return annual_frame(result.timeseries, result.scenario.name, task.seed, minerals=MINERALS)


def annual_frame(
    ts: pd.DataFrame, scenario: str, seed: int, minerals: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Annual values of one run's tidy timeseries (the rows hindcast.csv summarises), and
    each country's exploration on each of ``minerals`` (indicator ``exploration_usd.<m>``)."""
    tidy = Tidy(ts)
    years = tidy.years()
    rows = []
    series = (("exploration_usd", ALL), *((f"exploration_usd.{m}", m) for m in minerals))
    for indicator, mineral in series:
        for c in COUNTRIES:
            annual = tidy.annual("exploration_usd", c, years, mineral=mineral)
            for y, v in zip(years, annual, strict=True):
                rows.append((int(y), c, indicator, float(v)))
    months = ts[ts.step > 0]
    year = months.date.str[:4].astype(int)
    prod = months[(months.indicator == "production_t") & months.country.isin(COUNTRIES[:3])]
    prod = prod[prod.mineral.isin(PRODUCTION_MINERALS.values())]
    for (y, c, m), v in (
        prod.value.groupby([year[prod.index], prod.country, prod.mineral]).mean().items()
    ):
        rows.append((int(y), c, f"production_t.{m}", float(v)))
    price = months[(months.indicator == "price_usd_per_t") & (months.country == "ROW")]
    price = price[price.mineral.isin(PRICE_MINERALS)]
    for (y, m), v in price.value.groupby([year[price.index], price.mineral]).mean().items():
        rows.append((int(y), "NA", f"world_price_usd_per_t.{m}", float(v)))
    out = pd.DataFrame(rows, columns=["year", "country", "indicator", "value"])
    out.insert(0, "seed", seed)
    out.insert(0, "scenario", scenario)
    return out


def make_tasks(
    spec: Any, overrides: dict[str, Any] | None = None, counterfactual: bool = True
) -> list[engine.Task]:
    """History (and the no-2014 counterfactual) x the experiment's seeds; ids carry a hash
    of the resolved scenario and overrides, so a changed model or fit never reuses a file."""
    base = spec.scenarios[0]
    scenarios = [base, without_2014_fiscal(base)] if counterfactual else [base]
    ov = tuple(sorted((overrides or {}).items()))
    tasks = []
    for scen in scenarios:
        fp = engine.fingerprint(scen, spec.years, abm.__version__, [list(x) for x in ov])
        for seed in spec.seeds:
            tasks.append(engine.Task(f"{scen.name}__seed{seed}__{fp}", scen, seed, ov, spec.years))
    return tasks


def run_annual(
    spec: Any,
    store: Path,
    overrides: dict[str, Any] | None = None,
    workers: int = 1,
    progress: bool = True,
    counterfactual: bool = True,
) -> tuple[pd.DataFrame, engine.Outcome]:
    """Every run's annual frame (resumable in ``store``)."""
    tasks = make_tasks(spec, overrides, counterfactual)
    done = engine.execute(
        tasks, annual_worker, store, workers=workers, progress=progress, desc="hindcast"
    )
    if done.failed:
        first = next(iter(done.failed.items()))
        raise RuntimeError(
            f"{len(done.failed)} of {len(tasks)} runs failed (first: {first[0]}: {first[1]}); "
            f"tracebacks in {store}/*.error.txt; finished runs are kept"
        )
    return engine.load_results(tasks, store), done


# --- observed --------------------------------------------------------------------------
def observed_exploration() -> pd.DataFrame:
    """Observed exploration rows for :data:`SERIES`: year, country, indicator, observed,
    observed_source (the basis and the cited source)."""
    obs = load_exploration_observed()
    rows = []
    for s in SERIES:
        sel = obs[(obs.country == s.country) & (obs.basis == s.basis)]
        for _, r in sel.iterrows():
            value = r[s.column]
            if np.isfinite(value):
                unit = "CAD" if s.column == "exploration_cad" else "USD"
                src = f"{s.basis} ({unit}; {r['rule']}): {r['source']}"
                rows.append((int(r.year), s.country, s.indicator, float(value), src))
    return pd.DataFrame(
        rows, columns=["year", "country", "indicator", "observed", "observed_source"]
    )


def observed_production(path: Path = PRODUCTION_CSV) -> pd.DataFrame:
    """USGS MCS 2025 mine production 2023 and 2024 (estimate), t content, per country."""
    d = pd.read_csv(path, encoding="latin-1")
    d.columns = [c.strip() for c in d.columns]
    for c in ("COMMODITY", "COUNTRY", "TYPE"):
        d[c] = d[c].astype(str).str.replace("\xa0", " ").str.strip()
    d = d[
        d.COMMODITY.isin(PRODUCTION_MINERALS)
        & d.COUNTRY.isin(USGS_COUNTRIES)
        & d.TYPE.str.lower().str.startswith("mine production")
    ]
    rows = []
    for _, r in d.iterrows():
        scale = 1000.0 if r.UNIT_MEAS.startswith("thousand") else 1.0
        for year, col in ((2023, "PROD_2023"), (2024, "PROD_EST_ 2024")):
            if pd.notna(r[col]):
                src = f"USGS MCS 2025 world data, {r.TYPE} ({col}), {PRODUCTION_CSV.name}"
                m = PRODUCTION_MINERALS[r.COMMODITY]
                rows.append(
                    (
                        year,
                        USGS_COUNTRIES[r.COUNTRY],
                        f"production_t.{m}",
                        float(r[col]) * scale,
                        src,
                    )
                )
    return pd.DataFrame(
        rows, columns=["year", "country", "indicator", "observed", "observed_source"]
    )


def observed_prices(first: int, last: int) -> pd.DataFrame:
    """The exogenous price input, annual means (rebased as the run uses it)."""
    from abm.params.price_path import annual_mean_usd_per_t, load_history_prices
    from abm.price_paths import history_rebase_frac

    prices = annual_mean_usd_per_t(load_history_prices(f"{first}-01", f"{last}-12"))
    ratio = history_rebase_frac()
    rows = []
    for m in PRICE_MINERALS:
        for y, v in prices[m].items():
            src = "EXOGENOUS input: params/history/prices_monthly.csv, x minerals.toml basis"
            rows.append((int(y), "NA", f"world_price_usd_per_t.{m}", float(v * ratio[m]), src))
    return pd.DataFrame(
        rows, columns=["year", "country", "indicator", "observed", "observed_source"]
    )


# --- summary and statistics ----------------------------------------------------------------
def hindcast_table(annual: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """hindcast.csv: simulated mean and 95% t interval over replications, observed points."""
    runs = annual[annual.scenario == scenario]
    first, last = int(runs.year.min()), int(runs.year.max())
    rows = []
    for (y, c, ind), g in runs.groupby(["year", "country", "indicator"], sort=True):
        iv = t_interval(g.value.to_numpy())
        rows.append((int(y), c, ind, iv.mean, iv.lo, iv.hi))
    sim = pd.DataFrame(
        rows,
        columns=["year", "country", "indicator", "simulated_mean", "simulated_lo", "simulated_hi"],
    )
    obs = pd.concat([observed_exploration(), observed_production(), observed_prices(first, last)])
    obs = obs[(obs.year >= first) & (obs.year <= last)]
    # exploration series on another basis read the simulated exploration_usd
    extra = []
    for ind, sim_ind in SIMULATED.items():
        if ind != sim_ind:
            part = sim[sim.indicator == sim_ind].copy()
            part["indicator"] = ind
            extra.append(part[part.country.isin(obs[obs.indicator == ind].country.unique())])
    sim = pd.concat([sim, *extra], ignore_index=True)
    table = sim.merge(obs, on=["year", "country", "indicator"], how="left")
    table["observed_source"] = table.observed_source.fillna("")
    return table.sort_values(["indicator", "country", "year"]).reset_index(drop=True)


def turning_points(years: np.ndarray, values: np.ndarray) -> dict[int, str]:
    """Peaks and troughs of a series at years with an observed neighbour on both sides one
    year away (a direction change of the annual level)."""
    out = {}
    by_year = dict(zip(years.tolist(), values.tolist(), strict=True))
    for y, v in by_year.items():
        if y - 1 in by_year and y + 1 in by_year:
            a, b = v - by_year[y - 1], by_year[y + 1] - v
            if a > 0 > b:
                out[y] = "peak"
            elif a < 0 < b:
                out[y] = "trough"
    return out


def series_stats(
    years: np.ndarray, sim: np.ndarray, obs: np.ndarray, sim_all: pd.Series, levels: bool
) -> dict:
    """Fit of one series in one window: correlation of annual levels (n >= 3), MAPE (same
    currency only), turning points of the observed series found in the simulated mean
    (same kind within one year)."""
    n = len(years)
    corr = (
        float(np.corrcoef(sim, obs)[0, 1])
        if n >= 3 and np.std(sim) > 0 and np.std(obs) > 0
        else np.nan
    )
    mape = float(np.mean(np.abs(sim / obs - 1.0))) if levels and n else np.nan
    tp_obs = turning_points(years, obs)
    tp_sim = turning_points(sim_all.index.to_numpy(), sim_all.to_numpy())
    found = [y for y, k in tp_obs.items() if any(tp_sim.get(y + d) == k for d in (-1, 0, 1))]
    missed = [y for y in tp_obs if y not in found]
    return {
        "points": n,
        "correlation": corr,
        "mape_frac": mape,
        "turning_points_observed": " ".join(f"{y}:{k}" for y, k in tp_obs.items()),
        "turning_points_found": len(found),
        "turning_points_missed": " ".join(str(y) for y in missed),
    }


def fit_table(table: pd.DataFrame) -> pd.DataFrame:
    """fit.csv: statistics per observed exploration series and window."""
    rows = []
    for s in SERIES:
        part = table[(table.country == s.country) & (table.indicator == s.indicator)]
        sim_all = part.set_index("year").simulated_mean
        for name, (lo, hi) in WINDOWS.items():
            w = part[(part.year >= lo) & (part.year <= hi) & part.observed.notna()]
            stats = series_stats(
                w.year.to_numpy(),
                w.simulated_mean.to_numpy(),
                w.observed.to_numpy(),
                sim_all,
                s.levels_comparable,
            )
            rows.append(
                {
                    "country": s.country,
                    "indicator": s.indicator,
                    "basis": s.basis,
                    "window": name,
                    **stats,
                }
            )
    return pd.DataFrame(rows)


def fit_objective(table: pd.DataFrame, window: tuple[int, int] = FIT_WINDOW) -> float:
    """The fitting rule (docs/validation.md, fixed before the held-out window was looked
    at): mean squared log error of simulated against observed annual exploration over every
    observed point of the window, all series of :data:`SERIES` with equal weight per point;
    for a series in another currency (NRCan CAD) the log error is taken after removing its
    mean over the window (shape only, no exchange rate)."""
    errs = []
    lo, hi = window
    for s in SERIES:
        w = table[(table.country == s.country) & (table.indicator == s.indicator)]
        w = w[(w.year >= lo) & (w.year <= hi) & w.observed.notna()]
        if w.empty:
            continue
        e = np.log(w.simulated_mean.to_numpy()) - np.log(w.observed.to_numpy())
        if not s.levels_comparable:
            e = e - e.mean()
        errs.extend(e.tolist())
    return float(np.mean(np.square(errs)))


def decomposition(annual: pd.DataFrame, base: str, cf: str) -> pd.DataFrame:
    """Mexico's 2012-2016 exploration change, history vs no-2014-fiscal-change, paired."""

    def change(scen: str) -> pd.Series:
        a = annual[
            (annual.scenario == scen)
            & (annual.country == "MX")
            & (annual.indicator == "exploration_usd")
        ]
        p = a.pivot(index="seed", columns="year", values="value")
        return p[FALL[1]] / p[FALL[0]] - 1.0

    hist, no = change(base), change(cf)
    seeds = hist.index.intersection(no.index)
    hist, no = hist[seeds].to_numpy(), no[seeds].to_numpy()
    policy = paired_difference(hist, no)
    share = np.divide(hist - no, hist, out=np.full_like(hist, np.nan), where=hist != 0)
    rows = []
    for name, iv in (
        ("simulated_change_frac", t_interval(hist)),
        ("change_without_2014_fiscal_frac (prices and the rest)", t_interval(no)),
        ("policy_part_frac (paired difference)", policy),
        ("policy_share_of_change_frac", t_interval(share)),
    ):
        rows.append({"quantity": name, "mean": iv.mean, "lo": iv.lo, "hi": iv.hi, "n": iv.n})
    obs = observed_exploration()
    mx = (
        obs[(obs.country == "MX") & (obs.indicator == "exploration_usd")].set_index("year").observed
    )
    if FALL[0] in mx and FALL[1] in mx:
        v = mx[FALL[1]] / mx[FALL[0]] - 1
        rows.append(
            {
                "quantity": "observed_change_frac (Camimex)",
                "mean": v,
                "lo": np.nan,
                "hi": np.nan,
                "n": 1,
            }
        )
    return pd.DataFrame(rows)


# --- the command ---------------------------------------------------------------------------
def load_spec(replications: int | None = None, experiment: Path | str = EXPERIMENT) -> Any:
    """The hindcast experiment file (experiments/hindcast.toml) through the one loader."""
    return load_experiment(experiment, "compare", replications=replications)


def hindcast(
    out: Path,
    replications: int | None = None,
    workers: int = 1,
    overrides: dict[str, Any] | None = None,
    progress: bool = True,
    force: bool = False,
    experiment: Path | str = EXPERIMENT,
) -> dict[str, pd.DataFrame]:
    """Run the hindcast into ``out`` (resumable: finished runs in ``out/runs`` are kept)."""
    from abm.experiments.hindcast_report import write_plots, write_report

    spec = load_spec(replications, experiment)
    check_overrides(overrides or {}, spec)
    if overrides:
        spec = dataclasses.replace(
            spec, scenarios=[s.with_overrides(overrides) for s in spec.scenarios]
        )
    with atomic.claim(out, "hindcast", force=force) as claim:
        if force:
            claim.clear()
        claim.start_in_place()
        t0 = time.perf_counter()
        annual, done = run_annual(spec, claim.out / "runs", None, workers, progress)
        base = spec.scenarios[0].name
        table = hindcast_table(annual, base)
        fit = fit_table(table)
        dec = decomposition(annual, base, NO_2014)
        values = spec.scenarios[0].values
        meta = {
            "experiment": str(spec.path),
            "scenario": base,
            "counterfactual": NO_2014,
            "replications": len(spec.seeds),
            "seeds": spec.seeds,
            "master_seed": spec.master_seed,
            "years": spec.years,
            "version": abm.__version__,
            "runs_ran": len(done.ran),
            "runs_reused": len(done.reused),
            "seconds": round(time.perf_counter() - t0, 1),
            "fit_objective_2010_2017": fit_objective(table),
            "fitted": {k: values[k] for k in fitted_keys()},
            "overrides": {k: v for k, v in (overrides or {}).items()},
        }

        def write_set(tmp: Path) -> None:
            table.to_csv(tmp / "hindcast.csv", index=False)
            fit.to_csv(tmp / "fit.csv", index=False)
            dec.to_csv(tmp / "decomposition.csv", index=False)
            annual.to_parquet(tmp / "annual.parquet", index=False)
            figures = write_plots(table, tmp / "plots")
            (tmp / "manifest.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
            write_report(table, fit, dec, meta, figures, tmp / "report.md")

        claim.publish(write_set, carry=True)
    return {"table": table, "fit": fit, "decomposition": dec, "meta": meta}


def check_overrides(overrides: dict[str, Any], spec: Any) -> None:
    """Refuse a ``--set`` the replay would ignore: its horizon is the experiment file's
    ``years`` (every run covers it), not the scenario's ``simulation.years``."""
    if "simulation.years" in overrides:
        raise ScenarioError(
            f"--set simulation.years: cannot change the replay's horizon, years = "
            f"{spec.years} in {spec.path} (every run covers it)"
        )


def fitted_keys() -> list[str]:
    """The exploration behaviour parameters the report lists: those
    scripts/fit_hindcast.py fits (:data:`FIT_GRID`), the ones it holds fixed, then the one
    scripts/fit_allocation.py fits."""
    return [*FIT_GRID, *FIT_FIXED, ALLOCATION_KEY]


def _cmd(args: argparse.Namespace) -> int:
    from abm.experiments.sweep import check_workers

    check_workers(args)
    if args.replications is not None and args.replications < 2:
        raise ScenarioError(f"--replications: at least 2 (a t interval), got {args.replications}")
    overrides = dict(parse_override(s) for s in args.set or [])
    spec = load_spec(args.replications)
    check_overrides(overrides, spec)  # before anything is written
    if overrides:
        spec.scenarios[0].with_overrides(overrides)
    out = Path(args.out) if args.out is not None else DEFAULT_OUT
    atomic.check_out(out, "hindcast", args.force)
    n = 2 * len(spec.seeds)
    print(
        f"hindcast: {spec.scenarios[0].name} and {NO_2014} x {len(spec.seeds)} replications "
        f"= {n} runs of {spec.years} years on {args.workers} worker(s) -> {out}"
    )
    try:
        res = hindcast(out, args.replications, args.workers, overrides, not args.quiet, args.force)
    except RuntimeError as e:
        import sys

        print(f"error: {e}", file=sys.stderr)
        return 1
    fit = res["fit"]
    held = fit[(fit.window == "held_out_2018_2024") & (fit.points > 0)]
    print(
        held[
            ["country", "indicator", "points", "correlation", "mape_frac", "turning_points_found"]
        ].to_string(index=False)
    )
    print(res["decomposition"].to_string(index=False))
    m = res["meta"]
    print(
        f"\n{m['runs_ran']} runs made, {m['runs_reused']} reused in {m['seconds']:.0f} s; "
        f"wrote {out}/report.md, hindcast.csv, fit.csv, decomposition.csv, plots/"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``abm hindcast``."""
    from abm.cli import add_force, add_quiet, add_workers

    p = add_command(sub, "hindcast")
    p.add_argument(
        "--replications",
        type=int,
        default=None,
        help="replications (default: experiments/hindcast.toml)",
    )
    add_workers(p)
    p.add_argument(
        "--out",
        default=None,
        help="output folder: new, empty, or an earlier hindcast, whose finished runs are reused "
        "(default outputs/hindcast/)",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a parameter of the replay (TOML value; repeatable)",
    )
    add_force(p)
    add_quiet(p)
    p.set_defaults(func=_cmd)
