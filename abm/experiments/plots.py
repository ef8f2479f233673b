"""Plots of a comparison (matplotlib, PNG and SVG): indicators over time and differences."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from abm.experiments.stats import t_interval
from abm.experiments.summary import display
from abm.params.data import load_minerals
from abm.params.schema import COUNTRIES, COUNTRY_NAMES
from abm.timeseries import annual_sum, year_end_values, year_of

DIFF_OUTCOMES = [
    "investment_share.US",
    "investment_share.MX",
    "investment_share.CA",
    "investment_usd.NA",
    "exploration_usd.US",
    "exploration_usd.MX",
    "exploration_usd.CA",
    "producing_mines_end.NA",
    "government_revenue_usd.NA",
]


def annual(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run and year: investment share, exploration (USD bn), year-end dependency.

    Flows are annual sums (:func:`abm.timeseries.annual_sum`, step 0 excluded); dependency is
    the year-end value (:func:`abm.timeseries.year_end_values`), with the calibrated start
    (step 0, December 2024) as its own year, never averaged into the first simulated year.
    """
    by = ("scenario", "seed")
    runs = runs[runs.indicator.isin(["investment_usd", "exploration_usd", "import_dependency"])]
    runs = runs[runs.mineral.isin(["all", *load_minerals().critical_minerals])]
    frames = []
    for ind in ("investment_usd", "exploration_usd"):
        wide = annual_sum(runs, ind, by=by)[list(COUNTRIES)]
        long = wide.stack().rename("value").reset_index()
        frames.append(long.assign(series=ind))
    inv = frames[0]
    share = inv.assign(
        value=inv.value / inv.groupby(["scenario", "seed", "year"]).value.transform("sum"),
        series="investment_share",
    )
    expl = frames[1].assign(value=frames[1].value / 1e9)
    dep = year_end_values(runs[runs.country == "NA"], "import_dependency", by=by)
    dep = dep.drop(columns="country").rename(columns={"mineral": "country"})
    keys = ["scenario", "seed", "year", "country"]
    dep = dep.assign(series="dependency")[[*keys, "value", "series"]]
    return pd.concat([share, expl, dep], ignore_index=True)


def monthly(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run and month: NA import dependency per critical mineral (x: fractional year)."""
    dep = runs[(runs.indicator == "import_dependency") & (runs.country == "NA")]
    codes, dates = pd.factorize(dep.date)
    months = np.array([int(str(d)[5:7]) for d in dates])
    x = year_of(dates) + (months - 0.5) / 12
    out = dep.assign(year=x[codes], series="dependency_monthly")
    out = out.drop(columns="country").rename(columns={"mineral": "country"})
    return out[["scenario", "seed", "year", "country", "value", "series"]]


def combine_annual(per_run: list[pd.DataFrame]) -> pd.DataFrame:
    """:func:`annual` of many runs from each run's :func:`annual` (compare computes it in the
    worker): the same rows in the same order, so :func:`bands` adds the same numbers in the
    same order and the plots are the same to the last bit. :func:`annual` orders its flows by
    (scenario, seed) and keeps the year-end dependency in the runs' order."""
    whole = pd.concat(per_run, ignore_index=True)
    blocks = [
        whole[whole.series == name].sort_values(["scenario", "seed"], kind="stable")
        for name in ("investment_share", "exploration_usd")
    ]
    blocks.append(whole[~whole.series.isin(["investment_share", "exploration_usd"])])
    return pd.concat(blocks, ignore_index=True)


def bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t interval of the mean over replications per (series, scenario, country,
    year): :func:`abm.experiments.stats.t_interval`'s interval, vectorised over groups (zero
    width with one replication)."""
    keys = ["series", "scenario", "country", "year"]
    out = frame.groupby(keys, sort=False).value.agg(["mean", "std", "count"]).reset_index()
    n = out["count"].to_numpy()
    factor = np.array([_t_factor(int(k)) for k in n])
    half = np.where(n > 1, factor * out["std"].fillna(0).to_numpy() / np.sqrt(np.maximum(n, 1)), 0)
    return out.assign(lo=out["mean"] - half, hi=out["mean"] + half)


@cache
def _t_factor(n: int) -> float:
    """t_interval's critical value for ``n`` replications (half width = factor * sd / sqrt(n)),
    read off t_interval itself on a sample with known sd, so there is one definition."""
    if n < 2:
        return 0.0
    z = np.arange(n, dtype=float)
    ci = t_interval(z)
    return ci.half_width * np.sqrt(n) / ci.sd


def band_label(n: int) -> str:
    """What a band is: the interval of the mean, not of the runs."""
    return f"band: 95% t interval of the mean over {n} replications"


def _colours(order: list[str], reference: str) -> dict[str, str]:
    cmap = colormaps["tab10"]
    others = [s for s in order if s != reference]
    return {reference: "black", **{s: cmap(i % 10) for i, s in enumerate(others)}}


def _save(fig: Figure, out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "svg"):
        p = out / f"{name}.{ext}"
        fig.savefig(p, dpi=110, bbox_inches="tight")
        paths.append(p)
    return paths


def _panels(
    b: pd.DataFrame,
    series: str,
    panels: list[str],
    titles: list[str],
    ylabel: str,
    order: list[str],
    reference: str,
    title: str,
    ncols: int,
    scale: float = 1.0,
    n: int = 0,
) -> Figure:
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.3 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    colours = _colours(order, reference)
    for ax, key, label in zip(axes.flat, panels, titles, strict=False):
        for scen in [s for s in order if s != reference] + [reference]:  # reference on top
            d = b[(b.series == series) & (b.scenario == scen) & (b.country == key)]
            ref = scen == reference
            ax.plot(
                d.year,
                d["mean"] * scale,
                color=colours[scen],
                lw=2.6 if ref else 1.4,
                ls="--" if ref else "-",
                zorder=5 if ref else 3,
                label=f"{scen} (reference)" if ref else scen,
            )
            ax.fill_between(
                d.year,
                d.lo * scale,
                d.hi * scale,
                color=colours[scen],
                alpha=0.12 if ref else 0.15,
                lw=0,
                zorder=4 if ref else 2,
            )
        ax.set_title(label)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    handles, labels = handles[-1:] + handles[:-1], labels[-1:] + labels[:-1]  # reference first
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(4, len(order)),
        frameon=False,
        bbox_to_anchor=(0.5, -0.02 - 0.03 * (len(order) > 4)),
    )
    fig.suptitle(f"{title}\n(line: mean over replications; {band_label(n)})", y=1.0)
    fig.tight_layout(rect=(0, 0.06 + 0.03 * (len(order) > 4), 1, 0.97))
    return fig


def _diff_chart(summary: pd.DataFrame, order: list[str], reference: str) -> Figure | None:
    others = [s for s in order if s != reference]
    red = [
        o
        for o in summary.outcome.unique()
        if o.startswith("import_reduction_vs_reference.critical_value_weighted")
        or o.startswith("import_reduction_supply_part.critical_value_weighted")
    ]
    items = [o for o in [*DIFF_OUTCOMES, *red] if o in set(summary.outcome)]
    if not items:  # none of the charted outcomes in this experiment
        return None
    ncols = 3
    nrows = -(-len(items) // ncols)
    fig = Figure(figsize=(5.2 * ncols, (0.45 * len(others) + 1.6) * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    colours = _colours(order, reference)
    for ax, name in zip(axes.flat, items, strict=False):
        scale, unit = display(name)
        rows = summary[(summary.outcome == name) & summary.scenario.isin(others)].set_index(
            "scenario"
        )
        rows = rows.reindex(others)
        is_red = name.startswith("import_reduction")
        mid = (rows["mean"] if is_red else rows["diff"]) * scale
        lo = (rows["ci_lo"] if is_red else rows["diff_lo"]) * scale
        hi = (rows["ci_hi"] if is_red else rows["diff_hi"]) * scale
        y = np.arange(len(others))
        ax.barh(y, mid, color=[colours[s] for s in others], alpha=0.8)
        ax.errorbar(mid, y, xerr=[mid - lo, hi - mid], fmt="none", ecolor="black", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        if is_red:
            ax.axvline(25, color="red", lw=0.8, ls="--", label="Phase 3 target 25%")
            ax.legend(loc="lower right", fontsize=8)
        ax.set_yticks(y, others)
        ax.invert_yaxis()
        ax.set_title(name if is_red else f"{name}\nminus {reference}", fontsize=9)
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(items) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Difference from {reference} (paired replications; bars: mean, whiskers: 95% t "
        "interval of the mean)"
    )
    fig.tight_layout()
    return fig


def write_plots(
    annual_rows: pd.DataFrame,
    monthly_rows: pd.DataFrame,
    summary: pd.DataFrame,
    spec,
    out: Path,
    monthly_plots: bool = True,
) -> dict[str, Path]:
    """Write every plot as PNG and SVG; returns name -> PNG path (``monthly_plots``: also
    ``import_dependency_monthly``, month by month). ``annual_rows`` and ``monthly_rows`` are
    :func:`annual` and :func:`monthly` of the runs: what is drawn, not the timeseries."""
    order = [s.name for s in spec.scenarios]
    n = len(spec.seeds)
    b = bands(annual_rows)
    critical = load_minerals().critical_minerals
    names = [COUNTRY_NAMES[c] for c in COUNTRIES]
    ref = spec.reference
    figs = {
        "investment_share": _panels(
            b,
            "investment_share",
            list(COUNTRIES),
            names,
            "share of NA investment (%)",
            order,
            ref,
            "Investment share by country",
            3,
            100,
            n,
        ),
        "exploration": _panels(
            b,
            "exploration_usd",
            list(COUNTRIES),
            names,
            "exploration (USD bn / yr)",
            order,
            ref,
            "Exploration spending by country",
            3,
            1.0,
            n,
        ),
        "import_dependency": _panels(
            b,
            "dependency",
            critical,
            critical,
            "NA import dependency, December (%)",
            order,
            ref,
            "North American net import dependency, critical minerals (year end)",
            3,
            100,
            n,
        ),
        "differences": _diff_chart(summary, order, ref),
    }
    if monthly_plots:
        figs["import_dependency_monthly"] = _panels(
            bands(monthly_rows),
            "dependency_monthly",
            critical,
            critical,
            "NA import dependency (%)",
            order,
            ref,
            "North American net import dependency, critical minerals (monthly)",
            3,
            100,
            n,
        )
    return {name: _save(fig, out, name)[0] for name, fig in figs.items() if fig is not None}
