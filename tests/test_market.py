"""Market clearing: starting state matches the calibration data; restriction prices."""

from __future__ import annotations

import numpy as np
import pytest

from abm.model import MiningModel
from abm.params.data import load_minerals
from abm.params.schema import MINERALS


def test_starting_production_matches_calibration_and_month_one_clears_the_same_trade():
    """Step 0 is the 2024 trade computed from the sourced plants (abm/midstream.py); clearing
    the same 2024 output at step 0 with the monthly rule gives the same dependency."""
    model = MiningModel("baseline", rng=5)
    data = load_minerals()
    np.testing.assert_allclose(model.production_t, data.production_t, rtol=1e-9)
    start = model.market.last_clearing()
    review = np.array([g.lever("permit_review_months") for g in model.governments])
    rates = (model.reference_rate_frac, model.reference_rate_frac)
    offer = model.rest_of_world.current
    model.market.clear(model.production_t, model.values, model.steps, review, offer, rates)
    np.testing.assert_allclose(model.market.dependency_na, start.dependency_na, atol=1e-9)
    np.testing.assert_allclose(model.market.clearing.consumption_t, start.consumption_t, rtol=1e-9)
    # the start is computed, not copied: it differs from the seed's 87% for rare earths
    i = MINERALS.index("rare_earths")
    assert abs(start.dependency_na[i] - data.na_dependency_frac[i]) > 0.05


def test_export_restriction_price_multiple_formula():
    model = MiningModel(
        "baseline",
        rng=1,
        overrides={"trade.row_export_restriction.gallium": 0.5, "market.demand_elasticity": 0.5},
    )
    mult = model.rest_of_world.price_multiple()
    share = load_minerals().row_top_share_frac[MINERALS.index("gallium")]
    r0 = model.reference_values["trade.row_export_restriction.gallium"]  # in the 2024 price
    assert mult[MINERALS.index("gallium")] == pytest.approx(
        (1 - 0.5 * share) ** -2 / (1 - r0 * share) ** -2
    )
    assert mult[MINERALS.index("copper")] == 1.0


def test_tariff_raises_na_delivered_price_only_while_importing():
    lith, zinc = MINERALS.index("graphite"), MINERALS.index("zinc")
    base = MiningModel("baseline", rng=1)
    tariff = MiningModel("baseline", rng=1, overrides={"trade.row_tariff": 0.25})
    assert tariff.market.na_price[lith] == pytest.approx(
        base.market.na_price[lith] + 0.25 * base.market.world_price[lith]
    )
    # North America refines more zinc than it uses (Trail, Valleyfield, Met-Mex): no imports
    assert base.market.dependency_na[zinc] == 0.0
    assert tariff.market.na_price[zinc] == base.market.na_price[zinc]


def test_geological_origin_builds_more_processing():
    runs = {}
    for rule in ("status_quo", "geological_origin"):
        # 10 years: with the real asset base, NA rare-earth mine output (Mountain Pass) first
        # grows around 2030 (Strange Lake, new mines), so no ore goes unprocessed before then
        m = MiningModel("baseline", rng=2, years=10, overrides={"trade.rules_of_origin": rule})
        while m.running:
            m.step()
        runs[rule] = m.market.capacity_t.sum(0)
    i = MINERALS.index("rare_earths")
    assert runs["geological_origin"][i] > runs["status_quo"][i]
