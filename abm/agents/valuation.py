"""Valuation as pure functions of a frozen inputs object.

Firms value exploration in each (country, mineral) cell and owners value their projects
from the same :class:`ValuationInputs`: discount rates, expected prices, the fiscal regime,
expected permit waits, concession terms and access. The calibration reference is the same
function called with the reference inputs (baseline policy at the starting state), valued on
one cost curve and scaled by country (:func:`abm.calibration.reference_valuation`): the
relative value that drives exploration starts above 1 in a country's minerals with longer
reserve life (cheaper new deposits) and below 1 in the others, with each country's total
exploration at the calibrated weights unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from abm.economics import FiscalRegime, exploration_cost_factor, mine_npv
from abm.params.data import MineralData
from abm.params.schema import COUNTRIES, MINERALS, country_key, minerals_mask

KINDS = ("major", "midtier", "junior")
MAJOR, MIDTIER, JUNIOR = range(3)
N_COST_QUANTILES = 7  # quantiles of the new-deposit cost distribution valued per cell
_Z = np.array([NormalDist().inv_cdf((i + 0.5) / N_COST_QUANTILES) for i in range(N_COST_QUANTILES)])


@dataclass(frozen=True)
class ValuationInputs:
    """Everything a valuation reads, fixed for one evaluation.

    Arrays: ``country_rate_frac`` (C,) = hurdle + country risk + policy uncertainty;
    ``kind_premium_frac`` (K,) by firm kind; ``expected_price_usd_per_t`` and
    ``base_price_usd_per_t`` (M,); ``waits_months`` (C, M) expected permit waits;
    ``concession_years`` (C,); ``access_frac`` (C, M) share of exploration ground open to
    private firms; ``typical_capacity_t`` (C, M) size of a typical new deposit;
    ``unit_cost_shift_frac`` (C, M) the multiplier of new deposits' mean unit cost by reserve
    life (the deposit factory's array, :func:`abm.deposits.reserve_cost_shift_frac`).
    """

    fiscal: FiscalRegime
    country_rate_frac: np.ndarray
    kind_premium_frac: np.ndarray
    expected_price_usd_per_t: np.ndarray
    base_price_usd_per_t: np.ndarray
    waits_months: np.ndarray
    concession_years: np.ndarray
    access_frac: np.ndarray
    typical_capacity_t: np.ndarray
    unit_cost_shift_frac: np.ndarray
    precious: np.ndarray
    critical: np.ndarray
    hurdle_rate_frac: float
    resource_months: float
    feasibility_months: float
    construction_months: float
    mine_life_years: float
    capex_years_of_revenue: float
    unit_cost_frac_mean: float
    unit_cost_frac_sd: float
    cost_per_discovery_usd: float


def kind_rate_premium(values: dict[str, Any]) -> np.ndarray:
    """Discount-rate premium over the hurdle rate by firm kind (majors 0; juniors' capital
    is dearer), shape (K,)."""
    return np.array(
        [0.0, values["firms.midtier_rate_premium_frac"], values["firms.junior_rate_premium_frac"]]
    )


def country_rate_frac(values: dict[str, Any], uncertainty_frac: np.ndarray) -> np.ndarray:
    """Discount rate by country before firm premia: hurdle + country risk + uncertainty."""
    return np.array(
        [
            values["firms.hurdle_rate_frac"]
            + values[country_key(c, "country_risk_premium_frac")]
            + uncertainty_frac[i]
            for i, c in enumerate(COUNTRIES)
        ]
    )


def concession_years(values: dict[str, Any]) -> np.ndarray:
    """Concession term of a new grant by country, years."""
    return np.array([values[country_key(c, "concession_years")] for c in COUNTRIES])


def access_frac(values: dict[str, Any]) -> np.ndarray:
    """(C, M) share of exploration ground open to private firms: held ground only where no
    new concessions are granted; none for minerals reserved to the state."""
    access = np.ones((len(COUNTRIES), len(MINERALS)))
    for c, country in enumerate(COUNTRIES):
        if not values[country_key(country, "new_concessions")]:
            access[c] *= values[country_key(country, "held_ground_access_frac")]
        access[c, minerals_mask(values[country_key(country, "state_reserved_minerals")])] = 0.0
    return access


def build_inputs(
    values: dict[str, Any],
    fiscal: FiscalRegime,
    uncertainty_frac: np.ndarray,
    expected_price_usd_per_t: np.ndarray,
    waits_months: np.ndarray,
    minerals: MineralData,
    typical_capacity_t: np.ndarray,
    cost_per_discovery_usd: float,
    unit_cost_shift_frac: np.ndarray,
) -> ValuationInputs:
    """The valuation inputs under the levers ``values`` (the live ones or the reference's);
    ``unit_cost_shift_frac`` (C, M) is the deposit factory's reserve-life cost multiplier."""
    v = values
    return ValuationInputs(
        fiscal=fiscal,
        country_rate_frac=country_rate_frac(v, uncertainty_frac),
        kind_premium_frac=kind_rate_premium(v),
        expected_price_usd_per_t=expected_price_usd_per_t,
        base_price_usd_per_t=minerals.price_usd_per_t,
        waits_months=waits_months,
        concession_years=concession_years(v),
        access_frac=access_frac(v),
        typical_capacity_t=typical_capacity_t,
        unit_cost_shift_frac=unit_cost_shift_frac,
        precious=minerals.precious,
        critical=minerals.critical,
        hurdle_rate_frac=v["firms.hurdle_rate_frac"],
        resource_months=v["projects.resource_months"],
        feasibility_months=v["projects.feasibility_months"],
        construction_months=v["projects.construction_months"],
        mine_life_years=v["projects.mine_life_years"],
        capex_years_of_revenue=v["projects.capex_years_of_revenue"],
        unit_cost_frac_mean=v["projects.unit_cost_frac_mean"],
        unit_cost_frac_sd=v["projects.unit_cost_frac_sd"],
        cost_per_discovery_usd=cost_per_discovery_usd,
    )


def exploration_value(inp: ValuationInputs) -> np.ndarray:
    """Expected value of one USD of exploration, shape (kinds, C, M).

    Option value of a discovery (mean over cost quantiles of max(NPV, 0)) times the access
    share, over the after-tax cost of exploring and the cost per discovery. The cost quantiles
    are those of the cell's new deposits: the mean unit cost times the cell's reserve-life
    shift, as the deposit factory draws them.
    """
    n_c = len(COUNTRIES)
    waits = inp.waits_months
    to_build = inp.resource_months + inp.feasibility_months + waits
    to_prod = to_build + inp.construction_months
    conc = inp.concession_years[:, None]
    life = np.minimum(inp.mine_life_years, np.maximum(conc - to_prod / 12, 0.0))
    # Juniors sell what they find to a developer (a major), so a discovery is worth the
    # developer's NPV, held at the junior's dearer capital until sold.
    premium = inp.kind_premium_frac.copy()
    premium[JUNIOR] = inp.kind_premium_frac[MAJOR]
    rate = inp.country_rate_frac[None, :] + premium[:, None]  # (K, C)

    # Axes (kind, country, mineral, cost quantile), broadcast rather than materialised.
    cidx = np.arange(n_c)[None, :, None, None]
    cap = inp.typical_capacity_t[None, :, :, None]
    base = inp.base_price_usd_per_t[None, None, :, None]
    sd = inp.unit_cost_frac_sd
    shift = inp.unit_cost_shift_frac[None, :, :, None]
    unit_cost = base * inp.unit_cost_frac_mean * shift * np.exp(sd * _Z - sd * sd / 2)
    npv = mine_npv(
        inp.fiscal,
        cidx,
        cap,
        inp.expected_price_usd_per_t[None, None, :, None],
        unit_cost,
        inp.capex_years_of_revenue * cap * base,
        to_build[None, :, :, None],
        to_prod[None, :, :, None],
        life[None, :, :, None],
        rate[:, :, None, None],
        inp.precious[None, None, :, None],
        inp.critical[None, None, :, None],
    )
    option = np.maximum(npv, 0.0).mean(axis=-1)  # (K, C, M)
    option[JUNIOR] *= (1.0 + inp.kind_premium_frac[JUNIOR]) ** (-to_build / 12.0)
    cost = exploration_cost_factor(inp.fiscal, inp.hurdle_rate_frac, inp.critical)
    return option * inp.access_frac[None] / cost[None] / inp.cost_per_discovery_usd


def relative_value(value: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Exploration value relative to the calibration reference (0 where the reference is 0)."""
    return np.divide(value, reference, out=np.zeros_like(value), where=reference > 0)


def project_npv(
    inp: ValuationInputs,
    country: np.ndarray,
    mineral: np.ndarray,
    stage_ahead_months: np.ndarray,
    waits_ahead: np.ndarray,
    build_months: np.ndarray,
    years_left_on_concession: np.ndarray,
    life_years: np.ndarray,
    rate_premium_frac: np.ndarray,
    rate_reduction_frac: np.ndarray,
    capacity_t: np.ndarray,
    unit_cost_usd_per_t: np.ndarray,
    capex_usd: np.ndarray,
) -> np.ndarray:
    """NPV of developing projects from their current stage, for their owners.

    ``stage_ahead_months`` is the study time still ahead, ``waits_ahead`` (bool) whether the
    permit wait is still ahead; ``rate_premium_frac`` is the owner's premium over the country
    rate and ``rate_reduction_frac`` a joint venture's risk-sharing reduction.
    """
    ahead = stage_ahead_months + np.where(waits_ahead, inp.waits_months[country, mineral], 0.0)
    to_prod = ahead + build_months
    life = np.minimum(life_years, np.maximum(years_left_on_concession - to_prod / 12.0, 0.0))
    rate = inp.country_rate_frac[country] + rate_premium_frac - rate_reduction_frac
    return mine_npv(
        inp.fiscal,
        country,
        capacity_t,
        inp.expected_price_usd_per_t[mineral],
        unit_cost_usd_per_t,
        capex_usd,
        ahead,
        to_prod,
        life,
        rate,
        inp.precious[mineral],
        inp.critical[mineral],
    )
