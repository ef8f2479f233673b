"""Scalar headline outcomes of one run, declared once for compare, sweep and sensitivity.

Each outcome has a flat name ``indicator.<where>[.<year>]`` (``investment_share.MX``,
``import_dependency.lithium.2030``) so it can be a Parquet column, a table row or a SALib
output. :func:`outcome_specs` lists them with units; :func:`headline_outcomes` computes them
from a run's tidy timeseries (:class:`abm.outputs.Recorder` format).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.params.data import load_minerals
from abm.params.schema import COUNTRIES

REGIONS = (*COUNTRIES, "NA")
DEPENDENCY_YEARS = (2030,)  # besides the run's last year; the seed's Phase 3 horizon
IMPORT_REDUCTION_TARGET_FRAC = 0.25  # seed article, Phase 3 (2028-2030): 25% import reduction


@dataclass(frozen=True)
class OutcomeSpec:
    """One scalar outcome: flat name, unit and meaning."""

    name: str
    unit: str
    doc: str


def _critical() -> list[str]:
    return list(load_minerals().critical_minerals)


def dependency_years(first_year: int, last_year: int) -> list[int]:
    """Years at whose end import dependency is reported: 2030 (if in range) and the last."""
    years = [y for y in DEPENDENCY_YEARS if first_year <= y < last_year]
    return [*years, last_year]


def outcome_specs(first_year: int = 2025, last_year: int = 2034) -> list[OutcomeSpec]:
    """Every headline outcome of a run from ``first_year`` to ``last_year``."""
    specs: list[OutcomeSpec] = []
    for c in COUNTRIES:
        specs.append(
            OutcomeSpec(
                f"investment_share.{c}",
                "frac",
                f"{c}'s share of North American mining investment over the run",
            )
        )
    per_region = [
        ("investment_usd", "USD", "mining investment over the run"),
        ("exploration_usd", "USD", "exploration spending over the run"),
        (
            "exploration_change_frac",
            "frac",
            f"exploration in {last_year} relative to {first_year}, minus 1",
        ),
        ("producing_mines_end", "mines", f"mines in production at the end of {last_year}"),
        ("government_revenue_usd", "USD", "taxes, royalties and duties over the run"),
        ("mining_jobs_end", "jobs", f"direct mining jobs at the end of {last_year}"),
    ]
    for name, unit, doc in per_region:
        specs += [OutcomeSpec(f"{name}.{r}", unit, f"{r}: {doc}") for r in REGIONS]
    for y in dependency_years(first_year, last_year):
        for m in _critical():
            specs.append(
                OutcomeSpec(
                    f"import_dependency.{m}.{y}",
                    "frac",
                    f"North American net import dependency for {m} in December {y}",
                )
            )
        specs.append(
            OutcomeSpec(
                f"import_dependency.critical_mean.{y}",
                "frac",
                f"mean NA import dependency over the critical minerals in December {y}",
            )
        )
        specs.append(
            OutcomeSpec(
                f"import_reduction_frac.{y}",
                "frac",
                f"fall in mean critical-mineral import dependency from the start to "
                f"December {y}, relative to the start",
            )
        )
    return specs


def _annual_sum(ts: pd.DataFrame, indicator: str) -> pd.DataFrame:
    s = ts[(ts.indicator == indicator) & (ts.mineral == "all") & (ts.step > 0)]
    s = s.assign(year=s.date.str[:4].astype(int))
    return s.groupby(["year", "country"]).value.sum().unstack("country")


def _at(ts: pd.DataFrame, indicator: str, date: str) -> pd.Series:
    s = ts[(ts.indicator == indicator) & (ts.date == date)]
    return s.set_index(["country", "mineral"]).value


def headline_outcomes(ts: pd.DataFrame) -> dict[str, float]:
    """The outcomes of :func:`outcome_specs` for one run's timeseries."""
    inv = _annual_sum(ts, "investment_usd")
    exp = _annual_sum(ts, "exploration_usd")
    rev = _annual_sum(ts, "government_revenue_usd")
    first, last = int(inv.index.min()), int(inv.index.max())
    end = ts.date.max()
    out: dict[str, float] = {}
    total = inv[list(COUNTRIES)].to_numpy().sum()
    for c in COUNTRIES:
        out[f"investment_share.{c}"] = float(inv[c].sum() / total) if total > 0 else np.nan
    mines, jobs = _at(ts, "producing_mines", end), _at(ts, "mining_jobs", end)
    for r in REGIONS:
        out[f"investment_usd.{r}"] = float(inv[r].sum())
        out[f"exploration_usd.{r}"] = float(exp[r].sum())
        e0, e1 = exp.loc[first, r], exp.loc[last, r]
        out[f"exploration_change_frac.{r}"] = float(e1 / e0 - 1) if e0 > 0 else np.nan
        out[f"producing_mines_end.{r}"] = float(mines.loc[(r, "all")])
        out[f"government_revenue_usd.{r}"] = float(rev[r].sum())
        out[f"mining_jobs_end.{r}"] = float(jobs.loc[(r, "all")])
    dep = ts[(ts.indicator == "import_dependency") & (ts.country == "NA")]
    critical = _critical()
    start = dep[dep.step == 0].set_index("mineral").value[critical]
    for y in dependency_years(first, last):
        at = dep[dep.date == f"{y}-12"].set_index("mineral").value[critical]
        for m in critical:
            out[f"import_dependency.{m}.{y}"] = float(at[m])
        out[f"import_dependency.critical_mean.{y}"] = float(at.mean())
        out[f"import_reduction_frac.{y}"] = float(1 - at.mean() / start.mean())
    return {s.name: out[s.name] for s in outcome_specs(first, last)}
