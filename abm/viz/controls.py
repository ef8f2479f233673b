"""Sidebar of the dashboard: the scenario, the policy levers and what Reset will apply.

The controls are generated from :mod:`abm.viz.levers` (itself from the schema). They change
the per-session settings only; Mesa's Reset rebuilds the model from them (see docs/ui.md).
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from abm.params.scenario import Scenario, ScenarioError, available_scenarios, load_scenario
from abm.params.schema import MINERALS
from abm.viz.levers import (
    GROUPS,
    LeverSpec,
    UiSettings,
    build_levers,
    by_group,
    changed_levers,
    describe_schedule,
    export_restriction_lever,
    pending_changes,
    scheduled_values,
)
from abm.viz.plots import step_of_date
from abm.viz.runs import DashboardModel

SCHEDULE_COLOR = "#7b3294"  # as the policy marks on the plots (abm.viz.plots.POLICY_COLOR)

RESET_NOTE = (
    "**Changes apply when you press Reset.** Mesa then rebuilds the model from the scenario "
    "plus the levers below (and the seed and side-by-side switch above) and restarts at the "
    "calibrated start. Until then the running model keeps its settings."
)


def scenario_choices(current: str) -> list[str]:
    """Scenarios under params/scenarios/ (read now), plus ``current`` if it is a path."""
    names = available_scenarios()
    return names if current in names else [*names, current]


def scenario_label(name: str) -> str:
    """A scenario's name for display (a path's file stem)."""
    return Path(name).stem if name.endswith(".toml") else name


def pending(settings: UiSettings, model: DashboardModel, spec: Scenario) -> list[str]:
    """What Reset would change in the running model."""
    lines = []
    if settings.scenario != model.settings.scenario:
        lines.append(
            f"scenario {scenario_label(model.settings.scenario)} → "
            f"{scenario_label(settings.scenario)}"
        )
        applied: dict[str, Any] = {}
    else:
        applied = model.overrides
    try:
        wanted = changed_levers(settings.levers, spec.values)
    except ScenarioError as exc:
        return [*lines, str(exc)]
    return lines + pending_changes(wanted, applied, spec.values)


@solara.component
def LeverControl(
    spec: LeverSpec, settings: solara.Reactive[UiSettings], scheduled: tuple[str, ...] = ()
) -> None:
    """One generated control: slider, switch, select or multi-select; below it the
    scenario's scheduled changes of this lever (``80.0% from 2026-01``)."""
    value = settings.value.current(spec)

    def set_value(v: Any) -> None:
        settings.set(settings.value.with_lever(spec.key, v))

    label = spec.label(value)
    with solara.Column(classes=["abm-lever", spec.css_class], gap="0px"):
        if spec.kind in ("float", "int"):
            solara.Text(label, classes=["abm-lever-label"])
            kind = solara.SliderFloat if spec.kind == "float" else solara.SliderInt
            cast = float if spec.kind == "float" else int
            kind(
                "",
                value=cast(value),
                min=cast(spec.min),
                max=cast(spec.max),
                step=cast(spec.step),
                on_value=set_value,
                thumb_label=False,  # the value is in the label above; a bubble would hide it
            )
        elif spec.kind == "bool":
            solara.Switch(label=label, value=bool(value), on_value=set_value)
        elif spec.kind == "str":
            solara.Select(label, values=list(spec.choices or ()), value=value, on_value=set_value)
        else:  # minerals
            solara.SelectMultiple(
                label,
                values=list(value),
                all_values=list(spec.choices or ()),
                on_value=set_value,
                dense=True,
            )
        if scheduled:
            solara.Text(
                "scheduled: " + "; ".join(scheduled),
                classes=["abm-lever-scheduled"],
                style=f"font-size: 0.8em; color: {SCHEDULE_COLOR}",
            )


@solara.component
def LeverGroup(
    group: str,
    specs: list[LeverSpec],
    settings: solara.Reactive[UiSettings],
    schedule: list | None = None,
):
    """The levers of one country (or of trade) in an expansion panel."""
    schedule = schedule or []
    with solara.v.ExpansionPanel():
        with solara.v.ExpansionPanelHeader():
            solara.Text(GROUPS[group], classes=[f"abm-group-{group}"])
        with solara.v.ExpansionPanelContent(), solara.Column(classes=[f"abm-levers-{group}"]):
            for spec in specs:
                LeverControl(spec, settings, tuple(scheduled_values(schedule, spec.key, spec)))
            if group == "trade":
                ExportRestriction(settings, schedule)


@solara.component
def ScheduleList(schedule: list, settings: UiSettings, values: dict, model: DashboardModel) -> None:
    """The scenario's scheduled policy changes with their dates: value before -> value at the
    date (from the levers as set), and whether the running model has reached the date."""
    update_counter.get()  # re-render on every Step: "scheduled" turns "in effect"
    if not schedule:
        return
    start = {**values, **settings.levers}
    same_run = settings.scenario == model.settings.scenario
    items = []
    for change, shown in zip(schedule, describe_schedule(schedule, start), strict=True):
        reached = same_run and model.policy.steps >= step_of_date(model.policy, change.date)
        status = "in effect" if reached else "scheduled"
        lines = "".join(f"<br>&nbsp;&nbsp;{html.escape(x)}" for x in shown.lines)
        label = html.escape(shown.label) + (": " if shown.label else "")
        items.append(f"<li><b>{shown.date}</b> ({status}) {label}{lines}</li>")
    solara.HTML(
        unsafe_innerHTML=(
            f'<div style="color: {SCHEDULE_COLOR}"><b>Scheduled policy changes</b> '
            "(dashed purple lines on the plots)</div>"
            f'<ul style="padding-left: 16px; margin: 2px 0">{"".join(items)}</ul>'
        ),
        classes=["abm-schedule"],
    )


@solara.component
def ExportRestriction(settings: solara.Reactive[UiSettings], schedule: list | None = None) -> None:
    """Focus mineral (also shown in the dependency and price plots) and its export restriction."""
    s = settings.value
    values = load_scenario(s.scenario).values

    def set_focus(m: str) -> None:
        settings.set(replace(settings.value, focus_mineral=m))

    solara.Select(
        "Focus mineral (plots; export restriction below)",
        values=list(MINERALS),
        value=s.focus_mineral,
        on_value=set_focus,
    )
    spec = export_restriction_lever(s.focus_mineral, values)
    LeverControl(spec, settings, tuple(scheduled_values(schedule or [], spec.key, spec)))


@solara.component
def LeverPanel(settings: solara.Reactive[UiSettings], model: DashboardModel) -> None:
    """The sidebar card: scenario select, reset note, pending changes, lever groups."""
    s = settings.value
    spec = solara.use_memo(lambda: load_scenario(s.scenario), [s.scenario])
    specs = solara.use_memo(lambda: by_group(build_levers(spec.values)), [spec])

    def set_scenario(name: str) -> None:
        settings.set(UiSettings(scenario=name, focus_mineral=settings.value.focus_mineral))

    with solara.Sidebar(), solara.Card("Scenario and policy levers"):
        solara.Select(
            "Scenario (params/scenarios/)",
            values=scenario_choices(s.scenario),
            value=s.scenario,
            on_value=set_scenario,
        )
        if spec.description:
            solara.Text(spec.description, style="font-size: 0.85em; color: #555")
        ScheduleList(spec.schedule, s, spec.values, model)
        solara.Markdown(RESET_NOTE, style="font-size: 0.9em")
        todo = pending(s, model, spec)
        with solara.Div(classes=["abm-pending"]):
            if todo:
                solara.Warning("Not applied yet (press Reset): " + "; ".join(todo), dense=True)
            else:
                solara.Success("The running model uses these settings.", dense=True)
        with solara.Row():
            solara.Button(
                "Back to the scenario's values",
                text=True,
                color="primary",
                on_click=lambda: settings.set(replace(s, levers={})),
                disabled=not s.levers,
            )
        with solara.v.ExpansionPanels(multiple=True, accordion=True):
            for group, group_specs in specs.items():
                LeverGroup(group, group_specs, settings, spec.schedule)
