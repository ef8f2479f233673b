"""Plots of a comparison (matplotlib, PNG and SVG): indicators over time and differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from scipy import stats as st

from abm.experiments.summary import display
from abm.params.data import load_minerals
from abm.params.schema import COUNTRIES, COUNTRY_NAMES

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
    """Per run and year: investment share, exploration (USD bn), December dependency."""
    body = runs[runs.step > 0]
    year = body.date.str[:4].astype(int)
    keys = ["scenario", "seed", "year", "country"]
    sel = (body.mineral == "all") & body.country.isin(COUNTRIES)
    frames = []
    for ind in ("investment_usd", "exploration_usd"):
        part = body[sel & (body.indicator == ind)].assign(year=year)
        tot = part.groupby(keys, sort=False).value.sum().reset_index()
        frames.append(tot.assign(series=ind))
    inv = frames[0]
    share = inv.assign(
        value=inv.value / inv.groupby(["scenario", "seed", "year"]).value.transform("sum"),
        series="investment_share",
    )
    expl = frames[1].assign(value=frames[1].value / 1e9)
    dep = runs[(runs.indicator == "import_dependency") & (runs.country == "NA")]
    dec = dep[(dep.step == 0) | dep.date.str.endswith("-12")]
    dec = dec.assign(year=dec.date.str[:4].astype(int) + (dec.step == 0), series="dependency")
    dec = dec.drop(columns="country").rename(columns={"mineral": "country"})
    dec = dec[[*keys, "value", "series"]]
    return pd.concat([share, expl, dec], ignore_index=True)


def bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t interval over seeds per (series, scenario, country, year)."""
    g = frame.groupby(["series", "scenario", "country", "year"], sort=False).value
    out = g.agg(["mean", "std", "count"]).reset_index()
    q = st.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    half = np.where(out["count"] > 1, q * out["std"] / np.sqrt(out["count"]), 0.0)
    return out.assign(lo=out["mean"] - half, hi=out["mean"] + half)


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
) -> Figure:
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.3 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    colours = _colours(order, reference)
    for ax, key, label in zip(axes.flat, panels, titles, strict=False):
        for scen in order:
            d = b[(b.series == series) & (b.scenario == scen) & (b.country == key)]
            ax.plot(
                d.year,
                d["mean"] * scale,
                color=colours[scen],
                lw=2 if scen == reference else 1.4,
                label=scen,
            )
            ax.fill_between(
                d.year, d.lo * scale, d.hi * scale, color=colours[scen], alpha=0.15, lw=0
            )
        ax.set_title(label)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(4, len(order)),
        frameon=False,
        bbox_to_anchor=(0.5, -0.02 - 0.03 * (len(order) > 4)),
    )
    fig.suptitle(f"{title}\n(mean over replications, band: 95% interval)", y=1.0)
    fig.tight_layout(rect=(0, 0.06 + 0.03 * (len(order) > 4), 1, 0.97))
    return fig


def _diff_chart(summary: pd.DataFrame, order: list[str], reference: str) -> Figure:
    others = [s for s in order if s != reference]
    red = [
        o
        for o in summary.outcome.unique()
        if o.startswith("import_reduction_vs_reference.critical_mean")
    ]
    items = [o for o in [*DIFF_OUTCOMES, *red] if o in set(summary.outcome)]
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
    fig.suptitle(f"Difference from {reference} (paired seeds; bars: mean, whiskers: 95% interval)")
    fig.tight_layout()
    return fig


def write_plots(
    runs: pd.DataFrame, outcomes: pd.DataFrame, summary: pd.DataFrame, spec, out: Path
) -> dict[str, Path]:
    """Write every plot as PNG and SVG; returns name -> PNG path."""
    order = [s.name for s in spec.scenarios]
    b = bands(annual(runs))
    critical = load_minerals().critical_minerals
    names = [COUNTRY_NAMES[c] for c in COUNTRIES]
    figs = {
        "investment_share": _panels(
            b,
            "investment_share",
            list(COUNTRIES),
            names,
            "share of NA investment (%)",
            order,
            spec.reference,
            "Investment share by country",
            3,
            100,
        ),
        "exploration": _panels(
            b,
            "exploration_usd",
            list(COUNTRIES),
            names,
            "exploration (USD bn / yr)",
            order,
            spec.reference,
            "Exploration spending by country",
            3,
        ),
        "import_dependency": _panels(
            b,
            "dependency",
            critical,
            critical,
            "NA import dependency (%)",
            order,
            spec.reference,
            "North American net import dependency, critical minerals",
            3,
            100,
        ),
        "differences": _diff_chart(summary, order, spec.reference),
    }
    return {name: _save(fig, out, name)[0] for name, fig in figs.items()}
