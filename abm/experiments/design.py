"""Designs: grid of lever values x SALib sample of uncertainty ranges x replication seeds.

A :class:`Design` is a table of design points (one column per input, in design order) and the
replication seeds every point is run with (common random numbers: the experiment's
``seeds``). Each random draw comes from its own numpy generator seeded from the experiment's
master seed (:func:`generator`, defined with the one seed scheme in
:mod:`abm.experiments.experiment_file`), so the same experiment file gives the same design,
bit for bit, on any machine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abm.experiments.engine import Task, fingerprint
from abm.experiments.experiment_file import (
    PURPOSES,
    Experiment,
    Factor,
    generator,
    replication_seeds,
)
from abm.params.scenario import ScenarioError

METHODS = ("grid", "lhs", "sobol", "morris")
__all__ = ["PURPOSES", "generator", "replication_seeds"]  # the one seed scheme, re-exported


def salib_problem(factors: tuple[Factor, ...] | list[Factor]) -> dict[str, Any]:
    """SALib's problem dict for ``factors``."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.lo, f.hi] for f in factors],
    }


def sample(
    method: str,
    factors: tuple[Factor, ...] | list[Factor],
    n: int,
    rng: np.random.Generator,
    *,
    levels: int = 4,
    second_order: bool = False,
) -> np.ndarray:
    """SALib sample of the factors' ranges: ``lhs`` (n points), ``sobol`` (Saltelli scheme,
    n base points), ``morris`` (n trajectories of ``levels`` levels); int factors rounded."""
    # Imported here, not at module level: sweep workers import this module but never sample,
    # and SALib pulls in scipy.stats (a quarter of a second per worker start).
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(factors)
    if method == "lhs":
        x = latin.sample(problem, n, seed=rng)
    elif method == "sobol":
        x = sobol.sample(problem, n, calc_second_order=second_order, seed=rng)
    elif method == "morris":
        x = morris.sample(problem, n, num_levels=levels, seed=rng)
    else:
        raise ValueError(f"unknown sampling method {method!r}")
    for j, f in enumerate(factors):
        if f.kind == "int":
            x[:, j] = np.rint(x[:, j])
    return x


@dataclass
class Design:
    """Design points and replication seeds of one experiment and method."""

    experiment: Experiment
    method: str
    points: pd.DataFrame  # one row per point, one column per input
    seeds: list[int]

    @property
    def inputs(self) -> list[str]:
        """Input names: levers, then uncertainties."""
        return list(self.points.columns)

    def runs(self) -> pd.DataFrame:
        """One row per run, in design order: run_id, point, replication, seed, inputs."""
        n, r = len(self.points), len(self.seeds)
        frame = pd.DataFrame(
            {
                "run_id": [run_id(p, k) for p in range(n) for k in range(r)],
                "point": np.repeat(np.arange(n), r),
                "replication": np.tile(np.arange(r), n),
                "seed": np.tile(np.asarray(self.seeds, dtype=np.int64), n),
            }
        )
        inputs = self.points.loc[self.points.index.repeat(r)].reset_index(drop=True)
        return pd.concat([frame, inputs], axis=1)

    def tasks(self) -> list[Task]:
        """One engine task per run, in design order."""
        exp = self.experiment
        records = self.points.to_dict("records")
        return [
            Task(run_id(p, k), exp.scenario, seed, tuple(records[p].items()), exp.years)
            for p in range(len(records))
            for k, seed in enumerate(self.seeds)
        ]

    def to_json(self) -> dict[str, Any]:
        """The design as JSON-able data (recorded in the manifest)."""
        exp = self.experiment
        return {
            "method": self.method,
            "master_seed": exp.seed,
            "scenario": exp.scenario.name,
            "scenario_fingerprint": fingerprint(exp.scenario),
            "years": exp.years,
            "inputs": self.inputs,
            "points": self.points.to_numpy().tolist(),
            "replication_seeds": self.seeds,
            "outcomes": list(exp.outcomes),
        }

    def fingerprint(self) -> str:
        """Stable hash of everything that decides the runs' results."""
        return fingerprint(self.experiment.scenario, self.to_json())


def run_id(point: int, replication: int) -> str:
    """Stable run id of a design point and replication."""
    return f"p{point:05d}-r{replication:03d}"


def build_design(exp: Experiment, method: str | None = None, n: int | None = None) -> Design:
    """Grid of lever values x ``n``-sample of the uncertainties (default: the file's design)."""
    method = method or exp.sampler or "grid"
    n = exp.samples if n is None else n
    if method not in METHODS:
        raise ValueError(f"unknown design method {method!r}")
    names = list(exp.levers)
    grid = list(itertools.product(*exp.levers.values()))
    factors = exp.uncertainties
    if method == "grid":
        if factors:
            raise ScenarioError(
                f'{exp.path}: design: ranges in [uncertainties] need [design] sampler = "lhs" '
                'or "sobol" and samples = N'
            )
        sampled = np.empty((1, 0))
    else:
        s = exp.sensitivity
        rng = generator(exp.seed, "design")
        sampled = sample(
            method, factors, n, rng, levels=s.morris_levels, second_order=s.second_order
        )
    rows = []
    for combo in grid:
        for x in sampled:
            row = dict(zip(names, combo, strict=True))
            for f, v in zip(factors, x, strict=True):
                row[f.name] = int(v) if f.kind == "int" else float(v)
            rows.append(row)
    for i, row in enumerate(rows):  # every point must make a valid scenario before any run
        exp.scenario.with_overrides(row, origin=f"{exp.path}: design point {i}")
    points = pd.DataFrame(rows, columns=[*names, *(f.name for f in factors)])
    return Design(exp, method, points, list(exp.seeds))
