"""The Mesa model: owns the random generator, wires the agents, runs the monthly schedule.

Monthly schedule (one ``step`` = one month):

1. governments apply scheduled policy changes; policy-uncertainty premia decay;
2. the rest of the world sets its offer (export restrictions, their decay, other
   producers' response); the market advances world prices and demand;
3. firms value exploration by (country, mineral); investors re-allocate junior equity;
4. state agencies and firms explore; discoveries become projects;
5. the integration programme designates joint ventures (if any are targeted); owners
   advance, hold or drop projects; construction starts and completes;
6. permitting offices decide applications in queue order (joint ventures, fast-tracked
   critical minerals, then the oldest) within their capacity;
7. mines produce, pay taxes and royalties; mines at the end of their life close;
8. the market clears quantities: regional supply, imports up to the offer, a scarcity
   price and rationing when short; processing plants start where they pay;
9. the month's flows are recorded.

The starting state comes from :mod:`abm.calibration`; valuation from
:mod:`abm.agents.valuation`; decisions return flows (:mod:`abm.agents.decisions`) that the
model assembles into a :class:`abm.flows.MonthFlows` record.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from abm import calibration, known_assets
from abm.agents import decisions, integration, valuation
from abm.agents.firm import Firm
from abm.agents.government import Government, apply_policy_changes, expected_waits
from abm.agents.investor import FinanceCycle, Investor
from abm.agents.rest_of_world import RestOfWorld
from abm.agents.state_agency import StateAgency
from abm.agents.valuation import JUNIOR, ValuationInputs
from abm.economics import FiscalRegime, exploration_credit_rate
from abm.flows import MonthFlows
from abm.market import PRICE_AVERAGE_MONTHS, Market, PriceState
from abm.outputs import Recorder
from abm.params.data import load_minerals
from abm.params.scenario import Scenario, load_scenario, parse_month
from abm.params.schema import COUNTRIES, python_scalar
from abm.projects import ProjectBook, Stage
from abm.reporters import model_reporters
from abm.timeseries import month_label


class MiningModel(mesa.Model):
    """Mining investment, exploration and import dependency in the US, Mexico and Canada.

    Args:
        scenario: a scenario name under params/scenarios/, a path, a loaded Scenario, or a
            Mesa ``Scenario`` made by :func:`abm.params.scenario.to_mesa` (carries the seed).
        years: simulated years (default: the scenario's ``simulation.years``).
        rng: seed (a Python or numpy integer) or numpy Generator (Mesa convention); the
            model's only random source.
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
        # a numpy integer seed (EMA, SALib, pandas) is the same seed as the Python int
        super().__init__(rng=python_scalar(rng), scenario=mesa_scenario)
        spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        extra = {**(overrides or {}), **levers}
        if years is not None:
            extra["simulation.years"] = years
        if extra:
            spec = spec.with_overrides(extra)
        self.spec = spec
        self.values: dict[str, Any] = values_table(spec.values)
        v = self.values
        self.reference_values = calibration.reference_values(v["simulation.calibration_reference"])
        self.minerals = load_minerals(table=v["simulation.minerals_table"])
        self.start_year, self.start_month = parse_month(v["simulation.start"], "scenario")
        self.n_steps = 12 * int(v["simulation.years"])
        self._schedule = self._schedule_by_step(spec)
        self.scale = float(v["simulation.population_scale"])
        self.fiscal = FiscalRegime.from_values(v)
        self.projects = ProjectBook()

        crit = self.minerals.critical
        self.governments = [
            Government(self, c, i, v, self.projects, crit, self.scale)
            for i, c in enumerate(COUNTRIES)
        ]
        self.rest_of_world = RestOfWorld(self, v, self.minerals, self.reference_values)
        self.state_agencies = [StateAgency(self, g) for g in self.governments]
        start, self.deposits = calibration.build_start(
            v,
            self.reference_values,
            self.minerals,
            self.rng,
            self.scale,
            self.projects,
            self.cost_per_discovery_usd,
        )
        self.firm_arrays = start.firm_arrays
        self.base_cell_weight = start.base_cell_weight
        self.typical_capacity_t = start.typical_capacity_t
        self.production_t = start.production_t
        self.firms = [Firm(self, i) for i in range(len(self.firm_arrays))]
        self.market = Market(
            v,
            self.reference_values,
            self.minerals,
            self.production_t,
            self.rng.spawn(1)[0],
            (self.start_year, self.start_month),
            self.n_steps,
        )
        self.investor_pool = start.investors
        self.investors = [Investor(self, start.investors, i) for i in range(len(start.investors))]
        self.finance = FinanceCycle(self.base_cell_weight.sum(axis=0), PRICE_AVERAGE_MONTHS)
        self.finance.warm(v, self.market.price_path.observed_before_start_usd_per_t())
        self.reference_rate_frac, self.reference_value = calibration.reference_valuation(
            v,
            self.reference_values,
            self.minerals,
            self.market,
            self.governments,
            self.production_t,
            self.typical_capacity_t,
            self.cost_per_discovery_usd,
            self.deposits.unit_cost_shift_frac,
            self.base_cell_weight,
        )
        self.market.refresh_expectations(v, self.rest_of_world.price_multiple(), self.production_t)
        self.flows = MonthFlows.before_start(self.production_t, self.market.last_clearing())
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

    def valuation_inputs(self, prices: PriceState | None = None) -> ValuationInputs:
        """What valuations read now: current levers, premia, permit queues and prices."""
        return valuation.build_inputs(
            self.values,
            self.fiscal,
            np.array([g.uncertainty_frac for g in self.governments]),
            (prices or self.market.prices).expected,
            expected_waits(self.governments, self.projects),
            self.minerals,
            self.typical_capacity_t,
            self.cost_per_discovery_usd,
            self.deposits.unit_cost_shift_frac,
        )

    # --- the monthly step -------------------------------------------------------------
    def step(self) -> None:
        """Advance the model by one month."""
        v, book, fa, rng = self.values, self.projects, self.firm_arrays, self.rng
        self._apply_schedule()
        for g in self.governments:
            g.decay_uncertainty()
        offer = self.rest_of_world.step_offer()
        prices = self.market.update_prices(v, self.steps, offer, self.production_t)
        inputs = self.valuation_inputs(prices)
        rates = inputs.country_rate_frac
        rel = valuation.relative_value(valuation.exploration_value(inputs), self.reference_value)
        w = self.base_cell_weight
        attract = (rel[JUNIOR] * w).sum(1) / w.sum(1)
        self.investor_pool.step(v, attract, rates - self.reference_rate_frac)
        investor_flows = self.investor_pool.monthly_flows_usd(self.finance.step(v, prices.world))
        state = np.array([a.step(book, w[a.government.index]) for a in self.state_agencies])
        explo = decisions.explore(
            v,
            fa,
            rel,
            w,
            investor_flows,
            state,
            exploration_credit_rate(self.fiscal, self.minerals.critical),
            self.cost_per_discovery_usd,
            rng,
            self.deposits,
            self.steps,
            inputs.concession_years,
            self.finance.trend(),
        )

        self.designate_joint_ventures(inputs)
        now = self._with_current_waits(inputs)
        decisions.advance_projects(
            v, now, book, fa, self.governments, self.state_agencies, self.steps, rng
        )
        for g in self.governments:
            g.process_permits(self.steps, rng)
        prod = decisions.produce(v, book, fa, self.fiscal, self.minerals, prices)
        self.production_t = prod.production_t
        review = np.array([g.lever("permit_review_months") for g in self.governments])
        clearing = self.market.clear(
            self.production_t,
            v,
            self.steps,
            review,
            offer,
            (rates, self.reference_rate_frac),
            known_assets.commissioned_integrated_t(book),
        )
        study = decisions.pay_studies(v, book, fa, self.state_agencies)
        build = decisions.construction_spending_usd(book)
        self.flows = MonthFlows(explo, prod, clearing, study, build, investor_flows)
        self.recorder.record()
        self.datacollector.collect(self)
        if self.steps >= self.n_steps:
            self.running = False

    def designate_joint_ventures(self, inputs: ValuationInputs | None = None) -> np.ndarray:
        """The integration programme designates joint ventures up to its target."""
        inputs = inputs or self.valuation_inputs()
        book = self.projects

        def blocked(idx: np.ndarray) -> np.ndarray:
            return decisions.reserved_private(self.governments, book, idx)

        target = round(self.values["integration.joint_venture_projects"] * self.scale)
        npv = lambda idx: self.project_npv(idx, inputs)  # noqa: E731
        return integration.designate_joint_ventures(
            target, book, self.minerals.critical, blocked, npv
        )

    def _with_current_waits(self, inputs: ValuationInputs) -> ValuationInputs:
        """The month's inputs with permit waits as the queues stand now (projects enter and
        leave the queues during the month)."""
        waits = expected_waits(self.governments, self.projects)
        return dataclasses.replace(inputs, waits_months=waits)

    def project_npv(self, idx: np.ndarray, inputs: ValuationInputs | None = None) -> np.ndarray:
        """Owners' NPV of developing projects ``idx`` now (permit queues as they stand)."""
        now = self._with_current_waits(inputs or self.valuation_inputs())
        return decisions.project_npv(
            self.values, now, self.projects, self.firm_arrays, idx, self.steps
        )

    def new_projects(self, c: int, m: int, owners: np.ndarray, stage: Stage = Stage.RESOURCE):
        """Add deposits in country ``c``, mineral ``m`` now (tests and what-if analyses)."""
        conc = valuation.concession_years(self.values)[c]
        return self.deposits.discover(c, m, owners, self.steps, conc, stage)

    def _apply_schedule(self) -> None:
        changes = self._schedule.get(self.steps, [])
        if changes:
            apply_policy_changes(self.values, changes, self.governments)
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


def values_table(values: dict[str, Any]) -> dict[str, Any]:
    """The model's own, live parameter table (scheduled changes are written into it).
    A seam for tests that trace which parameters the model reads."""
    return dict(values)
