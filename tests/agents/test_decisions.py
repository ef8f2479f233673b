"""Firms' decisions: how juniors value a discovery, and the starting mines' costs."""

from __future__ import annotations

import numpy as np

from abm import MiningModel
from abm.agents.firm import kind_rate_premium
from abm.agents.valuation import JUNIOR, MAJOR, exploration_value
from abm.params.schema import COUNTRIES, MINERALS
from abm.projects import Stage


def _to_build_months(model: MiningModel) -> np.ndarray:
    v = model.values
    waits = np.array([g.expected_waits_months() for g in model.governments])
    return v["projects.resource_months"] + v["projects.feasibility_months"] + waits


def test_junior_values_a_discovery_at_the_developer_price_held_until_sold() -> None:
    model = MiningModel("baseline", rng=3, years=1)
    value = exploration_value(model.valuation_inputs())
    hold = (1.0 + kind_rate_premium(model.values)[JUNIOR]) ** (-_to_build_months(model) / 12.0)
    np.testing.assert_allclose(value[JUNIOR], value[MAJOR] * hold, rtol=1e-12)
    # Size: over the US time to build (~18 years with the permit queue) the junior's dearer
    # capital costs about 40% (hold factor ~0.59).
    us = COUNTRIES.index("US")
    assert 0.5 < hold[us].mean() < 0.75


def test_uncertainty_premium_hits_juniors_no_harder_than_majors() -> None:
    """When juniors valued mines at their own rate, +1 pp cut their value in Mexico by 90-93%
    and majors' by 54-56%."""
    model = MiningModel("baseline", rng=3, years=1)
    mx = COUNTRIES.index("MX")
    w = model.base_cell_weight[mx]
    before = (exploration_value(model.valuation_inputs())[:, mx] * w).sum(axis=1)
    model.governments[mx].uncertainty_frac += 0.01
    after = (exploration_value(model.valuation_inputs())[:, mx] * w).sum(axis=1)
    ratio = after / before
    np.testing.assert_allclose(ratio[JUNIOR], ratio[MAJOR], rtol=1e-9)
    assert 0.2 < ratio[MAJOR] < 0.95  # a premium on the discount rate lowers the value


def test_starting_mines_cover_cost_at_the_export_netback() -> None:
    model = MiningModel("baseline", rng=12, years=1)
    book, data = model.projects, model.minerals
    prod = np.flatnonzero(book.stage == Stage.PRODUCTION)
    m = book.mineral[prod].astype(int)
    freight = model.values["trade.row_freight_usd_per_t"]
    netback = data.price_usd_per_t[m] - freight * data.shipped_t_per_t[m]
    lo, hi = (model.values[f"calibration.start_unit_cost_frac_{b}"] for b in ("min", "max"))
    assert (book.unit_cost_usd_per_t[prod] <= hi * netback + 1e-9).all()
    assert (book.unit_cost_usd_per_t[prod] >= lo * netback - 1e-9).all()


def test_mexican_fluorspar_keeps_running_through_the_first_year() -> None:
    """Seed 12 used to stop all Mexican fluorspar mines: costs up to 0.8 x $470/t against a
    received $367/t (export netback $307.5/t blended with the regional netback); North
    American dependency jumped from 48% to 100%."""
    f = MINERALS.index("fluorspar")
    mx = COUNTRIES.index("MX")
    for seed in (12, 1, 2, 3):
        model = MiningModel("baseline", rng=seed, years=1)
        start = model.production_t[mx, f]
        start_dependency = model.market.last_clearing().dependency_na[f]  # the computed start
        while model.running:
            model.step()
            assert model.production_t[mx, f] > 0.9 * start, (seed, model.date)
        assert abs(model.market.dependency_na[f] - start_dependency) < 0.05
