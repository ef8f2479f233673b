"""Experiment files: levers (grid values), uncertainties (ranges), design, seeds, outcomes.

An experiment file (TOML, see ``docs/sweeps.md``) names parameters by their public dotted
names; everything is checked against :data:`abm.params.schema.PARAMS` and every problem raises
:class:`ScenarioError` naming the file and the key. :mod:`abm.experiments.design` turns a
validated :class:`Experiment` into runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from abm.outcomes import OutcomeSpec, outcome_specs
from abm.params.scenario import (
    Scenario,
    ScenarioError,
    flatten,
    load_scenario,
    parse_month,
    read_toml,
    reject_unknown_keys,
    validate_value,
)
from abm.params.schema import PARAMS

EXPERIMENT_DIR = Path(__file__).resolve().parents[2] / "experiments"
TOP_KEYS = {
    "description",
    "scenario",
    "years",
    "seed",
    "replications",
    "outcomes",
    "levers",
    "uncertainties",
    "design",
    "sensitivity",
}
SAMPLERS = ("lhs", "sobol")  # for [design]; abm sensitivity adds "morris"


@dataclass(frozen=True)
class Factor:
    """A sampled input: a parameter (or any named input) and its range."""

    name: str
    lo: float
    hi: float
    kind: str = "float"


@dataclass(frozen=True)
class SensitivitySettings:
    """Sizes and settings of ``abm sensitivity`` (the ``[sensitivity]`` table)."""

    morris_trajectories: int = 10
    morris_levels: int = 4
    sobol_samples: int = 64
    second_order: bool = False
    bootstrap: int = 200
    confidence: float = 0.95


@dataclass
class Experiment:
    """A validated experiment file."""

    name: str
    path: Path
    sha256: str
    scenario: Scenario
    years: int | None
    seed: int
    replications: int
    outcomes: tuple[str, ...]
    levers: dict[str, list[Any]] = field(default_factory=dict)
    uncertainties: tuple[Factor, ...] = ()
    sampler: str | None = None
    samples: int = 0
    sensitivity: SensitivitySettings = field(default_factory=SensitivitySettings)
    description: str = ""


def resolve_experiment(name_or_path: str | Path) -> Path:
    """A name under experiments/ or a path to a TOML file."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    if p.suffix == ".toml" or "/" in str(name_or_path):
        raise ScenarioError(f"{p}: experiment file not found")
    candidate = EXPERIMENT_DIR / f"{name_or_path}.toml"
    if not candidate.is_file():
        known = ", ".join(sorted(q.stem for q in EXPERIMENT_DIR.glob("*.toml"))) or "none"
        raise ScenarioError(f"unknown experiment {str(name_or_path)!r}; known: {known}")
    return candidate


def _int(raw: dict, key: str, where: str, default: int, lo: int, hi: int = 2**63 - 1) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ScenarioError(
            f"{where}: {key}: must be a whole number in [{lo}, {hi}], got {value!r}"
        )
    return value


def _scenario(raw: dict, path: Path, where: str) -> Scenario:
    ref = raw.get("scenario", "baseline")
    if not isinstance(ref, str):
        raise ScenarioError(f"{where}: scenario: must be a scenario name or path")
    if ref.endswith(".toml") and not Path(ref).is_absolute():
        ref = str(path.parent / ref)
    try:
        return load_scenario(ref)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: scenario: {exc}") from None


def _levers(raw: Any, where: str) -> dict[str, list[Any]]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: levers: must be a table of parameter = [values]")
    out: dict[str, list[Any]] = {}
    for key, values in flatten(raw).items():
        if not isinstance(values, list) or not values:
            raise ScenarioError(f"{where}: levers: {key}: must be a non-empty list of values")
        out[key] = [validate_value(key, v, f"{where}: levers") for v in values]
        if len({repr(v) for v in out[key]}) != len(out[key]):
            raise ScenarioError(f"{where}: levers: {key}: values repeat")
    return out


def _flatten_ranges(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict) and not ({"min", "max"} & set(v)):
            out.update(_flatten_ranges(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _uncertainties(raw: Any, where: str) -> tuple[Factor, ...]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: uncertainties: must be a table of parameter = {{min, max}}")
    factors = []
    for key, rng in _flatten_ranges(raw).items():
        loc = f"{where}: uncertainties"
        if key not in PARAMS:
            validate_value(key, None, loc)  # raises: unknown parameter, with a suggestion
        param = PARAMS[key]
        if param.kind not in ("float", "int"):
            raise ScenarioError(
                f"{loc}: {key}: only numbers can have a range (list it in [levers])"
            )
        if not isinstance(rng, dict) or set(rng) != {"min", "max"}:
            raise ScenarioError(f"{loc}: {key}: must be {{ min = ..., max = ... }}")
        lo = validate_value(key, rng["min"], f"{loc}: min")
        hi = validate_value(key, rng["max"], f"{loc}: max")
        if not lo < hi:
            raise ScenarioError(f"{loc}: {key}: min must be below max, got {lo!r} >= {hi!r}")
        factors.append(Factor(key, float(lo), float(hi), param.kind))
    return tuple(factors)


def _design(raw: Any, where: str, has_ranges: bool) -> tuple[str | None, int]:
    if raw is None:  # abm sweep then needs levers only; abm sensitivity has its own sizes
        return None, 0
    if not isinstance(raw, dict) or set(raw) - {"sampler", "samples"}:
        raise ScenarioError(f"{where}: design: must be a table with sampler and samples")
    sampler = raw.get("sampler")
    if sampler not in SAMPLERS:
        raise ScenarioError(
            f"{where}: design: sampler: must be one of {', '.join(SAMPLERS)}, got {sampler!r}"
        )
    if not has_ranges:
        raise ScenarioError(f"{where}: design: sampler needs ranges in [uncertainties]")
    if "samples" not in raw:
        raise ScenarioError(f"{where}: design: samples: missing (number of sampled points)")
    return sampler, _int(raw, "samples", f"{where}: design", 0, 1, 100_000)


def _sensitivity(raw: Any, where: str) -> SensitivitySettings:
    loc = f"{where}: sensitivity"
    if raw is None:
        return SensitivitySettings()
    known = SensitivitySettings.__dataclass_fields__
    if not isinstance(raw, dict):
        raise ScenarioError(f"{loc}: must be a table of {', '.join(sorted(known))}")
    reject_unknown_keys(raw, known, loc)
    d = SensitivitySettings()
    conf = raw.get("confidence", d.confidence)
    if isinstance(conf, bool) or not isinstance(conf, float) or not 0.5 <= conf < 1:
        raise ScenarioError(f"{loc}: confidence: must be a fraction in [0.5, 1), got {conf!r}")
    second = raw.get("second_order", d.second_order)
    if not isinstance(second, bool):
        raise ScenarioError(f"{loc}: second_order: must be true or false")
    return SensitivitySettings(
        _int(raw, "morris_trajectories", loc, d.morris_trajectories, 2, 10_000),
        _int(raw, "morris_levels", loc, d.morris_levels, 2, 100),
        _int(raw, "sobol_samples", loc, d.sobol_samples, 2, 1_000_000),
        second,
        _int(raw, "bootstrap", loc, d.bootstrap, 10, 100_000),
        conf,
    )


def _specs(scenario: Scenario, years: int | None) -> list[OutcomeSpec]:
    first, _ = parse_month(scenario["simulation.start"], scenario.name, "simulation.start")
    return outcome_specs(first, first + int(years or scenario["simulation.years"]) - 1)


def outcome_units(exp: Experiment) -> dict[str, str]:
    """Unit of each of the experiment's outcomes."""
    return {s.name: s.unit for s in _specs(exp.scenario, exp.years)}


def _outcomes(raw: Any, where: str, scenario: Scenario, years: int | None) -> tuple[str, ...]:
    known = [s.name for s in _specs(scenario, years)]
    if raw is None:
        return tuple(known)
    if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
        raise ScenarioError(f"{where}: outcomes: must be a non-empty list of outcome names")
    for name in raw:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(f"{where}: outcomes: unknown outcome {name!r}{hint}")
    return tuple(dict.fromkeys(raw))


def load_experiment(name_or_path: str | Path, years: int | None = None) -> Experiment:
    """Read and validate an experiment file; ``years`` overrides the file's ``years``."""
    path = resolve_experiment(name_or_path).resolve()
    content = path.read_bytes()
    raw = read_toml(path)
    where = str(path)
    reject_unknown_keys(raw, TOP_KEYS, where)
    scenario = _scenario(raw, path, where)
    if years is None and "years" in raw:
        years = validate_value("simulation.years", raw["years"], f"{where}: years")
    elif years is not None:
        years = validate_value("simulation.years", years, "--years")
    levers = _levers(raw.get("levers", {}), where)
    factors = _uncertainties(raw.get("uncertainties", {}), where)
    both = sorted(set(levers) & {f.name for f in factors})
    if both:
        raise ScenarioError(f"{where}: {both[0]}: is in both [levers] and [uncertainties]")
    sampler, samples = _design(raw.get("design"), where, bool(factors))
    desc = raw.get("description", "")
    if not isinstance(desc, str):
        raise ScenarioError(f"{where}: description: must be a string")
    return Experiment(
        name=path.stem,
        path=path,
        sha256=hashlib.sha256(content).hexdigest(),
        scenario=scenario,
        years=years,
        seed=_int(raw, "seed", where, 20250101, 0),
        replications=_int(raw, "replications", where, 1, 1, 10_000),
        outcomes=_outcomes(raw.get("outcomes"), where, scenario, years),
        levers=levers,
        uncertainties=factors,
        sampler=sampler,
        samples=samples,
        sensitivity=_sensitivity(raw.get("sensitivity"), where),
        description=desc,
    )
