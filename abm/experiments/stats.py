"""Confidence intervals over replications and paired differences (common random numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as st

DEFAULT_LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """Mean of ``n`` replications, their sample standard deviation and a t interval."""

    mean: float
    sd: float
    lo: float
    hi: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.hi - self.lo) / 2

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of zero."""
        return self.lo > 0 or self.hi < 0


def t_interval(values: np.ndarray | list[float], level: float = DEFAULT_LEVEL) -> Interval:
    """Student-t confidence interval for the mean of independent replications.

    NaN values are dropped. With one value the interval is (nan, nan); with identical values
    it has zero width.
    """
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Interval(np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, np.nan, np.nan, np.nan, 1)
    sd = float(x.std(ddof=1))
    half = float(st.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n))
    return Interval(mean, sd, mean - half, mean + half, n)


def paired_difference(
    alternative: np.ndarray | list[float],
    reference: np.ndarray | list[float],
    level: float = DEFAULT_LEVEL,
) -> Interval:
    """Interval for mean(alternative - reference) over replications paired by seed.

    Pairing removes the noise the two runs share (same seed, same draws), so the interval is
    usually far narrower than the difference of two independent intervals.
    """
    a = np.asarray(alternative, dtype=float)
    b = np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {a.shape} vs {b.shape}")
    return t_interval(a - b, level)
