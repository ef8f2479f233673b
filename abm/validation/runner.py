"""Run the arms the selected checks need (once each, paired seeds) and evaluate the checks."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from abm.experiments.engine import execute, load_results
from abm.experiments.experiment_file import replication_seeds
from abm.params.scenario import ScenarioError
from abm.validation import setups
from abm.validation.checks import Check, Result, evaluate

DEFAULT_REPLICATIONS = 20
# The master seed of validation's replications, drawn by the one seed scheme of compare and
# sweep files (abm.experiments.experiment_file.replication_seeds: SeedSequence, prefix-stable).
VALIDATION_SEED = 20250101


def needed_arms(checks: Sequence[Check]) -> list[str]:
    """The arms the checks use, in a stable order."""
    return [a for a in setups.ARMS if any(a in c.arms for c in checks)]


def run_arms(
    arms: list[str], replications: int, workers: int, progress: bool = True
) -> dict[str, list[pd.DataFrame]]:
    """Run every arm for the first N replication seeds of ``VALIDATION_SEED`` in a throw-away
    store; frames per arm in seed order (the same seeds in every arm: paired)."""
    seeds = replication_seeds(VALIDATION_SEED, replications)
    tasks = setups.tasks(arms, seeds)
    with tempfile.TemporaryDirectory(prefix="abm-validate-") as store:
        outcome = execute(tasks, setups.worker, Path(store), workers, progress, "validation runs")
        if outcome.failed:
            first = next(iter(outcome.failed.items()))
            raise RuntimeError(f"{len(outcome.failed)} validation run(s) failed, e.g. {first}")
        frames = load_results(tasks, Path(store))
    if frames.empty:
        return {}
    return {a: [g for _, g in frames[frames.arm == a].groupby("seed", sort=True)] for a in arms}


def validate(
    checks: Sequence[Check], replications: int, workers: int = 1, progress: bool = True
) -> tuple[list[Result], dict[str, list[pd.DataFrame]]]:
    """Evaluate ``checks``; returns the results and the runs (for plots)."""
    if replications < 2:
        raise ScenarioError(f"--replications: need at least 2 for an interval, got {replications}")
    if workers < 1:
        raise ScenarioError(f"--workers: must be at least 1, got {workers}")
    data = run_arms(needed_arms(checks), replications, workers, progress)
    return [evaluate(c, data) for c in checks], data
