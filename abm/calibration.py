"""The calibrated starting state (December 2024): firms, mines, pipeline, investors, weights.

Built from an explicit reference scenario (``simulation.calibration_reference``, recorded in
every resolved scenario), the calibration tables (``params/minerals.toml``) and the model's
generator. The start is the same in every scenario with the same reference and seed: policy
scenarios differ from the reference in what happens after the start, not in the start.

Draws happen in a fixed order (firms, mines by country and mineral, pipeline, investors), so
the same seed gives the same starting state to the bit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from abm import byproducts, deposits, known_assets
from abm.agents import rest_of_world, valuation
from abm.agents.firm import FirmArrays, make_firms
from abm.agents.government import Government
from abm.agents.investor import InvestorPool
from abm.agents.valuation import JUNIOR, MAJOR
from abm.deposits import DepositFactory
from abm.economics import FiscalRegime
from abm.market import Market, ocean_freight_usd_per_t
from abm.params.data import MineralData
from abm.params.scenario import load_scenario, parse_month, resolve_path
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
# Known mines covering all but this share of a cell's output leave no synthetic remainder
# (USGS national figures are rounded; ASSUMPTION, range 0.005-0.05).
REMAINDER_TOL_FRAC = 0.02


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
    country shares of the world budget (S&P 2023) times each country's 2024 output value;
    none for by-products (gallium, germanium, bismuth, molybdenum: :mod:`abm.byproducts`)."""
    revenue = minerals.production_t * minerals.price_usd_per_t[None, :]
    w_m = revenue / np.maximum(revenue.sum(axis=1, keepdims=True), 1.0)
    w_m = w_m + MINERAL_FLOOR_FRAC
    w_m[:, byproducts.host_index(minerals) >= 0] = 0.0  # no pure by-product deposits
    w_m /= w_m.sum(axis=1, keepdims=True)
    w_c = np.array([values[country_key(c, "exploration_base_weight_frac")] for c in COUNTRIES])
    w_c = w_c / w_c.sum()
    return w_c[:, None] * w_m


def known_resource(minerals: MineralData) -> np.ndarray:
    """(C, M) True where a country has a known resource of a mineral: USGS 2024 reserves or
    mine output, or a mine or project of ``params/known_projects.csv`` (any stage)."""
    have = (minerals.reserves_t > 0) | (minerals.production_t > 0)
    c, m = known_assets.known_cells()
    have = have.copy()
    have[c, m] = True
    return have


def discovery_rate_frac(values: dict[str, Any], minerals: MineralData) -> np.ndarray:
    """(C, M) discoveries per dollar relative to a cell with a known resource: 1 there,
    ``exploration.no_resource_discovery_frac`` where none is known."""
    rare = values["exploration.no_resource_discovery_frac"]
    return np.where(known_resource(minerals), 1.0, rare)


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
    book.host_of = byproducts.host_index(minerals)
    book.host_reference_t = np.array(minerals.production_t)
    book.world_recovery_t_per_t = byproducts.world_recovery_t_per_t(minerals, book.host_of)
    _starting_mines(values, reference, minerals, rng, scale, fa, factory)
    known_assets.link_co_products(book)
    prod = (book.stage == Stage.PRODUCTION) & ~book.idle
    rev = book.capacity_t[prod] * minerals.price_usd_per_t[book.mineral[prod]]
    fa.revenue_usd_per_year[:] = np.bincount(book.owner[prod], weights=rev, minlength=len(fa))
    factory.discovery_rate_frac = discovery_rate_frac(values, minerals)
    factory.unit_cost_shift_frac = deposits.reserve_cost_shift_frac(
        deposits.reserve_life_years(minerals),
        weight,
        values["projects.unit_cost_reserve_life_elasticity"],
    )
    inflow = factory.discovery_rate_frac * expected_exploration_usd(values, fa, weight)
    inflow /= cost_per_discovery_usd
    _pipeline(values, reference, rng, fa, factory, inflow)
    _new_deposit_size(values, factory)
    prod = (book.stage == Stage.PRODUCTION) & ~book.idle
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
    """Each country's 2024 output of each mineral: the known producing mines as themselves
    (:mod:`abm.known_assets`), synthetic mines for the remainder.

    Known mines keep their sourced output (scaled down pro rata where they exceed the
    national figure, which USGS rounds) and capex, and a remaining life of
    ``calibration.known_mine_life_left_years`` (no random closure). Synthetic mines split the
    remainder by a Dirichlet draw, with lives drawn between the calibration bounds.

    Mines producing in 2024 covered their operating cost at the price they could get: unit
    costs are drawn against the export netback (base price less ocean freight of the shipped
    tonnage), the lowest price a regional producer receives, so that the starting mines are
    not on the margin of the freight (fluorspar: $470/t, $162.5/t).
    """
    v = values
    producers = np.flatnonzero(fa.kind != JUNIOR)
    p_weight = _producer_weight(v, fa)
    typical = factory.typical_capacity_t
    freight = ocean_freight_usd_per_t(reference, minerals)
    netback_frac = 1.0 - freight / minerals.price_usd_per_t
    lo_n, hi_n = v["calibration.min_mines_per_cell"], v["calibration.max_mines_per_cell"]
    cost_lo, cost_hi = (v[f"calibration.start_unit_cost_frac_{b}"] for b in ("min", "max"))
    life_lo, life_hi = (v[f"calibration.start_life_left_years_{b}"] for b in ("min", "max"))
    year0, _ = parse_month(v["simulation.start"], "simulation.start")
    known = known_assets.producing_records(year0)
    known_life = v["calibration.known_mine_life_left_years"]
    mine_revenue = v["calibration.mine_revenue_usd"]
    for c, country in enumerate(COUNTRIES):
        conc = v[country_key(country, "concession_years")]
        for m in range(len(MINERALS)):
            q0 = minerals.production_t[c, m]
            if q0 <= 0:
                continue
            rows = known.get((c, m), ())
            k_known = len(rows)
            q = q0
            # A typical deposit: national output over the number of mines the synthetic rule
            # would split it into (known mines do not change the size of new discoveries).
            k_rule = np.clip(round(q0 * minerals.price_usd_per_t[m] / mine_revenue), lo_n, hi_n)
            typical[c, m] = q0 / max(1, round(k_rule * scale))
            if k_known:
                t = np.array([r["t_per_year"] for r in rows], dtype=float)
                fills = t.sum() >= q0 * (1.0 - REMAINDER_TOL_FRAC)
                caps = t * (q0 / t.sum()) if fills else t
                owners = rng.choice(producers, k_known, p=p_weight)
                cost = rng.uniform(cost_lo, cost_hi, k_known) * netback_frac[m]
                _place_known(v, factory, c, m, rows, caps, owners, cost, conc, known_life, year0)
                if fills:
                    continue
                q = q0 - caps.sum()
            revenue = q * minerals.price_usd_per_t[m]
            lo = 1 if k_known else lo_n
            k = int(np.clip(round(revenue / mine_revenue), lo, hi_n))
            k = max(1, round(k * scale))
            caps = q * rng.dirichlet(np.full(k, v["calibration.mine_size_concentration"]))
            idx = factory.add(
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
            # The remainder of a by-product is recovered from the host, where there is one.
            factory.book.host_scaled[idx] = _recovered(factory.book, c, m, None)
    absent = v["calibration.absent_deposit_frac_of_world"]
    for m in range(len(MINERALS)):
        have = typical[:, m] > 0
        if have.any():
            typical[~have, m] = typical[have, m].mean()
        else:
            typical[:, m] = absent * minerals.world_production_t[m] / scale
    _idle_known_mines(v, rng, factory, producers, p_weight, known_life, year0)


def _idle_known_mines(
    values: dict[str, Any],
    rng: np.random.Generator,
    factory: DepositFactory,
    producers: np.ndarray,
    p_weight: np.ndarray,
    known_life: float,
    year0: int,
) -> None:
    """Known mines on care and maintenance in 2025 with a sourced size
    (:func:`known_assets.idle_at_start`; none today: Endako, Nechalacho and St. Lawrence have
    no capacity in the sources) start idle: no 2024 output, the holding cost, the model's
    restart rule.

    They were idle at 2024 prices, so their unit cost lies between the 2024 price and the
    restart threshold: U(1, 1 + ``projects.restart_margin_frac``) x price; a restart needs the
    expected price to clear that cost by the margin.
    """
    margin = values["projects.restart_margin_frac"]
    for (c, m), rows in sorted(known_assets.idle_records(year0).items()):
        k = len(rows)
        caps = np.array([r["t_per_year"] for r in rows], dtype=float)
        owners = rng.choice(producers, k, p=p_weight)
        cost = rng.uniform(1.0, 1.0 + margin, k)
        conc = values[country_key(COUNTRIES[c], "concession_years")]
        idx = _place_known(values, factory, c, m, rows, caps, owners, cost, conc, known_life, year0)
        factory.book.idle[idx] = True


def _place_known(
    values: dict[str, Any],
    factory: DepositFactory,
    c: int,
    m: int,
    rows: tuple[dict, ...],
    caps: np.ndarray,
    owners: np.ndarray,
    unit_cost_frac: np.ndarray,
    concession_years: float,
    known_life: float,
    year0: int,
) -> np.ndarray:
    """Add known mines ``rows`` of cell (c, m) in production with capacities ``caps``, their
    sourced capex and support, and the known mines' remaining life; returns their rows."""
    k = len(rows)
    idx = factory.add(
        c,
        m,
        caps,
        Stage.PRODUCTION,
        owners,
        unit_cost_frac=unit_cost_frac,
        step=0,
        concession_years=concession_years,
        life_left=np.full(k, known_life),
    )
    for i, row in zip(idx.tolist(), rows, strict=True):
        known_assets.apply_sourced(values, factory.book, i, row, year0)
        factory.book.host_scaled[i] = _recovered(factory.book, c, m, row)
    factory.book.life_years[idx] = np.maximum(factory.book.life_years[idx], known_life)
    return idx


def _new_deposit_size(values: dict[str, Any], factory: DepositFactory) -> None:
    """The typical deposit found from the first month on follows the cell's known projects
    (:func:`deposits.known_deposit_size_t`, in place, so valuation sees it too).

    Applied after the starting pipeline is drawn: the start reproduces December 2024 whatever
    the rule for new deposits. Its synthetic projects fill the stock the sourced known
    projects (already in as themselves) leave, at the output-based size the starting mines
    are calibrated with; sizing that fill at the known projects' median would count the
    listed, mostly large projects twice and change the capacity commissioned in 2025.
    """
    size, _ = deposits.known_deposit_size_t(
        known_assets.known_table(),
        factory.typical_capacity_t,
        values["exploration.known_deposit_size_max_ratio"],
    )
    factory.typical_capacity_t[:] = size


def _recovered(book: ProjectBook, c: int, m: int, row: Any) -> bool:
    """Whether a starting row of mineral ``m`` in country ``c`` is a by-product recovery
    circuit: ``m`` has a host with output in ``c``, and the row is not a known primary mine
    (Climax, NICO ...) or a by-product of a host the model does not have (alumina)."""
    h = book.host_of[m]
    if h < 0 or book.host_reference_t[c, h] <= 0:
        return False
    return row is None or (bool(row["byproduct"]) and row["host_mineral"] == MINERALS[h])


def _producer_weight(values: dict[str, Any], fa: FirmArrays) -> np.ndarray:
    """Probability that each producer (not junior) owns a given starting mine or known project:
    majors ``calibration.major_mine_weight`` times a mid-tier's."""
    kind = fa.kind[fa.kind != JUNIOR]
    w = np.where(kind == MAJOR, values["calibration.major_mine_weight"], 1.0)
    return w / w.sum()


def _pipeline(
    values: dict[str, Any],
    reference: dict[str, Any],
    rng: np.random.Generator,
    fa: FirmArrays,
    factory: DepositFactory,
    inflow: np.ndarray,
) -> None:
    """Projects already in development: the known projects at their stage and dates, and
    synthetic ones filling the stock Little's law gives: stock = inflow x time.

    Inflow = discoveries a year at the calibrated starting exploration spend over the cost
    per discovery; each gate (resource, feasibility, permit) passes ``GATE_PASS_FRAC``. Time
    in permitting = the reference review times ``calibration.pipeline_permit_time_multiple``
    (the queue adds to the review). Known projects count toward each stage's stock; with
    ``calibration.synthetic_late_pipeline = "unknown_cells"`` a cell with a known project in
    development gets no synthetic permitting or construction projects.
    """
    v, book = values, factory.book
    juniors = np.flatnonzero(fa.kind == JUNIOR)
    producers = np.flatnonzero(fa.kind != JUNIOR)
    g = GATE_PASS_FRAC
    junior_share = v["calibration.junior_early_stage_share_frac"]
    age_lo, age_hi = (int(v[f"calibration.pipeline_age_months_{b}"]) for b in ("min", "max"))
    term_months = 12 * int(v["calibration.pipeline_concession_years"])
    n_known = _known_pipeline(v, reference, rng, fa, factory)
    known_cells = {(c, m) for c, m, _ in n_known}
    late_everywhere = v["calibration.synthetic_late_pipeline"] == "all"
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
                j = max(j - n_known.get((c, m, s), 0), 0)
                late = s in (Stage.PERMITTING, Stage.CONSTRUCTION)
                if late and not late_everywhere and (c, m) in known_cells:
                    j = 0  # the known table is this cell's late pipeline
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


def _known_pipeline(
    values: dict[str, Any],
    reference: dict[str, Any],
    rng: np.random.Generator,
    fa: FirmArrays,
    factory: DepositFactory,
) -> dict[tuple[int, int, int], int]:
    """Add the known projects in development (:func:`known_assets.pipeline_at_start`) at
    their stage, owned by producers; returns their count by (country, mineral, stage).

    Timers follow the announced start where there is one: a project under construction
    produces from the sixth month of its start year; an approved project's build takes the
    months to its start (within 0.5-1.5 x ``projects.construction_months``), so it produces
    then if its owner finances it now; feasibility and resource studies end in time for the
    permit review and the build to meet the start. Without an announced start the timers are
    drawn as for the synthetic pipeline. Capacity is the sourced one, or the cell's typical
    deposit where the sources give none (a gap), at most the median sourced capacity of the
    known projects in development of that mineral (a cell whose output is one large mine,
    like US rare earths, would otherwise give every gap that mine's size). Capex is the sourced
    one where given.
    """
    v, book = values, factory.book
    year0, month0 = parse_month(v["simulation.start"], "simulation.start")
    recovered = tuple(
        MINERALS[b]
        for b in np.flatnonzero(book.host_of >= 0)
        if MINERALS[b] not in byproducts.REFINERY_BYPRODUCTS  # plants of the plant table
    )
    rows = known_assets.pipeline_records(year0, recovered)
    producers = np.flatnonzero(fa.kind != JUNIOR)
    p_weight = _producer_weight(v, fa)
    build = v["projects.construction_months"]
    feas = v["projects.feasibility_months"]
    age_lo, age_hi = (int(v[f"calibration.pipeline_age_months_{b}"]) for b in ("min", "max"))
    term_months = 12 * int(v["calibration.pipeline_concession_years"])
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows:
        c, m = int(row["c"]), int(row["m"])
        review = known_assets.permit_review_months(reference, c)
        ahead = known_assets.months_to_start(row["start_year"], year0, month0)
        if year0 >= known_assets.TABLE_YEAR:
            stage = Stage[row["stage"]]
            left = known_assets.left_in_stage(stage, ahead, build, review, feas)
        else:
            stage, left = known_assets.staged_by_start(ahead, build, review, feas)
        cap = row["t_per_year"]
        if not cap > 0:
            cap = min(factory.typical_capacity_t[c, m], row["gap_t"])
        conc = v[country_key(COUNTRIES[c], "concession_years")]
        owner = rng.choice(producers, 1, p=p_weight)
        cost = factory.unit_cost_frac(1, c, m)
        p = int(factory.add(c, m, np.array([cap]), stage, owner, cost, 0, conc)[0])
        known_assets.apply_sourced(v, book, p, row, year0)
        book.host_scaled[p] = _recovered(book, c, m, row)
        _known_timer(v, book, p, stage, left, review, rng)
        book.discovered_step[p] = -rng.integers(age_lo, age_hi)
        book.concession_end_step[p] = book.discovered_step[p] + term_months
        key = (c, m, int(stage))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _known_timer(
    v: dict[str, Any],
    book: ProjectBook,
    p: int,
    stage: Stage,
    left_months: float,
    review_months: float,
    rng: np.random.Generator,
) -> None:
    """Timers of known project ``p`` with ``left_months`` to go in ``stage`` before it moves
    on in time for its announced start (approved: the build; NaN: no announced start, drawn
    as for the synthetic pipeline)."""
    build = v["projects.construction_months"]
    timed = not np.isnan(left_months)
    if stage == Stage.CONSTRUCTION:
        book.timer[p] = max(left_months, 1.0) if timed else book.build_months[p] * rng.random()
    elif stage == Stage.APPROVED:
        if timed:
            # built from the first month at the earliest: production one step after the build
            book.build_months[p] = np.clip(left_months - 1.0, 0.5 * build, 1.5 * build)
        book.timer[p] = 0.0
    elif stage == Stage.PERMITTING:
        book.timer[p] = 0.0  # decided by the permit office
        waited = review_months - left_months if timed else rng.random() * review_months
        book.applied_step[p] = -int(np.clip(waited, 0.0, review_months))
    else:
        key = "feasibility_months" if stage == Stage.FEASIBILITY else "resource_months"
        dur = v["projects." + key]
        book.timer[p] = np.clip(left_months, 1.0, dur) if timed else dur * rng.random()


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
    unit_cost_shift_frac: np.ndarray,
    base_weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Country rates and exploration value (K, C, M) under the calibration reference: its
    policy (government and trade levers) at the starting state and base prices, with no
    policy uncertainty. Relative exploration values are taken against it.

    The reference values new deposits on one cost curve, scaled by firm kind and country
    (:func:`within_country_scale`) so that each country's exploration at the calibrated
    weights is what it was: the reserve-life cost shift (``unit_cost_shift_frac``) moves
    exploration from the start toward a country's minerals with longer reserve life (the base
    weights split a country's budget by 2024 output value, which does not see reserves), not
    between countries, whose shares are calibrated (S&P 2023)."""
    policy = {k: x for k, x in reference.items() if k.startswith(("government.", "trade."))}
    v = {**values, **policy}
    prices = market.prices_under(
        v, rest_of_world.price_multiple(v, minerals, reference), production_t
    )
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
        unit_cost_shift_frac,
    )
    shifted = valuation.exploration_value(inputs)
    one_curve = np.ones_like(unit_cost_shift_frac)
    flat = valuation.exploration_value(dataclasses.replace(inputs, unit_cost_shift_frac=one_curve))
    # Producers allocate by base weight x rel^npv_response over all cells; juniors' spend is
    # split within their home country (scale-free there) and their country's pull on
    # investors is the base-weighted mean of rel (abm/model.py: ``attract``).
    response = np.full(len(valuation.KINDS), values["firms.npv_response"])
    response[JUNIOR] = 1.0
    scale = within_country_scale(shifted, flat, base_weight, response)
    return inputs.country_rate_frac, flat * scale[..., None]


def within_country_scale(
    shifted: np.ndarray, flat: np.ndarray, weight: np.ndarray, response: np.ndarray
) -> np.ndarray:
    """(K, C) scale n of the one-curve reference value ``flat`` such that, with
    rel = ``shifted`` / ``flat`` and r = ``response`` (K,) the exponent each firm kind
    aggregates rel with, sum_m w (rel / n)^r = sum_m w over each country's valued cells
    (``flat`` > 0): each country's total at the calibrated weights is what it was. The
    weighted geometric mean of rel for r = 0; 1 where a country has no valued cell."""
    valued = flat > 0
    rel = np.divide(shifted, flat, out=np.ones_like(flat), where=valued)
    w = np.where(valued, weight[None], 0.0)
    total = w.sum(axis=-1)
    safe = np.maximum(total, np.finfo(float).tiny)
    r = np.asarray(response, dtype=float)[:, None]
    log_rel = np.log(np.where(rel > 0, rel, np.finfo(float).tiny))
    geometric = np.exp((w * log_rel).sum(axis=-1) / safe)
    r_safe = np.where(r > 0, r, 1.0)
    power = ((w * np.maximum(rel, 0.0) ** r_safe[..., None]).sum(axis=-1) / safe) ** (1 / r_safe)
    scale = np.where(r > 0, power, geometric)
    return np.where((total > 0) & (scale > 0), scale, 1.0)
