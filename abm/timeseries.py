"""Reading a run's tidy timeseries (``step, date, country, mineral, indicator, value``).

One definition of each reading, used by the runner's summary, the experiment outcomes,
validation, plots and the UI:

* **annual sum** of a monthly flow: the months of a calendar year, step 0 excluded (step 0
  is the calibrated start, dated the month before the first simulated month; its flows are
  NaN). Missing months add nothing.
* **value at a date**: the row of that month; **year end**: December of the year, or the
  run's last month of that year when the run ends earlier. Step 0 belongs to its own date's
  year (2024-12 is 2024, never 2025).
* **trailing sum**: the last ``months`` months of a flow up to a step, with the number of
  months it covers (fewer than ``months`` during the first year).

:class:`Tidy` does the same on integer-coded columns for hot loops (a sweep computes its
outcomes once per run); the pandas functions below are thin wrappers over it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALL = "all"


def month_label(start_year: int, start_month: int, step: int) -> str:
    """``YYYY-MM`` of ``step`` (step 1 = the start month; step 0 = the month before)."""
    index = start_year * 12 + (start_month - 1) + step - 1
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def year_of(dates: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """Calendar year of ``YYYY-MM`` labels (parsed once per distinct label: a compare's
    runs hold millions of rows but a few hundred months)."""
    codes, labels = pd.factorize(pd.Series(dates, dtype=object))
    years = np.array([int(str(d)[:4]) for d in labels], dtype=int)
    return years[codes] if len(codes) else np.zeros(0, dtype=int)


class Tidy:
    """A tidy timeseries with its label columns as integer codes (cheap numpy masks)."""

    def __init__(self, ts: pd.DataFrame) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.lookup: dict[str, dict[str, int]] = {}
        for name in ("indicator", "country", "mineral", "date"):
            codes, uniques = pd.factorize(ts[name])
            self.codes[name] = codes
            self.lookup[name] = {str(u): i for i, u in enumerate(uniques)}
        self.labels = {name: np.array(list(lk)) for name, lk in self.lookup.items()}
        self.step = ts.step.to_numpy()
        self.value = ts.value.to_numpy()
        dates = list(self.lookup["date"])
        self.year = year_of(dates)[self.codes["date"]] if dates else np.zeros(0, dtype=int)
        self.end = max(dates) if dates else ""

    def mask(self, **eq: str) -> np.ndarray:
        """Rows where every named column equals the given label."""
        out = np.ones(len(self.step), dtype=bool)
        for name, label in eq.items():
            out &= self.codes[name] == self.lookup[name].get(label, -2)
        return out

    def years(self) -> np.ndarray:
        """Simulated calendar years (step 0 excluded), ascending."""
        return np.unique(self.year[self.step > 0])

    def annual(self, indicator: str, country: str, years: np.ndarray, mineral: str = ALL):
        """Annual sums of a flow for ``years`` (consecutive, ascending), shape (len(years),)."""
        m = self.mask(indicator=indicator, mineral=mineral, country=country) & (self.step > 0)
        values = np.nan_to_num(self.value[m], nan=0.0)  # missing months add nothing
        return np.bincount(self.year[m] - years[0], weights=values, minlength=len(years))

    def year_end(self, year: int) -> str:
        """December of ``year``, or the run's last month of that year if it ends earlier."""
        december = f"{year}-12"
        if december in self.lookup["date"]:
            return december
        return max(d for d in self.lookup["date"] if d.startswith(f"{year}-"))

    def by_mineral(self, rows: np.ndarray) -> dict[str, float]:
        """Value by mineral of the selected ``rows``."""
        minerals = self.labels["mineral"][self.codes["mineral"][rows]]
        return dict(zip(minerals.tolist(), self.value[rows].tolist(), strict=True))


def select(
    ts: pd.DataFrame, indicator: str, country: str | None = None, mineral: str | None = ALL
) -> pd.DataFrame:
    """Rows of one indicator (``None`` keeps every country or mineral)."""
    sel = ts.indicator == indicator
    if country is not None:
        sel &= ts.country == country
    if mineral is not None:
        sel &= ts.mineral == mineral
    return ts[sel]


def annual_sum(
    ts: pd.DataFrame, indicator: str, mineral: str = ALL, by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Annual sums of a monthly flow: years x countries (``by``: extra key columns, such as
    ``("scenario", "seed")``, kept in the index)."""
    sel = select(ts, indicator, mineral=mineral)
    sel = sel[sel.step > 0]
    sel = sel.assign(year=year_of(sel.date))
    keys = [*by, "year", "country"]
    return sel.groupby(keys, sort=True).value.sum().unstack("country")


def value_at(ts: pd.DataFrame, indicator: str, date: str) -> pd.Series:
    """Values of ``indicator`` in month ``date``, indexed by (country, mineral)."""
    sel = ts[(ts.indicator == indicator) & (ts.date == date)]
    return sel.set_index(["country", "mineral"]).value


def at_step(ts: pd.DataFrame, indicator: str, step: int) -> pd.Series:
    """Values of ``indicator`` at ``step``, indexed by (country, mineral)."""
    sel = ts[(ts.indicator == indicator) & (ts.step == step)]
    return sel.set_index(["country", "mineral"]).value


def year_end_values(ts: pd.DataFrame, indicator: str, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """A stock indicator at each year's end (and at step 0, in its own year): the rows kept,
    with a ``year`` column. December, or the last month of a year the run ends early."""
    sel = ts[ts.indicator == indicator]
    year = year_of(sel.date)
    sel = sel.assign(year=year)
    last = sel.groupby([*by, "year"]).step.transform("max")
    return sel[sel.step == last]


def trailing_sum(
    ts: pd.DataFrame, indicator: str, step: int, months: int = 12, mineral: str = ALL
) -> tuple[pd.Series, int]:
    """Sum of a flow over the ``months`` months up to ``step`` by country, and how many
    months that covers (fewer than ``months`` in the first year; 0 at step 0)."""
    sel = select(ts, indicator, mineral=mineral)
    sel = sel[(sel.step > max(step - months, 0)) & (sel.step <= step)]
    covered = int(sel.step.nunique())
    return sel.groupby("country").value.sum(), covered
