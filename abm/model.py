"""The Mesa model: owns the random generator, builds the agents, runs the monthly schedule.

Monthly schedule (one ``step`` = one month):

1. governments apply scheduled policy changes; policy-uncertainty premia decay;
2. the market advances world prices and demand (rest-of-world export restrictions);
3. firms value exploration by (country, mineral); investors re-allocate junior equity;
4. state agencies and firms explore; discoveries become projects;
5. the integration programme designates joint ventures (if any are targeted); owners
   advance, hold or drop projects; construction starts and completes;
6. permitting offices decide applications in queue order (joint ventures, fast-tracked
   critical minerals, then the oldest) within their capacity;
7. mines produce, pay taxes and royalties; mines at the end of their life close;
8. the market clears: processing, trade, import dependency; processing plants start;
9. outcomes are recorded.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from abm.agents import decisions, integration
from abm.agents.firm import JUNIOR, MAJOR, MIDTIER, Firm, make_firms
from abm.agents.government import Government
from abm.agents.investor import Investor
from abm.agents.rest_of_world import RestOfWorld
from abm.agents.state_agency import StateAgency
from abm.economics import FiscalRegime
from abm.market import Market, ocean_freight_usd_per_t
from abm.outputs import Recorder
from abm.params.data import load_minerals
from abm.params.scenario import Scenario, load_scenario, parse_month
from abm.params.schema import COUNTRIES, MINERALS, country_key
from abm.projects import ProjectBook, Stage
from abm.reporters import model_reporters

GATE_PASS_FRAC = 0.45 ** (1 / 3)  # MinEx Consulting 2014 (pf): 45% of discoveries become mines
MINE_REVENUE_USD = 4e8  # revenue of a typical producing mine, to split national output
MIN_MINES = 3  # producing mines per producing country-mineral at the start, at least
MINERAL_FLOOR_FRAC = 0.02  # exploration weight every mineral keeps in every country


class MiningModel(mesa.Model):
    """Mining investment, exploration and import dependency in the US, Mexico and Canada.

    Args:
        scenario: a scenario name under params/scenarios/, a path, a loaded Scenario, or a
            Mesa ``Scenario`` made by :func:`abm.params.scenario.to_mesa` (carries the seed).
        years: simulated years (default: the scenario's ``simulation.years``).
        rng: seed or numpy Generator (Mesa convention); the model's only random source.
        overrides: dotted lever names to values, applied after the scenario.
        **levers: more overrides; dotted names work through ``**{"government.MX.x": v}``,
            which is how ``mesa.batch_run`` passes its parameter grid.
    """

    def __init__(
        self,
        scenario: str | Scenario = "baseline",
        *,
        years: int | None = None,
        rng: Any = None,
        overrides: dict[str, Any] | None = None,
        **levers: Any,
    ) -> None:
        mesa_scenario = None
        if isinstance(scenario, MesaScenario):  # Mesa's experimental Scenario (Mesa 4 style)
            mesa_scenario, scenario = scenario, scenario.spec
            rng = mesa_scenario.rng
        super().__init__(rng=rng, scenario=mesa_scenario)
        spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        extra = {**(overrides or {}), **levers}
        if years is not None:
            extra["simulation.years"] = years
        if extra:
            spec = spec.with_overrides(extra)
        self.spec = spec
        self.values: dict[str, Any] = dict(spec.values)
        self.reference_values = load_scenario("baseline").values  # calibration reference
        self.minerals = load_minerals()
        self.start_year, self.start_month = parse_month(self.values["simulation.start"], "scenario")
        self.n_steps = 12 * int(self.values["simulation.years"])
        self._schedule = self._schedule_by_step(spec)

        self.governments = [Government(self, c, i) for i, c in enumerate(COUNTRIES)]
        self.rest_of_world = RestOfWorld(self)
        self.state_agencies = [StateAgency(self, g) for g in self.governments]
        self.fiscal = FiscalRegime.from_values(self.values)
        self.projects = ProjectBook()
        self.scale = float(self.values["simulation.population_scale"])
        self.base_cell_weight = self._base_cell_weight()
        self._init_firms_and_mines()
        self.market = Market(self, self.production_t)
        self._init_investors()
        self.reference_value = self._reference_value()
        self._reset_flows()
        self.recorder = Recorder(self)
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        self.recorder.record()
        self.datacollector.collect(self)

    # --- set-up ---------------------------------------------------------------------
    def _schedule_by_step(self, spec: Scenario) -> dict[int, list]:
        out: dict[int, list] = {}
        for change in spec.schedule:
            y, m = parse_month(change.date, spec.name)
            step = max((y - self.start_year) * 12 + (m - self.start_month) + 1, 1)
            if step <= self.n_steps:
                out.setdefault(step, []).append(change)
        return out

    def _base_cell_weight(self) -> np.ndarray:
        """Calibrated share of NA private exploration by (country, mineral) at the start."""
        data = self.minerals
        revenue = data.production_t * data.price_usd_per_t[None, :]
        w_m = revenue / np.maximum(revenue.sum(axis=1, keepdims=True), 1.0)
        w_m = w_m + MINERAL_FLOOR_FRAC
        w_m /= w_m.sum(axis=1, keepdims=True)
        w_c = np.array(
            [self.values[country_key(c, "exploration_base_weight_frac")] for c in COUNTRIES]
        )
        w_c = w_c / w_c.sum()
        return w_c[:, None] * w_m

    def _init_firms_and_mines(self) -> None:
        v, data, rng = self.values, self.minerals, self.rng
        n = tuple(
            max(1 if k == "firms.n_majors" else 0, round(v[k] * self.scale))
            for k in ("firms.n_majors", "firms.n_midtiers", "firms.n_juniors")
        )
        self.firm_arrays = make_firms(self, n, self.base_cell_weight.sum(axis=1), len(MINERALS))
        self.firms = [Firm(self, i) for i in range(len(self.firm_arrays))]
        fa = self.firm_arrays
        producers = np.flatnonzero(fa.kind != JUNIOR)
        p_weight = np.where(fa.kind[producers] == MAJOR, 3.0, 1.0)
        p_weight /= p_weight.sum()
        typical = np.zeros((len(COUNTRIES), len(MINERALS)))
        # Mines producing in 2024 covered their operating cost at the price they could get:
        # unit costs are drawn against the export netback (base price less ocean freight of
        # the shipped tonnage), the lowest price a regional producer receives, so that the
        # starting mines are not on the margin of the freight (fluorspar: $470/t, $162.5/t).
        freight = ocean_freight_usd_per_t(self.reference_values, data)
        netback_frac = 1.0 - freight / data.price_usd_per_t
        for c in range(len(COUNTRIES)):
            for m in range(len(MINERALS)):
                q = data.production_t[c, m]
                if q <= 0:
                    continue
                k = int(
                    np.clip(round(q * data.price_usd_per_t[m] / MINE_REVENUE_USD), MIN_MINES, 40)
                )
                k = max(1, round(k * self.scale))
                caps = q * rng.dirichlet(np.full(k, 2.0))
                typical[c, m] = q / k
                self._add(
                    c,
                    m,
                    caps,
                    Stage.PRODUCTION,
                    rng.choice(producers, k, p=p_weight),
                    unit_cost_frac=rng.uniform(0.35, 0.8, k) * netback_frac[m],
                    life_left=rng.uniform(5, 40, k),
                )
        for m in range(len(MINERALS)):
            have = typical[:, m] > 0
            if have.any():
                typical[~have, m] = typical[have, m].mean()
            else:
                typical[:, m] = 0.01 * data.world_production_t[m] / self.scale
        self.typical_capacity_t = typical
        book = self.projects
        prod = book.stage == Stage.PRODUCTION
        rev = book.capacity_t[prod] * data.price_usd_per_t[book.mineral[prod]]
        fa.revenue_usd_per_year[:] = np.bincount(book.owner[prod], weights=rev, minlength=len(fa))
        self._init_pipeline()
        prod = book.stage == Stage.PRODUCTION
        self.production_t = np.zeros((len(COUNTRIES), len(MINERALS)))
        np.add.at(
            self.production_t, (book.country[prod], book.mineral[prod]), book.capacity_t[prod]
        )
        fa.cash_usd[:] = 0.5 * fa.revenue_usd_per_year

    def _init_pipeline(self) -> None:
        """Projects already in development, sized by Little's law: stock = inflow x time.

        Inflow = discoveries a year at the calibrated starting exploration spend
        (``expected_exploration_usd``) over ``cost_per_discovery``; each gate (resource,
        feasibility, permit) passes ``GATE_PASS_FRAC`` (MinEx 2014: 45% of discoveries become
        mines, i.e. 0.45 ** (1/3) per gate). Time in permitting = the review plus half again
        for the queue.
        """
        v, rng, book = self.values, self.rng, self.projects
        fa = self.firm_arrays
        inflow = self.expected_exploration_usd() / self.cost_per_discovery_usd
        juniors = np.flatnonzero(fa.kind == JUNIOR)
        producers = np.flatnonzero(fa.kind != JUNIOR)
        g = GATE_PASS_FRAC
        reference = self.reference_values  # the start is the same in every scenario
        for c, country in enumerate(COUNTRIES):
            review = reference[country_key(country, "permit_review_months")]
            months = {
                Stage.RESOURCE: (1.0, v["projects.resource_months"]),
                Stage.FEASIBILITY: (g, v["projects.feasibility_months"]),
                Stage.PERMITTING: (g * g, 1.5 * review),
                Stage.CONSTRUCTION: (g**3, v["projects.construction_months"]),
            }
            for m in range(len(MINERALS)):
                for s, (share, dur) in months.items():
                    j = int(rng.poisson(inflow[c, m] * share * dur / 12.0))
                    if j == 0:
                        continue
                    early = s in (Stage.RESOURCE, Stage.FEASIBILITY)
                    pool = juniors if early and len(juniors) and rng.random() < 0.6 else producers
                    idx = self.new_projects(c, m, rng.choice(pool, j), stage=s)
                    elapsed = rng.uniform(0, 1, j) * dur
                    if s == Stage.PERMITTING:
                        book.applied_step[idx] = -elapsed.astype(int)
                        book.timer[idx] = 0.0  # untimed stage: decided by the permit office
                    else:
                        book.timer[idx] = (
                            dur - elapsed
                            if s != Stage.CONSTRUCTION
                            else (book.build_months[idx] * (1 - rng.uniform(0, 1, j)))
                        )
                    book.discovered_step[idx] = -rng.integers(24, 180, j)
                    book.concession_end_step[idx] = book.discovered_step[idx] + 12 * 50

    def expected_exploration_usd(self) -> np.ndarray:
        """Private exploration a year at the start, (C, M): producers' budgets plus investor
        equity, less the share spent outside North America, over the calibrated weights."""
        v, fa = self.values, self.firm_arrays
        producers = fa.kind != JUNIOR
        budget = v["firms.exploration_frac_of_revenue"] * fa.revenue_usd_per_year[producers].sum()
        total = (budget + v["investors.capital_usd_per_year"]) * (
            1 - v["exploration.outside_weight_frac"]
        )
        return total * self.base_cell_weight

    def _add(
        self,
        c: int,
        m: int,
        caps: np.ndarray,
        stage: Stage,
        owners: np.ndarray,
        unit_cost_frac: np.ndarray,
        life_left: np.ndarray | None = None,
    ) -> np.ndarray:
        v, data, rng = self.values, self.minerals, self.rng
        k = len(caps)
        price = data.price_usd_per_t[m]
        life = v["projects.mine_life_years"] * rng.uniform(0.6, 1.4, k)
        conc = self.governments[c].lever("concession_years")
        return self.projects.add(
            owner=owners,
            country=np.full(k, c),
            mineral=np.full(k, m),
            stage=np.full(k, int(stage)),
            timer=np.zeros(k),
            held=np.zeros(k),
            capacity_t=caps,
            unit_cost_usd_per_t=unit_cost_frac * price,
            capex_usd=v["projects.capex_years_of_revenue"]
            * caps
            * price
            * rng.lognormal(0, 0.3, k),
            life_years=life,
            life_left_years=life if life_left is None else life_left,
            discovered_step=np.full(k, self.steps),
            applied_step=np.full(k, -1),
            production_step=np.full(k, -1),
            build_months=v["projects.construction_months"] * rng.uniform(0.7, 1.3, k),
            concession_end_step=np.full(k, self.steps + int(12 * min(conc, 150))),
            joint_venture=np.zeros(k, dtype=bool),
        )

    def new_projects(
        self, c: int, m: int, owners: np.ndarray, stage: Stage = Stage.RESOURCE
    ) -> np.ndarray:
        """Add discoveries (or starting pipeline) in country ``c``, mineral ``m``."""
        v, rng = self.values, self.rng
        k = len(owners)
        caps = self.typical_capacity_t[c, m] * rng.lognormal(-0.125, 0.5, k)
        sd = v["projects.unit_cost_frac_sd"]
        cost = v["projects.unit_cost_frac_mean"] * np.exp(rng.normal(-sd * sd / 2, sd, k))
        idx = self._add(c, m, caps, stage, owners, cost)
        self.projects.timer[idx] = rng.gamma(4.0, v["projects.resource_months"] / 4.0, k)
        return idx

    def _init_investors(self) -> None:
        v, rng = self.values, self.rng
        n = max(1, round(v["investors.n_investors"] * self.scale))
        w_c = self.base_cell_weight.sum(axis=1)
        outside = v["exploration.outside_weight_frac"]
        base = np.append(w_c * (1 - outside), outside)
        cap = rng.lognormal(0, 0.5, n)
        cap *= v["investors.capital_usd_per_year"] / cap.sum()
        ra = rng.gamma(4.0, v["investors.risk_aversion"] / 4.0, n)
        home = rng.choice(len(COUNTRIES), n, p=w_c)
        self.investors = [Investor(self, cap[i], ra[i], int(home[i]), base) for i in range(n)]

    def _reference_value(self) -> np.ndarray:
        """Exploration value under the calibration reference (baseline policy, base prices)."""
        reference = self.reference_values
        policy = {k: reference[k] for k in reference if k.startswith(("government.", "trade."))}
        own = self.values
        self.values = {**own, **policy}
        self.fiscal = FiscalRegime.from_values(self.values)
        self.market.refresh_expectations()
        self.reference_risk = decisions.country_rates(self)
        ref = decisions.exploration_value(self)
        self.values = own
        self.fiscal = FiscalRegime.from_values(self.values)
        self.market.refresh_expectations()
        return ref

    def _reset_flows(self) -> None:
        n_c, n_m = len(COUNTRIES), len(MINERALS)
        self.private_exploration_usd = np.zeros((n_c, n_m))
        self.discoveries_step = np.zeros((n_c, n_m), dtype=int)
        self.revenue_usd = np.zeros((n_c, n_m))
        self.gov_take_usd = np.zeros(n_c)
        self.sustaining_usd = np.zeros(n_c)
        self.country_attractiveness = np.ones(n_c)
        self.extra_risk_frac = np.zeros(n_c)
        self.investor_flows_usd = np.zeros(n_c + 1)

    # --- the monthly step -------------------------------------------------------------
    def step(self) -> None:
        """Advance the model by one month."""
        self._apply_schedule()
        for g in self.governments:
            g.decay_uncertainty()
        self.market.update_prices()
        rel = decisions.relative_value(self)
        w = self.base_cell_weight
        self.country_attractiveness = (rel[JUNIOR] * w).sum(1) / w.sum(1)
        self.extra_risk_frac = decisions.country_rates(self) - self.reference_risk
        for inv in self.investors:
            inv.step()
        self.investor_flows_usd = np.sum([i.monthly_flows_usd() for i in self.investors], axis=0)
        for agency in self.state_agencies:
            agency.step()
        self.private_exploration_usd = decisions.explore(self, rel)
        integration.designate_joint_ventures(self)
        decisions.advance_projects(self)
        for g in self.governments:
            g.process_permits()
        decisions.produce(self)
        self.market.clear()
        self.recorder.record()
        self.datacollector.collect(self)
        if self.steps >= self.n_steps:
            self.running = False

    def _apply_schedule(self) -> None:
        for change in self._schedule.get(self.steps, []):
            packages: dict[int, list[tuple[str, Any, Any]]] = {}
            for key, value in change.values.items():
                old = self.values[key]
                self.values[key] = value
                if key.startswith("government."):
                    c = COUNTRIES.index(key.split(".")[1])
                    packages.setdefault(c, []).append((key, old, value))
            for c, changes in packages.items():
                self.governments[c].policy_changed(changes)
        if self.steps in self._schedule:
            self.fiscal = FiscalRegime.from_values(self.values)

    # --- views used by outputs, the UI and tests ----------------------------------------
    @property
    def date(self) -> str:
        """Simulated month of the last completed step, ``YYYY-MM`` (step 0: the month before)."""
        return month_label(self.start_year, self.start_month, self.steps)

    @property
    def cost_per_discovery_usd(self) -> float:
        """Exploration per discovery; divided by the population scale, whose deposits are
        proportionally smaller, so that aggregates do not depend on the scale."""
        return self.values["exploration.cost_per_discovery_usd"] / self.scale

    def state_exploration_usd(self) -> np.ndarray:
        """State agencies' exploration spending this month, (C, M)."""
        return np.array([a.spend_usd for a in self.state_agencies])

    def kind_counts(self) -> dict[str, int]:
        """Number of firms by kind."""
        k = self.firm_arrays.kind
        return {
            "major": int((k == MAJOR).sum()),
            "midtier": int((k == MIDTIER).sum()),
            "junior": int((k == JUNIOR).sum()),
        }


def month_label(start_year: int, start_month: int, step: int) -> str:
    """``YYYY-MM`` of ``step`` (step 1 = the start month; step 0 = the month before)."""
    index = start_year * 12 + (start_month - 1) + step - 1
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
