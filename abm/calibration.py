"""The calibrated starting state (December 2024): firms, mines, pipeline, investors, weights.

Built from an explicit reference scenario (``simulation.calibration_reference``, recorded in
every resolved scenario), the calibration tables (``params/minerals.toml``) and the model's
generator. The start is the same in every scenario with the same reference and seed: policy
scenarios differ from the reference in what happens after the start, not in the start.

Draws happen in a fixed order (firms, mines by country and mineral, pipeline, investors), so
the same seed gives the same starting state to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from abm.agents import rest_of_world, valuation
from abm.agents.firm import FirmArrays, make_firms
from abm.agents.government import Government
from abm.agents.investor import InvestorPool
from abm.agents.valuation import JUNIOR, MAJOR
from abm.deposits import DepositFactory
from abm.economics import FiscalRegime
from abm.market import Market, ocean_freight_usd_per_t
from abm.params.data import MineralData
from abm.params.scenario import load_scenario, resolve_path
from abm.params.schema import COUNTRIES, MINERALS, country_key
from abm.projects import ProjectBook, Stage

# MinEx Consulting 2014 (pf: discovery_to_mine_conversion): 45% of discoveries become mines,
# spread over three gates (resource, feasibility, permit).
GATE_PASS_FRAC = 0.45 ** (1 / 3)
# Exploration weight every mineral keeps in every country (ASSUMPTION, range 0.01-0.05), so
# that a mineral with no 2024 output (e.g. US graphite) is still explored a little.
MINERAL_FLOOR_FRAC = 0.02
# Investors' capital is spread lognormally (ASSUMPTION: log-sd 0.5, range 0.3-1.0) and their
# risk aversion gamma-distributed around investors.risk_aversion (shape 4, range 2-8).
INVESTOR_CAPITAL_LOG_SD = 0.5
INVESTOR_RISK_GAMMA_SHAPE = 4.0


@cache
def _reference(name: str, mtime_ns: int) -> MappingProxyType:
    return MappingProxyType(dict(load_scenario(name).values))


def reference_values(name: str) -> dict[str, Any]:
    """Resolved values of the calibration reference scenario: parsed once per file version
    (not once per model) and handed out as a copy, so no model can change another's."""
    path = resolve_path(name)
    return dict(_reference(str(path.resolve()), path.stat().st_mtime_ns))


@dataclass
class StartState:
    """What the model starts from (arrays owned by the model once built)."""

    firm_arrays: FirmArrays
    typical_capacity_t: np.ndarray  # (C, M) typical deposit size
    base_cell_weight: np.ndarray  # (C, M) calibrated share of NA private exploration
    production_t: np.ndarray  # (C, M) starting mine output, t/yr
    investors: InvestorPool


def base_cell_weight(values: dict[str, Any], minerals: MineralData) -> np.ndarray:
    """Calibrated share of NA private exploration by (country, mineral) at the start:
    country shares of the world budget (S&P 2023) times each country's 2024 output value."""
    revenue = minerals.production_t * minerals.price_usd_per_t[None, :]
    w_m = revenue / np.maximum(revenue.sum(axis=1, keepdims=True), 1.0)
    w_m = w_m + MINERAL_FLOOR_FRAC
    w_m /= w_m.sum(axis=1, keepdims=True)
    w_c = np.array([values[country_key(c, "exploration_base_weight_frac")] for c in COUNTRIES])
    w_c = w_c / w_c.sum()
    return w_c[:, None] * w_m


def population(values: dict[str, Any], scale: float) -> tuple[int, int, int]:
    """Majors, mid-tiers and juniors at this population scale (at least one major)."""
    return tuple(
        max(1 if k == "firms.n_majors" else 0, round(values[k] * scale))
        for k in ("firms.n_majors", "firms.n_midtiers", "firms.n_juniors")
    )


def expected_exploration_usd(
    values: dict[str, Any], fa: FirmArrays, weight: np.ndarray
) -> np.ndarray:
    """Private exploration a year at the start, (C, M): producers' budgets plus investor
    equity, less the share spent outside North America, over the calibrated weights."""
    producers = fa.kind != JUNIOR
    budget = values["firms.exploration_frac_of_revenue"] * fa.revenue_usd_per_year[producers].sum()
    total = (budget + values["investors.capital_usd_per_year"]) * (
        1 - values["exploration.outside_weight_frac"]
    )
    return total * weight


def build_start(
    values: dict[str, Any],
    reference: dict[str, Any],
    minerals: MineralData,
    rng: np.random.Generator,
    scale: float,
    book: ProjectBook,
    cost_per_discovery_usd: float,
) -> tuple[StartState, DepositFactory]:
    """Draw the starting state into ``book``; returns it and the deposit factory the run
    keeps using for discoveries. ``reference`` is the calibration reference's values."""
    weight = base_cell_weight(values, minerals)
    fa = make_firms(rng, population(values, scale), weight.sum(axis=1), len(MINERALS), values)
    typical = np.zeros((len(COUNTRIES), len(MINERALS)))
    factory = DepositFactory(book, values, minerals, rng, typical)
    _starting_mines(values, reference, minerals, rng, scale, fa, factory)
    prod = book.stage == Stage.PRODUCTION
    rev = book.capacity_t[prod] * minerals.price_usd_per_t[book.mineral[prod]]
    fa.revenue_usd_per_year[:] = np.bincount(book.owner[prod], weights=rev, minlength=len(fa))
    inflow = expected_exploration_usd(values, fa, weight) / cost_per_discovery_usd
    _pipeline(values, reference, rng, fa, factory, inflow)
    prod = book.stage == Stage.PRODUCTION
    production = np.zeros((len(COUNTRIES), len(MINERALS)))
    np.add.at(production, (book.country[prod], book.mineral[prod]), book.capacity_t[prod])
    fa.cash_usd[:] = values["calibration.start_cash_years_of_revenue"] * fa.revenue_usd_per_year
    state = StartState(fa, typical, weight, production, _investors(values, rng, scale, weight))
    return state, factory


def _starting_mines(
    values: dict[str, Any],
    reference: dict[str, Any],
    minerals: MineralData,
    rng: np.random.Generator,
    scale: float,
    fa: FirmArrays,
    factory: DepositFactory,
) -> None:
    """Split each country's 2024 output of each mineral into producing mines.

    Mines producing in 2024 covered their operating cost at the price they could get: unit
    costs are drawn against the export netback (base price less ocean freight of the shipped
    tonnage), the lowest price a regional producer receives, so that the starting mines are
    not on the margin of the freight (fluorspar: $470/t, $162.5/t).
    """
    v = values
    producers = np.flatnonzero(fa.kind != JUNIOR)
    p_weight = np.where(fa.kind[producers] == MAJOR, v["calibration.major_mine_weight"], 1.0)
    p_weight /= p_weight.sum()
    typical = factory.typical_capacity_t
    freight = ocean_freight_usd_per_t(reference, minerals)
    netback_frac = 1.0 - freight / minerals.price_usd_per_t
    lo_n, hi_n = v["calibration.min_mines_per_cell"], v["calibration.max_mines_per_cell"]
    cost_lo, cost_hi = (v[f"calibration.start_unit_cost_frac_{b}"] for b in ("min", "max"))
    life_lo, life_hi = (v[f"calibration.start_life_left_years_{b}"] for b in ("min", "max"))
    for c, country in enumerate(COUNTRIES):
        conc = v[country_key(country, "concession_years")]
        for m in range(len(MINERALS)):
            q = minerals.production_t[c, m]
            if q <= 0:
                continue
            revenue = q * minerals.price_usd_per_t[m]
            k = int(np.clip(round(revenue / v["calibration.mine_revenue_usd"]), lo_n, hi_n))
            k = max(1, round(k * scale))
            caps = q * rng.dirichlet(np.full(k, v["calibration.mine_size_concentration"]))
            typical[c, m] = q / k
            factory.add(
                c,
                m,
                caps,
                Stage.PRODUCTION,
                rng.choice(producers, k, p=p_weight),
                unit_cost_frac=rng.uniform(cost_lo, cost_hi, k) * netback_frac[m],
                step=0,
                concession_years=conc,
                life_left=rng.uniform(life_lo, life_hi, k),
            )
    absent = v["calibration.absent_deposit_frac_of_world"]
    for m in range(len(MINERALS)):
        have = typical[:, m] > 0
        if have.any():
            typical[~have, m] = typical[have, m].mean()
        else:
            typical[:, m] = absent * minerals.world_production_t[m] / scale


def _pipeline(
    values: dict[str, Any],
    reference: dict[str, Any],
    rng: np.random.Generator,
    fa: FirmArrays,
    factory: DepositFactory,
    inflow: np.ndarray,
) -> None:
    """Projects already in development, sized by Little's law: stock = inflow x time.

    Inflow = discoveries a year at the calibrated starting exploration spend over the cost
    per discovery; each gate (resource, feasibility, permit) passes ``GATE_PASS_FRAC``. Time
    in permitting = the reference review times ``calibration.pipeline_permit_time_multiple``
    (the queue adds to the review).
    """
    v, book = values, factory.book
    juniors = np.flatnonzero(fa.kind == JUNIOR)
    producers = np.flatnonzero(fa.kind != JUNIOR)
    g = GATE_PASS_FRAC
    junior_share = v["calibration.junior_early_stage_share_frac"]
    age_lo, age_hi = (int(v[f"calibration.pipeline_age_months_{b}"]) for b in ("min", "max"))
    term_months = 12 * int(v["calibration.pipeline_concession_years"])
    for c, country in enumerate(COUNTRIES):
        review = reference[country_key(country, "permit_review_months")]
        conc = v[country_key(country, "concession_years")]
        months = {
            Stage.RESOURCE: (1.0, v["projects.resource_months"]),
            Stage.FEASIBILITY: (g, v["projects.feasibility_months"]),
            Stage.PERMITTING: (g * g, v["calibration.pipeline_permit_time_multiple"] * review),
            Stage.CONSTRUCTION: (g**3, v["projects.construction_months"]),
        }
        for m in range(len(MINERALS)):
            for s, (share, dur) in months.items():
                j = int(rng.poisson(inflow[c, m] * share * dur / 12.0))
                if j == 0:
                    continue
                early = s in (Stage.RESOURCE, Stage.FEASIBILITY)
                junior = early and len(juniors) and rng.random() < junior_share
                pool = juniors if junior else producers
                idx = factory.discover(c, m, rng.choice(pool, j), 0, conc, stage=s)
                elapsed = rng.uniform(0, 1, j) * dur
                if s == Stage.PERMITTING:
                    book.applied_step[idx] = -elapsed.astype(int)
                    book.timer[idx] = 0.0  # untimed stage: decided by the permit office
                elif s == Stage.CONSTRUCTION:
                    book.timer[idx] = book.build_months[idx] * (1 - rng.uniform(0, 1, j))
                else:
                    book.timer[idx] = dur - elapsed
                book.discovered_step[idx] = -rng.integers(age_lo, age_hi, j)
                book.concession_end_step[idx] = book.discovered_step[idx] + term_months


def _investors(
    values: dict[str, Any], rng: np.random.Generator, scale: float, weight: np.ndarray
) -> InvestorPool:
    """Investors' capital, risk aversion, home country and the shared base allocation."""
    v = values
    n = max(1, round(v["investors.n_investors"] * scale))
    w_c = weight.sum(axis=1)
    outside = v["exploration.outside_weight_frac"]
    base = np.append(w_c * (1 - outside), outside)
    cap = rng.lognormal(0, INVESTOR_CAPITAL_LOG_SD, n)
    cap *= v["investors.capital_usd_per_year"] / cap.sum()
    shape = INVESTOR_RISK_GAMMA_SHAPE
    ra = rng.gamma(shape, v["investors.risk_aversion"] / shape, n)
    home = rng.choice(len(COUNTRIES), n, p=w_c)
    return InvestorPool(cap, ra, home, base)


def reference_valuation(
    values: dict[str, Any],
    reference: dict[str, Any],
    minerals: MineralData,
    market: Market,
    governments: list[Government],
    production_t: np.ndarray,
    typical_capacity_t: np.ndarray,
    cost_per_discovery_usd: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Country rates and exploration value (K, C, M) under the calibration reference: its
    policy (government and trade levers) at the starting state and base prices, with no
    policy uncertainty. Relative exploration values are taken against it."""
    policy = {k: x for k, x in reference.items() if k.startswith(("government.", "trade."))}
    v = {**values, **policy}
    prices = market.prices_under(v, rest_of_world.price_multiple(v, minerals), production_t)
    waits = np.array([g.expected_waits_months(v) for g in governments])
    inputs = valuation.build_inputs(
        v,
        FiscalRegime.from_values(v),
        np.zeros(len(COUNTRIES)),
        prices.expected,
        waits,
        minerals,
        typical_capacity_t,
        cost_per_discovery_usd,
    )
    return inputs.country_rate_frac, valuation.exploration_value(inputs)
