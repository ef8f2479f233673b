"""Plots of the validation: every check against its target, and Mexico's two experiments.

Figures are rendered to bytes (PNG and SVG) so the report can write them atomically.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from abm.validation.checks import Result
from abm.validation.report import fmt

PASS_COLOUR, FAIL_COLOUR, BAND_COLOUR = "#1a7f37", "#cf222e", "#c8d6e5"


def _render(fig: plt.Figure) -> dict[str, bytes]:
    out = {}
    for ext in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, dpi=130, bbox_inches="tight")
        out[ext] = buf.getvalue()
    plt.close(fig)
    return out


def _limits(r: Result) -> tuple[float, float]:
    c, v = r.check, r.value
    vals = [x for x in (c.lo, c.hi, v.mean, v.lo, v.hi) if x is not None and math.isfinite(x)]
    lo, hi = min(vals), max(vals)
    pad = 0.15 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1e-3)
    return lo - pad, hi + pad


def summary_figure(results: Sequence[Result]) -> dict[str, bytes]:
    """One panel per check: target band (shaded), model mean and 95% interval."""
    n = len(results)
    cols = 3
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 1.7 * rows), squeeze=False)
    for ax, r in zip(axes.flat, results, strict=False):
        c, v = r.check, r.value
        x0, x1 = _limits(r)
        ax.axvspan(max(c.lo, x0), min(c.hi, x1), color=BAND_COLOUR, label="target")
        colour = PASS_COLOUR if r.passed else FAIL_COLOUR
        if v.n > 1 and math.isfinite(v.lo):
            ax.errorbar(
                [v.mean],
                [0],
                xerr=[[v.mean - v.lo], [v.hi - v.mean]],
                fmt="o",
                color=colour,
                capsize=4,
            )
        else:
            ax.plot([v.mean], [0], "o", color=colour)
        if c.sign:
            ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_xlim(x0, x1)
        ax.set_yticks([])
        status = "PASS" if r.passed else "FAIL"
        ax.set_title(f"{c.name}: {status} ({fmt(v.mean, c.unit)})", fontsize=9, color=colour)
        ax.tick_params(labelsize=8)
        if c.unit in ("frac", "pp"):
            digits = 1 if x1 - x0 < 0.1 else 0
            ax.xaxis.set_major_formatter(lambda x, _, d=digits: f"{100 * x:.{d}f}%")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Validation checks: target range (shaded) and model mean with 95% interval")
    fig.tight_layout()
    return _render(fig)


def _monthly_mx(frames: Sequence[pd.DataFrame]) -> pd.Series:
    s = pd.concat(frames)
    s = s[(s.indicator == "exploration_usd") & (s.mineral == "all") & (s.country == "MX")]
    s = s[s.step > 0]
    return s.groupby("date").value.mean() * 12 / 1e6


def mexico_figure(data: dict[str, list[pd.DataFrame]]) -> dict[str, bytes] | None:
    """Mexican exploration (annualised, mean over seeds) with and without each change."""
    pairs = [
        ("mx_2014_fiscal", "mx_pre2014", "2014 fiscal reform (from the pre-2014 regime)"),
        ("mx_2023_reform", "mx_pre2023", "2023 mining reform (from the 2014-2022 regime)"),
    ]
    pairs = [p for p in pairs if p[0] in data and p[1] in data]
    if not pairs:
        return None
    fig, axes = plt.subplots(1, len(pairs), figsize=(6.5 * len(pairs), 3.6), squeeze=False)
    for ax, (alt, ref, title) in zip(axes.flat, pairs, strict=True):
        lines = ((ref, "#57606a", "without the change"), (alt, "#cf222e", "with the change"))
        for arm, colour, label in lines:
            s = _monthly_mx(data[arm])
            ax.plot(pd.to_datetime(s.index), s.to_numpy(), color=colour, label=label)
        ax.axvline(pd.Timestamp("2026-01-01"), color="black", lw=0.8, ls="--")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("MX exploration, USD M / year")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    n = len(data[pairs[0][0]])
    fig.suptitle(f"Mexico's exploration, mean of {n} paired seeds (change in January 2026)")
    fig.tight_layout()
    return _render(fig)


def figures(results: Sequence[Result], data: dict[str, list[pd.DataFrame]]) -> dict[str, bytes]:
    """All figures as ``{filename: bytes}``."""
    out = {f"checks.{ext}": b for ext, b in summary_figure(results).items()}
    mx = mexico_figure(data)
    if mx:
        out.update({f"mexico_experiments.{ext}": b for ext, b in mx.items()})
    return out
