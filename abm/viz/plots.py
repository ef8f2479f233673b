"""Matplotlib figures of the dashboard: indicators over time and the project pipeline map.

Figures are made with :class:`matplotlib.figure.Figure` (no pyplot state, safe across browser
sessions and threads). The scenario is drawn solid, the baseline (side-by-side mode) dashed.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from abm.params.schema import COUNTRIES, COUNTRY_NAMES, MINERALS
from abm.projects import Stage
from abm.viz.runs import DashboardModel, Recorded, horizon, recorded

COUNTRY_COLORS = {"US": "#1f77b4", "MX": "#2ca02c", "CA": "#d62728"}
STYLES = {"scenario": "-", "baseline": "--"}
FOCUS_COLOR = "#ff7f0e"
CRITICAL_COLOR = "#ff7f0e"
OTHER_COLOR = "#4a6fa5"
MAP_STAGES = (
    Stage.RESOURCE,
    Stage.FEASIBILITY,
    Stage.PERMITTING,
    Stage.APPROVED,
    Stage.CONSTRUCTION,
    Stage.PRODUCTION,
)
MAP_ROWS = ("CA", "US", "MX")  # north to south
JITTER_SEED = 7  # fixed layout of points in a cell; not the model's random stream


def _style_axes(ax: Axes, title: str, model: DashboardModel) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlim(*horizon(model.policy))
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=9)


def _country_panel(ax: Axes, runs: dict[str, Recorded], values) -> None:
    for run, rec in runs.items():
        for c in COUNTRIES:
            ax.plot(rec.x, values(rec, c), STYLES[run], color=COUNTRY_COLORS[c], lw=1.6)


def _share(rec: Recorded, c: str) -> np.ndarray:
    inv = {k: rec.trailing("investment_usd", k) for k in COUNTRIES}
    total = sum(inv.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * inv[c] / total


def timeseries_figure(model: DashboardModel, focus: str) -> Figure:
    """Six panels over time: investment share, exploration, permitting, mines, dependency,
    prices; countries by colour, the baseline dashed."""
    runs = {run: recorded(m) for run, m in model.runs.items()}
    fig = Figure(figsize=(15, 7.4), dpi=80, layout="constrained")
    axes = fig.subplots(2, 3).ravel()

    _country_panel(axes[0], runs, _share)
    _style_axes(axes[0], "Investment share by country, last 12 months (%)", model)
    _country_panel(axes[1], runs, lambda r, c: r.trailing("exploration_usd", c) / 1e9)
    _style_axes(axes[1], "Exploration by country, last 12 months (USD bn)", model)
    _country_panel(axes[2], runs, lambda r, c: r.get("projects_in_permitting", c))
    _style_axes(axes[2], "Projects in permitting", model)
    _country_panel(axes[3], runs, lambda r, c: r.get("producing_mines", c))
    _style_axes(axes[3], "Producing mines", model)

    crit = model.policy.minerals.critical_minerals
    ax = axes[4]
    for run, rec in runs.items():
        mean = np.mean([rec.get("import_dependency", "NA", m) for m in crit], axis=0)
        ax.plot(rec.x, 100 * mean, STYLES[run], color="black", lw=1.8)
        ax.plot(
            rec.x,
            100 * rec.get("import_dependency", "NA", focus),
            STYLES[run],
            color=FOCUS_COLOR,
            lw=1.6,
        )
    ax.legend(
        [Line2D([], [], color="black"), Line2D([], [], color=FOCUS_COLOR)],
        [f"mean of {len(crit)} critical minerals", focus.replace("_", " ")],
        fontsize=8,
        loc="best",
    )
    _style_axes(ax, "North American import dependency (%)", model)

    ax = axes[5]
    for run, rec in runs.items():
        for m in MINERALS:
            p = rec.get("price_usd_per_t", "ROW", m)
            index = 100 * p / p[0]
            if m == focus:
                ax.plot(rec.x, index, STYLES[run], color=FOCUS_COLOR, lw=2.0, zorder=3)
            elif run == "scenario":
                ax.plot(rec.x, index, "-", color="0.75", lw=0.7)
    ax.legend(
        [Line2D([], [], color=FOCUS_COLOR), Line2D([], [], color="0.75")],
        [focus.replace("_", " "), "other minerals"],
        fontsize=8,
        loc="upper left",
    )
    _style_axes(ax, "World price index (2024-12 = 100)", model)

    handles = [Line2D([], [], color=COUNTRY_COLORS[c], lw=2) for c in COUNTRIES]
    labels = [COUNTRY_NAMES[c] for c in COUNTRIES]
    handles.append(Line2D([], [], color="0.2", ls="-"))
    labels.append(f"{model.scenario_name} (solid)")
    if model.baseline is not None:
        handles.append(Line2D([], [], color="0.2", ls="--"))
        labels.append("baseline, same seed (dashed)")
    fig.legend(handles, labels, loc="outside upper center", ncols=len(labels), fontsize=10)
    return fig


def _jitter(n: int) -> np.ndarray:
    """Fixed offsets in [-0.5, 0.5) for projects 0..n-1, shape (n, 2).

    A local generator with a fixed seed: a project keeps its place as projects are added
    (the first rows of the stream do not depend on ``n``), and the model's own generator is
    never touched.
    """
    return np.random.default_rng(JITTER_SEED).random((n, 2)) - 0.5


def _stage_counts(model, stages) -> np.ndarray:
    book = model.projects
    out = np.zeros((len(COUNTRIES), len(stages)), dtype=int)
    for j, s in enumerate(stages):
        out[:, j] = np.bincount(book.country[book.stage == s], minlength=len(COUNTRIES))
    return out


def pipeline_figure(model: DashboardModel) -> Figure:
    """Schematic map: the three countries north to south, each project a point in its stage
    column, sized by capex, orange for critical minerals; counts (and the change against the
    baseline) per cell."""
    m = model.policy
    book = m.projects
    fig = Figure(figsize=(15, 4.6), dpi=80, layout="constrained")
    ax = fig.subplots()
    live = np.flatnonzero(np.isin(book.stage, np.array(MAP_STAGES, dtype=np.int8)))
    col = np.searchsorted(np.array(MAP_STAGES), book.stage[live])
    row = np.array([MAP_ROWS.index(COUNTRIES[c]) for c in book.country[live]], dtype=float)
    jx, jy = _jitter(len(book))[live].T
    size = 4 + 60 * np.sqrt(book.capex_usd[live] / 1e9)
    critical = m.minerals.critical[book.mineral[live]]
    colors = np.where(critical, CRITICAL_COLOR, OTHER_COLOR)
    ax.scatter(col + 0.8 * jx, row + 0.7 * jy, s=size, c=colors, alpha=0.55, linewidths=0)

    counts = _stage_counts(m, MAP_STAGES)
    base = _stage_counts(model.baseline, MAP_STAGES) if model.baseline is not None else None
    for ci, c in enumerate(COUNTRIES):
        r = MAP_ROWS.index(c)
        ax.axhspan(r - 0.45, r + 0.45, color=COUNTRY_COLORS[c], alpha=0.06, lw=0)
        for j in range(len(MAP_STAGES)):
            text = f"{counts[ci, j]}"
            if base is not None and counts[ci, j] != base[ci, j]:
                text += f" ({counts[ci, j] - base[ci, j]:+d})"
            ax.text(j + 0.47, r + 0.42, text, ha="right", va="top", fontsize=9, color="0.15")
    ax.set_xticks(range(len(MAP_STAGES)), [s.name.title() for s in MAP_STAGES], fontsize=10)
    ax.set_yticks(range(len(MAP_ROWS)), [COUNTRY_NAMES[c] for c in MAP_ROWS], fontsize=10)
    ax.set_xlim(-0.5, len(MAP_STAGES) - 0.5)
    ax.set_ylim(len(MAP_ROWS) - 0.5, -0.5)
    for j in range(1, len(MAP_STAGES)):
        ax.axvline(j - 0.5, color="0.85", lw=0.8)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    note = " (change against the baseline in brackets)" if base is not None else ""
    ax.set_title(
        f"Project pipeline {m.date}, {model.scenario_name}: one point per project, "
        f"area ~ capex, orange = critical mineral; counts per stage{note}",
        fontsize=11,
        loc="left",
    )
    return fig
