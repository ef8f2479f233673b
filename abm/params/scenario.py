"""Scenario files: loading, inheritance, scheduled policy changes, overrides, validation.

A scenario file is TOML. Levers are tables following their dotted names
(``[government.MX]`` / ``royalty_rate = 0.085``); ``inherits = "baseline"`` starts from
another scenario; ``[[schedule]]`` entries change levers at a date::

    inherits = "baseline"
    description = "..."
    [government.MX]
    royalty_rate = 0.075
    [[schedule]]
    date = "2026-07"
    label = "USMCA review"
    set = { "trade.rules_of_origin" = "geological_origin" }

Every problem raises :class:`ScenarioError` naming the file and the key.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.params.schema import FIXED_IN_RUN, PARAMS, Param, python_scalar

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "params" / "scenarios"
# ``name`` and ``seed`` are what a written (resolved) scenario.toml records besides values.
META_KEYS = {"inherits", "description", "name", "schedule", "seed"}
# Seeds are non-negative integers that fit the int64 ``seed`` columns of every output.
MAX_SEED = 2**63 - 1
DEFAULT_SEED = 20250101  # a run's, and an experiment file's master seed, unless one is given


class ScenarioError(ValueError):
    """A scenario, override or experiment file is invalid; the message names file and key."""


@dataclass(frozen=True)
class PolicyChange:
    """Lever values that take effect from ``date`` (YYYY-MM) on."""

    date: str
    values: dict[str, Any]
    label: str = ""

    def __post_init__(self) -> None:
        check_schedulable(self.values, f"schedule {self.label or self.date}")


def check_schedulable(values: Iterable[str], where: str) -> None:
    """The schedule rule, in one place: a scheduled change may set only parameters the model
    re-reads each month; one fixed when the run is built (``FIXED_IN_RUN``) is refused,
    never accepted and then ignored."""
    for key in values:
        if key in FIXED_IN_RUN:
            raise ScenarioError(
                f"{where}: {key}: is fixed when a run is built and cannot change during a run "
                "(set it outside [[schedule]], or with --set)"
            )


@dataclass
class Scenario:
    """A fully resolved scenario: every declared parameter has a value."""

    name: str
    values: dict[str, Any]
    schedule: list[PolicyChange] = field(default_factory=list)
    description: str = ""
    sources: list[str] = field(default_factory=list)
    recorded_seed: int | None = None  # the ``seed`` a written scenario.toml records

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def with_overrides(self, overrides: dict[str, Any], origin: str = "--set") -> Scenario:
        """Return a copy with ``overrides`` (dotted keys) applied and validated."""
        values = dict(self.values)
        for key, value in overrides.items():
            values[key] = validate_value(key, value, origin)
        _check_cross(values, origin, self.schedule)
        return Scenario(
            self.name,
            values,
            list(self.schedule),
            self.description,
            self.sources,
            self.recorded_seed,
        )


def parse_month(text: str, where: str, key: str = "date") -> tuple[int, int]:
    """Parse ``YYYY-MM`` into (year, month) or raise ScenarioError."""
    try:
        year_s, month_s = str(text).split("-")
        year, month = int(year_s), int(month_s)
        if not 1 <= month <= 12 or not 1900 <= year <= 2200:
            raise ValueError
    except ValueError:
        raise ScenarioError(f"{where}: {key}: {text!r} is not a month like 2026-07") from None
    return year, month


def reject_unknown_keys(table: dict[str, Any], known: Iterable[str], where: str) -> None:
    """One clear error naming the keys of ``table`` that are not in ``known``."""
    known = sorted(known)
    extra = sorted(set(table) - set(known))
    if extra:
        s = "s" if len(extra) > 1 else ""
        names = ", ".join(repr(k) for k in extra)
        raise ScenarioError(f"{where}: unknown key{s} {names} (known: {', '.join(known)})")


def validate_value(key: str, value: Any, where: str) -> Any:
    """Check one dotted key and value against the schema (numbers must be finite)."""
    value = python_scalar(value)
    param: Param | None = PARAMS.get(key)
    if param is None:
        raise ScenarioError(f"{where}: unknown parameter {key!r}{_suggest(key)}")
    nan_ok = param.nan_means is not None and isinstance(value, float) and math.isnan(value)
    if isinstance(value, float) and not math.isfinite(value) and not nan_ok:
        allowed = f" or nan ({param.nan_means})" if param.nan_means else ""
        raise ScenarioError(f"{where}: {key}: must be a finite number{allowed}, got {value!r}")
    try:
        return param.check(value)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ScenarioError(f"{where}: {key}: {exc}") from None


def check_seed(value: Any, where: str) -> int:
    """A run seed: a whole number in [0, MAX_SEED] (true/false are not numbers; a numpy
    integer is one)."""
    value = python_scalar(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ScenarioError(f"{where}: must be a whole number in [0, 2**63-1], got {value!r}")
    return value


def _suggest(key: str) -> str:
    import difflib

    lower = {k.lower(): k for k in PARAMS}
    if key.lower() in lower:  # case is ignored: NICKEL is nickel (not zinc), mx is MX
        return f" (did you mean {lower[key.lower()]!r}?)"
    close = difflib.get_close_matches(key.lower(), lower, n=1, cutoff=0.75)
    return f" (did you mean {lower[close[0]]!r}?)" if close else ""


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted keys (quoted dotted keys are kept as paths)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def looks_like_path(ref: str | Path) -> bool:
    """The one rule telling a file from a name: a path has a folder separator or a ``.toml``
    suffix; anything else is a name (a folder ``baseline/`` in the current folder does not
    hide the shipped scenario ``baseline``)."""
    text = str(ref)
    return isinstance(ref, Path) or text.endswith(".toml") or "/" in text or os.sep in text


def relative_to(ref: str, folder: Path) -> str:
    """``ref`` as a path from ``folder`` when it is a relative path (files name other files
    from their own folder, as ``inherits`` does), else unchanged."""
    if looks_like_path(ref) and not Path(ref).is_absolute():
        return str(folder / ref)
    return ref


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario name under params/scenarios/ or a path to a TOML file."""
    if looks_like_path(name_or_path):
        p = Path(name_or_path)
        if not p.is_file():
            raise ScenarioError(f"{p}: scenario file not found")
        return p
    known = ", ".join(available_scenarios()) or "none"
    if not str(name_or_path).strip():
        raise ScenarioError(f"scenario: an empty name; known: {known}")
    candidate = SCENARIO_DIR / f"{name_or_path}.toml"
    if not candidate.is_file():
        raise ScenarioError(f"unknown scenario {str(name_or_path)!r}; known: {known}")
    return candidate


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped under params/scenarios/."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


# Parameters whose value may name a file, and the values that are names, not files.
PATH_KEYS = {"market.price_path": ("stochastic", "history"), "simulation.calibration_reference": ()}


def absolute_paths(values: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``values`` with each relative file path of :data:`PATH_KEYS` made absolute from
    ``folder`` (the scenario file's folder; the current folder for ``--set``), so that a
    written scenario.toml reruns from anywhere."""
    out = dict(values)
    for key, names in PATH_KEYS.items():
        v = out.get(key)
        if not isinstance(v, str) or v in names or not v:
            continue
        path_like = looks_like_path(v)  # a price CSV: also a bare file name
        if key == "market.price_path":
            path_like = path_like or Path(v).suffix == ".csv" or (folder / v).is_file()
        if path_like and not Path(v).is_absolute():  # a typo of a name stays as written
            out[key] = str((folder / v).resolve())
    return out


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into ScenarioError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: not a text TOML file (byte {exc.start} is not UTF-8)"
        ) from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None


def load_scenario(
    name_or_path: str | Path,
    _chain: tuple[Path, ...] = (),
    overrides: dict[str, Any] | None = None,
    origin: str = "--set",
) -> Scenario:
    """Load and fully resolve a scenario (inheritance, validation, schedule).

    ``overrides`` (``--set``, ``--years``) apply before the checks that involve more than one
    parameter, so a price CSV is checked against the months the run will cover; ``origin``
    names where they come from in messages.
    """
    path = resolve_path(name_or_path).resolve()
    if path in _chain:
        raise ScenarioError(f"{path}: inheritance cycle through {path.name}")
    raw = read_toml(path)
    where = str(path)
    parent_name = raw.get("inherits")
    if parent_name is not None:
        if not isinstance(parent_name, str):
            raise ScenarioError(f"{where}: inherits: must be a scenario name or path")
        parent_ref = relative_to(parent_name, path.parent)
        try:
            resolve_path(parent_ref)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: inherits: {exc}") from None
        parent = load_scenario(parent_ref, (*_chain, path))
        values = dict(parent.values)
        schedule = list(parent.schedule)
        sources = [*parent.sources, where]
    else:
        values, schedule, sources = {}, [], [where]

    body = {k: v for k, v in raw.items() if k not in META_KEYS}
    for key, value in absolute_paths(flatten(body), path.parent).items():
        values[key] = validate_value(key, value, where)
    values.update({k: validate_value(k, v, origin) for k, v in (overrides or {}).items()})
    schedule += _read_schedule(raw.get("schedule", []), where)
    schedule.sort(key=lambda ch: parse_month(ch.date, where))

    missing = [k for k in PARAMS if k not in values]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ScenarioError(
            f"{where}: missing {len(missing)} parameter(s): {shown} "
            '(start from the baseline with inherits = "baseline")'
        )
    _check_cross(values, origin if overrides else where, schedule)  # as with_overrides
    desc = raw.get("description", "")
    if not isinstance(desc, str):
        raise ScenarioError(f"{where}: description: must be a string")
    seed = None
    if "seed" in raw:  # a written scenario.toml: the seed of the run that wrote it
        seed = check_seed(raw["seed"], f"{where}: seed")
    name = raw.get("name", path.stem)  # a written scenario.toml keeps its scenario's name
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where}: name: must be a non-empty string")
    return Scenario(name, values, schedule, desc, sources, seed)


def _read_schedule(entries: Any, where: str) -> list[PolicyChange]:
    if not isinstance(entries, list):
        raise ScenarioError(f"{where}: schedule: use [[schedule]] tables")
    changes = []
    for i, entry in enumerate(entries):
        loc = f"{where}: schedule[{i}]"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{loc}: must be a table with date and set")
        reject_unknown_keys(entry, ("date", "set", "label"), loc)
        if "date" not in entry or "set" not in entry:
            raise ScenarioError(f'{loc}: needs date = "YYYY-MM" and set = {{...}}')
        parse_month(entry["date"], loc)
        if not isinstance(entry["set"], dict) or not entry["set"]:
            raise ScenarioError(f"{loc}: set: must be a non-empty table of levers")
        vals = {k: validate_value(k, v, loc) for k, v in flatten(entry["set"]).items()}
        check_schedulable(vals, loc)
        changes.append(PolicyChange(str(entry["date"]), vals, str(entry.get("label", ""))))
    return changes


def _check_cross(values: dict[str, Any], where: str, schedule: Iterable[PolicyChange] = ()) -> None:
    """Checks that involve more than one parameter: no policy change before the start."""
    if "simulation.start" not in values:
        return
    start = parse_month(values["simulation.start"], where, "simulation.start")
    from abm.price_paths import check_price_path  # a CSV price path must cover the run

    check_price_path(values, where)
    for ch in schedule:
        if parse_month(ch.date, where) < start:
            raise ScenarioError(
                f"{where}: schedule: {ch.label or 'change'} dated {ch.date} is before "
                f"simulation.start {values['simulation.start']} (it would act as a change "
                "in the first month)"
            )


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``KEY=VALUE`` where VALUE is a TOML value; a bare word is a string."""
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected KEY=VALUE")
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key:
        raise ScenarioError(f"--set {text}: empty key")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        if raw and all(ch.isalnum() or ch in "_-./" + os.sep for ch in raw):
            value = raw  # a bare word or path is a string
        else:
            raise ScenarioError(
                f"--set {key}: {raw!r} is not a TOML value (quote a string: --set '{key}=\"...\"')"
            ) from None
    value = absolute_paths({key: value}, Path.cwd())[key]
    validate_value(key, value, "--set")
    return key, value


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(scenario: Scenario, extra: dict[str, Any] | None = None) -> str:
    """Write a resolved scenario as TOML: each dotted name is its TOML path."""
    lines = [
        f"# Fully resolved scenario {scenario.name!r}",
        f"# from: {', '.join(scenario.sources)}",
    ]
    lines.append(f"name = {_toml_value(scenario.name)}")
    lines.append(f"description = {_toml_value(scenario.description)}")
    for k, v in (extra or {}).items():
        lines.append(f"{k} = {_toml_value(v)}")
    tables: dict[str, list[tuple[str, Any]]] = {}
    for key in PARAMS:
        table, _, leaf = key.rpartition(".")
        tables.setdefault(table, []).append((leaf, scenario.values[key]))
    for table, items in tables.items():
        lines.append(f"\n[{table}]")
        lines += [f"{leaf} = {_toml_value(v)}" for leaf, v in items]
    for ch in scenario.schedule:
        lines.append("\n[[schedule]]")
        lines.append(f"date = {_toml_value(ch.date)}")
        if ch.label:
            lines.append(f"label = {_toml_value(ch.label)}")
        inner = ", ".join(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in ch.values.items())
        lines.append(f"set = {{ {inner} }}")
    return "\n".join(lines) + "\n"


def to_mesa(spec: Scenario | str | Path, seed: int) -> Any:
    """Wrap a scenario and a seed as Mesa's experimental ``Scenario`` (Mesa 4's way to run
    experiments): ``MiningModel(to_mesa("baseline", 1))``. Our scenario (levers, schedule) is
    its ``spec`` attribute; Mesa's object adds the seed and an id and freezes both during a run.
    """
    from mesa.experimental.scenarios import Scenario as MesaScenario

    resolved = spec if isinstance(spec, Scenario) else load_scenario(spec)
    return MesaScenario(rng=seed, spec=resolved, name=resolved.name)


# Run size, in agent-months (firms and investors x simulated months). Measured on the 2-core
# development machine (Dec 2026): the baseline at population_scale 10 for 2 years (81,600
# agent-months) takes 0.83 s, so about 1e-5 s per agent-month; the baseline decade is 40,800.
SECONDS_PER_AGENT_MONTH = 1.0e-5
# Above this a run prints its estimated time before it starts (about a minute).
LARGE_RUN_AGENT_MONTHS = 5.0e6
# Refused above this: 1e8 agent-months is ~2,500 baseline decades in one run, about 17
# minutes of one core by the figure above and several GB of agent arrays; the largest
# declared population (population_scale 100 x the default sizes, a decade: 4.1e6) stays far
# below it, while population_scale 100 with 100,000 juniors (1.2e9) would run for hours.
MAX_AGENT_MONTHS = 1.0e8
_POPULATION = ("firms.n_majors", "firms.n_midtiers", "firms.n_juniors", "investors.n_investors")


def run_size(values: dict[str, Any], years: int | None = None) -> float:
    """Agent-months of a run: scaled firms and investors x simulated months."""
    agents = sum(float(values[k]) for k in _POPULATION) * float(
        values["simulation.population_scale"]
    )
    return agents * 12 * int(years or values["simulation.years"])


def check_size(values: dict[str, Any], where: str, years: int | None = None) -> float:
    """Refuse a run above :data:`MAX_AGENT_MONTHS`; return its estimated seconds."""
    size = run_size(values, years)
    if size > MAX_AGENT_MONTHS:
        raise ScenarioError(
            f"{where}: simulation.population_scale: {size:.2g} agent-months (firms and "
            f"investors x population_scale x months) is above the ceiling {MAX_AGENT_MONTHS:.0e} "
            f"(~{size * SECONDS_PER_AGENT_MONTH / 3600:.1f} h per run); lower the population "
            "or the years"
        )
    return size * SECONDS_PER_AGENT_MONTH
