"""Market clearing: starting state matches the calibration data; restriction prices."""

from __future__ import annotations

import numpy as np
import pytest

from abm.model import MiningModel
from abm.params.data import load_minerals
from abm.params.schema import MINERALS


def test_starting_production_and_dependency_match_calibration():
    model = MiningModel("baseline", rng=5)
    data = load_minerals()
    np.testing.assert_allclose(model.production_t, data.production_t, rtol=1e-9)
    review = np.array([g.lever("permit_review_months") for g in model.governments])
    rates = (model.reference_rate_frac, model.reference_rate_frac)
    offer = model.rest_of_world.current
    model.market.clear(model.production_t, model.values, model.steps, review, offer, rates)
    np.testing.assert_allclose(model.market.dependency_na, data.na_dependency_frac, atol=1e-9)
    i = MINERALS.index("rare_earths")
    assert model.market.dependency_na[i] == pytest.approx(0.87)  # seed


def test_export_restriction_price_multiple_formula():
    model = MiningModel(
        "baseline",
        rng=1,
        overrides={"trade.row_export_restriction.gallium": 0.5, "market.demand_elasticity": 0.5},
    )
    mult = model.rest_of_world.price_multiple()
    share = load_minerals().row_top_share_frac[MINERALS.index("gallium")]
    assert mult[MINERALS.index("gallium")] == pytest.approx((1 - 0.5 * share) ** -2)
    assert mult[MINERALS.index("copper")] == 1.0


def test_tariff_raises_na_delivered_price_only_while_importing():
    lith, gold = MINERALS.index("lithium"), MINERALS.index("gold")
    base = MiningModel("baseline", rng=1)
    tariff = MiningModel("baseline", rng=1, overrides={"trade.row_tariff": 0.25})
    assert tariff.market.na_price[lith] == pytest.approx(
        base.market.na_price[lith] + 0.25 * base.market.world_price[lith]
    )
    assert tariff.market.na_price[gold] == base.market.na_price[gold]  # NA does not import gold


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
