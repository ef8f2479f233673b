"""The browser dashboard: Mesa's SolaraViz around the scenario and, side by side, the baseline.

Serve it with ``abm ui [SCENARIO]`` (which fills the offline asset cache and runs
``solara run`` on this file). Layout:

- sidebar: Mesa's controls (Reset / Play / Step, play and render intervals), Mesa's model
  parameters (seed, side-by-side switch), then the scenario and the policy levers generated from
  the schema (:mod:`abm.viz.controls`);
- main area: the simulated date, headline numbers (scenario against baseline), the CSV
  download, six indicator plots and the project-pipeline map (:mod:`abm.viz.plots`).

Every browser session gets its own settings and model (``solara.use_reactive`` /
``solara.use_memo`` in :func:`Page`); nothing model-related lives at module level.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from abm.params.scenario import load_scenario
from abm.params.schema import COUNTRIES, MINERALS
from abm.runner import DEFAULT_SEED
from abm.viz.controls import LeverPanel, scenario_label
from abm.viz.levers import EXPORT_PREFIX, UiSettings
from abm.viz.plots import pipeline_spec, pipeline_update, timeseries_spec, timeseries_update
from abm.viz.runs import DashboardModel, csv_filename, key_numbers, timeseries_csv
from abm.viz.vega import Ticker, VegaChart

ENV_SCENARIO = "ABM_UI_SCENARIO"  # set by `abm ui SCENARIO`
TITLE = "USMCA mining investment"
DEFAULT_FOCUS = "gallium"
PLAY_INTERVAL_MS = 50

CSS = """
.abm-date { font-size: 2.4em; font-weight: 600; line-height: 1.1; }
.abm-lever-label { font-size: 0.88em; color: #333; }
.abm-lever .v-input--switch, .abm-lever .v-select { margin-top: 4px; }
.abm-key table { border-collapse: collapse; font-size: 0.92em; }
.abm-key th, .abm-key td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #eee; }
.abm-key th:first-child, .abm-key td:first-child { text-align: left; }
.abm-key .base { color: #777; font-size: 0.85em; }
.abm-key .up { color: #1a7f37; } .abm-key .down { color: #c62828; }
.abm-schedule { font-size: 0.85em; }
.abm-schedule li { margin-bottom: 2px; }
/* Mesa's sliders (play and render interval): the value bubble always shown, with room above
   the track so that it covers neither the label nor the slider above */
.v-input__slider:has(.v-slider__thumb-label) { padding-top: 30px; }
.v-input__slider .v-label { overflow: visible; white-space: normal; line-height: 1.2; }
.v-input__slider .v-slider__thumb-container .v-slider__thumb-label-container {
  display: block !important; }
.v-input__slider .v-slider__thumb-label { transform: translateY(-20%) translateY(-12px)
  translateX(-50%) rotate(45deg) !important; }
"""


def initial_settings() -> UiSettings:
    """Settings a new session starts from: ``$ABM_UI_SCENARIO`` (default baseline), focused on
    the first mineral whose starting export restriction differs from baseline's (which holds
    China's 2023-2025 controls), else on the default mineral."""
    name = os.environ.get(ENV_SCENARIO) or "baseline"
    values = load_scenario(name).values
    base = load_scenario("baseline").values
    restricted = [m for m in MINERALS if values[EXPORT_PREFIX + m] != base[EXPORT_PREFIX + m]]
    return UiSettings(scenario=name, focus_mineral=(restricted or [DEFAULT_FOCUS])[0])


def model_params(settings: solara.Reactive[UiSettings]) -> dict:
    """SolaraViz parameters: the session's settings (fixed: Reset reads their current value),
    the seed and the side-by-side switch (Mesa's own inputs)."""
    return {
        "settings": settings,
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Random seed"},
        "compare": {
            "type": "Checkbox",
            "value": True,
            "label": "Side by side with the baseline (same seed)",
        },
    }


def _fmt(key: str, v: float) -> str:
    if v != v:  # NaN
        return "–"
    if key in ("investment_share", "import_dependency_critical"):
        return f"{v:.1%}"
    if key == "exploration_usd":
        return f"{v / 1e9:.2f}"
    return f"{v:.0f}"


def _fmt_delta(key: str, d: float) -> str:
    if d != d:
        return "–"
    if key in ("investment_share", "import_dependency_critical"):
        return f"{100 * d:.1f} pt"  # percentage points
    return _fmt(key, d)


KEY_ROWS = {  # {window}: the months the trailing-window numbers cover (runs.Window.label)
    "investment_share": "Investment share, {window}",
    "exploration_usd": "Exploration, {window} (USD bn)",
    "projects_in_permitting": "Projects in permitting",
    "producing_mines": "Producing mines",
    "import_dependency_critical": "NA import dependency, critical minerals (mean)",
}


def key_table_html(model: DashboardModel) -> str:
    """The headline-numbers table; each cell carries its raw values as data attributes."""
    now = key_numbers(model.policy)
    base = key_numbers(model.baseline) if model.baseline is not None else None
    regions = (*COUNTRIES, "NA")
    head = "".join(f"<th>{c}</th>" for c in regions)
    rows = [f"<tr><th></th>{head}</tr>"]
    window = now["window"].label()
    for key, label in KEY_ROWS.items():
        label = label.format(window=window)
        cells = []
        for c in regions:
            v = now[key].get(c)
            if v is None:
                cells.append("<td></td>")
                continue
            attrs = f'data-key="{key}-{c}" data-scenario="{v!r}"'
            text = _fmt(key, v)
            if base is not None:
                b = base[key][c]
                attrs += f' data-baseline="{b!r}"'
                d = v - b
                cls = "up" if d > 1e-12 else "down" if d < -1e-12 else ""
                sign = "+" if d >= 0 else "−"
                delta = _fmt_delta(key, abs(d))
                text += (
                    f'<div class="base">base {_fmt(key, b)} '
                    f'<span class="{cls}">({sign}{delta})</span></div>'
                )
            cells.append(f"<td {attrs}>{text}</td>")
        rows.append(f"<tr><td>{label}</td>{''.join(cells)}</tr>")
    return f"<table>{''.join(rows)}</table>"


@solara.component
def PlayButton(model: DashboardModel, playing: solara.Reactive[bool]) -> None:
    """Play / Pause (replaces Mesa's, see :class:`abm.viz.vega.Ticker`): steps the model as
    Mesa's Step does, at Mesa's play interval and render interval."""

    def tick(months: int) -> None:
        with model.lock:
            for _ in range(months):
                if not model.running:
                    break
                model.step()
        force_update()
        if not model.running:
            playing.set(False)

    solara.Button(
        "❚❚ Pause" if playing.value else "▶ Play",
        color="primary",
        on_click=lambda: playing.set(not playing.value),
        disabled=not model.running and not playing.value,
        classes=["abm-play"],
    )
    Ticker.element(active=playing.value, interval_ms=PLAY_INTERVAL_MS, on_tick=tick)


@solara.component
def StatusCard(model: DashboardModel, date: str, steps: int) -> None:
    """Simulated date, step, Play, what is running, the applied lever changes and the download
    (``date`` and ``steps`` read with the figures' data, under the model's lock)."""
    m = model.policy
    playing = solara.use_reactive(False)
    solara.use_effect(lambda: playing.set(False), [model])  # Reset stops Play
    with solara.Card(style="min-width: 360px; max-width: 520px"):
        with solara.Row(style="align-items: center; justify-content: space-between"):
            solara.Text(date, classes=["abm-date"])
            PlayButton(model, playing)
        with solara.Div():
            solara.Text(
                f"step {steps} of {m.n_steps} (one step = one month; step 0 = the "
                "calibrated start)",
                classes=["abm-step"],
            )
        mode = "side by side with the baseline" if model.baseline is not None else "alone"
        solara.Markdown(
            f"**{scenario_label(model.scenario_name)}**, seed {model.seed}, {mode}. "
            "Solid lines: this run; dashed: the baseline.",
            style="font-size: 0.9em",
        )
        with solara.Div(classes=["abm-applied"]):
            if model.changes:
                solara.Markdown(
                    "Levers changed from the scenario: " + "; ".join(model.changes),
                    style="font-size: 0.9em",
                )
            else:
                solara.Text("No lever changed from the scenario.", style="font-size: 0.9em")
        for note in model.notes:
            solara.Warning(note, dense=True)
        solara.FileDownload(
            lambda: timeseries_csv(model),
            filename=csv_filename(model),
            label="Download timeseries (CSV)",
            mime_type="text/csv",
        )


@solara.component
def MainView(model: DashboardModel, focus: str) -> None:
    """Status, headline numbers and the figures; re-rendered on every Step and Reset.

    The figures are Vega-Lite charts drawn in the browser: their specs are built once per
    model and focus mineral, and each render sends an update the browser applies
    incrementally (:mod:`abm.viz.vega`). Mesa's render interval decides how often a render
    (and so an update) happens.
    """
    counter = update_counter.get()

    def locked(f: Callable[[], Any]) -> Callable[[], Any]:
        def read() -> Any:
            with model.lock:  # Play steps in another thread
                return f()

        return read

    ts_spec = solara.use_memo(locked(lambda: timeseries_spec(model, focus)), [model, focus])
    map_spec = solara.use_memo(locked(lambda: pipeline_spec(model)), [model])
    ts_update = solara.use_memo(
        locked(lambda: timeseries_update(model, focus)), [model, counter, focus]
    )
    map_update = solara.use_memo(locked(lambda: pipeline_update(model)), [model, counter])
    table = solara.use_memo(locked(lambda: key_table_html(model)), [model, counter])
    date, steps = ts_update["date"], ts_update["step"]
    solara.Style(CSS)
    with solara.Column(classes=["abm-main"], style="padding: 8px"):
        with solara.Row(style="align-items: flex-start; flex-wrap: wrap"):
            StatusCard(model, date, steps)
            with solara.Card("Headline numbers", style="flex: 1; min-width: 480px"):
                solara.HTML(unsafe_innerHTML=table, classes=["abm-key"])
        VegaChart(ts_spec, ts_update, classes=["abm-timeseries"])
        VegaChart(map_spec, map_update, classes=["abm-pipeline"])


def Below(component: Callable[..., None]) -> Callable[..., None]:
    """``component`` nested two levels deeper, so that its sidebar card comes after Mesa's
    (solara orders sidebar portals by the depth of the component that adds them)."""

    @solara.component
    def Inner(*args: Any) -> None:
        component(*args)

    @solara.component
    def Outer(*args: Any) -> None:
        Inner(*args)

    return Outer


SidebarLevers = Below(LeverPanel)


@solara.component
def Page() -> None:
    """One session: its own settings and models, shown with SolaraViz."""
    first_settings = solara.use_memo(initial_settings, [])
    settings = solara.use_reactive(first_settings)
    first_model = solara.use_memo(lambda: DashboardModel(first_settings), [])
    model = solara.use_reactive(first_model)
    SolaraViz(
        model,
        components=[],
        model_params=model_params(settings),
        name=TITLE,
        play_interval=PLAY_INTERVAL_MS,
    )
    SidebarLevers(settings, model.value)
    MainView(model.value, settings.value.focus_mineral)
