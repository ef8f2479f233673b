"""Plots of Morris and Sobol tables (PNG and SVG), one panel per outcome."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from abm import atomic

SCALES = {"USD": (1e9, "USD bn")}  # unit -> (divisor, shown unit)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _save(fig: Figure, stem: Path) -> None:
    for ext in ("png", "svg"):
        atomic.write_file(
            stem.with_suffix(f".{ext}"),
            lambda p, e=ext: fig.savefig(p, format=e, dpi=150, bbox_inches="tight"),
        )


def _grid(n: int, ncols: int, w: float, h: float) -> tuple[Figure, list]:
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(w * ncols, h * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def plot_morris(table: pd.DataFrame, title: str, stem: Path, units: dict[str, str]) -> None:
    """mu* against sigma per outcome, with mu*'s confidence interval as error bars."""
    outcomes = list(dict.fromkeys(table.outcome))
    inputs = list(dict.fromkeys(table.input))
    fig, axes = _grid(len(outcomes), 2, 6.0, 4.6)
    for ax, name in zip(axes, outcomes, strict=True):
        t = table[table.outcome == name].set_index("input").loc[inputs]
        div, unit = SCALES.get(units.get(name, ""), (1.0, units.get(name, "")))
        x, y, err = t.mu_star / div, t.sigma / div, t.mu_star_conf / div
        for k, label in enumerate(inputs):
            ax.errorbar(
                x.iloc[k], y.iloc[k], xerr=err.iloc[k], fmt=MARKERS[k % len(MARKERS)],
                color=f"C{k}", capsize=3, label=label,
            )  # fmt: skip
        lim = max(float(np.nanmax(np.r_[x + err, y])), 1e-12) * 1.15
        ax.plot([0, lim], [0, lim], ls=":", color="grey", lw=1, label="sigma = mu*")
        ax.set_xlim(-0.02 * lim, lim)
        ax.set_ylim(-0.02 * lim, lim)
        ax.set_xlabel(f"mu* (mean |elementary effect| over the range) [{unit}]")
        ax.set_ylabel(f"sigma (sd of elementary effects) [{unit}]")
        ax.set_title(name)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)))
    fig.suptitle(title)
    _save(fig, stem)


def plot_sobol(table: pd.DataFrame, title: str, stem: Path, units: dict[str, str]) -> None:
    """First-order and total Sobol indices per input, with confidence intervals."""
    outcomes = list(dict.fromkeys(table.outcome))
    fig, axes = _grid(len(outcomes), 2, 6.5, 0.5 * table.input.nunique() + 2.0)
    for ax, name in zip(axes, outcomes, strict=True):
        t = table[table.outcome == name]
        pos = np.arange(len(t))
        ax.barh(pos - 0.2, t.S1, 0.4, xerr=t.S1_conf, capsize=3, label="S1 (first order)")
        ax.barh(pos + 0.2, t.ST, 0.4, xerr=t.ST_conf, capsize=3, label="ST (total)")
        ax.set_yticks(pos, t.input, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        lo = min(-0.05, float((t.S1 - t.S1_conf).min()))
        hi = max(1.05, float(np.r_[t.S1 + t.S1_conf, t.ST + t.ST_conf].max()) + 0.05)
        ax.set_xlim(max(lo, -1.0), min(hi, 2.0))
        ax.set_xlabel("Sobol index [fraction of outcome variance]")
        ax.set_title(f"{name} [{units.get(name, '')}]")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    fig.suptitle(title)
    _save(fig, stem)
