"""Summary tables of a comparison: per scenario and outcome, interval and paired difference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.experiments.stats import paired_difference, t_interval
from abm.outcomes import outcome_specs

SUMMARY_COLUMNS = [
    "scenario",
    "outcome",
    "unit",
    "n",
    "mean",
    "sd",
    "ci_lo",
    "ci_hi",
    "diff",
    "diff_lo",
    "diff_hi",
    "distinguishable",
]
REDUCTION = "import_reduction_vs_reference"
# How an outcome's differences are shown in tables and charts: indicator -> (multiplier, unit).
DISPLAY = {
    "investment_share": (100, "pp"),
    "investment_usd": (1e-9, "USD bn"),
    "exploration_usd": (1e-9, "USD bn"),
    "producing_mines_end": (1, "mines"),
    "government_revenue_usd": (1e-9, "USD bn"),
    REDUCTION: (100, "% of reference dependency"),
}


def display(name: str) -> tuple[float, str]:
    """Multiplier and unit for showing outcome ``name`` (e.g. shares in pp, USD in bn)."""
    return DISPLAY[name.split(".", 1)[0]]


MIN_REFERENCE_DEPENDENCY_FRAC = 0.05  # below it a relative reduction is a ratio of small numbers


def add_reductions(outcomes: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Add ``import_reduction_vs_reference.<mineral>.<year>``: 1 - dep / dep(reference), paired.

    The relative fall in North American import dependency that a scenario achieves against the
    reference run with the same seed (the seed article's "reduce import dependency by x%").
    Undefined (NaN) where the reference's dependency is under 5%.
    """
    dep_cols = [c for c in outcomes.columns if c.startswith("import_dependency.")]
    ref = outcomes[outcomes.scenario == reference].set_index("seed")[dep_cols]
    out = outcomes.copy()
    base = ref.loc[out.seed].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        red = np.where(
            base >= MIN_REFERENCE_DEPENDENCY_FRAC, 1.0 - out[dep_cols].to_numpy() / base, np.nan
        )
    names = [c.replace("import_dependency.", f"{REDUCTION}.", 1) for c in dep_cols]
    return pd.concat([out, pd.DataFrame(red, columns=names, index=out.index)], axis=1)


def _unit(name: str, units: dict[str, str]) -> str:
    return "frac" if name.startswith(REDUCTION) else units.get(name, "")


def summarise(
    outcomes: pd.DataFrame,
    names: list[str],
    reference: str,
    order: list[str],
    first_year: int,
    last_year: int,
) -> pd.DataFrame:
    """One row per (scenario, outcome): mean, sd, 95% interval, paired difference to reference.

    ``outcomes`` has one row per run (``scenario``, ``seed`` and outcome columns). Differences
    pair runs by seed (common random numbers); ``distinguishable`` is True when the 95%
    interval of the difference excludes zero.
    """
    units = {s.name: s.unit for s in outcome_specs(first_year, last_year)}
    ref = outcomes[outcomes.scenario == reference].set_index("seed").sort_index()
    rows = []
    for scen in order:
        runs = outcomes[outcomes.scenario == scen].set_index("seed").sort_index()
        common = runs.index.intersection(ref.index)
        for name in names:
            if name.startswith(REDUCTION) and scen == reference:
                continue
            ci = t_interval(runs[name].to_numpy())
            row = {
                "scenario": scen,
                "outcome": name,
                "unit": _unit(name, units),
                "n": ci.n,
                "mean": ci.mean,
                "sd": ci.sd,
                "ci_lo": ci.lo,
                "ci_hi": ci.hi,
            }
            if scen == reference or name.startswith(REDUCTION):
                row.update(diff=np.nan, diff_lo=np.nan, diff_hi=np.nan, distinguishable=None)
                if name.startswith(REDUCTION):
                    row["distinguishable"] = ci.excludes_zero()
            else:
                d = paired_difference(runs.loc[common, name], ref.loc[common, name])
                row.update(
                    diff=d.mean, diff_lo=d.lo, diff_hi=d.hi, distinguishable=d.excludes_zero()
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def format_table(summary: pd.DataFrame) -> str:
    """The summary as fixed-width text (the same rows and columns as summary.csv)."""
    df = summary.copy()
    for col in ("mean", "sd", "ci_lo", "ci_hi", "diff", "diff_lo", "diff_hi"):
        df[col] = [_fmt(v, u) for v, u in zip(df[col], df.unit, strict=True)]
    df["distinguishable"] = df["distinguishable"].map({True: "yes", False: "no"}).fillna("")
    return df.to_string(index=False)


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if unit == "USD":
        return f"{value / 1e9:.3g}e9"
    return f"{value:.4g}"
