"""Small readers of the worker's compact frames (see :mod:`abm.validation.setups`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.timeseries import annual_sum, at_step

__all__ = ["annual", "at_step", "lead_times_years", "median_or_nan", "projects", "total"]


def annual(
    frame: pd.DataFrame, indicator: str = "exploration_usd", mineral: str = "all"
) -> pd.DataFrame:
    """Annual sums of a monthly flow (of one mineral, default ``all``), years x regions
    (:func:`abm.timeseries.annual_sum`)."""
    return annual_sum(frame, indicator, mineral)


def total(frame: pd.DataFrame, country: str, years: list[int]) -> float:
    """Exploration spending of ``country`` summed over ``years``, USD."""
    return float(annual(frame).loc[years, country].sum())


def projects(frame: pd.DataFrame) -> pd.DataFrame:
    """Projects: country, discovered (step), production (first step, -1 if none)."""
    p = frame[frame.indicator == "project"]
    return pd.DataFrame(
        {
            "country": p.country.to_numpy(),
            "discovered": p.step.to_numpy(dtype=int),
            "production": p.value.to_numpy(dtype=int),
        }
    )


def lead_times_years(
    book: pd.DataFrame, first: int, last: int, country: str | None = None
) -> np.ndarray:
    """Discovery-to-production years of projects discovered in steps ``first..last`` that
    reached production (the run's horizon censors the rest)."""
    sel = (book.discovered >= first) & (book.discovered <= last) & (book.production >= 1)
    if country is not None:
        sel &= book.country == country
    return (book.production[sel] - book.discovered[sel]).to_numpy() / 12.0


def median_or_nan(x: np.ndarray) -> float:
    """Median, NaN for an empty array."""
    return float(np.median(x)) if len(x) else float("nan")
