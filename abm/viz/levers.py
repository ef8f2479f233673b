"""Dashboard controls generated from the parameter declarations in :mod:`abm.params.schema`.

Every lever the schema marks ``lever=True`` becomes one control: a slider for a number (its
range from the declared bounds), a switch for a bool, a select for a choice, a multi-select for
a list of minerals. Labels carry the declared unit; defaults are the chosen scenario's values.
The rest-of-world export restrictions (one declared lever per mineral) are shown as one slider
for a chosen mineral.

Bounds that are open-ended for the purpose of validation (``permit_capacity_per_year`` up to
1000 decisions a year, a state budget up to USD 100 bn) would make a slider unusable, so a
slider whose declared span is more than :data:`WIDE_SPAN` times the largest scenario value of
that lever (over the three countries) stops at :data:`WIDE_SLIDER_MULTIPLE` times that value,
rounded up; it never goes beyond the declared bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from abm.params.scenario import ScenarioError, validate_value
from abm.params.schema import COUNTRIES, COUNTRY_NAMES, LEVERS, MINERALS, PARAMS, Kind

EXPORT_PREFIX = "trade.row_export_restriction."
WIDE_SPAN = 100.0
WIDE_SLIDER_MULTIPLE = 20.0
SLIDER_POSITIONS = 200  # a slider's step is the power of ten at or below span / this
GROUPS: dict[str, str] = {**COUNTRY_NAMES, "trade": "Trade"}
FLOAT_TOL = 1e-9


@dataclass(frozen=True)
class LeverSpec:
    """One control: a declared lever with its label, range and the scenario's value."""

    key: str
    group: str  # a country code or "trade"
    name: str  # human name, without unit
    unit: str
    kind: Kind
    doc: str
    default: Any
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] | None = None

    def label(self, value: Any) -> str:
        """``Name: value unit`` (``Royalty rate: 8.5% of operating profit``)."""
        if self.kind in ("bool", "minerals"):
            return self.name
        if self.kind == "str":
            return f"{self.name}: {value}"
        unit = self.unit.removeprefix("frac").strip() if self.unit.startswith("frac") else self.unit
        return f"{self.name}: {format_value(self, value)} {unit}".rstrip()

    @property
    def css_class(self) -> str:
        """A CSS class naming this lever (``abm-lever-government-MX-royalty_rate``)."""
        return "abm-lever-" + self.key.replace(".", "-")


def format_value(spec: LeverSpec, value: Any) -> str:
    """A short human form of a lever value (fractions as percentages)."""
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "minerals":
        return ", ".join(value) if value else "none"
    if spec.kind == "str":
        return str(value)
    if spec.unit.startswith("frac"):
        return f"{value:.1%}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f} M"
    return f"{value:,.4g}" if spec.kind == "float" else f"{int(value):,d}"


def _human(key: str) -> str:
    name = key.rsplit(".", 1)[-1].replace("_", " ")
    for suffix in (" frac", " usd", " per year", " months"):
        name = name.removesuffix(suffix)
    return name[:1].upper() + name[1:]


def nice_step(span: float) -> float:
    """The power of ten at or below ``span / SLIDER_POSITIONS``."""
    if span <= 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(span / SLIDER_POSITIONS))


def _nice_ceil(x: float) -> float:
    """``x`` rounded up to 1, 2 or 5 times a power of ten."""
    p = 10.0 ** math.floor(math.log10(x))
    return next(m * p for m in (1, 2, 5, 10) if m * p >= x * (1 - FLOAT_TOL))


def _slider_range(key: str, values: dict[str, Any]) -> tuple[float, float, float]:
    param = PARAMS[key]
    assert param.bounds is not None, key
    lo, hi = param.bounds
    if key.startswith("government."):
        name = key.split(".", 2)[2]
        peers = [values[f"government.{c}.{name}"] for c in COUNTRIES]
    else:
        peers = [values[key]]
    reference = max(abs(float(v)) for v in peers)
    if reference > 0 and hi - lo > WIDE_SPAN * reference:
        hi = min(hi, _nice_ceil(WIDE_SLIDER_MULTIPLE * reference))
    step = nice_step(hi - lo)
    if param.kind == "int":
        step = max(1.0, step)
    return float(lo), float(hi), step


def lever_spec(key: str, values: dict[str, Any]) -> LeverSpec:
    """The control for one declared parameter, with ``values`` (a scenario's) as default."""
    param = PARAMS[key]
    group = key.split(".")[1] if key.startswith("government.") else "trade"
    name = _human(key)
    if key.startswith(EXPORT_PREFIX):
        name = f"ROW export restriction, {key.removeprefix(EXPORT_PREFIX).replace('_', ' ')}"
    spec = LeverSpec(key, group, name, param.unit, param.kind, param.doc, values[key])
    if param.kind in ("float", "int"):
        lo, hi, step = _slider_range(key, values)
        spec = replace(spec, min=lo, max=hi, step=step)
    elif param.kind == "str":
        spec = replace(spec, choices=param.choices)
    elif param.kind == "minerals":
        spec = replace(spec, choices=MINERALS)
    return spec


def build_levers(values: dict[str, Any]) -> list[LeverSpec]:
    """Every declared lever except the per-mineral export restrictions, in schema order."""
    return [lever_spec(k, values) for k in LEVERS if not k.startswith(EXPORT_PREFIX)]


def export_restriction_lever(mineral: str, values: dict[str, Any]) -> LeverSpec:
    """The export-restriction lever of one mineral."""
    return lever_spec(EXPORT_PREFIX + mineral, values)


def by_group(specs: list[LeverSpec]) -> dict[str, list[LeverSpec]]:
    """Specs keyed by group (US, MX, CA, trade), in the order of :data:`GROUPS`."""
    out: dict[str, list[LeverSpec]] = {g: [] for g in GROUPS}
    for s in specs:
        out[s.group].append(s)
    return out


def same_value(a: Any, b: Any) -> bool:
    """Equal, with floats compared to a relative tolerance (slider round-off)."""
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=FLOAT_TOL)
    return a == b


def changed_levers(levers: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The lever settings that differ from ``base`` (a scenario's values), validated.

    Raises:
        ScenarioError: a value is outside its declared bounds or of the wrong kind.
    """
    out = {}
    for key, value in levers.items():
        if key not in PARAMS:
            raise ScenarioError(f"dashboard: unknown lever {key!r}")
        if not same_value(value, base[key]):
            out[key] = validate_value(key, value, "dashboard")
    return out


def describe_changes(changes: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """One line per changed lever: ``Mexico: Royalty rate 8.5% -> 40.0%``."""
    lines = []
    for key, value in changes.items():
        spec = lever_spec(key, base)
        where = GROUPS[spec.group]
        old, new = format_value(spec, base[key]), format_value(spec, value)
        lines.append(f"{where}: {spec.name} {old} → {new}")
    return lines


@dataclass(frozen=True)
class UiSettings:
    """What the lever panel holds: a scenario, lever values and a focus mineral.

    ``levers`` holds only the levers the user moved; the rest keep the scenario's values.
    """

    scenario: str = "baseline"
    levers: dict[str, Any] = field(default_factory=dict)
    focus_mineral: str = "gallium"

    def with_lever(self, key: str, value: Any) -> UiSettings:
        """A copy with one lever set."""
        return replace(self, levers={**self.levers, key: value})

    def current(self, spec: LeverSpec) -> Any:
        """The current value of a lever: the user's setting or the scenario's."""
        return self.levers.get(spec.key, spec.default)


def pending_changes(
    wanted: dict[str, Any], applied: dict[str, Any], base: dict[str, Any]
) -> list[str]:
    """Lines for the levers whose setting differs from the running model's.

    ``wanted`` and ``applied`` are changed-lever dicts (:func:`changed_levers`) against the
    same scenario values ``base``.
    """
    lines = []
    for key in dict.fromkeys([*applied, *wanted]):
        old, new = applied.get(key, base[key]), wanted.get(key, base[key])
        if not same_value(old, new):
            spec = lever_spec(key, base)
            where = GROUPS[spec.group]
            lines.append(
                f"{where}: {spec.name} {format_value(spec, old)} → {format_value(spec, new)}"
            )
    return lines


@dataclass(frozen=True)
class ScheduledChange:
    """A scheduled policy change as the lever panel lists it."""

    date: str  # YYYY-MM, from the scenario file
    label: str
    lines: tuple[str, ...]  # ``Trade: ROW export restriction, gallium 0.0% → 80.0%``
    keys: tuple[str, ...]


def describe_schedule(schedule: list, values: dict[str, Any]) -> list[ScheduledChange]:
    """The scenario's ``[[schedule]]`` entries in date order, each lever as ``value before ->
    value at the date``; ``values`` are the values in force at the start (the scenario's,
    with the user's levers), carried forward through earlier changes."""
    now = dict(values)
    out = []
    for change in schedule:
        lines = []
        for key, value in change.values.items():
            spec = lever_spec(key, now)
            where = GROUPS.get(spec.group, spec.group)
            old, new = format_value(spec, now[key]), format_value(spec, value)
            lines.append(f"{where}: {spec.name} {old} → {new}")
            now[key] = value
        out.append(ScheduledChange(change.date, change.label, tuple(lines), tuple(change.values)))
    return out


def scheduled_values(schedule: list, key: str, spec: LeverSpec) -> list[str]:
    """``80.0% from 2026-01`` for each scheduled change of one lever."""
    return [
        f"{format_value(spec, ch.values[key])} from {ch.date}"
        for ch in schedule
        if key in ch.values
    ]
