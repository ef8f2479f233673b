"""Small readers of the worker's compact frames (see :mod:`abm.validation.setups`)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def annual(frame: pd.DataFrame, indicator: str = "exploration_usd") -> pd.DataFrame:
    """Annual sums of a monthly flow (mineral ``all``), years x regions."""
    s = frame[(frame.indicator == indicator) & (frame.mineral == "all") & (frame.step > 0)]
    s = s.assign(year=s.date.str[:4].astype(int))
    return s.groupby(["year", "country"]).value.sum().unstack("country")


def total(frame: pd.DataFrame, country: str, years: list[int]) -> float:
    """Exploration spending of ``country`` summed over ``years``, USD."""
    return float(annual(frame).loc[years, country].sum())


def at_step(frame: pd.DataFrame, indicator: str, step: int) -> pd.Series:
    """Values of ``indicator`` at ``step``, indexed by (country, mineral)."""
    s = frame[(frame.indicator == indicator) & (frame.step == step)]
    return s.set_index(["country", "mineral"]).value


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
