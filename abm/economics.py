"""Mine economics, vectorised over projects: fiscal take, cash flow, NPV.

All amounts are real USD per year unless the name says otherwise. The fiscal regime of
each country comes from :class:`FiscalRegime` (arrays indexed by country).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.params.schema import COUNTRIES, country_key

# Floor of the after-tax cost of a dollar of exploration: credits plus deductions cannot make
# exploring free (Canada's 30% CMETC plus a 26.5% deduction leaves 0.435; the floor only
# binds for hypothetical regimes above 95% support). ASSUMPTION, range 0-0.2.
MIN_EXPLORATION_COST_FRAC = 0.05


@dataclass(frozen=True)
class FiscalRegime:
    """Per-country fiscal levers as arrays of shape (C,)."""

    corporate_tax_rate: np.ndarray
    royalty_rate: np.ndarray
    precious_metals_duty: np.ndarray
    profit_sharing_rate: np.ndarray
    production_credit_frac: np.ndarray
    exploration_credit_frac: np.ndarray
    critical_exploration_credit_frac: np.ndarray
    exploration_deduction_years: np.ndarray

    @classmethod
    def from_values(cls, values: dict) -> FiscalRegime:
        """Build from resolved scenario values (dotted keys)."""
        return cls(
            **{
                name: np.array([values[country_key(c, name)] for c in COUNTRIES], dtype=float)
                for name in cls.__dataclass_fields__
            }
        )


def annuity_factor(rate: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Present value of 1 USD a year for ``years`` years at ``rate`` (continuous in years)."""
    rate = np.maximum(rate, 1e-9)
    years = np.maximum(years, 0.0)
    return (1.0 - (1.0 + rate) ** (-years)) / rate


def annual_cash_flow(
    fiscal: FiscalRegime,
    country: np.ndarray,
    revenue_usd: np.ndarray,
    opex_usd: np.ndarray,
    depreciation_usd: np.ndarray,
    precious: np.ndarray,
    critical: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """After-tax operating cash flow and government take, per project-year.

    Mexico's special duty is levied on an EBITDA-like base and deducted against income tax;
    the extraordinary duty on gross precious-metal revenue; profit sharing (PTU) is a cost
    deducted from the tax base; the US 45X credit pays a share of critical-mineral
    production cost.
    """
    ebitda = revenue_usd - opex_usd
    royalty = fiscal.royalty_rate[country] * np.maximum(ebitda, 0.0)
    duty = fiscal.precious_metals_duty[country] * revenue_usd * precious
    pre_ptu = ebitda - royalty - duty - depreciation_usd
    ptu = fiscal.profit_sharing_rate[country] * np.maximum(pre_ptu, 0.0)
    income_tax = fiscal.corporate_tax_rate[country] * np.maximum(pre_ptu - ptu, 0.0)
    credit = fiscal.production_credit_frac[country] * opex_usd * critical
    government = royalty + duty + income_tax - credit
    cash = ebitda - royalty - duty - ptu - income_tax + credit
    return cash, government


def mine_npv(
    fiscal: FiscalRegime,
    country: np.ndarray,
    capacity_t: np.ndarray,
    price_usd_per_t: np.ndarray,
    unit_cost_usd_per_t: np.ndarray,
    capex_usd: np.ndarray,
    months_to_build: np.ndarray,
    months_to_production: np.ndarray,
    life_years: np.ndarray,
    rate_frac: np.ndarray,
    precious: np.ndarray,
    critical: np.ndarray,
) -> np.ndarray:
    """After-tax NPV (USD, today) of developing each project.

    Capex is paid when construction starts (``months_to_build`` from now), production runs
    for ``life_years`` from ``months_to_production``. A mine whose operating cash flow would
    be negative is worth ``-capex`` (it would not be built; the NPV rule then rejects it).
    """
    revenue = capacity_t * price_usd_per_t
    opex = capacity_t * unit_cost_usd_per_t
    depreciation = capex_usd / np.maximum(life_years, 1.0)
    cash, _ = annual_cash_flow(fiscal, country, revenue, opex, depreciation, precious, critical)
    disc_prod = (1.0 + rate_frac) ** (-months_to_production / 12.0)
    disc_build = (1.0 + rate_frac) ** (-months_to_build / 12.0)
    return cash * annuity_factor(rate_frac, life_years) * disc_prod - capex_usd * disc_build


def exploration_credit_rate(fiscal: FiscalRegime, critical: np.ndarray) -> np.ndarray:
    """Credit per USD of exploration, shape (C, M): critical minerals get the larger of the
    general and the critical-mineral credit (Canada's METC/CMETC)."""
    general = fiscal.exploration_credit_frac[:, None]
    best = np.maximum(fiscal.critical_exploration_credit_frac, fiscal.exploration_credit_frac)
    return np.where(critical[None, :], best[:, None], general)


def exploration_cost_factor(
    fiscal: FiscalRegime, rate_frac: float, critical: np.ndarray
) -> np.ndarray:
    """After-tax cost of 1 USD of exploration, shape (C, M).

    Credits (Canada's METC/CMETC) and the value of deducting the spending against income
    tax lower it; deducting over N years (Mexico since 2014: 10) is worth less than at once.
    """
    n = fiscal.exploration_deduction_years[:, None]
    deduction_pv = annuity_factor(np.full_like(n, rate_frac), n) / n
    credit = exploration_credit_rate(fiscal, critical)
    floor = MIN_EXPLORATION_COST_FRAC
    return np.maximum(1.0 - credit - fiscal.corporate_tax_rate[:, None] * deduction_pv, floor)


def effective_tax_rate(
    fiscal: FiscalRegime,
    country: int,
    revenue_usd: float,
    opex_usd: float,
    depreciation_usd: float,
    precious: bool,
    critical: bool = False,
    include_profit_sharing: bool = True,
) -> float:
    """Government take plus (optionally) profit sharing as a share of pre-tax profit."""
    c = np.array([country])
    rev, opx, dep = (np.array([x], dtype=float) for x in (revenue_usd, opex_usd, depreciation_usd))
    cash, gov = annual_cash_flow(
        fiscal, c, rev, opx, dep, np.array([precious]), np.array([critical])
    )
    pre_tax = float(rev[0] - opx[0] - dep[0])
    take = float(rev[0] - opx[0] - cash[0])
    if not include_profit_sharing:
        take = float(gov[0])
    return take / pre_tax if pre_tax > 0 else float("nan")
