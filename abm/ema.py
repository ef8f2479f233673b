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
receives the dotted names. By default every experiment runs with the same seed (common random
numbers), so differences between experiments are differences of inputs, not of noise;
``seed=(lo, hi)`` makes the seed an integer uncertainty (``abm_seed``) instead. Sampled values
arrive as numpy scalars, which every input check accepts as the numbers they are. Each
outcome carries its direction (``kind``: :data:`abm.outcomes.KINDS`) as EMA's MAXIMIZE,
MINIMIZE or INFO.

Importing ``ema_workbench`` takes several seconds, so this module imports it only when asked.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


def check_inputs(received: set[str], declared: set[str]) -> None:
    """One ScenarioError line naming the inputs an experiment lacks or has beyond the model's.

    EMA passes only the values an experiment has: a lever misspelled in a ``Sample`` (or no
    ``policies=`` for a model with levers) reaches :func:`evaluate` as a missing input, which
    would otherwise run at the scenario's value unnoticed."""
    missing, unknown = sorted(declared - received), sorted(received - declared)
    if not missing and not unknown:
        return
    parts = [f"missing input(s) {', '.join(missing)}"] if missing else []
    parts += [f"unknown input(s) {', '.join(unknown)}"] if unknown else []
    raise ScenarioError(
        f"abm.ema: {'; '.join(parts)} (the model declares {len(declared)} uncertainties and "
        "levers; check the names in your Samples, or give perform_experiments policies)"
    )


def evaluate(
    abm_scenario: str,
    abm_years: int,
    abm_seed: int,
    abm_inputs: tuple[str, ...] | None = None,
    **inputs: Any,
) -> dict:
    """One run with ``inputs`` (dotted names) as overrides: its headline outcomes.

    ``abm_inputs``: the uncertainties and levers the model declares (:func:`model` binds them);
    the run is refused unless ``inputs`` are exactly those (:func:`check_inputs`)."""
    from abm.outcomes import headline_outcomes
    from abm.runner import run

    if abm_inputs is not None:
        check_inputs(set(inputs), set(abm_inputs))
    result = run(abm_scenario, seed=abm_seed, years=abm_years, overrides=inputs, summary=False)
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
    seed: int | tuple[int, int] | None = None,
    name: str = "usmca_mining",
) -> Any:
    """An ``ema_workbench.Model`` of one scenario: its uncertainties, levers and outcomes.

    ``uncertainties`` and ``levers``: an experiment name or path (its ``[uncertainties]`` /
    ``[levers]`` table; levers' grid values give their span), a dict ``name -> (lo, hi)``,
    ``[values]`` or ``None`` (the declared bounds or choices), or a list of names. ``outcomes``:
    names from :func:`abm.outcomes.outcome_specs` (default: all of them). ``seed``: one seed
    for every experiment (default :data:`abm.runner.DEFAULT_SEED`) or ``(lo, hi)``, an integer
    uncertainty ``abm_seed`` drawn per scenario.
    """
    from abm.outcomes import outcome_specs
    from abm.params.scenario import load_scenario
    from abm.runner import DEFAULT_SEED

    if seed is not None:  # refused before the (slow) workbench import
        for s in seed if isinstance(seed, tuple | list) else (seed,):
            check_seed(s, "seed")
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
    m = em.Model(name, function=functools.partial(evaluate, abm_inputs=(*unc, *lev)))
    uncertain = [parameter(n, r) for n, r in unc.items()]
    m.levers = [parameter(n, r) for n, r in lev.items()]
    kinds = {"maximise": em.ScalarOutcome.MAXIMIZE, "minimise": em.ScalarOutcome.MINIMIZE}
    m.outcomes = [
        em.ScalarOutcome(
            ema_name(o), variable_name=o, kind=kinds.get(specs[o].kind, em.ScalarOutcome.INFO)
        )
        for o in chosen
    ]
    constants = [em.Constant("abm_scenario", scen.name), em.Constant("abm_years", years)]
    if isinstance(seed, tuple | list):
        lo, hi = (check_seed(s, "seed") for s in seed)
        if not lo < hi:
            raise ScenarioError(f"seed: empty range [{lo}, {hi}]")
        uncertain.append(em.IntegerParameter("abm_seed", lo, hi))
    else:
        seed = DEFAULT_SEED if seed is None else check_seed(seed, "seed")
        constants.append(em.Constant("abm_seed", seed))
    m.uncertainties = uncertain
    m.constants = constants
    return m


def inputs_frame(experiments: Any) -> Any:
    """EMA's experiments table as PRIM inputs: the sampled parameters under dotted names."""
    drop = [c for c in ("scenario", "policy", "model", *CONSTANTS) if c in experiments.columns]
    x = experiments.drop(columns=drop)
    return x.rename(columns=dotted_name)


def results_table(path: str | Path) -> pd.DataFrame:
    """An EMA ``save_results`` archive as one table: the sampled inputs (:func:`inputs_frame`)
    and every scalar outcome, under dotted names (what ``abm discover`` reads)."""
    experiments, outcomes = workbench("util").load_results(str(path))
    scalar = {dotted_name(k): np.asarray(v) for k, v in outcomes.items() if np.ndim(v) == 1}
    if not scalar:
        raise ScenarioError(f"{path}: the EMA archive has no scalar outcomes")
    x = inputs_frame(experiments).reset_index(drop=True)
    return pd.concat([x, pd.DataFrame(scalar)], axis=1)
