"""Summary tables of a comparison: per scenario and outcome, interval and paired difference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.experiments.stats import paired_difference, t_interval
from abm.outcomes import outcome_specs, practical_threshold, value_weights

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
    "threshold",
    "negligible",
]
REDUCTION = "import_reduction_vs_reference"
SUPPLY_PART = "import_reduction_supply_part"
DEMAND_PART = "import_reduction_demand_part"
PAIRED = (REDUCTION, SUPPLY_PART, DEMAND_PART)  # outcomes computed against the reference
# How an outcome's differences are shown in tables and charts: indicator -> (multiplier, unit).
DISPLAY = {
    "investment_share": (100, "pp"),
    "investment_usd": (1e-9, "USD bn"),
    "exploration_usd": (1e-9, "USD bn"),
    "producing_mines_end": (1, "mines"),
    "government_revenue_usd": (1e-9, "USD bn"),
    REDUCTION: (100, "% of reference dependency"),
    SUPPLY_PART: (100, "% of reference dependency"),
    DEMAND_PART: (100, "% of reference dependency"),
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
    out = pd.concat([out, pd.DataFrame(red, columns=names, index=out.index)], axis=1)
    return add_decomposition(out, reference)


def dependency_split(
    c0: np.ndarray, r0: np.ndarray, c1: np.ndarray, r1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Change in import dependency ``d = 1 - R / C`` from (C0, R0) to (C1, R1) split into a
    supply part (more regional supply R) and a demand part (less consumption C), each the
    average of its two one-at-a-time effects (a Shapley split: the parts add up exactly)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        supply = -(r1 - r0) * 0.5 * (1.0 / c0 + 1.0 / c1)
        demand = -0.5 * (r0 + r1) * (1.0 / c1 - 1.0 / c0)
    return supply, demand


def add_decomposition(outcomes: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Add ``import_reduction_supply_part.<m>.<year>`` and ``..._demand_part``: the paired
    reduction (``import_reduction_vs_reference``) split by :func:`dependency_split` into what
    more regional supply and what less consumption did, as shares of the reference's
    dependency (the two add up to the reduction). ``<m>`` runs over the value-weighted set and
    ``critical_value_weighted`` (the weights' sum of the minerals' parts). A fall in
    dependency that comes from demand destroyed (an export restriction's prices) is the demand
    part, never progress in the supply part. NaN where the reference's dependency is under 5%."""
    weights = value_weights()
    cons = [c for c in outcomes.columns if c.startswith("consumption_t.")]
    years = sorted({c.rsplit(".", 1)[1] for c in cons})
    if not years:
        return outcomes
    ref = outcomes[outcomes.scenario == reference].set_index("seed").loc[outcomes.seed]
    new: dict[str, np.ndarray] = {}
    for y in years:
        total = {SUPPLY_PART: 0.0, DEMAND_PART: 0.0}
        d0_w = 0.0
        for m, w in weights.items():
            c0 = ref[f"consumption_t.{m}.{y}"].to_numpy()
            r0 = ref[f"regional_supply_t.{m}.{y}"].to_numpy()
            c1 = outcomes[f"consumption_t.{m}.{y}"].to_numpy()
            r1 = outcomes[f"regional_supply_t.{m}.{y}"].to_numpy()
            supply, demand = dependency_split(c0, r0, c1, r1)
            with np.errstate(divide="ignore", invalid="ignore"):
                d0 = np.where(c0 > 0, 1.0 - r0 / c0, 0.0)  # = import_dependency.<m>.<y>
            for name, part in ((SUPPLY_PART, supply), (DEMAND_PART, demand)):
                new[f"{name}.{m}.{y}"] = _relative(-part, d0)
                total[name] = total[name] + w * np.nan_to_num(part)
            d0_w = d0_w + w * d0
        for name in (SUPPLY_PART, DEMAND_PART):
            new[f"{name}.critical_value_weighted.{y}"] = _relative(-total[name], d0_w)
    return pd.concat([outcomes, pd.DataFrame(new, index=outcomes.index)], axis=1)


def _relative(fall: np.ndarray, base: np.ndarray) -> np.ndarray:
    """A fall in dependency as a share of the reference's (NaN under 5%)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base >= MIN_REFERENCE_DEPENDENCY_FRAC, fall / base, np.nan)


def _paired(name: str) -> bool:
    return name.startswith(PAIRED)


def _unit(name: str, units: dict[str, str]) -> str:
    return "frac" if _paired(name) else units.get(name, "")


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
    interval of the difference excludes zero; ``negligible`` is True when the whole interval
    lies within the outcome's practical ``threshold`` (:data:`abm.outcomes.PRACTICAL_THRESHOLDS`),
    so an effect can be distinguishable and still too small to matter. With parameter
    uncertainty (``abm.experiments.uncertain``) each replication is a seed and a parameter draw,
    and the intervals carry both.
    """
    units = {s.name: s.unit for s in outcome_specs(first_year, last_year)}
    ref = outcomes[outcomes.scenario == reference].set_index("seed").sort_index()
    rows = []
    for scen in order:
        runs = outcomes[outcomes.scenario == scen].set_index("seed").sort_index()
        common = runs.index.intersection(ref.index)
        for name in names:
            if _paired(name) and scen == reference:
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
            thr = practical_threshold(name, float(ref[name].mean()) if name in ref else np.nan)
            if scen == reference or _paired(name):
                row.update(diff=np.nan, diff_lo=np.nan, diff_hi=np.nan, distinguishable=None)
                row.update(threshold=np.nan, negligible=None)
                if _paired(name):
                    row["distinguishable"] = ci.excludes_zero()
                    row.update(threshold=thr, negligible=_within(ci.lo, ci.hi, thr))
            else:
                d = paired_difference(runs.loc[common, name], ref.loc[common, name])
                row.update(
                    diff=d.mean, diff_lo=d.lo, diff_hi=d.hi, distinguishable=d.excludes_zero()
                )
                row.update(threshold=thr, negligible=_within(d.lo, d.hi, thr))
            rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _within(lo: float, hi: float, threshold: float) -> bool | None:
    """Whether the interval [lo, hi] lies strictly inside (-threshold, threshold)."""
    if np.isnan(lo) or np.isnan(hi) or np.isnan(threshold):
        return None
    return bool(-threshold < lo and hi < threshold)


def format_table(summary: pd.DataFrame) -> str:
    """The summary as fixed-width text (the same rows and columns as summary.csv)."""
    df = summary.copy()
    for col in ("mean", "sd", "ci_lo", "ci_hi", "diff", "diff_lo", "diff_hi"):
        df[col] = [_fmt(v, u) for v, u in zip(df[col], df.unit, strict=True)]
    for col in ("distinguishable", "negligible"):
        df[col] = df[col].map({True: "yes", False: "no"}).fillna("")
    df["threshold"] = [_fmt(v, u) for v, u in zip(df.threshold, df.unit, strict=True)]
    return df.to_string(index=False)


def display_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary in display units (shares in pp, USD in bn), one unit column per row."""
    df = summary.copy()
    scale = np.array([display(o)[0] if o.split(".", 1)[0] in DISPLAY else 1.0 for o in df.outcome])
    units = [
        display(o)[1] if o.split(".", 1)[0] in DISPLAY else u
        for o, u in zip(df.outcome, df.unit, strict=True)
    ]
    for col in ("mean", "sd", "ci_lo", "ci_hi", "diff", "diff_lo", "diff_hi", "threshold"):
        df[col] = df[col].astype(float) * scale
    df["unit"] = units
    return df


def write_tables(summary: pd.DataFrame, out) -> list:
    """Export the summary table in display units as CSV and LaTeX (``summary_table.csv|tex``)."""
    from pathlib import Path

    from abm import atomic

    out = Path(out)
    df = display_table(summary)
    csv = atomic.write_file(out / "summary_table.csv", lambda p: df.to_csv(p, index=False))
    return [csv, atomic.write_text(out / "summary_table.tex", to_latex(df))]


def to_latex(df: pd.DataFrame) -> str:
    """A booktabs LaTeX table of the display summary (no jinja2 needed)."""
    cols = [
        "scenario",
        "outcome",
        "unit",
        "n",
        "mean",
        "ci_lo",
        "ci_hi",
        "diff",
        "diff_lo",
        "diff_hi",
        "distinguishable",
        "negligible",
    ]
    head = [
        "scenario",
        "outcome",
        "unit",
        "$n$",
        "mean",
        "95\\% lo",
        "95\\% hi",
        "difference",
        "95\\% lo",
        "95\\% hi",
        "distinguishable",
        "negligible",
    ]
    esc = str.maketrans({"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#"})
    lines = [
        r"\begin{tabular}{lll" + "r" * 7 + "ll}",
        r"\toprule",
        " & ".join(head) + r" \\",
        r"\midrule",
    ]
    for _, r in df[cols].iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c in ("distinguishable", "negligible"):
                cells.append({True: "yes", False: "no"}.get(v, ""))
            elif isinstance(v, float):
                cells.append("" if np.isnan(v) else f"{v:.4g}")
            else:
                cells.append(str(v).translate(esc))
        lines.append(" & ".join(cells) + r" \\")
    return "\n".join([*lines, r"\bottomrule", r"\end{tabular}", ""])


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if unit == "USD":
        return f"{value / 1e9:.3g}e9"
    return f"{value:.4g}"
