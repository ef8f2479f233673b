"""The check record, the registry and the pass rule.

A :class:`Check` is a fact from a named source (file + row/table + year) with a target range
``[lo, hi]`` and the reason for that tolerance. Its ``measure`` turns the runs it needs (one
list of frames per arm, in seed order, so arms are paired by seed) into an
:class:`~abm.experiments.stats.Interval` over replications. A check passes when the mean lies
in ``[lo, hi]``; a check with ``sign`` (+1/-1) also needs its whole 95% interval on that side
of zero (a direction that noise could flip is not a pass).

Targets come from the sources, never from the model's own output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm.experiments.stats import Interval, paired_difference, t_interval

RunData = Mapping[str, Sequence[pd.DataFrame]]  # arm name -> one frame per seed
Measure = Callable[[RunData], tuple[Interval, str]]


@dataclass(frozen=True)
class Check:
    """One validation fact: what, where from, the target range and why that tolerance."""

    name: str
    group: str
    source: str
    target: str  # the target as a reader would say it
    lo: float
    hi: float
    why: str  # why the tolerance is what it is
    measure: Measure
    arms: tuple[str, ...] = ()  # runs needed (abm.validation.setups.ARMS)
    unit: str = "frac"  # frac (shown as %), years, pp, x
    sign: int = 0  # +1/-1: the 95% interval must exclude zero on this side
    fitted: bool = False  # the target was used when fitting parameters (not independent)


@dataclass(frozen=True)
class Result:
    """A check's outcome."""

    check: Check
    value: Interval
    passed: bool
    note: str = ""
    extra: dict = field(default_factory=dict)


REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry (names are unique)."""
    if check.name in REGISTRY:
        raise ValueError(f"duplicate check name {check.name!r}")
    REGISTRY[check.name] = check
    return check


def all_checks() -> list[Check]:
    """Every registered check, in registration order (imports the check modules)."""
    from abm.validation import fiscal, hindcast, pipeline, policy, starting  # noqa: F401

    return list(REGISTRY.values())


def select(only: Sequence[str] | None = None) -> list[Check]:
    """Checks whose name or group is in ``only`` (all when empty); unknown names raise."""
    checks = all_checks()
    if not only:
        return checks
    known = {c.name for c in checks} | {c.group for c in checks}
    unknown = sorted(set(only) - known)
    if unknown:
        raise KeyError(", ".join(unknown))
    return [c for c in checks if c.name in only or c.group in only]


def passes(check: Check, value: Interval) -> bool:
    """The pass rule: mean within [lo, hi]; with ``sign``, the interval on that side of 0."""
    if np.isnan(value.mean) or not check.lo <= value.mean <= check.hi:
        return False
    if check.sign == 0:
        return True
    if np.isnan(value.lo):  # one replication: no interval, no direction
        return False
    return value.lo > 0 if check.sign > 0 else value.hi < 0


def evaluate(check: Check, data: RunData) -> Result:
    """Measure one check on its runs and apply the pass rule."""
    value, note = check.measure(data)
    return Result(check, value, passes(check, value), note)


def point(x: float) -> Interval:
    """An exact (deterministic) value as a zero-width interval."""
    return Interval(float(x), 0.0, float(x), float(x), 1)


def per_seed(values: Sequence[float]) -> Interval:
    """Student-t 95% interval over replications."""
    return t_interval(np.asarray(values, dtype=float))


def paired_relative(alt: Sequence[float], ref: Sequence[float]) -> Interval:
    """Relative effect alt/ref - 1 over seed-paired runs (common random numbers).

    Each seed's ratio compares two runs that share every random draw, so the interval is the
    paired difference of the ratios from 1; it stays finite when a run's value falls to zero.
    """
    a = np.asarray(alt, dtype=float)
    b = np.asarray(ref, dtype=float)
    ratio = np.divide(a, b, out=np.full_like(a, np.nan), where=b > 0)
    return paired_difference(ratio, np.ones_like(ratio))
