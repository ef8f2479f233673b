"""State exploration agencies spend only what their fund holds."""

from __future__ import annotations

import numpy as np

from abm import MiningModel

RESERVE = {"government.MX.state_reserved_minerals": ["lithium", "silver"]}


def _mexican_agency(model: MiningModel):
    return next(a for a in model.state_agencies if a.government.index == 1)


def test_an_overdrawn_agency_explores_nothing_until_its_budget_repays_the_studies() -> None:
    model = MiningModel("baseline", rng=4, years=1, overrides=RESERVE)
    agency = _mexican_agency(model)
    monthly = agency.government.lever("state_exploration_budget_usd") / 12.0
    assert monthly > 0
    agency.fund_usd = -2.5 * monthly  # studies paid from the fund overdrew it
    w = model.base_cell_weight[1]
    spent = [agency.step(model.projects, w).sum() for _ in range(3)]
    assert spent[:2] == [0.0, 0.0]  # still overdrawn after one and two months of budget
    assert 0.0 < spent[2] <= monthly  # the third month's budget clears the debt
    assert np.all(agency.step(model.projects, w) >= 0.0)


def test_reserving_silver_runs_through_the_decade() -> None:
    """Seed 4 overdrew the fund in month 103 before the fix (a negative Poisson rate)."""
    model = MiningModel("baseline", rng=4, overrides=RESERVE)
    while model.running:
        model.step()
    assert model.steps == 120
