"""Compatibility names for comparison experiments; the loader is :mod:`experiment_file`.

Compare, sweep and sensitivity files are read by one loader,
:func:`abm.experiments.experiment_file.load_experiment`, with an explicit kind; a compare
file is ``load_experiment(path, "compare")``.
"""

from __future__ import annotations

from pathlib import Path

from abm.experiments.experiment_file import Experiment, load_experiment, resolve_experiment

CompareSpec = Experiment

__all__ = ["CompareSpec", "load_compare", "resolve_experiment"]


def load_compare(name_or_path: str | Path, replications: int | None = None) -> Experiment:
    """A compare-kind experiment file (``replications`` overrides the file's)."""
    return load_experiment(name_or_path, "compare", replications=replications)
