"""The model as an EMA Workbench model (``ema_workbench`` 3.x, the optional ``ema`` extra).

::

    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim
    import abm.ema

    model = abm.ema.model()  # uncertainties: sensitivity_core; levers: mx_fiscal_sweep
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

Nothing is listed twice: every uncertainty and lever is a declared parameter
(:data:`abm.params.schema.PARAMS`: its kind decides Real/Integer/Categorical, its bounds or
choices the default range), the ranges come from an experiment file's ``[uncertainties]`` or
``[levers]`` table (or a dict), and the outcomes are :func:`abm.outcomes.outcome_specs`. EMA
names must be Python identifiers, so a dotted name ``government.MX.royalty_rate`` becomes
``government__MX__royalty_rate`` (:func:`ema_name`, :func:`dotted_name`); the model function
receives the dotted names. Every experiment runs with the same seed (common random numbers),
so differences between experiments are differences of inputs, not of noise.

Importing ``ema_workbench`` takes several seconds, so this module imports it only when asked.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

from abm.params.scenario import (
    ScenarioError,
    check_seed,
    parse_month,
    read_toml,
    validate_value,
)
from abm.params.schema import PARAMS

DEFAULT_UNCERTAINTIES = "sensitivity_core"  # experiments/sensitivity_core.toml [uncertainties]
DEFAULT_LEVERS = "mx_fiscal_sweep"  # experiments/mx_fiscal_sweep.toml [levers]
CONSTANTS = ("abm_scenario", "abm_years", "abm_seed")
INSTALL_HINT = "pip install 'abm-usmca-mining[ema]' (or make install-test)"


def workbench(module: str = "") -> Any:
    """``ema_workbench`` (or a submodule), imported quietly; a clear error if it is missing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "ipyparallel not installed" on every import
            return importlib.import_module("ema_workbench" + (f".{module}" if module else ""))
    except ImportError as exc:
        raise ScenarioError(f"ema-workbench is not installed ({exc}); {INSTALL_HINT}") from None


def ema_name(dotted: str) -> str:
    """EMA name (a Python identifier) of a dotted parameter or outcome name."""
    return dotted.replace(".", "__")


def dotted_name(name: str) -> str:
    """The dotted name behind an EMA name."""
    return name.replace("__", ".")


def evaluate(abm_scenario: str, abm_years: int, abm_seed: int, **inputs: Any) -> dict:
    """One run with ``inputs`` (dotted names) as overrides: its headline outcomes."""
    from abm.runner import run

    result = run(abm_scenario, seed=abm_seed, years=abm_years, overrides=inputs, summary=False)
    from abm.outcomes import headline_outcomes

    return headline_outcomes(result.timeseries)


# ------------------------------------------------------------------ ranges
Range = tuple[float, float] | list[Any] | None


def _schema_range(name: str) -> Range:
    p = PARAMS[name]
    if p.kind == "bool":
        return [False, True]
    if p.kind == "str" and p.choices:
        return list(p.choices)
    if p.kind in ("float", "int") and p.bounds:
        return (p.bounds[0], p.bounds[1])
    raise ScenarioError(f"{name}: a {p.kind} parameter has no range to sample; give one")


def _from_file(name_or_path: str | Path, table: str) -> dict[str, Range]:
    from abm.experiments.experiment_file import resolve_experiment
    from abm.experiments.uncertain import parse

    path = resolve_experiment(name_or_path)
    raw = read_toml(path).get(table, {})
    if table == "uncertainties":
        return {
            u.name: list(u.values) if u.kind == "categorical" else (u.lo, u.hi)
            for u in parse(raw, str(path))
        }
    from abm.experiments.experiment_file import _levers  # grid values -> their span

    out: dict[str, Range] = {}
    for key, values in _levers(raw, str(path)).items():
        numeric = PARAMS[key].kind in ("float", "int")
        out[key] = (min(values), max(values)) if numeric else list(values)
    return out


def ranges(spec: str | Path | dict[str, Range] | list[str] | None, table: str) -> dict[str, Range]:
    """Ranges from an experiment file's table, a dict (None: the schema's bounds or choices)
    or a list of names (the schema's), each checked against the declaration."""
    if spec is None:
        return {}
    if isinstance(spec, str | Path):
        return _from_file(spec, table)
    items = {n: None for n in spec} if isinstance(spec, list | tuple) else dict(spec)
    out: dict[str, Range] = {}
    for name, rng in items.items():
        if name not in PARAMS:
            validate_value(name, None, table)  # unknown parameter, with a suggestion
        rng = _schema_range(name) if rng is None else rng
        if isinstance(rng, list):
            if len(rng) < 2:
                raise ScenarioError(f"{table}: {name}: needs at least two values")
            rng = [validate_value(name, v, f"{table}: {name}") for v in rng]
        else:
            if isinstance(rng, str | bytes | dict) or not hasattr(rng, "__len__") or len(rng) != 2:
                raise ScenarioError(
                    f"{table}: {name}: a range is (low, high) or a list of values, got {rng!r}"
                )
            lo, hi = (validate_value(name, v, f"{table}: {name}") for v in rng)
            if not lo < hi:
                raise ScenarioError(f"{table}: {name}: empty range [{lo}, {hi}]")
            rng = (lo, hi)
        out[name] = rng
    return out


def parameter(name: str, rng: Range) -> Any:
    """The EMA parameter of a declared parameter over ``rng``."""
    em = workbench("em_framework.parameters")
    kind = PARAMS[name].kind
    if isinstance(rng, list):
        return em.CategoricalParameter(ema_name(name), rng, variable_name=name)
    if kind == "int":
        return em.IntegerParameter(ema_name(name), int(rng[0]), int(rng[1]), variable_name=name)
    return em.RealParameter(ema_name(name), float(rng[0]), float(rng[1]), variable_name=name)


# ------------------------------------------------------------------ the model
def model(
    uncertainties: str | Path | dict[str, Range] | list[str] | None = DEFAULT_UNCERTAINTIES,
    levers: str | Path | dict[str, Range] | list[str] | None = DEFAULT_LEVERS,
    outcomes: list[str] | None = None,
    scenario: str = "baseline",
    years: int = 10,
    seed: int | None = None,
    name: str = "usmca_mining",
) -> Any:
    """An ``ema_workbench.Model`` of one scenario: its uncertainties, levers and outcomes.

    ``uncertainties`` and ``levers``: an experiment name or path (its ``[uncertainties]`` /
    ``[levers]`` table; levers' grid values give their span), a dict ``name -> (lo, hi)``,
    ``[values]`` or ``None`` (the declared bounds or choices), or a list of names. ``outcomes``:
    names from :func:`abm.outcomes.outcome_specs` (default: all of them).
    """
    from abm.outcomes import outcome_specs
    from abm.params.scenario import load_scenario
    from abm.runner import DEFAULT_SEED

    if seed is not None:
        check_seed(seed, "seed")
    em = workbench("em_framework")
    scen = load_scenario(scenario)
    years = validate_value("simulation.years", years, "years")
    first = parse_month(scen["simulation.start"], scen.name, "simulation.start")[0]
    specs = {s.name: s for s in outcome_specs(first, first + years - 1)}
    chosen = list(specs) if outcomes is None else list(outcomes)
    unknown = [o for o in chosen if o not in specs]
    if unknown:
        raise ScenarioError(f"outcomes: unknown outcome(s) {', '.join(unknown)}")
    unc = ranges(uncertainties, "uncertainties")
    lev = ranges(levers, "levers")
    both = sorted(set(unc) & set(lev))
    if both:
        raise ScenarioError(f"{both[0]}: is both an uncertainty and a lever")
    m = em.Model(name, function=evaluate)
    m.uncertainties = [parameter(n, r) for n, r in unc.items()]
    m.levers = [parameter(n, r) for n, r in lev.items()]
    m.outcomes = [em.ScalarOutcome(ema_name(o), variable_name=o) for o in chosen]
    m.constants = [
        em.Constant("abm_scenario", scen.name),
        em.Constant("abm_years", years),
        em.Constant("abm_seed", DEFAULT_SEED if seed is None else seed),
    ]
    return m


def inputs_frame(experiments: Any) -> Any:
    """EMA's experiments table as PRIM inputs: the sampled parameters under dotted names."""
    drop = [c for c in ("scenario", "policy", "model", *CONSTANTS) if c in experiments.columns]
    x = experiments.drop(columns=drop)
    return x.rename(columns=dotted_name)
