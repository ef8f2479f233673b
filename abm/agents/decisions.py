"""Firms' monthly decisions, vectorised over all firms and projects.

* :func:`exploration_value` - what a dollar of exploration is worth in each (country,
  mineral) cell: expected option value of a discovery (after tax, royalties, permit
  waits, concession term, country risk and policy uncertainty) over its after-tax cost.
* :func:`explore` - budgets (producers: a share of smoothed revenue; juniors: investor
  equity) allocated over cells by a logit with calibrated base weights; discoveries.
* :func:`advance_projects` - owners advance, hold or drop projects by NPV; construction
  needs equity in cash; juniors sell approved projects they cannot finance to majors.
* :func:`produce` - output, revenue, taxes, cash, closures.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from abm.agents.firm import JUNIOR, KIND_RATE_PREMIUM, MAJOR
from abm.economics import annual_cash_flow, exploration_cost_factor, mine_npv
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import STATE_OWNER, Stage

if TYPE_CHECKING:
    from abm.model import MiningModel

_Z = np.array([NormalDist().inv_cdf((i + 0.5) / 7) for i in range(7)])  # cost quantiles


def country_rates(model: MiningModel) -> np.ndarray:
    """Discount rate by country before firm premia: hurdle + country risk + uncertainty."""
    v = model.values
    return np.array(
        [
            v["firms.hurdle_rate_frac"] + g.lever("country_risk_premium_frac") + g.uncertainty_frac
            for g in model.governments
        ]
    )


def access_mask(model: MiningModel) -> np.ndarray:
    """(C, M) share of exploration opportunity open to private firms."""
    out = np.ones((len(COUNTRIES), len(MINERALS)))
    for c, g in enumerate(model.governments):
        if not g.lever("new_concessions"):
            out[c] *= g.lever("held_ground_access_frac")
        out[c, g.reserved_mask()] = 0.0
    return out


def exploration_value(model: MiningModel) -> np.ndarray:
    """Expected value of one USD of exploration, shape (kinds, C, M)."""
    v = model.values
    data = model.minerals
    n_c, n_m = len(COUNTRIES), len(MINERALS)
    waits = np.array([g.expected_waits_months() for g in model.governments])  # (C, M)
    build = v["projects.construction_months"]
    to_build = v["projects.resource_months"] + v["projects.feasibility_months"] + waits
    to_prod = to_build + build
    conc = np.array([g.lever("concession_years") for g in model.governments])[:, None]
    life = np.minimum(v["projects.mine_life_years"], np.maximum(conc - to_prod / 12, 0.0))
    # Juniors sell what they find to a developer (a major, as in _start_construction), so a
    # discovery is worth the developer's NPV, held at the junior's dearer capital until sold.
    premium = KIND_RATE_PREMIUM.copy()
    premium[JUNIOR] = KIND_RATE_PREMIUM[MAJOR]
    rate = country_rates(model)[None, :] + premium[:, None]  # (K, C)

    shape = (3, n_c, n_m, len(_Z))
    cidx = np.broadcast_to(np.arange(n_c)[None, :, None, None], shape)
    midx = np.broadcast_to(np.arange(n_m)[None, None, :, None], shape)
    cap = model.typical_capacity_t[cidx, midx]
    base = data.price_usd_per_t[midx]
    sd = v["projects.unit_cost_frac_sd"]
    unit_cost = base * v["projects.unit_cost_frac_mean"] * np.exp(sd * _Z - sd * sd / 2)
    npv = mine_npv(
        model.fiscal,
        cidx,
        cap,
        model.market.expected_price[midx],
        unit_cost,
        v["projects.capex_years_of_revenue"] * cap * base,
        to_build[cidx, midx],
        to_prod[cidx, midx],
        life[cidx, midx],
        np.broadcast_to(rate[:, :, None, None], shape),
        data.precious[midx],
        data.critical[midx],
    )
    option = np.maximum(npv, 0.0).mean(axis=-1)  # (K, C, M)
    option[JUNIOR] *= (1.0 + KIND_RATE_PREMIUM[JUNIOR]) ** (-to_build / 12.0)  # held until sold
    cost = exploration_cost_factor(model.fiscal, v["firms.hurdle_rate_frac"], data.critical)
    return option * access_mask(model)[None] / cost[None] / model.cost_per_discovery_usd


def relative_value(model: MiningModel) -> np.ndarray:
    """Exploration value relative to the calibration reference, (kinds, C, M)."""
    ev = exploration_value(model)
    ref = model.reference_value
    return np.divide(ev, ref, out=np.zeros_like(ev), where=ref > 0)


def explore(model: MiningModel, rel: np.ndarray) -> np.ndarray:
    """Allocate firms' budgets, draw discoveries; returns private spend (C, M) this month."""
    v = model.values
    fa = model.firm_arrays
    n_c, n_m = len(COUNTRIES), len(MINERALS)
    beta = v["firms.npv_response"]
    resp = np.power(np.maximum(rel, 0.0), beta)  # (K, C, M)
    base = model.base_cell_weight  # (C, M)

    producers = np.flatnonzero(fa.kind != JUNIOR)
    budget = v["firms.exploration_frac_of_revenue"] * fa.revenue_usd_per_year[producers] / 12
    home = np.zeros((len(producers), n_c))
    home[np.arange(len(producers)), fa.home[producers]] = v["firms.home_bias_frac"]
    w = base[None] * fa.focus[producers][:, None, :] * (1.0 + home)[:, :, None]
    w *= (1.0 - v["exploration.outside_weight_frac"]) / w.sum(axis=(1, 2), keepdims=True)
    w_resp = w * resp[fa.kind[producers]]
    total = w_resp.sum(axis=(1, 2)) + v["exploration.outside_weight_frac"]
    spend_p = budget[:, None, None] * w_resp / total[:, None, None]

    juniors = np.flatnonzero(fa.kind == JUNIOR)
    flows = model.investor_flows_usd  # (C + 1,)
    j_home = fa.home[juniors]
    n_home = np.bincount(j_home, minlength=n_c)
    j_budget = flows[j_home] / np.maximum(n_home[j_home], 1)
    wj = base[j_home] * fa.focus[juniors] * resp[JUNIOR][j_home]  # (J, M)
    sums = wj.sum(axis=1, keepdims=True)
    spend_j_m = np.divide(j_budget[:, None] * wj, sums, out=np.zeros_like(wj), where=sums > 0)
    spend_j = np.zeros((len(juniors), n_c, n_m))
    spend_j[np.arange(len(juniors)), j_home] = spend_j_m

    fa.cash_usd[producers] -= spend_p.sum(axis=(1, 2))
    spend = np.zeros((len(fa), n_c, n_m))
    spend[producers] = spend_p
    spend[juniors] = spend_j
    private = spend.sum(axis=0)
    _discover(model, spend, private)
    return private


def _discover(model: MiningModel, spend: np.ndarray, private: np.ndarray) -> None:
    """Poisson discoveries from private and state spending; owners drawn by spend share."""
    v = model.values
    rng = model.rng
    cost = model.cost_per_discovery_usd
    state = np.array([a.spend_usd for a in model.state_agencies])  # (C, M)
    lam_private = private / cost
    lam_state = state * v["exploration.state_efficiency_frac"] / cost
    n_private = rng.poisson(lam_private)
    n_state = rng.poisson(lam_state)
    model.discoveries_step = n_private + n_state
    for c, m in zip(*np.nonzero(n_private), strict=True):
        p = spend[:, c, m] / spend[:, c, m].sum()
        owners = rng.choice(len(p), size=int(n_private[c, m]), p=p)
        model.new_projects(c, m, owners)
    for c, m in zip(*np.nonzero(n_state), strict=True):
        model.new_projects(c, m, np.full(int(n_state[c, m]), STATE_OWNER))


def project_npv(model: MiningModel, idx: np.ndarray) -> np.ndarray:
    """NPV of developing projects ``idx`` from their current stage, for their owners."""
    v = model.values
    book = model.projects
    data = model.minerals
    c = book.country[idx].astype(int)
    m = book.mineral[idx].astype(int)
    stage = book.stage[idx]
    waits = np.array([g.expected_waits_months() for g in model.governments])  # (C, M)
    ahead = np.where(stage == Stage.RESOURCE, v["projects.feasibility_months"], 0.0)
    ahead = ahead + np.where(stage <= Stage.FEASIBILITY, waits[c, m], 0.0)
    to_build = ahead
    to_prod = ahead + book.build_months[idx]
    years_left = (book.concession_end_step[idx] - model.steps) / 12.0 - to_prod / 12.0
    life = np.minimum(book.life_years[idx], np.maximum(years_left, 0.0))
    owner = book.owner[idx]
    private = owner != STATE_OWNER
    premium = np.where(private, model.firm_arrays.rate_premium_frac[np.maximum(owner, 0)], 0.0)
    rate = country_rates(model)[c] + np.where(private, premium, 0.0)
    rate = rate - book.joint_venture[idx] * v["integration.joint_venture_rate_reduction_frac"]
    return mine_npv(
        model.fiscal,
        c,
        book.capacity_t[idx],
        model.market.expected_price[m],
        book.unit_cost_usd_per_t[idx],
        book.capex_usd[idx],
        to_build,
        to_prod,
        life,
        rate,
        data.precious[m],
        data.critical[m],
    )


def advance_projects(model: MiningModel) -> None:
    """Timers, owners' advance/hold/drop decisions, construction starts and completions."""
    v = model.values
    book = model.projects
    timed = book.in_stage(Stage.RESOURCE, Stage.FEASIBILITY, Stage.CONSTRUCTION)
    book.timer[timed] -= 1.0

    done = book.in_stage(Stage.CONSTRUCTION)
    done = done[book.timer[done] <= 0]
    book.stage[done] = Stage.PRODUCTION
    book.production_step[done] = model.steps
    book.life_left_years[done] = book.life_years[done]

    cand = book.in_stage(Stage.RESOURCE, Stage.FEASIBILITY, Stage.APPROVED)
    cand = cand[book.timer[cand] <= 0]
    if len(cand) == 0:
        return
    blocked = reserved_private(model, cand)
    npv = project_npv(model, cand)
    go = (npv > 0) & ~blocked
    hold = cand[~go]
    book.held[hold] += 1.0
    book.stage[hold[book.held[hold] > v["projects.drop_after_months"]]] = Stage.DROPPED

    st = book.stage[cand]
    to_feas = cand[go & (st == Stage.RESOURCE)]
    book.stage[to_feas] = Stage.FEASIBILITY
    book.held[to_feas] = 0.0
    book.timer[to_feas] = model.rng.gamma(4.0, v["projects.feasibility_months"] / 4.0, len(to_feas))
    to_permit = cand[go & (st == Stage.FEASIBILITY)]
    book.stage[to_permit] = Stage.PERMITTING
    book.held[to_permit] = 0.0
    book.timer[to_permit] = 0.0
    book.applied_step[to_permit] = model.steps
    ready = cand[go & (st == Stage.APPROVED)]
    _start_construction(model, ready[np.argsort(-npv[go & (st == Stage.APPROVED)])])


def reserved_private(model: MiningModel, idx: np.ndarray) -> np.ndarray:
    """True for private projects in ``idx`` whose mineral is reserved to the state."""
    book = model.projects
    blocked = np.zeros(len(idx), dtype=bool)
    for c, g in enumerate(model.governments):
        blocked |= (
            (book.country[idx] == c)
            & g.reserved_mask()[book.mineral[idx]]
            & (book.owner[idx] != STATE_OWNER)
        )
    return blocked


def _start_construction(model: MiningModel, ready: np.ndarray) -> None:
    """Build where the owner has the equity; juniors sell what they cannot finance."""
    v = model.values
    book = model.projects
    fa = model.firm_arrays
    equity = v["firms.equity_frac_of_capex"]
    majors = np.flatnonzero(fa.kind == MAJOR)
    for p in ready.tolist():
        owner = int(book.owner[p])
        need = equity * book.capex_usd[p]
        if owner == STATE_OWNER:
            agency = model.state_agencies[int(book.country[p])]
            if agency.fund_usd >= book.capex_usd[p]:
                agency.fund_usd -= book.capex_usd[p]
                _build(model, p)
            else:
                book.held[p] += 1.0
            continue
        if fa.cash_usd[owner] < need and fa.kind[owner] == JUNIOR and book.held[p] >= 6:
            buyer = int(majors[np.argmax(fa.cash_usd[majors])])
            if fa.cash_usd[buyer] >= need:
                book.owner[p] = buyer
                owner = buyer
        if fa.cash_usd[owner] >= need:
            fa.cash_usd[owner] -= need
            _build(model, p)
        else:
            book.held[p] += 1.0


def _build(model: MiningModel, p: int) -> None:
    book = model.projects
    book.stage[p] = Stage.CONSTRUCTION
    book.timer[p] = book.build_months[p]
    book.held[p] = 0.0


def produce(model: MiningModel) -> None:
    """Monthly output, revenue, fiscal take, firm cash and mine closures."""
    v = model.values
    book = model.projects
    data = model.minerals
    n_c, n_m = len(COUNTRIES), len(MINERALS)
    prod = book.in_stage(Stage.PRODUCTION)
    c = book.country[prod].astype(int)
    m = book.mineral[prod].astype(int)
    price = model.market.received_price[m]  # includes the strategic-reserve floor
    running = price > book.unit_cost_usd_per_t[prod]
    out_t = book.capacity_t[prod] * running / 12.0
    revenue = out_t * price
    opex = out_t * book.unit_cost_usd_per_t[prod]
    dep = book.capex_usd[prod] / np.maximum(book.life_years[prod], 1.0) / 12.0 * running
    cash, gov = annual_cash_flow(
        model.fiscal, c, revenue, opex, dep, data.precious[m], data.critical[m]
    )
    sustaining = v["firms.sustaining_capex_frac_of_revenue"] * revenue

    model.production_t = np.zeros((n_c, n_m))
    np.add.at(model.production_t, (c, m), out_t * 12.0)
    model.revenue_usd = np.zeros((n_c, n_m))
    np.add.at(model.revenue_usd, (c, m), revenue)
    reserve_top_up = out_t * model.market.floor_top_up_usd_per_t[m]  # paid by governments
    model.gov_take_usd = np.bincount(c, weights=gov - reserve_top_up, minlength=n_c)
    model.sustaining_usd = np.bincount(c, weights=sustaining, minlength=n_c)

    fa = model.firm_arrays
    owner = book.owner[prod]
    private = owner != STATE_OWNER
    firm_rev = np.bincount(owner[private], weights=revenue[private], minlength=len(fa))
    np.add.at(fa.cash_usd, owner[private], (cash - sustaining)[private])
    fa.revenue_usd_per_year += (firm_rev * 12.0 - fa.revenue_usd_per_year) / 12.0

    book.life_left_years[prod] -= 1.0 / 12.0
    book.stage[prod[book.life_left_years[prod] <= 0]] = Stage.CLOSED
