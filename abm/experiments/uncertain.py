"""Parameter uncertainty in ``abm compare``: one joint draw per replication, shared by scenarios.

A compare experiment may carry an ``[uncertainties]`` table, in the sweep syntax (a dotted
parameter name and ``{ min = ..., max = ... }``), plus categorical uncertainties over a
``str`` or ``bool`` parameter as ``{ values = ["a", "b"] }``::

    [uncertainties]
    "investors.risk_aversion" = { min = 5.0, max = 20.0 }
    "trade.rules_of_origin" = { values = ["status_quo", "geological_origin"] }

Replication *i* runs every scenario with its seed *and* the *i*-th row of a Latin hypercube
over the ranges (drawn from the master seed with the design generator of
:mod:`abm.experiments.design`), so differences to the reference stay paired and the summary's
intervals carry parameter uncertainty as well as seed noise. A categorical uncertainty takes
one LHS column cut into equal strata, one per value (each value appears in ``n/k`` draws).
A draw replaces the scenario's value of that parameter in *every* scenario, so an uncertainty
should be a parameter the compared scenarios do not set themselves (the report lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abm.experiments.experiment_file import Factor, _uncertainties
from abm.params.scenario import ScenarioError, validate_value
from abm.params.schema import PARAMS

CATEGORICAL_KINDS = ("str", "bool")


@dataclass(frozen=True)
class Uncertainty:
    """A sampled parameter: a numeric range (``lo``, ``hi``) or categorical ``values``."""

    name: str
    kind: str  # "float", "int" or "categorical"
    lo: float = 0.0
    hi: float = 0.0
    values: tuple[Any, ...] = ()

    @property
    def factor(self) -> Factor:
        """The LHS column it is drawn from (categoricals: [0, k), cut into k strata)."""
        if self.kind == "categorical":
            return Factor(self.name, 0.0, float(len(self.values)))
        return Factor(self.name, self.lo, self.hi, self.kind)

    def value(self, x: float) -> Any:
        """The parameter value of LHS coordinate ``x``."""
        if self.kind == "categorical":
            return self.values[min(int(np.floor(x)), len(self.values) - 1)]
        return round(float(x)) if self.kind == "int" else float(x)


def _categorical(key: str, rng: dict[str, Any], where: str) -> Uncertainty:
    loc = f"{where}: uncertainties"
    param = PARAMS[key]
    if param.kind not in CATEGORICAL_KINDS:
        raise ScenarioError(f"{loc}: {key}: a {param.kind} parameter takes {{ min, max }}")
    values = rng["values"]
    if set(rng) != {"values"} or not isinstance(values, list) or len(values) < 2:
        raise ScenarioError(f"{loc}: {key}: must be {{ values = [at least two values] }}")
    checked = [validate_value(key, v, f"{loc}: values") for v in values]
    if len({repr(v) for v in checked}) != len(checked):
        raise ScenarioError(f"{loc}: {key}: values repeat")
    return Uncertainty(key, "categorical", values=tuple(checked))


def parse(table: Any, where: str) -> tuple[Uncertainty, ...]:
    """Check an ``[uncertainties]`` table: numeric ranges go through the sweeps' parser."""
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: uncertainties: must be a table of parameter = range")
    out: list[Uncertainty] = []
    for key, rng in table.items():
        if key not in PARAMS:
            validate_value(key, None, f"{where}: uncertainties")  # unknown parameter: raises
        if isinstance(rng, dict) and "values" in rng:
            out.append(_categorical(key, rng, where))
        else:
            (f,) = _uncertainties({key: rng}, where)
            out.append(Uncertainty(f.name, f.kind, f.lo, f.hi))
    return tuple(out)


def uncertainties_of(spec: Any) -> tuple[Uncertainty, ...]:
    """The compare experiment's uncertainties, as parsed by its loader."""
    return tuple(
        u if isinstance(u, Uncertainty) else Uncertainty(u.name, u.kind, u.lo, u.hi)
        for u in spec.uncertainties
    )


def master_seed_of(spec: Any) -> int:
    """The seed of the draws: the experiment's master seed (listed seeds: the first)."""
    return int(spec.master_seed if spec.master_seed is not None else spec.seeds[0])


def draw(uncertainties: tuple[Uncertainty, ...], master_seed: int, n: int) -> pd.DataFrame:
    """``n`` joint draws (rows, in replication order), one column per uncertainty."""
    from abm.experiments.design import generator, sample

    if not uncertainties:
        return pd.DataFrame(index=range(n))
    x = sample("lhs", [u.factor for u in uncertainties], n, generator(master_seed, "design"))
    cols = {u.name: [u.value(v) for v in x[:, j]] for j, u in enumerate(uncertainties)}
    return pd.DataFrame(cols)


def replication_draws(spec: Any) -> pd.DataFrame:
    """The draws of ``spec``: one row per seed (column ``seed`` first), checked against every
    scenario before anything runs (a bad value is a ScenarioError naming the file)."""
    uncs = uncertainties_of(spec)
    draws = draw(uncs, master_seed_of(spec), len(spec.seeds))
    for row in draws.to_dict("records"):
        for scen in spec.scenarios:
            scen.with_overrides(row, origin=f"{spec.path}: uncertainties")
    draws.insert(0, "seed", list(spec.seeds))
    return draws


def overrides(draws: pd.DataFrame, i: int) -> tuple[tuple[str, Any], ...]:
    """Replication ``i``'s draw as engine task overrides (empty without uncertainties)."""
    row = draws.iloc[i].drop("seed")
    return tuple((k, _plain(v)) for k, v in row.items())


def _plain(v: Any) -> Any:
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v
