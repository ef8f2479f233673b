"""Firms' monthly decisions, vectorised over all firms and projects.

Each decision takes its inputs as arguments and returns what happened this month (a flows
record); the model applies it. The firms' own state (cash, smoothed revenue) and their
projects (:class:`ProjectBook`) are changed where the money moves.

* :func:`explore` - budgets (producers: a share of smoothed revenue; juniors: investor
  equity) allocated over cells by a logit with calibrated base weights; each firm's
  programme follows that target with a lag (partial adjustment); discoveries.
* :func:`advance_projects` - owners advance, hold or drop projects by NPV; construction
  needs equity in cash; juniors sell approved projects they cannot finance to majors.
* :func:`produce` - output (by-products in proportion to their host's), revenue, taxes,
  cash, closures; recovery circuits started (:mod:`abm.byproducts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from abm import byproducts
from abm.agents import valuation
from abm.agents.firm import FirmArrays
from abm.agents.government import Government
from abm.agents.state_agency import StateAgency
from abm.agents.valuation import JUNIOR, ValuationInputs
from abm.deposits import STAGE_TIME_GAMMA_SHAPE, DepositFactory, choice_by_weight
from abm.economics import FiscalRegime, annual_cash_flow
from abm.market import PriceState
from abm.params.data import MineralData
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import STATE_OWNER, ProjectBook, Stage

# Producers budget exploration on an exponential moving average of their mine revenue with a
# 12-month time constant (an annual budget cycle; ASSUMPTION, range 6-24 months).
REVENUE_SMOOTHING_MONTHS = 12


@dataclass(frozen=True)
class ExplorationFlows:
    """Exploration this month: spending (USD, by country and mineral) and discoveries."""

    private_usd: np.ndarray  # (C, M)
    state_usd: np.ndarray  # (C, M)
    discoveries: np.ndarray  # (C, M) int, private and state
    credits_usd: np.ndarray  # (C,) exploration tax credits governments paid on private spend


@dataclass(frozen=True)
class ProductionFlows:
    """Mine output and the money it moved this month (USD, by country)."""

    production_t: np.ndarray  # (C, M) annualised output rate, t/yr
    revenue_usd: np.ndarray  # (C, M) at the received price (incl. the reserve floor)
    gov_take_usd: np.ndarray  # (C,) royalties, duties and income tax less production credits
    reserve_top_up_usd: np.ndarray  # (C,) strategic-reserve floor paid by governments
    sustaining_usd: np.ndarray  # (C,) sustaining capex
    idle_mines: np.ndarray  # (C,) producing mines on care and maintenance this month


def explore(
    values: dict[str, Any],
    fa: FirmArrays,
    rel: np.ndarray,
    base_weight: np.ndarray,
    investor_flows_usd: np.ndarray,
    state_usd: np.ndarray,
    credit_rate: np.ndarray,
    cost_per_discovery_usd: float,
    rng: np.random.Generator,
    factory: DepositFactory,
    step: int,
    concession_years: np.ndarray,
    mineral_trend: np.ndarray | None = None,
) -> ExplorationFlows:
    """Allocate firms' budgets and draw discoveries (added to the book by ``factory``).

    ``rel`` (K, C, M): exploration value relative to the reference; ``investor_flows_usd``
    (C + 1,): junior equity by destination; ``state_usd`` (C, M): state agencies' spending;
    ``credit_rate`` (C, M): exploration tax credit per USD; ``mineral_trend`` (M,): each
    mineral's price trend (:meth:`abm.agents.investor.FinanceCycle.trend`; None = flat).
    Producers pay their spending net of the credit; juniors' credits go to their
    flow-through investors.
    """
    v = values
    resp = np.power(np.maximum(rel, 0.0), v["firms.npv_response"])  # (K, C, M)
    tilt = mineral_tilt(mineral_trend, v["exploration.mineral_trend_elasticity"])
    target = _target_spend(v, fa, resp, base_weight, investor_flows_usd, tilt)
    spend = _adjusted_spend(v, fa, target, base_weight, investor_flows_usd)
    producers, juniors = fa.producers, fa.juniors
    fa.cash_usd[producers] -= (spend[producers] * (1.0 - credit_rate)[None]).sum(axis=(1, 2))
    # Juniors hold the equity they raised until their programme spends it (drill contracts
    # run on after a fall in inflows, and money raised waits for the next season).
    raised = target[juniors].sum(axis=(1, 2))
    fa.cash_usd[juniors] += raised - spend[juniors].sum(axis=(1, 2))
    private = spend.sum(axis=0)
    found = _discover(
        v, spend, private, state_usd, cost_per_discovery_usd, rng, factory, step, concession_years
    )
    return ExplorationFlows(private, state_usd, found, (private * credit_rate).sum(1))


def mineral_tilt(trend: np.ndarray | None, elasticity: float) -> np.ndarray | None:
    """Each mineral's weight multiplier (M,), trend ** ``exploration.mineral_trend_elasticity``:
    exploration follows the minerals whose prices rise. None when flat (no trend, or
    elasticity 0)."""
    if trend is None or elasticity == 0:
        return None
    return np.power(np.maximum(trend, 0.0), elasticity)


def _target_spend(
    values: dict[str, Any],
    fa: FirmArrays,
    resp: np.ndarray,
    base: np.ndarray,
    investor_flows_usd: np.ndarray,
    tilt: np.ndarray | None = None,
) -> np.ndarray:
    """Spending (F, C, M) this month's budgets and cell values call for: producers spend
    ``firms.exploration_frac_of_revenue`` of smoothed revenue over all cells by calibrated
    weight x value response; juniors spend their investors' equity on their home country's
    cells. ``tilt`` (M,) moves each firm's North American spending between minerals (and a
    producer's between countries; :func:`mineral_tilt`) and keeps its total."""
    v = values
    n_c, n_m = base.shape
    producers = fa.producers
    budget = v["firms.exploration_frac_of_revenue"] * fa.revenue_usd_per_year[producers] / 12
    w = _producer_weights(fa, base, v["firms.home_bias_frac"], v["exploration.outside_weight_frac"])
    w_resp = w * resp[fa.kind[producers]]
    na_weight = w_resp.sum(axis=(1, 2))
    if tilt is not None:
        tilted = w_resp * tilt
        tilted_sum = tilted.sum(axis=(1, 2))
        scale = np.divide(na_weight, tilted_sum, out=np.ones_like(na_weight), where=tilted_sum > 0)
        # a firm whose tilted weights vanish (zero trends) keeps its untilted split
        w_resp = np.where((tilted_sum > 0)[:, None, None], tilted * scale[:, None, None], w_resp)
    total = na_weight + v["exploration.outside_weight_frac"]
    spend_p = budget[:, None, None] * w_resp / total[:, None, None]

    juniors = fa.juniors
    j_home = fa.home[juniors]
    n_home = np.bincount(j_home, minlength=n_c)
    j_budget = investor_flows_usd[j_home] / np.maximum(n_home[j_home], 1)
    wj = base[j_home] * fa.focus[juniors] * resp[JUNIOR][j_home]  # (J, M)
    if tilt is not None:
        wj = wj * tilt
    sums = wj.sum(axis=1, keepdims=True)
    spend_j_m = np.divide(j_budget[:, None] * wj, sums, out=np.zeros_like(wj), where=sums > 0)
    spend = np.zeros((len(fa), n_c, n_m))
    spend[producers] = spend_p
    spend[juniors, j_home] = spend_j_m
    return spend


def _adjusted_spend(
    values: dict[str, Any],
    fa: FirmArrays,
    target: np.ndarray,
    base: np.ndarray,
    investor_flows_usd: np.ndarray,
) -> np.ndarray:
    """This month's programmes (F, C, M): last month's moved toward ``target`` by a partial
    adjustment with half-life ``firms.exploration_budget_half_life_months`` (budgets are set
    about a year ahead, domain primer). Before the first month the programmes are the ones
    set under the calibration reference (every cell's relative value 1)."""
    prev = fa.exploration_usd_per_month
    if prev is None:
        ones = np.ones((len(valuation.KINDS), *base.shape))
        prev = _target_spend(values, fa, ones, base, investor_flows_usd)
    half_life = values["firms.exploration_budget_half_life_months"]
    keep = 0.5 ** (1.0 / half_life) if half_life > 0 else 0.0
    spend = keep * prev + (1.0 - keep) * target
    fa.exploration_usd_per_month = spend
    return spend


def _producer_weights(
    fa: FirmArrays, base: np.ndarray, home_bias: float, outside: float
) -> np.ndarray:
    """Producers' calibrated cell weights (P, C, M) before the value response: base weight x
    mineral focus x home bias, scaled to the share spent in North America. They change only
    with the two parameters, so they are computed once per value of them."""
    key = (home_bias, outside, id(base))
    if fa.weights_cache.get("key") != key:
        producers = fa.producers
        home = np.zeros((len(producers), base.shape[0]))
        home[np.arange(len(producers)), fa.home[producers]] = home_bias
        w = base[None] * fa.focus[producers][:, None, :] * (1.0 + home)[:, :, None]
        w *= (1.0 - outside) / w.sum(axis=(1, 2), keepdims=True)
        fa.weights_cache.update(key=key, weights=w)
    return fa.weights_cache["weights"]


def _discover(
    values: dict[str, Any],
    spend: np.ndarray,
    private: np.ndarray,
    state: np.ndarray,
    cost: float,
    rng: np.random.Generator,
    factory: DepositFactory,
    step: int,
    concession_years: np.ndarray,
) -> np.ndarray:
    """Poisson discoveries from private and state spending, at the cell's geological rate
    (:func:`abm.calibration.discovery_rate_frac`); owners drawn by spend share."""
    geology = factory.discovery_rate_frac  # rare where no resource is known
    lam_private = private * geology / cost
    lam_state = state * values["exploration.state_efficiency_frac"] * geology / cost
    n_private = rng.poisson(lam_private)
    n_state = rng.poisson(lam_state)
    for c, m in zip(*np.nonzero(n_private), strict=True):
        p = spend[:, c, m] / spend[:, c, m].sum()
        owners = choice_by_weight(rng, p, int(n_private[c, m]))
        factory.discover(c, m, owners, step, concession_years[c])
    for c, m in zip(*np.nonzero(n_state), strict=True):
        owners = np.full(int(n_state[c, m]), STATE_OWNER)
        factory.discover(c, m, owners, step, concession_years[c])
    return n_private + n_state


def project_npv(
    values: dict[str, Any],
    inputs: ValuationInputs,
    book: ProjectBook,
    fa: FirmArrays,
    idx: np.ndarray,
    step: int,
) -> np.ndarray:
    """NPV of developing projects ``idx`` from their current stage, for their owners."""
    c = book.country[idx].astype(int)
    m = book.mineral[idx].astype(int)
    stage = book.stage[idx]
    owner = book.owner[idx]
    private = owner != STATE_OWNER
    premium = np.where(private, fa.rate_premium_frac[np.maximum(owner, 0)], 0.0)
    reduction = book.joint_venture[idx] * values["integration.joint_venture_rate_reduction_frac"]
    reduction = reduction + book.rate_reduction_frac[idx]  # government loans (known projects)
    return valuation.project_npv(
        inputs,
        c,
        m,
        np.where(stage == Stage.RESOURCE, inputs.feasibility_months, 0.0),
        stage <= Stage.FEASIBILITY,
        book.build_months[idx],
        (book.concession_end_step[idx] - step) / 12.0,
        book.life_years[idx],
        premium,
        reduction,
        book.capacity_t[idx],
        book.unit_cost_usd_per_t[idx],
        book.capex_usd[idx],
    )


def reserved_private(governments: list[Government], book: ProjectBook, idx: np.ndarray):
    """True for private projects in ``idx`` whose mineral is reserved to the state."""
    reserved = np.array([g.reserved_mask() for g in governments])  # (C, M)
    return reserved[book.country[idx], book.mineral[idx]] & (book.owner[idx] != STATE_OWNER)


def advance_projects(
    values: dict[str, Any],
    inputs: ValuationInputs,
    book: ProjectBook,
    fa: FirmArrays,
    governments: list[Government],
    agencies: list[StateAgency],
    step: int,
    rng: np.random.Generator,
) -> None:
    """Timers, owners' advance/hold/drop decisions, construction starts and completions."""
    v = values
    timed = book.in_stage(Stage.RESOURCE, Stage.FEASIBILITY, Stage.CONSTRUCTION)
    book.timer[timed] -= 1.0

    done = book.in_stage(Stage.CONSTRUCTION)
    done = done[book.timer[done] <= 0]
    book.stage[done] = Stage.PRODUCTION
    book.production_step[done] = step
    book.life_left_years[done] = book.life_years[done]

    cand = book.in_stage(Stage.RESOURCE, Stage.FEASIBILITY, Stage.APPROVED)
    cand = cand[book.timer[cand] <= 0]
    if len(cand) == 0:
        return
    blocked = reserved_private(governments, book, cand)
    npv = project_npv(v, inputs, book, fa, cand, step)
    go = (npv > 0) & ~blocked
    hold = cand[~go]
    book.held[hold] += 1.0
    book.stage[hold[book.held[hold] > v["projects.drop_after_months"]]] = Stage.DROPPED

    st = book.stage[cand]
    to_feas = cand[go & (st == Stage.RESOURCE)]
    book.stage[to_feas] = Stage.FEASIBILITY
    book.held[to_feas] = 0.0
    shape = STAGE_TIME_GAMMA_SHAPE
    book.timer[to_feas] = rng.gamma(shape, v["projects.feasibility_months"] / shape, len(to_feas))
    to_permit = cand[go & (st == Stage.FEASIBILITY)]
    book.stage[to_permit] = Stage.PERMITTING
    book.held[to_permit] = 0.0
    book.timer[to_permit] = 0.0
    book.applied_step[to_permit] = step
    ready = cand[go & (st == Stage.APPROVED)]
    order = ready[np.argsort(-npv[go & (st == Stage.APPROVED)])]
    _start_construction(v, book, fa, agencies, order)


def _start_construction(
    values: dict[str, Any],
    book: ProjectBook,
    fa: FirmArrays,
    agencies: list[StateAgency],
    ready: np.ndarray,
) -> None:
    """Build where the owner has the equity; juniors sell what they cannot finance to the
    major with the most cash after ``firms.junior_sell_after_months`` months held."""
    equity = values["firms.equity_frac_of_capex"]
    sell_after = values["firms.junior_sell_after_months"]
    majors = fa.majors
    for p in ready.tolist():
        owner = int(book.owner[p])
        need = equity * book.capex_usd[p]
        if owner == STATE_OWNER:
            if agencies[int(book.country[p])].pay_capex(book.capex_usd[p]):
                _build(book, p)
            else:
                book.held[p] += 1.0
            continue
        if fa.cash_usd[owner] < need and fa.kind[owner] == JUNIOR and book.held[p] >= sell_after:
            buyer = int(majors[np.argmax(fa.cash_usd[majors])])
            if fa.cash_usd[buyer] >= need:
                book.owner[p] = buyer
                owner = buyer
        if fa.cash_usd[owner] >= need:
            fa.cash_usd[owner] -= need
            _build(book, p)
        else:
            book.held[p] += 1.0


def _build(book: ProjectBook, p: int) -> None:
    book.stage[p] = Stage.CONSTRUCTION
    book.timer[p] = book.build_months[p]
    book.held[p] = 0.0


def pay_studies(
    values: dict[str, Any], book: ProjectBook, fa: FirmArrays, agencies: list[StateAgency]
) -> np.ndarray:
    """Owners pay this month's resource-definition and feasibility studies:
    ``projects.study_cost_frac_of_capex`` of capex spread over the feasibility months, for
    projects in feasibility. Firms pay from cash, state agencies from their fund. Returns
    the spending by country (USD)."""
    feas = book.in_stage(Stage.FEASIBILITY)
    cost = (
        book.capex_usd[feas]
        * values["projects.study_cost_frac_of_capex"]
        / values["projects.feasibility_months"]
    )
    owner = book.owner[feas]
    private = owner != STATE_OWNER
    np.add.at(fa.cash_usd, owner[private], -cost[private])
    for p, usd in zip(feas[~private].tolist(), cost[~private].tolist(), strict=True):
        agencies[int(book.country[p])].fund_usd -= usd
    return np.bincount(book.country[feas], minlength=len(COUNTRIES), weights=cost)


def construction_spending_usd(book: ProjectBook) -> np.ndarray:
    """Mine construction capex this month by country (USD): capex spread over the build."""
    cons = book.in_stage(Stage.CONSTRUCTION)
    return np.bincount(
        book.country[cons],
        minlength=len(COUNTRIES),
        weights=book.capex_usd[cons] / book.build_months[cons],
    )


def care_and_maintenance(
    values: dict[str, Any],
    book: ProjectBook,
    fa: FirmArrays,
    prod: np.ndarray,
    smoothed: np.ndarray,
    expected: np.ndarray,
) -> np.ndarray:
    """Idle and restart decisions of producing mines ``prod``; returns which run this month.

    One rule for every mine (known or not), with hysteresis so that a mine does not switch
    off for a month and back (real mines go on care and maintenance after sustained losses,
    stay there, and restart at a cost once prices have recovered). Both decisions read the
    **smoothed** price the mine receives (``smoothed``: the 12-month average of the received
    price), not the month's:

    * a running mine counts the consecutive months in which running loses more than idling
      would cost: its cash margin at the smoothed price, smoothed - cost, below minus the
      holding cost (``projects.care_maintenance_cost_frac_of_opex`` of the operating cost a
      year, per tonne of capacity); it idles when that has lasted
      ``projects.care_maintenance_after_months``;
    * an idle mine pays the holding cost each month, stays idle at least
      ``projects.care_maintenance_min_months``, and restarts, paying
      ``projects.restart_cost_frac_of_capex`` of its capex, when the smoothed price clears
      its cost by ``projects.restart_margin_frac`` and the margin it expects (``expected``
      price - cost) pays the restart cost back within ``projects.restart_payback_months``.

    Between cost x (1 - holding) and cost x (1 + margin) a mine keeps doing what it does. A
    known mine's co-product rows (``book.primary``) idle and restart with its primary row,
    not on their own margin.
    """
    v = values
    m = book.mineral[prod]
    cost = book.unit_cost_usd_per_t[prod]
    cap = book.capacity_t[prod]
    was_idle = book.idle[prod]
    holding_frac = v["projects.care_maintenance_cost_frac_of_opex"]
    restart_usd = v["projects.restart_cost_frac_of_capex"] * book.capex_usd[prod]
    losing = smoothed[m] < cost * (1.0 - holding_frac)
    loss = np.where(~was_idle & losing, book.loss_months[prod] + 1.0, 0.0)
    to_idle = ~was_idle & (loss >= v["projects.care_maintenance_after_months"])
    served = book.idle_months[prod] >= v["projects.care_maintenance_min_months"]
    clears = smoothed[m] > cost * (1.0 + v["projects.restart_margin_frac"])
    payback_years = v["projects.restart_payback_months"] / 12.0
    pays_back = (expected[m] - cost) * cap * payback_years >= restart_usd
    restart = was_idle & served & clears & pays_back
    idle = (was_idle | to_idle) & ~restart
    book.idle[prod] = idle
    primary = book.primary[prod]
    co = primary >= 0
    if co.any():
        # A known mine's co-product rows idle and restart with its primary row.
        idle = np.where(co, book.idle[np.maximum(primary, 0)], idle)
        to_idle = ~was_idle & idle
        restart = was_idle & ~idle
        loss = np.where(co, 0.0, loss)
        book.idle[prod] = idle
    book.loss_months[prod] = np.where(to_idle, 0.0, loss)
    book.idle_months[prod] = np.where(to_idle, 1.0, book.idle_months[prod] + idle)
    owner = book.owner[prod]
    private = owner != STATE_OWNER
    pay = idle * holding_frac * cap * cost / 12.0 + restart * restart_usd
    if pay.any():
        np.add.at(fa.cash_usd, owner[private], -pay[private])
    return ~idle


def produce(
    values: dict[str, Any],
    book: ProjectBook,
    fa: FirmArrays,
    fiscal: FiscalRegime,
    minerals: MineralData,
    prices: PriceState,
) -> ProductionFlows:
    """Monthly output, revenue, fiscal take, firm cash and mine closures."""
    n_c, n_m = len(COUNTRIES), len(MINERALS)
    prod = book.in_stage(Stage.PRODUCTION)
    c = book.country[prod].astype(int)
    m = book.mineral[prod].astype(int)
    price = prices.received[m]  # includes the strategic-reserve floor
    running = care_and_maintenance(values, book, fa, prod, prices.ema, prices.expected)
    out_t = book.capacity_t[prod] * running / 12.0
    cell = c * n_m + m  # flat (country, mineral): bincount sums in the order np.add.at does
    if book.host_scaled[prod].any():  # by-products follow their host's output this month
        primary = np.where(book.host_scaled[prod], 0.0, out_t * 12.0)
        host_t = np.bincount(cell, weights=primary, minlength=n_c * n_m).reshape(n_c, n_m)
        out_t = out_t * byproducts.host_factor(book, prod, c, m, host_t)
    revenue = out_t * price
    opex = out_t * book.unit_cost_usd_per_t[prod]
    dep = book.capex_usd[prod] / np.maximum(book.life_years[prod], 1.0) / 12.0 * running
    cash, gov = annual_cash_flow(
        fiscal, c, revenue, opex, dep, minerals.precious[m], minerals.critical[m]
    )
    sustaining = values["firms.sustaining_capex_frac_of_revenue"] * revenue

    production_t = np.bincount(cell, weights=out_t * 12.0, minlength=n_c * n_m).reshape(n_c, n_m)
    revenue_cm = np.bincount(cell, weights=revenue, minlength=n_c * n_m).reshape(n_c, n_m)
    top_up = out_t * prices.floor_top_up[m]  # paid by governments
    gov_take = np.bincount(c, weights=gov, minlength=n_c)
    reserve = np.bincount(c, weights=top_up, minlength=n_c)

    owner = book.owner[prod]
    private = owner != STATE_OWNER
    firm_rev = np.bincount(owner[private], weights=revenue[private], minlength=len(fa))
    np.add.at(fa.cash_usd, owner[private], (cash - sustaining)[private])
    fa.revenue_usd_per_year += (
        firm_rev * 12.0 - fa.revenue_usd_per_year
    ) / REVENUE_SMOOTHING_MONTHS

    # Reserves are depleted by output: an idle mine's life does not run down.
    book.life_left_years[prod] -= running / 12.0
    book.stage[prod[book.life_left_years[prod] <= 0]] = Stage.CLOSED
    byproducts.invest_in_recovery(
        values,
        book,
        fa.cash_usd,
        minerals,
        prices.expected,
        fiscal.production_credit_frac,
        production_t,
    )
    sustaining_c = np.bincount(c, weights=sustaining, minlength=n_c)
    idle_c = np.bincount(c, weights=(~running).astype(float), minlength=n_c)
    return ProductionFlows(production_t, revenue_cm, gov_take, reserve, sustaining_c, idle_c)
