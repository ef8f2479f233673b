"""The dashboard's figures as Vega-Lite specs and incremental updates (drawn in the browser).

Each figure is a pair: a *spec* (:func:`timeseries_spec`, :func:`pipeline_spec`), built once
per model and focus mineral and embedded once by :class:`abm.viz.vega.VegaStream`, and an
*update* (:func:`timeseries_update`, :func:`pipeline_update`) computed after every Step. The
update carries the whole state, but the browser only draws what is new (see
:mod:`abm.viz.vega`), so a Step costs milliseconds instead of a matplotlib redraw.

What the figures show:

- six indicator panels: the scenario solid, the baseline (side-by-side mode) dashed; a dot on
  each line's latest month, so the first frame (step 0, the calibrated start) is visible;
- trailing-window panels (investment share, exploration) say which months they cover while the
  first year is incomplete; exploration during the first year is the sum so far annualised
  (times 12 / months covered), so the line does not ramp up from zero;
- the time axis runs from the calibrated start to the current month (at least one year), so
  it grows with the run;
- every scheduled policy change of the runs (``model.spec.schedule``) is a vertical line with
  its label on every panel, from the month it takes effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from abm.params.schema import COUNTRIES, COUNTRY_NAMES, MINERALS
from abm.projects import Stage
from abm.viz.runs import WINDOW_MONTHS, DashboardModel, Recorded, months_covered, recorded
from abm.viz.vega import json_floats

COUNTRY_COLORS = {"US": "#1f77b4", "MX": "#2ca02c", "CA": "#d62728"}
FOCUS_COLOR = "#ff7f0e"
MEAN_COLOR = "#222222"
OTHER_MINERAL_COLOR = "#bbbbbb"
POLICY_COLOR = "#7b3294"
CRITICAL_COLOR = "#ff7f0e"
OTHER_COLOR = "#4a6fa5"
DASHES = {"scenario": [1, 0], "baseline": [6, 3]}
PANEL_WIDTH_PX = 290
PANEL_HEIGHT_PX = 170
Y_AXIS_PX = 42  # room for the y labels ("1,000", "0.25")
MAP_HEIGHT_PX = 300
MIN_AXIS_MONTHS = 12  # the time axis spans at least this many months from the start
POLICY_LABEL_PX = 150  # longest policy label drawn on a panel (full text in the tooltip)
POLICY_LABEL_TOP_PX = 2  # first label row, from the top of a panel
POLICY_LABEL_ROW_PX = 11  # labels of successive changes step down by this
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

PANELS = {  # id -> (title, subtitle); subtitle None: a signal saying the months covered
    "share": ("Investment share by country (%)", None),
    "explo": ("Exploration by country (USD bn a year)", None),
    "permit": ("Projects in permitting", "projects under review, end of month"),
    "mines": ("Producing mines", "end of month"),
    "dep": ("North American import dependency (%)", "share of NA use imported"),
    "price": ("World price index (2024-12 = 100)", "rest-of-world price"),
}


# --- months ----------------------------------------------------------------------------------
def month_index(model, step: int) -> int:
    """Months since year 0 of ``step`` (step 1 = the start month, step 0 the month before)."""
    return model.start_year * 12 + model.start_month - 1 + step - 1


def month_text(index: int) -> str:
    """``YYYY-MM`` of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_ms(index: int) -> int:
    """Milliseconds since 1970 (UTC) of the first day of a month index (Vega's time unit)."""
    days = np.datetime64(month_text(index), "D") - np.datetime64("1970-01-01", "D")
    return int(days.astype(np.int64)) * 86_400_000


def step_of_date(model, date: str) -> int:
    """The step in which a change dated ``YYYY-MM`` takes effect (changes before the start
    apply in step 1, as the model does)."""
    y, m = (int(p) for p in date.split("-"))
    return max(y * 12 + m - 1 - month_index(model, 1) + 1, 1)


# --- series ----------------------------------------------------------------------------------
def share_pct(rec: Recorded, c: str) -> np.ndarray:
    """A country's share of North American investment over the trailing window, %."""
    inv = {k: rec.trailing("investment_usd", k) for k in COUNTRIES}
    total = sum(inv.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100 * inv[c] / total, np.nan)


def exploration_bn_per_year(rec: Recorded, c: str) -> np.ndarray:
    """Trailing-12-month exploration, USD bn; in the first year the months so far, annualised."""
    n = months_covered(rec.steps)
    with np.errstate(invalid="ignore", divide="ignore"):
        return rec.trailing("exploration_usd", c) / 1e9 * WINDOW_MONTHS / n


def _series(model: DashboardModel, focus: str) -> tuple[list[dict], list[np.ndarray]]:
    """Every plotted line: its metadata (panel ``p``, line ``k``, legend colour ``c``, run) and
    its values, one per recorded step."""
    meta: list[dict] = []
    values: list[np.ndarray] = []
    crit = model.policy.minerals.critical_minerals
    mean_label = f"mean of {len(crit)} critical minerals"
    focus_label = focus.replace("_", " ")
    for run, m in model.runs.items():
        rec = recorded(m)
        label = _run_label(model, run)

        def add(panel: str, key: str, colour: str, y: np.ndarray) -> None:
            meta.append({"p": panel, "k": f"{run}:{key}", "c": colour, "run": label})  # noqa: B023
            values.append(y)

        for c in COUNTRIES:
            name = COUNTRY_NAMES[c]
            add("share", c, name, share_pct(rec, c))
            add("explo", c, name, exploration_bn_per_year(rec, c))
            add("permit", c, name, rec.get("projects_in_permitting", c))
            add("mines", c, name, rec.get("producing_mines", c))
        mean = np.mean([rec.get("import_dependency", "NA", x) for x in crit], axis=0)
        add("dep", "mean", mean_label, 100 * mean)
        add("dep", focus, focus_label, 100 * rec.get("import_dependency", "NA", focus))
        for x in MINERALS:
            if x != focus and run != "scenario":
                continue  # other minerals: the scenario only (prices are common to both runs)
            p = rec.get("price_usd_per_t", "ROW", x)
            colour = focus_label if x == focus else "other minerals"
            add("price", x, colour, 100 * p / p[0])
    return meta, values


def _run_label(model: DashboardModel, run: str) -> str:
    return model.scenario_name if run == "scenario" else "baseline, same seed"


def policy_marks(model: DashboardModel) -> list[dict]:
    """One row per scheduled policy change of either run, dated by the month it takes
    effect (within the run's horizon)."""
    rows: list[dict] = []
    for run, m in model.runs.items():
        for change in m.spec.schedule:
            step = step_of_date(m, change.date)
            if step > m.n_steps:
                continue
            index = month_index(m, step)
            label = change.label or ", ".join(change.values)
            rows.append(
                {
                    "x": month_ms(index),
                    "date": month_text(index),
                    "label": label,
                    "short": f"{month_text(index)} {label}",
                    "run": _run_label(model, run),
                    # label rows, so that labels of nearby dates do not overlap
                    "ty": POLICY_LABEL_TOP_PX + POLICY_LABEL_ROW_PX * (len(rows) % 3),
                }
            )
    return rows


def _window_titles(model: DashboardModel) -> dict[str, str]:
    """Subtitles of the trailing-window panels, saying which months they cover now."""
    m = model.policy
    n = min(m.steps, WINDOW_MONTHS)
    if n == 0:
        note = "flows start in the first simulated month"
        return {"s_share": note, "s_explo": note}
    first = month_text(month_index(m, m.steps - n + 1))
    last = month_text(month_index(m, m.steps))
    if n < WINDOW_MONTHS:
        span = f"first {n} month{'s' if n > 1 else ''} ({first} to {last})"
        return {"s_share": span, "s_explo": f"{span}, annualised"}
    span = f"last 12 months ({first} to {last})"
    return {"s_share": span, "s_explo": span}


# --- the indicator panels --------------------------------------------------------------------
def _colour_scale(model: DashboardModel, focus: str) -> dict:
    crit = model.policy.minerals.critical_minerals
    domain = [COUNTRY_NAMES[c] for c in COUNTRIES]
    domain += [f"mean of {len(crit)} critical minerals", focus.replace("_", " "), "other minerals"]
    colours = [COUNTRY_COLORS[c] for c in COUNTRIES]
    colours += [MEAN_COLOR, FOCUS_COLOR, OTHER_MINERAL_COLOR]
    return {"domain": domain, "range": colours}


def _x(axis: bool = True) -> dict:
    return {
        "field": "x",
        "type": "temporal",
        "scale": {"type": "utc", "domain": {"expr": "[x0, x1]"}},
        "axis": {"title": None, "format": "%Y-%m", "labelFontSize": 10, "tickCount": 5}
        if axis
        else None,
    }


def _panel(pid: str, model: DashboardModel, focus: str) -> dict:
    title, subtitle = PANELS[pid]
    sub: Any = {"expr": f"s_{pid}"} if subtitle is None else subtitle
    only = {"filter": f"datum.p === '{pid}'"}
    runs = [_run_label(model, r) for r in model.runs]
    dash = {
        "field": "run",
        "type": "nominal",
        "title": None,
        "scale": {"domain": runs, "range": [DASHES[r] for r in model.runs]},
    }
    colour = {
        "field": "c",
        "type": "nominal",
        "title": None,
        "scale": _colour_scale(model, focus),
    }
    y = {
        "field": "v",
        "type": "quantitative",
        "title": None,
        "scale": {"zero": False},
        # a fixed axis width (no re-layout as values grow: the panel keeps its place)
        "axis": {"labelFontSize": 10, "minExtent": Y_AXIS_PX, "maxExtent": Y_AXIS_PX},
    }
    tooltip = [
        {"field": "x", "type": "temporal", "title": "month", "format": "%Y-%m", "scale": None},
        {"field": "c", "type": "nominal", "title": "line"},
        {"field": "run", "type": "nominal", "title": "run"},
        {"field": "v", "type": "quantitative", "title": "value", "format": ",.3~f"},
    ]
    if pid in ("share", "explo"):
        tooltip.append({"field": "months", "type": "quantitative", "title": "months covered"})
    return {
        "width": PANEL_WIDTH_PX,
        "height": PANEL_HEIGHT_PX,
        "title": {
            "text": title,
            "subtitle": sub,
            "anchor": "start",
            "fontSize": 12,
            "subtitleFontSize": 10,
            "subtitleColor": "#555",
            "limit": PANEL_WIDTH_PX,
            "subtitleLimit": PANEL_WIDTH_PX,
        },
        "layer": [
            {
                "data": {"name": "ts"},
                "transform": [only],
                "mark": {"type": "line", "strokeWidth": 1.6, "clip": True},
                "encoding": {
                    "x": _x(),
                    "y": y,
                    "color": colour,
                    "strokeDash": dash,
                    "detail": {"field": "k", "type": "nominal"},
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"name": "ts"},
                "transform": [only, {"filter": "datum.x === xnow && datum.v != null"}],
                "mark": {"type": "point", "filled": True, "size": 28, "clip": True},
                "encoding": {"x": _x(), "y": y, "color": colour, "tooltip": tooltip},
            },
            {
                "data": {"name": "policy"},
                "mark": {
                    "type": "rule",
                    "color": POLICY_COLOR,
                    "strokeDash": [3, 2],
                    "strokeWidth": 1.2,
                    "clip": True,
                },
                "encoding": {
                    "x": _x(),
                    "tooltip": [
                        {"field": "date", "title": "from"},
                        {"field": "label", "title": "scheduled policy change"},
                        {"field": "run", "title": "run"},
                    ],
                },
            },
            {
                "data": {"name": "policy"},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 3,
                    "fontSize": 9,
                    "color": POLICY_COLOR,
                    "limit": POLICY_LABEL_PX,
                    "clip": True,
                },
                "encoding": {
                    "x": _x(),
                    "y": {"field": "ty", "type": "quantitative", "scale": None},
                    "text": {"field": "short"},
                },
            },
        ],
    }


def timeseries_spec(model: DashboardModel, focus: str) -> dict:
    """The six indicator panels (two rows of three), one legend, the axis parameters."""
    start = month_ms(month_index(model.policy, 0))
    end = month_ms(month_index(model.policy, MIN_AXIS_MONTHS))
    titles = _window_titles(model)
    pids = list(PANELS)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "params": [
            {"name": "x0", "value": start},
            {"name": "x1", "value": end},
            {"name": "xnow", "value": start},
            *({"name": k, "value": v} for k, v in titles.items()),
        ],
        "vconcat": [
            {"hconcat": [_panel(p, model, focus) for p in pids[:3]]},
            {"hconcat": [_panel(p, model, focus) for p in pids[3:]]},
        ],
        "resolve": {
            "scale": {"color": "shared", "strokeDash": "shared"},
            "legend": {"color": "shared", "strokeDash": "shared"},
        },
        "config": {
            "legend": {"orient": "top", "direction": "horizontal", "labelFontSize": 11},
            "view": {"stroke": "#ddd"},
            "axis": {"gridColor": "#eee"},
        },
    }


def timeseries_update(model: DashboardModel, focus: str) -> dict:
    """Data and parameters of the indicator panels now (see :mod:`abm.viz.vega`)."""
    meta, values = _series(model, focus)
    m = model.policy
    steps = np.asarray(m.recorder.steps)
    x = [month_ms(month_index(m, int(s))) for s in steps]
    now = x[-1]
    end = max(now, month_ms(month_index(m, MIN_AXIS_MONTHS)))
    policy = policy_marks(model)
    return {
        "date": m.date,
        "step": int(m.steps),
        "data": {
            "ts": {
                "mode": "stream",
                "key": f"{model.epoch}:{focus}",
                "x": x,
                "months": months_covered(steps).tolist(),
                "series": meta,
                "values": json_floats(np.vstack(values)),
            },
            "policy": {"mode": "replace", "key": model.epoch, "rows": policy},
        },
        "signals": {"x0": x[0], "x1": end, "xnow": now, **_window_titles(model)},
    }


# --- the pipeline map ------------------------------------------------------------------------
def _jitter(n: int) -> np.ndarray:
    """Fixed offsets in [-0.5, 0.5) for projects 0..n-1, shape (n, 2).

    A local generator with a fixed seed: a project keeps its place as projects are added
    (the first rows of the stream do not depend on ``n``), and the model's own generator is
    never touched.
    """
    return np.random.default_rng(JITTER_SEED).random((n, 2)) - 0.5


def stage_counts(model, stages=MAP_STAGES) -> np.ndarray:
    """Projects by country (rows, COUNTRIES order) and stage (columns)."""
    book = model.projects
    out = np.zeros((len(COUNTRIES), len(stages)), dtype=int)
    for j, s in enumerate(stages):
        out[:, j] = np.bincount(book.country[book.stage == s], minlength=len(COUNTRIES))
    return out


def map_points(model: DashboardModel) -> dict[str, list]:
    """Every live project of the scenario, column-wise: place in its cell, area ~ capex
    (``s``, px²), kind, mineral, stage and capex (USD bn)."""
    m = model.policy
    book = m.projects
    live = np.flatnonzero(np.isin(book.stage, np.array(MAP_STAGES, dtype=np.int8)))
    col = np.searchsorted(np.array(MAP_STAGES), book.stage[live])
    row = np.array([MAP_ROWS.index(COUNTRIES[c]) for c in book.country[live]], dtype=float)
    jx, jy = _jitter(len(book))[live].T
    capex_bn = book.capex_usd[live] / 1e9
    critical = m.minerals.critical[book.mineral[live]]
    minerals = np.array([x.replace("_", " ") for x in MINERALS])
    stages = np.array([s.name.title() for s in MAP_STAGES])
    return {
        "px": json_floats(col + 0.8 * jx, 4),
        "py": json_floats(row + 0.7 * jy, 4),
        "s": json_floats(4 + 60 * np.sqrt(capex_bn), 3),
        "kind": np.where(critical, "critical mineral", "other mineral").tolist(),
        "mineral": minerals[book.mineral[live]].tolist(),
        "stage": stages[col].tolist(),
        "capex": json_floats(capex_bn, 3),
    }


def map_counts(model: DashboardModel) -> list[dict]:
    """Per cell: the count and, in side-by-side mode, the change against the baseline."""
    counts = stage_counts(model.policy)
    base = stage_counts(model.baseline) if model.baseline is not None else None
    rows = []
    for ci, c in enumerate(COUNTRIES):
        r = MAP_ROWS.index(c)
        for j in range(len(MAP_STAGES)):
            text = f"{counts[ci, j]}"
            if base is not None and counts[ci, j] != base[ci, j]:
                text += f" ({counts[ci, j] - base[ci, j]:+d})"
            rows.append({"px": j + 0.47, "py": r - 0.43, "text": text})
    return rows


def pipeline_spec(model: DashboardModel) -> dict:
    """Schematic map: countries north to south, one column per stage, a point per project."""
    n_stages = len(MAP_STAGES)
    stage_names = [s.name.title() for s in MAP_STAGES]
    country_names = [COUNTRY_NAMES[c] for c in MAP_ROWS]
    x = {
        "field": "px",
        "type": "quantitative",
        "scale": {"domain": [-0.5, n_stages - 0.5], "nice": False, "zero": False},
        "axis": {
            "title": None,
            "values": list(range(n_stages)),
            "labelExpr": f"{stage_names}[datum.value]",
            "grid": False,
            "ticks": False,
            "domain": False,
            "labelFontSize": 11,
        },
    }
    y = {
        "field": "py",
        "type": "quantitative",
        "scale": {"domain": [-0.5, len(MAP_ROWS) - 0.5], "reverse": True, "nice": False},
        "axis": {
            "title": None,
            "values": list(range(len(MAP_ROWS))),
            "labelExpr": f"{country_names}[datum.value]",
            "grid": False,
            "ticks": False,
            "domain": False,
            "labelFontSize": 11,
        },
    }
    bands = [
        {"y0": r - 0.45, "y1": r + 0.45, "c": COUNTRY_NAMES[c]} for r, c in enumerate(MAP_ROWS)
    ]
    seps = [{"px": j - 0.5} for j in range(1, n_stages)]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "usermeta": {"renderer": "canvas"},  # hundreds of points: canvas redraws faster
        "params": [{"name": "t_map", "value": _map_title(model)}],
        "width": 3 * PANEL_WIDTH_PX + 110,
        "height": MAP_HEIGHT_PX,
        "title": {"text": {"expr": "t_map"}, "anchor": "start", "fontSize": 12},
        "layer": [
            {
                "data": {"values": bands},
                "mark": {"type": "rect", "opacity": 0.07, "x": 0, "x2": {"expr": "width"}},
                "encoding": {
                    "y": {**y, "field": "y0"},
                    "y2": {"field": "y1"},
                    "color": {
                        "field": "c",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": [COUNTRY_NAMES[c] for c in COUNTRIES],
                            "range": [COUNTRY_COLORS[c] for c in COUNTRIES],
                        },
                    },
                },
            },
            {
                "data": {"values": seps},
                "mark": {"type": "rule", "color": "#d8d8d8"},
                "encoding": {"x": x},
            },
            {
                "data": {"name": "map"},
                "mark": {"type": "circle", "opacity": 0.55},
                "encoding": {
                    "x": x,
                    "y": y,
                    "size": {"field": "s", "type": "quantitative", "scale": None},
                    "fill": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["critical mineral", "other mineral"],
                            "range": [CRITICAL_COLOR, OTHER_COLOR],
                        },
                        "legend": {"orient": "top", "direction": "horizontal"},
                    },
                    "tooltip": [
                        {"field": "mineral"},
                        {"field": "stage"},
                        {"field": "capex", "title": "capex (USD bn)"},
                    ],
                },
            },
            {
                "data": {"name": "counts"},
                "mark": {"type": "text", "align": "right", "baseline": "top", "fontSize": 11},
                "encoding": {"x": x, "y": y, "text": {"field": "text"}},
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
        "config": {"view": {"stroke": None}},
    }


def _map_title(model: DashboardModel) -> str:
    note = " (change against the baseline in brackets)" if model.baseline is not None else ""
    return (
        f"Project pipeline {model.policy.date}, {model.scenario_name}: one point per project, "
        f"area ~ capex; counts per stage{note}"
    )


def pipeline_update(model: DashboardModel) -> dict:
    """Data of the map now (replaced whole: projects move between stages)."""
    key = f"{model.epoch}:{model.policy.steps}"
    return {
        "date": model.policy.date,
        "data": {
            "map": {"mode": "replace", "key": key, "columns": map_points(model)},
            "counts": {"mode": "replace", "key": key, "rows": map_counts(model)},
        },
        "signals": {"t_map": _map_title(model)},
    }
