"""Scalar headline outcomes of one run, declared once for compare, sweep and sensitivity.

Each outcome has a flat name ``indicator.<where>[.<when>]`` (``investment_share.MX``,
``import_dependency.lithium.2030``, ``import_dependency.lithium.end``) so it can be a Parquet
column, a table row or a SALib output. Names do not depend on the run's horizon: ``<when>`` is
``end`` (the run's last December) or a calendar year the seed names (2030), so a script keeps
working when ``years=`` changes. :func:`outcome_specs` lists them with units and the direction
a policy wants (``kind``, passed to EMA); :func:`headline_outcomes` computes them from a run's
tidy timeseries (:class:`abm.outputs.Recorder` format).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.params.data import load_minerals
from abm.params.schema import COUNTRIES, MINERALS
from abm.timeseries import Tidy

REGIONS = (*COUNTRIES, "NA")
DEPENDENCY_YEARS = (2030,)  # besides the run's end; the seed's Phase 3 horizon
END = "end"  # the ``<when>`` of an outcome read at the run's last December
IMPORT_REDUCTION_TARGET_FRAC = 0.25  # seed article, Phase 3 (2028-2030): 25% import reduction


# Practical thresholds: the smallest difference between two scenarios that matters to a
# reader, by indicator, as (size, "abs" in the outcome's unit | "rel" of the reference mean).
# A difference whose whole 95% interval lies inside +-threshold is reported as negligible even
# when it is distinguishable from noise. ASSUMPTION (no published figure): 1 percentage point
# for shares, fractions and dependency; 1% of the reference for money and jobs; one mine.
# Range for sensitivity of the wording: 0.5-2 pp, 0.5-2%.
PRACTICAL_THRESHOLDS: dict[str, tuple[float, str]] = {
    "investment_share": (0.01, "abs"),
    "investment_usd": (0.01, "rel"),
    "exploration_usd": (0.01, "rel"),
    "exploration_change_frac": (0.01, "abs"),
    "producing_mines_end": (1.0, "abs"),
    "government_revenue_usd": (0.01, "rel"),
    "mining_jobs_end": (0.01, "rel"),
    "import_dependency": (0.01, "abs"),
    "unmet_demand_frac": (0.01, "abs"),
    "import_reduction_frac": (0.01, "abs"),
    "import_dependency_mined": (0.01, "abs"),
    "consumption_t": (0.01, "rel"),
    "regional_supply_t": (0.01, "rel"),
    "import_reduction_vs_reference": (0.01, "abs"),  # paired, abm.experiments.summary
    "import_reduction_supply_part": (0.01, "abs"),  # paired, abm.experiments.summary
    "import_reduction_demand_part": (0.01, "abs"),  # paired, abm.experiments.summary
}


# The direction a policy in the seed article wants each indicator to move: more investment,
# exploration, mines, revenue and jobs; less import dependency and unmet demand. A country's
# share of North American investment is zero-sum between the three, so it has no direction
# ("info"). EMA Workbench reads these as ScalarOutcome kinds (abm.ema).
KINDS: dict[str, str] = {
    "investment_share": "info",
    "investment_usd": "maximise",
    "exploration_usd": "maximise",
    "exploration_change_frac": "maximise",
    "producing_mines_end": "maximise",
    "government_revenue_usd": "maximise",
    "mining_jobs_end": "maximise",
    "import_dependency": "minimise",
    "import_dependency_mined": "minimise",
    "consumption_t": "info",  # the demand side of the dependency split
    "regional_supply_t": "maximise",
    "unmet_demand_frac": "minimise",
    "import_reduction_frac": "maximise",
}


@dataclass(frozen=True)
class OutcomeSpec:
    """One scalar outcome: flat name, unit and meaning, its practical threshold and kind."""

    name: str
    unit: str
    doc: str

    @property
    def practical(self) -> tuple[float, str]:
        """(size, "abs" | "rel"): differences smaller than this are negligible."""
        return PRACTICAL_THRESHOLDS[self.name.split(".", 1)[0]]

    @property
    def kind(self) -> str:
        """ "maximise", "minimise" or "info" (no direction): see :data:`KINDS`."""
        return KINDS[self.name.split(".", 1)[0]]


def practical_threshold(name: str, reference_mean: float) -> float:
    """Absolute practical threshold of outcome ``name`` (``rel`` ones scale the reference)."""
    size, kind = PRACTICAL_THRESHOLDS[name.split(".", 1)[0]]
    return size * abs(reference_mean) if kind == "rel" else size


def _critical() -> list[str]:
    return list(load_minerals().critical_minerals)


# The value-weighted aggregate covers the critical minerals and copper (on the 2023 US DOE
# critical materials list and the 2025 USGS list; out of the USGS 2022 list behind the
# ``critical`` flag of params/minerals.toml).
VALUE_WEIGHTED_EXTRA = ("copper",)


def value_weights() -> dict[str, float]:
    """Weights of ``import_dependency.critical_value_weighted``: each mineral's 2024 North
    American consumption value (params/minerals.toml consumption_t x price_usd_per_t), as a
    share of the sum, over the critical minerals and copper."""
    data = load_minerals()
    names = [*_critical(), *(m for m in VALUE_WEIGHTED_EXTRA if m not in _critical())]
    idx = [MINERALS.index(m) for m in names]
    value = data.consumption_t[:, idx].sum(0) * data.price_usd_per_t[idx]
    return {m: float(v / value.sum()) for m, v in zip(names, value, strict=True)}


def weighted(by_mineral: dict[str, float], weights: dict[str, float]) -> float:
    """The one value-weighted aggregate over minerals (weights sum to 1)."""
    return float(sum(w * by_mineral[m] for m, w in weights.items()))


def dependency_years(first_year: int, last_year: int) -> list[tuple[int, str]]:
    """(year, name suffix) of the Decembers at which import dependency is reported: 2030 as
    ``2030`` (if the run covers it), the run's last year as ``end`` (both when it ends in 2030)."""
    years = [(y, str(y)) for y in DEPENDENCY_YEARS if first_year <= y <= last_year]
    return [*years, (last_year, END)]


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
    for y, when in dependency_years(first_year, last_year):
        for m in _critical():
            specs.append(
                OutcomeSpec(
                    f"import_dependency.{m}.{when}",
                    "frac",
                    f"North American net import dependency for {m} in December {y} "
                    "(or the run's last month, if it ends earlier)",
                )
            )
        specs.append(
            OutcomeSpec(
                f"import_dependency.critical_mean.{when}",
                "frac",
                f"unweighted mean NA import dependency over the critical minerals in December {y} "
                "(22 t of gallium weighs as much as 1 Mt of zinc; read the value-weighted one)",
            )
        )
        specs.append(
            OutcomeSpec(
                f"import_dependency.critical_value_weighted.{when}",
                "frac",
                f"NA import dependency (refined stage) in December {y}, averaged over the "
                "critical minerals and copper with weights = 2024 NA consumption value",
            )
        )
        specs.append(
            OutcomeSpec(
                f"import_dependency_mined.critical_value_weighted.{when}",
                "frac",
                f"NA net import reliance at the ore stage in December {y}, value-weighted as "
                "import_dependency.critical_value_weighted",
            )
        )
        for m in value_weights():
            specs.append(
                OutcomeSpec(
                    f"consumption_t.{m}.{when}",
                    "t/yr",
                    f"North American {m} consumption in December {y} (annualised)",
                )
            )
            specs.append(
                OutcomeSpec(
                    f"regional_supply_t.{m}.{when}",
                    "t/yr",
                    f"North American {m} consumption supplied from USMCA in December {y} "
                    "(consumption less imports; the supply side of the dependency split)",
                )
            )
        specs.append(
            OutcomeSpec(
                f"import_reduction_frac.{when}",
                "frac",
                f"fall in mean critical-mineral import dependency from the start to "
                f"December {y}, relative to the start",
            )
        )
    for m in _critical():
        specs.append(
            OutcomeSpec(
                f"unmet_demand_frac.{m}",
                "frac",
                f"share of North American {m} demand left unmet (rationed) over the run",
            )
        )
    return specs


_FLOWS = ("investment_usd", "exploration_usd", "government_revenue_usd")


def headline_outcomes(ts: pd.DataFrame) -> dict[str, float]:
    """The outcomes of :func:`outcome_specs` for one run's timeseries."""
    cols = Tidy(ts)
    years = cols.years()
    first, last = int(years[0]), int(years[-1])
    flows = {(k, r): cols.annual(k, r, years) for k in _FLOWS for r in REGIONS}
    inv = {r: flows[("investment_usd", r)].sum() for r in REGIONS}
    total = sum(inv[c] for c in COUNTRIES)
    out: dict[str, float] = {}
    for c in COUNTRIES:
        out[f"investment_share.{c}"] = float(inv[c] / total) if total > 0 else np.nan
    for r in REGIONS:
        exp = flows[("exploration_usd", r)]
        out[f"investment_usd.{r}"] = float(inv[r])
        out[f"exploration_usd.{r}"] = float(exp.sum())
        out[f"exploration_change_frac.{r}"] = float(exp[-1] / exp[0] - 1) if exp[0] > 0 else np.nan
        out[f"government_revenue_usd.{r}"] = float(flows[("government_revenue_usd", r)].sum())
        for name in ("producing_mines", "mining_jobs"):
            rows = cols.mask(date=cols.end, indicator=name, country=r, mineral="all")
            out[f"{name}_end.{r}"] = cols.by_mineral(rows)["all"]
    critical = _critical()
    dep = cols.mask(indicator="import_dependency", country="NA")
    start = np.mean([cols.by_mineral(dep & (cols.step == 0))[m] for m in critical])
    for y, when in dependency_years(first, last):
        at = cols.by_mineral(dep & cols.mask(date=cols.year_end(y)))
        values = [at[m] for m in critical]
        for m, x in zip(critical, values, strict=True):
            out[f"import_dependency.{m}.{when}"] = float(x)
        mean = float(np.mean(values))
        out[f"import_dependency.critical_mean.{when}"] = mean
        out[f"import_reduction_frac.{when}"] = float(1 - mean / start)
        end = cols.mask(date=cols.year_end(y), country="NA")
        dep_all = cols.by_mineral(end & cols.mask(indicator="import_dependency"))
        mined = cols.by_mineral(end & cols.mask(indicator="import_dependency_mined"))
        used = cols.by_mineral(end & cols.mask(indicator="consumption_t"))
        imported = cols.by_mineral(end & cols.mask(indicator="imports_t"))
        weights = value_weights()
        out[f"import_dependency.critical_value_weighted.{when}"] = weighted(dep_all, weights)
        out[f"import_dependency_mined.critical_value_weighted.{when}"] = weighted(mined, weights)
        for m in weights:
            out[f"consumption_t.{m}.{when}"] = float(used[m])
            out[f"regional_supply_t.{m}.{when}"] = float(used[m] - imported[m])
    for m in critical:
        unmet = cols.annual("unmet_demand_t", "NA", years, m).sum()
        wanted = cols.annual("demand_t", "NA", years, m).sum()
        out[f"unmet_demand_frac.{m}"] = float(unmet / wanted) if wanted > 0 else np.nan
    return {s.name: out[s.name] for s in outcome_specs(first, last)}
