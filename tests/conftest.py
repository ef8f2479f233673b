"""Shared helpers: cached model runs and paired multi-seed comparisons."""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import abm
from abm.experiments.stats import t_interval
from abm.runner import run_timeseries

SEEDS = tuple(range(1, 9))
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """A script of scripts/ (not a package) loaded as a module, for tests of its functions."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@cache
def runs(
    overrides_json: str = "{}",
    scenario: str = "baseline",
    years: int = 10,
    seeds: tuple[int, ...] = SEEDS,
) -> tuple[pd.DataFrame, ...]:
    """Timeseries of ``scenario`` with ``overrides`` for each seed (cached per session)."""
    jobs = [(scenario, json.loads(overrides_json), s, years) for s in seeds]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        return tuple(ex.map(run_timeseries, jobs))


def paired(metric, overrides: dict, base: dict | None = None, **kw) -> np.ndarray:
    """Per-seed differences metric(alternative) - metric(base), common random numbers."""
    alt = runs(json.dumps(overrides, sort_keys=True), **kw)
    ref = runs(json.dumps(base or {}, sort_keys=True), **kw)
    return np.array([metric(a) - metric(b) for a, b in zip(alt, ref, strict=True)])


def ci95(diffs: np.ndarray) -> tuple[float, float]:
    """Mean and half-width of the 95% t interval over paired seeds (the product's interval,
    :func:`abm.experiments.stats.t_interval`)."""
    iv = t_interval(diffs)
    return iv.mean, iv.half_width


def value(
    ts: pd.DataFrame,
    indicator: str,
    country: str,
    mineral: str = "all",
    how: str = "sum",
    date: str | None = None,
) -> float:
    """Aggregate one series of a tidy timeseries (``how``: sum, mean or end)."""
    s = ts[(ts.indicator == indicator) & (ts.country == country) & (ts.mineral == mineral)]
    s = s[s.step > 0] if date is None else s[s.date == date]
    if how == "end":
        return float(s.value.iloc[-1])
    return float(getattr(s.value, how)())


@pytest.fixture(scope="session")
def baseline_run() -> abm.RunResult:
    """One default baseline run."""
    return abm.run("baseline", seed=1)
