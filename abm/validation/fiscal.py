"""Effective tax rates of a typical mine under each country's 2025 regime (no runs needed).

A typical mine of a country is its 2024 output mix (params/minerals.toml production x price)
with the baseline's new-deposit economics: operating cost ``projects.unit_cost_frac_mean`` of
revenue, depreciation = capex (``projects.capex_years_of_revenue`` years of revenue) over
``projects.mine_life_years``. The rate is :func:`abm.economics.effective_tax_rate` (income tax,
royalty/special duty, extraordinary duty, profit sharing, less credits, over pre-tax profit)
averaged over minerals by pre-tax profit.
"""

from __future__ import annotations

import numpy as np

from abm import economics
from abm.experiments.stats import Interval
from abm.params.data import load_minerals
from abm.params.scenario import load_scenario
from abm.params.schema import COUNTRIES
from abm.validation.checks import Check, RunData, point, register

SEED = "../shared/seeds/002_eea1bc02bdc77cad.txt"
PF = "../shared/calibration/public_figures.csv"
SEED_MX_ETR = 0.50  # seed: "effective tax rates reaching 50%"
CHILE_ROYALTY_MAX = 0.14  # seed: "Chile (5-14% mining royalty)"
PERU_ROYALTY_MAX = 0.03  # seed: "Peru (1-3% base royalty)"


def typical_mine_etr(country: str, values: dict | None = None) -> float:
    """Effective tax rate of ``country``'s typical mine (module docstring)."""
    v = values or load_scenario("baseline").values
    data = load_minerals()
    fiscal = economics.FiscalRegime.from_values(v)
    c = COUNTRIES.index(country)
    revenue = data.production_t[c] * data.price_usd_per_t
    opex_frac = v["projects.unit_cost_frac_mean"]
    dep_frac = v["projects.capex_years_of_revenue"] / v["projects.mine_life_years"]
    rates, weights = [], []
    for m in np.flatnonzero(revenue > 0):
        r = float(revenue[m])
        precious, critical = bool(data.precious[m]), bool(data.critical[m])
        rate = economics.effective_tax_rate(
            fiscal, c, r, opex_frac * r, dep_frac * r, precious, critical
        )
        rates.append(rate)
        weights.append(r * (1 - opex_frac - dep_frac))
    return float(np.average(rates, weights=weights))


def _mx(data: RunData) -> tuple[Interval, str]:
    rates = {c: typical_mine_etr(c) for c in COUNTRIES}
    return point(rates["MX"]), " ".join(f"{c} {r:.1%}" for c, r in rates.items())


def _mx_above_others(data: RunData) -> tuple[Interval, str]:
    rates = {c: typical_mine_etr(c) for c in COUNTRIES}
    gap = rates["MX"] - max(rates["US"], rates["CA"])
    return point(gap), f"MX {rates['MX']:.1%}, CA {rates['CA']:.1%}, US {rates['US']:.1%}"


def _mx_above_royalties(data: RunData) -> tuple[Interval, str]:
    mx = typical_mine_etr("MX")
    return point(mx - CHILE_ROYALTY_MAX), f"MX {mx:.1%} vs Chile <= 14%, Peru <= 3% royalty"


register(
    Check(
        name="mx_effective_tax_rate",
        group="effective_tax",
        source=f"{SEED} ('effective tax rates reaching 50%'); {PF} rows 2, 4, 8, 10 (ISR 30%, "
        "PTU 10%, duties 8.5%, 1%)",
        target="typical Mexican mine's effective tax rate near 50% (42-58%)",
        lo=0.42,
        hi=0.58,
        unit="frac",
        why="'Reaching 50%' is a rounded industry claim that includes fees the model omits; "
        "+/-8 pp still fails a model that loses the duties (ISR + PTU alone is 37%) or counts "
        "them twice.",
        measure=_mx,
    )
)
register(
    Check(
        name="mx_tax_above_us_ca",
        group="effective_tax",
        source=f"{PF} rows 1, 18, 30 (US 21% + state taxes; Ontario 26.5% + 10% mining tax)",
        target="Mexico's effective rate exceeds both Canada's and the US's",
        lo=0.0,
        hi=1.0,
        unit="pp",
        sign=+1,
        why="Ordering only: the Canadian and US regimes are a province/state blend "
        "(baseline.toml), so their levels are not a sharp target.",
        measure=_mx_above_others,
    )
)
register(
    Check(
        name="mx_tax_above_chile_peru_royalty",
        group="effective_tax",
        source=f"{SEED} (Chile 5-14% mining royalty, Peru 1-3% base royalty)",
        target="Mexico's effective rate at least 20 pp above Chile's top royalty (14%), "
        "hence above Peru's",
        lo=0.20,
        hi=1.0,
        unit="pp",
        why="The seed says Mexico 'significantly exceeds' them (50% vs <= 14%, 36 pp); 20 pp "
        "keeps 'significantly' while allowing the model's rate to sit below the claimed 50%.",
        measure=_mx_above_royalties,
    )
)
